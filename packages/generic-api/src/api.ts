import type {
  CallOptions,
  CsmsServer,
  CsmsSessionSettings,
  HandledBy,
  Logger,
  OcppSession,
  Router,
  Service,
  SessionOptions,
} from '@ocpp/rpc';
import type { ActionMapShape } from '@ocpp/runtime';
import type { IncomingConnection, Transport, TransportServer } from '@ocpp/transport';
import type { V16ActionMap } from '@ocpp/v16-core';
import type { V21ActionMap } from '@ocpp/v21-core';
import type { V201ActionMap } from '@ocpp/v201-core';
import type {
  AcceptedRejectedResult,
  AuthorizeParams,
  AuthorizeResult,
  BootAnswer,
  BootParams,
  BootResult,
  CancelReservationParams,
  ChangeAvailabilityParams,
  ClearChargingProfileParams,
  ClearChargingProfileResult,
  DataTransferParams,
  DataTransferResult,
  FirmwareStatusParams,
  GetCompositeScheduleParams,
  GetCompositeScheduleResult,
  GetConfigurationParams,
  GetConfigurationResult,
  GetLogParams,
  GetLogResult,
  HeartbeatResult,
  IdToken,
  LocalListVersionResult,
  LogStatusParams,
  MeterValuesParams,
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
  StartTransactionParams,
  StartTransactionResult,
  StatusParams,
  StopTransactionParams,
  TransactionEvent,
  TransactionEventResult,
  TransactionResult,
  TriggerMessageParams,
  TriggerMessageResult,
  UnlockConnectorParams,
  UnlockConnectorResult,
  UpdateFirmwareParams,
  UpdateFirmwareResult,
  UpdateTransactionParams,
} from './model.js';
import type { IncompleteReport, ReportLimits } from './reports.js';
import type { TransactionReport } from './tables/csms.js';
import type { CsmsMoreHandlers, CsmsMoreOperations } from './tables/csms-2x.js';
import type { OperationMethods } from './tables/passthrough.js';
import type { StationMoreHandlers, StationMoreOperations } from './tables/station-2x.js';

/** A value or a promise of it: every handler may be async. */
export type MaybePromise<T> = T | Promise<T>;

/** The exact CSMS-side session of a station, one of three versions: narrow on `session.protocol`. */
export type CsmsSession =
  | OcppSession<'1.6', V16ActionMap, 'csms'>
  | OcppSession<'2.0.1', V201ActionMap, 'csms'>
  | OcppSession<'2.1', V21ActionMap, 'csms'>;

/** The exact station-side session, one of three versions: narrow on `session.protocol`. */
export type StationSession =
  | OcppSession<'1.6', V16ActionMap, 'station'>
  | OcppSession<'2.0.1', V201ActionMap, 'station'>
  | OcppSession<'2.1', V21ActionMap, 'station'>;

// ---------------------------------------------------------------------------------------------
// CSMS side
// ---------------------------------------------------------------------------------------------

/** A transaction the CSMS saw start and not yet end, kept per station across reconnects. */
export interface OpenTransaction {
  /** The neutral id (1.6: the integer id's decimal text). */
  readonly transactionId: string;
  /** 1.6: the integer id the CSMS assigned. */
  readonly transactionId16?: number;
  /** The EVSE (1.6 connector id). */
  readonly evseId?: number;
  /** The connector of the EVSE. */
  readonly connectorId?: number;
  /** The identifier that started it. */
  readonly idToken?: IdToken;
  /** When it started. */
  readonly startedAt: string;
}

/**
 * The neutral, CSMS-side handle of one connected station: every CSMS-initiated operation, mapped
 * to the station's version. An operation without an equivalent in that version rejects with
 * `OcppSdkError` code `UNSUPPORTED_BY_VERSION` before anything is sent; other failures are those of
 * `OcppSession.call` (`OcppCallError` from the station, `TIMEOUT`, `NOT_CONNECTED`, ...).
 */
