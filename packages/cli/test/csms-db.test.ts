import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CsmsDatabase } from '../src/csms/db.js';
import { type CsmsLimits, type RunningCsms, startCsms } from '../src/csms/server.js';
import { CsmsStore } from '../src/csms/store.js';
import { BIN } from './helpers/cli.js';
import { BOOT_16, connectStation } from './helpers/station.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'csms-db-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `startCsms` in this process on `db`, on loopback, silent; closed after the test. */
async function start(db: string, limits: CsmsLimits = {}, port = 0): Promise<RunningCsms> {
  const csms = await startCsms({
    host: '127.0.0.1',
    port,
    adminPort: 0,
    protocols: ['ocpp2.0.1', 'ocpp1.6'],
    heartbeatIntervalSeconds: 300,
    callTimeoutMs: 5000,
    db,
    limits,
    log: { connected() {}, disconnected() {}, frame() {}, refused() {} },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  let closed = false;
  cleanups.push(() => (closed ? undefined : csms.close()));
  return {
    ...csms,
    close: async () => {
      closed = true;
      await csms.close();
    },
  };
}

async function connect(csms: RunningCsms, identity: string, protocol: string) {
  const s = await connectStation(csms.url, identity, protocol);
  cleanups.push(() => s.close());
  return s;
}

const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const start16 = { connectorId: 1, idTag: 'TAG', meterStart: 1000, timestamp: at(0) };
const meter16 = (transactionId: number, s: number, wh: number) => ({
  connectorId: 1,
  transactionId,
  meterValue: [
    {
      timestamp: at(s),
      sampledValue: [
        { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: '7400', measurand: 'Power.Active.Import', unit: 'W' },
      ],
    },
  ],
});
const event201 = (seqNo: number, eventType: string, s: number, wh: number) => ({
  eventType,
  timestamp: at(s),
  triggerReason: eventType === 'Started' ? 'Authorized' : 'MeterValuePeriodic',
  seqNo,
  transactionInfo: { transactionId: 'TX-B' },
  evse: { id: 1, connectorId: 1 },
  ...(eventType === 'Started' ? { idToken: { idToken: 'TAG', type: 'ISO14443' } } : {}),
  meterValue: [
    {
      timestamp: at(s),
      sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }],
    },
  ],
});

