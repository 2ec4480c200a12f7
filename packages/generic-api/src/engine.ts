/**
 * The two engines behind the neutral API: one for outbound operations, one that builds a router
 * from a version's inbound table. A version's codec is data ({@link Codec}): for each neutral
 * operation one {@link Outbound} entry, for each neutral handler the {@link Inbound} routes that
 * feed it. The helpers {@link outboundOf} and {@link inboundOf} type every entry against the
 * version's generated action map, so a misspelled action or a wrong payload shape fails to compile.
 */
import type {
  CallableBy,
  CallOptions,
  HandledBy,
  Handler,
  HandlerContext,
  HandlerResult,
  OcppSession,
  Router,
} from '@ocpp/rpc';
import { type ActionMapShape, isSentBy, OcppSdkError, type OcppVersion } from '@ocpp/runtime';
import type { MaybePromise } from './api.js';
import { unsupported } from './errors.js';
import type { ProtocolVersion } from './model.js';

/** Which side of the connection plays this codec. */
type Side = 'csms' | 'station';

/** Neutral operations: each name maps to `[params, result]`. */
export type Operations<Ops> = { readonly [K in keyof Ops]: readonly [unknown, unknown] };

/**
 * One neutral operation in one version: stamps the neutral parameters into the wire request,
 * sends it on the typed session and lifts the answer. `End` is the neutral end (station handle
 * or generic station) the stamps read state from.
 */
export interface Outbound<Session, End, P, R> {
  /** The actions this operation may send (two when the parameters choose, as 1.6 firmware). */
  readonly actions: readonly string[];
  send(session: Session, params: P, end: End, options: CallOptions | undefined): Promise<R>;
}

/** A version's outbound table: an absent operation has no equivalent in the version. */
export type OutboundTable<Session, End, Ops extends Operations<Ops>> = {
  readonly [K in keyof Ops]?: Outbound<Session, End, Ops[K][0], Ops[K][1]>;
};

/**
 * The typed entry builders of one version and side. `call(action, stamp, lift)` is the common
 * row; `custom(actions, send)` covers operations that choose between actions or need more than
 * one stamp (the send is still written against the typed session).
 */
export function outboundOf<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Side,
  End,
>() {
  type S = OcppSession<V, M, R>;
  return {
    call<A extends CallableBy<M, R>, P, Res>(
      action: A,
      stamp: (params: P, end: End) => M[A]['request'],
      lift: (response: M[A]['response'], params: P, end: End) => Res,
    ): Outbound<S, End, P, Res> {
      return {
        actions: [action],
        send: async (session, params, end, options) =>
          lift(await session.call(action, stamp(params, end), options), params, end),
      };
    },
    custom<P, Res>(
      actions: readonly CallableBy<M, R>[],
      send: (session: S, params: P, end: End, options: CallOptions | undefined) => Promise<Res>,
    ): Outbound<S, End, P, Res> {
      return { actions, send };
    },
  };
}

/**
 * Runs a neutral operation through a version's table: an operation the table lacks rejects with
 * `UNSUPPORTED_BY_VERSION` before anything is sent.
 */
