/**
 * OCPP 2.0.1 and 2.1 codecs. Payloads are typed with the 2.1 types (a superset of 2.0.1);
 * values only 2.1 knows are refused (`UNSUPPORTED_BY_VERSION`) or dropped when stamping for 2.0.1.
 */

import type * as V21 from '@ocpp/v21-core';
import type { V21ActionMap } from '@ocpp/v21-core';
import { LocationEnumType as Location21, MeasurandEnumType as Measurand21 } from '@ocpp/v21-core';
import {
  LocationEnumType as Location201,
  MeasurandEnumType as Measurand201,
  type V201ActionMap,
} from '@ocpp/v201-core';
import { fromVariable, toVariable, type VariableRef } from '../config-keys.js';
import { unsupported } from '../errors.js';
import type {
  AcceptedRejectedResult,
  AuthorizationStatus,
  AuthorizeParams,
  AuthorizeResult,
  BootParams,
  BootResult,
  ChangeAvailabilityParams,
  ChargingProfile,
  ChargingSchedule,
  ClearChargingProfileParams,
  ConfigurationStatus,
  DataTransferParams,
  DataTransferResult,
  GetCompositeScheduleParams,
  GetCompositeScheduleResult,
  GetConfigurationResult,
  GetLogParams,
  GetLogResult,
  IdToken,
  IdTokenInfo,
  LocalListEntry,
  MeterValue,
  MeterValuesParams,
  RemoteStartParams,
  RemoteStartResult,
  ReserveNowParams,
  ResetParams,
  SampledValue,
  SendLocalListParams,
  SendLocalListResult,
  SetChargingProfileResult,
  SetConfigurationParams,
  SetConfigurationResult,
  StartTransactionParams,
  StatusInfo,
  StatusParams,
  StopReason,
  StopTransactionParams,
  TransactionCost,
  TransactionEvent,
  TriggerableMessage,
  TriggerMessageParams,
  UnlockConnectorParams,
  UnlockConnectorResult,
  UpdateFirmwareParams,
  UpdateTransactionParams,
} from '../model.js';
import { compact, energyRegisterWh, energySample, inEnum, now, triggerForStop } from './util.js';

/** The two 2.x versions. */
export type Version2 = 'ocpp2.0.1' | 'ocpp2.1';

// ---- shared datatypes ----

/** Neutral → 2.x: id token. */
export function stampIdToken(t: IdToken): V21.IdTokenType {
  return { idToken: t.idToken, type: t.type };
}

/** 2.x → neutral: id token. */
export function liftIdToken(t: V21.IdTokenType): IdToken {
  return { idToken: t.idToken, type: t.type };
}

/** Neutral → 2.x: id token info. */
export function stampIdTokenInfo(i: IdTokenInfo): V21.IdTokenInfoType {
  return compact({
    status: i.status,
    cacheExpiryDateTime: i.cacheExpiryDateTime,
    groupIdToken: i.groupIdToken === undefined ? undefined : stampIdToken(i.groupIdToken),
  });
}

/** 2.x → neutral: id token info. */
export function liftIdTokenInfo(i: V21.IdTokenInfoType): IdTokenInfo {
  return compact({
    status: i.status as AuthorizationStatus,
    cacheExpiryDateTime: i.cacheExpiryDateTime,
    groupIdToken: i.groupIdToken === undefined ? undefined : liftIdToken(i.groupIdToken),
  });
}

function statusInfo(s: V21.StatusInfoType | undefined): StatusInfo | undefined {
  return s === undefined
    ? undefined
    : compact({ reasonCode: s.reasonCode, additionalInfo: s.additionalInfo });
}

/** Lifts any 2.x answer made of a status and a status info. */
export function liftStatus<S extends string>(r: {
  status: S;
  statusInfo?: V21.StatusInfoType;
}): { status: S; statusInfo?: StatusInfo } {
  const info = statusInfo(r.statusInfo);
  return info === undefined ? { status: r.status } : { status: r.status, statusInfo: info };
}

/** Stamps any answer made of a status and a status info. */
export function stampStatus<S extends string>(r: {
  readonly status: S;
  readonly statusInfo?: StatusInfo;
}): { status: S; statusInfo?: V21.StatusInfoType } {
  const info = r.statusInfo;
  if (info === undefined) return { status: r.status };
  return {
    status: r.status,
    statusInfo: compact({ reasonCode: info.reasonCode, additionalInfo: info.additionalInfo }),
  };
}

// ---- boot, authorize ----

/** Neutral → 2.x: boot request. */
export function stampBootRequest(p: BootParams): V21.BootNotificationRequest {
  return {
    reason: p.reason ?? 'PowerUp',
    chargingStation: compact({
      serialNumber: p.serialNumber,
      model: p.model,
      modem:
        p.iccid === undefined && p.imsi === undefined
          ? undefined
          : compact({ iccid: p.iccid, imsi: p.imsi }),
      vendorName: p.vendorName,
      firmwareVersion: p.firmwareVersion,
    }),
  };
}

/** 2.x → neutral: boot request. */
export function liftBootRequest(r: V21.BootNotificationRequest): BootParams {
  const cs = r.chargingStation;
  return compact({
    reason: r.reason,
    vendorName: cs.vendorName,
    model: cs.model,
    serialNumber: cs.serialNumber,
    firmwareVersion: cs.firmwareVersion,
    iccid: cs.modem?.iccid,
    imsi: cs.modem?.imsi,
  });
}

