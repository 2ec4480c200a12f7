import {
  type CallOptions,
  CsmsServer,
  createRouter,
  defaultLogger,
  type Logger,
  type Router,
} from '@ocpp/rpc';
import { Emitter } from '@ocpp/transport';
import type * as V16 from '@ocpp/v16-core';
import { v16Protocol } from '@ocpp/v16-core';
import type * as V21 from '@ocpp/v21-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import type {
  CsmsHandlers,
  CsmsSession,
  GenericCsms,
  GenericCsmsEvents,
  GenericCsmsOptions,
  OpenTransaction,
  StationHandle,
} from './api.js';
import { andThen, compact, now } from './codec/util.js';
import * as v2 from './codec/v2.js';
import * as v16 from './codec/v16.js';
import { CONFIGURATION_KEY_MAP, toKey16 } from './config-keys.js';
import { CallContext, type RpcContext } from './context.js';
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
  ProtocolVersion,
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
} from './model.js';
import { PROTOCOL_VERSIONS } from './model.js';

/** A session seen without its version's types: payloads are typed by the codecs instead. */
interface LooseSession {
  readonly protocol: ProtocolVersion;
  readonly identity: string;
  call(action: string, payload: unknown, options?: CallOptions): Promise<unknown>;
}

/** A router seen without its version's types. */
interface LooseRouter {
  handle(
    action: string,
    // biome-ignore lint/suspicious/noExplicitAny: the codecs type each payload
    handler: (request: any, context: RpcContext) => unknown,
  ): LooseRouter;
}

// biome-ignore lint/suspicious/noExplicitAny: routers of the three versions
type AnyCsmsRouter = Router<any, any, 'csms', any>;

const ACCEPTED: IdTokenInfo = { status: 'Accepted' };

interface OpenTransactionRecord extends OpenTransaction {
  seqNo: number;
}

/** What the CSMS keeps per station identity, across reconnects. */
class StationState {
  /** Open transactions by neutral id, oldest first. */
  readonly open = new Map<string, OpenTransactionRecord>();
  private requestIds = 0;

  constructor(
    readonly identity: string,
    private readonly maxOpen: number,
    private readonly logger: Logger,
  ) {}

  /** Tracks an open transaction; beyond the bound the oldest one is forgotten. */
  remember(record: OpenTransactionRecord): void {
    const open = this.open;
    if (!open.has(record.transactionId) && open.size >= this.maxOpen) {
      const oldest = open.keys().next().value as string;
      open.delete(oldest);
      this.logger.warn(
        `${this.identity}: more than ${this.maxOpen} open transactions; forgot the oldest, ${oldest}`,
      );
    }
    open.set(record.transactionId, record);
  }

  nextRequestId(): number {
    this.requestIds = (this.requestIds % 2_147_483_647) + 1;
    return this.requestIds;
  }
}

/** The context a neutral handler gets on this side. */
type Context = CallContext<StationHandleImpl, CsmsSession>;

class GenericCsmsImpl extends Emitter<GenericCsmsEvents> implements GenericCsms {
  readonly server: CsmsServer<AnyCsmsRouter[]>;
  private readonly handles = new WeakMap<object, StationHandleImpl>();
  private readonly states = new Map<string, StationState>();
  /** Disconnected stations whose state is kept (open transactions), longest-disconnected first. */
  private readonly parked = new Set<string>();
  private readonly logger: Logger;
  private readonly maxOpen: number;
  private readonly maxParked: number;
  private lastTransactionId = 0;

