import { isOcppSdkError } from '@ocpp/runtime';
import { createMemoryTransportPair, type Transport, type TransportHandlers } from '@ocpp/transport';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultLogger, silentLogger } from '../src/logger.js';
import { createRouter } from '../src/router.js';
import { OcppSession } from '../src/session.js';
import { HandTransport, RawPeer, withRawPeer } from './helpers.js';

const now = '2025-03-14T09:26:53Z';
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

function csms16() {
  return createRouter(v16Protocol, 'csms').handle('Heartbeat', () => ({ currentTime: now }));
}

/**
 * A transport that records flow control calls and forwards everything else; `withoutFlow` leaves
 * out pause/resume, as a transport may.
 */
function recordingFlow(inner: Transport, withoutFlow = false) {
  const flow: string[] = [];
  const transport: Transport = {
    get isOpen() {
      return inner.isOpen;
    },
    get protocol() {
      return inner.protocol;
    },
    bind: (h: TransportHandlers) => inner.bind(h),
    start: () => inner.start(),
    send: (t) => inner.send(t),
    close: (c, r) => inner.close(c, r),
  };
  if (!withoutFlow) {
    transport.pause = () => {
      flow.push('pause');
      inner.pause?.();
    };
    transport.resume = () => {
      flow.push('resume');
      inner.resume?.();
    };
  }
  return { transport, flow };
}

/**
 * A 1.6 CSMS session over a recording transport (see {@link recordingFlow}) and a raw peer on the
 * other end, both started.
 */
async function flowSession(
  router: ReturnType<typeof csms16>,
  options: {
    maxInboundQueue?: number;
    maxInboundQueueBytes?: number;
    inboundRateLimit?: { perSecond: number; burst: number };
  } = {},
  withoutFlow = false,
) {
  const [a, b] = createMemoryTransportPair({ protocol: 'ocpp1.6' });
  const { transport, flow } = recordingFlow(a, withoutFlow);
  const session = new OcppSession({
    protocol: v16Protocol,
    role: 'csms',
    transport,
    identity: 'CS001',
    logger: silentLogger,
    router,
    ...options,
  });
  const peer = new RawPeer(b);
  await session.start();
  await b.start();
  return { session, peer, flow };
}

/** A 1.6 Heartbeat handler that answers call `i` only once `gates[i]()` is called. */
function gatedHeartbeat() {
  const gates: (() => void)[] = [];
  let running = 0;
  const stats = { most: 0 };
  const router = createRouter(v16Protocol, 'csms').handle('Heartbeat', async () => {
    running++;
    stats.most = Math.max(stats.most, running);
    await new Promise<void>((r) => gates.push(r));
    running--;
    return { currentTime: now };
  });
  return { router, gates, stats };
}

describe('hostile frames: the session answers and lives on', () => {
  const protocols = { '1.6': v16Protocol, '2.0.1': v201Protocol, '2.1': v21Protocol } as const;
  it.each([
    ['1.6', 'FormationViolation'],
    ['2.0.1', 'FormatViolation'],
    ['2.1', 'FormatViolation'],
  ] as const)(
    '%s: a CALL whose payload nests 100,000 levels deep is answered %s',
    async (version, code) => {
      const protocol = protocols[version] as typeof v201Protocol;
      const router = createRouter(protocol, 'csms').handle('Heartbeat', () => ({
        currentTime: now,
      }));
      const { peer } = await withRawPeer(protocol, 'csms', router);
      peer.send(`[2,"deep","Heartbeat",{"a":${deepArray(100_000)}}]`);
      expect(await peer.frame(0)).toEqual([
        4,
        'deep',
        code,
        expect.stringContaining('deeper than 64'),
        {},
      ]);
      // Still serving.
      peer.send([2, 'next', 'Heartbeat', {}]);
      expect(await peer.frame(1)).toEqual([3, 'next', { currentTime: now }]);
    },
  );

  it('a frame that is nothing but nesting: 2.x answers RpcFrameworkError with id -1', async () => {
    const { peer } = await withRawPeer(v201Protocol, 'csms');
    peer.send(deepArray(1_000_000));
    expect(await peer.frame(0)).toEqual([4, '-1', 'RpcFrameworkError', expect.any(String), {}]);
  });

  it('a too-deep CALLRESULT fails its call at once; 2.1 answers CALLRESULTERROR', async () => {
    const { session, peer } = await withRawPeer(v21Protocol, 'station');
    const call = session.call('Heartbeat', {});
    const [, id] = (await peer.frame(0)) as [number, string];
    peer.send(`[3,"${id}",{"currentTime":${deepArray(200)}}]`);
    const error = await call.catch((e: unknown) => e);
    expect(isOcppSdkError(error) && error.code).toBe('VALIDATION_FAILED');
    expect(await peer.frame(1)).toEqual([5, id, 'FormatViolation', expect.any(String), {}]);
  });

  it('a 1 MB unknown property name is not echoed: description and details stay short', async () => {
    const { peer } = await withRawPeer(v16Protocol, 'csms', csms16());
    const name = 'k'.repeat(1_000_000);
    peer.send(`[2,"big","Heartbeat",{"${name}":1}]`);
    const answer = await peer.frame(0);
    expect(answer.slice(0, 3)).toEqual([4, 'big', 'FormationViolation']);
    expect(peer.received[0]!.length).toBeLessThan(600);
    expect(JSON.stringify(answer[4]).length).toBeLessThan(200);
  });

  it('a message type given as a huge string is refused with a short description', async () => {
    const { peer } = await withRawPeer(v201Protocol, 'csms');
    peer.send(`["${'9'.repeat(500_000)}","a1","Heartbeat",{}]`);
    const answer = await peer.frame(0);
    expect(answer.slice(0, 3)).toEqual([4, 'a1', 'MessageTypeNotSupported']);
    expect(peer.received[0]!.length).toBeLessThan(300);
  });
});

