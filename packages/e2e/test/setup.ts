import {
  CsmsServer,
  createRouter,
  OcppSession,
  type Router,
  type SessionOptions,
  silentLogger,
} from '@ocpp/rpc';
import type { ActionMapShape, OcppVersion, Protocol } from '@ocpp/runtime';
import { createWsClient, createWsServer, type WsClientOptions } from '@ocpp/transport-ws';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { afterEach } from 'vitest';

export const now = '2025-03-14T09:26:53Z';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** The three CSMS routers every e2e test starts from. */
export function csmsRouters() {
  return {
    v16: createRouter(v16Protocol, 'csms')
      .handle('BootNotification', () => ({ status: 'Accepted', currentTime: now, interval: 300 }))
      .handle('Heartbeat', () => ({ currentTime: now })),
    v201: createRouter(v201Protocol, 'csms')
      .handle('BootNotification', () => ({ status: 'Accepted', currentTime: now, interval: 300 }))
      .handle('Heartbeat', () => ({ currentTime: now })),
    v21: createRouter(v21Protocol, 'csms')
      .handle('BootNotification', () => ({ status: 'Accepted', currentTime: now, interval: 300 }))
      .handle('Heartbeat', () => ({ currentTime: now })),
  };
}

/** A CSMS on a free loopback port serving the given routers. */
export async function startCsms(
  // biome-ignore lint/suspicious/noExplicitAny: routers of any version
  routers: Router<any, any, 'csms', any>[],
  settings: ConstructorParameters<typeof CsmsServer>[0]['session'] = {},
) {
  const ws = createWsServer({
    host: '127.0.0.1',
    port: 0,
    protocols: routers.map((r) => r.protocol.subprotocol),
  });
  const csms = new CsmsServer({ listener: ws, routers, logger: silentLogger, session: settings });
  const port = await ws.listen();
  cleanups.push(() => csms.close());
  return { csms, ws, url: `ws://127.0.0.1:${port}` };
}

/** A station session of `protocol` connected over a real WebSocket client. */
export async function startStation<V extends OcppVersion, M extends ActionMapShape<M>>(
  protocol: Protocol<V, M>,
  url: string,
  identity: string,
  // biome-ignore lint/suspicious/noExplicitAny: any dependency set
  router?: Router<V, M, 'station', any>,
  client: Partial<WsClientOptions> = {},
  session: Partial<SessionOptions<V, M, 'station'>> = {},
) {
  const transport = createWsClient({
    url,
    identity,
    protocols: [protocol.subprotocol],
    reconnect: false,
    ...client,
  });
  const station = new OcppSession({
    protocol,
    role: 'station',
    identity,
    transport,
    logger: silentLogger,
    ...(router !== undefined && { router }),
    ...session,
  });
  cleanups.push(() => station.close());
  await station.start();
  return { station, transport };
}
