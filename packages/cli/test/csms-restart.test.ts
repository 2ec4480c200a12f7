import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGenericStation, type GenericStation } from '@ocpp/generic-api';
import { Outbox } from '@ocpp/outbox';
import { silentLogger } from '@ocpp/rpc';
import { isOcppSdkError } from '@ocpp/runtime';
import { createWsClient } from '@ocpp/transport-ws';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from './helpers/cli.js';

const PER_VERSION = 3;
const UPDATES = 12;
/** `ocpp csms` is killed once it has answered this many meter value messages (all stations). */
const KILL_AFTER = Math.floor((2 * PER_VERSION * UPDATES) / 3);
/** Answers the CSMS sends that never reach the stations, just before the kill. */
const SWALLOWED = 3;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Version = 'ocpp1.6' | 'ocpp2.0.1';

/** A station in this process whose session queue is an outbox (in memory: this process lives). */
interface TestStation {
  readonly identity: string;
  readonly version: Version;
  readonly station: GenericStation;
  readonly outbox: Outbox;
}

function stationFor(url: string, version: Version, identity: string): TestStation {
  const outbox = new Outbox({
    version: version === 'ocpp1.6' ? '1.6' : '2.0.1',
    retryIntervalMs: 50,
  });
  const station = createGenericStation({
    protocol: version,
    identity,
    transport: createWsClient({
      url,
      identity,
      protocols: [version],
      pingIntervalSeconds: 0,
      backoff: { waitMinimumSeconds: 0.05, randomRangeSeconds: 0.05, repeatTimes: 1 },
    }),
    session: { logger: silentLogger, queue: outbox, callTimeoutMs: 300 },
  });
  cleanups.push(() => station.close());
  return { identity, version, station, outbox };
}

/** Runs `call`; a call the outbox kept for later (the CSMS is down) is not a failure. */
async function handedOver<T>(call: () => Promise<T>): Promise<T | 'kept'> {
  try {
    const r = await call();
    return (r as { kept?: true } | undefined)?.kept === true ? 'kept' : r;
  } catch (e) {
    if (isOcppSdkError(e) && e.code === 'KEPT') return 'kept';
    throw e;
  }
}

/** Resolves once every kept message of `s` has been answered. */
function drained(s: TestStation): Promise<void> {
  return new Promise((resolve) => {
    if (s.outbox.kept === 0) return resolve();
    const off = s.outbox.on('delivered', () => {
      if (s.outbox.kept > 0) return;
      off();
      resolve();
    });
  });
}

/**
 * A TCP relay on loopback between the stations and the CSMS's port, which can stop passing on
 * what the CSMS sends: its answers are then lost, as when a crash cuts them off after the
 * CSMS recorded what they answer.
 */
