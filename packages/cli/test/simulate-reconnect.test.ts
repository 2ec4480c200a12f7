import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGenericCsms, type GenericCsms, type TransactionEvent } from '@ocpp/generic-api';
import { silentLogger } from '@ocpp/rpc';
import { type AuthenticateHook, createWsServer, WsTransportError } from '@ocpp/transport-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, eventually, runCli, startCli } from './helpers/cli.js';

interface Report {
  run: { startedAt: string; tool: string; options: Record<string, unknown> };
  ok: boolean;
  problems: string[];
  result: {
    stations: {
      connected: number;
      failed: number;
      reconnecting: number;
      disconnectedAtEnd: number;
      disconnectedAtEndIdentities: string[];
      failures: Record<string, number>;
    };
    sessions: {
      started: number;
      completed: number;
      failed: number;
      stopsUndelivered: number;
    };
    messages: { sent: Record<string, number> };
  };
}

/** What the test CSMS heard of one transaction, kept across CSMS restarts (its database). */
interface Tx {
  readonly identity: string;
  readonly protocol: string;
  updates: number;
  /** Updates the station made while the CSMS was down (by their time), delivered later. */
  offlineUpdates: number;
  ended: number;
  endedAt?: string;
}

/** The CSMS's memory that outlives a restart, as a real CSMS's database would. */
class Ledger {
  readonly txs = new Map<string, Tx>();
  /** Stops for transactions the CSMS never saw start. */
  readonly strayStops: string[] = [];
  /** Connections per identity, over every CSMS instance. */
  readonly connects = new Map<string, number>();
  lastId = 0;
  /** When the CSMS went down, and came back. */
  downAt = '';
  upAt = '';

  get running(): Tx[] {
    return [...this.txs.values()].filter((t) => t.ended === 0);
  }

