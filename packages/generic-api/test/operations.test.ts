import { isOcppSdkError } from '@ocpp/runtime';
import { describe, expect, it, vi } from 'vitest';
import {
  type ChargingProfile,
  type CsmsHandlers,
  type IdToken,
  isUnsupportedByVersion,
  type ProtocolVersion,
  type StationHandle,
  type StationHandlers,
} from '../src/index.js';
import { startCsms, startStation } from './helpers.js';

const T0 = '2025-03-14T09:00:00.000Z';
const T3 = '2025-03-14T10:30:00.000Z';
const TAG: IdToken = { idToken: 'TAG1', type: 'ISO14443' };

/** Station handlers that record the neutral request and answer `answers[name]`. */
function recordingStation(answers: Record<string, unknown>) {
  const seen: { op: string; params: unknown }[] = [];
  const rec =
    (op: string) =>
    (...args: unknown[]): never => {
      seen.push({ op, params: args.length > 1 ? args[0] : undefined });
      return answers[op] as never;
    };
  const handlers: StationHandlers = {
    onTriggerMessage: rec('trigger'),
    onUnlockConnector: rec('unlock'),
    onUpdateFirmware: rec('firmware'),
    onGetLog: rec('log'),
    onSetChargingProfile: rec('setProfile'),
    onClearChargingProfile: rec('clearProfile'),
    onGetCompositeSchedule: rec('composite'),
    onReserveNow: rec('reserve'),
    onCancelReservation: rec('cancel'),
    onSendLocalList: rec('sendList'),
    onGetLocalListVersion: rec('listVersion'),
    onClearCache: rec('clearCache'),
    onReset: rec('reset'),
  };
  return { handlers, seen };
}

const profile: ChargingProfile = {
  id: 10,
  stackLevel: 0,
  chargingProfilePurpose: 'TxDefaultProfile',
  chargingProfileKind: 'Absolute',
  chargingSchedule: [
    {
      startSchedule: T0,
      chargingRateUnit: 'A',
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases: 3 }],
    },
  ],
};

async function connect(
  version: ProtocolVersion,
  handlers: StationHandlers,
  csmsHandlers: CsmsHandlers = {},
) {
  const { csms, url } = await startCsms(csmsHandlers);
  const { station, frames } = await startStation(url, version, 'OPS-1', handlers);
  await vi.waitFor(() => expect(csms.station('OPS-1')).toBeDefined());
  return { csms, station, frames, handle: csms.station('OPS-1') as StationHandle };
}

