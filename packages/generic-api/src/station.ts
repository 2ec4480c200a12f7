import { type CallOptions, createRouter, OcppSession, type Router } from '@ocpp/rpc';
import { isOcppCallError, isOcppSdkError, OcppSdkError } from '@ocpp/runtime';
import type {
  Transport,
  TransportCloseInfo,
  TransportHandlers,
  TransportOpenInfo,
} from '@ocpp/transport';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import type {
  GenericStation,
  GenericStationOptions,
  NoDeps,
  StationHandlers,
  StationSession,
  StationTransaction,
} from './api.js';
import {
  type AnyRpcContext,
  CallContext,
  type Inbound,
  installInbound,
  installVersioned,
  send,
} from './engine.js';
import { TransactionLedger } from './ledger.js';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from './model.js';
import type { OperationMethods } from './tables/passthrough.js';
import {
  orKept,
  type StationEnd,
  type StationOperations,
  type StationRouteContext,
  station16,
  station21,
  station201,
  type TransactionRecord,
} from './tables/station.js';
import type { StationMoreOperations } from './tables/station-2x.js';

// biome-ignore lint/suspicious/noExplicitAny: routers of the three versions
type AnyStationRouter = Router<any, any, 'station', any>;

/** The generic station behind each session, for the handlers' contexts. */
const stations = new WeakMap<object, GenericStationImpl<unknown>>();

/** What decides a station's routers besides the version: one set per distinct combination. */
interface Routing {
  readonly handlers: StationHandlers;
  readonly versioned: GenericStationOptions['versioned'];
  readonly versionedAfter: GenericStationOptions['versionedAfter'];
  readonly after: GenericStationOptions['after'];
  readonly services: GenericStationOptions['services'];
  readonly deps: unknown;
}

/**
 * Routers by handlers object, then by the other routing options and version: a fleet sharing one
 * options object shares one router per version.
 */
const routerCache = new WeakMap<
  StationHandlers,
  { routing: Routing; routers: Map<string, AnyStationRouter> }[]
>();
const NO_HANDLERS: StationHandlers = {};

function contextOf(rpc: AnyRpcContext, raw: unknown): StationRouteContext {
  const station = stations.get(rpc.session);
  if (station === undefined)
    throw new OcppSdkError('INVALID_STATE', 'no generic station for this session');
  return new StationCall(station, rpc, raw);
}

/** @internal The router of a routing and version, built once. */
export function routerFor(routing: Routing, version: ProtocolVersion): AnyStationRouter {
  let entries = routerCache.get(routing.handlers);
  if (entries === undefined) {
    entries = [];
    routerCache.set(routing.handlers, entries);
  }
  let entry = entries.find(
    (e) =>
      e.routing.versioned === routing.versioned &&
      e.routing.versionedAfter === routing.versionedAfter &&
      e.routing.after === routing.after &&
      e.routing.services === routing.services &&
      e.routing.deps === routing.deps,
  );
  if (entry === undefined) {
    entry = { routing, routers: new Map() };
    entries.push(entry);
  }
  let router = entry.routers.get(version);
  if (router === undefined) {
    router = build(routing, version);
    entry.routers.set(version, router);
  }
  return router;
}

function build(routing: Routing, version: ProtocolVersion): AnyStationRouter {
  switch (version) {
    case 'ocpp1.6':
      return install(createRouter(v16Protocol, 'station'), station16.inbound, routing, version);
    case 'ocpp2.0.1':
      return install(createRouter(v201Protocol, 'station'), station201.inbound, routing, version);
    case 'ocpp2.1':
      return install(createRouter(v21Protocol, 'station'), station21.inbound, routing, version);
    default:
      throw new OcppSdkError('INVALID_ARGUMENT', `unknown OCPP version ${String(version)}`);
  }
}

function install<Rtr extends AnyStationRouter>(
  router: Rtr,
  routes: readonly Inbound<Rtr, StationHandlers, StationRouteContext>[],
  routing: Routing,
  version: ProtocolVersion,
): Rtr {
  for (const service of routing.services ?? []) router.use(service);
  for (const [key, value] of Object.entries(routing.deps ?? {})) router.inject(key, value);
  installInbound(
    router,
    routes,
    routing.handlers,
    contextOf,
    routing.after as Parameters<typeof installInbound>[4],
  );
  installVersioned(
    router,
    routing.versioned?.[version],
    routing.versionedAfter?.[version],
    contextOf,
  );
  return router;
}

