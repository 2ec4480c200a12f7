import { createWsServer, type WsServer, WsTransportError } from '@ocpp/transport-ws';

/** What a {@link StubCsms} does with the calls of its stations. */
export interface StubBehaviour {
  /** Actions answered `[4, id, "NotImplemented", …]`, as a CSMS without a handler for them. */
  readonly notImplemented?: readonly string[];
  /** The BootNotification status. @default 'Accepted' */
  readonly boot?: 'Accepted' | 'Pending' | 'Rejected';
  /** The boot interval in seconds (heartbeat, or retry after Pending/Rejected). @default 300 */
  readonly interval?: number;
  /**
   * Drops each station's connection this many ms after its boot was answered, and refuses its
   * later connections with HTTP 503: a station that loses its CSMS for good.
   */
  readonly dropAfterBootMs?: number;
}

/** A minimal CSMS over a bare WebSocket server, answering frames it builds itself. */
export interface StubCsms {
  readonly url: string;
  /** CALLs received, per action. */
  readonly calls: Map<string, number>;
  /** StatusNotification payloads, in order, per station. */
  readonly statuses: Map<string, unknown[]>;
  /** The actions each station sent, in order. */
  readonly actions: Map<string, string[]>;
  close(): Promise<void>;
}

/**
 * A CSMS that speaks OCPP-J frame by frame, without the SDK's session: it answers what a minimal
 * central system answers (the Python library's example CSMS, say: boot accepted, everything it has
 * no handler for `NotImplemented`), so the simulator meets a peer that is not itself.
 */
export async function startStubCsms(behaviour: StubBehaviour = {}): Promise<StubCsms> {
  const notImplemented = new Set(behaviour.notImplemented ?? []);
  const gone = new Set<string>();
  const calls = new Map<string, number>();
  const statuses = new Map<string, unknown[]>();
  const actions = new Map<string, string[]>();
  let transactionId = 0;
  const server: WsServer = createWsServer({
    port: 0,
    host: '127.0.0.1',
    protocols: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'],
    authenticate: ({ identity }) => {
      if (gone.has(identity)) {
        throw new WsTransportError('HANDSHAKE_REJECTED', 'the CSMS is gone', { status: 503 });
      }
      return true;
    },
  });
  server.onConnection(({ identity, protocol, transport }) => {
    const v16 = protocol === 'ocpp1.6';
    transport.bind({
      message(text) {
        const frame = JSON.parse(text) as unknown[];
        if (frame[0] !== 2) return;
        const id = frame[1] as string;
        const action = frame[2] as string;
        const payload = frame[3] as Record<string, unknown>;
        calls.set(action, (calls.get(action) ?? 0) + 1);
        actions.set(identity, [...(actions.get(identity) ?? []), action]);
        if (action === 'StatusNotification') {
          statuses.set(identity, [...(statuses.get(identity) ?? []), payload]);
        }
        if (notImplemented.has(action)) {
          transport.send(
            JSON.stringify([
              4,
              id,
              'NotImplemented',
              'Request Action is recognized but not supported by the receiver',
              { cause: `No handler for ${action} registered.` },
            ]),
          );
          return;
        }
        const now = new Date().toISOString();
        const accepted = { status: 'Accepted' };
        const answers: Record<string, unknown> = {
          BootNotification: {
            status: behaviour.boot ?? 'Accepted',
            currentTime: now,
            interval: behaviour.interval ?? 300,
          },
          Heartbeat: { currentTime: now },
          Authorize: v16 ? { idTagInfo: accepted } : { idTokenInfo: accepted },
          StartTransaction: { transactionId: ++transactionId, idTagInfo: accepted },
          StopTransaction: {},
        };
        transport.send(JSON.stringify([3, id, answers[action] ?? {}]));
        if (action === 'BootNotification' && behaviour.dropAfterBootMs !== undefined) {
          gone.add(identity);
          setTimeout(() => void transport.close(1011, 'gone'), behaviour.dropAfterBootMs);
        }
      },
      open() {},
      close() {},
      error() {},
    });
    void transport.start();
  });
  const port = await server.listen();
  return {
    url: `ws://127.0.0.1:${port}`,
    calls,
    statuses,
    actions,
    close: () => server.close(),
  };
}
