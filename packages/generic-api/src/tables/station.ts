import { isOcppSdkError, randomMessageId } from '@ocpp/runtime';
import type * as V16 from '@ocpp/v16-core';
import type { V16ActionMap } from '@ocpp/v16-core';
import type * as V21 from '@ocpp/v21-core';
import type { V21ActionMap } from '@ocpp/v21-core';
import type * as V201 from '@ocpp/v201-core';
import type { V201ActionMap } from '@ocpp/v201-core';
import type { StationContext, StationHandlers, StationTransaction } from '../api.js';
import { andThen, compact } from '../codec/util.js';
import * as v2 from '../codec/v2.js';
import * as v16 from '../codec/v16.js';
import { type Codec, inboundOf, type OutboundTable, outboundOf, type Recorded } from '../engine.js';
import type { TransactionLedger } from '../ledger.js';
import type {
  AuthorizeParams,
  AuthorizeResult,
  BootParams,
  BootResult,
  DataTransferParams,
  DataTransferResult,
  FirmwareStatusParams,
  HeartbeatResult,
  LogStatusParams,
  MeterValuesParams,
  SetConfigurationResult,
  StartTransactionParams,
  StartTransactionResult,
  StatusParams,
  StopTransactionParams,
  TransactionResult,
  UpdateTransactionParams,
} from '../model.js';
import {
  type StationMoreOperations,
  stationMoreInbound2x,
  stationMoreInbound16,
  stationMoreOutbound2x,
  stationMoreOutbound16,
} from './station-2x.js';
import type {
  Router16,
  Router21,
  Router201,
  Session16,
  Session21,
  Session201,
} from './versions.js';

/** The messages a station sends its CSMS: `[params, result]` by neutral name. */
export type StationOperations = StationCoreOperations & StationMoreOperations;

/** The messages every version had from the start (the rest: `station-2x.ts`). */
export interface StationCoreOperations {
  readonly boot: readonly [BootParams, BootResult];
  readonly heartbeat: readonly [undefined, HeartbeatResult];
  readonly authorize: readonly [AuthorizeParams, AuthorizeResult];
  readonly statusNotification: readonly [StatusParams, undefined];
  readonly meterValues: readonly [MeterValuesParams, undefined];
  readonly startTransaction: readonly [StartTransactionParams, StartTransactionResult];
  readonly updateTransaction: readonly [UpdateTransactionParams, TransactionResult];
  readonly stopTransaction: readonly [StopTransactionParams, TransactionResult];
  readonly dataTransfer: readonly [DataTransferParams, DataTransferResult];
  readonly firmwareStatusNotification: readonly [FirmwareStatusParams, undefined];
  readonly logStatusNotification: readonly [LogStatusParams, undefined];
}

/** An open transaction as the station keeps it. */
export interface TransactionRecord extends StationTransaction {
  seqNo: number;
}

/** What the station side's stamps and routes read of the station: its ledger. */
export interface StationEnd {
  readonly ledger: TransactionLedger<TransactionRecord>;
  /** True while the current connection is open (a 2.x stop made offline keeps its seqNo). */
  readonly isOpen: boolean;
}

/** The neutral context of an inbound call on this side, as the routes see it. */
export interface StationRouteContext extends StationContext, Recorded {
  readonly end: StationEnd;
}

/** The outbound rows of the operations beyond the core ones, for a version's session. */
type More<S> = OutboundTable<S, StationEnd, StationMoreOperations>;

/** The station codec of one version. */
export type StationCodec<S, Rtr> = Codec<
  S,
  StationEnd,
  StationOperations,
  Rtr,
  StationHandlers,
  StationRouteContext
>;

const empty = () => ({});
const nothing = () => undefined;

/** The params of a 2.x transaction event, marked offline when made while disconnected. */
function offlineIf<P extends { readonly offline?: boolean }>(p: P, end: StationEnd): P {
  return p.offline !== undefined || end.isOpen ? p : { ...p, offline: true };
}

