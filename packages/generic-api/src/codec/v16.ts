/**
 * OCPP 1.6 codecs: `lift*` turns a 1.6 payload into the neutral model, `stamp*` a neutral value
 * into a 1.6 payload. A stamp that has no 1.6 equivalent throws `UNSUPPORTED_BY_VERSION`.
 */
import type * as V16 from '@ocpp/v16-core';
import {
  ChargePointStatus as ChargePointStatusEnum,
  FirmwareStatus as FirmwareStatusEnum,
  Location as LocationEnum,
  Measurand as MeasurandEnum,
  Reason as ReasonEnum,
  UnitOfMeasure as UnitEnum,
} from '@ocpp/v16-core';
import { unsupported } from '../errors.js';
import type {
  AcceptedRejectedResult,
  AuthorizationStatus,
  AuthorizeParams,
  AuthorizeResult,
  BootParams,
  BootResult,
  ChangeAvailabilityParams,
  ChargePointStatus16,
  ChargingProfile,
  ChargingProfilePurpose,
  ChargingSchedule,
  ClearChargingProfileParams,
  ConnectorStatus,
  DataTransferParams,
  DataTransferResult,
  FirmwareStatusParams,
  GetCompositeScheduleParams,
  GetCompositeScheduleResult,
  GetConfigurationResult,
  GetLogParams,
  GetLogResult,
  IdToken,
  IdTokenInfo,
  IdTokenType,
  LocalListEntry,
  LogStatusParams,
  MeterValue,
  MeterValuesParams,
  RemoteStartParams,
  RemoteStartResult,
  ReserveNowParams,
  ResetParams,
  ResetType,
  SampledValue,
  ScheduledResult,
  SendLocalListParams,
  SendLocalListResult,
  StartTransactionParams,
  StatusParams,
  StopReason,
  StopTransactionParams,
  TransactionEvent,
  TriggerableMessage,
  TriggerMessageParams,
  UnlockConnectorParams,
  UnlockConnectorResult,
  UpdateFirmwareParams,
  UpdateFirmwareResult,
  UploadLogStatus,
} from '../model.js';
import { compact, inEnum, now, scale, triggerForStop } from './util.js';

const V = 'ocpp1.6';

/** How one side maps neutral transaction ids to 1.6 integers and back. */
export interface TransactionIds16 {
  /** The integer of a neutral id; throws `UNSUPPORTED_BY_VERSION` when there is none. */
  toInt(transactionId: string): number;
  /** The neutral id of an integer. */
  toNeutral(transactionId: number): string;
}

/** The CSMS's mapping: the neutral id is the integer's decimal text. */
export const decimalIds: TransactionIds16 = {
  toInt(transactionId) {
    if (!/^-?\d{1,10}$/.test(transactionId))
      throw unsupported(V, `transaction id "${transactionId}" (not an integer)`);
    return Number(transactionId);
  },
  toNeutral: (transactionId) => String(transactionId),
};

// ---- identifiers ----

/** Lifts a 1.6 idTag (1.6 has no token type). */
export function liftIdTag(idTag: string, type: IdTokenType = 'ISO14443'): IdToken {
  return { idToken: idTag, type };
}

const AUTHORIZATION_16 = new Set<string>([
  'Accepted',
  'Blocked',
  'Expired',
  'Invalid',
  'ConcurrentTx',
]);

/** Stamps an authorisation verdict; 2.x-only statuses become `Invalid`. */
export function stampIdTokenInfo(info: IdTokenInfo): V16.IdTagInfo {
  return compact({
    status: (AUTHORIZATION_16.has(info.status)
      ? info.status
      : 'Invalid') as V16.IdTagInfo['status'],
    expiryDate: info.cacheExpiryDateTime,
    parentIdTag: info.groupIdToken?.idToken,
  });
}

/** Lifts a 1.6 `IdTagInfo`. */
export function liftIdTokenInfo(info: V16.IdTagInfo): IdTokenInfo {
  return compact({
    status: info.status as AuthorizationStatus,
    cacheExpiryDateTime: info.expiryDate,
    groupIdToken:
      info.parentIdTag === undefined ? undefined : liftIdTag(info.parentIdTag, 'Central'),
  });
}

// ---- boot, heartbeat, authorize ----

/** Neutral → 1.6: boot request. */
export function stampBootRequest(p: BootParams): V16.BootNotificationRequest {
  return compact({
    chargePointVendor: p.vendorName,
    chargePointModel: p.model,
    chargePointSerialNumber: p.serialNumber,
    chargeBoxSerialNumber: p.chargeBoxSerialNumber,
    firmwareVersion: p.firmwareVersion,
    iccid: p.iccid,
    imsi: p.imsi,
    meterType: p.meterType,
    meterSerialNumber: p.meterSerialNumber,
  });
}

/** 1.6 → neutral: boot request. */
export function liftBootRequest(r: V16.BootNotificationRequest): BootParams {
  return compact({
    vendorName: r.chargePointVendor,
    model: r.chargePointModel,
    serialNumber: r.chargePointSerialNumber,
    chargeBoxSerialNumber: r.chargeBoxSerialNumber,
    firmwareVersion: r.firmwareVersion,
    iccid: r.iccid,
    imsi: r.imsi,
    meterType: r.meterType,
    meterSerialNumber: r.meterSerialNumber,
  });
}

