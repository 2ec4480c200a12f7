import { describe, expect, it, vi } from 'vitest';
import type {
  CsmsHandlers,
  GenericCsms,
  GenericStation,
  IdToken,
  ProtocolVersion,
  StationHandlers,
  TransactionEvent,
} from '../src/index.js';
import { startCsms, startStation, type WireFrame } from './helpers.js';

const T0 = '2025-03-14T09:00:00.000Z';
const T1 = '2025-03-14T09:15:00.000Z';
const T2 = '2025-03-14T10:00:00.000Z';
const T3 = '2025-03-14T10:30:00.000Z';
const TAG: IdToken = { idToken: 'TAG1', type: 'ISO14443' };
const APP: IdToken = { idToken: 'APP1', type: 'Central' };

/** The CSMS's business logic, once for every version; it records what it was told. */
function csmsLogic() {
  const events: TransactionEvent[] = [];
  const waiters: ((e: TransactionEvent) => void)[] = [];
  const handlers: CsmsHandlers = {
    onBoot: () => ({ status: 'Accepted', interval: 300, currentTime: T0 }),
    onHeartbeat: () => ({ currentTime: T0 }),
    onAuthorize: ({ idToken }) => ({
      idTokenInfo: { status: idToken.idToken === 'TAG1' ? 'Accepted' : 'Invalid' },
    }),
    onStatus: () => {},
    onTransaction: (event) => {
      events.push(event);
      for (const w of waiters.splice(0)) w(event);
      return undefined;
    },
    onDataTransfer: () => ({ status: 'Accepted', data: 'pong' }),
  };
  const next = () => new Promise<TransactionEvent>((resolve) => waiters.push(resolve));
  return { handlers, events, next };
}

/** The station's business logic, once for every version. */
function stationLogic() {
  const config = new Map([['HeartbeatInterval', '300']]);
  const handlers: StationHandlers = {
    onRemoteStart: (p, { station }) => {
      queueMicrotask(() => {
        void station.startTransaction({
          evseId: p.evseId ?? 1,
          idToken: p.idToken,
          meterStart: 2500,
          timestamp: T2,
          triggerReason: 'RemoteStart',
          ...(p.remoteStartId === undefined ? {} : { remoteStartId: p.remoteStartId }),
        });
      });
      return { status: 'Accepted' };
    },
    onRemoteStop: ({ transactionId }, { station }) => {
      if (!station.transactions.has(transactionId)) return { status: 'Rejected' };
      queueMicrotask(() => {
        void station.stopTransaction({
          transactionId,
          meterStop: 3000,
          timestamp: T3,
          stoppedReason: 'Remote',
        });
      });
      return { status: 'Accepted' };
    },
    onReset: ({ type }) => ({ status: type === 'OnIdle' ? 'Accepted' : 'Rejected' }),
    onGetConfiguration: ({ keys = [...config.keys()] }) => ({
      values: keys.flatMap((key) => {
        const value = config.get(key);
        return value === undefined ? [] : [{ key, value, readonly: false }];
      }),
      unknownKeys: keys.filter((k) => !config.has(k)),
    }),
    onSetConfiguration: ({ key, value }) => {
      if (!config.has(key)) return { status: 'NotSupported' };
      config.set(key, value);
      return { status: 'Accepted' };
    },
    onChangeAvailability: () => ({ status: 'Accepted' }),
    onDataTransfer: ({ data }) => ({ status: 'Accepted', data }),
  };
  return { handlers, config };
}

/** Waits until the station has no call in flight (its last CALLRESULT arrived). */
async function settled(station: GenericStation): Promise<void> {
  await vi.waitFor(() => expect(station.session.pending.inFlight).toBe(0));
}