/** A transaction this station did not see start (carried over, or an id it was told). */
function entryOf(end: StationEnd, transactionId: string, evseId = 0, connectorId = 1) {
  return end.ledger.entry(transactionId, () => ({ transactionId, evseId, connectorId, seqNo: 0 }));
}

// ---------------------------------------------------------------------------------------------
// 1.6
// ---------------------------------------------------------------------------------------------

const out16 = outboundOf<'1.6', V16ActionMap, 'station', StationEnd>();
const in16 = inboundOf<'1.6', V16ActionMap, 'station', StationHandlers, StationRouteContext>();
const status16 = <S extends string>(r: { status: S }) => ({ status: r.status });

/** The 1.6 station codec. */
export const station16 = {
  version: 'ocpp1.6',
  outbound: {
    boot: out16.call('BootNotification', v16.stampBootRequest, v16.liftBootResponse),
    heartbeat: out16.call('Heartbeat', empty, (res) => ({ currentTime: res.currentTime })),
    authorize: out16.call('Authorize', v16.stampAuthorizeRequest, v16.liftAuthorizeResponse),
    statusNotification: out16.call('StatusNotification', v16.stampStatusRequest, nothing),
    meterValues: out16.call('MeterValues', v16.stampMeterValuesRequest, nothing),
    startTransaction: out16.custom(
      ['StartTransaction'],
      async (session, p: StartTransactionParams, end, o): Promise<StartTransactionResult> => {
        const open = (transactionId16: number) => {
          const transactionId = p.transactionId ?? String(transactionId16);
          end.ledger.remember({
            transactionId,
            transactionId16,
            evseId: p.evseId,
            connectorId: p.connectorId ?? 1,
            seqNo: 1,
          });
          return transactionId;
        };
        try {
          const res = await session.call('StartTransaction', v16.stampStartTransaction(p), o);
          return {
            transactionId: open(res.transactionId),
            idTokenInfo: v16.liftIdTokenInfo(res.idTagInfo),
          };
        } catch (e) {
          // Kept by an outbox that gave a stand-in id: the transaction runs on it until the
          // CSMS's id arrives (the outbox puts that into the messages, the ledger is renumbered).
          const standIn = standInOf(e);
          if (standIn === undefined) throw e;
          return { transactionId: open(standIn), kept: true };
        }
      },
    ),
    updateTransaction: out16.custom(
      ['MeterValues'],
      async (session, p: UpdateTransactionParams, end, o): Promise<TransactionResult> => {
        const entry = end.ledger.get(p.transactionId);
        const payload = v16.stampUpdateTransaction(
          p.meterValue,
          entry?.evseId ?? 0,
          end.ledger.ids16.toInt(p.transactionId),
        );
        await session.call('MeterValues', payload, o);
        if (entry !== undefined) entry.seqNo++;
        return {};
      },
    ),
    stopTransaction: out16.call(
      'StopTransaction',
      (p: StopTransactionParams, end) =>
        v16.stampStopTransaction(p, end.ledger.ids16.toInt(p.transactionId)),
      (res): TransactionResult =>
        compact({
          idTokenInfo: res.idTagInfo === undefined ? undefined : v16.liftIdTokenInfo(res.idTagInfo),
        }),
    ),
    dataTransfer: out16.call(
      'DataTransfer',
      v16.stampDataTransferRequest,
      v16.liftDataTransferResponse,
    ),
    firmwareStatusNotification: out16.custom(
      ['FirmwareStatusNotification', 'SignedFirmwareStatusNotification'],
      async (session, p: FirmwareStatusParams, _end, o): Promise<undefined> => {
        const stamped = v16.stampFirmwareStatus(p);
        if (stamped.action === 'FirmwareStatusNotification')
          await session.call('FirmwareStatusNotification', stamped.payload, o);
        else await session.call('SignedFirmwareStatusNotification', stamped.payload, o);
      },
    ),
    logStatusNotification: out16.custom(
      ['DiagnosticsStatusNotification', 'LogStatusNotification'],
      async (session, p: LogStatusParams, _end, o): Promise<undefined> => {
        const stamped = v16.stampLogStatus(p);
        if (stamped.action === 'DiagnosticsStatusNotification')
          await session.call('DiagnosticsStatusNotification', stamped.payload, o);
        else await session.call('LogStatusNotification', stamped.payload, o);
      },
    ),
    ...stationMoreOutbound16<More<Session16<'station'>>>(),
  },
  inbound: [
    in16.route('RemoteStartTransaction', ['onRemoteStart'], (req, c, h) =>
      andThen(
        h.onRemoteStart!(v16.liftRemoteStartRequest(req, c.end.ledger.ids16), c),
        v16.stampRemoteStartResponse,
      ),
    ),
    in16.route('RemoteStopTransaction', ['onRemoteStop'], (req, c, h) =>
      andThen(
        h.onRemoteStop!({ transactionId: c.end.ledger.ids16.toNeutral(req.transactionId) }, c),
        status16,
      ),
    ),
    in16.route('Reset', ['onReset'], (req, c, h) =>
      andThen(h.onReset!(v16.liftResetRequest(req), c), v16.stampResetResponse),
    ),
    in16.route('ChangeAvailability', ['onChangeAvailability'], (req, c, h) =>
      andThen(h.onChangeAvailability!(v16.liftChangeAvailabilityRequest(req), c), status16),
    ),
    in16.route('UnlockConnector', ['onUnlockConnector'], (req, c, h) =>
      andThen(h.onUnlockConnector!(v16.liftUnlockRequest(req), c), v16.stampUnlockResponse),
    ),
    in16.route('TriggerMessage', ['onTriggerMessage'], (req, c, h) =>
      andThen(h.onTriggerMessage!(v16.liftTriggerRequest(req), c), status16),
    ),
    in16.route('ExtendedTriggerMessage', ['onTriggerMessage'], (req, c, h) =>
      andThen(h.onTriggerMessage!(v16.liftExtendedTriggerRequest(req), c), status16),
    ),
    in16.route('GetConfiguration', ['onGetConfiguration'], (req, c, h) =>
      andThen(
        // 1.6: an empty key list asks for every key, as a missing one does.
        h.onGetConfiguration!(compact({ keys: req.key?.length ? req.key : undefined }), c),
        v16.stampGetConfigurationResponse,
      ),
    ),
    in16.route('ChangeConfiguration', ['onSetConfiguration'], (req, c, h) =>
      andThen(h.onSetConfiguration!({ key: req.key, value: req.value }, c), status16),
    ),
    in16.route('DataTransfer', ['onDataTransfer'], (req, c, h) =>
      andThen(
        h.onDataTransfer!(v16.liftDataTransferRequest(req), c),
        v16.stampDataTransferResponse,
      ),
    ),
    in16.route('UpdateFirmware', ['onUpdateFirmware'], (req, c, h) =>
      andThen(h.onUpdateFirmware!(v16.liftUpdateFirmwareRequest(req), c), empty),
    ),
    in16.route('SignedUpdateFirmware', ['onUpdateFirmware'], (req, c, h) =>
      andThen(h.onUpdateFirmware!(v16.liftSignedUpdateFirmwareRequest(req), c), status16),
    ),
    in16.route('GetDiagnostics', ['onGetLog'], (req, c, h) =>
      andThen(h.onGetLog!(v16.liftGetDiagnosticsRequest(req), c), v16.stampGetDiagnosticsResponse),
    ),
    in16.route('GetLog', ['onGetLog'], (req, c, h) =>
      andThen(
        h.onGetLog!(v16.liftGetLogRequest(req), c),
        (res): V16.GetLogResponse => compact({ status: res.status, filename: res.filename }),
      ),
    ),
    in16.route('SetChargingProfile', ['onSetChargingProfile'], (req, c, h) => {
      const chargingProfile = v16.liftChargingProfile(req.csChargingProfiles, c.end.ledger.ids16);
      return andThen(
        h.onSetChargingProfile!({ evseId: req.connectorId, chargingProfile }, c),
        status16,
      );
    }),
    in16.route('ClearChargingProfile', ['onClearChargingProfile'], (req, c, h) =>
      andThen(h.onClearChargingProfile!(v16.liftClearChargingProfileRequest(req), c), status16),
    ),
    in16.route('GetCompositeSchedule', ['onGetCompositeSchedule'], (req, c, h) =>
      andThen(
        h.onGetCompositeSchedule!(v16.liftCompositeRequest(req), c),
        v16.stampCompositeResponse,
      ),
    ),
    in16.route('ReserveNow', ['onReserveNow'], (req, c, h) =>
      andThen(h.onReserveNow!(v16.liftReserveNowRequest(req), c), status16),
    ),
    in16.route('CancelReservation', ['onCancelReservation'], (req, c, h) =>
      andThen(h.onCancelReservation!({ reservationId: req.reservationId }, c), status16),
    ),
    in16.route('SendLocalList', ['onSendLocalList'], (req, c, h) =>
      andThen(
        h.onSendLocalList!(v16.liftSendLocalListRequest(req), c),
        v16.stampSendLocalListResponse,
      ),
    ),
    in16.route('GetLocalListVersion', ['onGetLocalListVersion'], (_req, c, h) =>
      andThen(h.onGetLocalListVersion!(c), (res) => ({ listVersion: res.versionNumber })),
    ),
    in16.route('ClearCache', ['onClearCache'], (_req, c, h) =>
      andThen(h.onClearCache!(c), status16),
    ),
    ...stationMoreInbound16(),
  ],
} satisfies StationCodec<Session16<'station'>, Router16<'station'>>;