async function relayTo(port: string) {
  const sockets = new Set<Socket>();
  let swallowing = false;
  let swallowed = 0;
  let onSwallowed = () => {};
  const server = createServer((station) => {
    const csms = connect(Number(port), '127.0.0.1');
    sockets.add(station).add(csms);
    const end = () => {
      station.destroy();
      csms.destroy();
      sockets.delete(station);
      sockets.delete(csms);
    };
    for (const s of [station, csms]) s.on('close', end).on('error', end);
    station.on('data', (d) => csms.write(d));
    csms.on('data', (d) => {
      if (!swallowing) station.write(d);
      // Server frames are not masked: a CALLRESULT shows as its text.
      else if (d.includes('[3,"')) {
        swallowed++;
        onSwallowed();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    /** From now on answers are lost; `then` runs once `count` of them were. */
    swallow(count: number, then: () => void) {
      swallowing = true;
      onSwallowed = () => {
        if (swallowed !== count) return;
        swallowing = false;
        then();
      };
    },
    get swallowed() {
      return swallowed;
    },
  };
}

/** The meter reading of update `u` of a station: a register value no other update has. */
const wh = (station: number, u: number) => station * 100_000 + u * 100;

describe('kill -9 of ocpp csms mid-session, restarted on the same --db', () => {
  it('loses nothing: every transaction completes, every reading once, 1.6 ids go on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csms-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, 'csms.db');
    const first = await startTestCsms(['--db', db, '--quiet']);
    const port = new URL(first.url).port;
    const relay = await relayTo(port);
    const stations = [
      ...Array.from({ length: PER_VERSION }, (_, i) =>
        stationFor(relay.url, 'ocpp1.6', `R16-${i}`),
      ),
      ...Array.from({ length: PER_VERSION }, (_, i) =>
        stationFor(relay.url, 'ocpp2.0.1', `R201-${i}`),
      ),
    ];
    await Promise.all(stations.map((s) => s.station.start()));
    await Promise.all(stations.map((s) => s.station.boot({ vendorName: 'V', model: 'M' })));

    // Every session starts while the CSMS is up: the 1.6 ids given before the kill.
    const idToken = { idToken: 'TAG', type: 'ISO14443' } as const;
    const txOf = await Promise.all(
      stations.map(async (s, i) => {
        const r = await s.station.startTransaction({
          ...(s.version === 'ocpp1.6' ? {} : { transactionId: `TX-${s.identity}` }),
          evseId: 1,
          idToken,
          meterStart: wh(i, 0),
        });
        return r.transactionId;
      }),
    );
    const idsBefore = txOf.filter((_, i) => stations[i]!.version === 'ocpp1.6').map(Number);

    // The sessions go on at full speed. Once the CSMS has answered KILL_AFTER meter values, its
    // answers stop reaching the stations; once it has sent SWALLOWED more (each only after its
    // commit), it is killed (SIGKILL, by its pid), other messages in flight. The messages whose
    // answers were lost are sent again: after the restart they must not count twice.
    let answered = 0;
    let keptWhileDown = 0;
    const killed = new Promise<void>((resolve) => first.child.once('exit', () => resolve()));
    const kill = () =>
      relay.swallow(SWALLOWED, () => process.kill(first.child.pid as number, 'SIGKILL'));
    const sessions = stations.map(async (s, i) => {
      for (let u = 1; u <= UPDATES; u++) {
        const r = await handedOver(() =>
          s.station.updateTransaction({
            transactionId: txOf[i]!,
            meterValue: [
              {
                timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, u)).toISOString(),
                sampledValue: [{ value: wh(i, u), measurand: 'Energy.Active.Import.Register' }],
              },
            ],
          }),
        );
        if (r === 'kept') keptWhileDown++;
        else if (++answered === KILL_AFTER) kill();
      }
      await handedOver(() =>
        s.station.stopTransaction({
          transactionId: txOf[i]!,
          meterStop: wh(i, UPDATES + 1),
          timestamp: new Date(Date.UTC(2026, 0, 1, 0, 1)).toISOString(),
          stoppedReason: 'Local',
        }),
      );
    });
    await killed;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(relay.swallowed).toBe(SWALLOWED);
    // The rest of every session happens while the CSMS is down: its messages wait in the outboxes.
    await Promise.all(sessions);
    expect(keptWhileDown).toBeGreaterThan(0);

    // Back on the same database and port: the stations reconnect and their outboxes deliver.
    const second = await startTestCsms(['--db', db, '--port', port, '--quiet']);
    expect(second.output().stdout).toMatch(
      /database: .*\(restored 6 stations, 6 transactions; last 1\.6 transaction id \d+\)/,
    );
    await Promise.all(stations.map(drained));

    // New 1.6 sessions after the restart get ids that go on from those given before.
    const idsAfter: number[] = [];
    for (const [i, s] of stations.entries()) {
      if (s.version !== 'ocpp1.6') continue;
      const r = await s.station.startTransaction({ evseId: 1, idToken, meterStart: wh(i, 50) });
      idsAfter.push(Number(r.transactionId));
      await s.station.stopTransaction({ transactionId: r.transactionId, meterStop: wh(i, 51) });
    }
    expect(Math.min(...idsAfter)).toBeGreaterThan(Math.max(...idsBefore));
    expect(new Set([...idsBefore, ...idsAfter]).size).toBe(idsBefore.length + idsAfter.length);

    // The admin API: every transaction there, none open.
    const { body: all } = await second.api('/api/transactions');
    expect(all).toHaveLength(2 * PER_VERSION + PER_VERSION);
    expect(all.filter((t: { active: boolean }) => t.active)).toEqual([]);
    await expectDatabase(db, stations, txOf, second);
  }, 60_000);
});

/** Checks the database itself: each session's readings are there, each exactly once. */
async function expectDatabase(
  file: string,
  stations: readonly TestStation[],
  txOf: readonly string[],
  csms: TestCsms,
): Promise<void> {
  // A second connection reads what the running CSMS committed (WAL lets it).
  const db = new Database(file, { readonly: true });
  try {
    const transaction = db.prepare('SELECT * FROM transactions WHERE identity = ? AND id = ?');
    const readings = db.prepare(
      "SELECT value FROM readings WHERE txn = ? AND measurand = 'Energy.Active.Import.Register' ORDER BY value",
    );
    for (const [i, s] of stations.entries()) {
      const t = transaction.get(s.identity, txOf[i]) as Record<string, unknown> | undefined;
      expect(t, s.identity).toBeDefined();
      expect(t!.active, s.identity).toBe(0);
      expect(t!.energy_wh, s.identity).toBe(wh(i, UPDATES + 1) - wh(i, 0));
      const values = (readings.all(t!.seq) as { value: number }[]).map((r) => r.value);
      const updates = Array.from({ length: UPDATES }, (_, u) => wh(i, u + 1));
      // 2.0.1 sends the start and stop registers as readings too (Transaction.Begin / End).
      const expected =
        s.version === 'ocpp1.6' ? updates : [wh(i, 0), ...updates, wh(i, UPDATES + 1)];
      expect(values, s.identity).toEqual(expected);
      // Counted once per message, a resend after the restart included.
      expect(t!.meter_value_count, s.identity).toBe(
        s.version === 'ocpp1.6' ? UPDATES : UPDATES + 2,
      );
    }
    const open = db.prepare('SELECT count(*) FROM transactions WHERE active = 1').pluck().get();
    expect(open).toBe(0);
    const last = db
      .prepare("SELECT value FROM meta WHERE key = 'lastTransactionId16'")
      .pluck()
      .get() as number;
    const { body: info } = await csms.api('/api');
    expect(info.db).toBe(file);
    expect(last).toBeGreaterThanOrEqual(2 * PER_VERSION);
  } finally {
    db.close();
  }
}