  constructor(private readonly options: GenericCsmsOptions) {
    super();
    this.logger = options.logger ?? defaultLogger;
    this.maxOpen = positive(
      'maxOpenTransactionsPerStation',
      options.maxOpenTransactionsPerStation,
      64,
    );
    this.maxParked = positive(
      'maxDisconnectedStations',
      options.maxDisconnectedStations,
      10_000,
      0,
    );
    const versions = options.versions ?? PROTOCOL_VERSIONS;
    const routers = versions.map((v) => this.router(v));
    this.server = new CsmsServer({
      listener: options.listener,
      routers,
      ...compact({ session: options.session, logger: options.logger }),
    });
    this.server.on('session', (session) => this.emit('connect', this.handleOf(session)));
    this.server.on('disconnect', (session, info) => {
      const handle = this.handleOf(session);
      if (this.server.get(handle.identity) === undefined) this.park(handle.identity);
      this.emit('disconnect', handle, info);
    });
  }

  station(identity: string): StationHandle | undefined {
    const session = this.server.get(identity);
    return session === undefined ? undefined : this.handleOf(session);
  }

  *stations(): IterableIterator<StationHandle> {
    for (const session of this.server.sessions()) yield this.handleOf(session);
  }

  get size(): number {
    return this.server.size;
  }

  close(code?: number, reason?: string): Promise<void> {
    return this.server.close(code, reason);
  }

  stateOf(identity: string): StationState {
    let state = this.states.get(identity);
    if (state === undefined) {
      state = new StationState(identity, this.maxOpen, this.logger);
      this.states.set(identity, state);
    }
    this.parked.delete(identity);
    return state;
  }

  /** A station went away: keep its state while it has open transactions, within the bound. */
  private park(identity: string): void {
    const state = this.states.get(identity);
    if (state === undefined) return;
    if (state.open.size === 0) {
      this.states.delete(identity);
      return;
    }
    this.parked.add(identity);
    if (this.parked.size <= this.maxParked) return;
    const oldest = this.parked.values().next().value as string;
    this.parked.delete(oldest);
    const forgotten = this.states.get(oldest);
    this.states.delete(oldest);
    this.logger.warn(
      `${oldest}: more than ${this.maxParked} disconnected stations with open transactions; forgot its ${forgotten?.open.size ?? 0}`,
    );
  }

  handleOf(session: object): StationHandleImpl {
    let handle = this.handles.get(session);
    if (handle === undefined) {
      const s = session as CsmsSession;
      handle = new StationHandleImpl(s, this.stateOf(s.identity));
      this.handles.set(session, handle);
    }
    return handle;
  }

  async allocate(identity: string): Promise<number> {
    if (this.options.allocateTransactionId !== undefined)
      return this.options.allocateTransactionId(identity);
    this.lastTransactionId = (this.lastTransactionId % 2_147_483_647) + 1;
    return this.lastTransactionId;
  }

  private context(rpc: RpcContext): Context {
    return new CallContext(this.handleOf(rpc.session), rpc);
  }

  private router(version: ProtocolVersion): AnyCsmsRouter {
    const router =
      version === 'ocpp1.6'
        ? createRouter(v16Protocol, 'csms')
        : version === 'ocpp2.0.1'
          ? createRouter(v201Protocol, 'csms')
          : createRouter(v21Protocol, 'csms');
    const r = router as unknown as LooseRouter;
    const h = this.options.handlers;
    if (version === 'ocpp1.6') this.routes16(r, h);
    else this.routes2(r, h);
    return router;
  }

  private heartbeat(h: CsmsHandlers) {
    return (_req: unknown, rpc: RpcContext) => {
      if (h.onHeartbeat === undefined) return { currentTime: now() };
      return andThen(h.onHeartbeat(this.context(rpc)), (r) => r ?? { currentTime: now() });
    };
  }