/** The stand-in transaction id of a 1.6 StartTransaction kept by the session's outbox. */
function standInOf(e: unknown): number | undefined {
  if (!isOcppSdkError(e) || e.code !== 'KEPT') return undefined;
  const id = (e as { provisional?: { transactionId?: unknown } }).provisional?.transactionId;
  return typeof id === 'number' ? id : undefined;
}

// ---------------------------------------------------------------------------------------------
// 2.x
// ---------------------------------------------------------------------------------------------

/** Runs a transaction message's call; when the outbox keeps it for later, `onKept` answers. */
export async function orKept<R>(call: () => Promise<R>, onKept: () => R): Promise<R> {
  try {
    return await call();
  } catch (e) {
    if (isOcppSdkError(e) && e.code === 'KEPT') return onKept();
    throw e;
  }
}

/** Call failures that mean the CALL never left this side. */
const NOT_SENT: ReadonlySet<string> = new Set(['NOT_CONNECTED', 'VALIDATION_FAILED', 'QUEUE_FULL']);

/**
 * Sends a TransactionEvent; when it was not sent (refused here, or made while disconnected and
 * never delivered) the entry's seqNo goes back, so the next attempt leaves the CSMS no gap.
 */
async function transactionEvent<Req extends { seqNo: number }, Res>(
  entry: TransactionRecord,
  payload: Req,
  wasOpen: boolean,
  call: (payload: Req) => Promise<Res>,
): Promise<Res> {
  try {
    return await call(payload);
  } catch (e) {
    // A kept message goes out later with this seqNo: nothing to take back.
    if (isOcppSdkError(e) && e.code !== 'KEPT' && (NOT_SENT.has(e.code) || !wasOpen))
      entry.seqNo = payload.seqNo;
    throw e;
  }
}

