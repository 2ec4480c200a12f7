import { isOcppCallError, isOcppSdkError, OcppCallError } from '@ocpp/runtime';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { createRouter } from '../src/router.js';
import { OcppSession, type ValidationEvent } from '../src/session.js';
import { HandTransport, pair, withRawPeer } from './helpers.js';

const now = '2025-03-14T09:26:53Z';
const boot201 = {
  reason: 'PowerUp',
  chargingStation: { model: 'M1', vendorName: 'Acme' },
} as const;

function csms201() {
  return createRouter(v201Protocol, 'csms')
    .handle('BootNotification', () => ({ status: 'Accepted', currentTime: now, interval: 300 }))
    .handle('Heartbeat', () => ({ currentTime: now }));
}

describe('calls between a station and a CSMS', () => {
  it('a station boots and heartbeats; results are typed and validated', async () => {
    const { station } = await pair(v201Protocol, { csms: csms201() });
    const res = await station.call('BootNotification', boot201);
    expect(res).toEqual({ status: 'Accepted', currentTime: now, interval: 300 });
    expect(await station.call('Heartbeat', {})).toEqual({ currentTime: now });
  });

  it('calls cross: each side can receive a CALL while waiting for its own CALLRESULT', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const csmsRouter = createRouter(v201Protocol, 'csms').handle('Heartbeat', async () => {
      await gate;
      return { currentTime: now };
    });
    const stationRouter = createRouter(v201Protocol, 'station').handle('Reset', () => ({
      status: 'Accepted',
    }));
    const { station, csms } = await pair(v201Protocol, {
      csms: csmsRouter,
      station: stationRouter,
    });
    const heartbeat = station.call('Heartbeat', {});
    // The station's Heartbeat is in flight; the CSMS calls the station meanwhile.
    expect(await csms.call('Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });
    release();
    expect(await heartbeat).toEqual({ currentTime: now });
  });

  it('after-hooks run once the CALLRESULT is sent, with request and response', async () => {
    const seen: string[] = [];
    const router = csms201().after('BootNotification', (req, res, ctx) => {
      seen.push(`${ctx.identity} ${req.reason} ${res.status}`);
    });
    const { station } = await pair(v201Protocol, { csms: router });
    await station.call('BootNotification', boot201);
    await vi.waitFor(() => expect(seen).toEqual(['CS001 PowerUp Accepted']));
  });

  it('handlers get injected dependencies and the session to call back', async () => {
    const store = { boots: 0 };
    const router = createRouter(v201Protocol, 'csms')
      .inject('store', store)
      .handle('BootNotification', (_req, { deps }) => {
        deps.store.boots++;
        return { status: 'Accepted', currentTime: now, interval: 60 };
      });
    const { station } = await pair(v201Protocol, { csms: router });
    await station.call('BootNotification', boot201);
    expect(store.boots).toBe(1);
  });

  it('a handler may choose the CALLERROR by throwing OcppCallError', async () => {
    const router = createRouter(v201Protocol, 'csms').handle('Authorize', () => {
      throw new OcppCallError('SecurityError', 'not accepted yet', { hint: 'boot first' });
    });
    const { station } = await pair(v201Protocol, { csms: router });
    const error = await station
      .call('Authorize', { idToken: { idToken: 'T', type: 'ISO14443' } })
      .catch((e: unknown) => e);
    expect(isOcppCallError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'SecurityError',
      description: 'not accepted yet',
      details: { hint: 'boot first' },
    });
  });
});

