import type { CallOptions } from '@ocpp/rpc';
import type * as V16 from '@ocpp/v16-core';
import type { V16ActionMap } from '@ocpp/v16-core';
import type * as V21 from '@ocpp/v21-core';
import type * as V201 from '@ocpp/v201-core';
import type { V201ActionMap } from '@ocpp/v201-core';
import { describe, expectTypeOf, it } from 'vitest';
import { inboundOf, outboundOf } from '../src/engine.js';
import type {
  AuthorizationStatus,
  BootReason,
  ChargePointErrorCode16,
  ChargePointStatus16,
  ChargingProfilePurpose,
  ChargingSchedulePeriod,
  ChargingState,
  ConfigurationStatus,
  ConnectorStatus,
  CsmsContext,
  CsmsHandlers,
  CsmsSession,
  CsmsVersionedHandlers,
  DataTransferStatus,
  FirmwareStatus,
  GenericCsms,
  GenericStation,
  IdToken,
  KnownIdTokenType,
  KnownMeasurand,
  KnownStopReason,
  KnownTriggerReason,
  LogType,
  MeasurementLocation,
  OperationalStatus,
  Phase,
  ReadingContext,
  RegistrationStatus,
  ReserveNowResult,
  ResetType,
  ScheduledResult,
  SendLocalListResult,
  SetChargingProfileResult,
  StationHandle,
  StationSession,
  StatusInfo,
  TransactionEventType,
  TriggerableMessage,
  TriggerMessageResult,
  UnlockStatus,
  UpdateFirmwareStatus,
  UploadLogStatus,
} from '../src/index.js';

