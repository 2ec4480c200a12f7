import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OcppSession, silentLogger } from '@ocpp/rpc';
import { OcppCallError } from '@ocpp/runtime';
import type { Transport, TransportHandlers } from '@ocpp/transport';
import { v16Protocol } from '@ocpp/v16-core';
import { v201Protocol } from '@ocpp/v201-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileStore } from '../src/file.js';
import { MemoryStore, Outbox, type OutboxOptions } from '../src/index.js';

/** A station-side transport driven by hand: up, down, and frames delivered from the "CSMS". */
class HandTransport implements Transport {
  isOpen = false;
  protocol = '';
  readonly sent: unknown[][] = [];
  private handlers: TransportHandlers | undefined;
  constructor(private readonly subprotocol: string) {}
  bind(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }
  async start(): Promise<void> {}
  send(text: string): void {
    if (!this.isOpen) throw new Error('not open');
    this.sent.push(JSON.parse(text) as unknown[]);
  }
  async close(): Promise<void> {
    this.isOpen = false;
    this.handlers?.close({ code: 1000, reason: '', reconnecting: false });
  }
  up(): void {
    this.isOpen = true;
    this.protocol = this.subprotocol;
    this.handlers?.open({ protocol: this.protocol });
  }
  drop(): void {
    this.isOpen = false;
    this.handlers?.close({ code: 1006, reason: '', reconnecting: true });
  }
  /** Answers the last frame sent. */
  answer(payload: unknown): void {
    const last = this.sent[this.sent.length - 1] as unknown[];
    this.handlers?.message(JSON.stringify([3, last[1], payload]));
  }
  refuse(code = 'InternalError'): void {
    const last = this.sent[this.sent.length - 1] as unknown[];
    this.handlers?.message(JSON.stringify([4, last[1], code, '', {}]));
  }
  actions(): string[] {
    return this.sent.map((f) => `${String(f[2])}`);
  }
}

const NOW = '2026-12-07T12:00:00.000Z';

function station201(outbox: Outbox, transport = new HandTransport('ocpp2.0.1'), timeout = 30_000) {
  const session = new OcppSession({
    protocol: v201Protocol,
    role: 'station',
    transport,
    identity: 'CS1',
    logger: silentLogger,
    queue: outbox,
    callTimeoutMs: timeout,
  });
  return { session, transport };
}

/** A 1.6 station session on an outbox over `store`. */
function station16(store: MemoryStore, options: Partial<OutboxOptions> = {}) {
  const outbox = new Outbox({ version: '1.6', store, retryIntervalMs: 1_000, ...options });
  const transport = new HandTransport('ocpp1.6');
  const session = new OcppSession({
    protocol: v16Protocol,
    role: 'station',
    transport,
    identity: 'CS16',
    logger: silentLogger,
    queue: outbox,
    callTimeoutMs: 1_000,
  });
  return { outbox, transport, session };
}

const event = (seqNo: number, eventType: 'Started' | 'Updated' | 'Ended' = 'Updated') => ({
  eventType,
  timestamp: NOW,
  triggerReason: 'MeterValuePeriodic' as const,
  seqNo,
  transactionInfo: { transactionId: 'T1' },
});

