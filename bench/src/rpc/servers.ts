/**
 * The three CSMS servers the RPC benchmark compares, all on 127.0.0.1 with a free port, serving
 * OCPP 1.6 and 2.0.1, each counting the calls it answers:
 *
 * - `raw`: the baseline, a bare `ws` server that `JSON.parse`s each frame and answers a fixed
 *   CALLRESULT per action, with no OCPP logic and no validation;
 * - `ours`: `CsmsServer` over `WsServer`, strict validation both ways (the default);
 * - `ocpp-rpc`: the `ocpp-rpc` package's `RPCServer` with `strictMode: true`;
 * - `ours-limited`: `ours` with an inbound rate limit of 100 calls/s per station (the flood
 *   benchmark only).
 */
import type { AddressInfo } from 'node:net';
import { CsmsServer, createRouter } from '@ocpp/rpc';
import { createWsServer } from '@ocpp/transport-ws';
import { v16Protocol } from '@ocpp/v16-core';
import { v201Protocol } from '@ocpp/v201-core';
import { RPCServer } from 'ocpp-rpc';
import { WebSocketServer } from 'ws';

/** Which server. */
export type ServerKind = 'raw' | 'ours' | 'ocpp-rpc' | 'ours-limited';

/** Every server kind, the baseline first. */
export const SERVER_KINDS: readonly ServerKind[] = ['raw', 'ours', 'ocpp-rpc'];

/** A running server. */
export interface RunningServer {
  readonly port: number;
  /** Calls answered so far (every action). */
  readonly calls: () => number;
  readonly close: () => Promise<void>;
}

const SUBPROTOCOLS = ['ocpp1.6', 'ocpp2.0.1'] as const;
const HOST = '127.0.0.1';

/** The fixed time every server puts in its answers, so no server pays for a clock the others skip. */
const CURRENT_TIME = '2025-03-14T09:26:53.589Z';

const BOOT_ACCEPTED = { status: 'Accepted', currentTime: CURRENT_TIME, interval: 300 } as const;
const HEARTBEAT = { currentTime: CURRENT_TIME } as const;

async function startRaw(): Promise<RunningServer> {
  let calls = 0;
  // Fixed answers per action, serialised once.
  const bodies = new Map<string, string>([
    ['BootNotification', JSON.stringify(BOOT_ACCEPTED)],
    ['Heartbeat', JSON.stringify(HEARTBEAT)],
  ]);
  const wss = new WebSocketServer({
    host: HOST,
    port: 0,
    handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as [number, string, string, unknown];
      calls++;
      ws.send(`[3,${JSON.stringify(frame[1])},${bodies.get(frame[2]) ?? '{}'}]`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  return {
    port: (wss.address() as AddressInfo).port,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

async function startOurs(limited = false): Promise<RunningServer> {
  let calls = 0;
  const v16 = createRouter(v16Protocol, 'csms')
    .handle('BootNotification', () => {
      calls++;
      return BOOT_ACCEPTED;
    })
    .handle('Heartbeat', () => {
      calls++;
      return HEARTBEAT;
    })
    .handle('MeterValues', () => {
      calls++;
      return {};
    });
  const v201 = createRouter(v201Protocol, 'csms')
    .handle('BootNotification', () => {
      calls++;
      return BOOT_ACCEPTED;
    })
    .handle('Heartbeat', () => {
      calls++;
      return HEARTBEAT;
    })
    .handle('TransactionEvent', () => {
      calls++;
      return {};
    });
  const listener = createWsServer({ host: HOST, port: 0, protocols: SUBPROTOCOLS });
  const csms = new CsmsServer({
    listener,
    routers: [v16, v201],
    ...(limited ? { session: { inboundRateLimit: { perSecond: 100, burst: 100 } } } : {}),
  });
  const port = await listener.listen();
  return { port, calls: () => calls, close: () => csms.close() };
}

async function startOcppRpc(): Promise<RunningServer> {
  let calls = 0;
  const server = new RPCServer({ protocols: [...SUBPROTOCOLS], strictMode: true });
  // The handler parameter types of ocpp-rpc are loose; these handlers ignore the request.
  server.on('client', (client: { handle(action: string, handler: () => unknown): void }) => {
    client.handle('BootNotification', () => {
      calls++;
      return BOOT_ACCEPTED;
    });
    client.handle('Heartbeat', () => {
      calls++;
      return HEARTBEAT;
    });
    client.handle('MeterValues', () => {
      calls++;
      return {};
    });
    client.handle('TransactionEvent', () => {
      calls++;
      return {};
    });
  });
  const http = await server.listen(0, HOST);
  return {
    port: (http.address() as AddressInfo).port,
    calls: () => calls,
    close: () => server.close({}),
  };
}

/** Starts a server of `kind`. */
export function startServer(kind: ServerKind): Promise<RunningServer> {
  switch (kind) {
    case 'raw':
      return startRaw();
    case 'ours':
      return startOurs();
    case 'ours-limited':
      return startOurs(true);
    case 'ocpp-rpc':
      return startOcppRpc();
  }
}
