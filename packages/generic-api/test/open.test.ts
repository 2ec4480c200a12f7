import { log, type Service, silentLogger } from '@ocpp/rpc';
import { OcppCallError } from '@ocpp/runtime';
import { createWsClient, createWsServer } from '@ocpp/transport-ws';
import type * as V201 from '@ocpp/v201-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGenericCsms,
  createGenericStation,
  type GenericCsmsOptions,
  type GenericStation,
  type GenericStationOptions,
  type ProtocolVersion,
} from '../src/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

type Frame = readonly [direction: 'in' | 'out', type: number, ...rest: unknown[]];

async function csmsWith<D>(options: Omit<GenericCsmsOptions<D>, 'listener'>) {
  const listener = createWsServer({
    host: '127.0.0.1',
    port: 0,
    ...(options.versions === undefined ? {} : { protocols: options.versions }),
  });
  const csms = createGenericCsms<D>({ logger: silentLogger, ...options, listener });
  const port = await listener.listen();
  cleanups.push(() => csms.close());
  return { csms, url: `ws://127.0.0.1:${port}` };
}

async function stationWith<D>(
  url: string,
  protocol: ProtocolVersion | readonly ProtocolVersion[],
  identity: string,
  options: Omit<GenericStationOptions<D>, 'transport' | 'identity' | 'protocol'> = {},
): Promise<{ station: GenericStation; frames: Frame[] }> {
  const protocols = typeof protocol === 'string' ? [protocol] : [...protocol];
  const station = createGenericStation<D>({
    session: { logger: silentLogger },
    ...options,
    protocol,
    identity,
    transport: createWsClient({ url, identity, protocols, reconnect: false }),
  });
  const frames: Frame[] = [];
  station.session.on('frame', (direction, text) => {
    const [type, , ...rest] = JSON.parse(text) as [number, string, ...unknown[]];
    frames.push([direction, type, ...rest]);
  });
  await station.start();
  cleanups.push(() => station.close());
  return { station, frames };
}