describe.each(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const)(
  'CSMS-initiated operations: %s',
  (version) => {
    const v16 = version === 'ocpp1.6';

    it('reach the station handler as neutral requests and come back as neutral results', async () => {
      const { handlers, seen } = recordingStation({
        trigger: { status: 'Accepted' },
        unlock: { status: 'OngoingAuthorizedTransaction' },
        firmware: { status: 'Rejected' },
        log: { status: 'Accepted', filename: 'diag.zip' },
        setProfile: { status: 'Accepted' },
        clearProfile: { status: 'Unknown' },
        composite: {
          status: 'Accepted',
          schedule: {
            evseId: 1,
            duration: 3600,
            scheduleStart: T0,
            chargingRateUnit: 'A',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }],
          },
        },
        reserve: { status: 'Occupied' },
        cancel: { status: 'Accepted' },
        sendList: { status: 'VersionMismatch' },
        listVersion: { versionNumber: 4 },
        clearCache: { status: 'Rejected' },
      });
      const { handle } = await connect(version, handlers);

      const results = {
        trigger: await handle.triggerMessage({ requestedMessage: 'StatusNotification', evseId: 1 }),
        triggerLog: await handle.triggerMessage({ requestedMessage: 'LogStatusNotification' }),
        unlock: await handle.unlockConnector({ evseId: 1 }),
        firmware: await handle.updateFirmware({
          location: 'https://fw.example/x.bin',
          retrieveDateTime: T0,
          retries: 2,
        }),
        signedFirmware: await handle.updateFirmware({
          location: 'https://fw.example/y.bin',
          retrieveDateTime: T0,
          requestId: 5,
          signingCertificate: 'CERT',
          signature: 'SIG',
        }),
        log: await handle.getLog({ remoteLocation: 'ftp://logs.example', oldestTimestamp: T0 }),
        securityLog: await handle.getLog({
          remoteLocation: 'ftp://logs.example',
          logType: 'SecurityLog',
          requestId: 9,
        }),
        setProfile: await handle.setChargingProfile({ evseId: 1, chargingProfile: profile }),
        clearProfile: await handle.clearChargingProfile({ id: 10 }),
        composite: await handle.getCompositeSchedule({
          evseId: 1,
          duration: 3600,
          chargingRateUnit: 'A',
        }),
        reserve: await handle.reserveNow({ id: 3, expiryDateTime: T3, idToken: TAG, evseId: 1 }),
        cancel: await handle.cancelReservation({ reservationId: 3 }),
        sendList: await handle.sendLocalList({
          versionNumber: 2,
          updateType: 'Full',
          localAuthorizationList: [{ idToken: TAG, idTokenInfo: { status: 'Accepted' } }],
        }),
        listVersion: await handle.getLocalListVersion(),
        clearCache: await handle.clearCache(),
      };

      expect(results).toEqual({
        trigger: { status: 'Accepted' },
        triggerLog: { status: 'Accepted' },
        // 1.6 has no OngoingAuthorizedTransaction: the station's answer folds into UnlockFailed.
        unlock: { status: v16 ? 'UnlockFailed' : 'OngoingAuthorizedTransaction' },
        // Plain 1.6 UpdateFirmware has an empty answer: a refusal cannot travel.
        firmware: { status: v16 ? 'Accepted' : 'Rejected' },
        signedFirmware: { status: 'Rejected' },
        log: { status: 'Accepted', filename: 'diag.zip' },
        securityLog: { status: 'Accepted', filename: 'diag.zip' },
        setProfile: { status: 'Accepted' },
        clearProfile: { status: 'Unknown' },
        composite: {
          status: 'Accepted',
          schedule: {
            evseId: 1,
            duration: 3600,
            scheduleStart: T0,
            chargingRateUnit: 'A',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }],
          },
        },
        reserve: { status: 'Occupied' },
        cancel: { status: 'Accepted' },
        sendList: { status: 'VersionMismatch' },
        listVersion: { versionNumber: 4 },
        clearCache: { status: 'Rejected' },
      });

      const params = seen.map((s) => s.params);
      expect(seen.map((s) => s.op)).toEqual([
        'trigger',
        'trigger',
        'unlock',
        'firmware',
        'firmware',
        'log',
        'log',
        'setProfile',
        'clearProfile',
        'composite',
        'reserve',
        'cancel',
        'sendList',
        'listVersion',
        'clearCache',
      ]);
      expect(params).toEqual([
        { requestedMessage: 'StatusNotification', evseId: 1 },
        { requestedMessage: 'LogStatusNotification' },
        { evseId: 1, connectorId: 1 },
        // 2.x carries a request id (allocated per station when not given); plain 1.6 has none.
        v16
          ? { location: 'https://fw.example/x.bin', retrieveDateTime: T0, retries: 2 }
          : {
              location: 'https://fw.example/x.bin',
              retrieveDateTime: T0,
              retries: 2,
              requestId: 1,
            },
        {
          location: 'https://fw.example/y.bin',
          retrieveDateTime: T0,
          requestId: 5,
          signingCertificate: 'CERT',
          signature: 'SIG',
        },
        // 1.6 GetDiagnostics has no request id.
        v16
          ? { remoteLocation: 'ftp://logs.example', logType: 'DiagnosticsLog', oldestTimestamp: T0 }
          : {
              remoteLocation: 'ftp://logs.example',
              logType: 'DiagnosticsLog',
              oldestTimestamp: T0,
              requestId: 2,
            },
        { remoteLocation: 'ftp://logs.example', logType: 'SecurityLog', requestId: 9 },
        {
          evseId: 1,
          // 2.x gives the schedule an id (its position); 1.6 has none.
          chargingProfile: v16
            ? profile
            : { ...profile, chargingSchedule: [{ ...profile.chargingSchedule[0], id: 1 }] },
        },
        { id: 10 },
        { evseId: 1, duration: 3600, chargingRateUnit: 'A' },
        { id: 3, expiryDateTime: T3, idToken: TAG, evseId: 1 },
        { reservationId: 3 },
        {
          versionNumber: 2,
          updateType: 'Full',
          localAuthorizationList: [{ idToken: TAG, idTokenInfo: { status: 'Accepted' } }],
        },
        undefined,
        undefined,
      ]);
    });

    it('refuse what the version cannot express with UNSUPPORTED_BY_VERSION, before sending', async () => {
      const { handle, frames } = await connect(
        version,
        recordingStation({ reset: { status: 'Accepted' } }).handlers,
      );
      const attempts: [string, () => Promise<unknown>, boolean][] = [
        ['reset of one EVSE', () => handle.reset({ type: 'Immediate', evseId: 1 }), v16],
        [
          'ImmediateAndResume',
          () => handle.reset({ type: 'ImmediateAndResume' }),
          version !== 'ocpp2.1',
        ],
        [
          'trigger TransactionEvent',
          () => handle.triggerMessage({ requestedMessage: 'TransactionEvent' }),
          v16,
        ],
        [
          'DataCollectorLog',
          () => handle.getLog({ remoteLocation: 'x', logType: 'DataCollectorLog' }),
          version !== 'ocpp2.1',
        ],
        [
          'two schedules',
          () =>
            handle.setChargingProfile({
              evseId: 1,
              chargingProfile: {
                ...profile,
                chargingSchedule: [profile.chargingSchedule[0]!, profile.chargingSchedule[0]!],
              },
            }),
          v16,
        ],
        [
          'external constraints',
          () =>
            handle.setChargingProfile({
              evseId: 0,
              chargingProfile: {
                ...profile,
                chargingProfilePurpose: 'ChargingStationExternalConstraints',
              },
            }),
          v16,
        ],
        [
          'second connector',
          () =>
            handle.changeAvailability({
              operationalStatus: 'Operative',
              evseId: 1,
              connectorId: 2,
            }),
          v16,
        ],
        ['non-integer id', () => handle.remoteStop({ transactionId: 'abc' }), v16],
        ['unmapped key', () => handle.setConfiguration({ key: 'BlinkRepeat', value: '3' }), !v16],
        [
          'half-signed firmware',
          () => handle.updateFirmware({ location: 'x', retrieveDateTime: T0, signature: 'S' }),
          v16,
        ],
      ];
      for (const [what, attempt, refused] of attempts) {
        if (!refused) continue;
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isUnsupportedByVersion(error), what).toBe(true);
        expect(error).toMatchObject({ code: 'UNSUPPORTED_BY_VERSION' });
      }
      // Nothing reached the station.
      await new Promise((r) => setTimeout(r, 20));
      expect(frames).toEqual([]);
      // The handle still works afterwards.
      await expect(handle.reset({ type: 'Immediate' })).resolves.toEqual({ status: 'Accepted' });
    });

    it('2.x getConfiguration without keys asks for every mapped standard key; 1.6 asks for all', async () => {
      let asked: readonly string[] | undefined = ['not called'];
      const { handle, frames } = await connect(version, {
        onGetConfiguration: ({ keys }) => {
          asked = keys;
          return { values: [{ key: 'HeartbeatInterval', value: '300' }], unknownKeys: [] };
        },
      });
      const result = await handle.getConfiguration();
      expect(result.values).toContainEqual(
        expect.objectContaining({ key: 'HeartbeatInterval', value: '300' }),
      );
      if (v16) {
        expect(asked).toBeUndefined();
        expect(frames[0]).toEqual(['in', 2, 'GetConfiguration', {}]);
      } else {
        expect(asked).toContain('HeartbeatInterval');
        expect(asked).toContain('TransactionMessageAttempts');
        // keys not asked for explicitly are not reported as unknown
        expect(result.unknownKeys).toEqual([]);
      }
    });

    it('getConfiguration with an empty key list asks for every key, as without keys', async () => {
      let asked: readonly string[] | undefined = ['not called'];
      const { handle, frames } = await connect(version, {
        onGetConfiguration: ({ keys }) => {
          asked = keys;
          return { values: [{ key: 'HeartbeatInterval', value: '300' }], unknownKeys: [] };
        },
      });
      const result = await handle.getConfiguration({ keys: [] });
      expect(result.values).toContainEqual(
        expect.objectContaining({ key: 'HeartbeatInterval', value: '300' }),
      );
      if (v16) {
        expect(asked).toBeUndefined();
        expect(frames[0]).toEqual(['in', 2, 'GetConfiguration', {}]);
        // A 1.6 CSMS that sends an empty list: the station's handler is asked for every key too.
        asked = ['not called'];
        const session = handle.session;
        if (session.protocol !== 'ocpp1.6') throw new Error('a 1.6 session');
        await session.call('GetConfiguration', { key: [] });
        expect(asked).toBeUndefined();
      } else {
        expect(asked).toContain('HeartbeatInterval');
        expect(result.unknownKeys).toEqual([]);
      }
    });
  },
);

