import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { describe, expect, it } from 'vitest';
import * as c2 from '../src/codec/v2.js';
import * as c16 from '../src/codec/v16.js';
import type {
  BootParams,
  ChargingProfile,
  IdTokenInfo,
  MeterValue,
  StatusParams,
  StopTransactionParams,
} from '../src/index.js';
import { actionsOf, isUnsupportedByVersion } from '../src/index.js';

const T = '2025-03-14T09:00:00.000Z';

/** Validates a stamped payload against the official schema of its version. */
function valid(
  version: '1.6' | '2.0.1' | '2.1',
  action: string,
  part: 'request' | 'response',
  payload: unknown,
): void {
  const protocol = (
    version === '1.6' ? v16Protocol : version === '2.0.1' ? v201Protocol : v21Protocol
  ) as typeof v16Protocol;
  const result = protocol.validate(action as 'Reset', part, payload);
  expect(result.success, `${version} ${action} ${part}: ${JSON.stringify(result)}`).toBe(true);
}

function unsupported(f: () => unknown): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(isUnsupportedByVersion(error)).toBe(true);
}

const V2 = ['ocpp2.0.1', 'ocpp2.1'] as const;
const num = (v: (typeof V2)[number]) => (v === 'ocpp2.0.1' ? '2.0.1' : '2.1');

describe('the schema check used below', () => {
  it('fails on a payload the version does not accept', () => {
    expect(() => valid('1.6', 'Reset', 'request', { type: 'Immediate' })).toThrow();
    expect(() => valid('2.0.1', 'Reset', 'request', { type: 'ImmediateAndResume' })).toThrow();
  });
});

describe('boot', () => {
  const full: BootParams = {
    reason: 'RemoteReset',
    vendorName: 'Acme',
    model: 'M',
    serialNumber: 'S',
    firmwareVersion: '1',
    iccid: 'I',
    imsi: 'M2',
    chargeBoxSerialNumber: 'B',
    meterType: 'MT',
    meterSerialNumber: 'MS',
  };

  it('1.6 keeps the meter and charge box fields, loses the reason', () => {
    const wire = c16.stampBootRequest(full);
    valid('1.6', 'BootNotification', 'request', wire);
    const { reason: _lost, ...rest } = full;
    expect(c16.liftBootRequest(wire)).toEqual(rest);
  });

  it.each(V2)(
    '%s keeps the reason and modem, loses the 1.6-only fields; reason defaults to PowerUp',
    (v) => {
      const wire = c2.stampBootRequest(full);
      valid(num(v), 'BootNotification', 'request', wire);
      const { chargeBoxSerialNumber: _a, meterType: _b, meterSerialNumber: _c, ...rest } = full;
      expect(c2.liftBootRequest(wire)).toEqual(rest);
      expect(c2.stampBootRequest({ vendorName: 'A', model: 'M' })).toEqual({
        reason: 'PowerUp',
        chargingStation: { model: 'M', vendorName: 'A' },
      });
    },
  );

  it('status info crosses 2.x only', () => {
    const result = {
      status: 'Pending' as const,
      interval: 60,
      currentTime: T,
      statusInfo: { reasonCode: 'Maintenance' },
    };
    const w2 = c2.stampBootResponse(result);
    valid('2.0.1', 'BootNotification', 'response', w2);
    expect(c2.liftBootResponse(w2)).toEqual(result);
    const w16 = c16.stampBootResponse(result);
    valid('1.6', 'BootNotification', 'response', w16);
    expect(c16.liftBootResponse(w16)).toEqual({ status: 'Pending', interval: 60, currentTime: T });
  });
});