  private routes16(r: LooseRouter, h: CsmsHandlers): void {
    const { onBoot, onAuthorize, onStatus, onMeterValues, onTransaction, onDataTransfer } = h;
    const { onFirmwareStatus, onLogStatus } = h;
    r.handle('Heartbeat', this.heartbeat(h));
    if (onBoot !== undefined)
      r.handle('BootNotification', (req: V16.BootNotificationRequest, rpc) =>
        andThen(onBoot(v16.liftBootRequest(req), this.context(rpc)), (res) =>
          v16.stampBootResponse({ ...res, currentTime: res.currentTime ?? now() }),
        ),
      );
    if (onAuthorize !== undefined)
      r.handle('Authorize', (req: V16.AuthorizeRequest, rpc) =>
        andThen(
          onAuthorize(v16.liftAuthorizeRequest(req), this.context(rpc)),
          v16.stampAuthorizeResponse,
        ),
      );
    if (onStatus !== undefined)
      r.handle('StatusNotification', (req: V16.StatusNotificationRequest, rpc) =>
        andThen(onStatus(v16.liftStatusRequest(req), this.context(rpc)), () => ({})),
      );
    if (onMeterValues !== undefined || onTransaction !== undefined)
      r.handle('MeterValues', (req: V16.MeterValuesRequest, rpc) => {
        const c = this.context(rpc);
        if (req.transactionId === undefined) {
          return onMeterValues === undefined
            ? {}
            : andThen(onMeterValues(v16.liftMeterValuesRequest(req), c), () => ({}));
        }
        if (onTransaction === undefined) return {};
        const id = String(req.transactionId);
        const record = c.station.record(id, req.connectorId);
        const event = v16.liftUpdateTransaction(
          { ...req, transactionId: req.transactionId },
          ++record.seqNo,
        );
        return andThen(onTransaction(event, c), () => ({}));
      });
    if (onTransaction !== undefined) {
      r.handle('StartTransaction', async (req: V16.StartTransactionRequest, rpc) => {
        const c = this.context(rpc);
        const proposed = await this.allocate(c.identity);
        const event = v16.liftStartTransaction(req, proposed);
        const res: TransactionEventResult = (await onTransaction(event, c)) ?? {};
        const transactionId = res.transactionId ?? proposed;
        const id = String(transactionId);
        c.station.state.remember(
          compact({
            transactionId: id,
            transactionId16: transactionId,
            evseId: event.evseId,
            connectorId: event.connectorId,
            idToken: event.idToken,
            startedAt: req.timestamp,
            seqNo: 0,
          }),
        );
        return {
          transactionId,
          idTagInfo: v16.stampIdTokenInfo(res.idTokenInfo ?? ACCEPTED),
        } satisfies V16.StartTransactionResponse;
      });
      r.handle('StopTransaction', (req: V16.StopTransactionRequest, rpc) => {
        const c = this.context(rpc);
        const id = String(req.transactionId);
        const record = c.station.state.open.get(id);
        c.station.state.open.delete(id);
        const event = v16.liftStopTransaction(
          req,
          record === undefined ? 0 : record.seqNo + 1,
          record?.evseId,
        );
        return andThen(onTransaction(event, c), (res): V16.StopTransactionResponse => {
          const info = res?.idTokenInfo ?? (req.idTag === undefined ? undefined : ACCEPTED);
          return info === undefined ? {} : { idTagInfo: v16.stampIdTokenInfo(info) };
        });
      });
    }
    if (onDataTransfer !== undefined)
      r.handle('DataTransfer', (req: V16.DataTransferRequest, rpc) =>
        andThen(
          onDataTransfer(v16.liftDataTransferRequest(req), this.context(rpc)),
          v16.stampDataTransferResponse,
        ),
      );
    if (onFirmwareStatus !== undefined) {
      r.handle('FirmwareStatusNotification', (req: V16.FirmwareStatusNotificationRequest, rpc) =>
        andThen(onFirmwareStatus({ status: req.status }, this.context(rpc)), () => ({})),
      );
      r.handle(
        'SignedFirmwareStatusNotification',
        (req: V16.SignedFirmwareStatusNotificationRequest, rpc) =>
          andThen(
            onFirmwareStatus(
              compact({ status: req.status, requestId: req.requestId }),
              this.context(rpc),
            ),
            () => ({}),
          ),
      );
    }
    if (onLogStatus !== undefined) {
      r.handle(
        'DiagnosticsStatusNotification',
        (req: V16.DiagnosticsStatusNotificationRequest, rpc) =>
          andThen(onLogStatus(v16.liftDiagnosticsStatus(req), this.context(rpc)), () => ({})),
      );
      r.handle('LogStatusNotification', (req: V16.LogStatusNotificationRequest, rpc) =>
        andThen(
          onLogStatus(compact({ status: req.status, requestId: req.requestId }), this.context(rpc)),
          () => ({}),
        ),
      );
    }
  }