describe('neutral enums stay in sync with the generated ones', () => {
  it('equal the 2.x enum where the neutral model is the 2.x one', () => {
    expectTypeOf<ConnectorStatus>().toEqualTypeOf<V201.ConnectorStatusEnumType>();
    expectTypeOf<ConnectorStatus>().toEqualTypeOf<V21.ConnectorStatusEnumType>();
    expectTypeOf<AuthorizationStatus>().toEqualTypeOf<V201.AuthorizationStatusEnumType>();
    expectTypeOf<AuthorizationStatus>().toEqualTypeOf<V21.AuthorizationStatusEnumType>();
    expectTypeOf<BootReason>().toEqualTypeOf<V201.BootReasonEnumType>();
    expectTypeOf<BootReason>().toEqualTypeOf<V21.BootReasonEnumType>();
    expectTypeOf<KnownIdTokenType>().toEqualTypeOf<V201.IdTokenEnumType>();
    expectTypeOf<KnownTriggerReason>().toEqualTypeOf<V201.TriggerReasonEnumType>();
    expectTypeOf<ResetType>().toEqualTypeOf<V21.ResetEnumType>();
    expectTypeOf<FirmwareStatus>().toEqualTypeOf<V201.FirmwareStatusEnumType>();
    expectTypeOf<FirmwareStatus>().toEqualTypeOf<V16.FirmwareStatusEnumType>();
    expectTypeOf<UploadLogStatus>().toEqualTypeOf<V201.UploadLogStatusEnumType>();
    expectTypeOf<ChargingProfilePurpose>().toEqualTypeOf<V201.ChargingProfilePurposeEnumType>();
    expectTypeOf<TriggerableMessage>().toEqualTypeOf<V201.MessageTriggerEnumType>();
    expectTypeOf<ChargingState>().toEqualTypeOf<V201.ChargingStateEnumType>();
    expectTypeOf<UpdateFirmwareStatus>().toEqualTypeOf<V201.UpdateFirmwareStatusEnumType>();
    expectTypeOf<TransactionEventType>().toEqualTypeOf<V201.TransactionEventEnumType>();
    expectTypeOf<OperationalStatus>().toEqualTypeOf<V201.OperationalStatusEnumType>();
    expectTypeOf<MeasurementLocation>().toEqualTypeOf<V21.LocationEnumType>();
    expectTypeOf<LogType>().toEqualTypeOf<V21.LogEnumType>();
    expectTypeOf<
      TriggerMessageResult['status']
    >().toEqualTypeOf<V201.TriggerMessageStatusEnumType>();
    expectTypeOf<ReserveNowResult['status']>().toEqualTypeOf<V201.ReserveNowStatusEnumType>();
    expectTypeOf<ScheduledResult['status']>().toEqualTypeOf<V201.ResetStatusEnumType>();
    expectTypeOf<
      ScheduledResult['status']
    >().toEqualTypeOf<V201.ChangeAvailabilityStatusEnumType>();
  });

  it('equal the 1.6 enum where 1.6 detail is kept', () => {
    expectTypeOf<ChargePointStatus16>().toEqualTypeOf<V16.ChargePointStatus>();
    expectTypeOf<ChargePointErrorCode16>().toEqualTypeOf<V16.ChargePointErrorCode>();
    expectTypeOf<ConfigurationStatus>().toEqualTypeOf<V16.ConfigurationStatus>();
    expectTypeOf<SetChargingProfileResult['status']>().toEqualTypeOf<V16.ChargingProfileStatus>();
    expectTypeOf<ScheduledResult['status']>().toEqualTypeOf<V16.AvailabilityStatus>();
  });

  it('cover every version where the neutral one is a union', () => {
    expectTypeOf<V16.AuthorizationStatus>().toExtend<AuthorizationStatus>();
    expectTypeOf<V16.FirmwareStatus>().toExtend<FirmwareStatus>();
    expectTypeOf<V16.Measurand>().toExtend<KnownMeasurand>();
    expectTypeOf<V201.MeasurandEnumType>().toExtend<KnownMeasurand>();
    expectTypeOf<V16.Reason | V201.ReasonEnumType>().toEqualTypeOf<KnownStopReason>();
    expectTypeOf<V16.UnlockStatus | V201.UnlockStatusEnumType>().toEqualTypeOf<UnlockStatus>();
    expectTypeOf<V16.UpdateStatus | V201.SendLocalListStatusEnumType>().toEqualTypeOf<
      SendLocalListResult['status']
    >();
    expectTypeOf<V16.DataTransferStatus>().toEqualTypeOf<DataTransferStatus>();
    expectTypeOf<V201.DataTransferStatusEnumType>().toEqualTypeOf<DataTransferStatus>();
    expectTypeOf<V16.RegistrationStatus>().toEqualTypeOf<RegistrationStatus>();
    expectTypeOf<V21.RegistrationStatusEnumType>().toEqualTypeOf<RegistrationStatus>();
    expectTypeOf<V16.Phase>().toEqualTypeOf<Phase>();
    expectTypeOf<V21.PhaseEnumType>().toEqualTypeOf<Phase>();
    expectTypeOf<V16.ReadingContext>().toEqualTypeOf<ReadingContext>();
    expectTypeOf<V21.ReadingContextEnumType>().toEqualTypeOf<ReadingContext>();
    expectTypeOf<V16.Location | V201.LocationEnumType>().toExtend<MeasurementLocation>();
    expectTypeOf<V16.ResetType>().not.toExtend<ResetType>();
  });

  it('neutral datatypes fit the 2.x ones they mirror', () => {
    expectTypeOf<IdToken>().toExtend<V21.IdTokenType>();
    expectTypeOf<StatusInfo>().toExtend<V201.StatusInfoType>();
    expectTypeOf<Required<ChargingSchedulePeriod>>().toExtend<V201.ChargingSchedulePeriodType>();
  });
});