export interface StationHandle extends OperationMethods<CsmsMoreOperations> {
  /** The station identity. */
  readonly identity: string;
  /** The negotiated version. */
  readonly version: ProtocolVersion;
  /** The exact versioned session, for everything the neutral API does not cover. */
  readonly session: CsmsSession;
  /** Transactions that started and have not ended, by neutral id. */
  readonly transactions: ReadonlyMap<string, OpenTransaction>;
  /** Asks the station to start a transaction (1.6 RemoteStartTransaction, 2.x RequestStartTransaction). */
  remoteStart(params: RemoteStartParams, options?: CallOptions): Promise<RemoteStartResult>;
  /** Asks the station to stop a transaction by neutral id (1.6 RemoteStopTransaction, 2.x RequestStopTransaction). */
  remoteStop(params: RemoteStopParams, options?: CallOptions): Promise<AcceptedRejectedResult>;
  /** Resets the station (or, 2.x, one EVSE). */
  reset(params: ResetParams, options?: CallOptions): Promise<ScheduledResult>;
  /** Makes the station, an EVSE or a connector (in)operative. */
  changeAvailability(
    params: ChangeAvailabilityParams,
    options?: CallOptions,
  ): Promise<ScheduledResult>;
  /** Unlocks a connector. */
  unlockConnector(
    params: UnlockConnectorParams,
    options?: CallOptions,
  ): Promise<UnlockConnectorResult>;
  /** Asks the station to send a message now. */
  triggerMessage(
    params: TriggerMessageParams,
    options?: CallOptions,
  ): Promise<TriggerMessageResult>;
  /** Reads configuration (1.6 GetConfiguration, 2.x GetVariables). */
  getConfiguration(
    params?: GetConfigurationParams,
    options?: CallOptions,
  ): Promise<GetConfigurationResult>;
  /** Writes one configuration key (1.6 ChangeConfiguration, 2.x SetVariables). */
  setConfiguration(
    params: SetConfigurationParams,
    options?: CallOptions,
  ): Promise<SetConfigurationResult>;
  /** Sends vendor-specific data. */
  dataTransfer(params: DataTransferParams, options?: CallOptions): Promise<DataTransferResult>;
  /** Asks the station to update its firmware. */
  updateFirmware(
    params: UpdateFirmwareParams,
    options?: CallOptions,
  ): Promise<UpdateFirmwareResult>;
  /** Asks the station to upload a log (1.6 GetDiagnostics or GetLog, 2.x GetLog). */
  getLog(params: GetLogParams, options?: CallOptions): Promise<GetLogResult>;
  /** Installs a charging profile. */
  setChargingProfile(
    params: SetChargingProfileParams,
    options?: CallOptions,
  ): Promise<SetChargingProfileResult>;
  /** Removes charging profiles. */
  clearChargingProfile(
    params: ClearChargingProfileParams,
    options?: CallOptions,
  ): Promise<ClearChargingProfileResult>;
  /** Reads the composite schedule of an EVSE. */
  getCompositeSchedule(
    params: GetCompositeScheduleParams,
    options?: CallOptions,
  ): Promise<GetCompositeScheduleResult>;
  /** Reserves an EVSE. */
  reserveNow(params: ReserveNowParams, options?: CallOptions): Promise<ReserveNowResult>;
  /** Cancels a reservation. */
  cancelReservation(
    params: CancelReservationParams,
    options?: CallOptions,
  ): Promise<AcceptedRejectedResult>;
  /** Sends the local authorisation list. */
  sendLocalList(params: SendLocalListParams, options?: CallOptions): Promise<SendLocalListResult>;
  /** Reads the local authorisation list version. */
  getLocalListVersion(options?: CallOptions): Promise<LocalListVersionResult>;
  /** Clears the authorisation cache. */
  clearCache(options?: CallOptions): Promise<AcceptedRejectedResult>;
}

