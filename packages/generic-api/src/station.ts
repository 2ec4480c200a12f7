import { type CallOptions, createRouter, OcppSession, type Router } from '@ocpp/rpc';
import { isOcppCallError, isOcppSdkError, OcppSdkError, randomMessageId } from '@ocpp/runtime';
import type { Transport } from '@ocpp/transport';
import type * as V16 from '@ocpp/v16-core';
import { v16Protocol } from '@ocpp/v16-core';
import type * as V21 from '@ocpp/v21-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import type {
  GenericStation,
  GenericStationOptions,
  StationHandlers,
  StationSession,
  StationTransaction,
} from './api.js';
import { andThen, compact } from './codec/util.js';
import * as v2 from './codec/v2.js';
import * as v16 from './codec/v16.js';
import { CallContext, type RpcContext } from './context.js';
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
  ProtocolVersion,
  SetConfigurationResult,
  StartTransactionParams,
  StartTransactionResult,
  StatusParams,
  StopTransactionParams,
  TransactionResult,
  UpdateTransactionParams,
} from './model.js';

interface LooseRouter {
  handle(
    action: string,
    // biome-ignore lint/suspicious/noExplicitAny: the codecs type each payload
    handler: (request: any, context: RpcContext) => unknown,
  ): LooseRouter;
}