describe('authorisation', () => {
  const info: IdTokenInfo = {
    status: 'Blocked',
    cacheExpiryDateTime: T,
    groupIdToken: { idToken: 'G', type: 'Central' },
  };

  it('1.6: idTag has no type (lifted ISO14443), the group is the parent id tag', () => {
    const req = c16.stampAuthorizeRequest({ idToken: { idToken: 'X', type: 'KeyCode' } });
    valid('1.6', 'Authorize', 'request', req);
    expect(c16.liftAuthorizeRequest(req)).toEqual({ idToken: { idToken: 'X', type: 'ISO14443' } });
    const res = c16.stampAuthorizeResponse({ idTokenInfo: info });
    valid('1.6', 'Authorize', 'response', res);
    expect(res).toEqual({ idTagInfo: { status: 'Blocked', expiryDate: T, parentIdTag: 'G' } });
    expect(c16.liftAuthorizeResponse(res)).toEqual({ idTokenInfo: info });
  });

  it('1.6: 2.x-only statuses become Invalid', () => {
    for (const status of [
      'NoCredit',
      'NotAllowedTypeEVSE',
      'NotAtThisLocation',
      'NotAtThisTime',
      'Unknown',
    ] as const) {
      expect(c16.stampIdTokenInfo({ status }).status).toBe('Invalid');
    }
    expect(c16.stampIdTokenInfo({ status: 'ConcurrentTx' }).status).toBe('ConcurrentTx');
  });

  it.each(V2)('%s round-trips', (v) => {
    const req = c2.stampAuthorizeRequest({ idToken: { idToken: 'X', type: 'KeyCode' } });
    valid(num(v), 'Authorize', 'request', req);
    expect(c2.liftAuthorizeRequest(req)).toEqual({ idToken: { idToken: 'X', type: 'KeyCode' } });
    const res = c2.stampAuthorizeResponse({ idTokenInfo: { ...info, status: 'NotAtThisTime' } });
    valid(num(v), 'Authorize', 'response', res);
    expect(c2.liftAuthorizeResponse(res)).toEqual({
      idTokenInfo: { ...info, status: 'NotAtThisTime' },
    });
  });
});

describe('connector status', () => {
  it('1.6 → neutral folds Preparing … Finishing into Occupied and keeps the 1.6 detail', () => {
    for (const s of [
      'Preparing',
      'Charging',
      'SuspendedEV',
      'SuspendedEVSE',
      'Finishing',
    ] as const) {
      const lifted = c16.liftStatusRequest({ connectorId: 2, errorCode: 'NoError', status: s });
      expect(lifted).toEqual({
        evseId: 2,
        connectorId: 1,
        status: 'Occupied',
        chargePointStatus: s,
        errorCode: 'NoError',
      });
      // and back: the finer status survives
      expect(c16.stampStatusRequest({ ...lifted, timestamp: T }).status).toBe(s);
    }
    expect(
      c16.liftStatusRequest({ connectorId: 0, errorCode: 'NoError', status: 'Available' }),
    ).toMatchObject({
      evseId: 0,
      connectorId: 0,
      status: 'Available',
    });
  });

  it('neutral → 1.6 defaults: Occupied is Preparing, Faulted carries OtherError, now as timestamp', () => {
    const occupied = c16.stampStatusRequest({ evseId: 1, connectorId: 1, status: 'Occupied' });
    valid('1.6', 'StatusNotification', 'request', occupied);
    expect(occupied).toMatchObject({ connectorId: 1, status: 'Preparing', errorCode: 'NoError' });
    expect(Number.isNaN(Date.parse(occupied.timestamp!))).toBe(false);
    expect(c16.stampStatusRequest({ evseId: 1, connectorId: 1, status: 'Faulted' }).errorCode).toBe(
      'OtherError',
    );
    // an inconsistent finer status is ignored
    expect(
      c16.stampStatusRequest({
        evseId: 1,
        connectorId: 1,
        status: 'Available',
        chargePointStatus: 'Charging',
      }).status,
    ).toBe('Available');
    unsupported(() => c16.stampStatusRequest({ evseId: 1, connectorId: 2, status: 'Available' }));
  });

  it.each(V2)('%s loses the 1.6 error code and finer status; EVSE 0 is refused', (v) => {
    const p: StatusParams = {
      evseId: 1,
      connectorId: 2,
      status: 'Faulted',
      timestamp: T,
      chargePointStatus: 'Faulted',
      errorCode: 'GroundFailure',
      info: 'x',
      vendorId: 'v',
      vendorErrorCode: 'E1',
    };
    const wire = c2.stampStatusRequest(p, v);
    valid(num(v), 'StatusNotification', 'request', wire);
    expect(c2.liftStatusRequest(wire)).toEqual({
      evseId: 1,
      connectorId: 2,
      status: 'Faulted',
      timestamp: T,
    });
    unsupported(() => c2.stampStatusRequest({ ...p, evseId: 0 }, v));
  });
});