/** The neutral context of one inbound call on the station side. */
class StationCall
  extends CallContext<GenericStationImpl<unknown>, StationSession>
  implements StationRouteContext {}

/**
 * Lets one transport carry the session of whichever offered version a connection negotiated:
 * binds the transport once and hands each connection's events to that version's lane, which
 * its session sees as its own transport.
 */
class Switchboard implements TransportHandlers {
  private readonly lanes = new Map<string, Lane>();
  active: Lane | undefined;

  constructor(
    readonly transport: Transport,
    versions: readonly ProtocolVersion[],
    private readonly onSwitch: (version: ProtocolVersion) => void,
  ) {
    for (const v of versions) this.lanes.set(v, new Lane(this));
    transport.bind(this);
  }

  lane(version: ProtocolVersion): Lane {
    return this.lanes.get(version) as Lane;
  }

  message(text: string): void {
    this.active?.handlers?.message(text);
  }

  open(info: TransportOpenInfo): void {
    const lane = this.lanes.get(info.protocol);
    this.active = lane;
    if (lane === undefined) {
      // The CSMS picked a subprotocol this station did not offer: start() reports it.
      return;
    }
    this.onSwitch(info.protocol as ProtocolVersion);
    lane.handlers?.open(info);
  }

  close(info: TransportCloseInfo): void {
    this.active?.handlers?.close(info);
  }

  error(error: Error): void {
    (this.active ?? this.lanes.values().next().value)?.handlers?.error(error);
  }
}

/** One version's view of a shared transport: open only while its version is the connection's. */
class Lane implements Transport {
  handlers: TransportHandlers | undefined;
  constructor(private readonly board: Switchboard) {}
  get isOpen(): boolean {
    return this.board.active === this && this.board.transport.isOpen;
  }
  get protocol(): string {
    return this.board.transport.protocol;
  }
  bind(handlers: TransportHandlers): void {
    if (this.handlers !== undefined)
      throw new OcppSdkError('INVALID_STATE', 'a transport accepts exactly one binding');
    this.handlers = handlers;
  }
  start(): Promise<void> {
    return this.board.transport.start();
  }
  send(text: string): void {
    if (this.board.active !== this)
      throw new OcppSdkError('NOT_CONNECTED', 'not connected in this version');
    this.board.transport.send(text);
  }
  close(code?: number, reason?: string): Promise<void> {
    return this.board.transport.close(code, reason);
  }
  pause(): void {
    if (this.board.active === this) this.board.transport.pause?.();
  }
  resume(): void {
    if (this.board.active === this) this.board.transport.resume?.();
  }
}

const KEPT = { kept: true } as const;

type Params<K extends keyof StationOperations> = StationOperations[K][0];
type Result<K extends keyof StationOperations> = Promise<StationOperations[K][1]>;

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: its interface lists the methods the static block makes
class GenericStationImpl<D> implements GenericStation, StationEnd {
  readonly identity: string;
  readonly offered: readonly ProtocolVersion[];
  readonly ledger: TransactionLedger<TransactionRecord>;
  private readonly transport: Transport;
  /** The session of each offered version, when more than one is offered. */
  private readonly sessions: Map<ProtocolVersion, StationSession> | undefined;
  private current: StationSession;

  constructor(options: GenericStationOptions<D>) {
    this.identity = options.identity;
    this.transport = options.transport;
    this.offered = offeredOf(options.protocol);
    this.ledger = new TransactionLedger(options.identity);
    const routing: Routing = {
      handlers: (options.handlers ?? NO_HANDLERS) as StationHandlers,
      versioned: options.versioned as Routing['versioned'],
      versionedAfter: options.versionedAfter as Routing['versionedAfter'],
      after: options.after as Routing['after'],
      services: options.services,
      deps: options.deps,
    };
    const [first] = this.offered as [ProtocolVersion];
    if (this.offered.length === 1) {
      this.sessions = undefined;
      this.current = this.open(first, options.transport, routing, options);
      stations.set(this.current, this as GenericStationImpl<unknown>);
    } else {
      const board = new Switchboard(options.transport, this.offered, (v) => this.switchTo(v));
      this.sessions = new Map();
      for (const version of this.offered) {
        const session = this.open(version, board.lane(version), routing, options);
        this.sessions.set(version, session);
        stations.set(session, this as GenericStationImpl<unknown>);
      }
      this.current = this.sessions.get(first) as StationSession;
    }
    const standIns = standInsOf(options.session?.queue);
    if (standIns !== undefined) this.followStandIns(standIns);
    for (const t of options.transactions ?? []) {
      // A 1.6 start made offline whose answer came in before a restart: the CSMS's id.
      const id16 = t.transactionId16;
      const answered = id16 !== undefined && id16 < 0 ? standIns?.transactionIdOf(id16) : undefined;
      this.ledger.remember(answered === undefined ? { ...t } : { ...t, transactionId16: answered });
    }
  }

