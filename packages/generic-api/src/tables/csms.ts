import type * as V16 from '@ocpp/v16-core';
import type { V16ActionMap } from '@ocpp/v16-core';
import type * as V21 from '@ocpp/v21-core';
import type { V21ActionMap } from '@ocpp/v21-core';
import type * as V201 from '@ocpp/v201-core';
import type { V201ActionMap } from '@ocpp/v201-core';
import type { CsmsContext, CsmsHandlers, OpenTransaction } from '../api.js';
import { andThen, compact, now } from '../codec/util.js';
import * as v2 from '../codec/v2.js';
import * as v16 from '../codec/v16.js';
import { CONFIGURATION_KEY_MAP, toKey16 } from '../config-keys.js';
import { type Codec, inboundOf, type OutboundTable, outboundOf, type Recorded } from '../engine.js';
import type { TransactionLedger } from '../ledger.js';
import type {
  AcceptedRejectedResult,
  CancelReservationParams,
  ChangeAvailabilityParams,
  ClearChargingProfileParams,
  ClearChargingProfileResult,
  DataTransferParams,
  DataTransferResult,
  GetCompositeScheduleParams,
  GetCompositeScheduleResult,
  GetConfigurationParams,
  GetConfigurationResult,
  GetLogParams,
  GetLogResult,
  IdTokenInfo,
  LocalListVersionResult,
  RemoteStartParams,
  RemoteStartResult,
  RemoteStopParams,
  ReserveNowParams,
  ReserveNowResult,
  ResetParams,
  ScheduledResult,
  SendLocalListParams,
  SendLocalListResult,
  SetChargingProfileParams,
  SetChargingProfileResult,
  SetConfigurationParams,
  SetConfigurationResult,
  TransactionEventResult,
  TriggerMessageParams,
  TriggerMessageResult,
  UnlockConnectorParams,
  UnlockConnectorResult,
  UpdateFirmwareParams,
  UpdateFirmwareResult,
} from '../model.js';
import {
  type CsmsMoreOperations,
  csmsMoreInbound2x,
  csmsMoreInbound16,
  csmsMoreOutbound2x,
  csmsMoreOutbound16,
  type ReportEnd,
} from './csms-2x.js';
import type {
  Router16,
  Router21,
  Router201,
  Session16,
  Session21,
  Session201,
} from './versions.js';

/** The operations a CSMS sends a station: `[params, result]` by neutral name. */
export type CsmsOperations = CsmsCoreOperations & CsmsMoreOperations;

/** The operations every version had from the start (the rest: `csms-2x.ts`). */
export interface CsmsCoreOperations {
  readonly remoteStart: readonly [RemoteStartParams, RemoteStartResult];
  readonly remoteStop: readonly [RemoteStopParams, AcceptedRejectedResult];
  readonly reset: readonly [ResetParams, ScheduledResult];
  readonly changeAvailability: readonly [ChangeAvailabilityParams, ScheduledResult];
  readonly unlockConnector: readonly [UnlockConnectorParams, UnlockConnectorResult];
  readonly triggerMessage: readonly [TriggerMessageParams, TriggerMessageResult];
  readonly getConfiguration: readonly [GetConfigurationParams, GetConfigurationResult];
  readonly setConfiguration: readonly [SetConfigurationParams, SetConfigurationResult];
  readonly dataTransfer: readonly [DataTransferParams, DataTransferResult];
  readonly updateFirmware: readonly [UpdateFirmwareParams, UpdateFirmwareResult];
  readonly getLog: readonly [GetLogParams, GetLogResult];
  readonly setChargingProfile: readonly [SetChargingProfileParams, SetChargingProfileResult];
  readonly clearChargingProfile: readonly [ClearChargingProfileParams, ClearChargingProfileResult];
  readonly getCompositeSchedule: readonly [GetCompositeScheduleParams, GetCompositeScheduleResult];
  readonly reserveNow: readonly [ReserveNowParams, ReserveNowResult];
  readonly cancelReservation: readonly [CancelReservationParams, AcceptedRejectedResult];
  readonly sendLocalList: readonly [SendLocalListParams, SendLocalListResult];
  readonly getLocalListVersion: readonly [undefined, LocalListVersionResult];
  readonly clearCache: readonly [undefined, AcceptedRejectedResult];
}