/** Neutral → 1.6: boot response. */
export function stampBootResponse(r: BootResult): V16.BootNotificationResponse {
  return { status: r.status, currentTime: r.currentTime, interval: r.interval };
}

/** 1.6 → neutral: boot response. */
export function liftBootResponse(r: V16.BootNotificationResponse): BootResult {
  return { status: r.status, currentTime: r.currentTime, interval: r.interval };
}

/** Neutral → 1.6: authorize request. */
export function stampAuthorizeRequest(p: AuthorizeParams): V16.AuthorizeRequest {
  if (p.certificate !== undefined || p.iso15118CertificateHashData !== undefined)
    throw unsupported(
      V,
      `Authorize ${p.certificate !== undefined ? 'certificate' : 'iso15118CertificateHashData'}`,
    );
  return { idTag: p.idToken.idToken };
}

/** 1.6 → neutral: authorize request. */
export function liftAuthorizeRequest(r: V16.AuthorizeRequest): AuthorizeParams {
  return { idToken: liftIdTag(r.idTag) };
}

/** Neutral → 1.6: authorize response. */
export function stampAuthorizeResponse(r: AuthorizeResult): V16.AuthorizeResponse {
  return { idTagInfo: stampIdTokenInfo(r.idTokenInfo) };
}

/** 1.6 → neutral: authorize response. */
export function liftAuthorizeResponse(r: V16.AuthorizeResponse): AuthorizeResult {
  return { idTokenInfo: liftIdTokenInfo(r.idTagInfo) };
}

// ---- status ----

/** Folds a 1.6 connector status into the 2.x one. */
export function foldStatus(status: ChargePointStatus16): ConnectorStatus {
  switch (status) {
    case 'Preparing':
    case 'Charging':
    case 'SuspendedEV':
    case 'SuspendedEVSE':
    case 'Finishing':
      return 'Occupied';
    default:
      return status;
  }
}

const isChargePointStatus = inEnum(ChargePointStatusEnum);

/** The 1.6 connector id of an EVSE/connector pair: 1.6 has one connector per EVSE. */
function connectorOf(evseId: number, connectorId: number | undefined, what: string): number {
  if (connectorId !== undefined && connectorId > 1 && evseId !== 0)
    throw unsupported(V, `${what} for connector ${connectorId} of EVSE ${evseId}`);
  return evseId;
}

/** Neutral → 1.6: status request. */
export function stampStatusRequest(p: StatusParams): V16.StatusNotificationRequest {
  const fine =
    p.chargePointStatus !== undefined &&
    isChargePointStatus(p.chargePointStatus) &&
    foldStatus(p.chargePointStatus) === p.status
      ? p.chargePointStatus
      : p.status === 'Occupied'
        ? 'Preparing'
        : p.status;
  return compact({
    connectorId: connectorOf(p.evseId, p.connectorId, 'a status'),
    errorCode: p.errorCode ?? (p.status === 'Faulted' ? 'OtherError' : 'NoError'),
    info: p.info,
    status: fine,
    timestamp: p.timestamp ?? now(),
    vendorId: p.vendorId,
    vendorErrorCode: p.vendorErrorCode,
  });
}

/** 1.6 → neutral: status request. */
export function liftStatusRequest(r: V16.StatusNotificationRequest): StatusParams {
  return compact({
    evseId: r.connectorId,
    connectorId: r.connectorId === 0 ? 0 : 1,
    status: foldStatus(r.status),
    timestamp: r.timestamp,
    chargePointStatus: r.status,
    errorCode: r.errorCode,
    info: r.info,
    vendorId: r.vendorId,
    vendorErrorCode: r.vendorErrorCode,
  });
}

// ---- meter values ----

const isMeasurand = inEnum(MeasurandEnum);
const isLocation = inEnum(LocationEnum);
const isUnit = inEnum(UnitEnum);

/** A 1.6 "Raw" value is a decimal number; `Number()` alone would read `""` as 0 and `"0x10"` as 16. */
const DECIMAL = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** Lifts a 1.6 sample: the text value becomes a number (NaN when it is not a decimal); `SignedData` keeps its text aside. */
export function liftSample(s: V16.SampledValue): SampledValue {
  const signed = s.format === 'SignedData';
  return compact({
    value: signed || !DECIMAL.test(s.value) ? Number.NaN : Number(s.value),
    measurand: s.measurand,
    phase: s.phase,
    location: s.location,
    unit: s.unit === 'Celcius' ? 'Celsius' : s.unit,
    context: s.context,
    signedMeterValue: signed ? { signedMeterData: s.value } : undefined,
  });
}

/**
 * Stamps a sample, or returns `undefined` when its measurand does not exist in 1.6. The multiplier
 * is folded into the value; a unit 1.6 does not know is dropped; `Upstream` location is dropped.
 */