/** The scenario, written once against the neutral API. */
async function scenario(
  csms: GenericCsms,
  station: GenericStation,
  next: () => Promise<TransactionEvent>,
) {
  const results: Record<string, unknown> = {};
  results.boot = await station.boot({
    vendorName: 'Acme',
    model: 'Sim-1',
    serialNumber: 'SN-1',
    firmwareVersion: '1.0.0',
  });
  results.heartbeat = await station.heartbeat();
  results.authorize = await station.authorize({ idToken: TAG });
  await station.statusNotification({
    evseId: 1,
    connectorId: 1,
    status: 'Occupied',
    chargePointStatus: 'Preparing',
    timestamp: T0,
  });
  const started = await station.startTransaction({
    evseId: 1,
    idToken: TAG,
    meterStart: 1000,
    timestamp: T0,
  });
  const txA = started.transactionId;
  results.started = started.idTokenInfo;
  await station.updateTransaction({
    transactionId: txA,
    meterValue: [
      {
        timestamp: T1,
        sampledValue: [
          {
            value: 1.5,
            measurand: 'Energy.Active.Import.Register',
            unit: 'kWh',
            context: 'Sample.Periodic',
          },
          { value: 11, measurand: 'Power.Active.Import', unit: 'kW' },
        ],
      },
    ],
  });
  results.stopped = await station.stopTransaction({
    transactionId: txA,
    meterStop: 2000,
    timestamp: T1,
    stoppedReason: 'Local',
    idToken: TAG,
  });

  await vi.waitFor(() => expect(csms.station(station.identity)).toBeDefined());
  const handle = csms.station(station.identity)!;
  const remoteStarted = next();
  results.remoteStart = await handle.remoteStart({ idToken: APP, evseId: 1, remoteStartId: 7 });
  const txB = (await remoteStarted).transactionId;
  await settled(station);
  expect(handle.transactions.has(txB)).toBe(true);
  expect([...station.transactions.keys()]).toEqual([txB]);
  const remoteEnded = next();
  results.remoteStop = await handle.remoteStop({ transactionId: txB });
  expect((await remoteEnded).transactionId).toBe(txB);
  await settled(station);
  expect(handle.transactions.size).toBe(0);
  expect(station.transactions.size).toBe(0);

  results.reset = await handle.reset({ type: 'OnIdle' });
  results.getConfiguration = await handle.getConfiguration({
    keys: ['HeartbeatInterval', 'BlinkRepeat'],
  });
  results.setConfiguration = await handle.setConfiguration({
    key: 'HeartbeatInterval',
    value: '60',
  });
  results.changeAvailability = await handle.changeAvailability({
    operationalStatus: 'Inoperative',
    evseId: 1,
  });
  results.dataTransferToStation = await handle.dataTransfer({
    vendorId: 'com.acme',
    messageId: 'ping',
    data: 'hello',
  });
  results.dataTransferToCsms = await station.dataTransfer({
    vendorId: 'com.acme',
    messageId: 'ping',
    data: 'hello',
  });
  return { results, txA, txB };
}

// ---- the exact frames each version puts on the wire, seen from the station ----

const out = (action: string, payload: unknown): WireFrame => ['out', 2, action, payload];
const inn = (action: string, payload: unknown): WireFrame => ['in', 2, action, payload];
const resultIn = (payload: unknown): WireFrame => ['in', 3, payload];
const resultOut = (payload: unknown): WireFrame => ['out', 3, payload];

function frames16(): WireFrame[] {
  return [
    out('BootNotification', {
      chargePointVendor: 'Acme',
      chargePointModel: 'Sim-1',
      chargePointSerialNumber: 'SN-1',
      firmwareVersion: '1.0.0',
    }),
    resultIn({ status: 'Accepted', currentTime: T0, interval: 300 }),
    out('Heartbeat', {}),
    resultIn({ currentTime: T0 }),
    out('Authorize', { idTag: 'TAG1' }),
    resultIn({ idTagInfo: { status: 'Accepted' } }),
    out('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Preparing',
      timestamp: T0,
    }),
    resultIn({}),
    out('StartTransaction', { connectorId: 1, idTag: 'TAG1', meterStart: 1000, timestamp: T0 }),
    resultIn({ transactionId: 1, idTagInfo: { status: 'Accepted' } }),
    out('MeterValues', {
      connectorId: 1,
      transactionId: 1,
      meterValue: [
        {
          timestamp: T1,
          sampledValue: [
            {
              value: '1.5',
              context: 'Sample.Periodic',
              measurand: 'Energy.Active.Import.Register',
              unit: 'kWh',
            },
            { value: '11', measurand: 'Power.Active.Import', unit: 'kW' },
          ],
        },
      ],
    }),
    resultIn({}),
    out('StopTransaction', {
      idTag: 'TAG1',
      meterStop: 2000,
      timestamp: T1,
      transactionId: 1,
      reason: 'Local',
    }),
    resultIn({ idTagInfo: { status: 'Accepted' } }),
    inn('RemoteStartTransaction', { connectorId: 1, idTag: 'APP1' }),
    resultOut({ status: 'Accepted' }),
    out('StartTransaction', { connectorId: 1, idTag: 'APP1', meterStart: 2500, timestamp: T2 }),
    resultIn({ transactionId: 2, idTagInfo: { status: 'Accepted' } }),
    inn('RemoteStopTransaction', { transactionId: 2 }),
    resultOut({ status: 'Accepted' }),
    out('StopTransaction', { meterStop: 3000, timestamp: T3, transactionId: 2, reason: 'Remote' }),
    resultIn({}),
    inn('Reset', { type: 'Soft' }),
    resultOut({ status: 'Accepted' }),
    inn('GetConfiguration', { key: ['HeartbeatInterval', 'BlinkRepeat'] }),
    resultOut({
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
      unknownKey: ['BlinkRepeat'],
    }),
    inn('ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' }),
    resultOut({ status: 'Accepted' }),
    inn('ChangeAvailability', { connectorId: 1, type: 'Inoperative' }),
    resultOut({ status: 'Accepted' }),
    inn('DataTransfer', { vendorId: 'com.acme', messageId: 'ping', data: 'hello' }),
    resultOut({ status: 'Accepted', data: 'hello' }),
    out('DataTransfer', { vendorId: 'com.acme', messageId: 'ping', data: 'hello' }),
    resultIn({ status: 'Accepted', data: 'pong' }),
  ];
}

