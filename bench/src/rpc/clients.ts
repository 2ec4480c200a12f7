/**
 * One station per stack for the round-trip scenario, each talking to its own kind of server:
 * a bare `ws` client, an `OcppSession` over `createWsClient` (strict validation both ways), and an
 * `ocpp-rpc` `RPCClient` in strict mode. Each makes 1.6 Heartbeat calls one after another.
 */
import { OcppSession, silentLogger } from '@ocpp/rpc';
import { createWsClient } from '@ocpp/transport-ws';
import { v16Protocol } from '@ocpp/v16-core';
import { RPCClient } from 'ocpp-rpc';
import { WebSocket } from 'ws';
import { bootNotification16 } from '../payloads.js';
import type { ServerKind } from './servers.js';

/** A connected, booted station. */
export interface BenchStation {
  /** One Heartbeat round trip. */
  heartbeat(): Promise<unknown>;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

async function rawStation(port: number, identity: string): Promise<BenchStation> {
  const ws = new WebSocket(`ws://${HOST}:${port}/${identity}`, ['ocpp1.6'], {
    perMessageDeflate: false,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let seq = 0;
  let waiting: ((value: unknown) => void) | undefined;
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as unknown[];
    const resolve = waiting;
    waiting = undefined;
    resolve?.(frame[2]);
  });
  const call = (action: string, payload: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      waiting = resolve;
      ws.send(JSON.stringify([2, `${++seq}`, action, payload]));
    });
  await call('BootNotification', bootNotification16());
  return {
    heartbeat: () => call('Heartbeat', {}),
    close: () =>
      new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

async function ourStation(port: number, identity: string): Promise<BenchStation> {
  const transport = createWsClient({
    url: `ws://${HOST}:${port}`,
    identity,
    protocols: ['ocpp1.6'],
    reconnect: false,
  });
  const session = new OcppSession({
    protocol: v16Protocol,
    role: 'station',
    identity,
    transport,
    logger: silentLogger,
  });
  await session.start();
  const boot = await session.call('BootNotification', bootNotification16());
  if (boot.status !== 'Accepted') throw new Error(`BootNotification: ${boot.status}`);
  return {
    heartbeat: () => session.call('Heartbeat', {}),
    close: () => session.close(),
  };
}

async function ocppRpcStation(port: number, identity: string): Promise<BenchStation> {
  type Options = ConstructorParameters<typeof RPCClient>[0];
  // ocpp-rpc's declarations mark every option required; the library fills in defaults.
  const options: Partial<Options> = {
    endpoint: `ws://${HOST}:${port}`,
    identity,
    protocols: ['ocpp1.6'],
    strictMode: true,
    reconnect: false,
  };
  const client = new RPCClient(options as Options);
  await client.connect();
  await client.call('BootNotification', bootNotification16());
  return {
    heartbeat: () => client.call('Heartbeat', {}),
    close: async () => {
      await client.close({});
    },
  };
}

/** Connects and boots a station of the stack that matches `kind`. */
export function connectStation(
  kind: ServerKind,
  port: number,
  identity: string,
): Promise<BenchStation> {
  switch (kind) {
    case 'raw':
      return rawStation(port, identity);
    case 'ours':
    case 'ours-limited':
      return ourStation(port, identity);
    case 'ocpp-rpc':
      return ocppRpcStation(port, identity);
  }
}
