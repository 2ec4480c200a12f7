import { createWsClient } from '@ocpp/transport-ws';

/** A bare OCPP-J station for tests: it sends the frames a test writes and records what comes back. */
export interface RawStation {
  /** Sends a CALL and resolves with the CALLRESULT payload (rejects on CALLERROR or close). */
  call(action: string, payload: unknown): Promise<unknown>;
  /** Sends one text frame as it is. */
  send(text: string): void;
  /** Every CALL the CSMS sent, as `[action, payload]`. */
  readonly received: [string, unknown][];
  /** Resolves once the connection has closed. */
  readonly closed: Promise<void>;
  /** Closes the connection, with a close code and reason when given. */
  close(code?: number, reason?: string): Promise<void>;
}

let nextId = 0;

/** Connects one station to `url` (no reconnect) as `identity`, offering `protocol`. */
export async function connectStation(
  url: string,
  identity: string,
  protocol = 'ocpp1.6',
  options: { password?: string } = {},
): Promise<RawStation> {
  const transport = createWsClient({
    url,
    identity,
    protocols: [protocol],
    reconnect: false,
    pingIntervalSeconds: 0,
    ...(options.password === undefined ? {} : { password: options.password }),
  });
  const pending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>();
  const received: [string, unknown][] = [];
  let markClosed!: () => void;
  const closed = new Promise<void>((r) => {
    markClosed = r;
  });
  transport.bind({
    message(text) {
      const frame = JSON.parse(text) as unknown[];
      const [type, id] = frame as [number, string];
      if (type === 2) {
        received.push([frame[2] as string, frame[3]]);
        // Accept whatever the CSMS asks: enough for the CSMS's side of a test.
        transport.send(JSON.stringify([3, id, { status: 'Accepted' }]));
        return;
      }
      const waiter = pending.get(id);
      if (waiter === undefined) return;
      pending.delete(id);
      if (type === 3) waiter.resolve(frame[2]);
      else waiter.reject(new Error(`CALLERROR ${String(frame[2])}: ${String(frame[3])}`));
    },
    open() {},
    close() {
      for (const w of pending.values()) w.reject(new Error('connection closed'));
      pending.clear();
      markClosed();
    },
    error() {},
  });
  await transport.start();
  return {
    call(action, payload) {
      const id = `t${++nextId}`;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        transport.send(JSON.stringify([2, id, action, payload]));
      });
    },
    send: (text) => transport.send(text),
    received,
    closed,
    close: (code, reason) => transport.close(code, reason),
  };
}

/** A 1.6 BootNotification payload. */
export const BOOT_16 = { chargePointVendor: 'Test', chargePointModel: 'Raw' };
