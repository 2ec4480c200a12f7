import type { Action, MessagePart } from './model.js';

/** What the generator needs to know about a version beyond its schema files. */
export interface VersionConfig {
  /** Folder name under `specs/` and the subprotocol (`ocpp1.6`). */
  readonly id: 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';
  /** The version as `@ocpp/runtime` spells it. */
  readonly version: '1.6' | '2.0.1' | '2.1';
  /** Identifier prefix: `v16`, `v201`, `v21`. */
  readonly prefix: 'v16' | 'v201' | 'v21';
  /** The package the code goes to, relative to the repository root. */
  readonly packageDir: string;
  /** Maps a schema file name to its message, or `undefined` when it names none. */
  identify(file: string): { action: string; part: MessagePart; message: string } | undefined;
  /** The direction of an action (not in the schemas: taken from the spec's message catalog). */
  directionOf(action: string): Action['direction'] | undefined;
  /** Where the direction table is, for error messages: `V201_* in codegen/src/versions.ts`. */
  readonly directionTable: string;
  /** Every action the direction table lists, to catch a table entry without a schema. */
  listedActions(): readonly string[];
  /** Actions sent as SEND (2.1 message type 6) instead of CALL. */
  readonly sendActions: readonly string[];
  /**
   * Names for inline enums and objects (1.6 schemas define their types inline). Keys are a
   * property path (`idTagInfo.status`, `meterValue[].sampledValue[].unit`) matched as a suffix,
   * or `Message:path` for one message only. Names are the spec's own (OCPP 1.6 §7).
   */
  readonly inlineNames: Readonly<Record<string, string>>;
}

/**
 * One version's direction table. Each version states its own lists in full, with no list shared
 * or spread from another version's: an action added to one version (a new 2.0.1 action, say) can
 * then neither appear in nor break another. That the versions agree on the actions they share is
 * a test (`test/versions.test.ts`), not a construction.
 */
interface DirectionTable {
  readonly StationToCsms: readonly string[];
  readonly CsmsToStation: readonly string[];
  readonly Both: readonly string[];
}

/** The file the direction tables are in, as error messages name it. */
export const VERSIONS_FILE = 'codegen/src/versions.ts';

function directions(
  id: VersionConfig['id'],
  prefix: string,
  table: DirectionTable,
): Pick<VersionConfig, 'directionOf' | 'listedActions' | 'directionTable'> {
  const directionTable = `${prefix}_* in ${VERSIONS_FILE}`;
  const map = new Map<string, Action['direction']>();
  for (const dir of ['StationToCsms', 'CsmsToStation', 'Both'] as const) {
    for (const a of table[dir]) {
      const before = map.get(a);
      if (before !== undefined) {
        throw new Error(
          `${id}: action ${a} is listed twice in the direction table (${directionTable}): as ${before} and as ${dir}`,
        );
      }
      map.set(a, dir);
    }
  }
  return { directionOf: (a) => map.get(a), listedActions: () => [...map.keys()], directionTable };
}

function identifyV16(file: string): ReturnType<VersionConfig['identify']> {
  const m = /^([A-Z][A-Za-z0-9]*?)(Response)?\.json$/.exec(file);
  if (m === null) return undefined;
  const action = m[1]!;
  const part = m[2] === undefined ? 'request' : 'response';
  return { action, part, message: `${action}${part === 'request' ? 'Request' : 'Response'}` };
}

function identifyV2(sendActions: readonly string[]) {
  return (file: string): ReturnType<VersionConfig['identify']> => {
    const send = /^([A-Z][A-Za-z0-9]*)\.json$/.exec(file);
    if (send !== null && sendActions.includes(send[1]!)) {
      return { action: send[1]!, part: 'request', message: send[1]! };
    }
    const m = /^([A-Z][A-Za-z0-9]*?)(Request|Response)\.json$/.exec(file);
    if (m === null) return undefined;
    return {
      action: m[1]!,
      part: m[2] === 'Request' ? 'request' : 'response',
      message: `${m[1]}${m[2]}`,
    };
  };
}

const V16_STATION_TO_CSMS = [
  'Authorize',
  'BootNotification',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
  // 1.6 security whitepaper
  'LogStatusNotification',
  'SecurityEventNotification',
  'SignCertificate',
  'SignedFirmwareStatusNotification',
];

const V16_CSMS_TO_STATION = [
  'CancelReservation',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetLocalListVersion',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
  // 1.6 security whitepaper
  'CertificateSigned',
  'DeleteCertificate',
  'ExtendedTriggerMessage',
  'GetInstalledCertificateIds',
  'GetLog',
  'InstallCertificate',
  'SignedUpdateFirmware',
];

