import { silentLogger } from '@ocpp/rpc';
import {
  createMemoryTransportPair,
  type IncomingConnection,
  type TransportServer,
} from '@ocpp/transport';
import { createWsClient, createWsServer } from '@ocpp/transport-ws';
import { afterEach } from 'vitest';
import {
  type CsmsHandlers,
  createGenericCsms,
  createGenericStation,
  type GenericCsms,
  type GenericStation,
  type ProtocolVersion,
  type StationHandlers,
  type StationTransaction,
} from '../src/index.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** A frame as the station saw it, without its message id: `[direction, type, action?, payload]`. */
export type WireFrame = readonly unknown[];

/** A generic CSMS on a free loopback port, with deterministic message ids per connection. */
export async function startCsms(
  handlers: CsmsHandlers,
  options: { versions?: readonly ProtocolVersion[]; reports?: { timeoutMs: number } } = {},
): Promise<{ csms: GenericCsms; url: string }> {
  const listener = createWsServer({ host: '127.0.0.1', port: 0 });
  const csms = createGenericCsms({
    listener,
    handlers,
    logger: silentLogger,
    ...(options.versions === undefined ? {} : { versions: options.versions }),
    ...(options.reports === undefined ? {} : { reports: options.reports }),
    session: (connection) => {
      let n = 0;
      return { messageId: () => `${connection.identity}-c${++n}` };
    },
  });
  const port = await listener.listen();
  cleanups.push(() => csms.close());
  return { csms, url: `ws://127.0.0.1:${port}` };
}

/** A generic station over a real WebSocket client; `frames` records what crossed the wire. */
export async function startStation(
  url: string,
  protocol: ProtocolVersion,
  identity: string,
  handlers?: StationHandlers,
  transactions?: Iterable<StationTransaction>,
): Promise<{ station: GenericStation; frames: WireFrame[] }> {
  let n = 0;
  const station = createGenericStation({
    protocol,
    identity,
    transport: createWsClient({ url, identity, protocols: [protocol], reconnect: false }),
    ...(handlers === undefined ? {} : { handlers }),
    ...(transactions === undefined ? {} : { transactions }),
    session: { logger: silentLogger, messageId: () => `${identity}-s${++n}` },
  });
  const frames: WireFrame[] = [];
  station.session.on('frame', (direction, text) => {
    const [type, , ...rest] = JSON.parse(text) as unknown[];
    frames.push([direction, type, ...rest]);
  });
  await station.start();
  cleanups.push(() => station.close());
  return { station, frames };
}

/** A listener double: hands in-memory connections to the CSMS. */
export function memoryListener() {
  let accept: ((c: IncomingConnection) => void) | undefined;
  const server: TransportServer = {
    onConnection: (listener) => {
      accept = listener;
    },
    close: async () => {},
  };
  const connect = (identity: string, protocol: string) => {
    const [station, csms] = createMemoryTransportPair({ protocol });
    accept?.({ identity, protocol, transport: csms });
    return station;
  };
  return { server, connect };
}