/** 2.0.1 and 2.1 put the same frames on the wire for this scenario. */
function frames2(txA: string, txB: string): WireFrame[] {
  const energy = (value: number, context: string) => ({
    value,
    measurand: 'Energy.Active.Import.Register',
    context,
  });
  const heartbeatVariable = {
    component: { name: 'OCPPCommCtrlr' },
    variable: { name: 'HeartbeatInterval' },
  };
  return [
    out('BootNotification', {
      reason: 'PowerUp',
      chargingStation: {
        serialNumber: 'SN-1',
        model: 'Sim-1',
        vendorName: 'Acme',
        firmwareVersion: '1.0.0',
      },
    }),
    resultIn({ currentTime: T0, interval: 300, status: 'Accepted' }),
    out('Heartbeat', {}),
    resultIn({ currentTime: T0 }),
    out('Authorize', { idToken: { idToken: 'TAG1', type: 'ISO14443' } }),
    resultIn({ idTokenInfo: { status: 'Accepted' } }),
    out('StatusNotification', {
      timestamp: T0,
      connectorStatus: 'Occupied',
      evseId: 1,
      connectorId: 1,
    }),
    resultIn({}),
    out('TransactionEvent', {
      eventType: 'Started',
      timestamp: T0,
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: txA },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'TAG1', type: 'ISO14443' },
      meterValue: [{ timestamp: T0, sampledValue: [energy(1000, 'Transaction.Begin')] }],
    }),
    resultIn({ idTokenInfo: { status: 'Accepted' } }),
    out('TransactionEvent', {
      eventType: 'Updated',
      timestamp: T1,
      triggerReason: 'MeterValuePeriodic',
      seqNo: 1,
      transactionInfo: { transactionId: txA },
      meterValue: [
        {
          timestamp: T1,
          sampledValue: [
            {
              value: 1.5,
              measurand: 'Energy.Active.Import.Register',
              context: 'Sample.Periodic',
              unitOfMeasure: { unit: 'kWh' },
            },
            { value: 11, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } },
          ],
        },
      ],
    }),
    resultIn({}),
    out('TransactionEvent', {
      eventType: 'Ended',
      timestamp: T1,
      triggerReason: 'StopAuthorized',
      seqNo: 2,
      transactionInfo: { transactionId: txA, stoppedReason: 'Local' },
      idToken: { idToken: 'TAG1', type: 'ISO14443' },
      meterValue: [{ timestamp: T1, sampledValue: [energy(2000, 'Transaction.End')] }],
    }),
    resultIn({ idTokenInfo: { status: 'Accepted' } }),
    inn('RequestStartTransaction', {
      evseId: 1,
      idToken: { idToken: 'APP1', type: 'Central' },
      remoteStartId: 7,
    }),
    resultOut({ status: 'Accepted' }),
    out('TransactionEvent', {
      eventType: 'Started',
      timestamp: T2,
      triggerReason: 'RemoteStart',
      seqNo: 0,
      transactionInfo: { transactionId: txB, remoteStartId: 7 },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'APP1', type: 'Central' },
      meterValue: [{ timestamp: T2, sampledValue: [energy(2500, 'Transaction.Begin')] }],
    }),
    resultIn({ idTokenInfo: { status: 'Accepted' } }),
    inn('RequestStopTransaction', { transactionId: txB }),
    resultOut({ status: 'Accepted' }),
    out('TransactionEvent', {
      eventType: 'Ended',
      timestamp: T3,
      triggerReason: 'RemoteStop',
      seqNo: 1,
      transactionInfo: { transactionId: txB, stoppedReason: 'Remote' },
      meterValue: [{ timestamp: T3, sampledValue: [energy(3000, 'Transaction.End')] }],
    }),
    resultIn({}),
    inn('Reset', { type: 'OnIdle' }),
    resultOut({ status: 'Accepted' }),
    inn('GetVariables', { getVariableData: [heartbeatVariable] }),
    resultOut({
      getVariableResult: [
        { ...heartbeatVariable, attributeStatus: 'Accepted', attributeValue: '300' },
      ],
    }),
    inn('SetVariables', { setVariableData: [{ ...heartbeatVariable, attributeValue: '60' }] }),
    resultOut({ setVariableResult: [{ ...heartbeatVariable, attributeStatus: 'Accepted' }] }),
    inn('ChangeAvailability', { evse: { id: 1 }, operationalStatus: 'Inoperative' }),
    resultOut({ status: 'Accepted' }),
    inn('DataTransfer', { vendorId: 'com.acme', messageId: 'ping', data: 'hello' }),
    resultOut({ status: 'Accepted', data: 'hello' }),
    out('DataTransfer', { vendorId: 'com.acme', messageId: 'ping', data: 'hello' }),
    resultIn({ status: 'Accepted', data: 'pong' }),
  ];
}