/** An open transaction as the CSMS keeps it. */
export interface OpenTransactionRecord extends OpenTransaction {
  seqNo: number;
  /** 1.6: the start's meter reading, to recognise a resent StartTransaction. */
  readonly meterStart?: number;
}

/** What the CSMS side's stamps and routes read of a station: its ledger and id sources. */
export interface CsmsEnd extends ReportEnd {
  readonly ledger: TransactionLedger<OpenTransactionRecord>;
  nextRequestId(): number;
  /** Proposes the integer id of a 1.6 transaction. */
  allocate(): Promise<number>;
  /** The last seqNo (2.x) of recently ended transactions, to know a resent end. */
  readonly ended: Map<string, number>;
  /** Tells the CSMS's listeners about a resent or missing transaction message. */
  report(report: TransactionReport): void;
}

/** A transaction message that was resent, or messages that never came. */
export type TransactionReport =
  | {
      /** A 2.x event whose seqNo was seen before: answered, not passed to `onTransaction`. */
      readonly kind: 'duplicate';
      readonly transactionId: string;
      readonly seqNo: number;
    }
  | {
      /** 2.x events between `expected` and `received` (excluded) never came; the event is processed. */
      readonly kind: 'gap';
      readonly transactionId: string;
      readonly expected: number;
      readonly received: number;
    }
  | {
      /**
       * 1.6 has no sequence numbers: a StartTransaction matching an open transaction (same
       * connector, idTag, timestamp and meterStart) is answered with that transaction's id again;
       * a StopTransaction of a transaction that just ended is answered again. Neither reaches
       * `onTransaction`.
       */
      readonly kind: 'possible-duplicate';
      readonly action: 'StartTransaction' | 'StopTransaction';
      readonly transactionId: string;
    };

/** Recently ended transactions remembered per station, to recognise a resent end. */
const ENDED_KEPT = 32;

function rememberEnded(end: CsmsEnd, transactionId: string, seqNo: number): void {
  end.ended.delete(transactionId);
  end.ended.set(transactionId, seqNo);
  if (end.ended.size > ENDED_KEPT) end.ended.delete(end.ended.keys().next().value as string);
}

/** The neutral context of an inbound call on this side, as the routes see it. */
export interface CsmsRouteContext extends CsmsContext, Recorded {
  readonly end: CsmsEnd;
}

/** The outbound rows of the operations beyond the core ones, for a version's session. */
type More<S> = OutboundTable<S, CsmsEnd, CsmsMoreOperations>;

/** The CSMS codec of one version. */
export type CsmsCodec<S, Rtr> = Codec<
  S,
  CsmsEnd,
  CsmsOperations,
  Rtr,
  CsmsHandlers,
  CsmsRouteContext
>;

const ACCEPTED: IdTokenInfo = { status: 'Accepted' };
const empty = () => ({});

// ---------------------------------------------------------------------------------------------
// 1.6
// ---------------------------------------------------------------------------------------------

const out16 = outboundOf<'1.6', V16ActionMap, 'csms', CsmsEnd>();
const in16 = inboundOf<'1.6', V16ActionMap, 'csms', CsmsHandlers, CsmsRouteContext>();
const status16 = <S extends string>(r: { status: S }) => ({ status: r.status });