describe('meter values', () => {
  const readings: MeterValue[] = [
    {
      timestamp: T,
      sampledValue: [
        {
          value: 12.5,
          measurand: 'Energy.Active.Import.Register',
          unit: 'kWh',
          context: 'Sample.Clock',
          location: 'Outlet',
        },
        { value: 230, measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
        { value: 42, measurand: 'Temperature', unit: 'Celsius', location: 'Body' },
        { value: 3, measurand: 'Energy.Active.Net', unit: 'Wh' },
      ],
    },
  ];

  it('1.6: values become text and back to numbers; 2.x-only measurands are dropped', () => {
    const wire = c16.stampMeterValuesRequest({ evseId: 1, meterValue: readings });
    valid('1.6', 'MeterValues', 'request', wire);
    expect(wire.meterValue[0]?.sampledValue.map((s) => s.value)).toEqual(['12.5', '230', '42']);
    expect(c16.liftMeterValuesRequest(wire)).toEqual({
      evseId: 1,
      meterValue: [{ timestamp: T, sampledValue: readings[0]!.sampledValue.slice(0, 3) }],
    });
  });

  it('1.6: the multiplier is folded into the value, unknown units and Upstream are dropped', () => {
    const s = c16.stampSample({ value: 1.1, multiplier: 3, unit: 'Wh', location: 'Upstream' });
    expect(s).toEqual({ value: '1100', unit: 'Wh' });
    expect(c16.stampSample({ value: 5, unit: 'Hz' })).toEqual({ value: '5' });
  });

  it('1.6: Celcius is read as Celsius, SignedData keeps its text', () => {
    expect(c16.liftSample({ value: '21', unit: 'Celcius', measurand: 'Temperature' })).toEqual({
      value: 21,
      unit: 'Celsius',
      measurand: 'Temperature',
    });
    const signed = c16.liftSample({ value: 'AB01', format: 'SignedData' });
    expect(signed.value).toBeNaN();
    expect(signed.signedMeterValue).toEqual({ signedMeterData: 'AB01' });
    expect(c16.stampSample(signed)).toEqual({ value: 'AB01', format: 'SignedData' });
  });

  it('1.6: a value that is not a decimal number is NaN, not a number made up by Number()', () => {
    for (const text of ['', ' ', '0x10', 'Infinity', '12,5', '1.2.3'])
      expect(c16.liftSample({ value: text }).value, JSON.stringify(text)).toBeNaN();
    for (const [text, n] of [
      ['12.5', 12.5],
      ['-3', -3],
      ['+7', 7],
      ['.5', 0.5],
      ['5.', 5],
      ['1e3', 1000],
      [' 42 ', 42],
    ] as const)
      expect(c16.liftSample({ value: text }).value, text).toBe(n);
  });

  it.each(V2)('%s: numbers and units cross; 1.6-only measurands are dropped', (v) => {
    const wire = c2.stampMeterValuesRequest({ evseId: 1, meterValue: readings }, v);
    valid(num(v), 'MeterValues', 'request', wire);
    expect(c2.liftMeterValuesRequest(wire)).toEqual({
      evseId: 1,
      meterValue: [
        {
          timestamp: T,
          sampledValue: [
            readings[0]!.sampledValue[0],
            readings[0]!.sampledValue[1],
            readings[0]!.sampledValue[3],
          ],
        },
      ],
    });
  });

  it.each(V2)('%s: a 1.6 signed sample travels as 0 beside its signed data', (v) => {
    const sample = c2.stampSample(
      { value: Number.NaN, signedMeterValue: { signedMeterData: 'AB01' } },
      v,
    )!;
    valid(num(v), 'MeterValues', 'request', {
      evseId: 1,
      meterValue: [{ timestamp: T, sampledValue: [sample] }],
    });
    expect(sample.value).toBe(0);
    expect(sample.signedMeterValue?.signedMeterData).toBe('AB01');
  });

  it('Upstream location exists in 2.1 only', () => {
    expect(c2.stampSample({ value: 1, location: 'Upstream' }, 'ocpp2.1')?.location).toBe(
      'Upstream',
    );
    expect(
      c2.stampSample({ value: 1, location: 'Upstream' }, 'ocpp2.0.1')?.location,
    ).toBeUndefined();
  });
});

describe('transactions', () => {
  const stop: StopTransactionParams = {
    transactionId: 'T-1',
    meterStop: 2000.4,
    timestamp: T,
    stoppedReason: 'EnergyLimitReached',
    idToken: { idToken: 'TAG', type: 'ISO14443' },
  };

  it('1.6 start → Started event with the proposed id, meterStart kept', () => {
    const wire = c16.stampStartTransaction({
      evseId: 2,
      idToken: { idToken: 'TAG', type: 'ISO14443' },
      meterStart: 10.6,
      timestamp: T,
      remoteStartId: 4,
      reservationId: 8,
    });
    valid('1.6', 'StartTransaction', 'request', wire);
    expect(wire).toEqual({
      connectorId: 2,
      idTag: 'TAG',
      meterStart: 11,
      reservationId: 8,
      timestamp: T,
    });
    expect(c16.liftStartTransaction(wire, 42)).toEqual({
      eventType: 'Started',
      transactionId: '42',
      timestamp: T,
      triggerReason: 'Authorized',
      seqNo: 0,
      evseId: 2,
      connectorId: 1,
      idToken: { idToken: 'TAG', type: 'ISO14443' },
      meterStart: 11,
      reservationId: 8,
    });
  });

  it('1.6 stop: 2.x reasons fold to the nearest 1.6 reason and come back with a trigger reason', () => {
    const wire = c16.stampStopTransaction(stop, 42);
    valid('1.6', 'StopTransaction', 'request', wire);
    expect(wire.reason).toBe('Other');
    expect(c16.liftStopTransaction(wire, 3, 2)).toMatchObject({
      eventType: 'Ended',
      transactionId: '42',
      stoppedReason: 'Other',
      triggerReason: 'AbnormalCondition',
      meterStop: 2000,
      seqNo: 3,
      evseId: 2,
    });
    expect(c16.stampStopReason('ImmediateReset')).toBe('HardReset');
    expect(c16.stampStopReason('MasterPass')).toBe('Local');
    expect(c16.stampStopReason('UnlockCommand')).toBe('UnlockCommand');
    // no reason on the wire means Local
    expect(
      c16.liftStopTransaction({ meterStop: 1, timestamp: T, transactionId: 1 }, 0, undefined),
    ).toMatchObject({
      stoppedReason: 'Local',
      triggerReason: 'StopAuthorized',
    });
  });

  it.each(V2)(
    '%s: meterStart/meterStop travel as Transaction.Begin/End energy samples and come back',
    (v) => {
      const tx = { transactionId: 'T-1', evseId: 1, connectorId: 1, seqNo: 0 };
      const started = c2.stampStartTransaction(
        {
          evseId: 1,
          meterStart: 1000,
          timestamp: T,
          idToken: { idToken: 'TAG', type: 'ISO14443' },
          remoteStartId: 4,
        },
        tx,
        v,
      );
      valid(num(v), 'TransactionEvent', 'request', started);
      expect(c2.liftTransactionEvent(started)).toMatchObject({
        eventType: 'Started',
        meterStart: 1000,
        remoteStartId: 4,
        seqNo: 0,
      });
      const ended = c2.stampStopTransaction(stop, tx, v);
      valid(num(v), 'TransactionEvent', 'request', ended);
      expect(ended.seqNo).toBe(1);
      expect(c2.liftTransactionEvent(ended, { evseId: 1, connectorId: 1 })).toMatchObject({
        eventType: 'Ended',
        meterStop: 2000.4,
        stoppedReason: 'EnergyLimitReached',
        triggerReason: 'EnergyLimitReached',
        evseId: 1,
      });
      // 1.6 reasons without a 2.x name
      expect(c2.stampStopReason('HardReset', v)).toBe('ImmediateReset');
      expect(c2.stampStopReason('SoftReset', v)).toBe('Reboot');
      expect(c2.stampStopReason('UnlockCommand', v)).toBe('Other');
    },
  );

  it('2.x meterStart is found in kWh with a multiplier too', () => {
    const event = c2.liftTransactionEvent({
      eventType: 'Started',
      timestamp: T,
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'X' },
      meterValue: [
        {
          timestamp: T,
          sampledValue: [
            { value: 5, measurand: 'Power.Active.Import' },
            { value: 1.25, context: 'Transaction.Begin', unitOfMeasure: { unit: 'kWh' } },
          ],
        },
      ],
    });
    expect(event.meterStart).toBe(1250);
  });

  it('1.6 needs an idToken to start and readings to update', () => {
    unsupported(() => c16.stampStartTransaction({ evseId: 1, meterStart: 0 }));
    unsupported(() => c16.stampUpdateTransaction([], 1, 1));
    unsupported(() => c16.decimalIds.toInt('not-a-number'));
    expect(c16.decimalIds.toInt('17')).toBe(17);
  });
});