  private routes2(r: LooseRouter, h: CsmsHandlers): void {
    const { onBoot, onAuthorize, onStatus, onMeterValues, onTransaction, onDataTransfer } = h;
    const { onFirmwareStatus, onLogStatus } = h;
    r.handle('Heartbeat', this.heartbeat(h));
    if (onBoot !== undefined)
      r.handle('BootNotification', (req: V21.BootNotificationRequest, rpc) =>
        andThen(onBoot(v2.liftBootRequest(req), this.context(rpc)), (res) =>
          v2.stampBootResponse({ ...res, currentTime: res.currentTime ?? now() }),
        ),
      );
    if (onAuthorize !== undefined)
      r.handle('Authorize', (req: V21.AuthorizeRequest, rpc) =>
        andThen(
          onAuthorize(v2.liftAuthorizeRequest(req), this.context(rpc)),
          v2.stampAuthorizeResponse,
        ),
      );
    if (onStatus !== undefined)
      r.handle('StatusNotification', (req: V21.StatusNotificationRequest, rpc) =>
        andThen(onStatus(v2.liftStatusRequest(req), this.context(rpc)), () => ({})),
      );
    if (onMeterValues !== undefined)
      r.handle('MeterValues', (req: V21.MeterValuesRequest, rpc) =>
        andThen(onMeterValues(v2.liftMeterValuesRequest(req), this.context(rpc)), () => ({})),
      );
    if (onTransaction !== undefined)
      r.handle('TransactionEvent', (req: V21.TransactionEventRequest, rpc) => {
        const c = this.context(rpc);
        const id = req.transactionInfo.transactionId;
        const open = c.station.state.open;
        const known = open.get(id);
        const event = v2.liftTransactionEvent(req, known);
        if (event.eventType === 'Ended') open.delete(id);
        else if (known === undefined)
          c.station.state.remember(
            compact({
              transactionId: id,
              evseId: event.evseId,
              connectorId: event.connectorId,
              idToken: event.idToken,
              startedAt: event.timestamp,
              seqNo: event.seqNo,
            }),
          );
        return andThen(onTransaction(event, c), (res): V21.TransactionEventResponse => {
          const info = res?.idTokenInfo ?? (req.idToken === undefined ? undefined : ACCEPTED);
          return info === undefined ? {} : { idTokenInfo: v2.stampIdTokenInfo(info) };
        });
      });
    if (onDataTransfer !== undefined)
      r.handle('DataTransfer', (req: V21.DataTransferRequest, rpc) =>
        andThen(
          onDataTransfer(v2.liftDataTransferRequest(req), this.context(rpc)),
          v2.stampDataTransferResponse,
        ),
      );
    if (onFirmwareStatus !== undefined)
      r.handle('FirmwareStatusNotification', (req: V21.FirmwareStatusNotificationRequest, rpc) =>
        andThen(
          onFirmwareStatus(
            compact({ status: req.status, requestId: req.requestId }),
            this.context(rpc),
          ),
          () => ({}),
        ),
      );
    if (onLogStatus !== undefined)
      r.handle('LogStatusNotification', (req: V21.LogStatusNotificationRequest, rpc) =>
        andThen(
          onLogStatus(compact({ status: req.status, requestId: req.requestId }), this.context(rpc)),
          () => ({}),
        ),
      );
  }
}

class StationHandleImpl implements StationHandle {
  readonly identity: string;
  readonly version: ProtocolVersion;
  private readonly loose: LooseSession;