describe('one call in flight per direction, bounded queue, timeouts', () => {
  it('the second call is sent only after the first is answered (OCPP-J §4.1.1)', async () => {
    const { session, peer } = await withRawPeer(v201Protocol, 'station');
    const first = session.call('Heartbeat', {});
    const second = session.call('Heartbeat', {});
    const [, id1] = await peer.frame(0);
    expect(await peer.settle()).toBe(1);
    peer.send([3, id1, { currentTime: now }]);
    await first;
    const [, id2] = await peer.frame(1);
    expect(id2).not.toBe(id1);
    peer.send([3, id2, { currentTime: now }]);
    await expect(second).resolves.toEqual({ currentTime: now });
  });

  it('maxInFlight lets more calls out at once when configured', async () => {
    const { session, peer } = await withRawPeer(v201Protocol, 'station', undefined, {
      maxInFlight: 2,
    });
    void session.call('Heartbeat', {}).catch(() => {});
    void session.call('Heartbeat', {}).catch(() => {});
    void session.call('Heartbeat', {}).catch(() => {});
    expect(await peer.settle()).toBe(2);
  });

  it('a timed-out call frees the slot; its late reply is dropped, never handed to the next call', async () => {
    const { session, peer } = await withRawPeer(v201Protocol, 'station');
    const unexpected = vi.fn();
    session.on('unexpected', unexpected);
    const first = session.call('Heartbeat', {}, { timeout: 20 });
    const second = session.call('Heartbeat', {});
    const [, id1] = await peer.frame(0);
    await expect(first).rejects.toMatchObject({ code: 'TIMEOUT' });
    const [, id2] = await peer.frame(1);
    peer.send([3, id1, { currentTime: '2000-01-01T00:00:00Z' }]);
    await peer.settle();
    expect(unexpected).toHaveBeenCalledWith(
      expect.objectContaining({ reason: expect.stringContaining('unknown message id') }),
    );
    peer.send([3, id2, { currentTime: now }]);
    await expect(second).resolves.toEqual({ currentTime: now });
    expect(await peer.settle()).toBe(2);
  });

  it('QUEUE_FULL once maxQueue calls wait', async () => {
    const { session } = await withRawPeer(v201Protocol, 'station', undefined, { maxQueue: 1 });
    void session.call('Heartbeat', {}).catch(() => {});
    void session.call('Heartbeat', {}).catch(() => {});
    await expect(session.call('Heartbeat', {})).rejects.toMatchObject({ code: 'QUEUE_FULL' });
  });

  it('an AbortSignal aborts a queued call and an in-flight call', async () => {
    const { session, peer } = await withRawPeer(v201Protocol, 'station');
    const c1 = new AbortController();
    const c2 = new AbortController();
    const inFlight = session.call('Heartbeat', {}, { signal: c1.signal });
    const queued = session.call('Heartbeat', {}, { signal: c2.signal });
    await peer.frame(0);
    c2.abort();
    await expect(queued).rejects.toMatchObject({ code: 'ABORTED' });
    c1.abort();
    await expect(inFlight).rejects.toMatchObject({ code: 'ABORTED' });
    expect(session.pending).toEqual({ queued: 0, inFlight: 0 });
  });

  it('closing the connection rejects pending calls with CONNECTION_CLOSED', async () => {
    const { session, peer } = await withRawPeer(v201Protocol, 'station');
    const call = session.call('Heartbeat', {});
    await peer.frame(0);
    await peer.transport.close(1001, 'bye');
    const error = await call.catch((e: unknown) => e);
    expect(isOcppSdkError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONNECTION_CLOSED' });
    await expect(session.call('Heartbeat', {})).rejects.toMatchObject({
      code: 'CONNECTION_CLOSED',
    });
  });

  it('an invalid request is refused before anything is sent', async () => {
    const { session, peer } = await withRawPeer(v201Protocol, 'station');
    // @ts-expect-error chargingStation is required
    const call = session.call('BootNotification', { reason: 'PowerUp' });
    await expect(call).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await peer.settle()).toBe(0);
  });

  it('a CALLERROR from the peer rejects with OcppCallError, accepting either spelling', async () => {
    const { session, peer } = await withRawPeer(v201Protocol, 'station');
    const call = session.call('Heartbeat', {});
    const [, id] = await peer.frame(0);
    peer.send([4, id, 'FormationViolation', 'bad', {}]);
    await expect(call).rejects.toMatchObject({
      name: 'OcppCallError',
      code: 'FormatViolation',
      description: 'bad',
    });
  });
});

