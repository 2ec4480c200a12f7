import { createRouter } from '@ocpp/rpc';
import { OcppCallError } from '@ocpp/runtime';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { describe, expect, it, vi } from 'vitest';
import { csmsRouters, now, startCsms, startStation } from './setup.js';

describe('one CSMS port, three versions, real WebSockets', () => {
  it('1.6, 2.0.1 and 2.1 stations boot, heartbeat and get called back', async () => {
    const r = csmsRouters();
    const { csms, url } = await startCsms([r.v21, r.v201, r.v16]);
    const s16 = await startStation(
      v16Protocol,
      url,
      'CS16',
      createRouter(v16Protocol, 'station').handle('Reset', () => ({ status: 'Accepted' })),
    );
    const s201 = await startStation(
      v201Protocol,
      url,
      'CS201',
      createRouter(v201Protocol, 'station').handle('Reset', () => ({ status: 'Scheduled' })),
    );
    const s21 = await startStation(
      v21Protocol,
      url,
      'CS21',
      createRouter(v21Protocol, 'station').handle('Reset', () => ({ status: 'Rejected' })),
    );
    await expect(
      s16.station.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'M' }),
    ).resolves.toMatchObject({ status: 'Accepted' });
    await expect(
      s201.station.call('BootNotification', {
        reason: 'PowerUp',
        chargingStation: { model: 'M', vendorName: 'Acme' },
      }),
    ).resolves.toMatchObject({ interval: 300 });
    await expect(s21.station.call('Heartbeat', {})).resolves.toEqual({ currentTime: now });
    expect(s16.transport.protocol).toBe('ocpp1.6');
    expect(s21.transport.protocol).toBe('ocpp2.1');

    const results: string[] = [];
    for (const id of ['CS16', 'CS201', 'CS21']) {
      const s = csms.get(id)!;
      if (s.protocol === 'ocpp1.6') results.push((await s.call('Reset', { type: 'Soft' })).status);
      else results.push((await s.call('Reset', { type: 'OnIdle' })).status);
    }
    expect(results).toEqual(['Accepted', 'Scheduled', 'Rejected']);
  });

  it('calls cross in both directions on one socket', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const csmsRouter = createRouter(v201Protocol, 'csms').handle('Heartbeat', async () => {
      await gate;
      return { currentTime: now };
    });
    const { csms, url } = await startCsms([csmsRouter]);
    const { station } = await startStation(
      v201Protocol,
      url,
      'X1',
      createRouter(v201Protocol, 'station').handle('ClearCache', () => ({ status: 'Accepted' })),
    );
    const heartbeat = station.call('Heartbeat', {});
    await vi.waitFor(() => expect(csms.get('X1')).toBeDefined());
    await expect(csms.get('X1')!.call('ClearCache', {})).resolves.toEqual({ status: 'Accepted' });
    release();
    await expect(heartbeat).resolves.toEqual({ currentTime: now });
  });

  it('one call in flight: the CSMS never sees two calls of a station at once', async () => {
    let active = 0;
    let peak = 0;
    const router = createRouter(v16Protocol, 'csms').handle('Heartbeat', async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return { currentTime: now };
    });
    const { url } = await startCsms([router]);
    const { station } = await startStation(v16Protocol, url, 'Q1');
    await Promise.all(Array.from({ length: 10 }, () => station.call('Heartbeat', {})));
    expect(peak).toBe(1);
  });

  it('timeouts, late replies and abort over a real socket', async () => {
    const router = createRouter(v201Protocol, 'csms').handle(
      'Heartbeat',
      async (_req, { messageId }) => {
        await new Promise((r) => setTimeout(r, messageId.startsWith('slow') ? 80 : 1));
        return { currentTime: now };
      },
    );
    const { url } = await startCsms([router]);
    const ids = ['slow-1', 'fast-2', 'slow-3', 'fast-4'];
    let n = 0;
    const { station } = await startStation(
      v201Protocol,
      url,
      'T1',
      undefined,
      {},
      { messageId: () => ids[n++]! },
    );
    const unexpected = vi.fn();
    station.on('unexpected', unexpected);
    await expect(station.call('Heartbeat', {}, { timeout: 20 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    await expect(station.call('Heartbeat', {})).resolves.toEqual({ currentTime: now });
    await vi.waitFor(() => expect(unexpected).toHaveBeenCalledTimes(1), { timeout: 500 });
    const controller = new AbortController();
    const aborted = station.call('Heartbeat', {}, { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(station.call('Heartbeat', {})).resolves.toEqual({ currentTime: now });
  });

  it('2.1 SEND and CALLRESULTERROR over the wire', async () => {
    const streams: number[] = [];
    const router = createRouter(v21Protocol, 'csms')
      .handle('NotifyPeriodicEventStream', (req) => {
        streams.push(req.id);
      })
      .handle('Heartbeat', () => ({}) as { currentTime: string });
    const { csms, url } = await startCsms([router], { validation: { outbound: 'off' } });
    const { station } = await startStation(v21Protocol, url, 'S21');
    station.send('NotifyPeriodicEventStream', {
      id: 4,
      pending: 0,
      basetime: now,
      data: [{ t: 0, v: '1' }],
    });
    await vi.waitFor(() => expect(streams).toEqual([4]));
    const rejected = vi.fn();
    csms.get('S21')!.on('resultError', rejected);
    await expect(station.call('Heartbeat', {})).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await vi.waitFor(() =>
      expect(rejected).toHaveBeenCalledWith(
        expect.objectContaining({ code: 'OccurrenceConstraintViolation' }),
        expect.any(String),
      ),
    );
  });

  it('handler errors reach the station as CALLERRORs in the version spelling', async () => {
    const router = createRouter(v16Protocol, 'csms').handle('DataTransfer', (req) => {
      if (req.vendorId === 'bad') throw new OcppCallError('FormatViolation', 'bad data');
      throw new Error('database down');
    });
    const { url } = await startCsms([router]);
    const { station } = await startStation(v16Protocol, url, 'E1');
    await expect(station.call('DataTransfer', { vendorId: 'bad' })).rejects.toMatchObject({
      code: 'FormationViolation',
      description: 'bad data',
    });
    const internal = await station.call('DataTransfer', { vendorId: 'x' }).catch((e: unknown) => e);
    expect(internal).toMatchObject({ code: 'InternalError' });
    expect(JSON.stringify(internal)).not.toContain('database down');
  });
});

describe('reconnect', () => {
  it('a call made while the station is disconnected waits and goes out after the reconnect', async () => {
    const r = csmsRouters();
    const { csms, url } = await startCsms([r.v201]);
    const { station, transport } = await startStation(v201Protocol, url, 'R1', undefined, {
      reconnect: true,
      backoff: { waitMinimumSeconds: 0.05, randomRangeSeconds: 0, repeatTimes: 2 },
    });
    const reconnecting = vi.fn();
    transport.on('reconnecting', reconnecting);
    await vi.waitFor(() => expect(csms.get('R1')).toBeDefined());
    await csms.get('R1')!.close(1011, 'restart');
    await vi.waitFor(() => expect(station.isOpen).toBe(false));
    const queued = station.call('Heartbeat', {});
    expect(station.pending.queued).toBe(1);
    await expect(queued).resolves.toEqual({ currentTime: now });
    expect(reconnecting).toHaveBeenCalled();
    expect(station.isOpen).toBe(true);
  });

  it('with whenDisconnected "fail" the call rejects at once', async () => {
    const r = csmsRouters();
    const { csms, url } = await startCsms([r.v16]);
    const { station, transport } = await startStation(
      v16Protocol,
      url,
      'R2',
      undefined,
      {
        reconnect: true,
        backoff: { waitMinimumSeconds: 5, randomRangeSeconds: 0, repeatTimes: 0 },
      },
      { whenDisconnected: 'fail' },
    );
    await vi.waitFor(() => expect(csms.get('R2')).toBeDefined());
    await csms.get('R2')!.close(1011, 'restart');
    await vi.waitFor(() => expect(station.isOpen).toBe(false));
    await expect(station.call('Heartbeat', {})).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await transport.close();
  });
});

describe('graceful shutdown', () => {
  it('csms.close() closes stations with 1001 and rejects the calls pending on both sides', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => {
      entered = r;
    });
    // Each side's handler never answers, so each side's call is still pending at shutdown.
    const r = csmsRouters();
    const v201Csms = createRouter(v201Protocol, 'csms')
      .handle('BootNotification', () => ({ status: 'Accepted', currentTime: now, interval: 300 }))
      .handle('Heartbeat', () => {
        entered();
        return new Promise<never>(() => {});
      });
    const { csms, url } = await startCsms([r.v16, v201Csms]);
    const { station, transport } = await startStation(
      v201Protocol,
      url,
      'G1',
      createRouter(v201Protocol, 'station').handle('Reset', () => new Promise<never>(() => {})),
    );
    const closes: { code: number; reason: string }[] = [];
    transport.on('close', (info) => closes.push({ code: info.code, reason: info.reason }));
    await vi.waitFor(() => expect(csms.get('G1')).toBeDefined());
    const session = csms.get('G1')!;
    if (session.protocol !== 'ocpp2.0.1') throw new Error('a 2.0.1 session');
    const fromCsms = session.call('Reset', { type: 'Immediate' }).catch((e: unknown) => e);
    const fromStation = station.call('Heartbeat', {}).catch((e: unknown) => e);
    await inHandler;

    await csms.close();

    expect(await fromCsms).toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(await fromStation).toMatchObject({ code: 'CONNECTION_CLOSED' });
    await vi.waitFor(() => expect(closes).toEqual([{ code: 1001, reason: 'CSMS shutting down' }]));
    expect(csms.get('G1')).toBeUndefined();
    expect(station.pending).toMatchObject({ queued: 0 });
  });
});
