import { type RawData, WebSocket } from 'ws';

/** The subprotocol of each version. */
export const SUBPROTOCOL = { '1.6': 'ocpp1.6', '2.0.1': 'ocpp2.0.1', '2.1': 'ocpp2.1' } as const;
export type Version = keyof typeof SUBPROTOCOL;
export const VERSIONS = Object.keys(SUBPROTOCOL) as Version[];

const BOOT: Record<Version, unknown> = {
  '1.6': { chargePointVendor: 'V', chargePointModel: 'M' },
  '2.0.1': { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } },
  '2.1': { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } },
};

let identities = 0;

/**
 * A raw station: sends any text (or bytes) it is told to, and collects what comes back, by
 * message id. It never parses more than the answer's head, so a hostile answer cannot hurt it.
 */
export class Peer {
  /** Answers (CALLRESULT, CALLERROR, ...) by message id, as text. */
  readonly answers = new Map<string, string>();
  /** Every frame received, as text. */
  readonly received: string[] = [];
  /** The close code and reason, once closed. */
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly ws: WebSocket,
    readonly version: Version,
  ) {
    ws.on('message', (data: RawData) => {
      const text = String(data);
      this.received.push(text);
      const id = /^\[\s*[3-5]\s*,\s*"([^"]{1,40})"/.exec(text)?.[1];
      if (id !== undefined) this.answers.set(id, text);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {});
  }

  /** Connects a station of `version` to `url` (a fresh identity unless given) and boots it. */
  static async connect(
    url: string,
    version: Version,
    identity = `HOSTILE-${process.pid}-${++identities}`,
  ): Promise<Peer> {
    const ws = new WebSocket(`${url}/${identity}`, [SUBPROTOCOL[version]], {
      perMessageDeflate: false,
      maxPayload: 16 * 1024 * 1024,
    });
    // Listen before the handshake ends: a frame the target sends at once can come in the same
    // read as its 101 answer, and ws emits it before an awaited 'open' lets us attach a listener.
    const peer = new Peer(ws, version);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`handshake refused: HTTP ${res.statusCode}`)),
      );
    });
    peer.send(JSON.stringify([2, 'boot', 'BootNotification', BOOT[version]]));
    await peer.answer('boot');
    return peer;
  }

  send(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Resolves with the answer to message id `id`; rejects if the connection closes first. */
  async answer(id: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.answers.get(id);
      if (text !== undefined) return text;
      if (this.closed !== undefined) {
        throw new Error(
          `closed (${this.closed.code} ${this.closed.reason}) before answering ${id}`,
        );
      }
      if (Date.now() > deadline) throw new Error(`no answer to ${id} within ${timeoutMs} ms`);
      await this.next(deadline - Date.now());
    }
  }

  /** Resolves with the first frame received that passes `test`, waiting for it if needed. */
  async receivedWhere(test: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.received.find(test);
      if (text !== undefined) return text;
      if (this.closed !== undefined) throw new Error(`closed (${this.closed.code}) first`);
      if (Date.now() > deadline) throw new Error(`no such frame within ${timeoutMs} ms`);
      await this.next(deadline - Date.now());
    }
  }

  /** Resolves once the connection has closed, with its close code. */
  async whenClosed(timeoutMs = 20_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (this.closed === undefined) {
      if (Date.now() > deadline) throw new Error(`still open after ${timeoutMs} ms`);
      await this.next(deadline - Date.now());
    }
    return this.closed;
  }

  /** A Heartbeat round trip: the target still serves this connection. */
  async heartbeat(id = `hb-${Math.random().toString(36).slice(2, 10)}`): Promise<string> {
    this.send(`[2,"${id}","Heartbeat",{}]`);
    return this.answer(id);
  }

  close(): void {
    this.ws.terminate();
  }

  private next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