/** Lifts the token info of a TransactionEvent answer. */
function transactionResult(
  res: V21.TransactionEventResponse | V201.TransactionEventResponse,
): TransactionResult {
  return compact({
    ...v2.liftTransactionCost(res),
    idTokenInfo: res.idTokenInfo === undefined ? undefined : v2.liftIdTokenInfo(res.idTokenInfo),
  });
}

/** SetVariables: the neutral handler once per `Actual` variable, in order. */
async function setVariables(
  req: V21.SetVariablesRequest | V201.SetVariablesRequest,
  c: StationRouteContext,
  h: StationHandlers,
): Promise<V21.SetVariablesResponse> {
  const results: V21.SetVariableResultType[] = [];
  for (const { data, params } of v2.liftSetVariablesRequest(req)) {
    const actual = data.attributeType === undefined || data.attributeType === 'Actual';
    const res: SetConfigurationResult | undefined = actual
      ? await h.onSetConfiguration!(params, c)
      : undefined;
    results.push(v2.stampSetVariableResult(data, res));
  }
  return { setVariableResult: results };
}

const out21 = outboundOf<'2.1', V21ActionMap, 'station', StationEnd>();
const in21 = inboundOf<'2.1', V21ActionMap, 'station', StationHandlers, StationRouteContext>();
const V21_ = 'ocpp2.1';
const status2 = v2.stampStatus;