export function stampSample(s: SampledValue): V16.SampledValue | undefined {
  if (s.measurand !== undefined && !isMeasurand(s.measurand)) return undefined;
  const signed = s.signedMeterValue !== undefined && Number.isNaN(s.value);
  return compact({
    value: signed ? s.signedMeterValue!.signedMeterData : String(scale(s.value, s.multiplier)),
    context: s.context,
    format: signed ? ('SignedData' as const) : undefined,
    measurand: s.measurand as V16.Measurand | undefined,
    phase: s.phase,
    location: s.location !== undefined && isLocation(s.location) ? s.location : undefined,
    unit: s.unit !== undefined && isUnit(s.unit) ? s.unit : undefined,
  });
}

/** 1.6 → neutral: meter values. */
export function liftMeterValues(values: readonly V16.MeterValue[]): MeterValue[] {
  return values.map((mv) => ({
    timestamp: mv.timestamp,
    sampledValue: mv.sampledValue.map(liftSample),
  }));
}

/** Stamps readings; samples of measurands 1.6 lacks are dropped, then readings left empty. */
export function stampMeterValues(values: readonly MeterValue[]): V16.MeterValue[] {
  const out: V16.MeterValue[] = [];
  for (const mv of values) {
    const samples: V16.SampledValue[] = [];
    for (const s of mv.sampledValue) {
      const stamped = stampSample(s);
      if (stamped !== undefined) samples.push(stamped);
    }
    if (samples.length > 0) out.push({ timestamp: mv.timestamp, sampledValue: samples });
  }
  return out;
}

/** Neutral → 1.6: meter values request. */
export function stampMeterValuesRequest(p: MeterValuesParams): V16.MeterValuesRequest {
  const meterValue = stampMeterValues(p.meterValue);
  if (meterValue.length === 0) throw unsupported(V, 'meter values with only 2.x measurands');
  return { connectorId: p.evseId, meterValue };
}

/** 1.6 → neutral: meter values request. */
export function liftMeterValuesRequest(r: V16.MeterValuesRequest): MeterValuesParams {
  return { evseId: r.connectorId, meterValue: liftMeterValues(r.meterValue) };
}

// ---- transactions ----

/** Neutral → 1.6: start transaction. */
export function stampStartTransaction(p: StartTransactionParams): V16.StartTransactionRequest {
  if (p.idToken === undefined) throw unsupported(V, 'a transaction without an idToken');
  return compact({
    connectorId: connectorOf(p.evseId, p.connectorId, 'a transaction'),
    idTag: p.idToken.idToken,
    meterStart: Math.round(p.meterStart),
    reservationId: p.reservationId,
    timestamp: p.timestamp ?? now(),
  });
}

/** Lifts a StartTransaction into a Started event carrying the id the CSMS proposes. */
export function liftStartTransaction(
  r: V16.StartTransactionRequest,
  transactionId: number,
): TransactionEvent {
  return compact({
    eventType: 'Started' as const,
    transactionId: String(transactionId),
    timestamp: r.timestamp,
    triggerReason: 'Authorized',
    seqNo: 0,
    evseId: r.connectorId,
    connectorId: 1,
    idToken: liftIdTag(r.idTag),
    meterStart: r.meterStart,
    reservationId: r.reservationId,
  });
}

/** Stamps a transaction update as MeterValues with the transaction id (1.6 needs readings). */
export function stampUpdateTransaction(
  meterValue: readonly MeterValue[] | undefined,
  evseId: number,
  transactionId: number,
): V16.MeterValuesRequest {
  const stamped = stampMeterValues(meterValue ?? []);
  if (stamped.length === 0) throw unsupported(V, 'a transaction update without 1.6 readings');
  return { connectorId: evseId, transactionId, meterValue: stamped };
}

/** Lifts MeterValues that carry a transaction id into an Updated event. */
export function liftUpdateTransaction(
  r: V16.MeterValuesRequest & { transactionId: number },
  seqNo: number,
): TransactionEvent {
  const meterValue = liftMeterValues(r.meterValue);
  return {
    eventType: 'Updated',
    transactionId: String(r.transactionId),
    timestamp: meterValue[meterValue.length - 1]?.timestamp ?? now(),
    triggerReason: 'MeterValuePeriodic',
    seqNo,
    evseId: r.connectorId,
    connectorId: 1,
    meterValue,
  };
}

const isReason16 = inEnum(ReasonEnum);

/** The 1.6 stop reason nearest to a neutral one. */
export function stampStopReason(reason: StopReason): V16.Reason {
  if (isReason16(reason)) return reason;
  switch (reason) {
    case 'ImmediateReset':
      return 'HardReset';
    case 'LocalOutOfCredit':
    case 'MasterPass':
      return 'Local';
    default:
      return 'Other';
  }
}

/** Neutral → 1.6: stop transaction. */
export function stampStopTransaction(
  p: StopTransactionParams,
  transactionId: number,
): V16.StopTransactionRequest {
  const transactionData = p.meterValue === undefined ? undefined : stampMeterValues(p.meterValue);
  return compact({
    idTag: p.idToken?.idToken,
    meterStop: Math.round(p.meterStop),
    timestamp: p.timestamp ?? now(),
    transactionId,
    reason: p.stoppedReason === undefined ? undefined : stampStopReason(p.stoppedReason),
    transactionData: transactionData?.length === 0 ? undefined : transactionData,
  });
}

