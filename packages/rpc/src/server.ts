import { type ActionMapShape, OcppSdkError, type OcppVersion } from '@ocpp/runtime';
import type { IncomingConnection, TransportServer } from '@ocpp/transport';
import { Emitter } from '@ocpp/transport';
import { defaultLogger, type Logger } from './logger.js';
import type { Router } from './router.js';
import { OcppSession, type SessionConfig, type SessionOptions, sessionConfig } from './session.js';

/** The session type a CSMS router produces. */
export type CsmsSessionOf<T> =
  // biome-ignore lint/suspicious/noExplicitAny: any dependency set
  T extends Router<infer V, infer M, 'csms', any>
    ? M extends ActionMapShape<M>
      ? OcppSession<V & OcppVersion, M, 'csms'>
      : never
    : never;

/** Per-connection session settings a CSMS may choose (validation leniency for one station, ...). */
export type CsmsSessionSettings = Omit<
  // biome-ignore lint/suspicious/noExplicitAny: settings apply to sessions of every version
  SessionOptions<any, any, 'csms'>,
  'protocol' | 'role' | 'transport' | 'identity' | 'router'
>;

/**
 * Finds the session of a connected station. The CSMS server implements it for the stations
 * connected to this process; a cluster adapter can implement it across processes.
 */
export interface StationDirectory<S> {
  /** The live session of `identity`, if it is connected here. */
  get(identity: string): S | undefined;
  /** Every live session. */
  sessions(): IterableIterator<S>;
  /** How many stations are connected. */
  readonly size: number;
}

/** Options of {@link CsmsServer}. */
// biome-ignore lint/suspicious/noExplicitAny: routers of any version
export interface CsmsServerOptions<Routers extends readonly Router<any, any, 'csms', any>[]> {
  /** Accepts the connections (a `WsServer` from @ocpp/transport-ws, or a test double). */
  readonly listener: TransportServer;
  /** One router per version served; the connection's negotiated subprotocol picks it. */
  readonly routers: Routers;
  /** Session settings for every connection, or chosen per connection. */
  readonly session?:
    | CsmsSessionSettings
    | ((connection: IncomingConnection) => CsmsSessionSettings);
  /** @default warnings and errors to the console */
  readonly logger?: Logger;
}

/** Events of a {@link CsmsServer}. */
export interface CsmsServerEvents<S> {
  /** A station connected and its session is running. */
  session: (session: S, connection: IncomingConnection) => void;
  /** A station's session ended. */
  disconnect: (session: S, info: { code: number; reason: string }) => void;
}

/**
 * The CSMS side: turns every accepted connection into a typed session with the router of its
 * version, keeps the live sessions by identity, and shuts down gracefully.
 */
// biome-ignore lint/suspicious/noExplicitAny: routers of any version
export class CsmsServer<Routers extends readonly Router<any, any, 'csms', any>[]>
  extends Emitter<CsmsServerEvents<CsmsSessionOf<Routers[number]>>>
  implements StationDirectory<CsmsSessionOf<Routers[number]>>
{
  private readonly live = new Map<string, CsmsSessionOf<Routers[number]>>();
  // biome-ignore lint/suspicious/noExplicitAny: routers of any version
  private readonly bySubprotocol = new Map<string, Router<any, any, 'csms', any>>();
  private readonly logger: Logger;
  /** Session settings per router, built once when the settings are the same for every connection. */
  // biome-ignore lint/suspicious/noExplicitAny: routers of any version
  private readonly configs = new Map<Router<any, any, 'csms', any>, SessionConfig>();

  constructor(private readonly options: CsmsServerOptions<Routers>) {
    super();
    this.logger = options.logger ?? defaultLogger;
    for (const router of options.routers) {
      if (this.bySubprotocol.has(router.protocol.subprotocol)) {
        throw new OcppSdkError(
          'INVALID_ARGUMENT',
          `two routers for ${router.protocol.subprotocol}`,
        );
      }
      this.bySubprotocol.set(router.protocol.subprotocol, router);
    }
    options.listener.onConnection((connection) => this.accept(connection));
  }

  /** The subprotocols this CSMS serves, in the order the routers were given. */
  get subprotocols(): string[] {
    return [...this.bySubprotocol.keys()];
  }

  get(identity: string): CsmsSessionOf<Routers[number]> | undefined {
    return this.live.get(identity);
  }

  sessions(): IterableIterator<CsmsSessionOf<Routers[number]>> {
    return this.live.values();
  }

  get size(): number {
    return this.live.size;
  }

  /** Stops accepting and closes every connection (1001 by default); pending calls reject. */
  close(code = 1001, reason = 'CSMS shutting down'): Promise<void> {
    return this.options.listener.close(code, reason);
  }

  private accept(connection: IncomingConnection): void {
    const router = this.bySubprotocol.get(connection.protocol);
    if (router === undefined) {
      this.logger.warn(
        `${connection.identity}: no router for subprotocol "${connection.protocol}"; closing`,
      );
      void connection.transport.close(1002, `subprotocol ${connection.protocol} is not served`);
      return;
    }
    const settings = this.options.session;
    let config: SessionConfig | undefined;
    if (typeof settings === 'function') {
      config = this.configFor(router, settings(connection));
    } else {
      config = this.configs.get(router);
      if (config === undefined) {
        config = this.configFor(router, settings);
        this.configs.set(router, config);
      }
    }
    const session = new OcppSession(
      {
        protocol: router.protocol,
        role: 'csms',
        transport: connection.transport,
        identity: connection.identity,
        router,
      },
      config,
    ) as unknown as CsmsSessionOf<Routers[number]>;
    const previous = this.live.get(connection.identity);
    this.live.set(connection.identity, session);
    if (previous?.isOpen) {
      void previous.close(1000, 'replaced by a new connection');
    }
    void session.start().then(
      () => this.emit('session', session, connection),
      (e: unknown) =>
        this.logger.error(`${connection.identity}: session failed to start`, { error: String(e) }),
    );
  }

  private configFor(
    // biome-ignore lint/suspicious/noExplicitAny: routers of any version
    router: Router<any, any, 'csms', any>,
    settings: CsmsSessionSettings | undefined,
  ): SessionConfig {
    return sessionConfig(
      { logger: this.logger, ...settings, protocol: router.protocol, role: 'csms', router },
      this.sessionClosed,
    );
  }

  /** Runs before a session's own `close` listeners: forget it, then report the disconnect. */
  private readonly sessionClosed = (
    // biome-ignore lint/suspicious/noExplicitAny: sessions of every version
    session: OcppSession<any, any, any>,
    info: { code: number; reason: string },
  ): void => {
    const live = session as unknown as CsmsSessionOf<Routers[number]>;
    if (this.live.get(session.identity) === live) this.live.delete(session.identity);
    this.emit('disconnect', live, { code: info.code, reason: info.reason });
  };
}