const V201_STATION_TO_CSMS = [
  'Authorize',
  'BootNotification',
  'ClearedChargingLimit',
  'FirmwareStatusNotification',
  'Get15118EVCertificate',
  'GetCertificateStatus',
  'Heartbeat',
  'LogStatusNotification',
  'MeterValues',
  'NotifyChargingLimit',
  'NotifyCustomerInformation',
  'NotifyDisplayMessages',
  'NotifyEVChargingNeeds',
  'NotifyEVChargingSchedule',
  'NotifyEvent',
  'NotifyMonitoringReport',
  'NotifyReport',
  'PublishFirmwareStatusNotification',
  'ReportChargingProfiles',
  'ReservationStatusUpdate',
  'SecurityEventNotification',
  'SignCertificate',
  'StatusNotification',
  'TransactionEvent',
];

const V201_CSMS_TO_STATION = [
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ClearCache',
  'ClearChargingProfile',
  'ClearDisplayMessage',
  'ClearVariableMonitoring',
  'CostUpdated',
  'CustomerInformation',
  'DeleteCertificate',
  'GetBaseReport',
  'GetChargingProfiles',
  'GetCompositeSchedule',
  'GetDisplayMessages',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'GetMonitoringReport',
  'GetReport',
  'GetTransactionStatus',
  'GetVariables',
  'InstallCertificate',
  'PublishFirmware',
  'RequestStartTransaction',
  'RequestStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'SetDisplayMessage',
  'SetMonitoringBase',
  'SetMonitoringLevel',
  'SetNetworkProfile',
  'SetVariableMonitoring',
  'SetVariables',
  'TriggerMessage',
  'UnlockConnector',
  'UnpublishFirmware',
  'UpdateFirmware',
];

// 2.1 states its own lists: it lists the 2.0.1 actions again rather than spreading the 2.0.1
// lists, so that an action added to 2.0.1 does not become a 2.1 action without a 2.1 schema.
const V21_STATION_TO_CSMS = [
  'Authorize',
  'BatterySwap',
  'BootNotification',
  'ClearedChargingLimit',
  'ClosePeriodicEventStream',
  'FirmwareStatusNotification',
  'Get15118EVCertificate',
  'GetCertificateChainStatus',
  'GetCertificateStatus',
  'Heartbeat',
  'LogStatusNotification',
  'MeterValues',
  'NotifyChargingLimit',
  'NotifyCustomerInformation',
  'NotifyDERAlarm',
  'NotifyDERStartStop',
  'NotifyDisplayMessages',
  'NotifyEVChargingNeeds',
  'NotifyEVChargingSchedule',
  'NotifyEvent',
  'NotifyMonitoringReport',
  'NotifyPeriodicEventStream',
  'NotifyPriorityCharging',
  'NotifyReport',
  'NotifySettlement',
  'OpenPeriodicEventStream',
  'PublishFirmwareStatusNotification',
  'PullDynamicScheduleUpdate',
  'ReportChargingProfiles',
  'ReportDERControl',
  'ReservationStatusUpdate',
  'SecurityEventNotification',
  'SignCertificate',
  'StatusNotification',
  'TransactionEvent',
  'VatNumberValidation',
];

const V21_CSMS_TO_STATION = [
  'AFRRSignal',
  'AdjustPeriodicEventStream',
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ChangeTransactionTariff',
  'ClearCache',
  'ClearChargingProfile',
  'ClearDERControl',
  'ClearDisplayMessage',
  'ClearTariffs',
  'ClearVariableMonitoring',
  'CostUpdated',
  'CustomerInformation',
  'DeleteCertificate',
  'GetBaseReport',
  'GetChargingProfiles',
  'GetCompositeSchedule',
  'GetDERControl',
  'GetDisplayMessages',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'GetMonitoringReport',
  'GetPeriodicEventStream',
  'GetReport',
  'GetTariffs',
  'GetTransactionStatus',
  'GetVariables',
  'InstallCertificate',
  'NotifyAllowedEnergyTransfer',
  'NotifyWebPaymentStarted',
  'PublishFirmware',
  'RequestBatterySwap',
  'RequestStartTransaction',
  'RequestStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'SetDERControl',
  'SetDefaultTariff',
  'SetDisplayMessage',
  'SetMonitoringBase',
  'SetMonitoringLevel',
  'SetNetworkProfile',
  'SetVariableMonitoring',
  'SetVariables',
  'TriggerMessage',
  'UnlockConnector',
  'UnpublishFirmware',
  'UpdateDynamicSchedule',
  'UpdateFirmware',
  'UsePriorityCharging',
];

/** 2.1 actions sent as SEND (message type 6), without a response. */
const V21_SEND = ['NotifyPeriodicEventStream'];