/** Lifts a StopTransaction into an Ended event; the EVSE comes from the transaction's start. */
export function liftStopTransaction(
  r: V16.StopTransactionRequest,
  seqNo: number,
  evseId: number | undefined,
): TransactionEvent {
  const reason = r.reason ?? 'Local';
  return compact({
    eventType: 'Ended' as const,
    transactionId: String(r.transactionId),
    timestamp: r.timestamp,
    triggerReason: triggerForStop(reason),
    seqNo,
    evseId,
    connectorId: evseId === undefined ? undefined : 1,
    idToken: r.idTag === undefined ? undefined : liftIdTag(r.idTag),
    meterStop: r.meterStop,
    meterValue: r.transactionData === undefined ? undefined : liftMeterValues(r.transactionData),
    stoppedReason: reason,
  });
}

// ---- remote start / stop ----

/** Neutral → 1.6: remote start request. */
export function stampRemoteStartRequest(
  p: RemoteStartParams,
  ids: TransactionIds16,
): V16.RemoteStartTransactionRequest {
  return compact({
    connectorId: p.evseId,
    idTag: p.idToken.idToken,
    chargingProfile:
      p.chargingProfile === undefined ? undefined : stampChargingProfile(p.chargingProfile, ids),
  });
}

/** 1.6 → neutral: remote start request. */
export function liftRemoteStartRequest(
  r: V16.RemoteStartTransactionRequest,
  ids: TransactionIds16,
): RemoteStartParams {
  return compact({
    idToken: liftIdTag(r.idTag, 'Central'),
    evseId: r.connectorId,
    chargingProfile:
      r.chargingProfile === undefined ? undefined : liftChargingProfile(r.chargingProfile, ids),
  });
}

/** Neutral → 1.6: remote start response. */
export function stampRemoteStartResponse(r: RemoteStartResult): V16.RemoteStartTransactionResponse {
  return { status: r.status };
}

/** 1.6 → neutral: accepted rejected. */
export function liftAcceptedRejected(r: {
  status: 'Accepted' | 'Rejected';
}): AcceptedRejectedResult {
  return { status: r.status };
}

// ---- reset, availability, unlock, trigger ----

/** Neutral → 1.6: reset request. */
export function stampResetRequest(p: ResetParams): V16.ResetRequest {
  if (p.evseId !== undefined) throw unsupported(V, 'a reset of one EVSE');
  if (p.type === 'ImmediateAndResume') throw unsupported(V, 'reset ImmediateAndResume');
  return { type: p.type === 'Immediate' ? 'Hard' : 'Soft' };
}

/** 1.6 → neutral: reset request. */
export function liftResetRequest(r: V16.ResetRequest): ResetParams {
  return { type: (r.type === 'Hard' ? 'Immediate' : 'OnIdle') satisfies ResetType };
}

/** Stamps a reset answer; `Scheduled` (2.x) becomes `Accepted`. */
export function stampResetResponse(r: ScheduledResult): V16.ResetResponse {
  return { status: r.status === 'Rejected' ? 'Rejected' : 'Accepted' };
}

/** Neutral → 1.6: change availability request. */
export function stampChangeAvailabilityRequest(
  p: ChangeAvailabilityParams,
): V16.ChangeAvailabilityRequest {
  const evseId = p.evseId ?? 0;
  if (evseId === 0 && p.connectorId !== undefined && p.connectorId !== 0)
    throw unsupported(V, 'an availability change of a connector without its EVSE');
  return {
    connectorId: connectorOf(evseId, p.connectorId, 'an availability change'),
    type: p.operationalStatus,
  };
}

/** 1.6 → neutral: change availability request. */
export function liftChangeAvailabilityRequest(
  r: V16.ChangeAvailabilityRequest,
): ChangeAvailabilityParams {
  return compact({
    operationalStatus: r.type,
    evseId: r.connectorId === 0 ? undefined : r.connectorId,
  });
}

/** Neutral → 1.6: unlock request. */
export function stampUnlockRequest(p: UnlockConnectorParams): V16.UnlockConnectorRequest {
  return { connectorId: connectorOf(p.evseId, p.connectorId, 'an unlock') };
}

/** 1.6 → neutral: unlock request. */
export function liftUnlockRequest(r: V16.UnlockConnectorRequest): UnlockConnectorParams {
  return { evseId: r.connectorId, connectorId: 1 };
}

/** Stamps an unlock answer: 2.x `OngoingAuthorizedTransaction` → `UnlockFailed`, `UnknownConnector` → `NotSupported`. */
export function stampUnlockResponse(r: UnlockConnectorResult): V16.UnlockConnectorResponse {
  switch (r.status) {
    case 'OngoingAuthorizedTransaction':
      return { status: 'UnlockFailed' };
    case 'UnknownConnector':
      return { status: 'NotSupported' };
    default:
      return { status: r.status };
  }
}