function outbox201(options: Partial<OutboxOptions> = {}) {
  const store = new MemoryStore();
  const outbox = new Outbox({ version: '2.0.1', store, retryIntervalMs: 1_000, ...options });
  const seen: string[] = [];
  outbox.on('delivered', (m) => seen.push(`delivered:${m.action}:${m.seq}`));
  outbox.on('retrying', (m, delay) => seen.push(`retrying:${m.action}:${m.attempts}:${delay}`));
  outbox.on('dropped', (m, o) => seen.push(`dropped:${m.action}:${m.attempts}:${o.kind}`));
  return { outbox, store, seen };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date(NOW));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Outbox', () => {
  it('keeps transaction messages made offline and delivers them in order on connect', async () => {
    const { outbox, store, seen } = outbox201();
    const { session, transport } = station201(outbox);
    const results = [0, 1, 2].map((n) => session.call('TransactionEvent', event(n)));
    const beat = session.call('Heartbeat', {});
    // Written before the calls were accepted; the Heartbeat is not a transaction message.
    expect(store.size).toBe(3);
    expect(outbox.kept).toBe(3);
    transport.up();
    for (let n = 0; n < 3; n++) {
      expect(transport.sent[n]?.[3]).toMatchObject({ seqNo: n });
      transport.answer({});
    }
    transport.answer({ currentTime: NOW });
    await Promise.all([...results, beat]);
    expect(transport.actions()).toEqual([
      'TransactionEvent',
      'TransactionEvent',
      'TransactionEvent',
      'Heartbeat',
    ]);
    expect(store.size).toBe(0);
    expect(seen).toEqual([
      'delivered:TransactionEvent:1',
      'delivered:TransactionEvent:2',
      'delivered:TransactionEvent:3',
    ]);
  });

  it('resends after CALLERROR and timeout, waiting interval × attempts, with fresh ids; then drops and reports', async () => {
    const { outbox, store, seen } = outbox201({ attempts: 3 });
    const { session, transport } = station201(outbox, undefined, 5_000);
    transport.up();
    const first = session.call('TransactionEvent', event(7));
    const firstId = transport.sent[0]?.[1];
    transport.refuse('InternalError');
    await expect(first).rejects.toBeInstanceOf(OcppCallError);
    expect(seen).toEqual(['retrying:TransactionEvent:1:1000']);
    expect(store.load()[0]).toMatchObject({ attempts: 1 });
    await vi.advanceTimersByTimeAsync(999);
    expect(transport.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.sent).toHaveLength(2);
    expect(transport.sent[1]?.[1]).not.toBe(firstId);
    expect(transport.sent[1]?.[3]).toEqual(transport.sent[0]?.[3]);
    // No answer: the timeout counts as an attempt too, and the wait doubles.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen.at(-1)).toBe('retrying:TransactionEvent:2:2000');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(transport.sent).toHaveLength(3);
    transport.refuse('GenericError');
    expect(seen.at(-1)).toBe('dropped:TransactionEvent:3:error');
    expect(store.size).toBe(0);
    // The line goes on.
    const next = session.call('Heartbeat', {});
    transport.answer({ currentTime: NOW });
    await next;
  });

  it('a connection lost in flight is no attempt: the message goes first again on reconnect', async () => {
    const { outbox, seen } = outbox201();
    const { session, transport } = station201(outbox);
    transport.up();
    const call = session.call('TransactionEvent', event(1, 'Ended'));
    transport.drop();
    // Its caller hears that the message is kept, not that it was lost.
    await expect(call).rejects.toMatchObject({ code: 'KEPT' });
    const later = session.call('Heartbeat', {});
    transport.up();
    expect(transport.actions()).toEqual(['TransactionEvent', 'TransactionEvent']);
    transport.answer({});
    transport.answer({ currentTime: NOW });
    await later;
    expect(seen).toEqual(['delivered:TransactionEvent:1']);
  });

  it('survives its session: a new session on the same store sends what was kept, first', async () => {
    const store = new MemoryStore();
    const before = new Outbox({ version: '2.0.1', store });
    const { session } = station201(before);
    void session.call('TransactionEvent', event(4)).catch(() => {});
    void session.call('TransactionEvent', event(5)).catch(() => {});
    await session.close();
    expect(store.size).toBe(2);

    // "After a restart": a new outbox on the kept store, a new session.
    const after = new Outbox({ version: '2.0.1', store });
    const delivered: number[] = [];
    after.on('delivered', (m) => delivered.push((m.payload as { seqNo: number }).seqNo));
    const { session: next, transport } = station201(after);
    const own = next.call('Heartbeat', {});
    transport.up();
    transport.answer({});
    transport.answer({});
    transport.answer({ currentTime: NOW });
    await own;
    expect(transport.actions()).toEqual(['TransactionEvent', 'TransactionEvent', 'Heartbeat']);
    expect(delivered).toEqual([4, 5]);
    expect(store.size).toBe(0);
  });

  it('1.6: start, stop and the meter values of a transaction are kept; others are not', async () => {
    const store = new MemoryStore();
    const { transport, session } = station16(store);
    const sampled = [{ timestamp: NOW, sampledValue: [{ value: '10' }] }];
    const calls = [
      session.call('StartTransaction', {
        connectorId: 1,
        idTag: 'TAG',
        meterStart: 0,
        timestamp: NOW,
      }),
      session.call('MeterValues', { connectorId: 1, meterValue: sampled }),
      session.call('MeterValues', { connectorId: 1, transactionId: 5, meterValue: sampled }),
      session.call('StopTransaction', { transactionId: 5, meterStop: 10, timestamp: NOW }),
      session.call('StatusNotification', {
        connectorId: 1,
        errorCode: 'NoError',
        status: 'Charging',
      }),
    ];
    expect(store.load().map((r) => r.action)).toEqual([
      'StartTransaction',
      'MeterValues',
      'StopTransaction',
    ]);
    transport.up();
    transport.answer({ transactionId: 5, idTagInfo: { status: 'Accepted' } });
    for (let i = 0; i < 4; i++) transport.answer({});
    await Promise.all(calls);
    expect(store.size).toBe(0);
  });

  it('when full, a transaction message pushes out a waiting non-transaction one; never another', async () => {
    const { outbox } = outbox201({ maxMessages: 2 });
    const { session } = station201(outbox);
    const beat = session.call('Heartbeat', {});
    const tx1 = session.call('TransactionEvent', event(1));
    const tx2 = session.call('TransactionEvent', event(2));
    await expect(beat).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    await expect(session.call('TransactionEvent', event(3))).rejects.toMatchObject({
      code: 'QUEUE_FULL',
    });
    await expect(session.call('Heartbeat', {})).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    expect(outbox.kept).toBe(2);
    void tx1.catch(() => {});
    void tx2.catch(() => {});
    await session.close();
  });

  it('with a group-commit store, a kept message is sent only once it is on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-group-'));
    try {
      const store = new FileStore(join(dir, 'journal'), { sync: 'group', groupCommitMs: 50 });
      const outbox = new Outbox({ version: '2.0.1', store });
      const { session, transport } = station201(outbox);
      transport.up();
      const call = session.call('TransactionEvent', event(0, 'Started'));
      expect(transport.sent).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(50);
      expect(transport.actions()).toEqual(['TransactionEvent']);
      transport.answer({});
      await call;
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the caller of a kept message hears KEPT, not a timeout; others still time out', async () => {
    const { outbox, store } = outbox201();
    const { session, transport } = station201(outbox, undefined, 1_000);
    const kept = session.call('TransactionEvent', event(0, 'Started'));
    const beat = session.call('Heartbeat', {});
    const settled = Promise.allSettled([kept, beat]);
    await vi.advanceTimersByTimeAsync(1_000);
    const [k, b] = await settled;
    expect(k).toMatchObject({ status: 'rejected', reason: { code: 'KEPT' } });
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'TIMEOUT' } });
    // The kept one is still delivered once the connection is there.
    expect(store.size).toBe(1);
    transport.up();
    expect(transport.actions()).toEqual(['TransactionEvent']);
    transport.answer({});
    expect(store.size).toBe(0);
    // Closing the session lets kept callers know too.
    const last = session.call('TransactionEvent', event(1, 'Ended'));
    transport.drop();
    const after = session.call('TransactionEvent', event(2, 'Ended'));
    await session.close();
    await expect(last).rejects.toMatchObject({ code: 'KEPT' });
    await expect(after).rejects.toMatchObject({ code: 'KEPT' });
    expect(store.size).toBe(2);
  });

  it('a session closed for good still hands transaction messages to its outbox', async () => {
    const { outbox, store } = outbox201();
    const { session } = station201(outbox);
    await session.close();
    await expect(session.call('TransactionEvent', event(7))).rejects.toMatchObject({
      code: 'KEPT',
    });
    await expect(session.call('Heartbeat', {})).rejects.toMatchObject({
      code: 'CONNECTION_CLOSED',
    });
    expect(store.load().map((r) => r.action)).toEqual(['TransactionEvent']);
    // The next session (a reconnect, a new station object) delivers it.
    const { transport } = station201(outbox);
    transport.up();
    expect(transport.sent[0]?.[3]).toMatchObject({ seqNo: 7 });
    transport.answer({});
    expect(store.size).toBe(0);
  });

  it('a transport that cannot write while it closes: the message stays first, sent once reopened', async () => {
    const { outbox, store } = outbox201();
    const transport = new HandTransport('ocpp2.0.1');
    const { session } = station201(outbox, transport);
    transport.up();
    const realSend = transport.send.bind(transport);
    // Open by its flag, but every write fails (a socket in its closing handshake).
    transport.send = () => {
      throw new Error('socket closing');
    };
    const kept = session.call('TransactionEvent', event(3));
    await expect(kept).rejects.toMatchObject({ code: 'KEPT' });
    expect(store.size).toBe(1);
    expect(transport.sent).toHaveLength(0);
    transport.drop();
    transport.send = realSend;
    transport.up();
    expect(transport.actions()).toEqual(['TransactionEvent']);
    expect(transport.sent[0]?.[3]).toMatchObject({ seqNo: 3 });
    transport.answer({});
    expect(store.size).toBe(0);
  });

  it('queueAll keeps every message', () => {
    const { outbox, store } = outbox201({ queueAll: true });
    const { session } = station201(outbox);
    void session.call('Heartbeat', {}).catch(() => {});
    expect(store.load().map((r) => r.action)).toEqual(['Heartbeat']);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new Outbox({ version: '1.6', attempts: 0 })).toThrow(/attempts/);
    expect(() => new Outbox({ version: '1.6', retryIntervalMs: -1 })).toThrow(/retryIntervalMs/);
    expect(() => new Outbox({ version: '1.6', maxMessages: 1.5 })).toThrow(/maxMessages/);
  });
});

