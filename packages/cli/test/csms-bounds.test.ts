import { connect as connectTcp } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type CsmsLimits, type RunningCsms, startCsms } from '../src/csms/server.js';
import { CsmsStore } from '../src/csms/store.js';
import { eventually, startTestCsms } from './helpers/cli.js';
import { BOOT_16, connectStation } from './helpers/station.js';

const running: RunningCsms[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.close()));
});

/** `startCsms` in this process (so a test can give it small limits), on loopback, silent. */
async function start(limits: CsmsLimits): Promise<RunningCsms> {
  const csms = await startCsms({
    host: '127.0.0.1',
    port: 0,
    adminPort: 0,
    protocols: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'],
    heartbeatIntervalSeconds: 300,
    callTimeoutMs: 5000,
    limits,
    log: { connected() {}, disconnected() {}, frame() {}, refused() {} },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  running.push(csms);
  return csms;
}

// biome-ignore lint/suspicious/noExplicitAny: test code reads the JSON it asserts on
async function api(csms: RunningCsms, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, csms.adminUrl), {
    headers: { Authorization: `Bearer ${csms.adminToken}` },
  });
  return { status: res.status, body: await res.json() };
}

/** A StartTransaction; distinct starts differ in `meterStart` (a repeat is taken as a resend). */
const startTx = (connectorId: number, meterStart = 0) => ({
  connectorId,
  idTag: 'TAG',
  meterStart,
  timestamp: new Date().toISOString(),
});