  record(e: TransactionEvent, identity: string, protocol: string): void {
    const key = `${identity}/${e.transactionId}`;
    const tx = this.txs.get(key);
    if (e.eventType === 'Started') {
      this.txs.set(key, { identity, protocol, updates: 0, offlineUpdates: 0, ended: 0 });
    } else if (tx === undefined) {
      if (e.eventType === 'Ended') this.strayStops.push(key);
    } else if (e.eventType === 'Updated') {
      tx.updates++;
      if (
        this.downAt !== '' &&
        e.timestamp > this.downAt &&
        (this.upAt === '' || e.timestamp < this.upAt)
      )
        tx.offlineUpdates++;
    } else {
      tx.ended++;
      tx.endedAt = e.timestamp;
    }
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** The generic CSMS on `port` (0: a free one), accepting everything, writing to `ledger`. */
async function startCsms(
  ledger: Ledger,
  port = 0,
  authenticate?: AuthenticateHook,
): Promise<{ csms: GenericCsms; port: number; url: string }> {
  const listener = createWsServer({
    host: '127.0.0.1',
    port,
    ...(authenticate === undefined ? {} : { authenticate }),
  });
  const csms = createGenericCsms({
    listener,
    logger: silentLogger,
    // One sequence over restarts, as a database's: a restarted CSMS never reuses a 1.6 id.
    allocateTransactionId: () => ++ledger.lastId,
    handlers: {
      onBoot: () => ({ status: 'Accepted', interval: 300 }),
      onAuthorize: () => ({ idTokenInfo: { status: 'Accepted' } }),
      onStatus: () => {},
      onTransaction: (e, c) => {
        ledger.record(e, c.identity, c.version);
        return undefined;
      },
    },
  });
  csms.on('connect', (station) => {
    ledger.connects.set(station.identity, (ledger.connects.get(station.identity) ?? 0) + 1);
  });
  const bound = await listener.listen();
  cleanups.push(() => csms.close());
  return { csms, port: bound, url: `ws://127.0.0.1:${bound}` };
}

/**
 * What stands on the CSMS's port while it is down: every WebSocket upgrade is answered HTTP 503,
 * and the attempts are counted per identity (with their times), so the test sees the back-off.
 */
async function startOutage(port: number) {
  const attempts = new Map<string, number[]>();
  const server: Server = createServer((_req, res) => res.writeHead(503).end());
  server.on('upgrade', (req, socket) => {
    const identity = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    attempts.set(identity, [...(attempts.get(identity) ?? []), Date.now()]);
    socket.on('error', () => {});
    socket.end(
      'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  cleanups.push(close);
  return {
    port: (server.address() as AddressInfo).port,
    attempts,
    /** Identities that have made at least `n` attempts. */
    reachedBy: (n: number) => [...attempts].filter(([, times]) => times.length >= n).length,
    close,
  };
}

/** The exit code of `fleet` once it has ended by itself; fails after `ms`. */
async function exitOf(fleet: CliProcess, ms: number): Promise<number | null> {
  if (fleet.child.exitCode !== null) return fleet.child.exitCode;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      once(fleet.child, 'exit').then(([code]) => code as number | null),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `simulate did not end within ${ms} ms\n${fleet.output().stderr.slice(-2000)}`,
              ),
            ),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Small back-off settings, so that several rounds fit into a test. */
const FAST_BACKOFF = [
  '--retry-backoff-wait-minimum',
  '0.2',
  '--retry-backoff-random-range',
  '0.2',
  '--retry-backoff-repeat-times',
  '2',
];

describe('ocpp simulate across a CSMS outage', () => {
  it('after several back-off rounds every station reconnects, every stop arrives, and the run ends with 0', async () => {
    const STATIONS = 30;
    const ledger = new Ledger();
    const first = await startCsms(ledger);
    const fleet = startCli([
      'simulate',
      '--url',
      first.url,
      '--stations',
      String(STATIONS),
      '--protocol',
      'mixed',
      '--sessions',
      '1',
      '--session-duration',
      '2',
      '--meter-interval',
      '0.25',
      '--ramp',
      '0',
      '--progress-interval',
      '0.5',
      ...FAST_BACKOFF,
      '--json',
    ]);
    await eventually('every session charging, with a meter value at the CSMS', () =>
      ledger.running.length === STATIONS && ledger.running.every((t) => t.updates >= 1)
        ? true
        : undefined,
    );

    // The CSMS goes down; its port answers 503 to every attempt while it is.
    ledger.downAt = new Date().toISOString();
    await first.csms.close(1001, 'CSMS going down');
    const outage = await startOutage(first.port);
    await eventually('the simulator to see every station disconnected', () =>
      new RegExp(`stations 0/${STATIONS} connected, ${STATIONS} reconnecting`).test(
        fleet.output().stderr,
      )
        ? true
        : undefined,
    );
    // Five refused attempts each: at least 0.2 + 0.4 + 0.8 + 0.8 s of back-off, longer than what
    // was left of the 2 s sessions, so every session ends offline.
    await eventually('five refused attempts from every station', () =>
      outage.reachedBy(5) === STATIONS ? true : undefined,
    );
    const restartedAt = new Date().toISOString();
    ledger.upAt = restartedAt;
    expect(ledger.running).toHaveLength(STATIONS);
    await outage.close();

    // The CSMS is back on the same port, with its database.
    const second = await startCsms(ledger, first.port);
    expect(second.port).toBe(first.port);
    const code = await exitOf(fleet, 20_000);
    const report = JSON.parse(fleet.output().stdout) as Report;

    expect(report.problems).toEqual([]);
    expect(code).toBe(0);
    // --json describes the run too: when, by what, with which options.
    expect(Date.parse(report.run.startedAt)).toBeGreaterThan(0);
    expect(report.run.tool).toMatch(/^@ocpp\/cli \d/);
    expect(report.run.options).toMatchObject({ json: true });
    expect(report.result.sessions).toMatchObject({
      started: STATIONS,
      completed: STATIONS,
      failed: 0,
      stopsUndelivered: 0,
    });
    expect(report.result.stations).toMatchObject({
      connected: STATIONS,
      failed: 0,
      disconnectedAtEnd: 0,
    });
    // Every station booted again on the new CSMS: twice in all.
    expect(report.result.messages.sent.BootNotification).toBe(2 * STATIONS);
    expect([...ledger.connects.values()].every((n) => n === 2)).toBe(true);
    expect(ledger.connects.size).toBe(STATIONS);
    // Nothing open at the CSMS: each transaction ended exactly once, with the time it really
    // ended (during the outage), and no stop for a transaction it never saw.
    expect(ledger.txs.size).toBe(STATIONS);
    expect(ledger.running).toEqual([]);
    expect([...ledger.txs.values()].every((t) => t.ended === 1)).toBe(true);
    expect([...ledger.txs.values()].every((t) => t.endedAt! < restartedAt)).toBe(true);
    expect(ledger.strayStops).toEqual([]);
    // The meter values of the outage were kept by each station's outbox and came afterwards.
    expect([...ledger.txs.values()].every((t) => t.offlineUpdates >= 1)).toBe(true);
    for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']) {
      expect([...ledger.txs.values()].filter((t) => t.protocol === version)).toHaveLength(
        STATIONS / 3,
      );
    }
  }, 40_000);

  it('when the run ends during an outage, the offline stations and their unsent stops make it fail', async () => {
    const STATIONS = 6;
    const ledger = new Ledger();
    const csms = await startCsms(ledger);
    const fleet = startCli([
      'simulate',
      '--url',
      csms.url,
      '--stations',
      String(STATIONS),
      '--session-duration',
      '60',
      '--meter-interval',
      '0.25',
      '--ramp',
      '0',
      '--progress-interval',
      '0.5',
      ...FAST_BACKOFF,
      '--json',
    ]);
    await eventually('every session charging', () =>
      ledger.running.length === STATIONS ? true : undefined,
    );
    await csms.csms.close(1001, 'CSMS going down');
    const outage = await startOutage(csms.port);
    await eventually('two refused attempts from every station', () =>
      outage.reachedBy(2) === STATIONS ? true : undefined,
    );
    // Ctrl-C while every station is still trying: the run ends at once, and says what is owed.
    fleet.child.kill('SIGINT');
    const code = await exitOf(fleet, 15_000);
    const report = JSON.parse(fleet.output().stdout) as Report;
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.result.stations.disconnectedAtEnd).toBe(STATIONS);
    expect(report.result.stations.disconnectedAtEndIdentities).toEqual(
      Array.from({ length: STATIONS }, (_, i) => `SIM-${String(i + 1).padStart(4, '0')}`),
    );
    expect(report.result.sessions).toMatchObject({
      started: STATIONS,
      completed: 0,
      failed: STATIONS,
      stopsUndelivered: STATIONS,
    });
    expect(report.problems).toEqual(
      expect.arrayContaining([
        `${STATIONS} station(s) still disconnected at the end, reconnecting (SIM-0001, SIM-0002, SIM-0003, ...)`,
        `${STATIONS} transaction stop(s) never reached the CSMS (left open there)`,
        'interrupted',
      ]),
    );
    expect(report.result.stations.failures['HTTP 503 service unavailable']).toBeGreaterThanOrEqual(
      2 * STATIONS,
    );
  }, 30_000);

  it('--duration ends a run whose CSMS stays down; the text summary counts what was not delivered', async () => {
    const ledger = new Ledger();
    const csms = await startCsms(ledger);
    const fleet = startCli([
      'simulate',
      '--url',
      csms.url,
      '--stations',
      '3',
      '--protocol',
      'ocpp2.0.1',
      // Room for the sessions to start on a busy machine; the outage then outlasts the run.
      '--duration',
      '8',
      '--session-duration',
      '60',
      '--meter-interval',
      '0.25',
      '--ramp',
      '0',
      ...FAST_BACKOFF,
    ]);
    await eventually('every session charging', () =>
      ledger.running.length === 3 ? true : undefined,
    );
    // Down for good: nothing listens on the port any more.
    await csms.csms.close(1001, 'CSMS going down');
    const code = await exitOf(fleet, 20_000);
    const out = fleet.output().stdout;
    expect(code).toBe(1);
    expect(out).toMatch(/stations disconnected at the end\s+3/);
    expect(out).toMatch(/transaction stops not delivered\s+3/);
    expect(out).toMatch(/sessions failed\s+3/);
    expect(out).toMatch(/connection refused\s+\d+/);
    expect(out).toContain(
      'Result: FAILED — 3 station(s) still disconnected at the end, reconnecting (SIM-0001, SIM-0002, SIM-0003)',
    );
    expect(ledger.running).toHaveLength(3);
  }, 30_000);
});

describe('ocpp simulate --state-dir', () => {
  it('a simulator killed with stops still owed delivers them when run again on the same dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const ledger = new Ledger();
    const first = await startCsms(ledger);
    const args = [
      'simulate',
      '--url',
      first.url,
      '--stations',
      '3',
      '--protocol',
      'mixed',
      '--sessions',
      '1',
      '--session-duration',
      '1.5',
      '--meter-interval',
      '0.25',
      '--ramp',
      '0',
      '--progress-interval',
      '0.5',
      '--state-dir',
      dir,
      ...FAST_BACKOFF,
      '--json',
    ];
    const doomed = startCli(args);
    await eventually('every session charging', () =>
      ledger.running.length === 3 ? true : undefined,
    );
    // The CSMS goes away: the sessions end offline, their stops wait in the journals ...
    ledger.downAt = new Date().toISOString();
    await first.csms.close(1001, 'CSMS going down');
    await eventually('every stop kept', () =>
      /\(3 stops kept\)/.test(doomed.output().stderr) ? true : undefined,
    );
    // ... and the simulator dies with them owed.
    doomed.child.kill('SIGKILL');
    await once(doomed.child, 'exit');
    expect(readdirSync(dir).sort()).toEqual([
      'SIM-0001.journal',
      'SIM-0002.journal',
      'SIM-0003.journal',
    ]);
    const owed = ledger.running.map((t) => t.identity).sort();
    expect(owed).toEqual(['SIM-0001', 'SIM-0002', 'SIM-0003']);

    // The CSMS is back; the simulator runs again on the same dir: it delivers what the killed
    // one kept (meter values of the outage, then the stops), then runs its own sessions.
    ledger.upAt = new Date().toISOString();
    const second = await startCsms(ledger, first.port);
    expect(second.port).toBe(first.port);
    const again = startCli(args);
    const code = await exitOf(again, 20_000);
    const report = JSON.parse(again.output().stdout) as Report;
    expect(report.problems).toEqual([]);
    expect(code).toBe(0);
    expect(ledger.txs.size).toBe(6);
    expect(ledger.running).toEqual([]);
    expect([...ledger.txs.values()].every((t) => t.ended === 1)).toBe(true);
    expect(ledger.strayStops).toEqual([]);
    const before = [...ledger.txs.values()].slice(0, 3);
    expect(before.every((t) => t.offlineUpdates >= 1)).toBe(true);
  }, 40_000);
});

describe('ocpp simulate: the first connection', () => {
  it('a station that never connected gives up after --connect-attempts, each retry after the back-off', async () => {
    const ledger = new Ledger();
    const attempts: number[] = [];
    // SIM-0002 is unknown to this CSMS; the others are welcome.
    const csms = await startCsms(ledger, 0, ({ identity }) => {
      if (identity !== 'SIM-0002') return true;
      attempts.push(Date.now());
      throw new WsTransportError('HANDSHAKE_REJECTED', 'unknown station', { status: 404 });
    });
    const r = await runCli(
      [
        'simulate',
        '--url',
        csms.url,
        '--stations',
        '3',
        '--scenario',
        'boot-only',
        '--connect-attempts',
        '4',
        '--retry-backoff-wait-minimum',
        '0.3',
        '--retry-backoff-random-range',
        '0',
        '--retry-backoff-repeat-times',
        '1',
        '--json',
      ],
      { timeoutMs: 20_000 },
    );
    const report = JSON.parse(r.stdout) as Report;
    expect(r.code).toBe(1);
    expect(report.result.stations).toMatchObject({
      connected: 2,
      failed: 1,
      disconnectedAtEnd: 0,
      failures: { 'HTTP 404 not found: unknown station or wrong path': 4 },
    });
    expect(report.problems).toEqual([
      '1 station(s) never connected (HTTP 404 not found: unknown station or wrong path)',
    ]);
    // Exactly four attempts, 0.3 s, then 0.6 s twice apart (doubled once, then kept).
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(290);
    expect(gaps[1]).toBeGreaterThanOrEqual(590);
    expect(gaps[2]).toBeGreaterThanOrEqual(590);
    expect(ledger.connects.get('SIM-0002')).toBeUndefined();
  }, 30_000);
});
