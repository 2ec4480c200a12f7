import {
  type CallOptions,
  CsmsServer,
  createRouter,
  defaultLogger,
  Emitter,
  type Logger,
  type Router,
} from '@ocpp/rpc';
import { type ActionMapShape, OcppSdkError, type OcppVersion, wholeOption } from '@ocpp/runtime';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import type {
  CsmsHandlers,
  CsmsSession,
  GenericCsms,
  GenericCsmsEvents,
  GenericCsmsOptions,
  NoDeps,
  OpenTransaction,
  StationHandle,
} from './api.js';
import { compact } from './codec/util.js';
import {
  type AnyRpcContext,
  CallContext,
  type Inbound,
  installInbound,
  installVersioned,
  send,
} from './engine.js';
import { TransactionLedger } from './ledger.js';
import type { ProtocolVersion } from './model.js';
import { PROTOCOL_VERSIONS } from './model.js';
import {
  DEFAULT_REPORT_LIMITS,
  type IncompleteReport,
  ReportGatherer,
  type ReportLimits,
} from './reports.js';
import {
  type CsmsEnd,
  type CsmsOperations,
  type CsmsRouteContext,
  csms16,
  csms21,
  csms201,
  type OpenTransactionRecord,
  type TransactionReport,
} from './tables/csms.js';
import type { CsmsMoreOperations } from './tables/csms-2x.js';
import type { OperationMethods } from './tables/passthrough.js';

// biome-ignore lint/suspicious/noExplicitAny: routers of the three versions
type AnyCsmsRouter = Router<any, any, 'csms', any>;

/** What the CSMS keeps per station identity, across reconnects. */
class StationState {
  readonly ledger: TransactionLedger<OpenTransactionRecord>;
  /** Recently ended transactions and their last seqNo. */
  readonly ended = new Map<string, number>();
  private requestIds = 0;
  /** Multi-part reports in progress, made on first use. */
  reports: ReportGatherer | undefined;

  constructor(identity: string, maxOpen: number, logger: Logger) {
    this.ledger = new TransactionLedger(identity, maxOpen, logger);
  }

  nextRequestId(): number {
    this.requestIds = (this.requestIds % 2_147_483_647) + 1;
    return this.requestIds;
  }
}

class GenericCsmsImpl<D> extends Emitter<GenericCsmsEvents> implements GenericCsms {
  readonly server: CsmsServer<AnyCsmsRouter[]>;
  private readonly handles = new WeakMap<object, StationHandleImpl>();
  private readonly states = new Map<string, StationState>();
  /** Disconnected stations whose state is kept (open transactions), longest-disconnected first. */
  private readonly parked = new Set<string>();
  private readonly logger: Logger;
  private readonly maxOpen: number;
  private readonly maxParked: number;
  private readonly reportLimits: ReportLimits;
  private lastTransactionId = 0;