describe('remote control', () => {
  it('reset: Hard ↔ Immediate, Soft ↔ OnIdle; Scheduled answers fold to Accepted on 1.6', () => {
    expect(c16.stampResetRequest({ type: 'Immediate' })).toEqual({ type: 'Hard' });
    expect(c16.stampResetRequest({ type: 'OnIdle' })).toEqual({ type: 'Soft' });
    expect(c16.liftResetRequest({ type: 'Hard' })).toEqual({ type: 'Immediate' });
    expect(c16.liftResetRequest({ type: 'Soft' })).toEqual({ type: 'OnIdle' });
    expect(c16.stampResetResponse({ status: 'Scheduled' })).toEqual({ status: 'Accepted' });
    unsupported(() => c16.stampResetRequest({ type: 'OnIdle', evseId: 2 }));
    unsupported(() => c2.stampResetRequest({ type: 'ImmediateAndResume' }, 'ocpp2.0.1'));
    expect(c2.stampResetRequest({ type: 'ImmediateAndResume' }, 'ocpp2.1')).toEqual({
      type: 'ImmediateAndResume',
    });
  });

  it('remote start: 1.6 loses the remote start id and group; 2.x allocates one when missing', () => {
    const params = {
      idToken: { idToken: 'A', type: 'Central' },
      evseId: 2,
      remoteStartId: 5,
      groupIdToken: { idToken: 'G', type: 'Central' },
    } as const;
    const w16 = c16.stampRemoteStartRequest(params, c16.decimalIds);
    valid('1.6', 'RemoteStartTransaction', 'request', w16);
    expect(c16.liftRemoteStartRequest(w16, c16.decimalIds)).toEqual({
      idToken: params.idToken,
      evseId: 2,
    });
    const w2 = c2.stampRemoteStartRequest({ idToken: params.idToken }, () => 77, 'ocpp2.0.1');
    valid('2.0.1', 'RequestStartTransaction', 'request', w2);
    expect(c2.liftRemoteStartRequest(w2)).toEqual({ idToken: params.idToken, remoteStartId: 77 });
  });

  it('availability: EVSE 0 or none is the whole station; 1.6 cannot name a second connector', () => {
    expect(c16.stampChangeAvailabilityRequest({ operationalStatus: 'Inoperative' })).toEqual({
      connectorId: 0,
      type: 'Inoperative',
    });
    expect(c16.liftChangeAvailabilityRequest({ connectorId: 0, type: 'Operative' })).toEqual({
      operationalStatus: 'Operative',
    });
    expect(
      c2.stampChangeAvailabilityRequest({ operationalStatus: 'Operative', evseId: 0 }),
    ).toEqual({ operationalStatus: 'Operative' });
    const w2 = c2.stampChangeAvailabilityRequest({
      operationalStatus: 'Operative',
      evseId: 2,
      connectorId: 2,
    });
    expect(c2.liftChangeAvailabilityRequest(w2)).toEqual({
      operationalStatus: 'Operative',
      evseId: 2,
      connectorId: 2,
    });
    unsupported(() =>
      c16.stampChangeAvailabilityRequest({
        operationalStatus: 'Operative',
        evseId: 2,
        connectorId: 2,
      }),
    );
  });

  it('unlock answers fold across versions', () => {
    expect(c16.stampUnlockResponse({ status: 'UnknownConnector' })).toEqual({
      status: 'NotSupported',
    });
    expect(c16.stampUnlockResponse({ status: 'OngoingAuthorizedTransaction' })).toEqual({
      status: 'UnlockFailed',
    });
    expect(c2.stampUnlockResponse({ status: 'NotSupported' })).toEqual({ status: 'UnlockFailed' });
  });

  it('trigger: LogStatusNotification ↔ DiagnosticsStatusNotification; 2.1-only triggers are not lifted', () => {
    expect(c16.stampTriggerRequest({ requestedMessage: 'LogStatusNotification' })).toEqual({
      requestedMessage: 'DiagnosticsStatusNotification',
    });
    unsupported(() =>
      c16.stampTriggerRequest({ requestedMessage: 'SignChargingStationCertificate' }),
    );
    expect(
      c2.liftTriggerRequest({ requestedMessage: 'CustomTrigger', customTrigger: 'x' }),
    ).toBeUndefined();
  });
});