/** The 1.6 CSMS codec. */
export const csms16 = {
  version: 'ocpp1.6',
  outbound: {
    remoteStart: out16.call(
      'RemoteStartTransaction',
      (p: RemoteStartParams, end) => v16.stampRemoteStartRequest(p, end.ledger.ids16),
      status16,
    ),
    remoteStop: out16.call(
      'RemoteStopTransaction',
      (p: RemoteStopParams, end) => ({ transactionId: end.ledger.ids16.toInt(p.transactionId) }),
      v16.liftAcceptedRejected,
    ),
    reset: out16.call('Reset', v16.stampResetRequest, status16),
    changeAvailability: out16.call(
      'ChangeAvailability',
      v16.stampChangeAvailabilityRequest,
      status16,
    ),
    unlockConnector: out16.call('UnlockConnector', v16.stampUnlockRequest, status16),
    // SignChargingStationCertificate is the security whitepaper's ExtendedTriggerMessage.
    triggerMessage: out16.custom(
      ['TriggerMessage', 'ExtendedTriggerMessage'],
      async (session, p: TriggerMessageParams, _end, o) =>
        v16.isExtendedTrigger(p)
          ? status16(
              await session.call('ExtendedTriggerMessage', v16.stampExtendedTriggerRequest(p), o),
            )
          : status16(await session.call('TriggerMessage', v16.stampTriggerRequest(p), o)),
    ),
    getConfiguration: out16.custom(
      ['GetConfiguration'],
      async (session, p: GetConfigurationParams, _end, o) => {
        const keys = p.keys?.length === 0 ? undefined : p.keys;
        const asked = new Map<string, string>();
        for (const key of keys ?? []) asked.set(toKey16(key), key);
        const res = await session.call(
          'GetConfiguration',
          keys === undefined ? {} : { key: [...asked.keys()] },
          o,
        );
        return {
          values: (res.configurationKey ?? []).map((kv) =>
            compact({ key: asked.get(kv.key) ?? kv.key, value: kv.value, readonly: kv.readonly }),
          ),
          unknownKeys: (res.unknownKey ?? []).map((k) => asked.get(k) ?? k),
        };
      },
    ),
    setConfiguration: out16.call(
      'ChangeConfiguration',
      (p: SetConfigurationParams) => ({ key: toKey16(p.key), value: p.value }),
      status16,
    ),
    dataTransfer: out16.call(
      'DataTransfer',
      v16.stampDataTransferRequest,
      v16.liftDataTransferResponse,
    ),
    updateFirmware: out16.custom(
      ['UpdateFirmware', 'SignedUpdateFirmware'],
      async (session, p: UpdateFirmwareParams, end, o): Promise<UpdateFirmwareResult> => {
        const stamped = v16.stampUpdateFirmwareRequest(p, () => end.nextRequestId());
        if (stamped.action === 'UpdateFirmware') {
          await session.call('UpdateFirmware', stamped.payload, o);
          return v16.PLAIN_UPDATE_FIRMWARE_RESULT;
        }
        return status16(await session.call('SignedUpdateFirmware', stamped.payload, o));
      },
    ),
    getLog: out16.custom(
      ['GetDiagnostics', 'GetLog'],
      async (session, p: GetLogParams, end, o): Promise<GetLogResult> => {
        const stamped = v16.stampGetLogRequest(p, () => end.nextRequestId());
        if (stamped.action === 'GetDiagnostics')
          return v16.liftGetDiagnosticsResponse(
            await session.call('GetDiagnostics', stamped.payload, o),
          );
        const res = await session.call('GetLog', stamped.payload, o);
        return compact({ status: res.status, filename: res.filename });
      },
    ),
    setChargingProfile: out16.call(
      'SetChargingProfile',
      (p: SetChargingProfileParams, end) => ({
        connectorId: p.evseId,
        csChargingProfiles: v16.stampChargingProfile(p.chargingProfile, end.ledger.ids16),
      }),
      status16,
    ),
    clearChargingProfile: out16.call(
      'ClearChargingProfile',
      v16.stampClearChargingProfileRequest,
      status16,
    ),
    getCompositeSchedule: out16.call('GetCompositeSchedule', v16.stampCompositeRequest, (res, p) =>
      v16.liftCompositeResponse(res, p),
    ),
    reserveNow: out16.call('ReserveNow', v16.stampReserveNowRequest, status16),
    cancelReservation: out16.call(
      'CancelReservation',
      (p: CancelReservationParams) => ({ reservationId: p.reservationId }),
      status16,
    ),
    sendLocalList: out16.call('SendLocalList', v16.stampSendLocalListRequest, status16),
    getLocalListVersion: out16.call('GetLocalListVersion', empty, (res) => ({
      versionNumber: res.listVersion,
    })),
    clearCache: out16.call('ClearCache', empty, status16),
    ...csmsMoreOutbound16<More<Session16<'csms'>>>(),
  },
  inbound: [
    in16.route('Heartbeat', [], (_req, c, h) => heartbeat(c, h)),
    in16.route('BootNotification', ['onBoot'], (req, c, h) =>
      andThen(h.onBoot!(v16.liftBootRequest(req), c), (res) =>
        v16.stampBootResponse({ ...res, currentTime: res.currentTime ?? now() }),
      ),
    ),
    in16.route('Authorize', ['onAuthorize'], (req, c, h) =>
      andThen(h.onAuthorize!(v16.liftAuthorizeRequest(req), c), v16.stampAuthorizeResponse),
    ),
    in16.route('StatusNotification', ['onStatus'], (req, c, h) =>
      andThen(h.onStatus!(v16.liftStatusRequest(req), c), empty),
    ),
    in16.route('MeterValues', ['onMeterValues', 'onTransaction'], (req, c, h) => {
      if (req.transactionId === undefined) {
        const f = h.onMeterValues;
        return f === undefined ? {} : andThen(f(v16.liftMeterValuesRequest(req), c), empty);
      }
      const f = h.onTransaction;
      if (f === undefined) return {};
      const id = String(req.transactionId);
      const entry = c.end.ledger.entry(id, () =>
        compact({
          transactionId: id,
          transactionId16: req.transactionId,
          evseId: req.connectorId,
          connectorId: 1,
          startedAt: now(),
          seqNo: 0,
        }),
      );
      const event = v16.liftUpdateTransaction(
        { ...req, transactionId: req.transactionId },
        ++entry.seqNo,
      );
      return andThen(f(event, c), empty);
    }),
    in16.route('StartTransaction', ['onTransaction'], async (req, c, h) => {
      const again = resentStart(req, c.end);
      if (again !== undefined) {
        c.end.report({
          kind: 'possible-duplicate',
          action: 'StartTransaction',
          transactionId: again.transactionId,
        });
        return {
          transactionId: again.transactionId16 ?? Number(again.transactionId),
          idTagInfo: v16.stampIdTokenInfo(ACCEPTED),
        };
      }
      const proposed = await c.end.allocate();
      const event = v16.liftStartTransaction(req, proposed);
      const res: TransactionEventResult = (await h.onTransaction!(event, c)) ?? {};
      const transactionId = res.transactionId ?? proposed;
      c.end.ledger.remember(
        compact({
          transactionId: String(transactionId),
          transactionId16: transactionId,
          evseId: event.evseId,
          connectorId: event.connectorId,
          idToken: event.idToken,
          startedAt: req.timestamp,
          meterStart: req.meterStart,
          seqNo: 0,
        }),
      );
      return {
        transactionId,
        idTagInfo: v16.stampIdTokenInfo(res.idTokenInfo ?? ACCEPTED),
      };
    }),
    in16.route('StopTransaction', ['onTransaction'], (req, c, h) => {
      const id = String(req.transactionId);
      const entry = c.end.ledger.forget(id);
      if (entry === undefined && c.end.ended.has(id)) {
        c.end.report({ kind: 'possible-duplicate', action: 'StopTransaction', transactionId: id });
        return req.idTag === undefined ? {} : { idTagInfo: v16.stampIdTokenInfo(ACCEPTED) };
      }
      if (entry !== undefined) rememberEnded(c.end, id, entry.seqNo + 1);
      const event = v16.liftStopTransaction(
        req,
        entry === undefined ? 0 : entry.seqNo + 1,
        entry?.evseId,
      );
      return andThen(h.onTransaction!(event, c), (res): V16.StopTransactionResponse => {
        const info = res?.idTokenInfo ?? (req.idTag === undefined ? undefined : ACCEPTED);
        return info === undefined ? {} : { idTagInfo: v16.stampIdTokenInfo(info) };
      });
    }),
    in16.route('DataTransfer', ['onDataTransfer'], (req, c, h) =>
      andThen(
        h.onDataTransfer!(v16.liftDataTransferRequest(req), c),
        v16.stampDataTransferResponse,
      ),
    ),
    in16.route('FirmwareStatusNotification', ['onFirmwareStatus'], (req, c, h) =>
      andThen(h.onFirmwareStatus!({ status: req.status }, c), empty),
    ),
    in16.route('SignedFirmwareStatusNotification', ['onFirmwareStatus'], (req, c, h) =>
      andThen(
        h.onFirmwareStatus!(compact({ status: req.status, requestId: req.requestId }), c),
        empty,
      ),
    ),
    in16.route('DiagnosticsStatusNotification', ['onLogStatus'], (req, c, h) =>
      andThen(h.onLogStatus!(v16.liftDiagnosticsStatus(req), c), empty),
    ),
    in16.route('LogStatusNotification', ['onLogStatus'], (req, c, h) =>
      andThen(h.onLogStatus!(compact({ status: req.status, requestId: req.requestId }), c), empty),
    ),
    ...csmsMoreInbound16(),
  ],
} satisfies CsmsCodec<Session16<'csms'>, Router16<'csms'>>;