/** The 2.1 station codec. */
export const station21 = {
  version: 'ocpp2.1',
  outbound: {
    boot: out21.call('BootNotification', v2.stampBootRequest, v2.liftBootResponse),
    heartbeat: out21.call('Heartbeat', empty, (res) => ({ currentTime: res.currentTime })),
    authorize: out21.call('Authorize', v2.stampAuthorizeRequest, v2.liftAuthorizeResponse),
    statusNotification: out21.call(
      'StatusNotification',
      (p: StatusParams) => v2.stampStatusRequest(p, V21_),
      nothing,
    ),
    meterValues: out21.call(
      'MeterValues',
      (p: MeterValuesParams) => v2.stampMeterValuesRequest(p, V21_),
      nothing,
    ),
    startTransaction: out21.custom(
      ['TransactionEvent'],
      async (session, p: StartTransactionParams, end, o): Promise<StartTransactionResult> => {
        const transactionId = p.transactionId ?? randomMessageId();
        const entry = entryOf(end, transactionId, p.evseId, p.connectorId ?? 1);
        const payload = v2.stampStartTransaction(offlineIf(p, end), entry, V21_);
        return orKept(
          async () => ({
            transactionId,
            ...transactionResult(await session.call('TransactionEvent', payload, o)),
          }),
          () => ({ transactionId, kept: true }),
        );
      },
    ),
    updateTransaction: out21.custom(
      ['TransactionEvent'],
      async (session, p: UpdateTransactionParams, end, o) => {
        const entry = entryOf(end, p.transactionId);
        const payload = v2.stampUpdateTransaction(offlineIf(p, end), entry, V21_);
        return transactionResult(await session.call('TransactionEvent', payload, o));
      },
    ),
    stopTransaction: out21.custom(
      ['TransactionEvent'],
      async (session, p: StopTransactionParams, end, o) => {
        const entry = entryOf(end, p.transactionId);
        const payload = v2.stampStopTransaction(offlineIf(p, end), entry, V21_);
        const res = await transactionEvent(entry, payload, end.isOpen, (payload) =>
          session.call('TransactionEvent', payload, o),
        );
        return transactionResult(res);
      },
    ),
    dataTransfer: out21.call(
      'DataTransfer',
      v2.stampDataTransferRequest,
      v2.liftDataTransferResponse,
    ),
    firmwareStatusNotification: out21.call(
      'FirmwareStatusNotification',
      (p: FirmwareStatusParams) => compact({ status: p.status, requestId: p.requestId }),
      nothing,
    ),
    logStatusNotification: out21.call(
      'LogStatusNotification',
      (p: LogStatusParams) => compact({ status: p.status, requestId: p.requestId }),
      nothing,
    ),
    ...stationMoreOutbound2x<More<Session21<'station'>>>('ocpp2.1'),
  },
  inbound: [
    in21.route('RequestStartTransaction', ['onRemoteStart'], (req, c, h) =>
      andThen(h.onRemoteStart!(v2.liftRemoteStartRequest(req), c), v2.stampRemoteStartResponse),
    ),
    in21.route('RequestStopTransaction', ['onRemoteStop'], (req, c, h) =>
      andThen(h.onRemoteStop!({ transactionId: req.transactionId }, c), status2),
    ),
    in21.route('Reset', ['onReset'], (req, c, h) =>
      andThen(h.onReset!(v2.liftResetRequest(req), c), status2),
    ),
    in21.route('ChangeAvailability', ['onChangeAvailability'], (req, c, h) =>
      andThen(h.onChangeAvailability!(v2.liftChangeAvailabilityRequest(req), c), status2),
    ),
    in21.route('UnlockConnector', ['onUnlockConnector'], (req, c, h) =>
      andThen(h.onUnlockConnector!(v2.liftUnlockRequest(req), c), v2.stampUnlockResponse),
    ),
    in21.route('TriggerMessage', ['onTriggerMessage'], (req, c, h) => {
      const params = v2.liftTriggerRequest(req);
      if (params === undefined) return { status: 'NotImplemented' };
      return andThen(h.onTriggerMessage!(params, c), status2);
    }),
    // The whole request to onGetVariables when given; else one key per variable to
    // onGetConfiguration (the 1.6 view of the same call).
    in21.route('GetVariables', ['onGetVariables', 'onGetConfiguration'], (req, c, h) =>
      h.onGetVariables !== undefined
        ? h.onGetVariables(req, c)
        : andThen(h.onGetConfiguration!({ keys: v2.liftGetVariablesKeys(req) }, c), (res) =>
            v2.stampGetVariablesResponse(req, res),
          ),
    ),
    in21.route('SetVariables', ['onSetVariables', 'onSetConfiguration'], (req, c, h) =>
      h.onSetVariables !== undefined ? h.onSetVariables(req, c) : setVariables(req, c, h),
    ),
    in21.route('DataTransfer', ['onDataTransfer'], (req, c, h) =>
      andThen(h.onDataTransfer!(v2.liftDataTransferRequest(req), c), v2.stampDataTransferResponse),
    ),
    in21.route('UpdateFirmware', ['onUpdateFirmware'], (req, c, h) =>
      andThen(h.onUpdateFirmware!(v2.liftUpdateFirmwareRequest(req), c), status2),
    ),
    in21.route('GetLog', ['onGetLog'], (req, c, h) =>
      andThen(h.onGetLog!(v2.liftGetLogRequest(req), c), v2.stampGetLogResponse),
    ),
    in21.route('SetChargingProfile', ['onSetChargingProfile'], (req, c, h) =>
      andThen(
        h.onSetChargingProfile!(
          { evseId: req.evseId, chargingProfile: v2.liftChargingProfile(req.chargingProfile) },
          c,
        ),
        v2.stampSetChargingProfileResponse,
      ),
    ),
    in21.route('ClearChargingProfile', ['onClearChargingProfile'], (req, c, h) =>
      andThen(h.onClearChargingProfile!(v2.liftClearChargingProfileRequest(req), c), status2),
    ),
    in21.route('GetCompositeSchedule', ['onGetCompositeSchedule'], (req, c, h) =>
      andThen(h.onGetCompositeSchedule!(v2.liftCompositeRequest(req), c), (res) =>
        v2.stampCompositeResponse(res, V21_),
      ),
    ),
    in21.route('ReserveNow', ['onReserveNow'], (req, c, h) =>
      andThen(h.onReserveNow!(v2.liftReserveNowRequest(req), c), status2),
    ),
    in21.route('CancelReservation', ['onCancelReservation'], (req, c, h) =>
      andThen(h.onCancelReservation!({ reservationId: req.reservationId }, c), status2),
    ),
    in21.route('SendLocalList', ['onSendLocalList'], (req, c, h) =>
      andThen(
        h.onSendLocalList!(v2.liftSendLocalListRequest(req), c),
        v2.stampSendLocalListResponse,
      ),
    ),
    in21.route('GetLocalListVersion', ['onGetLocalListVersion'], (_req, c, h) =>
      andThen(h.onGetLocalListVersion!(c), (res) => ({ versionNumber: res.versionNumber })),
    ),
    in21.route('ClearCache', ['onClearCache'], (_req, c, h) =>
      andThen(h.onClearCache!(c), status2),
    ),
    ...stationMoreInbound2x('ocpp2.1'),
  ],
} satisfies StationCodec<Session21<'station'>, Router21<'station'>>;