describe('configuration', () => {
  it('2.x GetVariables: mapped keys are asked as component/variable, unmapped keys never sent', () => {
    const plan = c2.planGetVariables(['HeartbeatInterval', 'BlinkRepeat', 'EVSE[1].Power']);
    expect(plan.unmapped).toEqual(['BlinkRepeat']);
    valid('2.0.1', 'GetVariables', 'request', plan.request);
    const lifted = c2.liftGetVariablesResponse(
      {
        getVariableResult: [
          {
            attributeStatus: 'Accepted',
            attributeValue: '300',
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'HeartbeatInterval' },
          },
          {
            attributeStatus: 'UnknownComponent',
            component: { name: 'EVSE', instance: '1' },
            variable: { name: 'Power' },
          },
        ],
      },
      plan,
      true,
    );
    expect(lifted).toEqual({
      values: [{ key: 'HeartbeatInterval', value: '300' }],
      unknownKeys: ['BlinkRepeat', 'EVSE[1].Power'],
    });
  });

  it('2.x station answers GetVariables from a neutral read: unknown, rejected and non-Actual attributes', () => {
    const request = {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { component: { name: 'X' }, variable: { name: 'Y' } },
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          attributeType: 'MaxSet' as const,
        },
      ],
    };
    expect(c2.liftGetVariablesKeys(request)).toEqual([
      'HeartbeatInterval',
      'AuthorizationKey',
      'X.Y',
    ]);
    const response = c2.stampGetVariablesResponse(request, {
      values: [{ key: 'HeartbeatInterval', value: '300' }, { key: 'AuthorizationKey' }],
      unknownKeys: ['X.Y'],
    });
    valid('2.0.1', 'GetVariables', 'response', response);
    expect(response.getVariableResult.map((r) => r.attributeStatus)).toEqual([
      'Accepted',
      'Rejected',
      'UnknownVariable',
      'NotSupportedAttributeType',
    ]);
  });

  it('2.x SetVariables statuses lift to the 1.6 ones', () => {
    const result = (attributeStatus: string) => ({
      setVariableResult: [{ attributeStatus, component: { name: 'A' }, variable: { name: 'B' } }],
    });
    expect(c2.liftSetVariablesResponse(result('RebootRequired') as never)).toEqual({
      status: 'RebootRequired',
    });
    expect(c2.liftSetVariablesResponse(result('UnknownVariable') as never)).toEqual({
      status: 'NotSupported',
    });
    expect(c2.liftSetVariablesResponse(result('NotSupportedAttributeType') as never)).toEqual({
      status: 'NotSupported',
    });
    unsupported(() =>
      c2.stampSetVariablesRequest({ key: 'LightIntensity', value: '1' }, 'ocpp2.1'),
    );
  });

  it('1.6 read-only flag defaults to false on the wire', () => {
    const wire = c16.stampGetConfigurationResponse({
      values: [{ key: 'K', value: 'v' }],
      unknownKeys: [],
    });
    valid('1.6', 'GetConfiguration', 'response', wire);
    expect(wire).toEqual({ configurationKey: [{ key: 'K', readonly: false, value: 'v' }] });
  });
});