/** What a CSMS handler is given besides the neutral request. */
export interface CsmsContext<D = NoDeps> {
  /** The station identity. */
  readonly identity: string;
  /** The station's version. */
  readonly version: ProtocolVersion;
  /** The neutral handle, to call the station back. */
  readonly station: StationHandle;
  /** The exact versioned session. */
  readonly session: CsmsSession;
  /** The message id of the CALL being answered. */
  readonly messageId: string;
  /** The OCPP action on the wire (`StartTransaction`, `TransactionEvent`, ...). */
  readonly action: string;
  /**
   * The request exactly as it came on the wire (validated), beside the lifted one: `customData`,
   * vendor fields and everything the neutral model does not carry.
   */
  readonly raw: unknown;
  /** The dependencies given as `deps` (also what the routers' services see). */
  readonly deps: D;
  /** Aborted when the connection closes before the handler finished. */
  readonly signal: AbortSignal;
}

/** No injected dependencies. */
export type NoDeps = Record<string, never>;

/** A CSMS context whose session is the exact session of one version. */
export type CsmsContextOf<V extends ProtocolVersion, D = NoDeps> = CsmsContext<D> & {
  readonly version: V;
  readonly session: Extract<CsmsSession, { readonly protocol: V }>;
  readonly raw: unknown;
};

/** The generated action map of each version. */
export interface ActionMaps {
  readonly 'ocpp1.6': V16ActionMap;
  readonly 'ocpp2.0.1': V201ActionMap;
  readonly 'ocpp2.1': V21ActionMap;
}

/**
 * Handlers for actions of one version, with that version's generated request and response types:
 * whatever the neutral API does not model (NotifyReport, SecurityEventNotification, ...) or a
 * neutral action answered differently for this version (a versioned handler replaces the neutral
 * one for its action).
 */
export type VersionHandlers<M extends ActionMapShape<M>, R extends 'csms' | 'station', Ctx> = {
  readonly [A in HandledBy<M, R>]?: (
    request: M[A]['request'],
    context: Ctx,
  ) => MaybePromise<M[A]['response']>;
};

/** Runs after the CALLRESULT of a versioned action was sent, with the request and the response. */
export type VersionAfterHooks<M extends ActionMapShape<M>, R extends 'csms' | 'station', Ctx> = {
  readonly [A in HandledBy<M, R>]?: (
    request: M[A]['request'],
    response: M[A]['response'],
    context: Ctx,
  ) => MaybePromise<void>;
};

/** The CSMS's versioned after-hooks, per version. */
export interface CsmsVersionedAfterHooks<D = NoDeps> {
  readonly 'ocpp1.6'?: VersionAfterHooks<V16ActionMap, 'csms', CsmsContextOf<'ocpp1.6', D>>;
  readonly 'ocpp2.0.1'?: VersionAfterHooks<V201ActionMap, 'csms', CsmsContextOf<'ocpp2.0.1', D>>;
  readonly 'ocpp2.1'?: VersionAfterHooks<V21ActionMap, 'csms', CsmsContextOf<'ocpp2.1', D>>;
}

/** The CSMS's versioned handlers, per version. */
export interface CsmsVersionedHandlers<D = NoDeps> {
  readonly 'ocpp1.6'?: VersionHandlers<V16ActionMap, 'csms', CsmsContextOf<'ocpp1.6', D>>;
  readonly 'ocpp2.0.1'?: VersionHandlers<V201ActionMap, 'csms', CsmsContextOf<'ocpp2.0.1', D>>;
  readonly 'ocpp2.1'?: VersionHandlers<V21ActionMap, 'csms', CsmsContextOf<'ocpp2.1', D>>;
}

/**
 * Runs after the CALLRESULT of a neutral handler has been sent, with what the handler was given
 * and answered (the router's `after`): the place to call the station back, as after a boot.
 */