const out201 = outboundOf<'2.0.1', V201ActionMap, 'station', StationEnd>();
const in201 = inboundOf<'2.0.1', V201ActionMap, 'station', StationHandlers, StationRouteContext>();
const V201_ = 'ocpp2.0.1';

/** The 2.0.1 station codec. */
export const station201 = {
  version: 'ocpp2.0.1',
  outbound: {
    boot: out201.call('BootNotification', v2.stampBootRequest, v2.liftBootResponse),
    heartbeat: out201.call('Heartbeat', empty, (res) => ({ currentTime: res.currentTime })),
    authorize: out201.call(
      'Authorize',
      (p: AuthorizeParams) => v2.for201('Authorize', 'request', v2.stampAuthorizeRequest(p)),
      v2.liftAuthorizeResponse,
    ),
    statusNotification: out201.call(
      'StatusNotification',
      (p: StatusParams) => v2.stampStatusRequest(p, V201_),
      nothing,
    ),
    meterValues: out201.call(
      'MeterValues',
      (p: MeterValuesParams) =>
        v2.for201('MeterValues', 'request', v2.stampMeterValuesRequest(p, V201_)),
      nothing,
    ),
    startTransaction: out201.custom(
      ['TransactionEvent'],
      async (session, p: StartTransactionParams, end, o): Promise<StartTransactionResult> => {
        const transactionId = p.transactionId ?? randomMessageId();
        const entry = entryOf(end, transactionId, p.evseId, p.connectorId ?? 1);
        const payload = v2.for201(
          'TransactionEvent',
          'request',
          v2.stampStartTransaction(offlineIf(p, end), entry, V201_),
        );
        return orKept(
          async () => ({
            transactionId,
            ...transactionResult(await session.call('TransactionEvent', payload, o)),
          }),
          () => ({ transactionId, kept: true }),
        );
      },
    ),
    updateTransaction: out201.custom(
      ['TransactionEvent'],
      async (session, p: UpdateTransactionParams, end, o) => {
        const entry = entryOf(end, p.transactionId);
        const payload = v2.for201(
          'TransactionEvent',
          'request',
          v2.stampUpdateTransaction(offlineIf(p, end), entry, V201_),
        );
        return transactionResult(await session.call('TransactionEvent', payload, o));
      },
    ),
    stopTransaction: out201.custom(
      ['TransactionEvent'],
      async (session, p: StopTransactionParams, end, o) => {
        const entry = entryOf(end, p.transactionId);
        const payload = v2.stampStopTransaction(offlineIf(p, end), entry, V201_);
        const res = await transactionEvent(entry, payload, end.isOpen, (payload) =>
          session.call('TransactionEvent', v2.for201('TransactionEvent', 'request', payload), o),
        );
        return transactionResult(res);
      },
    ),
    dataTransfer: out201.call(
      'DataTransfer',
      v2.stampDataTransferRequest,
      v2.liftDataTransferResponse,
    ),
    firmwareStatusNotification: out201.call(
      'FirmwareStatusNotification',
      (p: FirmwareStatusParams) => compact({ status: p.status, requestId: p.requestId }),
      nothing,
    ),
    logStatusNotification: out201.call(
      'LogStatusNotification',
      (p: LogStatusParams) => compact({ status: p.status, requestId: p.requestId }),
      nothing,
    ),
    ...stationMoreOutbound2x<More<Session201<'station'>>>('ocpp2.0.1'),
  },
  inbound: [
    in201.route('RequestStartTransaction', ['onRemoteStart'], (req, c, h) =>
      andThen(h.onRemoteStart!(v2.liftRemoteStartRequest(req), c), v2.stampRemoteStartResponse),
    ),
    in201.route('RequestStopTransaction', ['onRemoteStop'], (req, c, h) =>
      andThen(h.onRemoteStop!({ transactionId: req.transactionId }, c), status2),
    ),
    in201.route('Reset', ['onReset'], (req, c, h) =>
      andThen(h.onReset!(v2.liftResetRequest(req), c), status2),
    ),
    in201.route('ChangeAvailability', ['onChangeAvailability'], (req, c, h) =>
      andThen(h.onChangeAvailability!(v2.liftChangeAvailabilityRequest(req), c), status2),
    ),
    in201.route('UnlockConnector', ['onUnlockConnector'], (req, c, h) =>
      andThen(h.onUnlockConnector!(v2.liftUnlockRequest(req), c), v2.stampUnlockResponse),
    ),
    in201.route('TriggerMessage', ['onTriggerMessage'], (req, c, h) => {
      const params = v2.liftTriggerRequest(req);
      if (params === undefined) return { status: 'NotImplemented' };
      return andThen(h.onTriggerMessage!(params, c), status2);
    }),
    // The whole request to onGetVariables when given; else one key per variable to
    // onGetConfiguration (the 1.6 view of the same call).
    in201.route('GetVariables', ['onGetVariables', 'onGetConfiguration'], (req, c, h) =>
      h.onGetVariables !== undefined
        ? andThen(h.onGetVariables(req, c), (res) => v2.for201('GetVariables', 'response', res))
        : andThen(h.onGetConfiguration!({ keys: v2.liftGetVariablesKeys(req) }, c), (res) =>
            v2.stampGetVariablesResponse(req, res),
          ),
    ),
    in201.route('SetVariables', ['onSetVariables', 'onSetConfiguration'], (req, c, h) =>
      h.onSetVariables !== undefined
        ? andThen(h.onSetVariables(req, c), (res) => v2.for201('SetVariables', 'response', res))
        : setVariables(req, c, h),
    ),
    in201.route('DataTransfer', ['onDataTransfer'], (req, c, h) =>
      andThen(h.onDataTransfer!(v2.liftDataTransferRequest(req), c), v2.stampDataTransferResponse),
    ),
    in201.route('UpdateFirmware', ['onUpdateFirmware'], (req, c, h) =>
      andThen(h.onUpdateFirmware!(v2.liftUpdateFirmwareRequest(req), c), status2),
    ),
    in201.route('GetLog', ['onGetLog'], (req, c, h) =>
      andThen(h.onGetLog!(v2.liftGetLogRequest(req), c), v2.stampGetLogResponse),
    ),
    in201.route('SetChargingProfile', ['onSetChargingProfile'], (req, c, h) =>
      andThen(
        h.onSetChargingProfile!(
          { evseId: req.evseId, chargingProfile: v2.liftChargingProfile(req.chargingProfile) },
          c,
        ),
        v2.stampSetChargingProfileResponse,
      ),
    ),
    in201.route('ClearChargingProfile', ['onClearChargingProfile'], (req, c, h) =>
      andThen(h.onClearChargingProfile!(v2.liftClearChargingProfileRequest(req), c), status2),
    ),
    in201.route('GetCompositeSchedule', ['onGetCompositeSchedule'], (req, c, h) =>
      andThen(h.onGetCompositeSchedule!(v2.liftCompositeRequest(req), c), (res) =>
        v2.for201('GetCompositeSchedule', 'response', v2.stampCompositeResponse(res, V201_)),
      ),
    ),
    in201.route('ReserveNow', ['onReserveNow'], (req, c, h) =>
      andThen(h.onReserveNow!(v2.liftReserveNowRequest(req), c), status2),
    ),
    in201.route('CancelReservation', ['onCancelReservation'], (req, c, h) =>
      andThen(h.onCancelReservation!({ reservationId: req.reservationId }, c), status2),
    ),
    in201.route('SendLocalList', ['onSendLocalList'], (req, c, h) =>
      andThen(
        h.onSendLocalList!(v2.liftSendLocalListRequest(req), c),
        v2.stampSendLocalListResponse,
      ),
    ),
    in201.route('GetLocalListVersion', ['onGetLocalListVersion'], (_req, c, h) =>
      andThen(h.onGetLocalListVersion!(c), (res) => ({ versionNumber: res.versionNumber })),
    ),
    in201.route('ClearCache', ['onClearCache'], (_req, c, h) =>
      andThen(h.onClearCache!(c), status2),
    ),
    ...stationMoreInbound2x('ocpp2.0.1'),
  ],
} satisfies StationCodec<Session201<'station'>, Router201<'station'>>;