const TRIGGER_TO_16: Partial<Record<TriggerableMessage, V16.MessageTrigger>> = {
  BootNotification: 'BootNotification',
  Heartbeat: 'Heartbeat',
  StatusNotification: 'StatusNotification',
  MeterValues: 'MeterValues',
  FirmwareStatusNotification: 'FirmwareStatusNotification',
  LogStatusNotification: 'DiagnosticsStatusNotification',
};

/** Neutral → 1.6: trigger request. */
export function stampTriggerRequest(p: TriggerMessageParams): V16.TriggerMessageRequest {
  return trigger16(p, TRIGGER_TO_16[p.requestedMessage]);
}

/** A 1.6 trigger of `requestedMessage` (TriggerMessage or ExtendedTriggerMessage). */
function trigger16<M extends string>(
  p: TriggerMessageParams,
  requestedMessage: M | undefined,
): { requestedMessage: M; connectorId?: number } {
  if (requestedMessage === undefined) throw unsupported(V, `trigger ${p.requestedMessage}`);
  return p.evseId === undefined
    ? { requestedMessage }
    : { requestedMessage, connectorId: connectorOf(p.evseId, p.connectorId, 'a trigger') };
}

/** 1.6 → neutral: trigger request. */
export function liftTriggerRequest(r: V16.TriggerMessageRequest): TriggerMessageParams {
  const requestedMessage: TriggerableMessage =
    r.requestedMessage === 'DiagnosticsStatusNotification'
      ? 'LogStatusNotification'
      : r.requestedMessage;
  return compact({ requestedMessage, evseId: r.connectorId });
}

/** Neutral triggers 1.6 sends as ExtendedTriggerMessage (the security whitepaper) instead. */
const EXTENDED_TRIGGER: Partial<
  Record<TriggerableMessage, V16.ExtendedTriggerMessageRequest['requestedMessage']>
> = { SignChargingStationCertificate: 'SignChargePointCertificate' };

/** True when the neutral trigger needs 1.6 ExtendedTriggerMessage. */
export function isExtendedTrigger(p: TriggerMessageParams): boolean {
  return EXTENDED_TRIGGER[p.requestedMessage] !== undefined;
}

/** Neutral → 1.6: an ExtendedTriggerMessage request. */
export function stampExtendedTriggerRequest(
  p: TriggerMessageParams,
): V16.ExtendedTriggerMessageRequest {
  return trigger16(p, EXTENDED_TRIGGER[p.requestedMessage]);
}

/** 1.6 → neutral: an ExtendedTriggerMessage request (its LogStatusNotification is the security one). */
export function liftExtendedTriggerRequest(
  r: V16.ExtendedTriggerMessageRequest,
): TriggerMessageParams {
  const requestedMessage: TriggerableMessage =
    r.requestedMessage === 'SignChargePointCertificate'
      ? 'SignChargingStationCertificate'
      : r.requestedMessage;
  return compact({ requestedMessage, evseId: r.connectorId });
}

// ---- configuration ----

/** Neutral → 1.6: get configuration response. */
export function stampGetConfigurationResponse(
  r: GetConfigurationResult,
): V16.GetConfigurationResponse {
  return compact({
    configurationKey:
      r.values.length === 0
        ? undefined
        : r.values.map((v) =>
            compact({ key: v.key, readonly: v.readonly ?? false, value: v.value }),
          ),
    unknownKey: r.unknownKeys.length === 0 ? undefined : [...r.unknownKeys],
  });
}

// ---- data transfer ----

function dataText(data: unknown): string | undefined {
  if (data === undefined || typeof data === 'string') return data;
  return JSON.stringify(data);
}

/** Stamps a data transfer; data that is not text is sent as its JSON text. */
export function stampDataTransferRequest(p: DataTransferParams): V16.DataTransferRequest {
  return compact({ vendorId: p.vendorId, messageId: p.messageId, data: dataText(p.data) });
}

/** 1.6 → neutral: data transfer request. */
export function liftDataTransferRequest(r: V16.DataTransferRequest): DataTransferParams {
  return compact({ vendorId: r.vendorId, messageId: r.messageId, data: r.data });
}

/** Neutral → 1.6: data transfer response. */
export function stampDataTransferResponse(r: DataTransferResult): V16.DataTransferResponse {
  return compact({ status: r.status, data: dataText(r.data) });
}

/** 1.6 → neutral: data transfer response. */
export function liftDataTransferResponse(r: V16.DataTransferResponse): DataTransferResult {
  return compact({ status: r.status, data: r.data });
}

// ---- firmware ----

/** Plain UpdateFirmware, or SignedUpdateFirmware when a signature or certificate is given. */
export type UpdateFirmware16 =
  | { readonly action: 'UpdateFirmware'; readonly payload: V16.UpdateFirmwareRequest }
  | { readonly action: 'SignedUpdateFirmware'; readonly payload: V16.SignedUpdateFirmwareRequest };