export type AfterHooksOf<H, Ctx> = {
  readonly [K in keyof H]?: NonNullable<H[K]> extends (...args: infer A) => infer R
    ? (
        params: A extends [infer P, unknown] ? P : undefined,
        result: Awaited<R>,
        context: Ctx,
      ) => MaybePromise<void>
    : never;
};

/**
 * The CSMS's business logic, once for every version. A missing handler leaves its actions
 * unanswered with CALLERROR `NotSupported`, except `onHeartbeat`, which defaults to the current
 * time. Throw `OcppCallError` to choose the CALLERROR.
 */
export interface CsmsHandlers<D = NoDeps> extends CsmsMoreHandlers<D> {
  /** BootNotification. */
  readonly onBoot?: (params: BootParams, context: CsmsContext<D>) => MaybePromise<BootAnswer>;
  /** Heartbeat. @default answers the current time */
  readonly onHeartbeat?: (context: CsmsContext<D>) => MaybePromise<HeartbeatResult | undefined>;
  /** Authorize. */
  readonly onAuthorize?: (
    params: AuthorizeParams,
    context: CsmsContext<D>,
  ) => MaybePromise<AuthorizeResult>;
  /** StatusNotification. */
  readonly onStatus?: (params: StatusParams, context: CsmsContext<D>) => MaybePromise<void>;
  /** MeterValues outside a transaction (in a transaction they arrive as an `Updated` event). */
  readonly onMeterValues?: (
    params: MeterValuesParams,
    context: CsmsContext<D>,
  ) => MaybePromise<void>;
  /** 1.6 StartTransaction / MeterValues with a transaction id / StopTransaction; 2.x TransactionEvent. */
  readonly onTransaction?: (
    event: TransactionEvent,
    context: CsmsContext<D>,
  ) => MaybePromise<TransactionEventResult | undefined>;
  /** DataTransfer from the station. */
  readonly onDataTransfer?: (
    params: DataTransferParams,
    context: CsmsContext<D>,
  ) => MaybePromise<DataTransferResult>;
  /** FirmwareStatusNotification (1.6 also SignedFirmwareStatusNotification). */
  readonly onFirmwareStatus?: (
    params: FirmwareStatusParams,
    context: CsmsContext<D>,
  ) => MaybePromise<void>;
  /** LogStatusNotification (1.6 also DiagnosticsStatusNotification). */
  readonly onLogStatus?: (params: LogStatusParams, context: CsmsContext<D>) => MaybePromise<void>;
}