describe('data transfer, firmware, logs', () => {
  it('1.6 data is text: other values are sent as JSON text and come back as text', () => {
    const wire = c16.stampDataTransferRequest({ vendorId: 'v', data: { a: 1 } });
    valid('1.6', 'DataTransfer', 'request', wire);
    expect(wire.data).toBe('{"a":1}');
    expect(c16.liftDataTransferRequest(wire).data).toBe('{"a":1}');
    expect(
      c2.liftDataTransferRequest(c2.stampDataTransferRequest({ vendorId: 'v', data: { a: 1 } }))
        .data,
    ).toEqual({ a: 1 });
  });

  it('firmware status: 2.x-only statuses and request ids use the signed 1.6 message', () => {
    expect(c16.stampFirmwareStatus({ status: 'Installed' })).toEqual({
      action: 'FirmwareStatusNotification',
      payload: { status: 'Installed' },
    });
    expect(c16.stampFirmwareStatus({ status: 'DownloadScheduled' }).action).toBe(
      'SignedFirmwareStatusNotification',
    );
    expect(c16.stampFirmwareStatus({ status: 'Installed', requestId: 3 }).action).toBe(
      'SignedFirmwareStatusNotification',
    );
  });

  it('log status: without a request id 1.6 uses DiagnosticsStatusNotification, folding failures', () => {
    expect(c16.stampLogStatus({ status: 'PermissionDenied' })).toEqual({
      action: 'DiagnosticsStatusNotification',
      payload: { status: 'UploadFailed' },
    });
    expect(c16.liftDiagnosticsStatus({ status: 'UploadFailed' })).toEqual({
      status: 'UploadFailure',
    });
    expect(c16.stampLogStatus({ status: 'AcceptedCanceled', requestId: 1 })).toEqual({
      action: 'LogStatusNotification',
      payload: { status: 'UploadFailure', requestId: 1 },
    });
  });

  it('GetDiagnostics cannot refuse: a Rejected answer sends no file name', () => {
    expect(c16.stampGetDiagnosticsResponse({ status: 'Rejected', filename: 'x' })).toEqual({});
    expect(c16.liftGetDiagnosticsResponse({})).toEqual({ status: 'Accepted' });
  });
});