describe('logs', () => {
  it('the default logger escapes control characters the peer put in a message', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { peer } = await withRawPeer(v21Protocol, 'csms', undefined, { logger: defaultLogger });
      peer.send('[6,"s1","Forged\\n[ocpp] fake line\\u001b[2J",{}]');
      await vi.waitFor(() => expect(warn).toHaveBeenCalled());
      const line = String(warn.mock.calls[0]![0]);
      expect(line).toContain('Forged\\u000a[ocpp] fake line\\u001b[2J');
      expect(line.includes('\n') || line.includes('\u001b')).toBe(false);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('inbound calls: one at a time, queued with the transport paused', () => {
  it('a peer that pipelines while a handler runs is answered in order, one handler at a time', async () => {
    const { router, gates, stats } = gatedHeartbeat();
    const { peer, flow } = await flowSession(router);
    for (let i = 0; i < 5; i++) peer.send([2, `c${i}`, 'Heartbeat', {}]);
    await vi.waitFor(() => expect(gates.length).toBe(1));
    // c1 waits and the transport holds the rest back.
    expect(flow).toEqual(['pause']);
    for (let i = 0; i < 5; i++) {
      await vi.waitFor(() => expect(gates.length).toBe(i + 1));
      gates[i]!();
      expect(await peer.frame(i)).toEqual([3, `c${i}`, { currentTime: now }]);
    }
    expect(stats.most).toBe(1);
    expect(flow.at(-1)).toBe('resume');
    expect(flow.filter((f) => f === 'pause').length).toBe(
      flow.filter((f) => f === 'resume').length,
    );
  });

  it('a CALLRESULT is not held behind the peer calls that wait', async () => {
    const gates: (() => void)[] = [];
    const router = createRouter(v201Protocol, 'csms').handle('Heartbeat', async () => {
      await new Promise<void>((r) => gates.push(r));
      return { currentTime: now };
    });
    const { session, peer } = await withRawPeer(v201Protocol, 'csms', router);
    peer.send([2, 'h1', 'Heartbeat', {}]);
    peer.send([2, 'h2', 'Heartbeat', {}]);
    // h2 waits behind h1 with the transport paused; our call must still get its answer in.
    await vi.waitFor(() => expect(gates.length).toBe(1));
    const reset = session.call('Reset', { type: 'Immediate' });
    const [, id] = (await peer.frame(0)) as [number, string];
    peer.send([3, id, { status: 'Accepted' }]);
    expect(await reset).toEqual({ status: 'Accepted' });
    await vi.waitFor(() => expect(gates.length).toBe(1));
    gates[0]!();
    await vi.waitFor(() => expect(gates.length).toBe(2));
    gates[1]!();
    expect(await peer.frame(2)).toEqual([3, 'h2', { currentTime: now }]);
  });

  it('beyond maxInboundQueue a CALL is answered GenericError at once, the rest in order', async () => {
    const { router, gates } = gatedHeartbeat();
    // A transport that cannot pause: the queue bound is all there is.
    const { peer } = await flowSession(router, { maxInboundQueue: 2 }, true);
    for (let i = 0; i < 4; i++) peer.send([2, `c${i}`, 'Heartbeat', {}]);
    // c0 runs, c1 and c2 wait, c3 overflows.
    expect(await peer.frame(0)).toEqual([
      4,
      'c3',
      'GenericError',
      expect.stringContaining('waiting'),
      {},
    ]);
    for (let i = 0; i < 3; i++) {
      await vi.waitFor(() => expect(gates.length).toBe(i + 1));
      gates[i]!();
      expect(await peer.frame(i + 1)).toEqual([3, `c${i}`, { currentTime: now }]);
    }
  });

  it('beyond maxInboundQueueBytes of waiting text a CALL is answered GenericError at once', async () => {
    const { router, gates } = gatedHeartbeat();
    const { peer } = await flowSession(router, { maxInboundQueueBytes: 50 }, true);
    // Each frame is 23 characters: c0 runs, c1 and c2 wait (46), c3 would make 69.
    for (let i = 0; i < 4; i++) peer.send([2, `c${i}`, 'Heartbeat', {}]);
    expect(peer.received[0]).toBe(undefined);
    expect(await peer.frame(0)).toEqual([4, 'c3', 'GenericError', expect.any(String), {}]);
    for (let i = 0; i < 3; i++) {
      await vi.waitFor(() => expect(gates.length).toBe(i + 1));
      gates[i]!();
      expect(await peer.frame(i + 1)).toEqual([3, `c${i}`, { currentTime: now }]);
    }
    // The queue's account is back at zero: four more fit as before.
    for (let i = 4; i < 8; i++) peer.send([2, `c${i}`, 'Heartbeat', {}]);
    expect(await peer.frame(4)).toEqual([4, 'c7', 'GenericError', expect.any(String), {}]);
  });

  it('large pipelined CALLs while our own call is in flight: the byte bound holds, all answered', async () => {
    const gates: (() => void)[] = [];
    const router = createRouter(v201Protocol, 'csms').handle('DataTransfer', async () => {
      await new Promise<void>((r) => gates.push(r));
      return { status: 'Accepted' as const };
    });
    const { session, peer } = await withRawPeer(v201Protocol, 'csms', router);
    // Our call stays unanswered, so the transport is never paused: only the bound holds the flood.
    const reset = session.call('Reset', { type: 'Immediate' });
    const [, resetId] = (await peer.frame(0)) as [number, string];
    const data = 'x'.repeat(900_000);
    const count = 10;
    for (let i = 0; i < count; i++) {
      peer.send([2, `d${i}`, 'DataTransfer', { vendorId: 'v', data }]);
    }
    // d0 runs; d1..d4 wait (3.6 MB of text, under the default 4 MiB); d5..d9 are refused at once.
    const answers = new Map<string, unknown[]>();
    const answered = async (n: number) => {
      for (let i = answers.size + 1; i <= n; i++) {
        const frame = await peer.frame(i);
        answers.set(frame[1] as string, frame);
      }
    };
    await answered(5);
    for (let i = 5; i < count; i++) {
      expect(answers.get(`d${i}`)?.slice(0, 3)).toEqual([4, `d${i}`, 'GenericError']);
    }
    peer.send([3, resetId, { status: 'Accepted' }]);
    expect(await reset).toEqual({ status: 'Accepted' });
    for (let i = 0; i < 5; i++) {
      await vi.waitFor(() => expect(gates.length).toBe(i + 1));
      gates[i]!();
      await answered(6 + i);
      expect(answers.get(`d${i}`)).toEqual([3, `d${i}`, { status: 'Accepted' }]);
    }
    expect(answers.size).toBe(count);
  });

  it('a reconnect drops the calls waiting on the old connection; the new one is served at once', async () => {
    const { router, gates } = gatedHeartbeat();
    const transport = new HandTransport('ocpp1.6');
    const session = new OcppSession({
      protocol: v16Protocol,
      role: 'csms',
      transport,
      identity: 'CS001',
      logger: silentLogger,
      router,
    });
    await session.start();
    for (let i = 0; i < 3; i++) transport.deliver([2, `old${i}`, 'Heartbeat', {}]);
    // old0 runs; old1 and old2 wait behind it.
    expect(gates.length).toBe(1);
    transport.drop(true);
    transport.up();
    // The old handler finishes after its connection is gone: nothing to answer, nothing to free.
    gates[0]!();
    transport.deliver([2, 'new0', 'Heartbeat', {}]);
    // new0 runs next, not old1: the waiting calls went with their connection.
    await vi.waitFor(() => expect(gates.length).toBe(2));
    gates[1]!();
    await vi.waitFor(() => expect(transport.sent.length).toBe(1));
    transport.deliver([2, 'new1', 'Heartbeat', {}]);
    await vi.waitFor(() => expect(gates.length).toBe(3));
    gates[2]!();
    await vi.waitFor(() => expect(transport.sent.length).toBe(2));
    expect(transport.frames()).toEqual([
      [3, 'new0', { currentTime: now }],
      [3, 'new1', { currentTime: now }],
    ]);
  });
});

describe('peer-supplied text in messages', () => {
  it('an action name of 100,000 characters reaches the log cut to 64', async () => {
    const warn = vi.fn<(message: string) => void>();
    const logger = { ...silentLogger, warn };
    const router = createRouter(v21Protocol, 'csms');
    const { peer } = await withRawPeer(v21Protocol, 'csms', router, {
      logger,
      // The second SEND has to wait for a token and finds no room in the queue.
      inboundRateLimit: { perSecond: 1, burst: 1 },
      maxInboundQueue: 0,
    });
    const action = 'A'.repeat(100_000);
    peer.send([6, 's1', action, {}]);
    peer.send([6, 's2', action, {}]);
    peer.send([2, 'c1', action, {}]);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(2));
    for (const [message] of warn.mock.calls) expect(message.length).toBeLessThan(200);
    expect(warn.mock.calls.map(([m]) => m)).toEqual([
      expect.stringContaining('SEND of unknown action AAAA'),
      expect.stringContaining('dropped: the inbound queue is full'),
    ]);
  });
});

describe('our own failures never keep an answer back', () => {
  it('a logger that throws on every record: each CALL is still answered, nothing escapes', async () => {
    const broken = () => {
      throw new Error('the logger broke');
    };
    const logger = { debug: broken, info: broken, warn: broken, error: broken };
    const router = createRouter(v16Protocol, 'csms')
      .handle('Heartbeat', () => ({ currentTime: now }))
      .handle('StatusNotification', () => {
        throw new Error('handler broke');
      })
      .handle('Authorize', () => ({ idTagInfo: { status: 'Nonsense' } }) as never);
    const { session, peer } = await withRawPeer(v16Protocol, 'csms', router, { logger });
    const errors: Error[] = [];
    session.on('error', (e) => errors.push(e));
    // Refused by readFrame, a failing handler, an invalid response, a late reply, a valid CALL.
    peer.send('[2,"f1","Heartbeat"]');
    peer.send([
      2,
      'f2',
      'StatusNotification',
      { connectorId: 1, errorCode: 'NoError', status: 'Available' },
    ]);
    peer.send([2, 'f3', 'Authorize', { idTag: 'T1' }]);
    peer.send([3, 'nobody', {}]);
    peer.send([2, 'f4', 'Heartbeat', {}]);
    expect(await peer.frame(0)).toEqual([4, 'f1', 'FormationViolation', expect.any(String), {}]);
    expect(await peer.frame(1)).toEqual([4, 'f2', 'InternalError', expect.any(String), {}]);
    expect(await peer.frame(2)).toEqual([4, 'f3', 'InternalError', expect.any(String), {}]);
    expect(await peer.frame(3)).toEqual([3, 'f4', { currentTime: now }]);
    // What the logger could not record is reported as an error event instead.
    expect(errors.map((e) => e.message)).toContain('the logger broke');
  });
});

describe('inbound rate limit', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a flooding peer is slowed to the limit: nothing refused, every call answered in order', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { peer, flow } = await flowSession(csms16(), {
      inboundRateLimit: { perSecond: 10, burst: 3 },
    });
    for (let i = 0; i < 8; i++) peer.send([2, `c${i}`, 'Heartbeat', {}]);
    await vi.advanceTimersByTimeAsync(0);
    // The burst goes through at once; the next waits for a token, the rest is held back.
    expect(peer.received.length).toBe(3);
    expect(flow).toEqual(['pause']);
    await vi.advanceTimersByTimeAsync(100);
    expect(peer.received.length).toBe(4);
    await vi.advanceTimersByTimeAsync(400);
    expect(peer.received.length).toBe(8);
    expect(peer.received.map((t) => (JSON.parse(t) as unknown[])[1])).toEqual([
      'c0',
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
      'c6',
      'c7',
    ]);
    expect(peer.received.every((t) => t.startsWith('[3,'))).toBe(true);
    expect(flow.at(-1)).toBe('resume');
  });

  it('a clock set back does not stall the bucket: it refills on a monotonic clock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { peer } = await flowSession(csms16(), {
      inboundRateLimit: { perSecond: 10, burst: 1 },
    });
    peer.send([2, 'c0', 'Heartbeat', {}]);
    await vi.advanceTimersByTimeAsync(0);
    expect(peer.received.length).toBe(1);
    // The wall clock steps back an hour (NTP, a user); the monotonic clock does not.
    vi.setSystemTime(Date.now() - 3_600_000);
    peer.send([2, 'c1', 'Heartbeat', {}]);
    await vi.advanceTimersByTimeAsync(100);
    expect(peer.received.length).toBe(2);
    expect(JSON.parse(peer.received[1]!)).toEqual([3, 'c1', { currentTime: now }]);
  });

  it('refuses a limit that cannot work', () => {
    const [a] = createMemoryTransportPair();
    expect(
      () =>
        new OcppSession({
          protocol: v201Protocol,
          role: 'csms',
          transport: a,
          identity: 'X',
          inboundRateLimit: { perSecond: 0 },
        }),
    ).toThrow(expect.objectContaining({ name: 'OcppSdkError', code: 'INVALID_ARGUMENT' }));
  });
});