describe('validation policy', () => {
  it('an invalid CALLRESULT rejects the call; 2.1 answers CALLRESULTERROR', async () => {
    const { session, peer } = await withRawPeer(v21Protocol, 'station');
    const call = session.call('Heartbeat', {});
    const [, id] = await peer.frame(0);
    peer.send([3, id, {}]);
    await expect(call).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await peer.frame(1)).toEqual([
      5,
      id,
      'OccurrenceConstraintViolation',
      expect.stringContaining('/currentTime'),
      {},
    ]);
  });

  it('on 2.0.1 an invalid CALLRESULT is a local error only: nothing goes back', async () => {
    const { session, peer } = await withRawPeer(v201Protocol, 'station');
    const call = session.call('Heartbeat', {});
    const [, id] = await peer.frame(0);
    peer.send([3, id, {}]);
    await expect(call).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await peer.settle()).toBe(1);
  });

  it('lenient for one action tolerates a bad payload from the station and reports it', async () => {
    const received: unknown[] = [];
    const router = createRouter(v16Protocol, 'csms')
      .handle('MeterValues', (req) => {
        received.push(req);
        return {};
      })
      .handle('Heartbeat', () => ({ currentTime: now }));
    const { session, peer } = await withRawPeer(v16Protocol, 'csms', router, {
      validation: { actions: { MeterValues: { inbound: 'lenient' } } },
    });
    const events: ValidationEvent[] = [];
    session.on('validation', (e) => events.push(e));
    const odd = {
      connectorId: 1,
      meterValue: [{ timestamp: now, sampledValue: [{ value: '1', unit: 'Celsius degrees' }] }],
    };
    peer.send([2, 'm1', 'MeterValues', odd]);
    expect(await peer.frame(0)).toEqual([3, 'm1', {}]);
    expect(received).toEqual([odd]);
    expect(events).toMatchObject([
      {
        direction: 'inbound',
        action: 'MeterValues',
        mode: 'lenient',
        errorCode: 'PropertyConstraintViolation',
      },
    ]);
    // Other actions stay strict.
    peer.send([2, 'h1', 'Heartbeat', { extra: 1 }]);
    expect(await peer.frame(1)).toEqual([
      4,
      'h1',
      'FormationViolation',
      expect.any(String),
      expect.any(Object),
    ]);
  });

  it('a handler returning an invalid response yields InternalError, not an invalid CALLRESULT', async () => {
    const router = createRouter(v201Protocol, 'csms').handle(
      'Heartbeat',
      () => ({}) as { currentTime: string },
    );
    const { peer } = await withRawPeer(v201Protocol, 'csms', router);
    peer.send([2, 'h1', 'Heartbeat', {}]);
    expect(await peer.frame(0)).toEqual([4, 'h1', 'InternalError', expect.any(String), {}]);
  });
});

describe('SEND (2.1)', () => {
  it('goes out at once, even with a CALL in flight, and gets no reply', async () => {
    const { session, peer } = await withRawPeer(v21Protocol, 'station');
    void session.call('Heartbeat', {}).catch(() => {});
    session.send('NotifyPeriodicEventStream', {
      id: 1,
      pending: 0,
      basetime: now,
      data: [{ t: 0, v: '1' }],
    });
    await peer.frame(1);
    expect((await peer.frame(0))[0]).toBe(2);
    expect((await peer.frame(1)).slice(0, 1)).toEqual([6]);
  });

  it('a received SEND reaches its handler and nothing is answered', async () => {
    const got: unknown[] = [];
    const router = createRouter(v21Protocol, 'csms').handle('NotifyPeriodicEventStream', (req) => {
      got.push(req.id);
    });
    const { peer } = await withRawPeer(v21Protocol, 'csms', router);
    peer.send([
      6,
      's1',
      'NotifyPeriodicEventStream',
      { id: 9, pending: 0, basetime: now, data: [{ t: 0, v: '1' }] },
    ]);
    await vi.waitFor(() => expect(got).toEqual([9]));
    expect(await peer.settle()).toBe(0);
  });
});

