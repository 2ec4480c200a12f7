import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import {
  createServer as createHttpsServer,
  type Server as HttpsServer,
  type ServerOptions as HttpsServerOptions,
} from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type PeerCertificate, type TLSSocket, Server as TlsServer } from 'node:tls';
import type { IncomingConnection, TransportServer } from '@ocpp/transport';
import { Emitter } from '@ocpp/transport';
import { type PerMessageDeflateOptions, WebSocketServer } from 'ws';
import { Admission, type AdmissionRefusal, addressKey, isLoopback } from './admission.js';
import {
  type ClientCertificatePolicy,
  certificateKeyProblem,
  certificateMatchesIdentity,
  parseBasicAuth,
} from './auth.js';
import { AuthBrake, type AuthFailureLimit } from './brake.js';
import { isWsTransportError, WsTransportError } from './errors.js';
import {
  checkIdentityControls,
  checkV2Identity,
  displayIdentity,
  identityFromUrl,
  isV2Subprotocol,
  OCPP_SUBPROTOCOLS,
  type V16IdentityRules,
  v16IdentityCheck,
} from './identity.js';
import { checkBufferLimit, DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
import { OcppSocket, WsServerConnection } from './server-connection.js';
import { profileTlsDefaults, type SecurityProfile } from './tls.js';

/** What the `authenticate` hook of a server gets to decide on, before the WebSocket upgrade. */
export interface AuthenticateContext {
  /** The station identity from the URL, percent-decoded. */
  readonly identity: string;
  /** The subprotocol the connection will speak, such as `ocpp2.0.1`. */
  readonly protocol: string;
  /**
   * The Basic-auth password as UTF-8 text; `undefined` when no `Authorization` header was sent or
   * when the password bytes are not valid UTF-8 (use `passwordBytes` for binary 1.6 keys).
   */
  readonly password: string | undefined;
  /** The Basic-auth password exactly as sent; `undefined` when no `Authorization` header was sent. */
  readonly passwordBytes: Uint8Array | undefined;
  /** The TLS client certificate, when the peer sent one (security profile 3). */
  readonly certificate: PeerCertificate | undefined;
  /** True when the client certificate was verified against the server's trusted CAs. */
  readonly certificateVerified: boolean;
  /**
   * Why the client certificate does not pass the server's certificate check, or `undefined` when
   * it does: sent, verified against the trusted CAs, and naming the identity (CN, DNS or URI SAN;
   * exactly, or ignoring case with `clientCertificate.caseInsensitive`). Security profile 3
   * without a hook accepts exactly the stations for which this is `undefined`; a hook of your own
   * can reuse the verdict. Certificates with keys below the server's minimums never get here.
   */
  readonly certificateProblem: string | undefined;
  /** The HTTP upgrade request (headers, socket). */
  readonly request: IncomingMessage;
  /** The peer's address, when known. */
  readonly remoteAddress: string | undefined;
}

/**
 * Decides whether a station may connect. Return (or resolve to) `false` or any falsy value, or
 * throw, to refuse with HTTP 401; throw a {@link WsTransportError} with code `HANDSHAKE_REJECTED`
 * and a `status` to refuse with that status instead (404 for an unknown station). Return `true`
 * to accept, or any other truthy value to accept and hand it on as `IncomingConnection.auth`.
 */
export type AuthenticateHook = (context: AuthenticateContext) => unknown;

/** Options of {@link createWsServer}. */
export interface WsServerOptions {
  /**
   * The TCP port to listen on; 0 picks a free one (`listen()` returns it). Used when this server
   * creates its own HTTP(S) server, or when an attached `server` is not listening yet.
   * @default 0
   */
  readonly port?: number;
  /**
   * The address to bind. By default Node listens on every interface.
   * @default undefined
   */
  readonly host?: string;
  /**
   * An existing `http` or `https` server to attach to instead of creating one: upgrade requests
   * under `path` are handled here, upgrade requests elsewhere get HTTP 404, plain HTTP requests
   * stay the server owner's business. `close()` does not close an attached server.
   */
  readonly server?: HttpServer | HttpsServer;
  /**
   * TLS options for the server this package creates (security profiles 2 and 3); build them with
   * `tlsServerOptions`. The profile's TLS settings are applied under these.
   */
  readonly tls?: HttpsServerOptions;
  /**
   * The path prefix of the OCPP endpoint. The identity is the last path segment after it, so
   * `/ocpp` accepts `/ocpp/CS001` and `/ocpp/anything/CS001`.
   * @default '/'
   */
  readonly path?: string;
  /**
   * The subprotocols this server speaks, in order of preference: the first one the client also
   * offered is chosen.
   * @default ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6']
   */
  readonly protocols?: readonly string[];
  /**
   * What to do with a client that offers no subprotocol this server speaks. `'close'` is what
   * OCPP specifies: complete the handshake without a `Sec-WebSocket-Protocol` header, then close
   * at once with code 1002. `'reject'` answers HTTP 400 instead. Either way the connection never
   * reaches `onConnection`.
   * @default 'close'
   */
  readonly onNoSubprotocol?: 'close' | 'reject';
  /**
   * The identity rule for `ocpp1.6` (and any other 1.x subprotocol served), which the 1.6 spec
   * leaves open; an identity that breaks it is refused with HTTP 400. 2.x identities follow the
   * spec's identifierString rule ({@link checkV2Identity}). Control characters (C0, DEL, C1) are
   * refused in every version, whatever this allows.
   * @default { maxLength: 128, pattern: /^[\x20-\x7e]+$/ } (printable ASCII, space included)
   */
  readonly v16Identity?: V16IdentityRules;
  /**
   * The OCPP security profile this endpoint runs. 1 and 2 require an `authenticate` hook (Basic
   * auth is mandatory there); 2 and 3 require TLS (`tls` or an `https` server); 3 requests and
   * verifies client certificates and, without an `authenticate` hook, accepts a station only
   * when its verified certificate names its identity (`AuthenticateContext.certificateProblem`
   * is `undefined`); otherwise it answers 401 with the problem as the reason.
   * @default 0
   */
  readonly securityProfile?: SecurityProfile;
  /** Decides, before the upgrade, whether a station may connect. */
  readonly authenticate?: AuthenticateHook;
  /**
   * What a TLS client certificate must satisfy. Its key must be at least `rsaBits` (RSA, DSA) or
   * `ecBits` (elliptic curves) long, checked before the `authenticate` hook: a weaker one is
   * refused with HTTP 401 (OCPP asks for RSA >= 2048 and EC >= 224 bits). `caseInsensitive`
   * chooses how `AuthenticateContext.certificateProblem` (and the built-in check of profile 3)
   * compares the certificate's names with the identity: exactly by default, so the certificate
   * of `CS001` does not open `cs001`.
   * @default { rsaBits: 2048, ecBits: 256, caseInsensitive: false }
   */
  readonly clientCertificate?: ClientCertificatePolicy;
  /**
   * A station connects while a connection with the same identity (compared exactly) is open.
   * `'replace'` closes the old one with code 1000 ("replaced by a new connection") and accepts the
   * new one; `'refuse'` answers the newcomer with HTTP 409.
   * @default 'replace'
   */
  readonly onDuplicate?: 'replace' | 'refuse';
  /**
   * The largest inbound message, in bytes (after decompression). A larger one closes the
   * connection with code 1009.
   * @default 1048576 (1 MiB)
   */
  readonly maxMessageBytes?: number;
  /**
   * The most that may wait in a connection's send buffer (`ws`'s `bufferedAmount`: what the
   * station has not read yet, beyond what the kernel holds). A `send()` that would leave more
   * queued cuts the connection off at once (a station that does not read would not read a close
   * frame either), reports the close to the session with code 1008, and throws a
   * `WsTransportError` with code `SEND_BUFFER_FULL`. Pongs count too. A message larger than
   * this can never be sent, so it may not be below `maxMessageBytes`.
   * @default 4194304 (4 MiB), or `maxMessageBytes` when that is larger
   */
  readonly maxBufferedBytes?: number;
  /**
   * Seconds between the server's WebSocket pings to each station; 0 disables them.
   * @default 30
   */
  readonly pingIntervalSeconds?: number;
  /**
   * Seconds a station has to answer a ping before it is cut off (close code 1006, reason "pong
   * timeout").
   * @default pingIntervalSeconds
   */
  readonly pongTimeoutSeconds?: number;
  /**
   * RFC 7692 compression, which OCPP 2.x requires a CSMS to support. `true` means
   * `{ threshold: 1024 }`: messages under 1 KiB are sent uncompressed. Each compressing connection
   * holds zlib state (up to a few hundred KiB), so a CSMS with many stations may tune
   * `serverMaxWindowBits` and `zlibDeflateOptions.memLevel`, or turn it off.
   * @default true
   */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * Milliseconds a TCP connection has from connecting to a completed WebSocket upgrade: the TLS
   * handshake, the request headers and the `authenticate` hook included. A connection that takes
   * longer, or never sends a byte, is destroyed and reported (`rejected`, status 0). A server
   * created here also sets Node's `headersTimeout` and `requestTimeout` one second above it, as a
   * backstop, and TLS `handshakeTimeout` to it unless `tls` sets one; on an attached server the limit covers every TCP
   * connection until it makes a plain HTTP request. 0 turns the limit off.
   * @default 10000
   */
  readonly handshakeTimeoutMs?: number;
  /**
   * The most sockets the server holds at once: open WebSockets plus connections still in their
   * handshake (on an attached server, every TCP connection until it makes a plain HTTP request).
   * A connection beyond it is destroyed at once and reported (`rejected`, status 0). The default
   * leaves room for twice the 5,000 stations of the fleet benchmark while refusing new sockets
   * well before a usual process runs out of memory (each connection holds kernel buffers and,
   * when it compresses, a few hundred KiB of zlib state) or file descriptors; raise it for larger
   * fleets per process. `Infinity` turns it off.
   * @default 10000
   */
  readonly maxConnections?: number;
  /**
   * The most connections from one remote address (IPv6: one /64) that may be in their handshake
   * at once; a further one is destroyed at once and reported (`rejected`, status 0). This bounds
   * what one host can hold with slow or idle handshakes. Stations behind carrier NAT, and all
   * stations behind a reverse proxy, share one address, and after a CSMS restart they reconnect
   * together: keep it generous there (a handshake lasts one to a few round trips). Addresses of
   * `perAddressExempt` are not limited. `Infinity` turns it off.
   * @default 1000
   */
  readonly maxHandshakesPerAddress?: number;
  /**
   * Remote addresses that per-address limits do not apply to (`maxHandshakesPerAddress`, and the
   * per-address count of `authFailureLimit`; its per-identity count still applies): those of a
   * reverse proxy or load generator, whose address does not tell hosts apart. A proxy in front
   * has to limit per client itself. By default the loopback addresses (127.0.0.0/8, `::1`):
   * connections from this machine. `maxConnections` applies to every address.
   * @default (address) => address is loopback
   */
  readonly perAddressExempt?: (address: string) => boolean;
  /**
   * The brake on failed authentications (HTTP 401 or 403, from the `authenticate` hook, the
   * built-in certificate check, or credentials naming another user): after too many failures
   * within a window, further handshakes from that address (or of that identity from that
   * address) are answered HTTP 429 with `Retry-After` for the lockout, without asking the hook.
   * See {@link AuthFailureLimit} for each limit. Behind a reverse proxy every station has the
   * proxy's address: turn it off with `false` and let the proxy brake instead.
   * @default { perIdentity: 10, perAddress: 1000, windowSeconds: 60, lockoutSeconds: 60 }
   */
  readonly authFailureLimit?: AuthFailureLimit | false;
  /**
   * Milliseconds a closing connection has to finish the close handshake before its socket is
   * destroyed (`close()` of a connection or of the server).
   * @default 5000
   */
  readonly closeTimeoutMs?: number;
}

/** A refused handshake, reported by the server's `rejected` event. */
export interface HandshakeRejection {
  /**
   * Where it was refused: `'connection'`, a TCP connection destroyed without an answer (over
   * `maxConnections` or `maxHandshakesPerAddress`, or past `handshakeTimeoutMs`); `'tls'`, a TLS
   * handshake that failed (no or untrusted client certificate, TLS version or cipher suites, ...);
   * `'request'`, an upgrade request answered with an HTTP error or closed at once with 1002.
   */
  readonly stage: 'connection' | 'tls' | 'request';
  /**
   * The HTTP status sent; 101 when the handshake was completed only to close it with 1002 (no
   * common subprotocol); 0 when no HTTP answer was sent (stages `'connection'` and `'tls'`).
   */
  readonly status: number;
  /** Why, in a few words (also the response body). */
  readonly reason: string;
  /**
   * The station identity, when the path held one, as a log may show it ({@link displayIdentity}:
   * control characters escaped, cut after 256 characters).
   */
  readonly identity: string | undefined;
  /** The peer's address, when known. */
  readonly remoteAddress: string | undefined;
}

/** Events of {@link WsServer}, for logging and metrics. */
export interface WsServerEvents {
  /**
   * A connection or handshake was refused: destroyed over a limit or a timeout, failed in TLS,
   * answered with an HTTP error (400, 401, 404, 409, 429, 503, ...) or closed at once with 1002.
   */
  rejected: (rejection: HandshakeRejection) => void;
  /** Something failed outside any one connection's transport (an `authenticate` hook threw, ...). */
  error: (error: Error) => void;
}

const DEFAULT_DEFLATE: PerMessageDeflateOptions = { threshold: 1024 };

function swallow(): void {}

function destroyOnFinish(this: Duplex): void {
  this.destroy();
}

/** Security profile 3 without a hook: the certificate must pass the server's check. */
function certificateCheck(ctx: AuthenticateContext): true {
  if (ctx.certificateProblem === undefined) return true;
  throw new WsTransportError('HANDSHAKE_REJECTED', ctx.certificateProblem, { status: 401 });
}

function checkCertificatePolicy(policy: ClientCertificatePolicy): ClientCertificatePolicy {
  for (const name of ['rsaBits', 'ecBits'] as const) {
    const bits = policy[name];
    if (bits !== undefined && (!Number.isSafeInteger(bits) || bits < 0)) {
      throw new WsTransportError(
        'INVALID_OPTIONS',
        `clientCertificate.${name} must be an integer >= 0`,
      );
    }
  }
  return { ...policy };
}

function checkLimit(name: string, value: number): number {
  if (value !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(value) || value < 1)) {
    throw new WsTransportError('INVALID_OPTIONS', `${name} must be an integer >= 1 or Infinity`);
  }
  return value;
}