describe('versioned handlers reach every action of a version, on both sides', () => {
  it('a 2.0.1 CSMS asks for a base report and receives its parts; other station messages too', async () => {
    const parts: V201.NotifyReportRequest[] = [];
    let reportDone: (parts: V201.NotifyReportRequest[]) => void = () => {};
    const report = new Promise<V201.NotifyReportRequest[]>((r) => {
      reportDone = r;
    });
    const seen: string[] = [];
    const { csms, url } = await csmsWith({
      handlers: { onBoot: () => ({ status: 'Accepted', interval: 300 }) },
      versioned: {
        'ocpp2.0.1': {
          NotifyReport: (req, ctx) => {
            expect(ctx.session.protocol).toBe('ocpp2.0.1');
            parts.push(req);
            if (req.tbc !== true) reportDone(parts);
            return {};
          },
          SecurityEventNotification: (req, ctx) => {
            seen.push(`security:${req.type}:${ctx.identity}`);
            return {};
          },
          SignCertificate: (req) => {
            seen.push(`sign:${req.csr.slice(0, 10)}`);
            return { status: 'Accepted' };
          },
          ReservationStatusUpdate: (req) => {
            seen.push(`reservation:${req.reservationId}:${req.reservationUpdateStatus}`);
            return {};
          },
        },
      },
    });

    const variables = [
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'SecurityProfile' } },
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      { component: { name: 'ClockCtrlr' }, variable: { name: 'DateTime' } },
    ];
    const { station } = await stationWith(url, 'ocpp2.0.1', 'CS-REPORT', {
      versioned: {
        'ocpp2.0.1': {
          GetBaseReport: (req) => {
            expect(req.reportBase).toBe('FullInventory');
            return { status: 'Accepted' };
          },
        },
      },
      versionedAfter: {
        'ocpp2.0.1': {
          // The report follows the answer, in three parts.
          GetBaseReport: async (req, _res, ctx) => {
            for (const [seqNo, v] of variables.entries()) {
              await ctx.session.call('NotifyReport', {
                requestId: req.requestId,
                generatedAt: new Date().toISOString(),
                seqNo,
                tbc: seqNo < variables.length - 1,
                reportData: [{ ...v, variableAttribute: [{ value: String(seqNo) }] }],
              });
            }
          },
        },
      },
    });
    await station.boot({ model: 'M', vendorName: 'V', reason: 'PowerUp' });

    const handle = csms.station('CS-REPORT');
    const session = handle?.session;
    if (session?.protocol !== 'ocpp2.0.1') throw new Error('expected a 2.0.1 session');
    const answer = await session.call('GetBaseReport', {
      requestId: 7,
      reportBase: 'FullInventory',
    });
    expect(answer.status).toBe('Accepted');
    const got = await report;
    expect(got.map((p) => [p.requestId, p.seqNo, p.tbc])).toEqual([
      [7, 0, true],
      [7, 1, true],
      [7, 2, false],
    ]);
    expect(got.map((p) => p.reportData?.[0]?.component.name)).toEqual([
      'SecurityCtrlr',
      'OCPPCommCtrlr',
      'ClockCtrlr',
    ]);

    const s = station.session;
    if (s.protocol !== 'ocpp2.0.1') throw new Error('expected a 2.0.1 station session');
    await s.call('SecurityEventNotification', {
      type: 'FirmwareUpdated',
      timestamp: new Date().toISOString(),
    });
    const signed = await s.call('SignCertificate', { csr: '-----BEGIN CERTIFICATE REQUEST-----' });
    expect(signed.status).toBe('Accepted');
    await s.call('ReservationStatusUpdate', {
      reservationId: 3,
      reservationUpdateStatus: 'Expired',
    });
    expect(seen).toEqual([
      'security:FirmwareUpdated:CS-REPORT',
      'sign:-----BEGIN',
      'reservation:3:Expired',
    ]);
  });

  it('a 1.6 CSMS takes the security extension SecurityEventNotification; unhandled stays NotSupported', async () => {
    const events: string[] = [];
    const { url } = await csmsWith({
      handlers: {},
      versioned: {
        'ocpp1.6': {
          SecurityEventNotification: (req, ctx) => {
            events.push(`${ctx.version}:${req.type}:${typeof ctx.raw}`);
            return {};
          },
        },
      },
    });
    const { station } = await stationWith(url, 'ocpp1.6', 'CS16-SEC');
    const s = station.session;
    if (s.protocol !== 'ocpp1.6') throw new Error('expected 1.6');
    await s.call('SecurityEventNotification', {
      type: 'StartupOfTheDevice',
      timestamp: new Date().toISOString(),
    });
    expect(events).toEqual(['ocpp1.6:StartupOfTheDevice:object']);
    const refused = await s.call('SignCertificate', { csr: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(OcppCallError);
    expect((refused as OcppCallError).code).toBe('NotSupported');
  });

  it('a versioned handler replaces the neutral one for its action and sees the raw payload', async () => {
    const { url } = await csmsWith({
      handlers: { onBoot: () => ({ status: 'Rejected', interval: 10 }) },
      versioned: {
        'ocpp2.0.1': {
          BootNotification: (req, ctx) => {
            const raw = ctx.raw as { customData?: { vendorId: string; note?: string } };
            return {
              status: 'Accepted',
              interval: raw.customData?.note === 'vip' ? 60 : 600,
              currentTime: new Date().toISOString(),
              ...(req.reason === 'PowerUp' ? {} : { statusInfo: { reasonCode: 'odd' } }),
            };
          },
        },
      },
    });
    const { station } = await stationWith(url, 'ocpp2.0.1', 'CS201-RAW');
    const s = station.session;
    if (s.protocol !== 'ocpp2.0.1') throw new Error('expected 2.0.1');
    const res = await s.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'M', vendorName: 'V' },
      customData: { vendorId: 'org.example', note: 'vip' },
    });
    expect(res).toMatchObject({ status: 'Accepted', interval: 60 });
  });

  it('refuses a versioned handler for an action the peer never sends', async () => {
    const listener = createWsServer({ host: '127.0.0.1', port: 0 });
    expect(() =>
      createGenericCsms({
        listener,
        handlers: {},
        // A CSMS does not receive Reset: the type says so, and so does the constructor.
        versioned: { 'ocpp2.0.1': { Reset: () => ({ status: 'Accepted' }) } as never },
      }),
    ).toThrow(/versioned handler "Reset": not an action a station sends in OCPP 2\.0\.1/);
    await listener.close();
  });
});

