import { createServer } from 'node:net';
import type { ConnectFailure, Logger } from '@ocpp/rpc';
import { silentLogger } from '@ocpp/rpc';
import {
  type AuthenticateContext,
  createWsClient,
  createWsServer,
  type WsClientOptions,
} from '@ocpp/transport-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createGenericCsms, createGenericStation, type GenericStation } from '../src/index.js';

/**
 * A station that cannot connect says why, with the transport's defaults (reconnect on): the
 * first failure of each kind reaches the logger and the `connectFailed` event, and `start()`
 * rejects on what retrying cannot fix instead of waiting for ever.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** A logger that keeps what it was told. */
function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

async function csms(options: { password?: string; versions?: ('ocpp2.1' | 'ocpp1.6')[] }) {
  const listener = createWsServer({
    host: '127.0.0.1',
    port: 0,
    ...(options.versions === undefined ? {} : { protocols: options.versions }),
    ...(options.password === undefined
      ? {}
      : {
          securityProfile: 1 as const,
          authenticate: (ctx: AuthenticateContext) => ctx.password === options.password,
        }),
  });
  const server = createGenericCsms({
    listener,
    handlers: {},
    logger: silentLogger,
    ...(options.versions === undefined ? {} : { versions: options.versions }),
  });
  const port = await listener.listen();
  cleanups.push(() => server.close());
  return `ws://127.0.0.1:${port}`;
}

function station(
  client: Omit<WsClientOptions, 'identity'>,
  protocol: 'ocpp2.0.1' | 'ocpp1.6' = 'ocpp2.0.1',
) {
  const logger = recordingLogger();
  const identity = `CONNECT-${Math.random().toString(36).slice(2, 8)}`;
  const s: GenericStation = createGenericStation({
    protocol,
    identity,
    transport: createWsClient({ identity, ...client }),
    session: { logger },
  });
  const failures: ConnectFailure[] = [];
  s.session.on('connectFailed', (f) => failures.push(f));
  cleanups.push(() => s.close());
  return { station: s, logger, failures };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('a station that cannot connect says why', () => {
  it('a wrong password: start() rejects with the 401, logged once as a warning', async () => {
    const url = await csms({ password: 'a-password-of-16-chars' });
    const {
      station: s,
      logger,
      failures,
    } = station({
      url,
      protocols: ['ocpp2.0.1'],
      password: 'wrong-password-of-16',
    });
    await expect(s.start()).rejects.toMatchObject({ code: 'HANDSHAKE_REJECTED', status: 401 });
    expect(failures.map((f) => [f.kind, f.first])).toEqual([['unauthorized', true]]);
    expect(logger.lines).toEqual([
      expect.stringMatching(/^warn CONNECT-\w+: cannot connect \(unauthorized\): .*HTTP 401/),
    ]);
  });

  it('no version in common: start() rejects, the kind is subprotocol', async () => {
    const url = await csms({ versions: ['ocpp2.1'] });
    const { station: s, logger, failures } = station({ url, protocols: ['ocpp1.6'] }, 'ocpp1.6');
    // As OCPP asks, the CSMS completes the handshake without a subprotocol and closes.
    await expect(s.start()).rejects.toMatchObject({ code: 'NO_SUBPROTOCOL' });
    expect(failures.map((f) => [f.kind, f.first])).toEqual([['subprotocol', true]]);
    expect(logger.lines).toEqual([
      expect.stringMatching(/^warn CONNECT-\w+: cannot connect \(subprotocol\): .*ocpp1\.6/),
    ]);
  });

  it('nothing listening: retried, the first failure logged as a warning and the rest at debug', async () => {
    const {
      station: s,
      logger,
      failures,
    } = station({
      url: `ws://127.0.0.1:${await freePort()}`,
      protocols: ['ocpp2.0.1'],
      backoff: { waitMinimumSeconds: 0.01, randomRangeSeconds: 0, repeatTimes: 0 },
    });
    let settled = false;
    void s.start().then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise<void>((resolve) => {
      s.session.on('connectFailed', () => {
        if (failures.length >= 3) resolve();
      });
    });
    expect(settled).toBe(false);
    expect(failures.slice(0, 3).map((f) => [f.kind, f.first])).toEqual([
      ['unreachable', true],
      ['unreachable', false],
      ['unreachable', false],
    ]);
    const warnings = logger.lines.filter((l) => l.startsWith('warn'));
    expect(warnings).toEqual([
      expect.stringMatching(/cannot connect \(unreachable\): .*ECONNREFUSED/),
    ]);
    expect(logger.lines.filter((l) => l.startsWith('debug')).length).toBeGreaterThanOrEqual(2);
  });
});