describe('Outbox, 1.6 transactions started offline', () => {
  const sampled = [{ timestamp: NOW, sampledValue: [{ value: '10' }] }];
  const start = { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: NOW };

  /** Starts a transaction while offline: the caller's KEPT carries the stand-in id. */
  async function startOffline(session: ReturnType<typeof station16>['session']) {
    const started = session.call('StartTransaction', start).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const kept = (await started) as { code: string; provisional?: { transactionId: number } };
    expect(kept.code).toBe('KEPT');
    const standIn = kept.provisional?.transactionId;
    expect(standIn).toBeLessThan(0);
    return standIn as number;
  }

  it('the stand-in id of a start made offline becomes the CSMS id in every queued message', async () => {
    const store = new MemoryStore();
    const { outbox, transport, session } = station16(store);
    const renumbered: [number, number][] = [];
    outbox.on('transactionId', (from, to) => renumbered.push([from, to]));
    const standIn = await startOffline(session);
    const mv = session.call('MeterValues', {
      connectorId: 1,
      transactionId: standIn,
      meterValue: sampled,
    });
    const stop = session.call('StopTransaction', {
      transactionId: standIn,
      meterStop: 10,
      timestamp: NOW,
    });
    transport.up();
    expect(transport.actions()).toEqual(['StartTransaction']);
    transport.answer({ transactionId: 42, idTagInfo: { status: 'Accepted' } });
    expect(renumbered).toEqual([[standIn, 42]]);
    // The callers waiting behind the start are let go (kept): their messages go out renumbered.
    await expect(mv).rejects.toMatchObject({ code: 'KEPT' });
    await expect(stop).rejects.toMatchObject({ code: 'KEPT' });
    expect(transport.sent[1]?.[3]).toMatchObject({ transactionId: 42 });
    transport.answer({});
    expect(transport.sent[2]?.[3]).toMatchObject({ transactionId: 42 });
    // A message made now with the stand-in still names the CSMS's id (its caller hears KEPT: it
    // goes out as a call of the outbox's own).
    const late = session.call('MeterValues', {
      connectorId: 1,
      transactionId: standIn,
      meterValue: sampled,
    });
    await expect(late).rejects.toMatchObject({ code: 'KEPT' });
    transport.answer({});
    expect(transport.sent[3]?.[3]).toMatchObject({ transactionId: 42 });
    transport.answer({});
    // The stop was answered: nothing is left, not even the note of the stand-in.
    expect(store.size).toBe(0);
    expect(outbox.transactionIdOf(standIn)).toBeUndefined();
  });

  it('across restarts: before the start is answered, and after it, on the same store', async () => {
    const store = new MemoryStore();
    const first = station16(store);
    const standIn = await startOffline(first.session);
    void first.session
      .call('MeterValues', { connectorId: 1, transactionId: standIn, meterValue: sampled })
      .catch(() => {});
    await first.session.close();

    // Restart 1: the start is answered; the process ends before the transaction does.
    const second = station16(store);
    const heard: [number, number][] = [];
    second.outbox.on('transactionId', (from, to) => heard.push([from, to]));
    second.transport.up();
    second.transport.answer({ transactionId: 77, idTagInfo: { status: 'Accepted' } });
    expect(heard).toEqual([[standIn, 77]]);
    expect(second.transport.sent[1]?.[3]).toMatchObject({ transactionId: 77 });
    second.transport.answer({});
    await second.session.close();

    // Restart 2: the station still holds the stand-in (its own storage); the outbox knows it.
    const third = station16(store);
    expect(third.outbox.transactionIdOf(standIn)).toBe(77);
    third.transport.up();
    const stop = third.session.call('StopTransaction', {
      transactionId: standIn,
      meterStop: 20,
      timestamp: NOW,
    });
    await expect(stop).rejects.toMatchObject({ code: 'KEPT' });
    expect(third.transport.sent[0]?.[3]).toMatchObject({ transactionId: 77 });
    third.transport.answer({});
    expect(store.size).toBe(0);
  });

  it('a start dropped after its last attempt takes its transaction messages with it, reported', async () => {
    const store = new MemoryStore();
    const { outbox, transport, session } = station16(store, { attempts: 1 });
    const dropped: string[] = [];
    outbox.on('dropped', (m) => dropped.push(m.action));
    const standIn = await startOffline(session);
    void session
      .call('StopTransaction', { transactionId: standIn, meterStop: 10, timestamp: NOW })
      .catch(() => {});
    const beat = session.call('Heartbeat', {});
    transport.up();
    transport.refuse();
    expect(dropped).toEqual(['StartTransaction', 'StopTransaction']);
    expect(transport.actions()).toEqual(['StartTransaction', 'Heartbeat']);
    transport.answer({ currentTime: NOW });
    await beat;
    expect(store.size).toBe(0);
  });
});