/** Neutral → 2.x: boot response. */
export function stampBootResponse(r: BootResult): V21.BootNotificationResponse {
  return compact({
    currentTime: r.currentTime,
    interval: r.interval,
    status: r.status,
    statusInfo: stampStatus({ status: r.status, ...compact({ statusInfo: r.statusInfo }) })
      .statusInfo,
  });
}

/** 2.x → neutral: boot response. */
export function liftBootResponse(r: V21.BootNotificationResponse): BootResult {
  return compact({
    status: r.status,
    currentTime: r.currentTime,
    interval: r.interval,
    statusInfo: statusInfo(r.statusInfo),
  });
}

/** Neutral → 2.x: authorize request. */
export function stampAuthorizeRequest(p: AuthorizeParams): V21.AuthorizeRequest {
  return compact({
    idToken: stampIdToken(p.idToken),
    certificate: p.certificate,
    iso15118CertificateHashData:
      p.iso15118CertificateHashData === undefined ? undefined : [...p.iso15118CertificateHashData],
  });
}

/** 2.x → neutral: authorize request. */
export function liftAuthorizeRequest(r: V21.AuthorizeRequest): AuthorizeParams {
  return compact({
    idToken: liftIdToken(r.idToken),
    certificate: r.certificate,
    iso15118CertificateHashData: r.iso15118CertificateHashData,
  });
}

/** Neutral → 2.x: authorize response. */
export function stampAuthorizeResponse(r: AuthorizeResult): V21.AuthorizeResponse {
  return compact({
    idTokenInfo: stampIdTokenInfo(r.idTokenInfo),
    certificateStatus: r.certificateStatus,
  });
}

/** 2.x → neutral: authorize response. */
export function liftAuthorizeResponse(r: V21.AuthorizeResponse): AuthorizeResult {
  return compact({
    idTokenInfo: liftIdTokenInfo(r.idTokenInfo),
    certificateStatus: r.certificateStatus,
  });
}

/** 2.x → neutral: the cost fields of a TransactionEvent answer. */
export function liftTransactionCost(r: {
  readonly totalCost?: number;
  readonly chargingPriority?: number;
  readonly updatedPersonalMessage?: V21.MessageContentType;
}): TransactionCost {
  return compact({
    totalCost: r.totalCost,
    chargingPriority: r.chargingPriority,
    updatedPersonalMessage:
      r.updatedPersonalMessage === undefined
        ? undefined
        : compact({
            format: r.updatedPersonalMessage.format,
            content: r.updatedPersonalMessage.content,
            language: r.updatedPersonalMessage.language,
          }),
  });
}

/** Neutral → 2.x: the cost fields of a TransactionEvent answer. */
export function stampTransactionCost(c: TransactionCost | undefined): {
  totalCost?: number;
  chargingPriority?: number;
  updatedPersonalMessage?: V21.MessageContentType;
} {
  if (c === undefined) return {};
  return compact({
    totalCost: c.totalCost,
    chargingPriority: c.chargingPriority,
    updatedPersonalMessage:
      c.updatedPersonalMessage === undefined ? undefined : { ...c.updatedPersonalMessage },
  });
}

// ---- status ----

/** Stamps a connector status; the 1.6 details (error code, finer status) are lost. */
export function stampStatusRequest(
  p: StatusParams,
  version: Version2,
): V21.StatusNotificationRequest {
  if (p.evseId === 0) throw unsupported(version, 'a status of the whole station (EVSE 0)');
  return {
    timestamp: p.timestamp ?? now(),
    connectorStatus: p.status,
    evseId: p.evseId,
    connectorId: p.connectorId,
  };
}

/** 2.x → neutral: status request. */
export function liftStatusRequest(r: V21.StatusNotificationRequest): StatusParams {
  return {
    evseId: r.evseId,
    connectorId: r.connectorId,
    status: r.connectorStatus,
    timestamp: r.timestamp,
  };
}

// ---- meter values ----

const isMeasurand201 = inEnum(Measurand201);
const isMeasurand21 = inEnum(Measurand21);
const isLocation201 = inEnum(Location201);
const isLocation21 = inEnum(Location21);

/**
 * Stamps a sample, or `undefined` when its measurand does not exist in the version. A NaN value
 * (a 1.6 signed sample) is sent as 0 beside its signed data.
 */
export function stampSample(s: SampledValue, version: Version2): V21.SampledValueType | undefined {
  const v21 = version === 'ocpp2.1';
  if (s.measurand !== undefined && !(v21 ? isMeasurand21 : isMeasurand201)(s.measurand))
    return undefined;
  const signed = s.signedMeterValue;
  return compact({
    value: Number.isNaN(s.value) ? 0 : s.value,
    measurand: s.measurand as V21.MeasurandEnumType | undefined,
    context: s.context,
    phase: s.phase,
    location:
      s.location !== undefined && (v21 ? isLocation21 : isLocation201)(s.location)
        ? s.location
        : undefined,
    signedMeterValue:
      signed === undefined
        ? undefined
        : v21
          ? compact({
              signedMeterData: signed.signedMeterData,
              signingMethod: signed.signingMethod,
              encodingMethod: signed.encodingMethod ?? '',
              publicKey: signed.publicKey,
            })
          : {
              signedMeterData: signed.signedMeterData,
              signingMethod: signed.signingMethod ?? '',
              encodingMethod: signed.encodingMethod ?? '',
              publicKey: signed.publicKey ?? '',
            },
    unitOfMeasure:
      s.unit === undefined && s.multiplier === undefined
        ? undefined
        : compact({ unit: s.unit, multiplier: s.multiplier }),
  });
}