/** Heartbeat: the handler's answer, or the current time. */
function heartbeat(c: CsmsRouteContext, h: CsmsHandlers) {
  if (h.onHeartbeat === undefined) return { currentTime: now() };
  return andThen(h.onHeartbeat(c), (r) => r ?? { currentTime: now() });
}

// ---------------------------------------------------------------------------------------------
// 2.x
// ---------------------------------------------------------------------------------------------

/**
 * Lifts a TransactionEvent and keeps the ledger: Started (or first seen) opens, Ended closes.
 * `undefined` for a resend (its seqNo was seen): reported, answered, not handled again. A skipped
 * seqNo is reported as a gap.
 */
function transactionEvent2(
  req: V21.TransactionEventRequest | V201.TransactionEventRequest,
  c: CsmsRouteContext,
) {
  const end = c.end;
  const ledger = end.ledger;
  const id = req.transactionInfo.transactionId;
  const known = ledger.get(id);
  const last = known?.seqNo ?? end.ended.get(id);
  if (last !== undefined && req.seqNo <= last && (known !== undefined || end.ended.has(id))) {
    end.report({ kind: 'duplicate', transactionId: id, seqNo: req.seqNo });
    return undefined;
  }
  if (last !== undefined && req.seqNo > last + 1)
    end.report({ kind: 'gap', transactionId: id, expected: last + 1, received: req.seqNo });
  else if (last === undefined && req.seqNo > 0 && req.eventType !== 'Started')
    end.report({ kind: 'gap', transactionId: id, expected: 0, received: req.seqNo });
  const event = v2.liftTransactionEvent(req, known);
  if (known !== undefined) known.seqNo = req.seqNo;
  if (event.eventType === 'Ended') {
    ledger.forget(id);
    rememberEnded(end, id, req.seqNo);
  } else if (known === undefined)
    ledger.remember(
      compact({
        transactionId: id,
        evseId: event.evseId,
        connectorId: event.connectorId,
        idToken: event.idToken,
        startedAt: event.timestamp,
        seqNo: event.seqNo,
      }),
    );
  return event;
}