describe('services', () => {
  it('timeout() answers InternalError when a handler is too slow', async () => {
    const { timeout } = await import('../src/services.js');
    const router = createRouter(v201Protocol, 'csms')
      .use(timeout(10))
      .handle(
        'Heartbeat',
        () => new Promise((r) => setTimeout(() => r({ currentTime: now }), 200)),
      );
    const { peer } = await withRawPeer(v201Protocol, 'csms', router);
    peer.send([2, 'h1', 'Heartbeat', {}]);
    expect(await peer.frame(0)).toEqual([
      4,
      'h1',
      'InternalError',
      expect.stringContaining('10 ms'),
      {},
    ]);
  });

  it('services run in order around the handler and see the result', async () => {
    const trace: string[] = [];
    const router = createRouter(v201Protocol, 'csms')
      .use(async (call, next) => {
        trace.push(`outer> ${call.action}`);
        const r = await next();
        trace.push('outer<');
        return r;
      })
      .use(async (_call, next) => {
        trace.push('inner>');
        return next();
      })
      .handle('Heartbeat', () => {
        trace.push('handler');
        return { currentTime: now };
      });
    const { peer } = await withRawPeer(v201Protocol, 'csms', router);
    peer.send([2, 'h1', 'Heartbeat', {}]);
    await peer.frame(0);
    expect(trace).toEqual(['outer> Heartbeat', 'inner>', 'handler', 'outer<']);
  });
});