/** 2.x → neutral: sample. */
export function liftSample(s: V21.SampledValueType): SampledValue {
  const signed = s.signedMeterValue;
  return compact({
    value: s.value,
    measurand: s.measurand,
    phase: s.phase,
    location: s.location,
    unit: s.unitOfMeasure?.unit,
    multiplier: s.unitOfMeasure?.multiplier,
    context: s.context,
    signedMeterValue:
      signed === undefined
        ? undefined
        : compact({
            signedMeterData: signed.signedMeterData,
            signingMethod: signed.signingMethod,
            encodingMethod: signed.encodingMethod,
            publicKey: signed.publicKey,
          }),
  });
}

/** Stamps readings; samples of measurands the version lacks are dropped, then readings left empty. */
export function stampMeterValues(
  values: readonly MeterValue[],
  version: Version2,
): V21.MeterValueType[] {
  const out: V21.MeterValueType[] = [];
  for (const mv of values) {
    const samples: V21.SampledValueType[] = [];
    for (const s of mv.sampledValue) {
      const stamped = stampSample(s, version);
      if (stamped !== undefined) samples.push(stamped);
    }
    if (samples.length > 0) out.push({ timestamp: mv.timestamp, sampledValue: samples });
  }
  return out;
}

/** 2.x → neutral: meter values. */
export function liftMeterValues(values: readonly V21.MeterValueType[]): MeterValue[] {
  return values.map((mv) => ({
    timestamp: mv.timestamp,
    sampledValue: mv.sampledValue.map(liftSample),
  }));
}

/** Neutral → 2.x: meter values request. */
export function stampMeterValuesRequest(
  p: MeterValuesParams,
  version: Version2,
): V21.MeterValuesRequest {
  const meterValue = stampMeterValues(p.meterValue, version);
  if (meterValue.length === 0) throw unsupported(version, 'meter values with only 1.6 measurands');
  return { evseId: p.evseId, meterValue };
}

/** 2.x → neutral: meter values request. */
export function liftMeterValuesRequest(r: V21.MeterValuesRequest): MeterValuesParams {
  return { evseId: r.evseId, meterValue: liftMeterValues(r.meterValue) };
}

// ---- transactions ----

const isReason21 = inEnum({
  DeAuthorized: 'DeAuthorized',
  EmergencyStop: 'EmergencyStop',
  EnergyLimitReached: 'EnergyLimitReached',
  EVDisconnected: 'EVDisconnected',
  GroundFault: 'GroundFault',
  ImmediateReset: 'ImmediateReset',
  MasterPass: 'MasterPass',
  Local: 'Local',
  LocalOutOfCredit: 'LocalOutOfCredit',
  Other: 'Other',
  OvercurrentFault: 'OvercurrentFault',
  PowerLoss: 'PowerLoss',
  PowerQuality: 'PowerQuality',
  Reboot: 'Reboot',
  Remote: 'Remote',
  SOCLimitReached: 'SOCLimitReached',
  StoppedByEV: 'StoppedByEV',
  TimeLimitReached: 'TimeLimitReached',
  Timeout: 'Timeout',
  ReqEnergyTransferRejected: 'ReqEnergyTransferRejected',
} satisfies Record<V21.ReasonEnumType, V21.ReasonEnumType>);

/** The 2.x stop reason nearest to a neutral one (1.6 `HardReset` → `ImmediateReset`, `SoftReset` → `Reboot`). */
export function stampStopReason(reason: StopReason, version: Version2): V21.ReasonEnumType {
  if (reason === 'HardReset') return 'ImmediateReset';
  if (reason === 'SoftReset') return 'Reboot';
  if (reason === 'ReqEnergyTransferRejected' && version === 'ocpp2.0.1') return 'Other';
  return isReason21(reason) ? reason : 'Other';
}

/** The state a station keeps per open 2.x transaction. */
export interface TransactionState2 {
  readonly transactionId: string;
  readonly evseId: number;
  readonly connectorId: number;
  seqNo: number;
}

/** Neutral → 2.x: start transaction. */
export function stampStartTransaction(
  p: StartTransactionParams,
  tx: TransactionState2,
  version: Version2,
): V21.TransactionEventRequest {
  const timestamp = p.timestamp ?? now();
  return compact({
    eventType: 'Started' as const,
    timestamp,
    triggerReason: (p.triggerReason ??
      (p.idToken === undefined ? 'CablePluggedIn' : 'Authorized')) as V21.TriggerReasonEnumType,
    seqNo: tx.seqNo++,
    transactionInfo: compact({
      transactionId: tx.transactionId,
      chargingState: p.chargingState,
      remoteStartId: p.remoteStartId,
    }),
    evse: { id: tx.evseId, connectorId: tx.connectorId },
    idToken: p.idToken === undefined ? undefined : stampIdToken(p.idToken),
    reservationId: p.reservationId,
    meterValue: stampMeterValues(
      [{ timestamp, sampledValue: [energySample(p.meterStart, 'Transaction.Begin')] }],
      version,
    ),
    offline: p.offline === true ? true : undefined,
  });
}