describe('charging profiles', () => {
  const profile: ChargingProfile = {
    id: 1,
    stackLevel: 2,
    chargingProfilePurpose: 'ChargingStationMaxProfile',
    chargingProfileKind: 'Recurring',
    recurrencyKind: 'Daily',
    transactionId: '42',
    chargingSchedule: [
      {
        id: 9,
        duration: 86400,
        startSchedule: T,
        chargingRateUnit: 'W',
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000, numberPhases: 1, phaseToUse: 2 }],
        minChargingRate: 1000,
      },
    ],
  };

  it('1.6: ChargePointMaxProfile, integer transaction id, schedule id and phaseToUse lost', () => {
    const wire = c16.stampChargingProfile(profile, c16.decimalIds);
    valid('1.6', 'SetChargingProfile', 'request', { connectorId: 0, csChargingProfiles: wire });
    expect(wire.chargingProfilePurpose).toBe('ChargePointMaxProfile');
    expect(wire.transactionId).toBe(42);
    expect(c16.liftChargingProfile(wire, c16.decimalIds)).toEqual({
      ...profile,
      chargingSchedule: [
        {
          duration: 86400,
          startSchedule: T,
          chargingRateUnit: 'W',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000, numberPhases: 1 }],
          minChargingRate: 1000,
        },
      ],
    });
  });

  it.each(V2)('%s round-trips a profile', (v) => {
    const wire = c2.stampChargingProfile(profile, v);
    valid(num(v), 'SetChargingProfile', 'request', { evseId: 0, chargingProfile: wire });
    expect(c2.liftChargingProfile(wire)).toEqual(profile);
  });

  it('a period without a limit is 2.1 only', () => {
    const noLimit: ChargingProfile = {
      ...profile,
      chargingSchedule: [{ chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0 }] }],
    };
    unsupported(() => c2.stampChargingProfile(noLimit, 'ocpp2.0.1'));
    unsupported(() => c16.stampChargingProfile(noLimit, c16.decimalIds));
    expect(
      c2.stampChargingProfile(noLimit, 'ocpp2.1').chargingSchedule[0]?.chargingSchedulePeriod,
    ).toEqual([{ startPeriod: 0 }]);
  });

  it('1.6 composite schedule fills missing fields from the request', () => {
    const lifted = c16.liftCompositeResponse(
      {
        status: 'Accepted',
        chargingSchedule: {
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 6 }],
        },
        scheduleStart: T,
      },
      { evseId: 3, duration: 600 },
    );
    expect(lifted).toEqual({
      status: 'Accepted',
      schedule: {
        evseId: 3,
        duration: 600,
        scheduleStart: T,
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 6 }],
      },
    });
    const back = c16.stampCompositeResponse(lifted);
    valid('1.6', 'GetCompositeSchedule', 'response', back);
  });

  it('clear by criteria', () => {
    const p = { evseId: 1, chargingProfilePurpose: 'TxProfile', stackLevel: 0 } as const;
    expect(c2.liftClearChargingProfileRequest(c2.stampClearChargingProfileRequest(p))).toEqual(p);
    expect(c16.liftClearChargingProfileRequest(c16.stampClearChargingProfileRequest(p))).toEqual(p);
    expect(c2.stampClearChargingProfileRequest({ id: 4 })).toEqual({ chargingProfileId: 4 });
  });
});