  /**
   * 1.6: listens for the CSMS's ids of starts the outbox kept while this station's connection is
   * open (only an answer brings one), so the many station objects one outbox may serve over
   * reconnects do not each keep a listener.
   */
  private followStandIns(standIns: StandInQueue): void {
    let off: (() => void) | undefined;
    const sessions = this.sessions === undefined ? [this.current] : [...this.sessions.values()];
    for (const session of sessions) {
      session.on('open', () => {
        off ??= standIns.on('transactionId', (standIn, id) => this.ledger.renumber16(standIn, id));
      });
      session.on('close', () => {
        off?.();
        off = undefined;
      });
    }
  }

  private open(
    version: ProtocolVersion,
    transport: Transport,
    routing: Routing,
    options: GenericStationOptions<D>,
  ): StationSession {
    const common = {
      ...options.session,
      role: 'station' as const,
      transport,
      identity: options.identity,
    };
    switch (version) {
      case 'ocpp1.6':
        return new OcppSession({
          ...common,
          protocol: v16Protocol,
          router: routerFor(routing, version),
        });
      case 'ocpp2.0.1':
        return new OcppSession({
          ...common,
          protocol: v201Protocol,
          router: routerFor(routing, version),
        });
      default:
        return new OcppSession({
          ...common,
          protocol: v21Protocol,
          router: routerFor(routing, version),
        });
    }
  }

  private switchTo(version: ProtocolVersion): void {
    const session = this.sessions?.get(version);
    if (session !== undefined) this.current = session;
  }

  get version(): ProtocolVersion {
    return this.current.protocol;
  }

  get session(): StationSession {
    return this.current;
  }

  get isOpen(): boolean {
    return this.current.isOpen;
  }

  get transactions(): ReadonlyMap<string, StationTransaction> {
    return this.ledger.view;
  }

  async start(): Promise<void> {
    await this.current.start();
    const negotiated = this.transport.protocol;
    if (negotiated !== '' && !this.offered.includes(negotiated as ProtocolVersion)) {
      await this.transport.close(1002, 'subprotocol mismatch');
      throw new OcppSdkError(
        'UNSUPPORTED_BY_VERSION',
        `the transport negotiated ${negotiated}, the station speaks ${this.offered.join(', ')}`,
      );
    }
  }

  close(code?: number, reason?: string): Promise<void> {
    return this.current.close(code, reason);
  }

  /** Sends a neutral operation through the codec of the current connection's version. */
  private send<K extends keyof StationOperations>(
    operation: K,
    params: Params<K>,
    options: CallOptions | undefined,
  ): Result<K> {
    const s = this.current;
    switch (s.protocol) {
      case 'ocpp1.6':
        return send(station16.outbound, s.protocol, operation, s, params, this, options);
      case 'ocpp2.0.1':
        return send(station201.outbound, s.protocol, operation, s, params, this, options);
      default:
        return send(station21.outbound, s.protocol, operation, s, params, this, options);
    }
  }

