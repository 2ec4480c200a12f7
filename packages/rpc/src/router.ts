import {
  type ActionDescriptor,
  type ActionMapShape,
  isSentBy,
  OcppSdkError,
  type OcppVersion,
  type Protocol,
} from '@ocpp/runtime';
import type { OcppSession } from './session.js';
import type { HandledBy, Role } from './types.js';

/** What a handler is given besides the request. */
export interface HandlerContext<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Role,
  D = Record<string, never>,
> {
  /** The station identity of the connection. */
  readonly identity: string;
  /** The message id of the CALL being answered. */
  readonly messageId: string;
  /** The action being handled. */
  readonly action: string;
  /** The session the CALL arrived on: use it to call the peer back. */
  readonly session: OcppSession<V, M, R>;
  /** Dependencies registered with {@link Router.inject}. */
  readonly deps: D;
  /** Aborted when the connection closes before the handler finished. */
  readonly signal: AbortSignal;
}

/** What a handler of `A` returns: the response payload (or its promise); nothing for a SEND. */
export type HandlerResult<
  M extends ActionMapShape<M>,
  A extends keyof M,
> = M[A]['kind'] extends 'SEND'
  ? void | Promise<void>
  : M[A]['response'] | Promise<M[A]['response']>;

/** Answers one action: returns (or resolves to) the response payload; throw `OcppCallError` to choose the CALLERROR. */
export type Handler<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Role,
  D,
  A extends keyof M,
> = (request: M[A]['request'], context: HandlerContext<V, M, R, D>) => HandlerResult<M, A>;

/** Runs after the CALLRESULT of an action was sent (the `@after` of the Python ocpp library). */
export type AfterHook<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Role,
  D,
  A extends keyof M,
> = (
  request: M[A]['request'],
  response: M[A]['response'],
  context: HandlerContext<V, M, R, D>,
) => void | Promise<void>;

/** An inbound CALL or SEND on its way through the services to its handler. */
export interface InboundCall {
  readonly action: string;
  readonly kind: 'CALL' | 'SEND';
  readonly messageId: string;
  readonly identity: string;
  /** The request payload (already validated according to the policy). */
  readonly payload: unknown;
  // biome-ignore lint/suspicious/noExplicitAny: services work on sessions of any version
  readonly context: HandlerContext<any, any, any, any>;
}

/**
 * A composable service around the handler (the zeegat router's idea): call `next()` to continue
 * down the chain, and return (or change) its result. `log` and `timeout` are built in.
 */
export type Service = (call: InboundCall, next: () => Promise<unknown>) => Promise<unknown>;

/**
 * @internal What a router knows about one action: created by the first `handle` or `after` for
 * it and updated in place, so a session resolves an inbound action with one lookup.
 */
export interface Route {
  /** `undefined` only for hooks registered for a name that is not an action (they never run). */
  readonly entry: ActionDescriptor | undefined;
  /** True when the peer of the router's role sends this action. */
  readonly fromPeer: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: handlers of any action
  handler: Handler<any, any, any, any, any> | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: hooks of any action
  hooks: AfterHook<any, any, any, any, any>[] | undefined;
}

/**
 * Routes inbound actions of one protocol and role to their handlers, through the services.
 * One router serves any number of sessions (one per connection).
 */
export class Router<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Role,
  D = Record<string, never>,
> {
  private readonly routes = new Map<string, Route>();
  private readonly services: Service[] = [];
  private dependencies: Record<string, unknown> = {};

  constructor(
    /** The protocol this router speaks. */
    readonly protocol: Protocol<V, M>,
    /** The role of the sessions it serves. */
    readonly role: R,
  ) {}

  /** Registers the handler of an action the peer sends. A second registration replaces the first. */
  handle<A extends HandledBy<M, R>>(action: A, handler: Handler<V, M, R, D, A>): this {
    if (!this.protocol.isAction(action))
      throw new OcppSdkError(
        'UNKNOWN_ACTION',
        `"${action}" is not an OCPP ${this.protocol.version} action`,
      );
    this.routeOf(action).handler = handler as unknown as Route['handler'];
    return this;
  }

  /** Registers a hook that runs after the CALLRESULT for `action` has been sent. */
  after<A extends HandledBy<M, R>>(action: A, hook: AfterHook<V, M, R, D, A>): this {
    const route = this.routeOf(action);
    route.hooks ??= [];
    route.hooks.push(hook as unknown as AfterHook<V, M, R, D, keyof M>);
    return this;
  }

  /** Adds a service around every handler; the first added is the outermost. */
  use(service: Service): this {
    this.services.push(service);
    return this;
  }

  /** Makes a dependency available to every handler as `context.deps[key]`. */
  inject<K extends string, T>(key: K, value: T): Router<V, M, R, D & { readonly [P in K]: T }> {
    this.dependencies = { ...this.dependencies, [key]: value };
    return this as unknown as Router<V, M, R, D & { readonly [P in K]: T }>;
  }

  /** The registered dependencies. */
  get deps(): D {
    return this.dependencies as D;
  }

  /** True when `action` has a handler. */
  has(action: string): boolean {
    return this.routes.get(action)?.handler !== undefined;
  }

  /** @internal The route of an action that has a handler or hooks. */
  route(action: string): Route | undefined {
    return this.routes.get(action);
  }

  /**
   * @internal Runs the services and the handler of an inbound call. Without services a
   * synchronous handler is called directly (its result or throw comes back synchronously: no
   * promise per call).
   */
  // biome-ignore lint/suspicious/noExplicitAny: handlers of any action
  run(handler: Handler<any, any, any, any, any>, call: InboundCall): unknown {
    const services = this.services;
    if (services.length === 0) return handler(call.payload, call.context);
    const next = (i: number): Promise<unknown> => {
      if (i === services.length) {
        try {
          return Promise.resolve(handler(call.payload, call.context));
        } catch (e) {
          return Promise.reject(e);
        }
      }
      return services[i]!(call, () => next(i + 1));
    };
    return next(0);
  }

  /** Runs the after-hooks of an action; returns the errors of hooks that failed. */
  async runAfter(call: InboundCall, response: unknown): Promise<unknown[]> {
    const hooks = this.routes.get(call.action)?.hooks;
    if (hooks === undefined) return [];
    const errors: unknown[] = [];
    for (const hook of hooks) {
      try {
        await hook(call.payload, response, call.context);
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  }

  private routeOf(action: string): Route {
    let route = this.routes.get(action);
    if (route === undefined) {
      const entry = this.protocol.isAction(action)
        ? (this.protocol.actions[action] as ActionDescriptor)
        : undefined;
      const fromPeer =
        entry !== undefined && isSentBy(entry.direction, this.role === 'csms' ? 'station' : 'csms');
      route = { entry, fromPeer, handler: undefined, hooks: undefined };
      this.routes.set(action, route);
    }
    return route;
  }
}

/** Creates a router for one protocol and role. */
export function createRouter<V extends OcppVersion, M extends ActionMapShape<M>, R extends Role>(
  protocol: Protocol<V, M>,
  role: R,
): Router<V, M, R> {
  return new Router(protocol, role);
}