/** Neutral → 1.6: update firmware request. */
export function stampUpdateFirmwareRequest(
  p: UpdateFirmwareParams,
  requestId: () => number,
): UpdateFirmware16 {
  if (p.signature === undefined && p.signingCertificate === undefined) {
    return {
      action: 'UpdateFirmware',
      payload: compact({
        location: p.location,
        retries: p.retries,
        retrieveDate: p.retrieveDateTime,
        retryInterval: p.retryInterval,
      }),
    };
  }
  if (p.signature === undefined || p.signingCertificate === undefined)
    throw unsupported(V, 'a signed firmware update without both signature and certificate');
  return {
    action: 'SignedUpdateFirmware',
    payload: compact({
      retries: p.retries,
      retryInterval: p.retryInterval,
      requestId: p.requestId ?? requestId(),
      firmware: compact({
        location: p.location,
        retrieveDateTime: p.retrieveDateTime,
        installDateTime: p.installDateTime,
        signingCertificate: p.signingCertificate,
        signature: p.signature,
      }),
    }),
  };
}

/** 1.6 → neutral: update firmware request. */
export function liftUpdateFirmwareRequest(r: V16.UpdateFirmwareRequest): UpdateFirmwareParams {
  return compact({
    location: r.location,
    retrieveDateTime: r.retrieveDate,
    retries: r.retries,
    retryInterval: r.retryInterval,
  });
}

/** 1.6 → neutral: signed update firmware request. */
export function liftSignedUpdateFirmwareRequest(
  r: V16.SignedUpdateFirmwareRequest,
): UpdateFirmwareParams {
  return compact({
    location: r.firmware.location,
    retrieveDateTime: r.firmware.retrieveDateTime,
    installDateTime: r.firmware.installDateTime,
    retries: r.retries,
    retryInterval: r.retryInterval,
    requestId: r.requestId,
    signingCertificate: r.firmware.signingCertificate,
    signature: r.firmware.signature,
  });
}

/** Plain 1.6 UpdateFirmware has an empty answer: lifted as `Accepted`. */
export const PLAIN_UPDATE_FIRMWARE_RESULT: UpdateFirmwareResult = { status: 'Accepted' };

const isFirmwareStatus16 = inEnum(FirmwareStatusEnum);

/** Plain FirmwareStatusNotification, or the signed one for 2.x statuses and request ids. */
export type FirmwareStatus16 =
  | {
      readonly action: 'FirmwareStatusNotification';
      readonly payload: V16.FirmwareStatusNotificationRequest;
    }
  | {
      readonly action: 'SignedFirmwareStatusNotification';
      readonly payload: V16.SignedFirmwareStatusNotificationRequest;
    };

/** Neutral → 1.6: firmware status. */
export function stampFirmwareStatus(p: FirmwareStatusParams): FirmwareStatus16 {
  if (p.requestId === undefined && isFirmwareStatus16(p.status))
    return { action: 'FirmwareStatusNotification', payload: { status: p.status } };
  return {
    action: 'SignedFirmwareStatusNotification',
    payload: compact({ status: p.status, requestId: p.requestId }),
  };
}

// ---- logs ----

/** GetDiagnostics for the diagnostics log, GetLog (security extension) for the security log. */
export type GetLog16 =
  | { readonly action: 'GetDiagnostics'; readonly payload: V16.GetDiagnosticsRequest }
  | { readonly action: 'GetLog'; readonly payload: V16.GetLogRequest };

/** Neutral → 1.6: get log request. */
export function stampGetLogRequest(p: GetLogParams, requestId: () => number): GetLog16 {
  const logType = p.logType ?? 'DiagnosticsLog';
  if (logType === 'DiagnosticsLog') {
    return {
      action: 'GetDiagnostics',
      payload: compact({
        location: p.remoteLocation,
        retries: p.retries,
        retryInterval: p.retryInterval,
        startTime: p.oldestTimestamp,
        stopTime: p.latestTimestamp,
      }),
    };
  }
  if (logType !== 'SecurityLog') throw unsupported(V, `log type ${logType}`);
  return {
    action: 'GetLog',
    payload: compact({
      log: compact({
        remoteLocation: p.remoteLocation,
        oldestTimestamp: p.oldestTimestamp,
        latestTimestamp: p.latestTimestamp,
      }),
      logType,
      requestId: p.requestId ?? requestId(),
      retries: p.retries,
      retryInterval: p.retryInterval,
    }),
  };
}

/** 1.6 → neutral: get diagnostics request. */
export function liftGetDiagnosticsRequest(r: V16.GetDiagnosticsRequest): GetLogParams {
  return compact({
    remoteLocation: r.location,
    logType: 'DiagnosticsLog' as const,
    oldestTimestamp: r.startTime,
    latestTimestamp: r.stopTime,
    retries: r.retries,
    retryInterval: r.retryInterval,
  });
}

/** 1.6 → neutral: get log request. */
export function liftGetLogRequest(r: V16.GetLogRequest): GetLogParams {
  return compact({
    remoteLocation: r.log.remoteLocation,
    logType: r.logType,
    requestId: r.requestId,
    oldestTimestamp: r.log.oldestTimestamp,
    latestTimestamp: r.log.latestTimestamp,
    retries: r.retries,
    retryInterval: r.retryInterval,
  });
}