/** What the neutral API returns, the same for every version. */
const neutralResults = {
  boot: { status: 'Accepted', currentTime: T0, interval: 300 },
  heartbeat: { currentTime: T0 },
  authorize: { idTokenInfo: { status: 'Accepted' } },
  started: { status: 'Accepted' },
  stopped: { idTokenInfo: { status: 'Accepted' } },
  remoteStart: { status: 'Accepted' },
  remoteStop: { status: 'Accepted' },
  reset: { status: 'Accepted' },
  getConfiguration: {
    values: [{ key: 'HeartbeatInterval', value: '300' }],
    unknownKeys: ['BlinkRepeat'],
  },
  setConfiguration: { status: 'Accepted' },
  changeAvailability: { status: 'Accepted' },
  dataTransferToStation: { status: 'Accepted', data: 'hello' },
  dataTransferToCsms: { status: 'Accepted', data: 'pong' },
};

describe.each(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const)(
  'one scenario over WebSocket: %s',
  (version: ProtocolVersion) => {
    it('boot, authorize, a local transaction, remote start and stop, reset, configuration, availability, data transfer', async () => {
      const logic = csmsLogic();
      const { csms, url } = await startCsms(logic.handlers);
      const stationSide = stationLogic();
      const { station, frames } = await startStation(url, version, 'CS-1', stationSide.handlers);

      const { results, txA, txB } = await scenario(csms, station, logic.next);

      if (version === 'ocpp1.6') {
        expect(frames).toStrictEqual(frames16());
        expect([txA, txB]).toEqual(['1', '2']);
        expect(results).toEqual({
          ...neutralResults,
          getConfiguration: {
            values: [{ key: 'HeartbeatInterval', value: '300', readonly: false }],
            unknownKeys: ['BlinkRepeat'],
          },
        });
      } else {
        expect(frames).toStrictEqual(frames2(txA, txB));
        expect(txA).not.toBe(txB);
        expect(results).toEqual(neutralResults);
      }
      expect(stationSide.config.get('HeartbeatInterval')).toBe('60');

      // The CSMS saw the same neutral story from every version, with the station's ids.
      const story = logic.events.map((e) => ({
        eventType: e.eventType,
        transactionId: e.transactionId,
        evseId: e.evseId,
        idToken: e.idToken?.idToken,
        meterStart: e.meterStart,
        meterStop: e.meterStop,
        stoppedReason: e.stoppedReason,
        triggerReason: e.triggerReason,
      }));
      const started = version === 'ocpp1.6' ? 'Authorized' : 'RemoteStart';
      expect(story).toEqual([
        {
          eventType: 'Started',
          transactionId: txA,
          evseId: 1,
          idToken: 'TAG1',
          meterStart: 1000,
          triggerReason: 'Authorized',
        },
        {
          eventType: 'Updated',
          transactionId: txA,
          evseId: 1,
          triggerReason: 'MeterValuePeriodic',
        },
        {
          eventType: 'Ended',
          transactionId: txA,
          evseId: 1,
          idToken: 'TAG1',
          meterStop: 2000,
          stoppedReason: 'Local',
          triggerReason: 'StopAuthorized',
        },
        {
          eventType: 'Started',
          transactionId: txB,
          evseId: 1,
          idToken: 'APP1',
          meterStart: 2500,
          triggerReason: started,
        },
        {
          eventType: 'Ended',
          transactionId: txB,
          evseId: 1,
          meterStop: 3000,
          stoppedReason: 'Remote',
          triggerReason: 'RemoteStop',
        },
      ]);
      expect(logic.events.map((e) => e.seqNo)).toEqual([0, 1, 2, 0, 1]);
      // 1.6 loses the remote start id; 2.x carries it back in the Started event.
      expect(logic.events[3]?.remoteStartId).toBe(version === 'ocpp1.6' ? undefined : 7);
    });
  },
);