/** Options of {@link createGenericCsms}. */
export interface GenericCsmsOptions<D = NoDeps> {
  /** Accepts the connections (a `WsServer` from @ocpp/transport-ws, or a test double). */
  readonly listener: TransportServer;
  /** The business logic. */
  readonly handlers: CsmsHandlers<D>;
  /**
   * Handlers for any station action of a version, typed with that version's generated types
   * (`{ 'ocpp2.0.1': { NotifyReport: (req, ctx) => ({}) } }`). For an action the neutral handlers
   * also cover, the versioned handler answers instead.
   */
  readonly versioned?: CsmsVersionedHandlers<D>;
  /**
   * Hooks that run after the CALLRESULT of a station action was sent, by version and action,
   * with the wire request and response (whether a neutral or a versioned handler answered).
   */
  readonly versionedAfter?: CsmsVersionedAfterHooks<D>;
  /** Hooks that run after a neutral handler's CALLRESULT was sent, by handler name. */
  readonly after?: AfterHooksOf<CsmsHandlers<D>, CsmsContext<D>>;
  /** Services around every handler (the rpc `log`, `timeout` or your own), outermost first. */
  readonly services?: readonly Service[];
  /** Dependencies every handler context carries as `deps`. */
  readonly deps?: D;
  /**
   * The versions served; a connection negotiated to another is closed.
   * @default ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6']
   */
  readonly versions?: readonly ProtocolVersion[];
  /** Session settings for every connection, or chosen per connection (as `CsmsServer` takes them). */
  readonly session?:
    | CsmsSessionSettings
    | ((connection: IncomingConnection) => CsmsSessionSettings);
  /** @default warnings and errors to the console */
  readonly logger?: Logger;
  /**
   * Assigns the integer id of a 1.6 transaction (StartTransaction) when `onTransaction` does not
   * return one. Must not repeat an id a station still uses; a database sequence is a good fit.
   * @default a counter per CSMS, starting at 1
   */
  readonly allocateTransactionId?: (identity: string) => MaybePromise<number>;
  /**
   * Open transactions tracked per station (the 1.6 id mapping, the 2.x `seqNo`). A station naming
   * one more makes the CSMS forget its oldest open one, with a warning: whatever ids a station
   * sends, it cannot grow the CSMS's memory. Keep what you must never lose in your own database.
   * @default 64
   */
  readonly maxOpenTransactionsPerStation?: number;
  /**
   * Disconnected stations whose transactions are kept: the open ones, so that a stop sent after
   * a reconnect still finds its transaction, and the last 32 ended ones, so that an end resent
   * after a reconnect is recognised (reported as a duplicate, not handled again). Beyond it, the
   * station disconnected the longest is forgotten (with a warning when it had open
   * transactions). A station with neither is forgotten at once.
   * @default 10000
   */
  readonly maxDisconnectedStations?: number;
  /**
   * Bounds on gathering multi-part reports (NotifyReport, ...): `timeoutMs` without a part before
   * a report is given up (default 60 s), `maxParts` per report (10,000), `maxOpen` reports in
   * progress per station (32).
   */
  readonly reports?: Partial<ReportLimits>;
}

/** Events of a {@link GenericCsms}. */
export interface GenericCsmsEvents {
  /** A station connected. */
  connect: (station: StationHandle) => void;
  /** A station's connection ended. */
  disconnect: (station: StationHandle, info: { code: number; reason: string }) => void;
  /**
   * A transaction message was resent (answered again, not passed to `onTransaction`), or 2.x
   * events never came (a `seqNo` gap): what a station's retries and outages leave behind.
   */
  transactionReport: (station: StationHandle, report: TransactionReport) => void;
  /**
   * A multi-part report nobody asked for was given up: its parts stopped coming, or it grew past
   * `reports` limits. (An asked-for one rejects its operation instead.)
   */
  reportIncomplete: (station: StationHandle, report: IncompleteReport) => void;
}

/**
 * A CSMS serving 1.6, 2.0.1 and 2.1 stations through one set of neutral handlers, with a
 * directory of connected stations.
 */