/** Handles a TransactionEvent, or answers a resend without handling it again. */
function answerTransactionEvent<Res>(
  req: V21.TransactionEventRequest | V201.TransactionEventRequest,
  c: CsmsRouteContext,
  h: CsmsHandlers,
  stamp: (res: TransactionEventResult | undefined) => Res,
): Res | Promise<Res> {
  const event = transactionEvent2(req, c);
  if (event === undefined) return stamp(undefined);
  return andThen(h.onTransaction!(event, c), stamp);
}

/** 1.6: the open transaction a StartTransaction repeats, if any. */
function resentStart(
  req: V16.StartTransactionRequest,
  end: CsmsEnd,
): OpenTransactionRecord | undefined {
  for (const t of end.ledger.view.values()) {
    if (
      t.evseId === req.connectorId &&
      t.idToken?.idToken === req.idTag &&
      t.startedAt === req.timestamp &&
      t.meterStart === req.meterStart
    )
      return t;
  }
  return undefined;
}

/** The answer to a TransactionEvent: the handler's token info, else Accepted when a token came. */
function transactionAnswer(
  res: TransactionEventResult | undefined,
  hadToken: boolean,
): V21.TransactionEventResponse {
  const info = res?.idTokenInfo ?? (hadToken ? ACCEPTED : undefined);
  const cost = v2.stampTransactionCost(res);
  return info === undefined ? cost : { ...cost, idTokenInfo: v2.stampIdTokenInfo(info) };
}