  boot(p: Params<'boot'>, o?: CallOptions): Result<'boot'> {
    return this.send('boot', p, o);
  }
  heartbeat(o?: CallOptions): Result<'heartbeat'> {
    return this.send('heartbeat', undefined, o);
  }
  authorize(p: Params<'authorize'>, o?: CallOptions): Result<'authorize'> {
    return this.send('authorize', p, o);
  }
  statusNotification(p: Params<'statusNotification'>, o?: CallOptions) {
    return this.send('statusNotification', p, o);
  }
  meterValues(p: Params<'meterValues'>, o?: CallOptions): Result<'meterValues'> {
    return this.send('meterValues', p, o);
  }
  startTransaction(p: Params<'startTransaction'>, o?: CallOptions) {
    return this.send('startTransaction', p, o);
  }
  updateTransaction(p: Params<'updateTransaction'>, o?: CallOptions) {
    return orKept(
      () => this.send('updateTransaction', p, o),
      () => KEPT,
    );
  }
  async stopTransaction(p: Params<'stopTransaction'>, o?: CallOptions) {
    try {
      const result = await this.send('stopTransaction', p, o);
      this.ledger.forget(p.transactionId);
      return result;
    } catch (e) {
      // The outbox keeps the stop and delivers it: the transaction is handed over.
      if (isOcppSdkError(e) && e.code === 'KEPT') {
        this.ledger.forget(p.transactionId);
        return KEPT;
      }
      // A CALLERROR means the CSMS has the stop. Otherwise (not connected, closed, timed out,
      // invalid) the transaction stays open here, so the stop can be sent again, on this object
      // or on one it is carried over to.
      if (isOcppCallError(e)) this.ledger.forget(p.transactionId);
      throw e;
    }
  }
  dataTransfer(p: Params<'dataTransfer'>, o?: CallOptions): Result<'dataTransfer'> {
    return this.send('dataTransfer', p, o);
  }
  firmwareStatusNotification(p: Params<'firmwareStatusNotification'>, o?: CallOptions) {
    return this.send('firmwareStatusNotification', p, o);
  }
  logStatusNotification(p: Params<'logStatusNotification'>, o?: CallOptions) {
    return this.send('logStatusNotification', p, o);
  }

  // The operations beyond these (security, the 2.x reports and notifications, 2.1's blocks)
  // are methods made from the codec: each sends its neutral operation, as the ones above do.
  static {
    const proto = GenericStationImpl.prototype as unknown as Record<string, unknown>;
    for (const operation of Object.keys(station21.outbound) as (keyof StationOperations)[]) {
      if (operation in proto) continue;
      proto[operation] = function (this: GenericStationImpl<unknown>, p: unknown, o?: CallOptions) {
        return this.send(operation, p as never, o);
      };
    }
  }
}

// The methods the class's static block makes.
// biome-ignore lint/correctness/noUnusedVariables: the class's own type parameter
interface GenericStationImpl<D> extends OperationMethods<StationMoreOperations> {}

/**
 * What the station reads of a session queue that gives 1.6 StartTransactions made offline a
 * stand-in id (an `Outbox` of @ocpp/outbox): when the CSMS's id replaces it.
 */
interface StandInQueue {
  on(
    event: 'transactionId',
    listener: (standIn: number, transactionId: number) => void,
  ): () => void;
  transactionIdOf(standIn: number): number | undefined;
}

function standInsOf(queue: unknown): StandInQueue | undefined {
  const q = queue as Partial<StandInQueue> | undefined;
  return typeof q?.on === 'function' && typeof q.transactionIdOf === 'function'
    ? (q as StandInQueue)
    : undefined;
}

const SINGLE = new Map(PROTOCOL_VERSIONS.map((v) => [v, Object.freeze([v])]));

/** The offered versions: one, or a non-empty list of distinct known versions. */
function offeredOf(
  protocol: ProtocolVersion | readonly ProtocolVersion[],
): readonly ProtocolVersion[] {
  if (typeof protocol === 'string') {
    // One shared list per version: a fleet of single-version stations holds no list each.
    const single = SINGLE.get(protocol);
    if (single === undefined)
      throw new OcppSdkError('INVALID_ARGUMENT', `unknown protocol ${String(protocol)}`);
    return single;
  }
  const list = protocol;
  if (list.length === 0)
    throw new OcppSdkError('INVALID_ARGUMENT', 'protocol must name at least one version');
  for (const v of list) {
    if (!PROTOCOL_VERSIONS.includes(v))
      throw new OcppSdkError('INVALID_ARGUMENT', `unknown protocol ${String(v)}`);
  }
  if (new Set(list).size !== list.length)
    throw new OcppSdkError('INVALID_ARGUMENT', 'protocol lists a version twice');
  return [...list];
}

/**
 * Creates a charging station that speaks one version, or whichever of several the CSMS picks,
 * through neutral operations and handlers, over any transport. Call `start()` to connect.
 */
export function createGenericStation<D = NoDeps>(
  options: GenericStationOptions<D>,
): GenericStation {
  return new GenericStationImpl(options);
}