describe('the API surface', () => {
  it('a station handle offers CSMS-initiated operations only, with neutral params', () => {
    expectTypeOf<GenericCsms['station']>().returns.toEqualTypeOf<StationHandle | undefined>();
    const handle = {} as StationHandle;
    expectTypeOf(handle.remoteStop)
      .parameter(0)
      .toEqualTypeOf<{ readonly transactionId: string }>();
    expectTypeOf(handle.reset).parameter(1).toEqualTypeOf<CallOptions | undefined>();
    // @ts-expect-error a CSMS does not boot a station
    void handle.boot;
    // @ts-expect-error 1.6 reset names are not neutral
    void handle.reset({ type: 'Hard' });
    // @ts-expect-error remote start needs an idToken
    void handle.remoteStart({ evseId: 1 });
    // @ts-expect-error 1.6 transaction ids are neutral strings
    void handle.remoteStop({ transactionId: 42 });
  });

  it('a generic station sends station-initiated operations only', () => {
    const station = {} as GenericStation;
    expectTypeOf(station.startTransaction)
      .returns.resolves.toHaveProperty('transactionId')
      .toBeString();
    // @ts-expect-error a station does not remote-start
    void station.remoteStart;
    // @ts-expect-error meterStart is required (1.6 needs it)
    void station.startTransaction({ evseId: 1 });
  });

  it('handlers take neutral requests and must answer the neutral shape', () => {
    const handlers: CsmsHandlers = {
      onBoot: (boot, context) => {
        expectTypeOf(boot.vendorName).toBeString();
        expectTypeOf(context.session).toEqualTypeOf<CsmsSession>();
        return { status: 'Accepted', interval: 300 };
      },
      // @ts-expect-error an authorize answer needs idTokenInfo
      onAuthorize: () => ({ status: 'Accepted' }),
    };
    void handlers;
  });

  it('the exact versioned session is reachable and narrows on its protocol', () => {
    const handle = {} as StationHandle;
    const session = handle.session;
    if (session.protocol === 'ocpp1.6') {
      expectTypeOf(session.call<'RemoteStartTransaction'>)
        .parameter(1)
        .toEqualTypeOf<V16.RemoteStartTransactionRequest>();
      // @ts-expect-error RequestStartTransaction is 2.x
      void session.call('RequestStartTransaction', {});
    } else if (session.protocol === 'ocpp2.0.1') {
      expectTypeOf(session.call<'RequestStartTransaction'>)
        .parameter(1)
        .toEqualTypeOf<V201.RequestStartTransactionRequest>();
    } else {
      expectTypeOf(session.call<'RequestStartTransaction'>)
        .parameter(1)
        .toEqualTypeOf<V21.RequestStartTransactionRequest>();
    }
    const station = {} as GenericStation;
    expectTypeOf(station.session).toEqualTypeOf<StationSession>();
    if (station.session.protocol === 'ocpp2.1') {
      // @ts-expect-error a station does not send RequestStartTransaction
      void station.session.call('RequestStartTransaction', {});
    }
  });
});

describe('codec rows are typed against their version', () => {
  type End = Record<string, never>;
  const out16 = outboundOf<'1.6', V16ActionMap, 'csms', End>();
  const out201 = outboundOf<'2.0.1', V201ActionMap, 'csms', End>();
  const in201 = inboundOf<'2.0.1', V201ActionMap, 'csms', CsmsHandlers, CsmsContext>();

  const any = () => ({});
  const same = (r: unknown) => r;
  const accepted = () => ({ status: 'Accepted' as const });

  it('a wrong action name does not compile', () => {
    // @ts-expect-error a misspelled action
    out16.call('Resett', any, same);
    // @ts-expect-error RequestStartTransaction is not a 1.6 action
    out16.call('RequestStartTransaction', any, same);
    // @ts-expect-error a CSMS does not send BootNotification
    out201.call('BootNotification', any, same);
    // @ts-expect-error a CSMS does not answer Reset
    in201.route('Reset', [], accepted);
  });

  it('a wrong request or response shape does not compile', () => {
    const immediate = () => ({ type: 'Immediate' as const });
    const hard = () => ({ type: 'Hard' as const });
    const andResume = () => ({ type: 'ImmediateAndResume' as const });
    const info = (r: { statusInfo: unknown }) => r.statusInfo;
    const bootWithoutTime = () => ({ status: 'Accepted' as const, interval: 1 });
    // @ts-expect-error 1.6 Reset takes Hard or Soft, not the 2.x types
    out16.call('Reset', immediate, same);
    // @ts-expect-error the 1.6 Reset answer has no statusInfo
    out16.call('Reset', hard, info);
    // @ts-expect-error a 2.0.1 BootNotification answer needs currentTime
    in201.route('BootNotification', [], bootWithoutTime);
    // @ts-expect-error 'ImmediateAndResume' is 2.1 only, not a 2.0.1 reset type
    out201.call('Reset', andResume, same);
    // The right shapes compile.
    out16.call('Reset', hard, (r) => r.status);
  });

  it('versioned handlers get the generated types of their version', () => {
    const versioned: CsmsVersionedHandlers = {
      'ocpp2.0.1': {
        NotifyReport: (req) => {
          expectTypeOf(req).toEqualTypeOf<V201.NotifyReportRequest>();
          return {};
        },
      },
      'ocpp1.6': {
        // @ts-expect-error the answer of a 1.6 Authorize needs idTagInfo
        Authorize: () => ({}),
      },
    };
    void versioned;
  });
});