describe('the ocpp csms store stays bounded', () => {
  it('forgets stations that come and go under ever new identities, with their transactions', async () => {
    const csms = await start({ maxDisconnectedStations: 50, stationTtlMs: 3_600_000 });
    const identities = 3000;
    let next = 0;
    // 25 at a time, each: connect, boot, start a transaction it never ends, go away.
    const worker = async () => {
      for (let i = next++; i < identities; i = next++) {
        const station = await connectStation(csms.url, `CHURN-${i}-${'x'.repeat(40)}`);
        await station.call('BootNotification', BOOT_16);
        await station.call('StartTransaction', startTx(1));
        await station.close();
      }
    };
    await Promise.all(Array.from({ length: 25 }, worker));
    const counts = await eventually('every churned station disconnected', () => {
      const c = csms.store.counts();
      return c.connected === 0 ? c : undefined;
    });
    expect(counts.stations).toBe(50);
    expect(counts.transactions).toBe(50);
    expect(counts.forgottenStations).toBe(identities - 50);
    const { body } = await api(csms, '/api/stations');
    expect(body).toHaveLength(50);
    // The ones kept are the last to leave (least recently disconnected go first).
    expect(body.every((s: { identity: string }) => Number(s.identity.split('-')[1]) >= 2900)).toBe(
      true,
    );
  }, 60_000);

  it('forgets a disconnected station once its time is up, but never a connected one', async () => {
    const csms = await start({ stationTtlMs: 150 });
    const staying = await connectStation(csms.url, 'STAYS');
    const leaving = await connectStation(csms.url, 'LEAVES');
    await leaving.call('BootNotification', BOOT_16);
    await leaving.call('StartTransaction', startTx(1));
    await leaving.close();
    await eventually('the station gone from the API', async () =>
      (await api(csms, '/api/stations/LEAVES')).status === 404 ? true : undefined,
    );
    expect((await api(csms, '/api/transactions')).body).toEqual([]);
    expect(
      (await api(csms, '/api/stations')).body.map((s: { identity: string }) => s.identity),
    ).toEqual(['STAYS']);
    await staying.close();
  });

  it('keeps a bounded number of open transactions per station, the newest, and says how many it dropped', async () => {
    const csms = await start({ maxOpenTransactionsPerStation: 8 });
    const station = await connectStation(csms.url, 'MANY-TX');
    await station.call('BootNotification', BOOT_16);
    const ids: number[] = [];
    for (let i = 0; i < 50; i++) {
      const answer = (await station.call('StartTransaction', startTx(1 + (i % 4), i))) as {
        transactionId: number;
      };
      ids.push(answer.transactionId);
    }
    const { body: txs } = await api(csms, '/api/transactions?station=MANY-TX');
    expect(txs).toHaveLength(8);
    expect(
      txs.map((t: { id: string }) => Number(t.id)).sort((a: number, b: number) => a - b),
    ).toEqual(ids.slice(-8));
    const { body: s } = await api(csms, '/api/stations/MANY-TX');
    expect(s.droppedTransactions).toBe(42);
    expect(s.transactions).toHaveLength(8);
    expect((await api(csms, '/api')).body).toMatchObject({
      active: 8,
      droppedTransactions: 42,
      limits: { maxOpenTransactionsPerStation: 8 },
    });
    // A stop for a dropped transaction is answered and drops no other open one.
    await station.call('StopTransaction', {
      transactionId: ids[0],
      meterStop: 10,
      timestamp: new Date().toISOString(),
    });
    expect((await api(csms, '/api/transactions?station=MANY-TX&active=true')).body).toHaveLength(8);
    await station.close();
  });

  it('cuts a list to ?limit= and to its bound, with the total in X-Total-Count', async () => {
    const csms = await start({ maxListItems: 5 });
    const stations = await Promise.all(
      Array.from({ length: 7 }, (_, i) => connectStation(csms.url, `LIST-${i}`)),
    );
    await eventually('seven stations', () =>
      csms.store.counts().connected === 7 ? true : undefined,
    );
    const res = await fetch(new URL('/api/stations?limit=3', csms.adminUrl), {
      headers: { Authorization: `Bearer ${csms.adminToken}` },
    });
    expect(res.headers.get('x-total-count')).toBe('7');
    expect(await res.json()).toHaveLength(3);
    expect((await api(csms, '/api/stations')).body).toHaveLength(5);
    expect((await api(csms, '/api/stations?limit=500')).body).toHaveLength(5);
    // Pages: ?offset= goes on where the last page ended, in the same order.
    const ids = async (path: string) =>
      ((await api(csms, path)).body as { identity: string }[]).map((s) => s.identity);
    expect(await ids('/api/stations?offset=3&limit=3')).toEqual(['LIST-3', 'LIST-4', 'LIST-5']);
    expect(await ids('/api/stations?offset=6')).toEqual(['LIST-6']);
    expect(await ids('/api/stations?offset=9')).toEqual([]);
    // The page's first screen: the first part of each list, with the totals to page in the rest.
    const snapshot = (await api(csms, '/api/snapshot')).body;
    expect(snapshot.totals).toEqual({ stations: 7, transactions: 0 });
    expect(snapshot.stations).toHaveLength(5);
    expect(snapshot.connections.map((c: { event: string }) => c.event)).toEqual(
      Array(7).fill('connected'),
    );
    await Promise.all(stations.map((s) => s.close()));
  });

  it('drops a live-feed client that stops reading instead of queueing for it', async () => {
    const csms = await start({ feedStallMs: 300 });
    const port = new URL(csms.adminUrl).port;
    const socket = connectTcp(Number(port), '127.0.0.1');
    let received = 0;
    const firstData = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.on('data', (d: Buffer) => {
      received += d.length;
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.write(
      `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${csms.adminToken}\r\n\r\n`,
    );
    await firstData;
    expect(csms.store.listenerCount).toBe(1);
    socket.pause();

    // Frames keep coming (64 KiB each); the client reads none of them.
    const text = `[2,"x","DataTransfer",{"vendorId":"v","data":"${'A'.repeat(64 * 1024 - 60)}"}]`;
    let produced = 0;
    for (let round = 0; round < 2000 && csms.store.listenerCount > 0; round++) {
      for (let i = 0; i < 16; i++) {
        csms.store.frame('FEED', 'ocpp1.6', 'station', text);
        produced += text.length;
      }
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(csms.store.listenerCount).toBe(0);
    socket.resume();
    await closed;
    // What reached the client is what the sockets could buffer, not what was produced.
    expect(produced).toBeGreaterThan(4 * received);
    expect(received).toBeLessThan(40 * 1024 * 1024);
  }, 60_000);
});

describe('the ocpp csms frame log', () => {
  it('keeps GET /api/frames within its byte bound when stations send megabyte frames', async () => {
    const csms = await startTestCsms(['--quiet']);
    const station = await connectStation(csms.url, 'BIG-FRAMES');
    await station.call('BootNotification', BOOT_16);
    const data = 'B'.repeat(900 * 1024);
    for (let i = 0; i < 30; i++) await station.call('DataTransfer', { vendorId: 'big', data });
    const res = await fetch(new URL('/api/frames?limit=500', csms.adminUrl), {
      headers: { Authorization: `Bearer ${csms.adminToken}` },
    });
    const text = await res.text();
    // 4 MiB of frame text at most, plus the JSON around each entry.
    expect(Buffer.byteLength(text)).toBeLessThan(4 * 1024 * 1024 + 500 * 300);
    const frames = JSON.parse(text) as { frame: string }[];
    const big = frames.filter((f) => f.frame.includes('"DataTransfer"'));
    expect(big.length).toBeGreaterThan(10);
    for (const f of big) {
      expect(Buffer.byteLength(f.frame)).toBeLessThanOrEqual(64 * 1024);
      expect(f.frame).toMatch(/ … \[cut: \d+ bytes in all\]$/);
    }
    // The newest frames are the ones kept.
    expect(frames.at(-1)!.frame).toContain('UnknownVendorId');
    await station.close();
  }, 60_000);
});

describe('CsmsStore', () => {
  it('forgets by time and by count, least recently disconnected first; a reconnect is kept', () => {
    let now = 0;
    const store = new CsmsStore({ stationTtlMs: 1000, maxDisconnectedStations: 2 }, () => now);
    for (const id of ['A', 'B', 'C']) store.connected(id, 'ocpp1.6');
    store.disconnected('A');
    now = 10;
    store.disconnected('B');
    store.connected('A', 'ocpp1.6');
    now = 20;
    store.disconnected('C');
    now = 30;
    store.disconnected('A');
    expect(store.stations().map((s) => s.identity)).toEqual(['A', 'C']);
    now = 1025;
    expect(store.stations().map((s) => s.identity)).toEqual(['A']);
    now = 1030;
    expect(store.stations()).toEqual([]);
    expect(store.counts()).toMatchObject({ stations: 0, forgottenStations: 3 });
  });

  it('bounds all transactions together: finished first, then those of stations that left, then the oldest', () => {
    const store = new CsmsStore({ maxTransactions: 5 });
    for (const id of ['A', 'B', 'C']) store.connected(id, 'ocpp1.6');
    const open = (identity: string, id: string) =>
      store.transactionStarted(identity, 'ocpp1.6', id, {});
    for (const id of ['a1', 'a2', 'a3']) open('A', id);
    open('B', 'b1');
    open('B', 'b2');
    store.disconnected('B');
    open('C', 'c1');
    // The store is over by one: the first transaction left open by a station that went away goes.
    expect(
      store
        .transactions()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['a1', 'a2', 'a3', 'b2', 'c1']);
    expect(store.station('B')?.droppedTransactions).toBe(1);
    store.transactionStopped('A', 'a3', {});
    open('C', 'c2');
    expect(
      store
        .transactions()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['a1', 'a2', 'b2', 'c1', 'c2']);
    open('C', 'c3');
    open('C', 'c4');
    // First the one B left open, then, nothing finished and nobody gone, the oldest open one.
    expect(
      store
        .transactions()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['a2', 'c1', 'c2', 'c3', 'c4']);
    expect(store.counts()).toMatchObject({ transactions: 5, active: 5, droppedTransactions: 3 });
  });

  it('names the action of a frame, the answer after its call, and counts calls each way', () => {
    const store = new CsmsStore();
    store.connected('A', 'ocpp1.6', '127.0.0.1');
    store.frame('A', 'ocpp1.6', 'station', '[2,"m1","Heartbeat",{}]');
    store.frame('A', 'ocpp1.6', 'csms', '[2,"m1","Reset",{"type":"Hard"}]');
    store.frame('A', 'ocpp1.6', 'csms', '[3,"m1",{"currentTime":"2026-01-01T00:00:00Z"}]');
    store.frame('A', 'ocpp1.6', 'station', '[4,"m1","NotSupported","",{}]');
    store.frame('A', 'ocpp1.6', 'station', '[3,"unknown",{}]');
    store.frame('A', 'ocpp1.6', 'station', 'not json');
    expect(store.frames().map((f) => [f.kind, f.action])).toEqual([
      ['CALL', 'Heartbeat'],
      ['CALL', 'Reset'],
      ['CALLRESULT', 'Heartbeat'],
      ['CALLERROR', 'Reset'],
      ['CALLRESULT', undefined],
      [undefined, undefined],
    ]);
    expect(store.traffic()).toEqual({ framesIn: 4, framesOut: 2, callsIn: 1, callsOut: 1 });
  });

  it('knows when it last heard from a station, logs its connects and disconnects, sums energy', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = new CsmsStore({}, () => now);
    store.connected('A', 'ocpp1.6', '10.0.0.1');
    expect(store.station('A')?.lastSeen).toBe('2026-01-01T00:00:00.000Z');
    now += 5000;
    store.frame('A', 'ocpp1.6', 'station', '[2,"1","DataTransfer",{"vendorId":"x"}]');
    now += 5000;
    store.frame('A', 'ocpp1.6', 'csms', '[3,"1",{"status":"Accepted"}]');
    expect(store.station('A')?.lastSeen).toBe('2026-01-01T00:00:05.000Z');
    expect(store.station('A')?.lastHeartbeat).toBeUndefined();
    store.disconnected('A', { code: 1001, reason: 'going away' });
    const log = store.connectionLog();
    expect(
      log.map(({ event, remoteAddress, code, reason }) => ({ event, remoteAddress, code, reason })),
    ).toEqual([
      { event: 'connected', remoteAddress: '10.0.0.1', code: undefined, reason: undefined },
      { event: 'disconnected', remoteAddress: undefined, code: 1001, reason: 'going away' },
    ]);
    // One sequence with the frames, so the page sorts them together.
    const seqs = [...store.frames().map((f) => f.seq), ...log.map((e) => e.seq)].sort(
      (a, b) => a - b,
    );
    expect(seqs).toEqual([1, 2, 3, 4]);
    expect(store.connectionLog(10, 'B')).toEqual([]);

    store.connected('A', 'ocpp1.6');
    store.transactionStarted('A', 'ocpp1.6', '1', { meterStartWh: 1000 });
    store.transactionStopped('A', '1', { meterStopWh: 8500 });
    store.transactionStarted('A', 'ocpp1.6', '2', { meterStartWh: 0 });
    store.meterValues('A', '2', [
      {
        time: '2026-01-01T00:01:00Z',
        measurand: 'Energy.Active.Import.Register',
        value: 2.5,
        unit: 'kWh',
      },
      { time: '2026-01-01T00:01:00Z', measurand: 'Power.Active.Import', value: 7400 },
    ]);
    expect(store.energyTotals()).toEqual({
      transactions: 2,
      energyWh: 10_000,
      activeTransactions: 1,
      activeEnergyWh: 2500,
      powerW: 7400,
    });
  });

  it('cuts a frame over the limit and bounds the log by bytes', () => {
    const store = new CsmsStore({ maxFrameBytes: 100, maxFrameLogBytes: 250, maxFrames: 10 });
    for (let i = 0; i < 5; i++) store.frame('A', 'ocpp1.6', 'station', `${i}${'é'.repeat(200)}`);
    const frames = store.frames(10);
    expect(frames.map((f) => f.frame[0])).toEqual(['3', '4']);
    for (const f of frames) {
      expect(Buffer.byteLength(f.frame)).toBeLessThanOrEqual(100);
      expect(f.frame).toMatch(/^\dé+ … \[cut: 401 bytes in all\]$/);
    }
    expect(store.frameLogSize().bytes).toBeLessThanOrEqual(250);
  });
});