describe.each(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const)(
  'station-initiated operations: %s',
  (version) => {
    const v16 = version === 'ocpp1.6';

    it('firmware and log status, meter values and a faulted status reach the CSMS handlers', async () => {
      const seen: unknown[] = [];
      const { station, frames } = await connect(
        version,
        {},
        {
          onFirmwareStatus: (p) => {
            seen.push(['firmware', p]);
          },
          onLogStatus: (p) => {
            seen.push(['log', p]);
          },
          onMeterValues: (p) => {
            seen.push(['meter', p]);
          },
          onStatus: (p) => {
            seen.push(['status', p]);
          },
        },
      );
      await station.firmwareStatusNotification({ status: 'Downloading' });
      await station.firmwareStatusNotification({ status: 'SignatureVerified', requestId: 5 });
      await station.logStatusNotification({ status: 'Uploaded' });
      await station.logStatusNotification({ status: 'Uploading', requestId: 9 });
      await station.meterValues({
        evseId: 1,
        meterValue: [
          {
            timestamp: T0,
            sampledValue: [{ value: 230.1, measurand: 'Voltage', phase: 'L1-N', unit: 'V' }],
          },
        ],
      });
      await station.statusNotification({
        evseId: 1,
        connectorId: 1,
        status: 'Faulted',
        errorCode: 'GroundFailure',
        info: 'RCD tripped',
        timestamp: T0,
      });
      expect(frames.filter((f) => f[0] === 'out').map((f) => f[2])).toEqual(
        v16
          ? [
              'FirmwareStatusNotification',
              'SignedFirmwareStatusNotification',
              'DiagnosticsStatusNotification',
              'LogStatusNotification',
              'MeterValues',
              'StatusNotification',
            ]
          : [
              'FirmwareStatusNotification',
              'FirmwareStatusNotification',
              'LogStatusNotification',
              'LogStatusNotification',
              'MeterValues',
              'StatusNotification',
            ],
      );
      expect(seen).toEqual([
        ['firmware', { status: 'Downloading' }],
        ['firmware', { status: 'SignatureVerified', requestId: 5 }],
        ['log', { status: 'Uploaded' }],
        ['log', { status: 'Uploading', requestId: 9 }],
        [
          'meter',
          {
            evseId: 1,
            meterValue: [
              {
                timestamp: T0,
                sampledValue: [{ value: 230.1, measurand: 'Voltage', phase: 'L1-N', unit: 'V' }],
              },
            ],
          },
        ],
        [
          'status',
          v16
            ? {
                evseId: 1,
                connectorId: 1,
                status: 'Faulted',
                timestamp: T0,
                chargePointStatus: 'Faulted',
                errorCode: 'GroundFailure',
                info: 'RCD tripped',
              }
            : // 2.x StatusNotification has no error code: it is lost.
              { evseId: 1, connectorId: 1, status: 'Faulted', timestamp: T0 },
        ],
      ]);
    });

    it('a new station object carries on the open transaction of the previous one (reconnect)', async () => {
      const ended: { transactionId: string; meterStop?: number }[] = [];
      const { csms, url } = await startCsms({
        onTransaction: (tx) => {
          if (tx.eventType === 'Ended')
            ended.push({
              transactionId: tx.transactionId,
              ...(tx.meterStop === undefined ? {} : { meterStop: tx.meterStop }),
            });
          return { idTokenInfo: { status: 'Accepted' } };
        },
      });
      const first = await startStation(url, version, 'RESUME-1');
      const { transactionId } = await first.station.startTransaction({
        evseId: 1,
        idToken: TAG,
        meterStart: 100,
        timestamp: T0,
      });
      await first.station.updateTransaction({
        transactionId,
        meterValue: [
          {
            timestamp: T0,
            sampledValue: [{ value: 150, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
          },
        ],
      });
      await first.station.close();
      await vi.waitFor(() => expect(csms.station('RESUME-1')).toBeUndefined());
      // A stop that cannot be sent leaves the transaction open, to be sent again.
      const failed = await first.station
        .stopTransaction({ transactionId, meterStop: 190, timestamp: T3, stoppedReason: 'Local' })
        .catch((e: unknown) => e);
      expect(isOcppSdkError(failed)).toBe(true);
      expect([...first.station.transactions.keys()]).toEqual([transactionId]);
      const carried = [...first.station.transactions.values()];

      const second = await startStation(url, version, 'RESUME-1', undefined, carried);
      expect([...second.station.transactions.keys()]).toEqual([transactionId]);
      await second.station.stopTransaction({
        transactionId,
        meterStop: 200,
        timestamp: T3,
        stoppedReason: 'Local',
      });
      const stop = second.frames.find((f) => f[0] === 'out' && f[1] === 2)!;
      if (v16) {
        // The CSMS's integer id, not a fresh one.
        const started = first.frames.find(
          (f) =>
            f[0] === 'in' &&
            f[1] === 3 &&
            (f[2] as { transactionId?: number }).transactionId !== undefined,
        )!;
        expect(stop[2]).toBe('StopTransaction');
        expect((stop[3] as { transactionId: number }).transactionId).toBe(
          (started[2] as { transactionId: number }).transactionId,
        );
      } else {
        // The same id, and seqNo goes on from the previous object: Started 0, Updated 1, Ended 2.
        expect(stop[2]).toBe('TransactionEvent');
        expect(stop[3]).toMatchObject({
          eventType: 'Ended',
          seqNo: 2,
          transactionInfo: { transactionId },
        });
      }
      await vi.waitFor(() => expect(ended).toEqual([{ transactionId, meterStop: 200 }]));
      expect(second.station.transactions.size).toBe(0);
      // The previous object's records were copied, not shared.
      expect(first.station.transactions.size).toBe(1);
    });

    it('refuses what the version cannot express, before sending', async () => {
      const { station, frames } = await connect(version, {});
      const attempts: [string, () => Promise<unknown>, boolean][] = [
        [
          'station-wide status',
          () => station.statusNotification({ evseId: 0, connectorId: 0, status: 'Unavailable' }),
          !v16,
        ],
        [
          'transaction without idToken',
          () => station.startTransaction({ evseId: 1, meterStart: 0 }),
          v16,
        ],
        [
          'update without readings',
          () => station.updateTransaction({ transactionId: '1', chargingState: 'Charging' }),
          v16,
        ],
        [
          'only 2.x measurands',
          () =>
            station.meterValues({
              evseId: 1,
              meterValue: [
                { timestamp: T0, sampledValue: [{ value: 1, measurand: 'Energy.Active.Net' }] },
              ],
            }),
          v16,
        ],
        [
          'only 1.6 measurands',
          () =>
            station.meterValues({
              evseId: 1,
              meterValue: [
                { timestamp: T0, sampledValue: [{ value: 40, measurand: 'Temperature' }] },
              ],
            }),
          !v16,
        ],
      ];
      for (const [what, attempt, refused] of attempts) {
        if (!refused) continue;
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isUnsupportedByVersion(error), what).toBe(true);
      }
      expect(frames).toEqual([]);
    });
  },
);

describe('the CSMS directory', () => {
  it('lists stations of every version on one port, with connect and disconnect events', async () => {
    const { csms, url } = await startCsms({});
    const connected: string[] = [];
    const disconnected: string[] = [];
    csms.on('connect', (s) => connected.push(`${s.identity}/${s.version}`));
    csms.on('disconnect', (s) => disconnected.push(s.identity));
    const a = await startStation(url, 'ocpp1.6', 'A');
    await startStation(url, 'ocpp2.0.1', 'B');
    await startStation(url, 'ocpp2.1', 'C');
    await vi.waitFor(() => expect(csms.size).toBe(3));
    expect(connected.sort()).toEqual(['A/ocpp1.6', 'B/ocpp2.0.1', 'C/ocpp2.1']);
    expect([...csms.stations()].map((s) => s.session.protocol).sort()).toEqual([
      'ocpp1.6',
      'ocpp2.0.1',
      'ocpp2.1',
    ]);
    expect(csms.station('B')?.session).toBe(csms.server.get('B'));
    // Heartbeat works without a handler.
    await expect(a.station.heartbeat()).resolves.toHaveProperty('currentTime');
    // BootNotification has no handler here: the station gets NotSupported.
    await expect(a.station.boot({ vendorName: 'V', model: 'M' })).rejects.toMatchObject({
      code: 'NotSupported',
    });
    await a.station.close();
    await vi.waitFor(() => expect(disconnected).toEqual(['A']));
    expect(csms.station('A')).toBeUndefined();
  });

  it('1.6 transaction ids come from the allocator option or from the handler answer', async () => {
    let next = 100;
    const listenerIds: string[] = [];
    const { csms, url } = await startCsmsWith({
      allocate: () => next++,
      handlers: {
        onTransaction: (e) => {
          listenerIds.push(e.transactionId);
          return e.eventType === 'Started' && e.idToken?.idToken === 'VIP'
            ? { transactionId: 9000 }
            : undefined;
        },
      },
    });
    const { station } = await startStation(url, 'ocpp1.6', 'ALLOC');
    const first = await station.startTransaction({ evseId: 1, idToken: TAG, meterStart: 0 });
    const second = await station.startTransaction({
      evseId: 2,
      idToken: { idToken: 'VIP', type: 'ISO14443' },
      meterStart: 0,
    });
    expect([first.transactionId, second.transactionId]).toEqual(['100', '9000']);
    const handle = csms.station('ALLOC')!;
    expect(
      [...handle.transactions.values()].map((t) => [t.transactionId, t.transactionId16, t.evseId]),
    ).toEqual([
      ['100', 100, 1],
      ['9000', 9000, 2],
    ]);
    await station.stopTransaction({ transactionId: '9000', meterStop: 10 });
    expect([...handle.transactions.keys()]).toEqual(['100']);
    // The handler saw the allocator's proposal for the VIP start before it chose its own id.
    expect(listenerIds).toEqual(['100', '101', '9000']);
  });
});

async function startCsmsWith(options: { allocate: () => number; handlers: CsmsHandlers }) {
  const { createWsServer } = await import('@ocpp/transport-ws');
  const { createGenericCsms } = await import('../src/index.js');
  const { silentLogger } = await import('@ocpp/rpc');
  const listener = createWsServer({ host: '127.0.0.1', port: 0 });
  const csms = createGenericCsms({
    listener,
    handlers: options.handlers,
    allocateTransactionId: options.allocate,
    logger: silentLogger,
  });
  const port = await listener.listen();
  const { onTestFinished } = await import('vitest');
  onTestFinished(() => csms.close());
  return { csms, url: `ws://127.0.0.1:${port}` };
}