function checkSeconds(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new WsTransportError('INVALID_OPTIONS', `${name} must be a finite number >= 0`);
  }
  return value;
}

/** Normalises a path prefix to start and end with `/`. */
function normalisePrefix(path: string): string {
  let prefix = path.startsWith('/') ? path : `/${path}`;
  if (!prefix.endsWith('/')) prefix += '/';
  return prefix;
}

/**
 * An OCPP-J WebSocket server (the CSMS side). Create it with {@link createWsServer}, register
 * `onConnection`, then `listen()`. Every accepted connection is handed over as an
 * {@link IncomingConnection} whose transport is open; bind a session to it and call `start()`
 * promptly (inbound frames wait until then; a connection not started before its first pong is due
 * is cut off).
 */
export class WsServer extends Emitter<WsServerEvents> implements TransportServer {
  private readonly httpServer: HttpServer | HttpsServer;
  private readonly ownsServer: boolean;
  private readonly prefix: string;
  private readonly protocols: readonly string[];
  /** The identity rule of each subprotocol served. */
  private readonly identityChecks: ReadonlyMap<string, (identity: string) => string | undefined>;
  private readonly onNoSubprotocol: 'close' | 'reject';
  private readonly authenticate: AuthenticateHook | undefined;
  private readonly certificatePolicy: ClientCertificatePolicy;
  private readonly onDuplicate: 'replace' | 'refuse';
  private readonly port: number;
  private readonly host: string | undefined;
  private readonly wss: WebSocketServer;
  /** @internal */
  readonly pingMs: number;
  /** @internal */
  readonly pongMs: number;
  /** @internal */
  readonly closeTimeoutMs: number;
  /** @internal */
  readonly maxBufferedBytes: number;
  private listener: ((connection: IncomingConnection) => void) | undefined;
  private readonly open = new Map<string, WsServerConnection>();
  /** Replaced connections whose sockets are still closing (created on first use). */
  private retiring: Set<WsServerConnection> | undefined;
  /** Every socket from its TCP connection on: limits and handshake timeouts. */
  private readonly admission: Admission;
  /** Failed authentications per address; undefined when turned off. */
  private readonly brake: AuthBrake | undefined;
  /** Addresses per-address limits do not apply to. */
  private readonly exempt: (address: string) => boolean;
  private sweepTimer: NodeJS.Timeout | undefined;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | undefined;
  private readonly epoch = performance.now();