describe('after-hooks, services and deps from generic handlers', () => {
  it('an after-hook on onBoot calls the station strictly after the boot CALLRESULT', async () => {
    const { url } = await csmsWith({
      handlers: { onBoot: () => ({ status: 'Accepted', interval: 300 }) },
      after: {
        onBoot: async (params, result, ctx) => {
          expect(params.model).toBe('AFTER');
          expect(result.status).toBe('Accepted');
          await ctx.station.triggerMessage({ requestedMessage: 'StatusNotification', evseId: 1 });
        },
      },
    });
    for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const) {
      let triggered: () => void = () => {};
      const trigger = new Promise<void>((r) => {
        triggered = r;
      });
      const { station, frames } = await stationWith(url, version, `CS-AFTER-${version}`, {
        handlers: {
          onTriggerMessage: () => {
            triggered();
            return { status: 'Accepted' };
          },
        },
      });
      await station.boot({
        model: 'AFTER',
        vendorName: 'V',
        reason: 'PowerUp',
      });
      await trigger;
      const kinds = frames.map(([direction, type, action]) =>
        type === 2 ? `${direction}:CALL:${String(action)}` : `${direction}:${type}`,
      );
      expect(kinds.slice(0, 3)).toEqual([
        'out:CALL:BootNotification',
        'in:3',
        'in:CALL:TriggerMessage',
      ]);
    }
  });

  it('services wrap generic handlers and deps reach their context, on both sides', async () => {
    const order: string[] = [];
    const trace: Service = async (call, next) => {
      order.push(`in:${call.action}`);
      const result = await next();
      order.push(`out:${call.action}`);
      return result;
    };
    const db = { stations: new Set<string>() };
    const { csms, url } = await csmsWith({
      deps: { db },
      services: [trace, log(silentLogger)],
      handlers: {
        onBoot: (_p, ctx) => {
          ctx.deps.db.stations.add(ctx.identity);
          return { status: 'Accepted', interval: 60 };
        },
      },
    });
    const resets: string[] = [];
    const { station } = await stationWith(url, 'ocpp2.0.1', 'CS-DEPS', {
      deps: { resets },
      services: [trace],
      handlers: {
        onReset: (p, ctx) => {
          ctx.deps.resets.push(p.type);
          return { status: 'Accepted' };
        },
      },
    });
    await station.boot({ model: 'M', vendorName: 'V', reason: 'PowerUp' });
    expect([...db.stations]).toEqual(['CS-DEPS']);
    const res = await csms.station('CS-DEPS')?.reset({ type: 'OnIdle' });
    expect(res?.status).toBe('Accepted');
    expect(resets).toEqual(['OnIdle']);
    expect(order).toEqual(['in:BootNotification', 'out:BootNotification', 'in:Reset', 'out:Reset']);
  });
});

describe('a station offering several versions speaks the one the CSMS picked', () => {
  it('completes a charging session against three CSMSs that each serve one version', async () => {
    const offered = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] as const;
    for (const served of offered) {
      const events: string[] = [];
      const { url } = await csmsWith({
        versions: [served],
        handlers: {
          onBoot: (_p, ctx) => {
            events.push(`boot:${ctx.version}`);
            return { status: 'Accepted', interval: 300 };
          },
          onStatus: (p) => {
            events.push(`status:${p.status}`);
          },
          onTransaction: (e, ctx) => {
            events.push(`${e.eventType}:${ctx.action}`);
            return undefined;
          },
        },
      });
      const { station } = await stationWith(url, offered, `CS-NEG-${served}`, {
        handlers: { onReset: () => ({ status: 'Accepted' }) },
      });
      expect(station.version).toBe(served);
      expect(station.session.protocol).toBe(served);
      expect(station.offered).toEqual(offered);
      await station.boot({
        model: 'M',
        vendorName: 'V',
        reason: 'PowerUp',
      });
      await station.statusNotification({ evseId: 1, connectorId: 1, status: 'Occupied' });
      const idToken = { idToken: 'TAG-1', type: 'ISO14443' } as const;
      const { transactionId } = await station.startTransaction({
        evseId: 1,
        connectorId: 1,
        idToken,
        meterStart: 0,
      });
      await station.updateTransaction({
        transactionId,
        meterValue: [
          {
            timestamp: new Date().toISOString(),
            sampledValue: [{ value: 500, measurand: 'Energy.Active.Import.Register' }],
          },
        ],
      });
      await station.stopTransaction({ transactionId, meterStop: 1000, idToken });
      expect(station.transactions.size).toBe(0);
      const tx = served === 'ocpp1.6' ? ['StartTransaction', 'MeterValues', 'StopTransaction'] : [];
      expect(events).toEqual([
        `boot:${served}`,
        'status:Occupied',
        `Started:${tx[0] ?? 'TransactionEvent'}`,
        `Updated:${tx[1] ?? 'TransactionEvent'}`,
        `Ended:${tx[2] ?? 'TransactionEvent'}`,
      ]);
    }
  });

  it('refuses an empty, repeated or unknown version list', () => {
    const transport = createWsClient({
      url: 'ws://127.0.0.1:1',
      identity: 'X',
      protocols: ['ocpp1.6'],
      reconnect: false,
    });
    const make = (protocol: readonly ProtocolVersion[]) => () =>
      createGenericStation({ protocol, identity: 'X', transport });
    expect(make([])).toThrow(/at least one version/);
    expect(make(['ocpp1.6', 'ocpp1.6'])).toThrow(/twice/);
    expect(make(['ocpp9' as ProtocolVersion])).toThrow(/unknown protocol ocpp9/);
  });
});