/** Neutral → 2.x: update transaction. */
export function stampUpdateTransaction(
  p: UpdateTransactionParams,
  tx: TransactionState2,
  version: Version2,
): V21.TransactionEventRequest {
  const meterValue = p.meterValue === undefined ? [] : stampMeterValues(p.meterValue, version);
  return compact({
    eventType: 'Updated' as const,
    timestamp: p.timestamp ?? p.meterValue?.[p.meterValue.length - 1]?.timestamp ?? now(),
    triggerReason: (p.triggerReason ?? 'MeterValuePeriodic') as V21.TriggerReasonEnumType,
    seqNo: tx.seqNo++,
    transactionInfo: compact({ transactionId: tx.transactionId, chargingState: p.chargingState }),
    idToken: p.idToken === undefined ? undefined : stampIdToken(p.idToken),
    meterValue: meterValue.length === 0 ? undefined : meterValue,
    offline: p.offline === true ? true : undefined,
  });
}

/** Neutral → 2.x: stop transaction. */
export function stampStopTransaction(
  p: StopTransactionParams,
  tx: TransactionState2,
  version: Version2,
): V21.TransactionEventRequest {
  const timestamp = p.timestamp ?? now();
  const reason = p.stoppedReason ?? 'Local';
  return compact({
    eventType: 'Ended' as const,
    timestamp,
    triggerReason: (p.triggerReason ?? triggerForStop(reason)) as V21.TriggerReasonEnumType,
    seqNo: tx.seqNo++,
    transactionInfo: compact({
      transactionId: tx.transactionId,
      stoppedReason:
        p.stoppedReason === undefined ? undefined : stampStopReason(p.stoppedReason, version),
    }),
    idToken: p.idToken === undefined ? undefined : stampIdToken(p.idToken),
    meterValue: stampMeterValues(
      [
        ...(p.meterValue ?? []),
        { timestamp, sampledValue: [energySample(p.meterStop, 'Transaction.End')] },
      ],
      version,
    ),
    offline: p.offline === true ? true : undefined,
  });
}

/** Lifts a TransactionEvent; a missing EVSE is filled from `evseOf` (the transaction's start). */
export function liftTransactionEvent(
  r: V21.TransactionEventRequest,
  known?: { evseId?: number; connectorId?: number },
): TransactionEvent {
  const info = r.transactionInfo;
  const meterValue = r.meterValue === undefined ? undefined : liftMeterValues(r.meterValue);
  return compact({
    eventType: r.eventType,
    transactionId: info.transactionId,
    timestamp: r.timestamp,
    triggerReason: r.triggerReason,
    seqNo: r.seqNo,
    evseId: r.evse?.id ?? known?.evseId,
    connectorId: r.evse?.connectorId ?? known?.connectorId,
    idToken: r.idToken === undefined ? undefined : liftIdToken(r.idToken),
    meterStart:
      r.eventType === 'Started' ? energyRegisterWh(meterValue, 'Transaction.Begin') : undefined,
    meterStop:
      r.eventType === 'Ended' ? energyRegisterWh(meterValue, 'Transaction.End') : undefined,
    meterValue,
    stoppedReason: r.eventType === 'Ended' ? (info.stoppedReason ?? 'Local') : undefined,
    chargingState: info.chargingState,
    reservationId: r.reservationId,
    remoteStartId: info.remoteStartId,
    offline: r.offline,
  });
}

// ---- remote control ----

/** Neutral → 2.x: remote start request. */
export function stampRemoteStartRequest(
  p: RemoteStartParams,
  remoteStartId: () => number,
  version: Version2,
): V21.RequestStartTransactionRequest {
  return compact({
    evseId: p.evseId,
    groupIdToken: p.groupIdToken === undefined ? undefined : stampIdToken(p.groupIdToken),
    idToken: stampIdToken(p.idToken),
    remoteStartId: p.remoteStartId ?? remoteStartId(),
    chargingProfile:
      p.chargingProfile === undefined
        ? undefined
        : stampChargingProfile(p.chargingProfile, version),
  });
}

/** 2.x → neutral: remote start request. */
export function liftRemoteStartRequest(r: V21.RequestStartTransactionRequest): RemoteStartParams {
  return compact({
    idToken: liftIdToken(r.idToken),
    evseId: r.evseId,
    remoteStartId: r.remoteStartId,
    chargingProfile:
      r.chargingProfile === undefined ? undefined : liftChargingProfile(r.chargingProfile),
    groupIdToken: r.groupIdToken === undefined ? undefined : liftIdToken(r.groupIdToken),
  });
}

/** Neutral → 2.x: remote start response. */
export function stampRemoteStartResponse(
  r: RemoteStartResult,
): V21.RequestStartTransactionResponse {
  return compact({ ...stampStatus(r), transactionId: r.transactionId });
}

/** 2.x → neutral: remote start response. */
export function liftRemoteStartResponse(r: V21.RequestStartTransactionResponse): RemoteStartResult {
  return compact({ ...liftStatus(r), transactionId: r.transactionId });
}