describe('reservations and local list', () => {
  it('reserve: 1.6 connector 0 is any EVSE, connector type is lost', () => {
    const p = {
      id: 1,
      expiryDateTime: T,
      idToken: { idToken: 'TAG', type: 'ISO14443' },
      groupIdToken: { idToken: 'G', type: 'Central' },
      connectorType: 'cType2',
    } as const;
    const w16 = c16.stampReserveNowRequest(p);
    valid('1.6', 'ReserveNow', 'request', w16);
    expect(w16.connectorId).toBe(0);
    const { connectorType: _lost, ...rest } = p;
    expect(c16.liftReserveNowRequest(w16)).toEqual(rest);
    const w2 = c2.stampReserveNowRequest(p);
    valid('2.0.1', 'ReserveNow', 'request', w2);
    expect(c2.liftReserveNowRequest(w2)).toEqual(p);
  });

  it('local list: versions and entries cross; NotSupported folds to Failed on 2.x', () => {
    const p = {
      versionNumber: 3,
      updateType: 'Differential',
      localAuthorizationList: [
        { idToken: { idToken: 'TAG', type: 'ISO14443' }, idTokenInfo: { status: 'Expired' } },
        { idToken: { idToken: 'OLD', type: 'ISO14443' } },
      ],
    } as const;
    const w16 = c16.stampSendLocalListRequest(p);
    valid('1.6', 'SendLocalList', 'request', w16);
    expect(c16.liftSendLocalListRequest(w16)).toEqual(p);
    const w2 = c2.stampSendLocalListRequest(p);
    valid('2.1', 'SendLocalList', 'request', w2);
    expect(c2.liftSendLocalListRequest(w2)).toEqual(p);
    expect(c2.stampSendLocalListResponse({ status: 'NotSupported' })).toEqual({ status: 'Failed' });
    expect(c2.stampSetChargingProfileResponse({ status: 'NotSupported' })).toEqual({
      status: 'Rejected',
    });
  });
});

describe('actionsOf', () => {
  it('reads the wire actions of an operation from the version codec', () => {
    expect(actionsOf('ocpp1.6', 'updateFirmware')).toEqual([
      'UpdateFirmware',
      'SignedUpdateFirmware',
    ]);
    expect(actionsOf('ocpp1.6', 'updateTransaction')).toEqual(['MeterValues']);
    expect(actionsOf('ocpp2.0.1', 'startTransaction')).toEqual(['TransactionEvent']);
    expect(actionsOf('ocpp2.1', 'getConfiguration')).toEqual(['GetVariables']);
    expect(actionsOf('ocpp2.1', 'dataTransfer')).toEqual(['DataTransfer']);
  });
});
