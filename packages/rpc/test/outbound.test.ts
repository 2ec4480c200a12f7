import { OcppCallError, OcppSdkError } from '@ocpp/runtime';
import { v201Protocol } from '@ocpp/v201-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../src/logger.js';
import {
  type CallOutcome,
  MemoryQueue,
  type OutboundQueue,
  type QueuedCall,
  type QueueHost,
} from '../src/outbound.js';
import { OcppSession } from '../src/session.js';
import { HandTransport } from './helpers.js';

/** A queue that records what the session tells it, with calls restored "from storage" up front. */
class RecordingQueue implements OutboundQueue {
  readonly line = new MemoryQueue(100);
  readonly outcomes: [string, CallOutcome['kind'], unknown][] = [];
  readonly pushed: string[] = [];
  held = false;
  wake: (() => void) | undefined;

  constructor(private readonly restored: QueuedCall[] = []) {}

  get size(): number {
    return this.restored.length + this.line.size;
  }
  push(call: QueuedCall): void {
    this.pushed.push(call.id);
    this.line.push(call);
  }
  shift(): QueuedCall | undefined {
    if (this.held) return undefined;
    return this.restored.shift() ?? this.line.shift();
  }
  remove(call: QueuedCall): boolean {
    return this.line.remove(call);
  }
  clear(): QueuedCall[] {
    return [...this.restored.splice(0), ...this.line.clear()];
  }
  settled(call: QueuedCall, outcome: CallOutcome): void {
    const detail =
      outcome.kind === 'result'
        ? outcome.payload
        : outcome.kind === 'error'
          ? outcome.error.code
          : outcome.error.code;
    this.outcomes.push([call.id, outcome.kind, detail]);
  }
  attach(host: QueueHost): void {
    this.wake = host.wake;
  }
}

function stationOn(transport: HandTransport, queue: OutboundQueue, timeout = 30_000) {
  let n = 0;
  return new OcppSession({
    protocol: v201Protocol,
    role: 'station',
    transport,
    identity: 'CS1',
    logger: silentLogger,
    queue,
    callTimeoutMs: timeout,
    messageId: () => `m${++n}`,
  });
}

const NOW = '2026-12-07T12:00:00.000Z';

afterEach(() => {
  vi.useRealTimers();
});