/** GetDiagnostics answers only a file name: lifted as `Accepted`. */
export function liftGetDiagnosticsResponse(r: V16.GetDiagnosticsResponse): GetLogResult {
  return compact({ status: 'Accepted' as const, filename: r.fileName });
}

/** GetDiagnostics cannot refuse: only the file name is sent. */
export function stampGetDiagnosticsResponse(r: GetLogResult): V16.GetDiagnosticsResponse {
  return compact({ fileName: r.status === 'Rejected' ? undefined : r.filename });
}

/** DiagnosticsStatusNotification without a request id, LogStatusNotification with one. */
export type LogStatus16 =
  | {
      readonly action: 'DiagnosticsStatusNotification';
      readonly payload: V16.DiagnosticsStatusNotificationRequest;
    }
  | {
      readonly action: 'LogStatusNotification';
      readonly payload: V16.LogStatusNotificationRequest;
    };

/** Neutral → 1.6: log status. */
export function stampLogStatus(p: LogStatusParams): LogStatus16 {
  if (p.requestId === undefined) {
    const status: V16.DiagnosticsStatus =
      p.status === 'Idle' || p.status === 'Uploaded' || p.status === 'Uploading'
        ? p.status
        : 'UploadFailed';
    return { action: 'DiagnosticsStatusNotification', payload: { status } };
  }
  return {
    action: 'LogStatusNotification',
    payload: {
      status: p.status === 'AcceptedCanceled' ? 'UploadFailure' : p.status,
      requestId: p.requestId,
    },
  };
}

/** 1.6 → neutral: diagnostics status. */
export function liftDiagnosticsStatus(
  r: V16.DiagnosticsStatusNotificationRequest,
): LogStatusParams {
  return {
    status: (r.status === 'UploadFailed' ? 'UploadFailure' : r.status) satisfies UploadLogStatus,
  };
}

// ---- charging profiles ----

function stampPurpose(purpose: ChargingProfilePurpose): V16.ChargingProfilePurposeType {
  switch (purpose) {
    case 'ChargingStationMaxProfile':
      return 'ChargePointMaxProfile';
    case 'TxDefaultProfile':
    case 'TxProfile':
      return purpose;
    default:
      throw unsupported(V, `charging profile purpose ${purpose}`);
  }
}

function liftPurpose(purpose: V16.ChargingProfilePurposeType): ChargingProfilePurpose {
  return purpose === 'ChargePointMaxProfile' ? 'ChargingStationMaxProfile' : purpose;
}

function stampSchedule(s: ChargingSchedule): V16.ChargingSchedule {
  return compact({
    duration: s.duration,
    startSchedule: s.startSchedule,
    chargingRateUnit: s.chargingRateUnit,
    chargingSchedulePeriod: s.chargingSchedulePeriod.map((p) => {
      if (p.limit === undefined) throw unsupported(V, 'a schedule period without a limit');
      return compact({ startPeriod: p.startPeriod, limit: p.limit, numberPhases: p.numberPhases });
    }),
    minChargingRate: s.minChargingRate,
  });
}

function liftSchedule(s: V16.ChargingSchedule): ChargingSchedule {
  return compact({
    duration: s.duration,
    startSchedule: s.startSchedule,
    chargingRateUnit: s.chargingRateUnit,
    chargingSchedulePeriod: s.chargingSchedulePeriod.map((p) =>
      compact({ startPeriod: p.startPeriod, limit: p.limit, numberPhases: p.numberPhases }),
    ),
    minChargingRate: s.minChargingRate,
  });
}

/** Stamps a profile; 1.6 holds exactly one schedule, and no external-constraints purpose. */
export function stampChargingProfile(
  p: ChargingProfile,
  ids: TransactionIds16,
): V16.ChargingProfile {
  const [schedule, ...more] = p.chargingSchedule;
  if (schedule === undefined || more.length > 0)
    throw unsupported(V, `a charging profile with ${p.chargingSchedule.length} schedules`);
  return compact({
    chargingProfileId: p.id,
    transactionId: p.transactionId === undefined ? undefined : ids.toInt(p.transactionId),
    stackLevel: p.stackLevel,
    chargingProfilePurpose: stampPurpose(p.chargingProfilePurpose),
    chargingProfileKind: p.chargingProfileKind,
    recurrencyKind: p.recurrencyKind,
    validFrom: p.validFrom,
    validTo: p.validTo,
    chargingSchedule: stampSchedule(schedule),
  });
}

/** 1.6 → neutral: charging profile. */
export function liftChargingProfile(
  p: V16.ChargingProfile,
  ids: TransactionIds16,
): ChargingProfile {
  return compact({
    id: p.chargingProfileId,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: liftPurpose(p.chargingProfilePurpose),
    chargingProfileKind: p.chargingProfileKind,
    recurrencyKind: p.recurrencyKind,
    validFrom: p.validFrom,
    validTo: p.validTo,
    transactionId: p.transactionId === undefined ? undefined : ids.toNeutral(p.transactionId),
    chargingSchedule: [liftSchedule(p.chargingSchedule)],
  });
}