/** OCPP 1.6 §7 type names for the types the 1.6 schemas define inline. */
const V16_INLINE_NAMES: Readonly<Record<string, string>> = {
  idTagInfo: 'IdTagInfo',
  'idTagInfo.status': 'AuthorizationStatus',
  'localAuthorizationList[]': 'AuthorizationData',
  'configurationKey[]': 'KeyValue',
  'meterValue[]': 'MeterValue',
  'transactionData[]': 'MeterValue',
  'sampledValue[]': 'SampledValue',
  'sampledValue[].context': 'ReadingContext',
  'sampledValue[].format': 'ValueFormat',
  'sampledValue[].measurand': 'Measurand',
  'sampledValue[].phase': 'Phase',
  'sampledValue[].location': 'Location',
  'sampledValue[].unit': 'UnitOfMeasure',
  chargingProfile: 'ChargingProfile',
  csChargingProfiles: 'ChargingProfile',
  chargingProfilePurpose: 'ChargingProfilePurposeType',
  chargingProfileKind: 'ChargingProfileKindType',
  recurrencyKind: 'RecurrencyKindType',
  chargingSchedule: 'ChargingSchedule',
  'chargingSchedulePeriod[]': 'ChargingSchedulePeriod',
  chargingRateUnit: 'ChargingRateUnitType',
  'BootNotificationResponse:status': 'RegistrationStatus',
  'CancelReservationResponse:status': 'CancelReservationStatus',
  'ChangeAvailabilityRequest:type': 'AvailabilityType',
  'ChangeAvailabilityResponse:status': 'AvailabilityStatus',
  'ChangeConfigurationResponse:status': 'ConfigurationStatus',
  'ClearCacheResponse:status': 'ClearCacheStatus',
  'ClearChargingProfileResponse:status': 'ClearChargingProfileStatus',
  'DataTransferResponse:status': 'DataTransferStatus',
  'DiagnosticsStatusNotificationRequest:status': 'DiagnosticsStatus',
  'FirmwareStatusNotificationRequest:status': 'FirmwareStatus',
  'GetCompositeScheduleResponse:status': 'GetCompositeScheduleStatus',
  'RemoteStartTransactionResponse:status': 'RemoteStartStopStatus',
  'RemoteStopTransactionResponse:status': 'RemoteStartStopStatus',
  'ReserveNowResponse:status': 'ReservationStatus',
  'ResetRequest:type': 'ResetType',
  'ResetResponse:status': 'ResetStatus',
  'SendLocalListRequest:updateType': 'UpdateType',
  'SendLocalListResponse:status': 'UpdateStatus',
  'SetChargingProfileResponse:status': 'ChargingProfileStatus',
  'StatusNotificationRequest:errorCode': 'ChargePointErrorCode',
  'StatusNotificationRequest:status': 'ChargePointStatus',
  'StopTransactionRequest:reason': 'Reason',
  'TriggerMessageRequest:requestedMessage': 'MessageTrigger',
  'TriggerMessageResponse:status': 'TriggerMessageStatus',
  'UnlockConnectorResponse:status': 'UnlockStatus',
};

/** The three versions, in the order the SDK lists them. */
export const VERSIONS: readonly VersionConfig[] = [
  {
    id: 'ocpp1.6',
    version: '1.6',
    prefix: 'v16',
    packageDir: 'packages/v16-core',
    identify: identifyV16,
    ...directions('ocpp1.6', 'V16', {
      StationToCsms: V16_STATION_TO_CSMS,
      CsmsToStation: V16_CSMS_TO_STATION,
      Both: ['DataTransfer'],
    }),
    sendActions: [],
    inlineNames: V16_INLINE_NAMES,
  },
  {
    id: 'ocpp2.0.1',
    version: '2.0.1',
    prefix: 'v201',
    packageDir: 'packages/v201-core',
    identify: identifyV2([]),
    ...directions('ocpp2.0.1', 'V201', {
      StationToCsms: V201_STATION_TO_CSMS,
      CsmsToStation: V201_CSMS_TO_STATION,
      Both: ['DataTransfer'],
    }),
    sendActions: [],
    inlineNames: {},
  },
  {
    id: 'ocpp2.1',
    version: '2.1',
    prefix: 'v21',
    packageDir: 'packages/v21-core',
    identify: identifyV2(V21_SEND),
    ...directions('ocpp2.1', 'V21', {
      StationToCsms: V21_STATION_TO_CSMS,
      CsmsToStation: V21_CSMS_TO_STATION,
      Both: ['DataTransfer'],
    }),
    sendActions: V21_SEND,
    inlineNames: {},
  },
];