/** Rows of the database file, read through a connection of its own. */
function rows(file: string, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe('ocpp csms --db: a restart on the same file', () => {
  it('finds the stations, transactions, readings and 1.6 ids it had, and counts resends once', async () => {
    const file = join(tempDir(), 'csms.db');
    const first = await start(file);
    const a = await connect(first, 'A', 'ocpp1.6');
    await a.call('BootNotification', BOOT_16);
    await a.call('StatusNotification', {
      connectorId: 1,
      status: 'Charging',
      errorCode: 'NoError',
    });
    const tx1 = ((await a.call('StartTransaction', start16)) as { transactionId: number })
      .transactionId;
    await a.call('MeterValues', meter16(tx1, 10, 1500));
    await a.call('StopTransaction', { transactionId: tx1, meterStop: 2000, timestamp: at(20) });
    const tx2 = (
      (await a.call('StartTransaction', { ...start16, meterStart: 2000, timestamp: at(30) })) as {
        transactionId: number;
      }
    ).transactionId;
    await a.call('MeterValues', meter16(tx2, 40, 2600));
    const b = await connect(first, 'B', 'ocpp2.0.1');
    await b.call('TransactionEvent', event201(0, 'Started', 0, 0));
    await b.call('TransactionEvent', event201(1, 'Updated', 10, 400));
    expect([tx1, tx2]).toEqual([1, 2]);
    await a.close();
    await b.close();
    await first.close();

    const second = await start(file);
    expect(second.db).toBe(file);
    expect(second.restored).toEqual({ stations: 2, transactions: 3, lastTransactionId: 2 });
    const stationA = second.store.station('A');
    expect(stationA).toMatchObject({
      protocol: 'ocpp1.6',
      connected: false,
      boot: { vendor: BOOT_16.chargePointVendor, model: BOOT_16.chargePointModel },
      connectors: [{ evseId: 1, connectorId: 1, status: 'Occupied', status16: 'Charging' }],
    });
    expect(stationA?.disconnectedAt).toBeDefined();
    const ended = second.store.transaction('A', String(tx1));
    expect(ended).toMatchObject({ active: false, meterStartWh: 1000, energyWh: 1000 });
    const open = second.store.transaction('A', String(tx2));
    expect(open).toMatchObject({
      active: true,
      stationConnected: false,
      energyWh: 600,
      powerW: 7400,
    });
    expect(open?.readings.map((r) => r.value)).toEqual([2600, 7400]);
    expect(second.store.transaction('B', 'TX-B')).toMatchObject({ active: true, energyWh: 400 });

    // The stations come back and send again what a restart could have cut off the answer of.
    const a2 = await connect(second, 'A', 'ocpp1.6');
    const b2 = await connect(second, 'B', 'ocpp2.0.1');
    await a2.call('MeterValues', meter16(tx2, 40, 2600));
    await b2.call('TransactionEvent', event201(1, 'Updated', 10, 400));
    const again = (await a2.call('StartTransaction', {
      ...start16,
      meterStart: 2000,
      timestamp: at(30),
    })) as { transactionId: number };
    expect(again.transactionId).toBe(tx2);
    expect(second.store.transaction('A', String(tx2))).toMatchObject({ meterValueCount: 1 });
    expect(second.store.transaction('B', 'TX-B')).toMatchObject({ meterValueCount: 2 });
    // A new 1.6 transaction: the id goes on.
    const tx3 = (
      (await a2.call('StartTransaction', { ...start16, timestamp: at(50) })) as {
        transactionId: number;
      }
    ).transactionId;
    expect(tx3).toBeGreaterThan(tx2);
    await a2.call('StopTransaction', { transactionId: tx2, meterStop: 3000, timestamp: at(60) });

    const readings = rows(
      file,
      'SELECT t.identity, t.id, r.value FROM readings r JOIN transactions t ON t.seq = r.txn ORDER BY r.id',
    );
    expect(readings).toEqual([
      { identity: 'A', id: String(tx1), value: 1500 },
      { identity: 'A', id: String(tx1), value: 7400 },
      { identity: 'A', id: String(tx2), value: 2600 },
      { identity: 'A', id: String(tx2), value: 7400 },
      { identity: 'B', id: 'TX-B', value: 0 },
      { identity: 'B', id: 'TX-B', value: 400 },
    ]);
    expect(rows(file, 'SELECT id, active FROM transactions ORDER BY seq')).toEqual([
      { id: String(tx1), active: 0 },
      { id: String(tx2), active: 0 },
      { id: 'TX-B', active: 1 },
      { id: String(tx3), active: 1 },
    ]);
    expect(rows(file, "SELECT value FROM meta WHERE key = 'lastTransactionId16'")).toEqual([
      { value: tx3 },
    ]);
  });

  it('keeps the database within the limits: finished transactions, readings, forgotten stations', () => {
    const file = join(tempDir(), 'csms.db');
    let now = T0;
    const db = CsmsDatabase.open(file, { maxStoredReadings: 5 });
    cleanups.push(() => db.close());
    const store = new CsmsStore(
      { maxFinishedTransactions: 2, stationTtlMs: 1000, maxStoredReadings: 5 },
      () => now,
      db,
    );
    store.connected('S', 'ocpp1.6');
    for (let i = 1; i <= 4; i++) {
      store.transactionStarted('S', 'ocpp1.6', String(i), { evseId: 1, time: at(i) });
      store.meterValues(
        'S',
        String(i),
        [1, 2, 3].map((k) => ({ time: at(i * 10 + k), measurand: 'SoC', value: k })),
      );
      store.transactionStopped('S', String(i), {});
    }
    db.commit();
    expect(rows(file, 'SELECT id FROM transactions ORDER BY seq')).toEqual([
      { id: '3' },
      { id: '4' },
    ]);
    // The oldest readings went first: at most 5, the newest kept.
    expect(rows(file, 'SELECT count(*) AS n FROM readings')).toEqual([{ n: 5 }]);
    expect(rows(file, 'SELECT time FROM readings ORDER BY id DESC LIMIT 1')).toEqual([
      { time: at(43) },
    ]);

    store.disconnected('S');
    now += 1000;
    expect(store.stations()).toEqual([]);
    db.commit();
    expect(rows(file, 'SELECT count(*) AS n FROM stations')).toEqual([{ n: 0 }]);
    expect(rows(file, 'SELECT count(*) AS n FROM transactions')).toEqual([{ n: 0 }]);
    expect(rows(file, 'SELECT count(*) AS n FROM readings')).toEqual([{ n: 0 }]);
    expect(rows(file, "SELECT value FROM meta WHERE key = 'forgottenStations'")).toEqual([
      { value: 1 },
    ]);
  });

  it('applies lower limits of the next run to what the database had', () => {
    const file = join(tempDir(), 'csms.db');
    const db = CsmsDatabase.open(file);
    const store = new CsmsStore({}, Date.now, db);
    store.connected('S', 'ocpp1.6');
    for (let i = 1; i <= 5; i++) {
      store.transactionStarted('S', 'ocpp1.6', String(i), { time: at(i) });
      if (i <= 3) store.transactionStopped('S', String(i), {});
    }
    db.close();
    const again = CsmsDatabase.open(file);
    cleanups.push(() => again.close());
    const smaller = new CsmsStore(
      { maxFinishedTransactions: 1, maxOpenTransactionsPerStation: 1 },
      Date.now,
      again,
    );
    expect(smaller.transactions().map((t) => t.id)).toEqual(['5', '3']);
    again.commit();
    expect(rows(file, 'SELECT id FROM transactions ORDER BY seq')).toEqual([
      { id: '3' },
      { id: '5' },
    ]);
  });
});

describe('the database schema', () => {
  it('a schema-1 database gets the provisioning column, and provisioning survives a restart', () => {
    const file = join(tempDir(), 'old.db');
    const old = new Database(file);
    // The stations table as schema 1 wrote it, with one station.
    old.exec(`CREATE TABLE stations (
      identity TEXT PRIMARY KEY, protocol TEXT NOT NULL, connected_at TEXT NOT NULL,
      disconnected_at TEXT, remote_address TEXT, boot TEXT, last_heartbeat TEXT,
      connectors TEXT NOT NULL, frames_in INTEGER NOT NULL, frames_out INTEGER NOT NULL,
      dropped_transactions INTEGER) WITHOUT ROWID`);
    old
      .prepare(
        `INSERT INTO stations VALUES ('OLD', 'ocpp2.0.1', '${at(1)}', '${at(2)}', NULL, NULL, NULL, '[]', 0, 0, NULL)`,
      )
      .run();
    old.pragma('user_version = 1');
    old.close();
    const db = CsmsDatabase.open(file);
    const store = new CsmsStore({}, Date.now, db);
    expect(store.station('OLD')?.provisioning).toBeUndefined();
    store.connected('OLD', 'ocpp2.0.1');
    store.provisioned('OLD', (p) => {
      p.deviceModel = {
        at: at(3),
        variables: 1,
        values: { 'OCPPCommCtrlr.HeartbeatInterval': '60' },
      };
    });
    db.close();
    const again = CsmsDatabase.open(file);
    cleanups.push(() => again.close());
    const restored = new CsmsStore({}, Date.now, again);
    expect(restored.station('OLD')?.provisioning?.deviceModel?.values).toEqual({
      'OCPPCommCtrlr.HeartbeatInterval': '60',
    });
    expect(rows(file, 'PRAGMA user_version')).toEqual([{ user_version: 3 }]);
  });

  it('a schema-2 database gets the last_seen column, and last seen survives a restart', () => {
    const file = join(tempDir(), 'two.db');
    const recent = new Date().toISOString();
    const old = new Database(file);
    // The stations table as schema 2 wrote it, with one station.
    old.exec(`CREATE TABLE stations (
      identity TEXT PRIMARY KEY, protocol TEXT NOT NULL, connected_at TEXT NOT NULL,
      disconnected_at TEXT, remote_address TEXT, boot TEXT, last_heartbeat TEXT,
      connectors TEXT NOT NULL, frames_in INTEGER NOT NULL, frames_out INTEGER NOT NULL,
      dropped_transactions INTEGER, provisioning TEXT) WITHOUT ROWID`);
    old
      .prepare(
        `INSERT INTO stations VALUES ('TWO', 'ocpp1.6', '${recent}', '${recent}', NULL, NULL, '${recent}', '[]', 3, 3, NULL, NULL)`,
      )
      .run();
    old.pragma('user_version = 2');
    old.close();
    const db = CsmsDatabase.open(file);
    const store = new CsmsStore({}, Date.now, db);
    expect(store.station('TWO')).toMatchObject({ lastHeartbeat: recent, frames: { in: 3 } });
    expect(store.station('TWO')?.lastSeen).toBeUndefined();
    store.connected('TWO', 'ocpp1.6');
    store.frame('TWO', 'ocpp1.6', 'station', '[2,"1","DataTransfer",{"vendorId":"x"}]');
    const seen = store.station('TWO')?.lastSeen;
    store.disconnected('TWO');
    db.close();
    expect(rows(file, 'PRAGMA user_version')).toEqual([{ user_version: 3 }]);
    const again = CsmsDatabase.open(file);
    cleanups.push(() => again.close());
    expect(new CsmsStore({}, Date.now, again).station('TWO')?.lastSeen).toBe(seen);
  });
});

describe('ocpp csms --db: the file', () => {
  it('refuses a file that is not a database, or in a directory that does not exist', async () => {
    const dir = tempDir();
    const notDb = join(dir, 'not.db');
    writeFileSync(notDb, 'x'.repeat(4096));
    await expect(start(notDb)).rejects.toThrow(/cannot use .*not\.db as the database/);
    await expect(start(join(dir, 'missing', 'csms.db'))).rejects.toThrow(
      /cannot use .*csms\.db as the database/,
    );
  });

  it(':memory: writes no file', async () => {
    const csms = await start(':memory:');
    expect(csms.db).toBeUndefined();
    expect(csms.restored).toEqual({ stations: 0, transactions: 0, lastTransactionId: 0 });
  });

  it('by default is ocpp-csms.db in the working directory', async () => {
    const dir = join(tempDir(), 'work');
    mkdirSync(dir);
    const child = spawn(process.execPath, [BIN, 'csms', '--port', '0', '--admin-port', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const printed = new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('database: ')) resolve();
      });
      child.once('exit', () => reject(new Error(`ocpp csms exited: ${out}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await printed;
    expect(out).toContain(`database: ${join(dir, 'ocpp-csms.db')} (nothing to restore)`);
    expect(existsSync(join(dir, 'ocpp-csms.db'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Closed cleanly: the WAL was checkpointed into the file and removed.
    expect(existsSync(join(dir, 'ocpp-csms.db-wal'))).toBe(false);
  });
});