/** 2.x → neutral: accepted rejected. */
export function liftAcceptedRejected(r: {
  status: 'Accepted' | 'Rejected';
  statusInfo?: V21.StatusInfoType;
}): AcceptedRejectedResult {
  return liftStatus(r);
}

/** Neutral → 2.x: reset request. */
export function stampResetRequest(p: ResetParams, version: Version2): V21.ResetRequest {
  if (p.type === 'ImmediateAndResume' && version === 'ocpp2.0.1')
    throw unsupported(version, 'reset ImmediateAndResume');
  return compact({ type: p.type, evseId: p.evseId });
}

/** 2.x → neutral: reset request. */
export function liftResetRequest(r: V21.ResetRequest): ResetParams {
  return compact({ type: r.type, evseId: r.evseId });
}

/** Neutral → 2.x: change availability request. */
export function stampChangeAvailabilityRequest(
  p: ChangeAvailabilityParams,
): V21.ChangeAvailabilityRequest {
  return compact({
    evse:
      p.evseId === undefined || p.evseId === 0
        ? undefined
        : compact({ id: p.evseId, connectorId: p.connectorId }),
    operationalStatus: p.operationalStatus,
  });
}

/** 2.x → neutral: change availability request. */
export function liftChangeAvailabilityRequest(
  r: V21.ChangeAvailabilityRequest,
): ChangeAvailabilityParams {
  return compact({
    operationalStatus: r.operationalStatus,
    evseId: r.evse?.id,
    connectorId: r.evse?.connectorId,
  });
}

/** Neutral → 2.x: unlock request. */
export function stampUnlockRequest(p: UnlockConnectorParams): V21.UnlockConnectorRequest {
  return { evseId: p.evseId, connectorId: p.connectorId ?? 1 };
}

/** 2.x → neutral: unlock request. */
export function liftUnlockRequest(r: V21.UnlockConnectorRequest): UnlockConnectorParams {
  return { evseId: r.evseId, connectorId: r.connectorId };
}

/** Stamps an unlock answer; 1.6 `NotSupported` becomes `UnlockFailed`. */
export function stampUnlockResponse(r: UnlockConnectorResult): V21.UnlockConnectorResponse {
  return stampStatus({
    status: r.status === 'NotSupported' ? 'UnlockFailed' : r.status,
    ...compact({ statusInfo: r.statusInfo }),
  });
}

/** Neutral → 2.x: trigger request. */
export function stampTriggerRequest(p: TriggerMessageParams): V21.TriggerMessageRequest {
  return compact({
    evse:
      p.evseId === undefined ? undefined : compact({ id: p.evseId, connectorId: p.connectorId }),
    requestedMessage: p.requestedMessage,
  });
}

const NEUTRAL_TRIGGERS = new Set<string>([
  'BootNotification',
  'Heartbeat',
  'StatusNotification',
  'MeterValues',
  'FirmwareStatusNotification',
  'LogStatusNotification',
  'TransactionEvent',
  'SignChargingStationCertificate',
  'SignV2GCertificate',
  'SignCombinedCertificate',
  'PublishFirmwareStatusNotification',
] satisfies TriggerableMessage[]);

/** Lifts a trigger; `undefined` for 2.1 triggers the neutral model lacks (answered `NotImplemented`). */
export function liftTriggerRequest(r: V21.TriggerMessageRequest): TriggerMessageParams | undefined {
  if (!NEUTRAL_TRIGGERS.has(r.requestedMessage)) return undefined;
  return compact({
    requestedMessage: r.requestedMessage as TriggerableMessage,
    evseId: r.evse?.id,
    connectorId: r.evse?.connectorId,
  });
}

// ---- configuration ----

function componentOf(ref: VariableRef): V21.ComponentType {
  return compact({ name: ref.component, instance: ref.componentInstance });
}

function variableOf(ref: VariableRef): V21.VariableType {
  return compact({ name: ref.variable, instance: ref.variableInstance });
}

function refOf(component: V21.ComponentType, variable: V21.VariableType): VariableRef {
  return compact({
    component: component.name,
    componentInstance: component.instance,
    variable: variable.name,
    variableInstance: variable.instance,
  });
}

/** A GetVariables request for neutral keys, and the keys that have no 2.x variable (never sent). */
export interface GetVariablesPlan {
  readonly request: V21.GetVariablesRequest | undefined;
  /** Neutral key of each requested entry, by `Component.Variable` key. */
  readonly asked: ReadonlyMap<string, string>;
  readonly unmapped: readonly string[];
}

/** Plans the GetVariables request for neutral keys: which entries to send, which keys have no variable. */
export function planGetVariables(keys: readonly string[]): GetVariablesPlan {
  const asked = new Map<string, string>();
  const unmapped: string[] = [];
  const data: V21.GetVariableDataType[] = [];
  for (const key of keys) {
    const ref = toVariable(key);
    if (ref === undefined) {
      unmapped.push(key);
      continue;
    }
    asked.set(fromVariable(ref), key);
    data.push({ component: componentOf(ref), variable: variableOf(ref) });
  }
  return {
    request: data.length === 0 ? undefined : { getVariableData: data },
    asked,
    unmapped,
  };
}

/**
 * Lifts GetVariables results: accepted ones are values, unknown components/variables and
 * unsupported attribute types are unknown keys, rejected ones are values without a value.
 */