export function send<Session, End, Ops extends Operations<Ops>, K extends keyof Ops & string>(
  table: OutboundTable<Session, End, Ops>,
  version: ProtocolVersion,
  operation: K,
  session: Session,
  params: Ops[K][0],
  end: End,
  options: CallOptions | undefined,
): Promise<Ops[K][1]> {
  const entry = table[operation];
  if (entry === undefined) return Promise.reject(unsupported(version, operation));
  try {
    return entry.send(session, params, end, options);
  } catch (e) {
    // A stamp that throws (no equivalent for these parameters) rejects like the rest.
    return Promise.reject(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Inbound
// ---------------------------------------------------------------------------------------------

/** The neutral handlers of one side, by name; each takes `(params, context)` or `(context)`. */
export type HandlerSet = object;

/** A neutral handler of any shape, as the engine calls it. */
type AnyHandler = (...args: unknown[]) => unknown;

function handlerOf(handlers: HandlerSet, name: string): AnyHandler | undefined {
  return (handlers as Record<string, AnyHandler | undefined>)[name];
}

/** Records what a neutral handler was given and answered, for the neutral after-hooks. */
export interface Recorded {
  params?: unknown;
  result?: unknown;
}

/**
 * One inbound action of one version and the neutral handlers it feeds. `install` registers it on
 * the router (an empty `needs` means always, as the Heartbeat default answer); `after`, when
 * given, runs once the CALLRESULT has been sent.
 */
export interface Inbound<Rtr, H extends HandlerSet, Ctx> {
  readonly action: string;
  readonly needs: readonly (keyof H & string)[];
  /** Installed even when none of `needs` is given (the answer does not depend on a handler). */
  readonly always?: boolean;
  install(
    router: Rtr,
    handlers: H,
    contextOf: (rpc: AnyRpcContext, raw: unknown) => Ctx,
    after: ((rpc: AnyRpcContext) => MaybePromise<void>) | undefined,
  ): void;
}

/** The rpc handler context of any version. */
// biome-ignore lint/suspicious/noExplicitAny: the context of sessions of every version
export type AnyRpcContext = HandlerContext<any, any, any, any>;

/**
 * The typed route builder of one version and side: `route(action, needs, answer)` answers a
 * CALL of `action` from the neutral handlers `needs`; `answer` lifts the request, calls the
 * handler and stamps its result, against the generated request and response types.
 */
export function inboundOf<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Side,
  H extends HandlerSet,
  Ctx,
>() {
  // biome-ignore lint/suspicious/noExplicitAny: routers with any injected dependencies
  type Rtr = Router<V, M, R, any>;
  return {
    route<A extends HandledBy<M, R>>(
      action: A,
      needs: readonly (keyof H & string)[],
      answer: (request: M[A]['request'], context: Ctx, handlers: H) => HandlerResult<M, A>,
    ): Inbound<Rtr, H, Ctx> {
      return {
        action,
        needs,
        install(router, handlers, contextOf, after) {
          router.handle(action, (request, rpc) =>
            answer(request, contextOf(rpc, request), handlers),
          );
          if (after !== undefined) router.after(action, (_request, _response, rpc) => after(rpc));
        },
      };
    },
  };
}

/** A session as the rows a table builds from data call it (by action name). */
export interface UntypedSession {
  call(action: string, payload: unknown, options: CallOptions | undefined): Promise<unknown>;
  send?(action: string, payload: unknown): void;
}

/** An outbound row built from data: typed by the table it is spread into. */
export type UntypedOutbound = Outbound<never, never, never, unknown>;

/** A neutral handler as a route built from data calls it. */
export type NamedHandler = (params: unknown, context: unknown) => unknown;

interface NamedRouter {
  handle(action: string, handler: (request: unknown, rpc: AnyRpcContext) => unknown): void;
  after(
    action: string,
    hook: (request: unknown, response: unknown, rpc: AnyRpcContext) => unknown,
  ): void;
}

/**
 * A route a table builds from data (an action and a handler name, not a typed entry): `answer`
 * gets the request, the neutral context and the named handler. Installed when that handler is
 * given, or with `always` whether or not (the answer does not depend on it; `handle` may then be
 * undefined).
 */
export function namedRoute<Rtr, H extends object, Ctx>(
  action: string,
  handler: string,
  answer: (request: unknown, context: Ctx, handle: NamedHandler | undefined) => unknown,
  always = false,
): Inbound<Rtr, H, Ctx> {
  return {
    action,
    needs: [handler as keyof H & string],
    always,
    install(router, handlers, contextOf, after) {
      const r = router as unknown as NamedRouter;
      const h = handlerOf(handlers, handler) as NamedHandler | undefined;
      if (h === undefined && !always) return;
      r.handle(action, (request, rpc) => answer(request, contextOf(rpc, request), h));
      if (after !== undefined) r.after(action, (_request, _response, rpc) => after(rpc));
    },
  };
}

/** A version's codec for one side: its outbound operations and its inbound routes. */
export interface Codec<Session, End, Ops extends Operations<Ops>, Rtr, H extends HandlerSet, Ctx> {
  readonly version: ProtocolVersion;
  readonly outbound: OutboundTable<Session, End, Ops>;
  readonly inbound: readonly Inbound<Rtr, H, Ctx>[];
}

/** Neutral after-hooks: by neutral handler name, `(params, result, context)`. */
export type AfterHooks<H extends HandlerSet, Ctx> = {
  readonly [K in keyof H]?: (params: never, result: never, context: Ctx) => MaybePromise<void>;
};

/**
 * Builds a router from a codec's inbound routes: each route whose neutral handler is given. With
 * neutral after-hooks, the handlers are wrapped to record what they were given and answered, and
 * the hooks run after the CALLRESULT has been sent (the router's `after`).
 */
export function installInbound<Rtr, H extends HandlerSet, Ctx extends Recorded>(
  router: Rtr,
  routes: readonly Inbound<Rtr, H, Ctx>[],
  handlers: H,
  contextOf: (rpc: AnyRpcContext, raw: unknown) => Ctx,
  after: AfterHooks<H, Ctx> | undefined,
): void {
  const hooked = after === undefined ? undefined : recording(handlers, after, contextOf);
  for (const route of routes) {
    const needs = route.needs;
    if (
      route.always !== true &&
      needs.length > 0 &&
      !needs.some((name) => handlerOf(handlers, name) !== undefined)
    )
      continue;
    if (hooked === undefined) {
      route.install(router, handlers, contextOf, undefined);
      continue;
    }
    const hooks: Hook<Ctx>[] = [];
    for (const name of needs) {
      const hook = after?.[name];
      if (hook !== undefined && handlerOf(handlers, name) !== undefined)
        hooks.push(hook as Hook<Ctx>);
    }
    route.install(
      router,
      hooked.handlers,
      hooked.contextOf,
      hooks.length === 0 ? undefined : (rpc) => hooked.run(hooks, rpc),
    );
  }
}

type Hook<Ctx> = (params: unknown, result: unknown, context: Ctx) => MaybePromise<void>;

/**
 * Wraps each hooked neutral handler so its context records its params and result, and keeps the
 * neutral context of each inbound call (the rpc context is one object per call) for the hooks.
 */
function recording<H extends HandlerSet, Ctx extends Recorded>(
  handlers: H,
  after: AfterHooks<H, Ctx>,
  inner: (rpc: AnyRpcContext, raw: unknown) => Ctx,
) {
  const contexts = new WeakMap<AnyRpcContext, Ctx>();
  const wrapped: Record<string, unknown> = { ...(handlers as Record<string, unknown>) };
  for (const name of Object.keys(after)) {
    const f = handlerOf(handlers, name);
    if (f === undefined) continue;
    wrapped[name] = (...args: unknown[]) => {
      const context = args[args.length - 1] as Ctx;
      if (args.length > 1) context.params = args[0];
      const result = f(...args);
      if (!(result instanceof Promise)) {
        context.result = result;
        return result;
      }
      return result.then((r) => {
        context.result = r;
        return r;
      });
    };
  }
  return {
    handlers: wrapped as H,
    contextOf(rpc: AnyRpcContext, raw: unknown): Ctx {
      let context = contexts.get(rpc);
      if (context === undefined) {
        context = inner(rpc, raw);
        contexts.set(rpc, context);
      }
      return context;
    },
    async run(hooks: readonly Hook<Ctx>[], rpc: AnyRpcContext): Promise<void> {
      const context = contexts.get(rpc);
      if (context === undefined) return;
      for (const hook of hooks) await hook(context.params, context.result, context);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Versioned handlers
// ---------------------------------------------------------------------------------------------

/** A versioned handler or hook as the engine calls it. */
type Untyped<Args extends unknown[]> = ((...args: Args) => unknown) | undefined;

/**
 * Registers versioned handlers and after-hooks on a router. The maps are typed per action for
 * the user; here their keys are walked as strings, each checked to be an action the peer sends
 * in this version, and registered as the router's own type. A handler and the hook of the same
 * call share one neutral context.
 */
export function installVersioned<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Side,
  Ctx,
>(
  router: Router<V, M, R>,
  handlers: object | undefined,
  hooks: object | undefined,
  contextOf: (rpc: AnyRpcContext, raw: unknown) => Ctx,
): void {
  if (handlers === undefined && hooks === undefined) return;
  const contexts = new WeakMap<AnyRpcContext, Ctx>();
  const context = (rpc: AnyRpcContext, raw: unknown): Ctx => {
    let c = contexts.get(rpc);
    if (c === undefined) {
      c = contextOf(rpc, raw);
      contexts.set(rpc, c);
    }
    return c;
  };
  const check = (action: string, what: string): HandledBy<M, R> => {
    const protocol = router.protocol;
    const peer = router.role === 'csms' ? 'station' : 'csms';
    if (!protocol.isAction(action) || !isSentBy(protocol.actions[action].direction, peer))
      throw new OcppSdkError(
        'UNKNOWN_ACTION',
        `versioned ${what} "${action}": not an action a ${peer === 'station' ? 'station' : 'CSMS'} sends in OCPP ${protocol.version}`,
      );
    return action as HandledBy<M, R>;
  };
  const byAction = (handlers ?? {}) as Record<string, Untyped<[unknown, Ctx]>>;
  for (const name of Object.keys(byAction)) {
    const f = byAction[name];
    if (f === undefined) continue;
    const action = check(name, 'handler');
    const handler = ((request: unknown, rpc: AnyRpcContext) =>
      f(request, context(rpc, request))) as Handler<V, M, R, NoDeps, typeof action>;
    router.handle(action, handler);
  }
  const afterAction = (hooks ?? {}) as Record<string, Untyped<[unknown, unknown, Ctx]>>;
  for (const name of Object.keys(afterAction)) {
    const hook = afterAction[name];
    if (hook === undefined) continue;
    router.after(check(name, 'after-hook'), async (request, response, rpc) => {
      await hook(request, response, context(rpc, request));
    });
  }
}

type NoDeps = Record<string, never>;

// ---------------------------------------------------------------------------------------------
// Contexts
// ---------------------------------------------------------------------------------------------

/** What a neutral context reads of its end (a CSMS's station handle, or the generic station). */
interface ContextEnd<S> {
  readonly identity: string;
  readonly version: ProtocolVersion;
  readonly session: S;
}

/**
 * The neutral context of one inbound call, on either side: the end's identity, version and
 * session, the rpc call's fields, the raw request, and what a neutral after-hook needs recorded.
 */
export class CallContext<E extends ContextEnd<S>, S> implements Recorded {
  params?: unknown;
  result?: unknown;
  constructor(
    readonly station: E,
    private readonly rpc: AnyRpcContext,
    readonly raw: unknown,
  ) {}
  get end(): E {
    return this.station;
  }
  get identity(): string {
    return this.station.identity;
  }
  get version(): ProtocolVersion {
    return this.station.version;
  }
  get session(): S {
    return this.station.session;
  }
  get messageId(): string {
    return this.rpc.messageId;
  }
  get action(): string {
    return this.rpc.action;
  }
  get deps(): NoDeps {
    return this.rpc.deps;
  }
  get signal(): AbortSignal {
    return this.rpc.signal;
  }
}