/** GetConfiguration over GetVariables (2.x has no read-all: every mapped key is asked). */
async function getVariables(
  call: (request: V21.GetVariablesRequest) => Promise<V21.GetVariablesResponse>,
  p: GetConfigurationParams,
): Promise<GetConfigurationResult> {
  const keys = p.keys?.length === 0 ? undefined : p.keys;
  const plan = v2.planGetVariables(keys ?? Object.keys(CONFIGURATION_KEY_MAP));
  if (plan.request === undefined) return { values: [], unknownKeys: [...plan.unmapped] };
  return v2.liftGetVariablesResponse(await call(plan.request), plan, keys !== undefined);
}

const out21 = outboundOf<'2.1', V21ActionMap, 'csms', CsmsEnd>();
const in21 = inboundOf<'2.1', V21ActionMap, 'csms', CsmsHandlers, CsmsRouteContext>();
const V21_ = 'ocpp2.1';

/** The 2.1 CSMS codec. */
export const csms21 = {
  version: 'ocpp2.1',
  outbound: {
    remoteStart: out21.call(
      'RequestStartTransaction',
      (p: RemoteStartParams, end) => v2.stampRemoteStartRequest(p, () => end.nextRequestId(), V21_),
      v2.liftRemoteStartResponse,
    ),
    remoteStop: out21.call(
      'RequestStopTransaction',
      (p: RemoteStopParams) => ({ transactionId: p.transactionId }),
      v2.liftAcceptedRejected,
    ),
    reset: out21.call('Reset', (p: ResetParams) => v2.stampResetRequest(p, V21_), v2.liftStatus),
    changeAvailability: out21.call(
      'ChangeAvailability',
      v2.stampChangeAvailabilityRequest,
      v2.liftStatus,
    ),
    unlockConnector: out21.call('UnlockConnector', v2.stampUnlockRequest, v2.liftStatus),
    triggerMessage: out21.call('TriggerMessage', v2.stampTriggerRequest, v2.liftStatus),
    getConfiguration: out21.custom(['GetVariables'], (session, p: GetConfigurationParams, _e, o) =>
      getVariables((request) => session.call('GetVariables', request, o), p),
    ),
    setConfiguration: out21.call(
      'SetVariables',
      (p: SetConfigurationParams) => v2.stampSetVariablesRequest(p, V21_),
      v2.liftSetVariablesResponse,
    ),
    dataTransfer: out21.call(
      'DataTransfer',
      v2.stampDataTransferRequest,
      v2.liftDataTransferResponse,
    ),
    updateFirmware: out21.call(
      'UpdateFirmware',
      (p: UpdateFirmwareParams, end) => v2.stampUpdateFirmwareRequest(p, () => end.nextRequestId()),
      v2.liftStatus,
    ),
    getLog: out21.call(
      'GetLog',
      (p: GetLogParams, end) => v2.stampGetLogRequest(p, () => end.nextRequestId(), V21_),
      v2.liftGetLogResponse,
    ),
    setChargingProfile: out21.call(
      'SetChargingProfile',
      (p: SetChargingProfileParams) => ({
        evseId: p.evseId,
        chargingProfile: v2.stampChargingProfile(p.chargingProfile, V21_),
      }),
      v2.liftStatus,
    ),
    clearChargingProfile: out21.call(
      'ClearChargingProfile',
      v2.stampClearChargingProfileRequest,
      v2.liftStatus,
    ),
    getCompositeSchedule: out21.call(
      'GetCompositeSchedule',
      v2.stampCompositeRequest,
      v2.liftCompositeResponse,
    ),
    reserveNow: out21.call('ReserveNow', v2.stampReserveNowRequest, v2.liftStatus),
    cancelReservation: out21.call(
      'CancelReservation',
      (p: CancelReservationParams) => ({ reservationId: p.reservationId }),
      v2.liftStatus,
    ),
    sendLocalList: out21.call('SendLocalList', v2.stampSendLocalListRequest, v2.liftStatus),
    getLocalListVersion: out21.call('GetLocalListVersion', empty, (res) => ({
      versionNumber: res.versionNumber,
    })),
    clearCache: out21.call('ClearCache', empty, v2.liftStatus),
    ...csmsMoreOutbound2x<More<Session21<'csms'>>>('ocpp2.1'),
  },
  inbound: [
    in21.route('Heartbeat', [], (_req, c, h) => heartbeat(c, h)),
    in21.route('BootNotification', ['onBoot'], (req, c, h) =>
      andThen(h.onBoot!(v2.liftBootRequest(req), c), (res) =>
        v2.stampBootResponse({ ...res, currentTime: res.currentTime ?? now() }),
      ),
    ),
    in21.route('Authorize', ['onAuthorize'], (req, c, h) =>
      andThen(h.onAuthorize!(v2.liftAuthorizeRequest(req), c), v2.stampAuthorizeResponse),
    ),
    in21.route('StatusNotification', ['onStatus'], (req, c, h) =>
      andThen(h.onStatus!(v2.liftStatusRequest(req), c), empty),
    ),
    in21.route('MeterValues', ['onMeterValues'], (req, c, h) =>
      andThen(h.onMeterValues!(v2.liftMeterValuesRequest(req), c), empty),
    ),
    in21.route('TransactionEvent', ['onTransaction'], (req, c, h) =>
      answerTransactionEvent(req, c, h, (res) => transactionAnswer(res, req.idToken !== undefined)),
    ),
    in21.route('DataTransfer', ['onDataTransfer'], (req, c, h) =>
      andThen(h.onDataTransfer!(v2.liftDataTransferRequest(req), c), v2.stampDataTransferResponse),
    ),
    in21.route('FirmwareStatusNotification', ['onFirmwareStatus'], (req, c, h) =>
      andThen(
        h.onFirmwareStatus!(compact({ status: req.status, requestId: req.requestId }), c),
        empty,
      ),
    ),
    in21.route('LogStatusNotification', ['onLogStatus'], (req, c, h) =>
      andThen(h.onLogStatus!(compact({ status: req.status, requestId: req.requestId }), c), empty),
    ),
    ...csmsMoreInbound2x('ocpp2.1'),
  ],
} satisfies CsmsCodec<Session21<'csms'>, Router21<'csms'>>;