interface LooseSession {
  call(action: string, payload: unknown, options?: CallOptions): Promise<unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: routers of the three versions
type AnyStationRouter = Router<any, any, 'station', any>;

interface TransactionRecord extends StationTransaction {
  seqNo: number;
}

/** The generic station behind each session, for the handlers (which receive the session). */
const stations = new WeakMap<object, GenericStationImpl>();

/** Routers by handlers object and version: a fleet sharing one handlers object shares three routers. */
const routerCache = new WeakMap<StationHandlers, Map<ProtocolVersion, AnyStationRouter>>();
const NO_HANDLERS: StationHandlers = {};
const NO_TRANSACTIONS: ReadonlyMap<string, StationTransaction> = new Map();

/** The context a neutral handler gets on this side. */
type Context = CallContext<GenericStationImpl, StationSession>;

function contextOf(rpc: RpcContext): Context {
  const station = stations.get(rpc.session);
  if (station === undefined) throw new Error('no generic station for this session');
  return new CallContext(station, rpc);
}

/** @internal The router of a handlers object and version, built once. */
export function routerFor(handlers: StationHandlers, version: ProtocolVersion): AnyStationRouter {
  let byVersion = routerCache.get(handlers);
  if (byVersion === undefined) {
    byVersion = new Map();
    routerCache.set(handlers, byVersion);
  }
  let router = byVersion.get(version);
  if (router === undefined) {
    router =
      version === 'ocpp1.6'
        ? createRouter(v16Protocol, 'station')
        : version === 'ocpp2.0.1'
          ? createRouter(v201Protocol, 'station')
          : createRouter(v21Protocol, 'station');
    const r = router as unknown as LooseRouter;
    if (version === 'ocpp1.6') routes16(r, handlers);
    else routes2(r, handlers);
    byVersion.set(version, router);
  }
  return router;
}

function routes16(r: LooseRouter, h: StationHandlers): void {
  const status = <T extends { status: string }>(res: T) => ({ status: res.status });
  if (h.onRemoteStart !== undefined) {
    const f = h.onRemoteStart;
    r.handle('RemoteStartTransaction', (req: V16.RemoteStartTransactionRequest, rpc) => {
      const c = contextOf(rpc);
      return andThen(
        f(v16.liftRemoteStartRequest(req, c.station.ids16), c),
        v16.stampRemoteStartResponse,
      );
    });
  }
  if (h.onRemoteStop !== undefined) {
    const f = h.onRemoteStop;
    r.handle('RemoteStopTransaction', (req: V16.RemoteStopTransactionRequest, rpc) => {
      const c = contextOf(rpc);
      return andThen(f({ transactionId: c.station.ids16.toNeutral(req.transactionId) }, c), status);
    });
  }
  if (h.onReset !== undefined) {
    const f = h.onReset;
    r.handle('Reset', (req: V16.ResetRequest, rpc) =>
      andThen(f(v16.liftResetRequest(req), contextOf(rpc)), v16.stampResetResponse),
    );
  }
  if (h.onChangeAvailability !== undefined) {
    const f = h.onChangeAvailability;
    r.handle('ChangeAvailability', (req: V16.ChangeAvailabilityRequest, rpc) =>
      andThen(f(v16.liftChangeAvailabilityRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onUnlockConnector !== undefined) {
    const f = h.onUnlockConnector;
    r.handle('UnlockConnector', (req: V16.UnlockConnectorRequest, rpc) =>
      andThen(f(v16.liftUnlockRequest(req), contextOf(rpc)), v16.stampUnlockResponse),
    );
  }
  if (h.onTriggerMessage !== undefined) {
    const f = h.onTriggerMessage;
    r.handle('TriggerMessage', (req: V16.TriggerMessageRequest, rpc) =>
      andThen(f(v16.liftTriggerRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onGetConfiguration !== undefined) {
    const f = h.onGetConfiguration;
    r.handle('GetConfiguration', (req: V16.GetConfigurationRequest, rpc) =>
      andThen(
        // 1.6: an empty key list asks for every key, as a missing one does.
        f(compact({ keys: req.key?.length ? req.key : undefined }), contextOf(rpc)),
        v16.stampGetConfigurationResponse,
      ),
    );
  }
  if (h.onSetConfiguration !== undefined) {
    const f = h.onSetConfiguration;
    r.handle('ChangeConfiguration', (req: V16.ChangeConfigurationRequest, rpc) =>
      andThen(f({ key: req.key, value: req.value }, contextOf(rpc)), status),
    );
  }
  if (h.onDataTransfer !== undefined) {
    const f = h.onDataTransfer;
    r.handle('DataTransfer', (req: V16.DataTransferRequest, rpc) =>
      andThen(f(v16.liftDataTransferRequest(req), contextOf(rpc)), v16.stampDataTransferResponse),
    );
  }
  if (h.onUpdateFirmware !== undefined) {
    const f = h.onUpdateFirmware;
    r.handle('UpdateFirmware', (req: V16.UpdateFirmwareRequest, rpc) =>
      andThen(f(v16.liftUpdateFirmwareRequest(req), contextOf(rpc)), () => ({})),
    );
    r.handle('SignedUpdateFirmware', (req: V16.SignedUpdateFirmwareRequest, rpc) =>
      andThen(f(v16.liftSignedUpdateFirmwareRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onGetLog !== undefined) {
    const f = h.onGetLog;
    r.handle('GetDiagnostics', (req: V16.GetDiagnosticsRequest, rpc) =>
      andThen(
        f(v16.liftGetDiagnosticsRequest(req), contextOf(rpc)),
        v16.stampGetDiagnosticsResponse,
      ),
    );
    r.handle('GetLog', (req: V16.GetLogRequest, rpc) =>
      andThen(f(v16.liftGetLogRequest(req), contextOf(rpc)), (res) =>
        compact({ status: res.status, filename: res.filename }),
      ),
    );
  }
  if (h.onSetChargingProfile !== undefined) {
    const f = h.onSetChargingProfile;
    r.handle('SetChargingProfile', (req: V16.SetChargingProfileRequest, rpc) => {
      const c = contextOf(rpc);
      const chargingProfile = v16.liftChargingProfile(req.csChargingProfiles, c.station.ids16);
      return andThen(f({ evseId: req.connectorId, chargingProfile }, c), status);
    });
  }
  if (h.onClearChargingProfile !== undefined) {
    const f = h.onClearChargingProfile;
    r.handle('ClearChargingProfile', (req: V16.ClearChargingProfileRequest, rpc) =>
      andThen(f(v16.liftClearChargingProfileRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onGetCompositeSchedule !== undefined) {
    const f = h.onGetCompositeSchedule;
    r.handle('GetCompositeSchedule', (req: V16.GetCompositeScheduleRequest, rpc) =>
      andThen(f(v16.liftCompositeRequest(req), contextOf(rpc)), v16.stampCompositeResponse),
    );
  }
  if (h.onReserveNow !== undefined) {
    const f = h.onReserveNow;
    r.handle('ReserveNow', (req: V16.ReserveNowRequest, rpc) =>
      andThen(f(v16.liftReserveNowRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onCancelReservation !== undefined) {
    const f = h.onCancelReservation;
    r.handle('CancelReservation', (req: V16.CancelReservationRequest, rpc) =>
      andThen(f({ reservationId: req.reservationId }, contextOf(rpc)), status),
    );
  }
  if (h.onSendLocalList !== undefined) {
    const f = h.onSendLocalList;
    r.handle('SendLocalList', (req: V16.SendLocalListRequest, rpc) =>
      andThen(f(v16.liftSendLocalListRequest(req), contextOf(rpc)), v16.stampSendLocalListResponse),
    );
  }
  if (h.onGetLocalListVersion !== undefined) {
    const f = h.onGetLocalListVersion;
    r.handle('GetLocalListVersion', (_req: unknown, rpc) =>
      andThen(f(contextOf(rpc)), (res) => ({ listVersion: res.versionNumber })),
    );
  }
  if (h.onClearCache !== undefined) {
    const f = h.onClearCache;
    r.handle('ClearCache', (_req: unknown, rpc) => andThen(f(contextOf(rpc)), status));
  }
}

function routes2(r: LooseRouter, h: StationHandlers): void {
  const status = v2.stampStatus;
  if (h.onRemoteStart !== undefined) {
    const f = h.onRemoteStart;
    r.handle('RequestStartTransaction', (req: V21.RequestStartTransactionRequest, rpc) =>
      andThen(f(v2.liftRemoteStartRequest(req), contextOf(rpc)), v2.stampRemoteStartResponse),
    );
  }
  if (h.onRemoteStop !== undefined) {
    const f = h.onRemoteStop;
    r.handle('RequestStopTransaction', (req: V21.RequestStopTransactionRequest, rpc) =>
      andThen(f({ transactionId: req.transactionId }, contextOf(rpc)), status),
    );
  }
  if (h.onReset !== undefined) {
    const f = h.onReset;
    r.handle('Reset', (req: V21.ResetRequest, rpc) =>
      andThen(f(v2.liftResetRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onChangeAvailability !== undefined) {
    const f = h.onChangeAvailability;
    r.handle('ChangeAvailability', (req: V21.ChangeAvailabilityRequest, rpc) =>
      andThen(f(v2.liftChangeAvailabilityRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onUnlockConnector !== undefined) {
    const f = h.onUnlockConnector;
    r.handle('UnlockConnector', (req: V21.UnlockConnectorRequest, rpc) =>
      andThen(f(v2.liftUnlockRequest(req), contextOf(rpc)), v2.stampUnlockResponse),
    );
  }
  if (h.onTriggerMessage !== undefined) {
    const f = h.onTriggerMessage;
    r.handle('TriggerMessage', (req: V21.TriggerMessageRequest, rpc) => {
      const params = v2.liftTriggerRequest(req);
      if (params === undefined) return { status: 'NotImplemented' };
      return andThen(f(params, contextOf(rpc)), status);
    });
  }
  if (h.onGetConfiguration !== undefined) {
    const f = h.onGetConfiguration;
    r.handle('GetVariables', (req: V21.GetVariablesRequest, rpc) =>
      andThen(f({ keys: v2.liftGetVariablesKeys(req) }, contextOf(rpc)), (res) =>
        v2.stampGetVariablesResponse(req, res),
      ),
    );
  }
  if (h.onSetConfiguration !== undefined) {
    const f = h.onSetConfiguration;
    r.handle('SetVariables', async (req: V21.SetVariablesRequest, rpc) => {
      const c = contextOf(rpc);
      const results: V21.SetVariableResultType[] = [];
      for (const { data, params } of v2.liftSetVariablesRequest(req)) {
        const actual = data.attributeType === undefined || data.attributeType === 'Actual';
        const res: SetConfigurationResult | undefined = actual ? await f(params, c) : undefined;
        results.push(v2.stampSetVariableResult(data, res));
      }
      return { setVariableResult: results } satisfies V21.SetVariablesResponse;
    });
  }
  if (h.onDataTransfer !== undefined) {
    const f = h.onDataTransfer;
    r.handle('DataTransfer', (req: V21.DataTransferRequest, rpc) =>
      andThen(f(v2.liftDataTransferRequest(req), contextOf(rpc)), v2.stampDataTransferResponse),
    );
  }
  if (h.onUpdateFirmware !== undefined) {
    const f = h.onUpdateFirmware;
    r.handle('UpdateFirmware', (req: V21.UpdateFirmwareRequest, rpc) =>
      andThen(f(v2.liftUpdateFirmwareRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onGetLog !== undefined) {
    const f = h.onGetLog;
    r.handle('GetLog', (req: V21.GetLogRequest, rpc) =>
      andThen(f(v2.liftGetLogRequest(req), contextOf(rpc)), v2.stampGetLogResponse),
    );
  }
  if (h.onSetChargingProfile !== undefined) {
    const f = h.onSetChargingProfile;
    r.handle('SetChargingProfile', (req: V21.SetChargingProfileRequest, rpc) =>
      andThen(
        f(
          { evseId: req.evseId, chargingProfile: v2.liftChargingProfile(req.chargingProfile) },
          contextOf(rpc),
        ),
        v2.stampSetChargingProfileResponse,
      ),
    );
  }
  if (h.onClearChargingProfile !== undefined) {
    const f = h.onClearChargingProfile;
    r.handle('ClearChargingProfile', (req: V21.ClearChargingProfileRequest, rpc) =>
      andThen(f(v2.liftClearChargingProfileRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onGetCompositeSchedule !== undefined) {
    const f = h.onGetCompositeSchedule;
    r.handle('GetCompositeSchedule', (req: V21.GetCompositeScheduleRequest, rpc) => {
      const c = contextOf(rpc);
      return andThen(f(v2.liftCompositeRequest(req), c), (res) =>
        v2.stampCompositeResponse(res, c.station.version as v2.Version2),
      );
    });
  }
  if (h.onReserveNow !== undefined) {
    const f = h.onReserveNow;
    r.handle('ReserveNow', (req: V21.ReserveNowRequest, rpc) =>
      andThen(f(v2.liftReserveNowRequest(req), contextOf(rpc)), status),
    );
  }
  if (h.onCancelReservation !== undefined) {
    const f = h.onCancelReservation;
    r.handle('CancelReservation', (req: V21.CancelReservationRequest, rpc) =>
      andThen(f({ reservationId: req.reservationId }, contextOf(rpc)), status),
    );
  }
  if (h.onSendLocalList !== undefined) {
    const f = h.onSendLocalList;
    r.handle('SendLocalList', (req: V21.SendLocalListRequest, rpc) =>
      andThen(f(v2.liftSendLocalListRequest(req), contextOf(rpc)), v2.stampSendLocalListResponse),
    );
  }
  if (h.onGetLocalListVersion !== undefined) {
    const f = h.onGetLocalListVersion;
    r.handle('GetLocalListVersion', (_req: unknown, rpc) =>
      andThen(f(contextOf(rpc)), (res) => ({ versionNumber: res.versionNumber })),
    );
  }
  if (h.onClearCache !== undefined) {
    const f = h.onClearCache;
    r.handle('ClearCache', (_req: unknown, rpc) => andThen(f(contextOf(rpc)), status));
  }
}

/** Call failures that mean the CALL never left this side. */
const NOT_SENT: ReadonlySet<string> = new Set(['NOT_CONNECTED', 'VALIDATION_FAILED', 'QUEUE_FULL']);

class GenericStationImpl implements GenericStation {
  readonly session: StationSession;
  readonly identity: string;
  readonly version: ProtocolVersion;
  private readonly transport: Transport;
  private readonly loose: LooseSession;
  /** Open transactions; created on the first one (most simulated stations idle). */
  private open: Map<string, TransactionRecord> | undefined;
  /** 1.6: neutral id by the CSMS's integer. */
  private by16: Map<number, string> | undefined;

  /** This station's 1.6 id mapping: its open transactions first, then the decimal text. */
  readonly ids16: v16.TransactionIds16 = {
    toInt: (id) => this.open?.get(id)?.transactionId16 ?? v16.decimalIds.toInt(id),
    toNeutral: (n) => this.by16?.get(n) ?? String(n),
  };

  constructor(options: GenericStationOptions) {
    this.identity = options.identity;
    this.version = options.protocol;
    this.transport = options.transport;
    const descriptor =
      options.protocol === 'ocpp1.6'
        ? v16Protocol
        : options.protocol === 'ocpp2.0.1'
          ? v201Protocol
          : v21Protocol;
    if (descriptor === undefined)
      throw new TypeError(`unknown protocol ${String(options.protocol)}`);
    this.session = new OcppSession({
      ...options.session,
      protocol: descriptor as typeof v16Protocol,
      role: 'station',
      transport: options.transport,
      identity: options.identity,
      router: routerFor(options.handlers ?? NO_HANDLERS, options.protocol) as never,
    }) as unknown as StationSession;
    this.loose = this.session as unknown as LooseSession;
    stations.set(this.session, this);
    for (const t of options.transactions ?? []) this.remember({ ...t });
  }

  get transactions(): ReadonlyMap<string, StationTransaction> {
    return this.open ?? NO_TRANSACTIONS;
  }

  async start(): Promise<void> {
    await this.session.start();
    const negotiated = this.transport.protocol;
    if (negotiated !== '' && negotiated !== this.version) {
      await this.session.close(1002, 'subprotocol mismatch');
      throw new OcppSdkError(
        'UNSUPPORTED_BY_VERSION',
        `the transport negotiated ${negotiated}, the station speaks ${this.version}`,
      );
    }
  }

  close(code?: number, reason?: string): Promise<void> {
    return this.session.close(code, reason);
  }

  private call<R>(action: string, payload: unknown, options: CallOptions | undefined): Promise<R> {
    return this.loose.call(action, payload, options) as Promise<R>;
  }

  private get v2(): v2.Version2 {
    return this.version as v2.Version2;
  }

  async boot(p: BootParams, o?: CallOptions): Promise<BootResult> {
    if (this.version === 'ocpp1.6')
      return v16.liftBootResponse(await this.call('BootNotification', v16.stampBootRequest(p), o));
    return v2.liftBootResponse(await this.call('BootNotification', v2.stampBootRequest(p), o));
  }

  async heartbeat(o?: CallOptions): Promise<HeartbeatResult> {
    const res = await this.call<{ currentTime: string }>('Heartbeat', {}, o);
    return { currentTime: res.currentTime };
  }

  async authorize(p: AuthorizeParams, o?: CallOptions): Promise<AuthorizeResult> {
    if (this.version === 'ocpp1.6')
      return v16.liftAuthorizeResponse(
        await this.call('Authorize', v16.stampAuthorizeRequest(p), o),
      );
    return v2.liftAuthorizeResponse(await this.call('Authorize', v2.stampAuthorizeRequest(p), o));
  }

  async statusNotification(p: StatusParams, o?: CallOptions): Promise<void> {
    const payload =
      this.version === 'ocpp1.6' ? v16.stampStatusRequest(p) : v2.stampStatusRequest(p, this.v2);
    await this.call('StatusNotification', payload, o);
  }

  async meterValues(p: MeterValuesParams, o?: CallOptions): Promise<void> {
    const payload =
      this.version === 'ocpp1.6'
        ? v16.stampMeterValuesRequest(p)
        : v2.stampMeterValuesRequest(p, this.v2);
    await this.call('MeterValues', payload, o);
  }

  private record(id: string, evseId = 0, connectorId = 1): TransactionRecord {
    let record = this.open?.get(id);
    if (record === undefined) {
      record = { transactionId: id, evseId, connectorId, seqNo: 0 };
      this.remember(record);
    }
    return record;
  }

  /** Keeps an open transaction (and, in 1.6, its integer id both ways). */
  private remember(record: TransactionRecord): void {
    this.open ??= new Map();
    this.open.set(record.transactionId, record);
    if (record.transactionId16 !== undefined) {
      this.by16 ??= new Map();
      this.by16.set(record.transactionId16, record.transactionId);
    }
  }

  private forget(id: string): void {
    const record = this.open?.get(id);
    if (record === undefined) return;
    this.open?.delete(id);
    if (record.transactionId16 !== undefined) this.by16?.delete(record.transactionId16);
    // An idle station holds no maps.
    if (this.open?.size === 0) this.open = undefined;
    if (this.by16?.size === 0) this.by16 = undefined;
  }

  async startTransaction(
    p: StartTransactionParams,
    o?: CallOptions,
  ): Promise<StartTransactionResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.StartTransactionResponse>(
        'StartTransaction',
        v16.stampStartTransaction(p),
        o,
      );
      const id = p.transactionId ?? String(res.transactionId);
      this.remember({
        transactionId: id,
        transactionId16: res.transactionId,
        evseId: p.evseId,
        connectorId: p.connectorId ?? 1,
        seqNo: 1,
      });
      return { transactionId: id, idTokenInfo: v16.liftIdTokenInfo(res.idTagInfo) };
    }
    const id = p.transactionId ?? randomMessageId();
    const record = this.record(id, p.evseId, p.connectorId ?? 1);
    const res = await this.call<V21.TransactionEventResponse>(
      'TransactionEvent',
      v2.stampStartTransaction(p, record, this.v2),
      o,
    );
    return compact({
      transactionId: id,
      idTokenInfo: res.idTokenInfo === undefined ? undefined : v2.liftIdTokenInfo(res.idTokenInfo),
    });
  }

  async updateTransaction(p: UpdateTransactionParams, o?: CallOptions): Promise<TransactionResult> {
    if (this.version === 'ocpp1.6') {
      const record = this.open?.get(p.transactionId);
      const payload = v16.stampUpdateTransaction(
        p.meterValue,
        record?.evseId ?? 0,
        this.ids16.toInt(p.transactionId),
      );
      await this.call('MeterValues', payload, o);
      if (record !== undefined) record.seqNo++;
      return {};
    }
    const record = this.record(p.transactionId);
    const res = await this.call<V21.TransactionEventResponse>(
      'TransactionEvent',
      v2.stampUpdateTransaction(p, record, this.v2),
      o,
    );
    return compact({
      idTokenInfo: res.idTokenInfo === undefined ? undefined : v2.liftIdTokenInfo(res.idTokenInfo),
    });
  }

  async stopTransaction(p: StopTransactionParams, o?: CallOptions): Promise<TransactionResult> {
    try {
      const result = await this.sendStop(p, o);
      this.forget(p.transactionId);
      return result;
    } catch (e) {
      // A CALLERROR means the CSMS has the stop. Otherwise (not connected, closed, timed out,
      // invalid) the transaction stays open here, so the stop can be sent again, on this object
      // or on one it is carried over to.
      if (isOcppCallError(e)) this.forget(p.transactionId);
      throw e;
    }
  }

  private async sendStop(p: StopTransactionParams, o?: CallOptions): Promise<TransactionResult> {
    if (this.version === 'ocpp1.6') {
      const payload = v16.stampStopTransaction(p, this.ids16.toInt(p.transactionId));
      const res = await this.call<V16.StopTransactionResponse>('StopTransaction', payload, o);
      return compact({
        idTokenInfo: res.idTagInfo === undefined ? undefined : v16.liftIdTokenInfo(res.idTagInfo),
      });
    }
    const record = this.record(p.transactionId);
    const payload = v2.stampStopTransaction(p, record, this.v2);
    const wasOpen = this.session.isOpen;
    let res: V21.TransactionEventResponse;
    try {
      res = await this.call<V21.TransactionEventResponse>('TransactionEvent', payload, o);
    } catch (e) {
      // Not sent (refused here, or made while disconnected and never delivered): the next
      // attempt takes the same seqNo, so the CSMS sees no gap.
      if (isOcppSdkError(e) && (NOT_SENT.has(e.code) || !wasOpen)) record.seqNo = payload.seqNo;
      throw e;
    }
    return compact({
      idTokenInfo: res.idTokenInfo === undefined ? undefined : v2.liftIdTokenInfo(res.idTokenInfo),
    });
  }

  async dataTransfer(p: DataTransferParams, o?: CallOptions): Promise<DataTransferResult> {
    if (this.version === 'ocpp1.6')
      return v16.liftDataTransferResponse(
        await this.call('DataTransfer', v16.stampDataTransferRequest(p), o),
      );
    return v2.liftDataTransferResponse(
      await this.call('DataTransfer', v2.stampDataTransferRequest(p), o),
    );
  }

  async firmwareStatusNotification(p: FirmwareStatusParams, o?: CallOptions): Promise<void> {
    if (this.version === 'ocpp1.6') {
      const stamped = v16.stampFirmwareStatus(p);
      await this.call(stamped.action, stamped.payload, o);
      return;
    }
    await this.call(
      'FirmwareStatusNotification',
      compact({ status: p.status, requestId: p.requestId }),
      o,
    );
  }

  async logStatusNotification(p: LogStatusParams, o?: CallOptions): Promise<void> {
    if (this.version === 'ocpp1.6') {
      const stamped = v16.stampLogStatus(p);
      await this.call(stamped.action, stamped.payload, o);
      return;
    }
    await this.call(
      'LogStatusNotification',
      compact({ status: p.status, requestId: p.requestId }),
      o,
    );
  }
}

/**
 * Creates a charging station that speaks one version through neutral operations and handlers,
 * over any transport. Call `start()` to connect.
 */
export function createGenericStation(options: GenericStationOptions): GenericStation {
  return new GenericStationImpl(options);
}