describe('values JSON cannot carry', () => {
  it('an unserialisable handler result or error details still get a CALLERROR, and nothing is left unhandled', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const router = createRouter(v201Protocol, 'csms').handle('DataTransfer', (req) => {
        if (req.vendorId === 'bigint') throw new OcppCallError('GenericError', 'x', { n: 1n });
        const data: Record<string, unknown> = {};
        data.self = data;
        return { status: 'Accepted', data };
      });
      const { peer } = await withRawPeer(v201Protocol, 'csms', router, {
        validation: { outbound: 'off' },
      });
      peer.send([2, 'c1', 'DataTransfer', { vendorId: 'circ' }]);
      expect(await peer.frame(0)).toEqual([4, 'c1', 'InternalError', expect.any(String), {}]);
      peer.send([2, 'c2', 'DataTransfer', { vendorId: 'bigint' }]);
      expect(await peer.frame(1)).toEqual([4, 'c2', 'GenericError', 'x', {}]);
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('an unserialisable request rejects with VALIDATION_FAILED', async () => {
    const { session } = await withRawPeer(v201Protocol, 'station', undefined, {
      validation: { outbound: 'off' },
    });
    const data: Record<string, unknown> = {};
    data.self = data;
    await expect(session.call('DataTransfer', { vendorId: 'v', data })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('handler abort signal', () => {
  it('is aborted when the connection closes while the handler runs, and nothing is answered', async () => {
    let seen: AbortSignal | undefined;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const router = createRouter(v201Protocol, 'csms').handle('Heartbeat', async (_req, ctx) => {
      seen = ctx.signal;
      expect(seen.aborted).toBe(false);
      await gate;
      return { currentTime: now };
    });
    const { peer } = await withRawPeer(v201Protocol, 'csms', router);
    peer.send([2, 'h1', 'Heartbeat', {}]);
    await vi.waitFor(() => expect(seen).toBeDefined());
    await peer.transport.close();
    await vi.waitFor(() => expect(seen?.aborted).toBe(true));
    release();
    await new Promise((r) => setTimeout(r, 5));
    expect(peer.received).toEqual([]);
  });
});

describe('state created on first use', () => {
  it('a session that never called has nothing pending; its first call sets up the queue', async () => {
    const { station } = await pair(v201Protocol, { csms: csms201() });
    expect(station.pending).toEqual({ queued: 0, inFlight: 0 });
    const first = station.call('Heartbeat', {});
    const second = station.call('Heartbeat', {});
    expect(station.pending).toEqual({ queued: 1, inFlight: 1 });
    expect(await first).toEqual({ currentTime: now });
    expect(await second).toEqual({ currentTime: now });
    expect(station.pending).toEqual({ queued: 0, inFlight: 0 });
  });

  it('a CALL id is refused as a duplicate only while an asynchronous handler still runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const router = createRouter(v201Protocol, 'csms')
      .handle('Heartbeat', async () => {
        await gate;
        return { currentTime: now };
      })
      .handle('StatusNotification', () => ({}));
    const { peer } = await withRawPeer(v201Protocol, 'csms', router);
    const status = {
      timestamp: now,
      connectorStatus: 'Available',
      evseId: 1,
      connectorId: 1,
    };
    // A synchronous handler is done before the next frame is read: the same id is fine again.
    peer.send([2, 's1', 'StatusNotification', status]);
    peer.send([2, 's1', 'StatusNotification', status]);
    expect(await peer.frame(0)).toEqual([3, 's1', {}]);
    expect(await peer.frame(1)).toEqual([3, 's1', {}]);
    peer.send([2, 'h1', 'Heartbeat', {}]);
    peer.send([2, 'h1', 'Heartbeat', {}]);
    const duplicate = await peer.frame(2);
    expect(duplicate.slice(0, 3)).toEqual([4, 'h1', 'ProtocolError']);
    release();
    expect(await peer.frame(3)).toEqual([3, 'h1', { currentTime: now }]);
    peer.send([2, 'h1', 'Heartbeat', {}]);
    expect(await peer.frame(4)).toEqual([3, 'h1', { currentTime: now }]);
  });

  it('frame events flow only while a listener is attached', async () => {
    const { station } = await pair(v201Protocol, { csms: csms201() });
    const frames: string[] = [];
    const listener = (direction: 'in' | 'out', text: string) => frames.push(`${direction} ${text}`);
    await station.call('Heartbeat', {});
    expect(frames).toEqual([]);
    const off = station.on('frame', listener);
    await station.call('Heartbeat', {});
    expect(frames.map((f) => f.slice(0, 6))).toEqual(['out [2', 'in [3,']);
    off();
    await station.call('Heartbeat', {});
    expect(frames).toHaveLength(2);
    station.on('frame', listener);
    station.off('frame', listener);
    await station.call('Heartbeat', {});
    expect(frames).toHaveLength(2);
  });

  it('the handler context and the call a service sees carry the same facts', async () => {
    const seen: unknown[] = [];
    const router = createRouter(v201Protocol, 'csms')
      .inject('tag', 'deps')
      .use(async (call, next) => {
        seen.push([call.identity, call.action, call.kind, call.messageId, call.payload]);
        seen.push(call.context.messageId === call.messageId);
        return next();
      })
      .handle('Heartbeat', (request, context) => {
        seen.push([context.identity, context.action, context.messageId, context.deps.tag]);
        seen.push(request);
        seen.push(context.signal.aborted);
        return { currentTime: now };
      });
    const { peer } = await withRawPeer(v201Protocol, 'csms', router);
    peer.send([2, 'm1', 'Heartbeat', {}]);
    expect(await peer.frame(0)).toEqual([3, 'm1', { currentTime: now }]);
    expect(seen).toEqual([
      ['CS001', 'Heartbeat', 'CALL', 'm1', {}],
      true,
      ['CS001', 'Heartbeat', 'm1', 'deps'],
      {},
      false,
    ]);
  });
});

function handSession(router?: ReturnType<typeof csms201>) {
  const transport = new HandTransport();
  const session = new OcppSession({
    protocol: v201Protocol,
    role: 'csms',
    transport,
    identity: 'CS001',
    logger: silentLogger,
    ...(router !== undefined && { router }),
  });
  return { transport, session };
}

function handStation() {
  const transport = new HandTransport();
  const session = new OcppSession({
    protocol: v201Protocol,
    role: 'station',
    transport,
    identity: 'CS001',
    logger: silentLogger,
  });
  return { transport, session };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe('bookkeeping across closes and reconnects', () => {
  it('a handler left over from the previous connection does not free the same id on the new one', async () => {
    const gates: Array<() => void> = [];
    const router = createRouter(v201Protocol, 'csms').handle(
      'Heartbeat',
      () =>
        new Promise((resolve) => {
          gates.push(() => resolve({ currentTime: now }));
        }),
    );
    const { transport, session } = handSession(router);
    await session.start();
    transport.deliver([2, 'h1', 'Heartbeat', {}]);
    transport.drop(true);
    transport.up();
    // The station reuses the id on the new connection (it restarted its counter).
    transport.deliver([2, 'h1', 'Heartbeat', {}]);
    expect(gates).toHaveLength(2);
    // The old handler finishes: it answers nothing and must not touch the new call's id.
    gates[0]!();
    await settle();
    expect(transport.sent).toEqual([]);
    transport.deliver([2, 'h1', 'Heartbeat', {}]);
    await settle();
    expect(transport.frames().map((f) => f.slice(0, 3))).toEqual([[4, 'h1', 'ProtocolError']]);
    gates[1]!();
    await settle();
    expect(transport.frames()[1]).toEqual([3, 'h1', { currentTime: now }]);
  });

  it('a final close rejects queued and in-flight calls alike and leaves nothing pending', async () => {
    const { transport, session } = handStation();
    await session.start();
    const calls = [1, 2, 3].map(() => session.call('Heartbeat', {}).catch((e: unknown) => e));
    expect(session.pending).toEqual({ queued: 2, inFlight: 1 });
    transport.drop(false, 1001);
    const errors = await Promise.all(calls);
    for (const e of errors) expect(e).toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(session.pending).toEqual({ queued: 0, inFlight: 0 });
    expect(transport.sent).toHaveLength(1);
  });

  it('a reconnecting close keeps the queue; a late reply from the old connection reaches no one', async () => {
    const { transport, session } = handStation();
    const unexpected = vi.fn();
    session.on('unexpected', unexpected);
    await session.start();
    const first = session.call('Heartbeat', {}).catch((e: unknown) => e);
    const second = session.call('Heartbeat', {});
    const third = session.call('Heartbeat', {});
    const [, id1] = transport.frames()[0]!;
    transport.drop(true);
    expect(await first).toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(session.pending).toEqual({ queued: 2, inFlight: 0 });
    transport.up();
    expect(transport.frames()).toHaveLength(2);
    const [, id2] = transport.frames()[1]!;
    // The answer to the first call arrives late, on the new connection.
    transport.deliver([3, id1, { currentTime: '2000-01-01T00:00:00Z' }]);
    expect(unexpected).toHaveBeenCalledTimes(1);
    expect(session.pending).toEqual({ queued: 1, inFlight: 1 });
    transport.deliver([3, id2, { currentTime: now }]);
    await expect(second).resolves.toEqual({ currentTime: now });
    const [, id3] = transport.frames()[2]!;
    transport.deliver([3, id3, { currentTime: now }]);
    await expect(third).resolves.toEqual({ currentTime: now });
  });

  it('close() rejects everything once, and the close event that follows finds nothing to reject', async () => {
    const { session } = handStation();
    await session.start();
    const calls = [1, 2].map(() => session.call('Heartbeat', {}).catch((e: unknown) => e));
    const closes: unknown[] = [];
    session.on('close', (info) => closes.push(info));
    await session.close(1000, 'bye');
    expect(await Promise.all(calls)).toEqual([
      expect.objectContaining({ code: 'CONNECTION_CLOSED' }),
      expect.objectContaining({ code: 'CONNECTION_CLOSED' }),
    ]);
    expect(closes).toEqual([{ code: 1000, reason: 'bye', reconnecting: false }]);
    expect(session.pending).toEqual({ queued: 0, inFlight: 0 });
  });

  it('a late CALLERROR for an aborted call is not handed to the call sent after it', async () => {
    const { transport, session } = handStation();
    await session.start();
    const controller = new AbortController();
    const first = session.call('Heartbeat', {}, { signal: controller.signal });
    const second = session.call('Heartbeat', {});
    const [, id1] = transport.frames()[0]!;
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
    const [, id2] = transport.frames()[1]!;
    transport.deliver([4, id1, 'InternalError', 'late', {}]);
    transport.deliver([3, id2, { currentTime: now }]);
    await expect(second).resolves.toEqual({ currentTime: now });
  });
});

describe('handled ids', () => {
  it('a synchronous handler behind an asynchronous service is still guarded against a duplicate id', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const router = createRouter(v201Protocol, 'csms')
      .use(async (_call, next) => {
        await gate;
        return next();
      })
      .handle('Heartbeat', () => ({ currentTime: now }));
    const { transport, session } = handSession(router);
    await session.start();
    transport.deliver([2, 'd1', 'Heartbeat', {}]);
    transport.deliver([2, 'd1', 'Heartbeat', {}]);
    expect(transport.frames().map((f) => f.slice(0, 3))).toEqual([[4, 'd1', 'ProtocolError']]);
    release();
    await settle();
    expect(transport.frames()[1]).toEqual([3, 'd1', { currentTime: now }]);
  });

  it('an id is free again once its handler failed, synchronously or not', async () => {
    let mode: 'throw' | 'reject' | 'ok' = 'throw';
    const router = createRouter(v201Protocol, 'csms').handle('Heartbeat', () => {
      if (mode === 'throw') throw new Error('sync');
      if (mode === 'reject') return Promise.reject(new Error('async'));
      return { currentTime: now };
    });
    const { transport, session } = handSession(router);
    await session.start();
    transport.deliver([2, 'x', 'Heartbeat', {}]);
    mode = 'reject';
    transport.deliver([2, 'x', 'Heartbeat', {}]);
    await settle();
    mode = 'ok';
    transport.deliver([2, 'x', 'Heartbeat', {}]);
    await settle();
    expect(transport.frames().map((f) => f.slice(0, 3))).toEqual([
      [4, 'x', 'InternalError'],
      [4, 'x', 'InternalError'],
      [3, 'x', { currentTime: now }],
    ]);
  });
});

describe('handled ids and SEND (2.1)', () => {
  it('a SEND handler finishing does not free the id of a CALL still being handled', async () => {
    const gates: Array<() => void> = [];
    const wait = () =>
      new Promise<void>((r) => {
        gates.push(r);
      });
    const router = createRouter(v21Protocol, 'csms')
      .handle('Heartbeat', async () => {
        await wait();
        return { currentTime: now };
      })
      .handle('NotifyPeriodicEventStream', async () => {
        await wait();
      });
    const { peer } = await withRawPeer(v21Protocol, 'csms', router);
    peer.send([2, 'same', 'Heartbeat', {}]);
    peer.send([
      6,
      'same',
      'NotifyPeriodicEventStream',
      { id: 9, pending: 0, basetime: now, data: [{ t: 0, v: '1' }] },
    ]);
    await vi.waitFor(() => expect(gates).toHaveLength(2));
    gates[1]!();
    expect(await peer.settle()).toBe(0);
    peer.send([2, 'same', 'Heartbeat', {}]);
    expect(await peer.settle()).toBe(1);
    expect((await peer.frame(0)).slice(0, 3)).toEqual([4, 'same', 'ProtocolError']);
    gates[0]!();
    expect(await peer.frame(1)).toEqual([3, 'same', { currentTime: now }]);
  });
});