const out201 = outboundOf<'2.0.1', V201ActionMap, 'csms', CsmsEnd>();
const in201 = inboundOf<'2.0.1', V201ActionMap, 'csms', CsmsHandlers, CsmsRouteContext>();
const V201_ = 'ocpp2.0.1';

/** The 2.0.1 CSMS codec. */
export const csms201 = {
  version: 'ocpp2.0.1',
  outbound: {
    remoteStart: out201.call(
      'RequestStartTransaction',
      (p: RemoteStartParams, end) =>
        v2.for201(
          'RequestStartTransaction',
          'request',
          v2.stampRemoteStartRequest(p, () => end.nextRequestId(), V201_),
        ),
      v2.liftRemoteStartResponse,
    ),
    remoteStop: out201.call(
      'RequestStopTransaction',
      (p: RemoteStopParams) => ({ transactionId: p.transactionId }),
      v2.liftAcceptedRejected,
    ),
    reset: out201.call(
      'Reset',
      (p: ResetParams) => v2.for201('Reset', 'request', v2.stampResetRequest(p, V201_)),
      v2.liftStatus,
    ),
    changeAvailability: out201.call(
      'ChangeAvailability',
      v2.stampChangeAvailabilityRequest,
      v2.liftStatus,
    ),
    unlockConnector: out201.call('UnlockConnector', v2.stampUnlockRequest, v2.liftStatus),
    triggerMessage: out201.call(
      'TriggerMessage',
      (p: TriggerMessageParams) =>
        v2.for201('TriggerMessage', 'request', v2.stampTriggerRequest(p)),
      v2.liftStatus,
    ),
    getConfiguration: out201.custom(['GetVariables'], (session, p: GetConfigurationParams, _e, o) =>
      getVariables((request) => session.call('GetVariables', request, o), p),
    ),
    setConfiguration: out201.call(
      'SetVariables',
      (p: SetConfigurationParams) => v2.stampSetVariablesRequest(p, V201_),
      v2.liftSetVariablesResponse,
    ),
    dataTransfer: out201.call(
      'DataTransfer',
      v2.stampDataTransferRequest,
      v2.liftDataTransferResponse,
    ),
    updateFirmware: out201.call(
      'UpdateFirmware',
      (p: UpdateFirmwareParams, end) => v2.stampUpdateFirmwareRequest(p, () => end.nextRequestId()),
      v2.liftStatus,
    ),
    getLog: out201.call(
      'GetLog',
      (p: GetLogParams, end) =>
        v2.for201(
          'GetLog',
          'request',
          v2.stampGetLogRequest(p, () => end.nextRequestId(), V201_),
        ),
      v2.liftGetLogResponse,
    ),
    setChargingProfile: out201.call(
      'SetChargingProfile',
      (p: SetChargingProfileParams) =>
        v2.for201('SetChargingProfile', 'request', {
          evseId: p.evseId,
          chargingProfile: v2.stampChargingProfile(p.chargingProfile, V201_),
        }),
      v2.liftStatus,
    ),
    clearChargingProfile: out201.call(
      'ClearChargingProfile',
      (p: ClearChargingProfileParams) =>
        v2.for201('ClearChargingProfile', 'request', v2.stampClearChargingProfileRequest(p)),
      v2.liftStatus,
    ),
    getCompositeSchedule: out201.call(
      'GetCompositeSchedule',
      v2.stampCompositeRequest,
      v2.liftCompositeResponse,
    ),
    reserveNow: out201.call(
      'ReserveNow',
      (p: ReserveNowParams) => v2.for201('ReserveNow', 'request', v2.stampReserveNowRequest(p)),
      v2.liftStatus,
    ),
    cancelReservation: out201.call(
      'CancelReservation',
      (p: CancelReservationParams) => ({ reservationId: p.reservationId }),
      v2.liftStatus,
    ),
    sendLocalList: out201.call(
      'SendLocalList',
      (p: SendLocalListParams) =>
        v2.for201('SendLocalList', 'request', v2.stampSendLocalListRequest(p)),
      v2.liftStatus,
    ),
    getLocalListVersion: out201.call('GetLocalListVersion', empty, (res) => ({
      versionNumber: res.versionNumber,
    })),
    clearCache: out201.call('ClearCache', empty, v2.liftStatus),
    ...csmsMoreOutbound2x<More<Session201<'csms'>>>('ocpp2.0.1'),
  },
  inbound: [
    in201.route('Heartbeat', [], (_req, c, h) => heartbeat(c, h)),
    in201.route('BootNotification', ['onBoot'], (req, c, h) =>
      andThen(h.onBoot!(v2.liftBootRequest(req), c), (res) =>
        v2.stampBootResponse({ ...res, currentTime: res.currentTime ?? now() }),
      ),
    ),
    in201.route('Authorize', ['onAuthorize'], (req, c, h) =>
      andThen(h.onAuthorize!(v2.liftAuthorizeRequest(req), c), (res) =>
        v2.for201('Authorize', 'response', v2.stampAuthorizeResponse(res)),
      ),
    ),
    in201.route('StatusNotification', ['onStatus'], (req, c, h) =>
      andThen(h.onStatus!(v2.liftStatusRequest(req), c), empty),
    ),
    in201.route('MeterValues', ['onMeterValues'], (req, c, h) =>
      andThen(h.onMeterValues!(v2.liftMeterValuesRequest(req), c), empty),
    ),
    in201.route('TransactionEvent', ['onTransaction'], (req, c, h) =>
      answerTransactionEvent(req, c, h, (res) =>
        v2.for201(
          'TransactionEvent',
          'response',
          transactionAnswer(res, req.idToken !== undefined),
        ),
      ),
    ),
    in201.route('DataTransfer', ['onDataTransfer'], (req, c, h) =>
      andThen(h.onDataTransfer!(v2.liftDataTransferRequest(req), c), v2.stampDataTransferResponse),
    ),
    in201.route('FirmwareStatusNotification', ['onFirmwareStatus'], (req, c, h) =>
      andThen(
        h.onFirmwareStatus!(compact({ status: req.status, requestId: req.requestId }), c),
        empty,
      ),
    ),
    in201.route('LogStatusNotification', ['onLogStatus'], (req, c, h) =>
      andThen(h.onLogStatus!(compact({ status: req.status, requestId: req.requestId }), c), empty),
    ),
    ...csmsMoreInbound2x('ocpp2.0.1'),
  ],
} satisfies CsmsCodec<Session201<'csms'>, Router201<'csms'>>;