  constructor(options: WsServerOptions = {}) {
    super();
    const profile = options.securityProfile ?? 0;
    if (![0, 1, 2, 3].includes(profile)) {
      throw new WsTransportError('INVALID_OPTIONS', `unknown security profile ${String(profile)}`);
    }
    if ((profile === 1 || profile === 2) && options.authenticate === undefined) {
      throw new WsTransportError(
        'INVALID_OPTIONS',
        `security profile ${profile} requires an authenticate hook: Basic auth is mandatory`,
      );
    }
    if (options.server !== undefined && options.tls !== undefined) {
      throw new WsTransportError('INVALID_OPTIONS', 'pass either server or tls, not both');
    }
    if (
      (profile === 2 || profile === 3) &&
      options.tls === undefined &&
      !(options.server instanceof TlsServer)
    ) {
      throw new WsTransportError(
        'INVALID_OPTIONS',
        `security profile ${profile} requires TLS: pass tls options or an https server`,
      );
    }
    const protocols = options.protocols ?? OCPP_SUBPROTOCOLS;
    if (
      protocols.length === 0 ||
      protocols.some((p) => !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p))
    ) {
      throw new WsTransportError('INVALID_OPTIONS', 'protocols must be a non-empty list of tokens');
    }
    const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes <= 0) {
      throw new WsTransportError('INVALID_OPTIONS', 'maxMessageBytes must be a positive integer');
    }
    this.maxBufferedBytes = checkBufferLimit(options.maxBufferedBytes, maxMessageBytes);
    const ping = checkSeconds('pingIntervalSeconds', options.pingIntervalSeconds ?? 30);
    const pong = checkSeconds('pongTimeoutSeconds', options.pongTimeoutSeconds ?? ping);
    if (ping > 0 && pong === 0) {
      throw new WsTransportError('INVALID_OPTIONS', 'pongTimeoutSeconds must be > 0');
    }
    // Whole milliseconds, so the keep-alive deadlines stay small integers.
    this.pingMs = ping === 0 ? 0 : Math.max(1, Math.round(ping * 1000));
    this.pongMs = pong === 0 ? 0 : Math.max(1, Math.round(pong * 1000));
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.exempt = options.perAddressExempt ?? isLoopback;
    const handshakeTimeoutMs = checkSeconds(
      'handshakeTimeoutMs',
      options.handshakeTimeoutMs ?? 10_000,
    );
    this.admission = new Admission(
      {
        handshakeTimeoutMs,
        maxConnections: checkLimit('maxConnections', options.maxConnections ?? 10_000),
        maxHandshakesPerAddress: checkLimit(
          'maxHandshakesPerAddress',
          options.maxHandshakesPerAddress ?? 1000,
        ),
        exempt: this.exempt,
      },
      this.admissionRefused,
    );
    const brake = options.authFailureLimit ?? {};
    this.brake = brake === false ? undefined : new AuthBrake(brake, () => this.now());
    this.prefix = normalisePrefix(options.path ?? '/');
    this.protocols = [...protocols];
    const v16 = v16IdentityCheck(options.v16Identity);
    this.identityChecks = new Map(
      this.protocols.map((p) => [p, isV2Subprotocol(p) ? checkV2Identity : v16]),
    );
    this.onNoSubprotocol = options.onNoSubprotocol ?? 'close';
    this.onDuplicate = options.onDuplicate ?? 'replace';
    this.port = options.port ?? 0;
    this.host = options.host;
    this.certificatePolicy = checkCertificatePolicy(options.clientCertificate ?? {});
    this.authenticate = options.authenticate ?? (profile === 3 ? certificateCheck : undefined);

    const deflate = options.perMessageDeflate ?? true;
    const serverProtocols = this.protocols;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      WebSocket: OcppSocket,
      maxPayload: maxMessageBytes,
      perMessageDeflate: deflate === true ? DEFAULT_DEFLATE : deflate,
      // Pongs are sent by the connection, under the send-buffer limit, so a peer that pings
      // without reading is cut off with 1008 and a reason (`ws`'s own guard says only 1006).
      autoPong: false,
      // With synchronous events, `ws` emits every message of a socket read (up to 64 KiB, some
      // 2,600 pipelined Heartbeats) in one go, and the stations whose data arrived in the same
      // event-loop turn wait behind all of them. One message per turn interleaves the sockets:
      // a flooding station slows itself down, not its neighbours.
      allowSynchronousEvents: false,
      // Server preference order: the first of ours that the client offered, or no header at all.
      handleProtocols: (offered) => serverProtocols.find((p) => offered.has(p)) ?? false,
    });

    this.wss.on('wsClientError', this.onWsClientError);

    if (options.server !== undefined) {
      this.httpServer = options.server;
      this.ownsServer = false;
      this.httpServer.on('request', this.onForeignRequest);
    } else {
      // Node's own limits of the request phase as a backstop, a second behind ours so that
      // ours (which report the refusal) come first.
      const backstop = handshakeTimeoutMs + 1000;
      const timeouts =
        handshakeTimeoutMs > 0 ? { headersTimeout: backstop, requestTimeout: backstop } : {};
      this.httpServer =
        options.tls !== undefined
          ? createHttpsServer({
              ...profileTlsDefaults(profile),
              ...(handshakeTimeoutMs > 0 ? { handshakeTimeout: handshakeTimeoutMs } : {}),
              ...options.tls,
              ...timeouts,
            })
          : createHttpServer(timeouts);
      this.ownsServer = true;
      this.httpServer.on('request', this.onRequest);
    }
    this.httpServer.on('connection', this.onSocket);
    if (this.httpServer instanceof TlsServer) {
      this.httpServer.on('tlsClientError', this.onTlsClientError);
    }
    this.httpServer.on('upgrade', this.onUpgrade);
  }

  /** Registers the listener for accepted connections (one listener; a later call replaces it). */
  onConnection(listener: (connection: IncomingConnection) => void): void {
    this.listener = listener;
  }

  /**
   * Starts listening on `port`/`host` and resolves with the bound port. An attached server that is
   * already listening is left as it is.
   */
  listen(): Promise<number> {
    if (this.state !== 'open') {
      return Promise.reject(new WsTransportError('CLOSED', 'server is closed'));
    }
    const server = this.httpServer;
    if (server.listening) return Promise.resolve((server.address() as AddressInfo).port);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      const options =
        this.host === undefined ? { port: this.port } : { port: this.port, host: this.host };
      server.listen(options, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  /** The bound address, once listening. */
  get address(): AddressInfo | undefined {
    const address = this.httpServer.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  /** The HTTP(S) server carrying the endpoint (created here or attached). */
  get server(): HttpServer | HttpsServer {
    return this.httpServer;
  }

  /** The open connections by identity: a live, read-only view for diagnostics. */
  get connections(): ReadonlyMap<string, IncomingConnection> {
    return this.open;
  }

  /**
   * Stops accepting, closes every connection with `code` and `reason`, and resolves once all are
   * closed; a connection that does not finish the close handshake within `closeTimeoutMs` is
   * destroyed. A server created here stops listening; an attached one is only detached.
   */
  close(code = 1001, reason = 'server shutting down'): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.state = 'closing';
    this.closing = this.shutDown(code, reason);
    return this.closing;
  }

  private async shutDown(code: number, reason: string): Promise<void> {
    this.stopSweep();
    const http = this.httpServer;
    http.off('upgrade', this.onUpgrade);
    http.off('connection', this.onSocket);
    http.off('request', this.onForeignRequest);
    http.off('tlsClientError', this.onTlsClientError);
    // Handshakes under way go; on an attached server only those that asked us for an upgrade.
    this.admission.stop(this.ownsServer ? 'all' : 'upgrading');
    const stopped = this.ownsServer
      ? new Promise<void>((resolve) => this.httpServer.close(() => resolve()))
      : Promise.resolve();
    if (this.ownsServer) this.httpServer.closeIdleConnections();
    const connections = [...this.open.values(), ...(this.retiring ?? [])];
    await Promise.all(connections.map((connection) => connection.close(code, reason)));
    if (this.ownsServer) this.httpServer.closeAllConnections();
    await stopped;
    this.wss.close();
    this.state = 'closed';
  }

  /** @internal The keep-alive clock: whole milliseconds since this server was created. */
  now(): number {
    return Math.floor(performance.now() - this.epoch);
  }

  /** @internal Called by a connection when its socket has closed. */
  forget(connection: WsServerConnection): void {
    if (this.open.get(connection.identity) === connection) this.open.delete(connection.identity);
    this.retiring?.delete(connection);
    if (this.open.size === 0 && (this.retiring === undefined || this.retiring.size === 0)) {
      this.stopSweep();
    }
  }

  /** @internal Called by a connection that reported its close early (replaced). */
  unlist(connection: WsServerConnection): void {
    if (this.open.get(connection.identity) === connection) this.open.delete(connection.identity);
    this.retiring ??= new Set();
    this.retiring.add(connection);
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.admission.answered(req.socket);
    const inside = identityFromUrl(req.url ?? '/', this.prefix);
    const status = !inside.ok && inside.status === 404 ? 404 : 426;
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      Upgrade: 'websocket',
      Connection: 'close',
    });
    res.end(status === 404 ? 'not found' : 'this is an OCPP WebSocket endpoint');
  };

  /** A plain request on an attached server: that connection is the owner's, not ours. */
  private readonly onForeignRequest = (req: IncomingMessage): void => {
    this.admission.release(req.socket);
  };

  /** Every new TCP connection: counted, timed, or refused over a limit. */
  private readonly onSocket = (socket: Duplex): void => {
    this.admission.admit(socket);
  };

  private readonly onTlsClientError = (error: Error, socket: TLSSocket): void => {
    this.admission.tlsFailed(error, socket);
  };

  /** `ws` found the upgrade request malformed (a bad key, version or extension header). */
  private readonly onWsClientError = (error: Error, socket: Duplex, req: IncomingMessage): void => {
    const where = identityFromUrl(req.url ?? '/', this.prefix);
    const identity = where.ok ? where.identity : undefined;
    this.refuse(socket, 400, error.message, identity, req.socket.remoteAddress);
  };

  private readonly admissionRefused = (refusal: AdmissionRefusal): void => {
    const { stage, reason, identity, remoteAddress } = refusal;
    const shown = identity === undefined || identity === '' ? undefined : displayIdentity(identity);
    this.emit('rejected', { stage, status: 0, reason, identity: shown, remoteAddress });
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      this.handshake(req, socket, head);
    } catch (error) {
      this.handshakeFailed(socket, error);
    }
  };

  private handshakeFailed(socket: Duplex, error: unknown): void {
    socket.on('error', swallow);
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
    socket.destroy();
  }

  /**
   * Checks an upgrade request, then refuses it, completes it, or hands it to the `authenticate`
   * hook. Synchronous unless there is a hook to wait for: nothing can happen to the socket before
   * this returns, so only a refused or waiting socket needs an error listener of its own.
   */
  private handshake(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const remoteAddress = req.socket.remoteAddress;
    const where = identityFromUrl(req.url ?? '/', this.prefix);
    this.admission.upgrading(socket, where.ok ? where.identity : '');
    if (!where.ok) {
      this.refuse(socket, where.status, where.reason, undefined, remoteAddress);
      return;
    }
    const identity = where.identity;
    const control = checkIdentityControls(identity);
    if (control !== undefined) {
      this.refuse(socket, 400, control, identity, remoteAddress);
      return;
    }
    if (this.state !== 'open') {
      this.refuse(socket, 503, 'server is shutting down', identity, remoteAddress);
      return;
    }
    if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
      this.refuse(socket, 400, 'not a WebSocket upgrade request', identity, remoteAddress);
      return;
    }
    const protocol = this.pickProtocol(req.headers['sec-websocket-protocol']);
    if (protocol === undefined) {
      const reason = `no common subprotocol; this server speaks ${this.protocols.join(',')}`;
      if (this.onNoSubprotocol === 'reject') {
        this.refuse(socket, 400, reason, identity, remoteAddress);
        return;
      }
      // As OCPP asks: finish the handshake without Sec-WebSocket-Protocol, then close at once.
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.admission.upgraded(socket);
        ws.on('error', swallow);
        ws.close(1002, reason.slice(0, 123));
        setTimeout(() => ws.terminate(), this.closeTimeoutMs).unref();
      });
      this.emit('rejected', {
        stage: 'request',
        status: 101,
        reason,
        identity: displayIdentity(identity),
        remoteAddress,
      });
      return;
    }
    const problem = this.identityChecks.get(protocol)!(identity);
    if (problem !== undefined) {
      this.refuse(socket, 400, `${problem} (${protocol})`, identity, remoteAddress);
      return;
    }

    const lockedMs =
      this.brake === undefined || remoteAddress === undefined
        ? 0
        : this.brake.lockedFor(addressKey(remoteAddress), identity, this.exempt(remoteAddress));
    if (lockedMs > 0) {
      const seconds = Math.ceil(lockedMs / 1000);
      this.refuse(
        socket,
        429,
        `too many failed authentications; retry in ${seconds} s`,
        identity,
        remoteAddress,
        { 'Retry-After': String(seconds) },
      );
      return;
    }

    const header = req.headers.authorization;
    const credentials = parseBasicAuth(header, identity);
    if (header !== undefined && credentials === undefined) {
      this.authFailed(remoteAddress, identity);
      this.refuse(
        socket,
        401,
        'Basic credentials do not name this station',
        identity,
        remoteAddress,
      );
      return;
    }
    if (this.authenticate !== undefined) {
      socket.on('error', swallow);
      this.authenticateThenUpgrade(
        this.authenticate,
        req,
        socket,
        head,
        identity,
        protocol,
        header,
        credentials,
        remoteAddress,
      ).catch((error: unknown) => this.handshakeFailed(socket, error));
      return;
    }
    this.upgrade(req, socket, head, identity, protocol, undefined, remoteAddress);
  }

  /** Asks the `authenticate` hook, then refuses or completes the handshake. */
  private async authenticateThenUpgrade(
    authenticate: AuthenticateHook,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    identity: string,
    protocol: string,
    header: string | undefined,
    credentials: ReturnType<typeof parseBasicAuth>,
    remoteAddress: string | undefined,
  ): Promise<void> {
    const tlsSocket = 'getPeerCertificate' in req.socket ? (req.socket as TLSSocket) : undefined;
    const peer = tlsSocket?.getPeerCertificate();
    const certificate = peer !== undefined && Object.keys(peer).length > 0 ? peer : undefined;
    const certificateVerified = certificate !== undefined && tlsSocket?.authorized === true;
    const policy = this.certificatePolicy;
    if (certificate !== undefined) {
      const weak = certificateKeyProblem(certificate, policy);
      if (weak !== undefined) {
        this.authFailed(remoteAddress, identity);
        this.refuse(socket, 401, weak, identity, remoteAddress);
        return;
      }
    }
    let certificateProblem: string | undefined;
    if (certificate === undefined) certificateProblem = 'no client certificate';
    else if (!certificateVerified) certificateProblem = 'client certificate not verified';
    else if (!certificateMatchesIdentity(certificate, identity, policy)) {
      certificateProblem = 'client certificate does not name this identity';
    }
    const context: AuthenticateContext = {
      identity,
      protocol,
      password: credentials?.password,
      passwordBytes: credentials?.passwordBytes,
      certificate,
      certificateVerified,
      certificateProblem,
      request: req,
      remoteAddress,
    };
    let verdict: unknown;
    let crashed = false;
    try {
      verdict = await authenticate(context);
    } catch (error) {
      verdict = error;
      if (!isWsTransportError(error)) {
        crashed = true;
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
      }
    }
    if (socket.destroyed || !socket.writable) return;
    if (this.state !== 'open') {
      this.refuse(socket, 503, 'server is shutting down', identity, remoteAddress);
      return;
    }
    if (verdict instanceof Error) {
      const chosen =
        isWsTransportError(verdict) && verdict.code === 'HANDSHAKE_REJECTED' ? verdict.status : 401;
      const status = chosen !== undefined && chosen >= 400 && chosen <= 599 ? chosen : 401;
      // A hook that broke (a database down) says nothing about the station's credentials.
      if (!crashed && (status === 401 || status === 403)) this.authFailed(remoteAddress, identity);
      this.refuse(socket, status, verdict.message || 'refused', identity, remoteAddress);
      return;
    }
    if (!verdict) {
      this.authFailed(remoteAddress, identity);
      const challenge =
        header === undefined ? { 'WWW-Authenticate': 'Basic realm="OCPP"' } : undefined;
      this.refuse(socket, 401, 'authentication failed', identity, remoteAddress, challenge);
      return;
    }
    if (this.brake !== undefined && remoteAddress !== undefined) {
      this.brake.succeeded(addressKey(remoteAddress), identity);
    }
    this.upgrade(
      req,
      socket,
      head,
      identity,
      protocol,
      verdict === true ? undefined : verdict,
      remoteAddress,
    );
  }

  /** Completes an accepted handshake (unless the identity is taken and duplicates are refused). */
  private upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    identity: string,
    protocol: string,
    auth: unknown,
    remoteAddress: string | undefined,
  ): void {
    if (this.onDuplicate === 'refuse' && this.open.has(identity)) {
      this.refuse(socket, 409, 'this identity is already connected', identity, remoteAddress);
      return;
    }
    socket.off('error', swallow);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.admission.upgraded(socket);
      this.accept(ws as OcppSocket, identity, protocol, auth, remoteAddress);
    });
  }

  private accept(
    ws: OcppSocket,
    identity: string,
    protocol: string,
    auth: unknown,
    remoteAddress: string | undefined,
  ): void {
    if (this.state !== 'open') {
      ws.on('error', swallow);
      ws.terminate();
      return;
    }
    const previous = this.open.get(identity);
    if (previous !== undefined) {
      if (this.onDuplicate === 'refuse') {
        // Two handshakes for one identity raced past the check above; the first one wins.
        ws.on('error', swallow);
        ws.close(1008, 'this identity is already connected');
        return;
      }
      previous.replace();
    }
    const connection = new WsServerConnection(this, ws, identity, protocol, auth, remoteAddress);
    this.open.set(identity, connection);
    this.startSweep();
    try {
      this.listener?.(connection);
    } finally {
      connection.holdUntilStarted();
    }
  }

  /** Our most preferred subprotocol among those the client offered. */
  private pickProtocol(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    const protocols = this.protocols;
    if (!header.includes(',')) {
      // A station offers one version more often than not.
      const i = protocols.indexOf(header.trim());
      return i === -1 ? undefined : protocols[i];
    }
    const offered = header.split(',');
    for (let i = 0; i < offered.length; i++) offered[i] = offered[i]!.trim();
    for (const p of protocols) if (offered.includes(p)) return p;
    return undefined;
  }

  private refuse(
    socket: Duplex,
    status: number,
    reason: string,
    identity: string | undefined,
    remoteAddress: string | undefined,
    headers?: Record<string, string>,
  ): void {
    socket.on('error', swallow);
    this.admission.answered(socket);
    const shown = identity === undefined ? undefined : displayIdentity(identity);
    this.emit('rejected', { stage: 'request', status, reason, identity: shown, remoteAddress });
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = Buffer.from(reason, 'utf8');
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n`;
    for (const [name, value] of Object.entries(headers ?? {})) head += `${name}: ${value}\r\n`;
    socket.once('finish', destroyOnFinish);
    socket.end(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]));
  }

  /** A failed authentication from `remoteAddress`: counted by the brake. */
  private authFailed(remoteAddress: string | undefined, identity: string): void {
    if (this.brake !== undefined && remoteAddress !== undefined) {
      this.brake.failed(addressKey(remoteAddress), identity, this.exempt(remoteAddress));
    }
  }

  private startSweep(): void {
    if (this.sweepTimer !== undefined || this.pingMs === 0) return;
    const tick = Math.max(25, Math.min(this.pingMs, this.pongMs) / 4);
    this.sweepTimer = setInterval(this.sweep, tick);
    this.sweepTimer.unref();
  }

  private stopSweep(): void {
    if (this.sweepTimer === undefined) return;
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** One timer for every connection: send due pings, cut off peers whose pong is overdue. */
  private readonly sweep = (): void => {
    const now = this.now();
    for (const connection of this.open.values()) connection.keepAlive(now);
  };
}

/**
 * Creates an OCPP-J WebSocket server (the CSMS side). It does not listen until `listen()`; with
 * the `server` option it handles upgrades of that server at once.
 */
export function createWsServer(options: WsServerOptions = {}): WsServer {
  return new WsServer(options);
}
