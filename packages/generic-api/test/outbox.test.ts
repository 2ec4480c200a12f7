import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '@ocpp/outbox';
import { FileStore } from '@ocpp/outbox/file';
import { silentLogger } from '@ocpp/rpc';
import { createWsClient, createWsServer } from '@ocpp/transport-ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGenericCsms,
  createGenericStation,
  type GenericCsms,
  type GenericStation,
  type StationTransaction,
  type TransactionEvent,
} from '../src/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A generic 2.0.1 CSMS on `port` (0: a free one) recording every transaction event it handles. */
async function csmsOn(port: number, events: string[]) {
  const listener = createWsServer({ host: '127.0.0.1', port, protocols: ['ocpp2.0.1'] });
  const csms: GenericCsms = createGenericCsms({
    listener,
    logger: silentLogger,
    versions: ['ocpp2.0.1'],
    handlers: {
      onBoot: () => ({ status: 'Accepted', interval: 300 }),
      onTransaction: (e: TransactionEvent) => {
        events.push(`${e.eventType}:${e.seqNo}${e.offline === true ? ':offline' : ''}`);
        return undefined;
      },
    },
  });
  const bound = await listener.listen();
  return { csms, port: bound };
}

/** A generic 2.0.1 station whose session queue is an outbox on the journal `file`. */
function stationOn(
  port: number,
  file: string,
  transactions: Iterable<StationTransaction> = [],
): { station: GenericStation; outbox: Outbox; store: FileStore } {
  const store = new FileStore(file, { sync: 'always' });
  const outbox = new Outbox({ version: '2.0.1', store, retryIntervalMs: 100 });
  const station = createGenericStation({
    protocol: 'ocpp2.0.1',
    identity: 'CS-DURABLE',
    transport: createWsClient({
      url: `ws://127.0.0.1:${port}`,
      identity: 'CS-DURABLE',
      protocols: ['ocpp2.0.1'],
      backoff: { waitMinimumSeconds: 0.05, randomRangeSeconds: 0.05, repeatTimes: 1 },
    }),
    session: { logger: silentLogger, queue: outbox, callTimeoutMs: 300 },
    transactions,
  });
  return { station, outbox, store };
}

/** Resolves once `test()` holds, checking each time the outbox delivers something. */
function delivered(outbox: Outbox, test: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (test()) return resolve();
    const off = outbox.on('delivered', () => {
      if (!test()) return;
      off();
      resolve();
    });
  });
}

describe('a generic station on an outbox', () => {
  it('hands its transaction over while the CSMS is down, and the CSMS gets every event once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'generic-outbox-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const events: string[] = [];
    const first = await csmsOn(0, events);
    const { station, outbox, store } = stationOn(first.port, join(dir, 'journal'));
    cleanups.push(() => station.close());
    await station.start();
    await station.boot({ vendorName: 'V', model: 'M' });
    const idToken = { idToken: 'TAG', type: 'ISO14443' } as const;
    const { transactionId } = await station.startTransaction({ evseId: 1, idToken, meterStart: 0 });

    // The CSMS goes away: the events of the rest of the session wait in the journal.
    await first.csms.close();
    const reading = (wh: number) => [
      { timestamp: new Date().toISOString(), sampledValue: [{ value: wh }] },
    ];
    const update = await station.updateTransaction({ transactionId, meterValue: reading(500) });
    const stop = await station.stopTransaction({ transactionId, meterStop: 1000 });
    expect(update).toEqual({ kept: true });
    expect(stop).toEqual({ kept: true });
    // Handed over: not open at the station any more, kept on disk.
    expect(station.transactions.size).toBe(0);
    expect(store.size).toBe(2);

    // The CSMS is back on the same port: the station reconnects and the outbox delivers.
    const second = await csmsOn(first.port, events);
    cleanups.push(() => second.csms.close());
    await delivered(outbox, () => store.size === 0);
    expect(events).toEqual(['Started:0', 'Updated:1:offline', 'Ended:2:offline']);
    expect(second.csms.station('CS-DURABLE')?.transactions.size).toBe(0);
  });

  it('a CSMS that stops answering: after the last attempt a message is dropped and reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'generic-outbox-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // Accepts the connection, answers the boot, then never answers a TransactionEvent.
    const listener = createWsServer({ host: '127.0.0.1', port: 0, protocols: ['ocpp2.0.1'] });
    const seen: number[] = [];
    const frozen = createGenericCsms({
      listener,
      logger: silentLogger,
      versions: ['ocpp2.0.1'],
      handlers: { onBoot: () => ({ status: 'Accepted', interval: 300 }) },
      versioned: {
        'ocpp2.0.1': {
          TransactionEvent: (req) => {
            seen.push(req.seqNo);
            return new Promise(() => {});
          },
        },
      },
    });
    const port = await listener.listen();
    cleanups.push(() => frozen.close());
    const store = new FileStore(join(dir, 'journal'), { sync: 'always' });
    const outbox = new Outbox({ version: '2.0.1', store, attempts: 3, retryIntervalMs: 50 });
    const dropped: string[] = [];
    outbox.on('dropped', (m, outcome) =>
      dropped.push(
        `${m.action}:${m.attempts}:${outcome.kind === 'lost' ? outcome.error.code : outcome.kind}`,
      ),
    );
    const station = createGenericStation({
      protocol: 'ocpp2.0.1',
      identity: 'CS-FROZEN',
      transport: createWsClient({
        url: `ws://127.0.0.1:${port}`,
        identity: 'CS-FROZEN',
        protocols: ['ocpp2.0.1'],
      }),
      session: { logger: silentLogger, queue: outbox, callTimeoutMs: 150 },
    });
    cleanups.push(() => station.close());
    let sent = 0;
    station.session.on('frame', (direction, text) => {
      if (direction === 'out' && text.includes('"TransactionEvent"')) sent++;
    });
    await station.start();
    await station.boot({ vendorName: 'V', model: 'M' });
    const idToken = { idToken: 'TAG', type: 'ISO14443' } as const;
    const started = await station.startTransaction({ evseId: 1, idToken, meterStart: 0 });
    expect(started.kept).toBe(true);
    await new Promise<void>((resolve) => {
      if (dropped.length > 0) return resolve();
      outbox.on('dropped', () => resolve());
    });
    // Sent three times (the spec's MessageAttempts), each with no answer in time, then dropped
    // with a report, not silently. (The frozen CSMS handles only the first: it takes a station's
    // calls one at a time, and the later copies wait behind the one it never answers.)
    expect(sent).toBe(3);
    expect(seen).toEqual([0]);
    expect(dropped).toEqual(['TransactionEvent:3:TIMEOUT']);
    expect(store.size).toBe(0);
  });

  it('a new station object on the same journal delivers what the old one kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'generic-outbox-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const events: string[] = [];
    const first = await csmsOn(0, events);
    const file = join(dir, 'journal');
    const before = stationOn(first.port, file);
    await before.station.start();
    await before.station.boot({ vendorName: 'V', model: 'M' });
    const idToken = { idToken: 'TAG', type: 'ISO14443' } as const;
    const { transactionId } = await before.station.startTransaction({
      evseId: 1,
      idToken,
      meterStart: 0,
    });
    await first.csms.close();
    const stop = await before.station.stopTransaction({ transactionId, meterStop: 700 });
    expect(stop).toEqual({ kept: true });
    // The station process "ends": its session closes, the journal keeps the stop.
    await before.station.close();
    before.store.close();

    const second = await csmsOn(first.port, events);
    cleanups.push(() => second.csms.close());
    const after = stationOn(second.port, file);
    cleanups.push(() => after.station.close());
    expect(after.store.size).toBe(1);
    await after.station.start();
    await delivered(after.outbox, () => after.store.size === 0);
    expect(events).toEqual(['Started:0', 'Ended:1:offline']);
  });
});