export interface GenericCsms {
  /** The neutral handle of a connected station. */
  station(identity: string): StationHandle | undefined;
  /** Every connected station. */
  stations(): IterableIterator<StationHandle>;
  /** How many stations are connected. */
  readonly size: number;
  /** The versioned server underneath (its routers, `get(identity)` for the exact session). */
  // biome-ignore lint/suspicious/noExplicitAny: routers of the three versions
  readonly server: CsmsServer<Router<any, any, 'csms', any>[]>;
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof GenericCsmsEvents>(event: K, listener: GenericCsmsEvents[K]): () => void;
  /** Removes a listener. */
  off<K extends keyof GenericCsmsEvents>(event: K, listener: GenericCsmsEvents[K]): void;
  /** Stops accepting and closes every connection (1001 by default). */
  close(code?: number, reason?: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Station side
// ---------------------------------------------------------------------------------------------

/** What a station handler is given besides the neutral request. */
export interface StationContext<D = NoDeps> {
  /** The station's identity. */
  readonly identity: string;
  /** The version spoken. */
  readonly version: ProtocolVersion;
  /** The neutral station, to send messages back to the CSMS. */
  readonly station: GenericStation;
  /** The exact versioned session. */
  readonly session: StationSession;
  /** The message id of the CALL being answered. */
  readonly messageId: string;
  /** The OCPP action on the wire (`RemoteStartTransaction`, `RequestStartTransaction`, ...). */
  readonly action: string;
  /** The request exactly as it came on the wire (validated), beside the lifted one. */
  readonly raw: unknown;
  /** The dependencies given as `deps` (also what the routers' services see). */
  readonly deps: D;
  /** Aborted when the connection closes before the handler finished. */
  readonly signal: AbortSignal;
}

/** A station context whose session is the exact session of one version. */
export type StationContextOf<V extends ProtocolVersion, D = NoDeps> = StationContext<D> & {
  readonly version: V;
  readonly session: Extract<StationSession, { readonly protocol: V }>;
};

/** The station's versioned after-hooks, per version. */
export interface StationVersionedAfterHooks<D = NoDeps> {
  readonly 'ocpp1.6'?: VersionAfterHooks<V16ActionMap, 'station', StationContextOf<'ocpp1.6', D>>;
  readonly 'ocpp2.0.1'?: VersionAfterHooks<
    V201ActionMap,
    'station',
    StationContextOf<'ocpp2.0.1', D>
  >;
  readonly 'ocpp2.1'?: VersionAfterHooks<V21ActionMap, 'station', StationContextOf<'ocpp2.1', D>>;
}

/** The station's versioned handlers, per version (for CSMS actions the neutral API lacks). */
export interface StationVersionedHandlers<D = NoDeps> {
  readonly 'ocpp1.6'?: VersionHandlers<V16ActionMap, 'station', StationContextOf<'ocpp1.6', D>>;
  readonly 'ocpp2.0.1'?: VersionHandlers<
    V201ActionMap,
    'station',
    StationContextOf<'ocpp2.0.1', D>
  >;
  readonly 'ocpp2.1'?: VersionHandlers<V21ActionMap, 'station', StationContextOf<'ocpp2.1', D>>;
}

/**
 * A charging station's answers to CSMS-initiated operations, once for every version. A missing
 * handler answers CALLERROR `NotSupported`. Share one handlers object across a simulated fleet:
 * the routers are built once per handlers object and version.
 */
export interface StationHandlers<D = NoDeps> extends StationMoreHandlers<D> {
  /** RemoteStartTransaction / RequestStartTransaction. */
  readonly onRemoteStart?: (
    params: RemoteStartParams,
    context: StationContext<D>,
  ) => MaybePromise<RemoteStartResult>;
  /** RemoteStopTransaction / RequestStopTransaction (the neutral id, as the station knows it). */
  readonly onRemoteStop?: (
    params: RemoteStopParams,
    context: StationContext<D>,
  ) => MaybePromise<AcceptedRejectedResult>;
  /** Reset. */
  readonly onReset?: (
    params: ResetParams,
    context: StationContext<D>,
  ) => MaybePromise<ScheduledResult>;
  /** ChangeAvailability. */
  readonly onChangeAvailability?: (
    params: ChangeAvailabilityParams,
    context: StationContext<D>,
  ) => MaybePromise<ScheduledResult>;
  /** UnlockConnector. */
  readonly onUnlockConnector?: (
    params: UnlockConnectorParams,
    context: StationContext<D>,
  ) => MaybePromise<UnlockConnectorResult>;
  /** TriggerMessage. */
  readonly onTriggerMessage?: (
    params: TriggerMessageParams,
    context: StationContext<D>,
  ) => MaybePromise<TriggerMessageResult>;
  /** GetConfiguration / GetVariables (2.x: keys arrive in the neutral form, 1.6 names where mapped). */
  readonly onGetConfiguration?: (
    params: GetConfigurationParams,
    context: StationContext<D>,
  ) => MaybePromise<GetConfigurationResult>;
  /** ChangeConfiguration / SetVariables (called once per variable). */
  readonly onSetConfiguration?: (
    params: SetConfigurationParams,
    context: StationContext<D>,
  ) => MaybePromise<SetConfigurationResult>;
  /** DataTransfer from the CSMS. */
  readonly onDataTransfer?: (
    params: DataTransferParams,
    context: StationContext<D>,
  ) => MaybePromise<DataTransferResult>;
  /** UpdateFirmware (1.6 also SignedUpdateFirmware). */
  readonly onUpdateFirmware?: (
    params: UpdateFirmwareParams,
    context: StationContext<D>,
  ) => MaybePromise<UpdateFirmwareResult>;
  /** GetLog (1.6 also GetDiagnostics). */
  readonly onGetLog?: (
    params: GetLogParams,
    context: StationContext<D>,
  ) => MaybePromise<GetLogResult>;
  /** SetChargingProfile. */
  readonly onSetChargingProfile?: (
    params: SetChargingProfileParams,
    context: StationContext<D>,
  ) => MaybePromise<SetChargingProfileResult>;
  /** ClearChargingProfile. */
  readonly onClearChargingProfile?: (
    params: ClearChargingProfileParams,
    context: StationContext<D>,
  ) => MaybePromise<ClearChargingProfileResult>;
  /** GetCompositeSchedule. */
  readonly onGetCompositeSchedule?: (
    params: GetCompositeScheduleParams,
    context: StationContext<D>,
  ) => MaybePromise<GetCompositeScheduleResult>;
  /** ReserveNow. */
  readonly onReserveNow?: (
    params: ReserveNowParams,
    context: StationContext<D>,
  ) => MaybePromise<ReserveNowResult>;
  /** CancelReservation. */
  readonly onCancelReservation?: (
    params: CancelReservationParams,
    context: StationContext<D>,
  ) => MaybePromise<AcceptedRejectedResult>;
  /** SendLocalList. */
  readonly onSendLocalList?: (
    params: SendLocalListParams,
    context: StationContext<D>,
  ) => MaybePromise<SendLocalListResult>;
  /** GetLocalListVersion. */
  readonly onGetLocalListVersion?: (
    context: StationContext<D>,
  ) => MaybePromise<LocalListVersionResult>;
  /** ClearCache. */
  readonly onClearCache?: (context: StationContext<D>) => MaybePromise<AcceptedRejectedResult>;
}

/** Session settings a station may choose (everything of `SessionOptions` the generic API does not set). */
export type StationSessionSettings = Omit<
  // biome-ignore lint/suspicious/noExplicitAny: settings apply to sessions of every version
  SessionOptions<any, any, 'station'>,
  'protocol' | 'role' | 'transport' | 'identity' | 'router'
>;

/** Options of {@link createGenericStation}. */
export interface GenericStationOptions<D = NoDeps> {
  /**
   * The version to speak, or the versions offered in order of preference: the station then
   * speaks whichever the CSMS picked (the transport must offer the same list, e.g.
   * `createWsClient({ protocols: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] })`), on every connection.
   */
  readonly protocol: ProtocolVersion | readonly ProtocolVersion[];
  /** The station identity. */
  readonly identity: string;
  /** Any transport (`createWsClient(...)` from @ocpp/transport-ws, or an in-memory one). */
  readonly transport: Transport;
  /** Answers to CSMS-initiated operations. @default none: every CSMS call gets `NotSupported` */
  readonly handlers?: StationHandlers<D>;
  /**
   * Handlers for any CSMS action of a version, typed with that version's generated types
   * (`{ 'ocpp2.0.1': { GetBaseReport: (req, ctx) => ({ status: 'Accepted' }) } }`). For an action
   * the neutral handlers also cover, the versioned handler answers instead.
   */
  readonly versioned?: StationVersionedHandlers<D>;
  /**
   * Hooks that run after the CALLRESULT of a CSMS action was sent, by version and action, with
   * the wire request and response: where a station sends what follows an answer (the NotifyReport
   * parts after GetBaseReport).
   */
  readonly versionedAfter?: StationVersionedAfterHooks<D>;
  /** Hooks that run after a neutral handler's CALLRESULT was sent, by handler name. */
  readonly after?: AfterHooksOf<StationHandlers<D>, StationContext<D>>;
  /** Services around every handler (the rpc `log`, `timeout` or your own), outermost first. */
  readonly services?: readonly Service[];
  /** Dependencies every handler context carries as `deps`. */
  readonly deps?: D;
  /** Session settings (timeouts, validation, logger, ...). */
  readonly session?: StationSessionSettings;
  /**
   * Open transactions to carry on: those of a previous station object (`previous.transactions
   * .values()`, after a reconnect on a new transport) or restored from storage after a restart.
   * Their updates and stop then use the same 1.6 integer id and continue the 2.x `seqNo`.
   * @default none
   */
  readonly transactions?: Iterable<StationTransaction>;
}

/** A transaction a station started and has not stopped. */
export interface StationTransaction {
  /** The neutral id. */
  readonly transactionId: string;
  /** 1.6: the integer id the CSMS assigned. */
  readonly transactionId16?: number;
  /** The EVSE. */
  readonly evseId: number;
  /** The connector of the EVSE. */
  readonly connectorId: number;
  /** The next 2.x `seqNo`. */
  readonly seqNo: number;
}

/**
 * A charging station speaking one version through neutral operations. Each outbound operation
 * rejects with `UNSUPPORTED_BY_VERSION` before sending when it has no equivalent in the version,
 * otherwise as `OcppSession.call` does.
 */
export interface GenericStation extends OperationMethods<StationMoreOperations> {
  /** The identity. */
  readonly identity: string;
  /** The version spoken on the current (or, before the first, the most preferred) connection. */
  readonly version: ProtocolVersion;
  /** The versions offered, in order of preference. */
  readonly offered: readonly ProtocolVersion[];
  /** The exact versioned session of the current connection's version. */
  readonly session: StationSession;
  /** Transactions started and not yet stopped, by neutral id. */
  readonly transactions: ReadonlyMap<string, StationTransaction>;
  /** Connects (starts the transport). */
  start(): Promise<void>;
  /** Closes the connection for good. */
  close(code?: number, reason?: string): Promise<void>;
  /** BootNotification. */
  boot(params: BootParams, options?: CallOptions): Promise<BootResult>;
  /** Heartbeat. */
  heartbeat(options?: CallOptions): Promise<HeartbeatResult>;
  /** Authorize. */
  authorize(params: AuthorizeParams, options?: CallOptions): Promise<AuthorizeResult>;
  /** StatusNotification. */
  statusNotification(params: StatusParams, options?: CallOptions): Promise<void>;
  /** MeterValues outside a transaction. */
  meterValues(params: MeterValuesParams, options?: CallOptions): Promise<void>;
  /** 1.6 StartTransaction, 2.x TransactionEvent Started. */
  startTransaction(
    params: StartTransactionParams,
    options?: CallOptions,
  ): Promise<StartTransactionResult>;
  /** 1.6 MeterValues with the transaction id, 2.x TransactionEvent Updated. */
  updateTransaction(
    params: UpdateTransactionParams,
    options?: CallOptions,
  ): Promise<TransactionResult>;
  /** 1.6 StopTransaction, 2.x TransactionEvent Ended. */
  stopTransaction(params: StopTransactionParams, options?: CallOptions): Promise<TransactionResult>;
  /** DataTransfer to the CSMS. */
  dataTransfer(params: DataTransferParams, options?: CallOptions): Promise<DataTransferResult>;
  /** FirmwareStatusNotification (1.6: SignedFirmwareStatusNotification for 2.x-only statuses or a request id). */
  firmwareStatusNotification(params: FirmwareStatusParams, options?: CallOptions): Promise<void>;
  /** LogStatusNotification (1.6: DiagnosticsStatusNotification without a request id). */
  logStatusNotification(params: LogStatusParams, options?: CallOptions): Promise<void>;
}