  constructor(
    readonly session: CsmsSession,
    readonly state: StationState,
  ) {
    this.identity = session.identity;
    this.version = session.protocol;
    this.loose = session as unknown as LooseSession;
  }

  get transactions(): ReadonlyMap<string, OpenTransaction> {
    return this.state.open;
  }

  /** The open transaction of a neutral id, created when the CSMS did not see it start. */
  record(id: string, evseId: number): OpenTransactionRecord {
    let record = this.state.open.get(id);
    if (record === undefined) {
      const n = Number(id);
      record = compact({
        transactionId: id,
        transactionId16: this.version === 'ocpp1.6' && Number.isInteger(n) ? n : undefined,
        evseId,
        connectorId: 1,
        startedAt: now(),
        seqNo: 0,
      });
      this.state.remember(record);
    }
    return record;
  }

  private get v2(): v2.Version2 {
    return this.version as v2.Version2;
  }

  private call<R>(action: string, payload: unknown, options: CallOptions | undefined): Promise<R> {
    return this.loose.call(action, payload, options) as Promise<R>;
  }

  async remoteStart(p: RemoteStartParams, o?: CallOptions): Promise<RemoteStartResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.RemoteStartTransactionResponse>(
        'RemoteStartTransaction',
        v16.stampRemoteStartRequest(p, v16.decimalIds),
        o,
      );
      return { status: res.status };
    }
    const req = v2.stampRemoteStartRequest(p, () => this.state.nextRequestId(), this.v2);
    return v2.liftRemoteStartResponse(await this.call('RequestStartTransaction', req, o));
  }

  async remoteStop(p: RemoteStopParams, o?: CallOptions): Promise<AcceptedRejectedResult> {
    if (this.version === 'ocpp1.6') {
      const transactionId =
        this.state.open.get(p.transactionId)?.transactionId16 ??
        v16.decimalIds.toInt(p.transactionId);
      return v16.liftAcceptedRejected(
        await this.call('RemoteStopTransaction', { transactionId }, o),
      );
    }
    return v2.liftAcceptedRejected(
      await this.call('RequestStopTransaction', { transactionId: p.transactionId }, o),
    );
  }

  async reset(p: ResetParams, o?: CallOptions): Promise<ScheduledResult> {
    if (this.version === 'ocpp1.6')
      return {
        status: (await this.call<V16.ResetResponse>('Reset', v16.stampResetRequest(p), o)).status,
      };
    return v2.liftStatus(
      await this.call<V21.ResetResponse>('Reset', v2.stampResetRequest(p, this.v2), o),
    );
  }

  async changeAvailability(p: ChangeAvailabilityParams, o?: CallOptions): Promise<ScheduledResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.ChangeAvailabilityResponse>(
        'ChangeAvailability',
        v16.stampChangeAvailabilityRequest(p),
        o,
      );
      return { status: res.status };
    }
    return v2.liftStatus(
      await this.call<V21.ChangeAvailabilityResponse>(
        'ChangeAvailability',
        v2.stampChangeAvailabilityRequest(p),
        o,
      ),
    );
  }

  async unlockConnector(p: UnlockConnectorParams, o?: CallOptions): Promise<UnlockConnectorResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.UnlockConnectorResponse>(
        'UnlockConnector',
        v16.stampUnlockRequest(p),
        o,
      );
      return { status: res.status };
    }
    return v2.liftStatus(
      await this.call<V21.UnlockConnectorResponse>('UnlockConnector', v2.stampUnlockRequest(p), o),
    );
  }

  async triggerMessage(p: TriggerMessageParams, o?: CallOptions): Promise<TriggerMessageResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.TriggerMessageResponse>(
        'TriggerMessage',
        v16.stampTriggerRequest(p),
        o,
      );
      return { status: res.status };
    }
    return v2.liftStatus(
      await this.call<V21.TriggerMessageResponse>('TriggerMessage', v2.stampTriggerRequest(p), o),
    );
  }

  async getConfiguration(
    p: GetConfigurationParams = {},
    o?: CallOptions,
  ): Promise<GetConfigurationResult> {
    // An empty list asks for every key, as in 1.6 (2.x has no such request of its own).
    if (p.keys?.length === 0) p = {};
    if (this.version === 'ocpp1.6') {
      const asked = new Map<string, string>();
      for (const key of p.keys ?? []) asked.set(toKey16(key), key);
      const res = await this.call<V16.GetConfigurationResponse>(
        'GetConfiguration',
        p.keys === undefined ? {} : { key: [...asked.keys()] },
        o,
      );
      return {
        values: (res.configurationKey ?? []).map((kv) =>
          compact({ key: asked.get(kv.key) ?? kv.key, value: kv.value, readonly: kv.readonly }),
        ),
        unknownKeys: (res.unknownKey ?? []).map((k) => asked.get(k) ?? k),
      };
    }
    const plan = v2.planGetVariables(p.keys ?? Object.keys(CONFIGURATION_KEY_MAP));
    if (plan.request === undefined) return { values: [], unknownKeys: [...plan.unmapped] };
    const res = await this.call<V21.GetVariablesResponse>('GetVariables', plan.request, o);
    return v2.liftGetVariablesResponse(res, plan, p.keys !== undefined);
  }

  async setConfiguration(
    p: SetConfigurationParams,
    o?: CallOptions,
  ): Promise<SetConfigurationResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.ChangeConfigurationResponse>(
        'ChangeConfiguration',
        { key: toKey16(p.key), value: p.value },
        o,
      );
      return { status: res.status };
    }
    return v2.liftSetVariablesResponse(
      await this.call('SetVariables', v2.stampSetVariablesRequest(p, this.v2), o),
    );
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

  async updateFirmware(p: UpdateFirmwareParams, o?: CallOptions): Promise<UpdateFirmwareResult> {
    const requestId = () => this.state.nextRequestId();
    if (this.version === 'ocpp1.6') {
      const stamped = v16.stampUpdateFirmwareRequest(p, requestId);
      if (stamped.action === 'UpdateFirmware') {
        await this.call('UpdateFirmware', stamped.payload, o);
        return v16.PLAIN_UPDATE_FIRMWARE_RESULT;
      }
      const res = await this.call<V16.SignedUpdateFirmwareResponse>(
        'SignedUpdateFirmware',
        stamped.payload,
        o,
      );
      return { status: res.status };
    }
    return v2.liftStatus(
      await this.call<V21.UpdateFirmwareResponse>(
        'UpdateFirmware',
        v2.stampUpdateFirmwareRequest(p, requestId),
        o,
      ),
    );
  }

  async getLog(p: GetLogParams, o?: CallOptions): Promise<GetLogResult> {
    const requestId = () => this.state.nextRequestId();
    if (this.version === 'ocpp1.6') {
      const stamped = v16.stampGetLogRequest(p, requestId);
      if (stamped.action === 'GetDiagnostics')
        return v16.liftGetDiagnosticsResponse(
          await this.call('GetDiagnostics', stamped.payload, o),
        );
      const res = await this.call<V16.GetLogResponse>('GetLog', stamped.payload, o);
      return compact({ status: res.status, filename: res.filename });
    }
    return v2.liftGetLogResponse(
      await this.call('GetLog', v2.stampGetLogRequest(p, requestId, this.v2), o),
    );
  }

  async setChargingProfile(
    p: SetChargingProfileParams,
    o?: CallOptions,
  ): Promise<SetChargingProfileResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.SetChargingProfileResponse>(
        'SetChargingProfile',
        {
          connectorId: p.evseId,
          csChargingProfiles: v16.stampChargingProfile(p.chargingProfile, this.ids16()),
        },
        o,
      );
      return { status: res.status };
    }
    return v2.liftStatus(
      await this.call<V21.SetChargingProfileResponse>(
        'SetChargingProfile',
        { evseId: p.evseId, chargingProfile: v2.stampChargingProfile(p.chargingProfile, this.v2) },
        o,
      ),
    );
  }

  async clearChargingProfile(
    p: ClearChargingProfileParams,
    o?: CallOptions,
  ): Promise<ClearChargingProfileResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.ClearChargingProfileResponse>(
        'ClearChargingProfile',
        v16.stampClearChargingProfileRequest(p),
        o,
      );
      return { status: res.status };
    }
    return v2.liftStatus(
      await this.call<V21.ClearChargingProfileResponse>(
        'ClearChargingProfile',
        v2.stampClearChargingProfileRequest(p),
        o,
      ),
    );
  }

  async getCompositeSchedule(
    p: GetCompositeScheduleParams,
    o?: CallOptions,
  ): Promise<GetCompositeScheduleResult> {
    if (this.version === 'ocpp1.6')
      return v16.liftCompositeResponse(
        await this.call('GetCompositeSchedule', v16.stampCompositeRequest(p), o),
        p,
      );
    return v2.liftCompositeResponse(
      await this.call('GetCompositeSchedule', v2.stampCompositeRequest(p), o),
    );
  }

  async reserveNow(p: ReserveNowParams, o?: CallOptions): Promise<ReserveNowResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.ReserveNowResponse>(
        'ReserveNow',
        v16.stampReserveNowRequest(p),
        o,
      );
      return { status: res.status };
    }
    return v2.liftStatus(
      await this.call<V21.ReserveNowResponse>('ReserveNow', v2.stampReserveNowRequest(p), o),
    );
  }

  async cancelReservation(
    p: CancelReservationParams,
    o?: CallOptions,
  ): Promise<AcceptedRejectedResult> {
    const res = await this.call<V21.CancelReservationResponse>(
      'CancelReservation',
      { reservationId: p.reservationId },
      o,
    );
    return v2.liftStatus(res);
  }

  async sendLocalList(p: SendLocalListParams, o?: CallOptions): Promise<SendLocalListResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.SendLocalListResponse>(
        'SendLocalList',
        v16.stampSendLocalListRequest(p),
        o,
      );
      return { status: res.status };
    }
    return v2.liftStatus(
      await this.call<V21.SendLocalListResponse>(
        'SendLocalList',
        v2.stampSendLocalListRequest(p),
        o,
      ),
    );
  }

  async getLocalListVersion(o?: CallOptions): Promise<LocalListVersionResult> {
    if (this.version === 'ocpp1.6') {
      const res = await this.call<V16.GetLocalListVersionResponse>('GetLocalListVersion', {}, o);
      return { versionNumber: res.listVersion };
    }
    const res = await this.call<V21.GetLocalListVersionResponse>('GetLocalListVersion', {}, o);
    return { versionNumber: res.versionNumber };
  }

  async clearCache(o?: CallOptions): Promise<AcceptedRejectedResult> {
    return v2.liftStatus(await this.call<V21.ClearCacheResponse>('ClearCache', {}, o));
  }

  /** The CSMS's 1.6 id mapping: open transactions first, then the decimal text. */
  private ids16(): v16.TransactionIds16 {
    return {
      toInt: (id) => this.state.open.get(id)?.transactionId16 ?? v16.decimalIds.toInt(id),
      toNeutral: (n) => String(n),
    };
  }
}

/**
 * Creates a CSMS that serves 1.6, 2.0.1 and 2.1 stations through one set of neutral handlers.
 * Start the listener yourself (`await listener.listen()`), as with `CsmsServer`.
 */
export function createGenericCsms(options: GenericCsmsOptions): GenericCsms {
  return new GenericCsmsImpl(options);
}

/** Reads a count option: a whole number ≥ `min`, or the default. */
function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number >= ${min}`);
  }
  return value;
}