describe('the outbound queue seam', () => {
  it('a given queue holds the calls made while disconnected and hears how each ended', async () => {
    const transport = new HandTransport();
    const queue = new RecordingQueue();
    const session = stationOn(transport, queue);
    const first = session.call('Heartbeat', {});
    const second = session.call('Heartbeat', {});
    expect(queue.pushed).toEqual(['m1', 'm2']);
    expect(session.pending).toEqual({ queued: 2, inFlight: 0 });
    expect(transport.sent).toEqual([]);

    transport.up();
    expect(transport.frames()).toEqual([[2, 'm1', 'Heartbeat', {}]]);
    transport.deliver([3, 'm1', { currentTime: NOW }]);
    await expect(first).resolves.toEqual({ currentTime: NOW });
    // One in flight at a time: the second goes once the first is answered.
    expect(transport.frames().map((f) => f[1])).toEqual(['m1', 'm2']);
    transport.deliver([4, 'm2', 'InternalError', 'try later', {}]);
    const refused = await second.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(OcppCallError);
    expect(queue.outcomes).toEqual([
      ['m1', 'result', { currentTime: NOW }],
      ['m2', 'error', 'InternalError'],
    ]);
  });

  it('sends calls the queue restored before its own, and reports them only to the queue', async () => {
    const transport = new HandTransport();
    const restored: QueuedCall = {
      id: 'restored-1',
      action: 'TransactionEvent',
      text: JSON.stringify([
        2,
        'restored-1',
        'TransactionEvent',
        {
          eventType: 'Ended',
          timestamp: NOW,
          triggerReason: 'EVDeparted',
          seqNo: 3,
          transactionInfo: { transactionId: 'T1' },
          offline: true,
        },
      ]),
    };
    const queue = new RecordingQueue([restored]);
    const session = stationOn(transport, queue);
    const own = session.call('Heartbeat', {});
    transport.up();
    expect(transport.frames().map((f) => f[1])).toEqual(['restored-1']);
    transport.deliver([3, 'restored-1', {}]);
    expect(transport.frames().map((f) => f[1])).toEqual(['restored-1', 'm1']);
    transport.deliver([3, 'm1', { currentTime: NOW }]);
    await own;
    expect(queue.outcomes).toEqual([
      ['restored-1', 'result', {}],
      ['m1', 'result', { currentTime: NOW }],
    ]);
  });

  it('times a restored call out like its own and goes on with the next', async () => {
    vi.useFakeTimers();
    const transport = new HandTransport();
    const restored: QueuedCall = {
      id: 'r1',
      action: 'Heartbeat',
      text: JSON.stringify([2, 'r1', 'Heartbeat', {}]),
    };
    const queue = new RecordingQueue([restored]);
    const session = stationOn(transport, queue, 1_000);
    transport.up();
    const own = session.call('Heartbeat', {}, { timeout: 5_000 });
    expect(transport.frames().map((f) => f[1])).toEqual(['r1']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(queue.outcomes).toEqual([['r1', 'lost', 'TIMEOUT']]);
    expect(transport.frames().map((f) => f[1])).toEqual(['r1', 'm1']);
    transport.deliver([3, 'm1', { currentTime: NOW }]);
    await expect(own).resolves.toEqual({ currentTime: NOW });
  });

  it('a queue that holds its calls back wakes the session when one is ready', async () => {
    const transport = new HandTransport();
    const queue = new RecordingQueue();
    const session = stationOn(transport, queue);
    transport.up();
    queue.held = true;
    const call = session.call('Heartbeat', {});
    expect(transport.sent).toEqual([]);
    queue.held = false;
    queue.wake?.();
    expect(transport.frames()).toEqual([[2, 'm1', 'Heartbeat', {}]]);
    transport.deliver([3, 'm1', { currentTime: NOW }]);
    await call;
  });

  it('a call lost with its connection is reported lost; the queue may refuse a call', async () => {
    const transport = new HandTransport();
    const queue = new RecordingQueue();
    const session = stationOn(transport, queue);
    transport.up();
    const call = session.call('Heartbeat', {});
    transport.drop(true);
    await expect(call).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(queue.outcomes).toEqual([['m1', 'lost', 'CONNECTION_CLOSED']]);

    const full: OutboundQueue = {
      size: 0,
      push: () => {
        throw new OcppSdkError('QUEUE_FULL', 'the outbox is full');
      },
      shift: () => undefined,
      remove: () => false,
      clear: () => [],
    };
    const other = stationOn(new HandTransport(), full);
    await expect(other.call('Heartbeat', {})).rejects.toMatchObject({
      code: 'QUEUE_FULL',
      message: 'the outbox is full',
    });
  });

  it('the in-memory queue stays bounded and keeps its order through compaction', () => {
    const q = new MemoryQueue(3000);
    const calls = Array.from({ length: 3000 }, (_, i) => ({ id: `c${i}`, action: 'A', text: '' }));
    for (const c of calls) q.push(c);
    expect(() => q.push({ id: 'x', action: 'A', text: '' })).toThrow(/3000 calls are already/);
    const out: string[] = [];
    for (let i = 0; i < 2500; i++) out.push(q.shift()!.id);
    expect(q.remove(calls[2999]!)).toBe(true);
    for (let c = q.shift(); c !== undefined; c = q.shift()) out.push(c.id);
    expect(out).toEqual(calls.slice(0, 2999).map((c) => c.id));
    expect(q.size).toBe(0);
  });
});