  constructor(private readonly options: GenericCsmsOptions<D>) {
    super();
    this.logger = options.logger ?? defaultLogger;
    this.reportLimits = { ...DEFAULT_REPORT_LIMITS, ...options.reports };
    this.maxOpen = wholeOption(
      'maxOpenTransactionsPerStation',
      options.maxOpenTransactionsPerStation,
      64,
      1,
    );
    this.maxParked = wholeOption(
      'maxDisconnectedStations',
      options.maxDisconnectedStations,
      10_000,
      0,
    );
    const versions = options.versions ?? PROTOCOL_VERSIONS;
    this.server = new CsmsServer({
      listener: options.listener,
      routers: versions.map((v) => this.router(v)),
      ...compact({ session: options.session, logger: options.logger }),
    });
    this.server.on('session', (session) => this.emit('connect', this.handleOf(session)));
    this.server.on('disconnect', (session, info) => {
      const handle = this.handleOf(session);
      // Reports in progress end with the connection (the asker hears CONNECTION_CLOSED).
      if (this.server.get(handle.identity) === undefined) {
        this.states.get(handle.identity)?.reports?.clear();
        this.park(handle.identity);
      }
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

  private stateOf(identity: string): StationState {
    let state = this.states.get(identity);
    if (state === undefined) {
      state = new StationState(identity, this.maxOpen, this.logger);
      this.states.set(identity, state);
    }
    this.parked.delete(identity);
    return state;
  }

  /**
   * A station went away: keep its state, within the bound, while it has open transactions or
   * remembers ended ones (a station that comes back resends an end it never saw answered; only
   * that memory tells it from a new event).
   */
  private park(identity: string): void {
    const state = this.states.get(identity);
    if (state === undefined) return;
    if (state.ledger.size === 0 && state.ended.size === 0) {
      this.states.delete(identity);
      return;
    }
    this.parked.add(identity);
    if (this.parked.size <= this.maxParked) return;
    const oldest = this.parked.values().next().value as string;
    this.parked.delete(oldest);
    const forgotten = this.states.get(oldest);
    this.states.delete(oldest);
    if ((forgotten?.ledger.size ?? 0) > 0)
      this.logger.warn(
        `${oldest}: more than ${this.maxParked} disconnected stations kept; forgot its ${forgotten?.ledger.size} open transactions`,
      );
  }

  private handleOf(session: CsmsSession): StationHandleImpl {
    let handle = this.handles.get(session);
    if (handle === undefined) {
      handle = new StationHandleImpl(
        session,
        this.stateOf(session.identity),
        this.allocator,
        this.reporter,
        this.reportLimits,
        this.incomplete,
      );
      this.handles.set(session, handle);
    }
    return handle;
  }

  private readonly allocator = async (identity: string): Promise<number> => {
    if (this.options.allocateTransactionId !== undefined)
      return this.options.allocateTransactionId(identity);
    this.lastTransactionId = (this.lastTransactionId % 2_147_483_647) + 1;
    return this.lastTransactionId;
  };

  private readonly reporter = (station: StationHandle, report: TransactionReport): void => {
    this.emit('transactionReport', station, report);
  };

  private readonly incomplete = (station: StationHandle, report: IncompleteReport): void => {
    this.emit('reportIncomplete', station, report);
  };

  private readonly contextOf = (rpc: AnyRpcContext, raw: unknown): CsmsRouteContext =>
    new CsmsCall(this.handleOf(rpc.session), rpc, raw);

  /** The router of a version: the codec's routes, the versioned handlers, services, deps. */
  private router(version: ProtocolVersion): AnyCsmsRouter {
    switch (version) {
      case 'ocpp1.6':
        return this.build(createRouter(v16Protocol, 'csms'), csms16.inbound, version);
      case 'ocpp2.0.1':
        return this.build(createRouter(v201Protocol, 'csms'), csms201.inbound, version);
      case 'ocpp2.1':
        return this.build(createRouter(v21Protocol, 'csms'), csms21.inbound, version);
      default:
        throw new OcppSdkError('INVALID_ARGUMENT', `unknown OCPP version ${String(version)}`);
    }
  }

  private build<V extends OcppVersion, M extends ActionMapShape<M>, P extends ProtocolVersion>(
    router: Router<V, M, 'csms'>,
    routes: readonly Inbound<Router<V, M, 'csms'>, CsmsHandlers, CsmsRouteContext>[],
    version: P,
  ): Router<V, M, 'csms'> {
    const o = this.options;
    for (const service of o.services ?? []) router.use(service);
    for (const [key, value] of Object.entries(o.deps ?? {})) router.inject(key, value);
    installInbound(
      router,
      routes,
      o.handlers as CsmsHandlers,
      this.contextOf,
      o.after as Parameters<typeof installInbound>[4],
    );
    installVersioned(router, o.versioned?.[version], o.versionedAfter?.[version], this.contextOf);
    return router;
  }
}

/** The neutral context of one inbound call on the CSMS side. */
class CsmsCall extends CallContext<StationHandleImpl, CsmsSession> implements CsmsRouteContext {}

type Params<K extends keyof CsmsOperations> = CsmsOperations[K][0];
type Result<K extends keyof CsmsOperations> = Promise<CsmsOperations[K][1]>;

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: its interface lists the methods the static block makes
class StationHandleImpl implements StationHandle, CsmsEnd {
  readonly identity: string;
  readonly version: ProtocolVersion;

  constructor(
    readonly session: CsmsSession,
    private readonly state: StationState,
    private readonly allocator: (identity: string) => Promise<number>,
    private readonly reporter: (station: StationHandle, report: TransactionReport) => void,
    private readonly reportLimits: ReportLimits,
    private readonly incomplete: (station: StationHandle, report: IncompleteReport) => void,
  ) {
    this.identity = session.identity;
    this.version = session.protocol;
  }

  get ledger(): TransactionLedger<OpenTransactionRecord> {
    return this.state.ledger;
  }

  get transactions(): ReadonlyMap<string, OpenTransaction> {
    return this.state.ledger.view;
  }

  nextRequestId(): number {
    return this.state.nextRequestId();
  }

  allocate(): Promise<number> {
    return this.allocator(this.identity);
  }

  get ended(): Map<string, number> {
    return this.state.ended;
  }

  get reports(): ReportGatherer {
    this.state.reports ??= new ReportGatherer(this.reportLimits, (report) =>
      this.incomplete(this, report),
    );
    return this.state.reports;
  }

  report(report: TransactionReport): void {
    this.reporter(this, report);
  }

  /** Sends a neutral operation through the codec of the station's version. */
  private send<K extends keyof CsmsOperations>(
    operation: K,
    params: Params<K>,
    options: CallOptions | undefined,
  ): Result<K> {
    const s = this.session;
    switch (s.protocol) {
      case 'ocpp1.6':
        return send(csms16.outbound, s.protocol, operation, s, params, this, options);
      case 'ocpp2.0.1':
        return send(csms201.outbound, s.protocol, operation, s, params, this, options);
      default:
        return send(csms21.outbound, s.protocol, operation, s, params, this, options);
    }
  }

  remoteStart(p: Params<'remoteStart'>, o?: CallOptions): Result<'remoteStart'> {
    return this.send('remoteStart', p, o);
  }
  remoteStop(p: Params<'remoteStop'>, o?: CallOptions): Result<'remoteStop'> {
    return this.send('remoteStop', p, o);
  }
  reset(p: Params<'reset'>, o?: CallOptions): Result<'reset'> {
    return this.send('reset', p, o);
  }
  changeAvailability(p: Params<'changeAvailability'>, o?: CallOptions) {
    return this.send('changeAvailability', p, o);
  }
  unlockConnector(p: Params<'unlockConnector'>, o?: CallOptions): Result<'unlockConnector'> {
    return this.send('unlockConnector', p, o);
  }
  triggerMessage(p: Params<'triggerMessage'>, o?: CallOptions): Result<'triggerMessage'> {
    return this.send('triggerMessage', p, o);
  }
  getConfiguration(p: Params<'getConfiguration'> = {}, o?: CallOptions) {
    return this.send('getConfiguration', p, o);
  }
  setConfiguration(p: Params<'setConfiguration'>, o?: CallOptions) {
    return this.send('setConfiguration', p, o);
  }
  dataTransfer(p: Params<'dataTransfer'>, o?: CallOptions): Result<'dataTransfer'> {
    return this.send('dataTransfer', p, o);
  }
  updateFirmware(p: Params<'updateFirmware'>, o?: CallOptions): Result<'updateFirmware'> {
    return this.send('updateFirmware', p, o);
  }
  getLog(p: Params<'getLog'>, o?: CallOptions): Result<'getLog'> {
    return this.send('getLog', p, o);
  }
  setChargingProfile(p: Params<'setChargingProfile'>, o?: CallOptions) {
    return this.send('setChargingProfile', p, o);
  }
  clearChargingProfile(p: Params<'clearChargingProfile'>, o?: CallOptions) {
    return this.send('clearChargingProfile', p, o);
  }
  getCompositeSchedule(p: Params<'getCompositeSchedule'>, o?: CallOptions) {
    return this.send('getCompositeSchedule', p, o);
  }
  reserveNow(p: Params<'reserveNow'>, o?: CallOptions): Result<'reserveNow'> {
    return this.send('reserveNow', p, o);
  }
  cancelReservation(p: Params<'cancelReservation'>, o?: CallOptions) {
    return this.send('cancelReservation', p, o);
  }
  sendLocalList(p: Params<'sendLocalList'>, o?: CallOptions): Result<'sendLocalList'> {
    return this.send('sendLocalList', p, o);
  }
  getLocalListVersion(o?: CallOptions): Result<'getLocalListVersion'> {
    return this.send('getLocalListVersion', undefined, o);
  }
  clearCache(o?: CallOptions): Result<'clearCache'> {
    return this.send('clearCache', undefined, o);
  }

  // The operations beyond these (certificates, the device model, reports, 2.1's blocks) are
  // methods made from the codec: each sends its neutral operation, as the ones above do.
  static {
    const proto = StationHandleImpl.prototype as unknown as Record<string, unknown>;
    for (const operation of Object.keys(csms21.outbound) as (keyof CsmsOperations)[]) {
      if (operation in proto) continue;
      proto[operation] = function (this: StationHandleImpl, p: unknown, o?: CallOptions) {
        return this.send(operation, p as never, o);
      };
    }
  }
}

// The methods the class's static block makes.
interface StationHandleImpl extends OperationMethods<CsmsMoreOperations> {}

/**
 * Creates a CSMS that serves 1.6, 2.0.1 and 2.1 stations through one set of neutral handlers.
 * Start the listener yourself (`await listener.listen()`), as with `CsmsServer`.
 */
export function createGenericCsms<D = NoDeps>(options: GenericCsmsOptions<D>): GenericCsms {
  return new GenericCsmsImpl(options);
}