describe('a generic 1.6 station on an outbox', () => {
  /** The CSMS's id sequence, as its database would keep it across restarts. */
  let lastId = 0;

  /** A generic 1.6 CSMS on `port`, recording `eventType:transactionId` of each event it handles. */
  async function csms16On(port: number, events: string[]) {
    const listener = createWsServer({ host: '127.0.0.1', port, protocols: ['ocpp1.6'] });
    const csms: GenericCsms = createGenericCsms({
      listener,
      logger: silentLogger,
      versions: ['ocpp1.6'],
      allocateTransactionId: () => ++lastId,
      handlers: {
        onBoot: () => ({ status: 'Accepted', interval: 300 }),
        onTransaction: (e: TransactionEvent) => {
          events.push(`${e.eventType}:${e.transactionId}`);
          return undefined;
        },
      },
    });
    return { csms, port: await listener.listen() };
  }

  it('starts a transaction offline on a stand-in id; the CSMS id replaces it everywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'generic-outbox16-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const events: string[] = [];
    const first = await csms16On(0, events);
    const store = new FileStore(join(dir, 'journal'), { sync: 'always' });
    const outbox = new Outbox({ version: '1.6', store, retryIntervalMs: 100 });
    const station = createGenericStation({
      protocol: 'ocpp1.6',
      identity: 'CS16-DURABLE',
      transport: createWsClient({
        url: `ws://127.0.0.1:${first.port}`,
        identity: 'CS16-DURABLE',
        protocols: ['ocpp1.6'],
        backoff: { waitMinimumSeconds: 0.05, randomRangeSeconds: 0.05, repeatTimes: 1 },
      }),
      session: { logger: silentLogger, queue: outbox, callTimeoutMs: 300 },
    });
    cleanups.push(() => station.close());
    await station.start();
    await station.boot({ vendorName: 'V', model: 'M' });
    // A first transaction online takes the CSMS's id 1.
    const idToken = { idToken: 'TAG', type: 'ISO14443' } as const;
    const online = await station.startTransaction({ evseId: 1, idToken, meterStart: 0 });
    expect(online.transactionId).toBe('1');
    await station.stopTransaction({ transactionId: online.transactionId, meterStop: 10 });

    // Offline: the start waits in the outbox; the station runs the transaction on a stand-in.
    await first.csms.close();
    const started = await station.startTransaction({ evseId: 1, idToken, meterStart: 100 });
    expect(started).toMatchObject({ kept: true });
    const { transactionId } = started;
    expect(station.transactions.get(transactionId)?.transactionId16).toBeLessThan(0);
    const reading = [{ timestamp: new Date().toISOString(), sampledValue: [{ value: 150 }] }];
    expect(await station.updateTransaction({ transactionId, meterValue: reading })).toEqual({
      kept: true,
    });

    // The CSMS is back: the start is answered with id 2, which the meter values then carry,
    // and the station's ledger learns it, so what it sends next names it too.
    const second = await csms16On(first.port, events);
    cleanups.push(() => second.csms.close());
    await delivered(outbox, () => outbox.kept === 0);
    expect(station.transactions.get(transactionId)?.transactionId16).toBe(2);
    await station.stopTransaction({ transactionId, meterStop: 200 });
    expect(events).toEqual(['Started:1', 'Ended:1', 'Started:2', 'Updated:2', 'Ended:2']);
    expect(second.csms.station('CS16-DURABLE')?.transactions.size).toBe(0);
    // Stopped: the note of the stand-in is gone too.
    expect(store.size).toBe(0);
  });
});