export function liftGetVariablesResponse(
  r: V21.GetVariablesResponse,
  plan: GetVariablesPlan,
  reportUnknown: boolean,
): GetConfigurationResult {
  const values: { key: string; value?: string }[] = [];
  const unknownKeys = [...plan.unmapped];
  for (const result of r.getVariableResult) {
    const neutral = fromVariable(refOf(result.component, result.variable));
    const key = plan.asked.get(neutral) ?? neutral;
    if (result.attributeStatus === 'Accepted')
      values.push(compact({ key, value: result.attributeValue }));
    else if (result.attributeStatus === 'Rejected') values.push({ key });
    else if (reportUnknown) unknownKeys.push(key);
  }
  return { values, unknownKeys };
}

/** Answers a GetVariables request from a neutral configuration read. */
export function stampGetVariablesResponse(
  request: V21.GetVariablesRequest,
  result: GetConfigurationResult,
): V21.GetVariablesResponse {
  const byKey = new Map(result.values.map((v) => [v.key, v]));
  return {
    getVariableResult: request.getVariableData.map((d) => {
      const base = compact({
        attributeType: d.attributeType,
        component: d.component,
        variable: d.variable,
      });
      if (d.attributeType !== undefined && d.attributeType !== 'Actual')
        return { ...base, attributeStatus: 'NotSupportedAttributeType' as const };
      const found = byKey.get(fromVariable(refOf(d.component, d.variable)));
      if (found === undefined) return { ...base, attributeStatus: 'UnknownVariable' as const };
      if (found.value === undefined) return { ...base, attributeStatus: 'Rejected' as const };
      return { ...base, attributeStatus: 'Accepted' as const, attributeValue: found.value };
    }),
  };
}

/** The neutral keys of a GetVariables request's `Actual` entries (EVSEs of components are not carried). */
export function liftGetVariablesKeys(r: V21.GetVariablesRequest): string[] {
  return r.getVariableData
    .filter((d) => d.attributeType === undefined || d.attributeType === 'Actual')
    .map((d) => fromVariable(refOf(d.component, d.variable)));
}

/** Neutral → 2.x: set variables request. */
export function stampSetVariablesRequest(
  p: SetConfigurationParams,
  version: Version2,
): V21.SetVariablesRequest {
  const ref = toVariable(p.key);
  if (ref === undefined) throw unsupported(version, `configuration key ${p.key}`);
  return {
    setVariableData: [
      { attributeValue: p.value, component: componentOf(ref), variable: variableOf(ref) },
    ],
  };
}

/** Lifts the (single) SetVariables result; unknown component/variable and attribute type are `NotSupported`. */
export function liftSetVariablesResponse(r: V21.SetVariablesResponse): SetConfigurationResult {
  const first = r.setVariableResult[0];
  if (first === undefined) return { status: 'Rejected' };
  const s = first.attributeStatus;
  const status: ConfigurationStatus =
    s === 'Accepted' || s === 'Rejected' || s === 'RebootRequired' ? s : 'NotSupported';
  return compact({ status, statusInfo: statusInfo(first.attributeStatusInfo) });
}

/** The neutral writes of a SetVariables request, one per entry. */
export function liftSetVariablesRequest(
  r: V21.SetVariablesRequest,
): { data: V21.SetVariableDataType; params: SetConfigurationParams }[] {
  return r.setVariableData.map((d) => ({
    data: d,
    params: { key: fromVariable(refOf(d.component, d.variable)), value: d.attributeValue },
  }));
}

/** One SetVariables result from a neutral answer; `NotSupported` becomes `UnknownVariable`. */
export function stampSetVariableResult(
  d: V21.SetVariableDataType,
  r: SetConfigurationResult | undefined,
): V21.SetVariableResultType {
  const base = compact({
    attributeType: d.attributeType,
    component: d.component,
    variable: d.variable,
  });
  if (r === undefined) return { ...base, attributeStatus: 'NotSupportedAttributeType' };
  const { status, statusInfo: info } = stampStatus(r);
  return compact({
    ...base,
    attributeStatus: status === 'NotSupported' ? ('UnknownVariable' as const) : status,
    attributeStatusInfo: info,
  });
}

// ---- data transfer ----

/** Neutral → 2.x: data transfer request. */
export function stampDataTransferRequest(p: DataTransferParams): V21.DataTransferRequest {
  return compact({ vendorId: p.vendorId, messageId: p.messageId, data: p.data });
}

/** 2.x → neutral: data transfer request. */
export function liftDataTransferRequest(r: V21.DataTransferRequest): DataTransferParams {
  return compact({ vendorId: r.vendorId, messageId: r.messageId, data: r.data });
}

/** Neutral → 2.x: data transfer response. */
export function stampDataTransferResponse(r: DataTransferResult): V21.DataTransferResponse {
  return compact({ ...stampStatus(r), data: r.data });
}

/** 2.x → neutral: data transfer response. */
export function liftDataTransferResponse(r: V21.DataTransferResponse): DataTransferResult {
  return compact({ ...liftStatus(r), data: r.data });
}

// ---- firmware, logs ----

/** Neutral → 2.x: update firmware request. */
export function stampUpdateFirmwareRequest(
  p: UpdateFirmwareParams,
  requestId: () => number,
): V21.UpdateFirmwareRequest {
  return compact({
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
  });
}