/** Neutral → 1.6: clear charging profile request. */
export function stampClearChargingProfileRequest(
  p: ClearChargingProfileParams,
): V16.ClearChargingProfileRequest {
  return compact({
    id: p.id,
    connectorId: p.evseId,
    chargingProfilePurpose:
      p.chargingProfilePurpose === undefined ? undefined : stampPurpose(p.chargingProfilePurpose),
    stackLevel: p.stackLevel,
  });
}

/** 1.6 → neutral: clear charging profile request. */
export function liftClearChargingProfileRequest(
  r: V16.ClearChargingProfileRequest,
): ClearChargingProfileParams {
  return compact({
    id: r.id,
    evseId: r.connectorId,
    chargingProfilePurpose:
      r.chargingProfilePurpose === undefined ? undefined : liftPurpose(r.chargingProfilePurpose),
    stackLevel: r.stackLevel,
  });
}

/** Neutral → 1.6: composite request. */
export function stampCompositeRequest(
  p: GetCompositeScheduleParams,
): V16.GetCompositeScheduleRequest {
  return compact({
    connectorId: p.evseId,
    duration: p.duration,
    chargingRateUnit: p.chargingRateUnit,
  });
}

/** 1.6 → neutral: composite request. */
export function liftCompositeRequest(
  r: V16.GetCompositeScheduleRequest,
): GetCompositeScheduleParams {
  return compact({
    evseId: r.connectorId,
    duration: r.duration,
    chargingRateUnit: r.chargingRateUnit,
  });
}

/** Lifts a composite schedule; missing fields come from the request (and `scheduleStart` from now). */
export function liftCompositeResponse(
  r: V16.GetCompositeScheduleResponse,
  request: GetCompositeScheduleParams,
): GetCompositeScheduleResult {
  const s = r.chargingSchedule;
  return compact({
    status: r.status,
    schedule:
      s === undefined
        ? undefined
        : {
            evseId: r.connectorId ?? request.evseId,
            duration: s.duration ?? request.duration,
            scheduleStart: r.scheduleStart ?? s.startSchedule ?? now(),
            chargingRateUnit: s.chargingRateUnit,
            chargingSchedulePeriod: liftSchedule(s).chargingSchedulePeriod,
          },
  });
}

/** Neutral → 1.6: composite response. */
export function stampCompositeResponse(
  r: GetCompositeScheduleResult,
): V16.GetCompositeScheduleResponse {
  const s = r.schedule;
  return compact({
    status: r.status,
    connectorId: s?.evseId,
    scheduleStart: s?.scheduleStart,
    chargingSchedule:
      s === undefined
        ? undefined
        : stampSchedule({
            duration: s.duration,
            chargingRateUnit: s.chargingRateUnit,
            chargingSchedulePeriod: s.chargingSchedulePeriod,
          }),
  });
}

// ---- reservations, local list ----

/** Neutral → 1.6: reserve now request. */
export function stampReserveNowRequest(p: ReserveNowParams): V16.ReserveNowRequest {
  return compact({
    connectorId: p.evseId ?? 0,
    expiryDate: p.expiryDateTime,
    idTag: p.idToken.idToken,
    parentIdTag: p.groupIdToken?.idToken,
    reservationId: p.id,
  });
}

/** 1.6 → neutral: reserve now request. */
export function liftReserveNowRequest(r: V16.ReserveNowRequest): ReserveNowParams {
  return compact({
    id: r.reservationId,
    expiryDateTime: r.expiryDate,
    idToken: liftIdTag(r.idTag),
    evseId: r.connectorId === 0 ? undefined : r.connectorId,
    groupIdToken: r.parentIdTag === undefined ? undefined : liftIdTag(r.parentIdTag, 'Central'),
  });
}

function stampEntry(e: LocalListEntry): V16.AuthorizationData {
  return compact({
    idTag: e.idToken.idToken,
    idTagInfo: e.idTokenInfo === undefined ? undefined : stampIdTokenInfo(e.idTokenInfo),
  });
}

/** Neutral → 1.6: send local list request. */
export function stampSendLocalListRequest(p: SendLocalListParams): V16.SendLocalListRequest {
  return compact({
    listVersion: p.versionNumber,
    localAuthorizationList: p.localAuthorizationList?.map(stampEntry),
    updateType: p.updateType,
  });
}

/** 1.6 → neutral: send local list request. */
export function liftSendLocalListRequest(r: V16.SendLocalListRequest): SendLocalListParams {
  return compact({
    versionNumber: r.listVersion,
    updateType: r.updateType,
    localAuthorizationList: r.localAuthorizationList?.map((e) =>
      compact({
        idToken: liftIdTag(e.idTag),
        idTokenInfo: e.idTagInfo === undefined ? undefined : liftIdTokenInfo(e.idTagInfo),
      }),
    ),
  });
}

/** Neutral → 1.6: send local list response. */
export function stampSendLocalListResponse(r: SendLocalListResult): V16.SendLocalListResponse {
  return { status: r.status };
}