/** 2.x → neutral: update firmware request. */
export function liftUpdateFirmwareRequest(r: V21.UpdateFirmwareRequest): UpdateFirmwareParams {
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

/** Neutral → 2.x: get log request. */
export function stampGetLogRequest(
  p: GetLogParams,
  requestId: () => number,
  version: Version2,
): V21.GetLogRequest {
  const logType = p.logType ?? 'DiagnosticsLog';
  if (logType === 'DataCollectorLog' && version === 'ocpp2.0.1')
    throw unsupported(version, 'log type DataCollectorLog');
  return compact({
    log: compact({
      remoteLocation: p.remoteLocation,
      oldestTimestamp: p.oldestTimestamp,
      latestTimestamp: p.latestTimestamp,
    }),
    logType,
    requestId: p.requestId ?? requestId(),
    retries: p.retries,
    retryInterval: p.retryInterval,
  });
}

/** 2.x → neutral: get log request. */
export function liftGetLogRequest(r: V21.GetLogRequest): GetLogParams {
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

/** 2.x → neutral: get log response. */
export function liftGetLogResponse(r: V21.GetLogResponse): GetLogResult {
  return compact({ ...liftStatus(r), filename: r.filename });
}

/** Neutral → 2.x: get log response. */
export function stampGetLogResponse(r: GetLogResult): V21.GetLogResponse {
  return compact({ ...stampStatus(r), filename: r.filename });
}

// ---- charging profiles ----

function stampSchedule(
  s: ChargingSchedule,
  index: number,
  version: Version2,
): V21.ChargingScheduleType {
  return compact({
    id: s.id ?? index + 1,
    startSchedule: s.startSchedule,
    duration: s.duration,
    chargingRateUnit: s.chargingRateUnit,
    chargingSchedulePeriod: s.chargingSchedulePeriod.map((p) => {
      if (p.limit === undefined && version === 'ocpp2.0.1')
        throw unsupported(version, 'a schedule period without a limit');
      return compact({
        startPeriod: p.startPeriod,
        limit: p.limit,
        numberPhases: p.numberPhases,
        phaseToUse: p.phaseToUse,
      });
    }),
    minChargingRate: s.minChargingRate,
  });
}

/** Neutral → 2.x: charging profile. */
export function stampChargingProfile(
  p: ChargingProfile,
  version: Version2,
): V21.ChargingProfileType {
  return compact({
    id: p.id,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: p.chargingProfilePurpose,
    chargingProfileKind: p.chargingProfileKind,
    recurrencyKind: p.recurrencyKind,
    validFrom: p.validFrom,
    validTo: p.validTo,
    transactionId: p.transactionId,
    chargingSchedule: p.chargingSchedule.map((s, i) => stampSchedule(s, i, version)),
  });
}

function liftPeriods(periods: readonly V21.ChargingSchedulePeriodType[]) {
  return periods.map((p) =>
    compact({
      startPeriod: p.startPeriod,
      limit: p.limit,
      numberPhases: p.numberPhases,
      phaseToUse: p.phaseToUse,
    }),
  );
}

/** Lifts a profile; 2.1-only purposes and kinds pass as they are (they have no neutral name). */
export function liftChargingProfile(p: V21.ChargingProfileType): ChargingProfile {
  return compact({
    id: p.id,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: p.chargingProfilePurpose as ChargingProfile['chargingProfilePurpose'],
    chargingProfileKind: p.chargingProfileKind as ChargingProfile['chargingProfileKind'],
    recurrencyKind: p.recurrencyKind,
    validFrom: p.validFrom,
    validTo: p.validTo,
    transactionId: p.transactionId,
    chargingSchedule: p.chargingSchedule.map((s) =>
      compact({
        id: s.id,
        startSchedule: s.startSchedule,
        duration: s.duration,
        chargingRateUnit: s.chargingRateUnit,
        chargingSchedulePeriod: liftPeriods(s.chargingSchedulePeriod),
        minChargingRate: s.minChargingRate,
      }),
    ),
  });
}

/** Stamps a profile answer; 1.6 `NotSupported` becomes `Rejected`. */
export function stampSetChargingProfileResponse(
  r: SetChargingProfileResult,
): V21.SetChargingProfileResponse {
  return stampStatus({
    status: r.status === 'NotSupported' ? 'Rejected' : r.status,
    ...compact({ statusInfo: r.statusInfo }),
  });
}

/** Neutral → 2.x: clear charging profile request. */
export function stampClearChargingProfileRequest(
  p: ClearChargingProfileParams,
): V21.ClearChargingProfileRequest {
  const criteria = compact({
    evseId: p.evseId,
    chargingProfilePurpose: p.chargingProfilePurpose,
    stackLevel: p.stackLevel,
  });
  return compact({
    chargingProfileId: p.id,
    chargingProfileCriteria: Object.keys(criteria).length === 0 ? undefined : criteria,
  });
}

/** 2.x → neutral: clear charging profile request. */
export function liftClearChargingProfileRequest(
  r: V21.ClearChargingProfileRequest,
): ClearChargingProfileParams {
  const c = r.chargingProfileCriteria;
  return compact({
    id: r.chargingProfileId,
    evseId: c?.evseId,
    chargingProfilePurpose: c?.chargingProfilePurpose as
      | ChargingProfile['chargingProfilePurpose']
      | undefined,
    stackLevel: c?.stackLevel,
  });
}

/** Neutral → 2.x: composite request. */
export function stampCompositeRequest(
  p: GetCompositeScheduleParams,
): V21.GetCompositeScheduleRequest {
  return compact({
    duration: p.duration,
    chargingRateUnit: p.chargingRateUnit,
    evseId: p.evseId,
  });
}

/** 2.x → neutral: composite request. */
export function liftCompositeRequest(
  r: V21.GetCompositeScheduleRequest,
): GetCompositeScheduleParams {
  return compact({
    evseId: r.evseId,
    duration: r.duration,
    chargingRateUnit: r.chargingRateUnit,
  });
}

/** 2.x → neutral: composite response. */
export function liftCompositeResponse(
  r: V21.GetCompositeScheduleResponse,
): GetCompositeScheduleResult {
  const s = r.schedule;
  return compact({
    ...liftStatus(r),
    schedule:
      s === undefined
        ? undefined
        : {
            evseId: s.evseId,
            duration: s.duration,
            scheduleStart: s.scheduleStart,
            chargingRateUnit: s.chargingRateUnit,
            chargingSchedulePeriod: liftPeriods(s.chargingSchedulePeriod),
          },
  });
}

/** Neutral → 2.x: composite response. */
export function stampCompositeResponse(
  r: GetCompositeScheduleResult,
  version: Version2,
): V21.GetCompositeScheduleResponse {
  const s = r.schedule;
  return compact({
    ...stampStatus(r),
    schedule:
      s === undefined
        ? undefined
        : {
            evseId: s.evseId,
            duration: s.duration,
            scheduleStart: s.scheduleStart,
            chargingRateUnit: s.chargingRateUnit,
            chargingSchedulePeriod: stampSchedule(
              {
                chargingRateUnit: s.chargingRateUnit,
                chargingSchedulePeriod: s.chargingSchedulePeriod,
              },
              0,
              version,
            ).chargingSchedulePeriod,
          },
  });
}

// ---- reservations, local list ----

/** Neutral → 2.x: reserve now request. */
export function stampReserveNowRequest(p: ReserveNowParams): V21.ReserveNowRequest {
  return compact({
    id: p.id,
    expiryDateTime: p.expiryDateTime,
    connectorType: p.connectorType,
    idToken: stampIdToken(p.idToken),
    evseId: p.evseId,
    groupIdToken: p.groupIdToken === undefined ? undefined : stampIdToken(p.groupIdToken),
  });
}

/** 2.x → neutral: reserve now request. */
export function liftReserveNowRequest(r: V21.ReserveNowRequest): ReserveNowParams {
  return compact({
    id: r.id,
    expiryDateTime: r.expiryDateTime,
    idToken: liftIdToken(r.idToken),
    evseId: r.evseId,
    groupIdToken: r.groupIdToken === undefined ? undefined : liftIdToken(r.groupIdToken),
    connectorType: r.connectorType,
  });
}

function stampEntry(e: LocalListEntry): V21.AuthorizationData {
  return compact({
    idToken: stampIdToken(e.idToken),
    idTokenInfo: e.idTokenInfo === undefined ? undefined : stampIdTokenInfo(e.idTokenInfo),
  });
}

/** Neutral → 2.x: send local list request. */
export function stampSendLocalListRequest(p: SendLocalListParams): V21.SendLocalListRequest {
  return compact({
    localAuthorizationList: p.localAuthorizationList?.map(stampEntry),
    versionNumber: p.versionNumber,
    updateType: p.updateType,
  });
}

/** 2.x → neutral: send local list request. */
export function liftSendLocalListRequest(r: V21.SendLocalListRequest): SendLocalListParams {
  return compact({
    versionNumber: r.versionNumber,
    updateType: r.updateType,
    localAuthorizationList: r.localAuthorizationList?.map((e) =>
      compact({
        idToken: liftIdToken(e.idToken),
        idTokenInfo: e.idTokenInfo === undefined ? undefined : liftIdTokenInfo(e.idTokenInfo),
      }),
    ),
  });
}

/** Stamps a local list answer; 1.6 `NotSupported` becomes `Failed`. */
export function stampSendLocalListResponse(r: SendLocalListResult): V21.SendLocalListResponse {
  return stampStatus({
    status: r.status === 'NotSupported' ? 'Failed' : r.status,
    ...compact({ statusInfo: r.statusInfo }),
  });
}

// ---- 2.0.1 ----

type Common2 = keyof V201ActionMap & keyof V21ActionMap;

/**
 * A payload the shared 2.x stamps built, as 2.0.1's own type. The stamps are written against the
 * 2.1 types and pick 2.0.1 values where the versions differ; a neutral value 2.0.1 cannot carry
 * (an open token type, a 2.1-only enum value) is caught by the session's outbound validation
 * against the 2.0.1 schema (on by default), which refuses it with `VALIDATION_FAILED` before
 * anything is sent. Checking here as well would validate every 2.0.1 payload twice.
 */
export function for201<A extends Common2, P extends 'request' | 'response'>(
  _action: A,
  _part: P,
  payload: V21ActionMap[A][P],
): V201ActionMap[A][P] {
  return payload as unknown as V201ActionMap[A][P];
}
