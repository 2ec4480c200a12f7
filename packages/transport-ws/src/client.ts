import type { IncomingMessage } from 'node:http';
import type { ConnectionOptions } from 'node:tls';
import type { Transport, TransportCloseInfo, TransportHandlers } from '@ocpp/transport';
import { Emitter } from '@ocpp/transport';
import { type ClientOptions, type PerMessageDeflateOptions, type RawData, WebSocket } from 'ws';
import { basicAuthHeader } from './auth.js';
import {
  type BackoffOptions,
  backoffDelayMs,
  type ResolvedBackoff,
  resolveBackoff,
} from './backoff.js';
import { WsTransportError } from './errors.js';
import { encodeIdentity } from './identity.js';
import { checkBufferLimit, DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
import { fromWsError, wsErrorCloseCode } from './ws-errors.js';

type Pem = string | Buffer | Array<string | Buffer>;

/** Timer functions the client schedules with; tests may pass a virtual clock. */
export interface ClientTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link createWsClient}. */
export interface WsClientOptions {
  /**
   * The CSMS endpoint without the identity, `ws://` or `wss://` (OCPP's `ocppCsmsUrl`). The
   * client connects to this URL plus `/` plus the percent-encoded identity.
   */
  readonly url: string;
  /** The station identity (OCPP `SecurityCtrlr.Identity`, 1.6 charge point id). */
  readonly identity: string;
  /** The subprotocols to offer, in order of preference, such as `['ocpp2.0.1', 'ocpp1.6']`. */
  readonly protocols: readonly string[];
  /**
   * The Basic-auth password (security profiles 1 and 2): a string is sent as UTF-8 (2.x
   * `BasicAuthPassword`), bytes are sent raw (1.6 `AuthorizationKey`). No `Authorization` header
   * is sent without it.
   */
  readonly password?: string | Uint8Array;
  /** CA certificates to trust for the CSMS certificate instead of Node's bundled roots (PEM). */
  readonly ca?: Pem;
  /** The station's client certificate chain for security profile 3 (PEM). */
  readonly cert?: Pem;
  /** The private key of `cert` (PEM). */
  readonly key?: Pem;
  /**
   * Verify the CSMS certificate. Turn off only in tests.
   * @default true
   */
  readonly rejectUnauthorized?: boolean;
  /** The TLS server name (SNI and certificate check) when it differs from the URL's host. */
  readonly servername?: string;
  /** Further Node TLS options (`minVersion`, `ciphers`, `checkServerIdentity`, ...). */
  readonly tls?: ConnectionOptions;
  /** Extra HTTP headers of the upgrade request. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Reconnect by itself after a lost connection or a failed attempt, with the OCPP back-off.
   * @default true
   */
  readonly reconnect?: boolean;
  /**
   * Retry, while `start()` waits, also after a failure that retrying cannot fix: the CSMS
   * refused the password (HTTP 401) or every offered subprotocol. Off: such a failure rejects
   * `start()` and nothing reconnects. Once a connection was open, every failure is retried with
   * `reconnect` (the CSMS's settings may change while the station runs).
   * @default false
   */
  readonly retryUnfixable?: boolean;
  /** The reconnect back-off (see {@link BackoffOptions} for each default). */
  readonly backoff?: BackoffOptions;
  /**
   * `WebSocketPingInterval`: seconds between the client's pings; 0 disables them. Negative
   * values are refused.
   * @default 30
   */
  readonly pingIntervalSeconds?: number;
  /**
   * Seconds the CSMS has to answer a ping; then the connection is dropped and reconnected.
   * @default pingIntervalSeconds
   */
  readonly pongTimeoutSeconds?: number;
  /**
   * The largest inbound message, in bytes; a larger one closes the connection with 1009.
   * @default 1048576 (1 MiB)
   */
  readonly maxMessageBytes?: number;
  /**
   * The most that may wait in the send buffer (`ws`'s `bufferedAmount`: what the CSMS has not
   * read yet, beyond what the kernel holds). A `send()` that would leave more queued drops the
   * connection at once, reports its close with code 1008 (a reconnect follows when `reconnect`
   * is on), and throws a `WsTransportError` with code `SEND_BUFFER_FULL`. Pongs count too. It may
   * not be below `maxMessageBytes`.
   * @default 4194304 (4 MiB), or `maxMessageBytes` when that is larger
   */
  readonly maxBufferedBytes?: number;
  /**
   * Offer RFC 7692 compression. Optional for a station in 2.x (recommended on cellular links);
   * OCPP 1.6 does not use it.
   * @default false
   */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * Milliseconds the opening handshake may take before the attempt counts as failed.
   * @default 30000
   */
  readonly handshakeTimeoutMs?: number;
  /**
   * Milliseconds `close()` waits for the close handshake before destroying the socket.
   * @default 5000
   */
  readonly closeTimeoutMs?: number;
  /**
   * The random source of the back-off, returning a number in [0, 1).
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * The timers used for back-off, pings and close timeouts.
   * @default globalThis
   */
  readonly timers?: ClientTimers;
}

/** A reconnect the client has scheduled. */
export interface ReconnectingEvent {
  /** 1 for the first attempt after a drop (or after a failed first connection), then 2, 3, ... */
  readonly attempt: number;
  /** Milliseconds until the attempt. */
  readonly delayMs: number;
}

/** Events of {@link WsClientTransport}, for observers (the session uses the handlers). */
export interface WsClientEvents {
  /** A connection opened. */
  open: (info: { readonly protocol: string; readonly url: string }) => void;
  /** An open connection closed; `reconnecting` tells whether a reconnect follows. */
  close: (info: TransportCloseInfo) => void;
  /** A reconnect attempt is scheduled. */
  reconnecting: (event: ReconnectingEvent) => void;
  /** A connection attempt failed, or something went wrong on an open connection. */
  error: (error: Error) => void;
}

type Phase = 'idle' | 'connecting' | 'open' | 'waiting' | 'closing' | 'closed';

/** A held binary frame: reported (and the connection closed with 1003) when its turn comes. */
const BINARY = null;
type HeldFrame = string | typeof BINARY;

const globalTimers: ClientTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

function checkSeconds(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new WsTransportError('INVALID_OPTIONS', `${name} must be a finite number >= 0`);
  }
  return value;
}

/** The URL a station connects to: the endpoint plus `/` plus the percent-encoded identity. */
export function stationUrl(endpoint: string, identity: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new WsTransportError('INVALID_OPTIONS', `invalid url ${endpoint}`, { cause: error });
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new WsTransportError(
      'INVALID_OPTIONS',
      `url must start with ws:// or wss://: ${endpoint}`,
    );
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeIdentity(identity)}`;
  return url.toString();
}

/**
 * The station side of OCPP-J: a WebSocket client {@link Transport} that negotiates the
 * subprotocol, sends Basic auth or a client certificate, pings, and reconnects with the OCPP
 * back-off until `close()`.
 */
export class WsClientTransport extends Emitter<WsClientEvents> implements Transport {
  /** The URL connected to, identity included. */
  readonly url: string;
  private readonly offered: readonly string[];
  private readonly wsOptions: ClientOptions;
  private readonly reconnect: boolean;
  private readonly retryUnfixable: boolean;
  /** A connection was open once: from then on, every failure is retried. */
  private everOpen = false;
  private readonly backoff: ResolvedBackoff;
  private readonly pingMs: number;
  private readonly pongMs: number;
  private readonly closeTimeoutMs: number;
  private readonly maxBufferedBytes: number;
  private readonly random: () => number;
  private readonly timers: ClientTimers;
  private handlers: TransportHandlers | undefined;
  private phase: Phase = 'idle';
  private socket: WebSocket | undefined;
  private negotiated = '';
  private failures = 0;
  /** A start() waiting for the next open connection. */
  private starting:
    | { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void }
    | undefined;
  /** close() was called: nothing connects again. */
  private terminated = false;
  private closeInfo: { code: number; reason: string } | undefined;
  private closeWaiters: Array<() => void> = [];
  private retryTimer: unknown;
  private pingTimer: unknown;
  private pongTimer: unknown;
  private closeTimer: unknown;
  /** The session paused reading; also holds for the connections that follow. */
  private paused = false;
  /**
   * Frames of the current connection that `ws` had already read when reading stopped, delivered
   * in order after `resume()`. Bounded by one socket read: the socket is paused meanwhile.
   */
  private held: HeldFrame[] | undefined;
  private heldAt = 0;
  private draining = false;

  constructor(options: WsClientOptions) {
    super();
    if (options.identity === '') throw new WsTransportError('INVALID_OPTIONS', 'identity is empty');
    if (
      options.protocols.length === 0 ||
      new Set(options.protocols).size !== options.protocols.length ||
      options.protocols.some((p) => !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p))
    ) {
      throw new WsTransportError(
        'INVALID_OPTIONS',
        'protocols must list at least one subprotocol, each a distinct token',
      );
    }
    this.url = stationUrl(options.url, options.identity);
    this.offered = [...options.protocols];
    this.reconnect = options.reconnect ?? true;
    this.retryUnfixable = options.retryUnfixable ?? false;
    this.backoff = resolveBackoff(options.backoff);
    const ping = checkSeconds('pingIntervalSeconds', options.pingIntervalSeconds ?? 30);
    const pong = checkSeconds('pongTimeoutSeconds', options.pongTimeoutSeconds ?? ping);
    if (ping > 0 && pong === 0) {
      throw new WsTransportError('INVALID_OPTIONS', 'pongTimeoutSeconds must be > 0');
    }
    this.pingMs = ping * 1000;
    this.pongMs = pong * 1000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.maxBufferedBytes = checkBufferLimit(options.maxBufferedBytes, maxMessageBytes);
    this.random = options.random ?? Math.random;
    this.timers = options.timers ?? globalTimers;

    const headers: Record<string, string> = { ...options.headers };
    if (options.password !== undefined) {
      headers.Authorization = basicAuthHeader(options.identity, options.password);
    }
    // `ws` hands TLS options on to `tls.connect`; its own type knows only some of them.
    const wsOptions = {
      ...options.tls,
      headers,
      followRedirects: false,
      // Pongs are sent here, under the send-buffer limit.
      autoPong: false,
      // One message per event-loop turn instead of a whole socket read at once, as on the server:
      // other work of the station's process gets a turn between two messages.
      allowSynchronousEvents: false,
      maxPayload: maxMessageBytes,
      perMessageDeflate: options.perMessageDeflate ?? false,
      handshakeTimeout: options.handshakeTimeoutMs ?? 30_000,
    } as ClientOptions & ConnectionOptions;
    if (options.ca !== undefined) wsOptions.ca = options.ca;
    if (options.cert !== undefined) wsOptions.cert = options.cert;
    if (options.key !== undefined) wsOptions.key = options.key;
    if (options.rejectUnauthorized !== undefined) {
      wsOptions.rejectUnauthorized = options.rejectUnauthorized;
    }
    if (options.servername !== undefined) {
      wsOptions.servername = options.servername;
    }
    this.wsOptions = wsOptions;
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  /** The negotiated subprotocol of the current or last connection; `''` before the first. */
  get protocol(): string {
    return this.negotiated;
  }

  bind(handlers: TransportHandlers): void {
    if (this.handlers !== undefined) throw new Error('transport is already bound to a session');
    this.handlers = handlers;
  }

  /**
   * Connects. Resolves once a connection is open. With `reconnect` on, failed attempts are
   * reported (handlers.error and the `error` event) and retried with the back-off, except one
   * that retrying cannot fix (HTTP 401, no subprotocol accepted), which rejects unless
   * `retryUnfixable` is set; with `reconnect` off, the first failure rejects. A later `start()`
   * tries again. Rejects with `CLOSED` after `close()`, also when `close()` comes while it
   * waits.
   */
  start(): Promise<void> {
    if (this.terminated) {
      return Promise.reject(new WsTransportError('CLOSED', 'transport is closed'));
    }
    if (this.phase === 'open') return Promise.resolve();
    if (this.starting !== undefined) return this.starting.promise;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.starting = { promise, resolve, reject };
    // While connecting or waiting for a retry, the next open settles it.
    if (this.phase === 'idle' || this.phase === 'closed') this.connect();
    return promise;
  }

  /**
   * Sends one text frame. Throws `NOT_OPEN` without an open connection, and `SEND_BUFFER_FULL`
   * when the frame would leave more than `maxBufferedBytes` queued for a CSMS that does not read:
   * the connection is then dropped and its close reported with code 1008.
   */
  send(text: string): void {
    const socket = this.socket;
    if (this.phase !== 'open' || socket === undefined || socket.readyState !== WebSocket.OPEN) {
      throw new WsTransportError('NOT_OPEN', 'transport is not open');
    }
    const queued = socket.bufferedAmount;
    const limit = this.maxBufferedBytes;
    // Three bytes per UTF-16 unit bound the UTF-8 size: count exactly only near the limit.
    if (queued + text.length * 3 > limit && queued + Buffer.byteLength(text) > limit) {
      throw this.cutOff(socket, queued);
    }
    socket.send(text);
  }

  /**
   * Stops reading inbound frames until {@link resume}: the socket is paused, so a CSMS that keeps
   * sending is held back by TCP. Frames `ws` had already read are kept and delivered after
   * `resume()`. Pausing lasts across reconnects: a connection opened while paused starts paused.
   * While paused the client neither pings nor times out a pong (it could not read one). A closing
   * connection keeps reading, to see the close frame; frames that arrive then are dropped.
   */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.phase === 'open') this.socket?.pause();
  }

  /** Reads inbound frames again after {@link pause}, frames kept meanwhile first. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket?.resume();
    this.scheduleDrain();
  }

  /** Closes for good: no reconnect follows. Resolves once the socket is closed. */
  close(code = 1000, reason = ''): Promise<void> {
    this.terminated = true;
    switch (this.phase) {
      case 'idle':
      case 'closed':
        this.phase = 'closed';
        return Promise.resolve();
      case 'waiting':
        this.timers.clearTimeout(this.retryTimer);
        this.finish();
        return Promise.resolve();
      case 'closing':
        return new Promise((resolve) => this.closeWaiters.push(resolve));
      case 'connecting':
        this.phase = 'closing';
        this.socket?.terminate();
        return new Promise((resolve) => this.closeWaiters.push(resolve));
      case 'open': {
        const socket = this.socket!;
        try {
          socket.close(code, reason);
        } catch (error) {
          // An invalid close code or an over-long reason: nothing was sent, the connection stays.
          this.terminated = false;
          return Promise.reject(error);
        }
        this.phase = 'closing';
        this.closeInfo = { code, reason };
        // A paused socket would never read the CSMS's close frame.
        socket.resume();
        this.stopPing();
        this.closeTimer = this.timers.setTimeout(() => socket.terminate(), this.closeTimeoutMs);
        return new Promise((resolve) => this.closeWaiters.push(resolve));
      }
    }
  }

  private connect(): void {
    this.phase = 'connecting';
    this.closeInfo = undefined;
    let failure: Error | undefined;
    let answered = false;
    let answer: string | undefined;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, [...this.offered], this.wsOptions);
    } catch (error) {
      // Options `ws` refuses synchronously: fail this attempt like any other.
      const cause = error instanceof Error ? error : new Error(String(error));
      queueMicrotask(() => {
        if (this.phase === 'closing') this.finish();
        if (this.phase !== 'connecting') return;
        this.attemptFailed(
          new WsTransportError(
            'CONNECT_FAILED',
            `cannot connect to ${this.url}: ${cause.message}`,
            {
              cause,
            },
          ),
        );
      });
      return;
    }
    this.socket = socket;

    socket.on('upgrade', (res: IncomingMessage) => {
      answered = true;
      const header = res.headers['sec-websocket-protocol'];
      answer = typeof header === 'string' ? header : undefined;
    });
    socket.on('unexpected-response', (_req, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      failure = new WsTransportError(
        'HANDSHAKE_REJECTED',
        `the CSMS refused the connection with HTTP ${status} ${res.statusMessage ?? ''}`.trimEnd(),
        { status },
      );
      res.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      if (!this.offered.includes(socket.protocol)) {
        failure = this.subprotocolError(socket.protocol === '' ? undefined : socket.protocol);
        socket.terminate();
        return;
      }
      this.opened(socket);
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (socket !== this.socket || (this.phase !== 'open' && this.phase !== 'closing')) return;
      const frame = isBinary ? BINARY : (data as Buffer).toString('utf8');
      if (this.paused || this.held !== undefined) {
        // Keep it, in order; a closing connection reads on only to see the close frame.
        if (this.paused && this.phase === 'closing') return;
        this.held ??= [];
        this.held.push(frame);
        return;
      }
      this.deliver(socket, frame);
    });
    socket.on('ping', (data: Buffer) => {
      if (socket !== this.socket || this.phase !== 'open') return;
      const queued = socket.bufferedAmount;
      if (queued + data.length + 2 > this.maxBufferedBytes) {
        this.report(this.cutOff(socket, queued));
        return;
      }
      socket.pong(data);
    });
    socket.on('pong', () => {
      if (socket !== this.socket) return;
      this.timers.clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    });
    socket.on('error', (error: Error) => {
      if (socket !== this.socket) return;
      if (this.phase === 'connecting') {
        if (failure === undefined) {
          failure = answered
            ? this.subprotocolError(answer, error)
            : new WsTransportError(
                'CONNECT_FAILED',
                `cannot connect to ${this.url}: ${error.message}`,
                {
                  cause: error,
                },
              );
        }
      } else if (this.phase === 'open') {
        const code = wsErrorCloseCode(error);
        if (code !== undefined && this.closeInfo === undefined) {
          this.closeInfo = { code, reason: error.message };
        }
        this.report(fromWsError(error));
      }
    });
    socket.on('close', (code: number, reason: Buffer) => {
      if (socket !== this.socket) return;
      this.socket = undefined;
      // Frames of a closed connection can no longer be answered.
      this.held = undefined;
      this.heldAt = 0;
      this.stopPing();
      if (this.phase === 'connecting') {
        this.attemptFailed(
          failure ??
            new WsTransportError(
              'CONNECT_FAILED',
              `connection to ${this.url} closed during the handshake`,
            ),
        );
      } else if (this.phase === 'open') {
        this.dropped(code, reason.toString('utf8'));
      } else if (this.phase === 'closing') {
        this.timers.clearTimeout(this.closeTimer);
        const info = this.closeInfo;
        if (info !== undefined) {
          this.closeInfo = undefined;
          const event = { code: info.code, reason: info.reason, reconnecting: false };
          this.handlers?.close(event);
          this.emit('close', event);
        }
        this.finish();
      }
    });
  }

  private subprotocolError(answer: string | undefined, cause?: Error): WsTransportError {
    const offered = this.offered.join(', ');
    if (answer === undefined) {
      return new WsTransportError(
        'NO_SUBPROTOCOL',
        `the CSMS accepted none of the offered subprotocols (${offered})`,
        { cause },
      );
    }
    if (!this.offered.includes(answer)) {
      return new WsTransportError(
        'SUBPROTOCOL_MISMATCH',
        `the CSMS chose subprotocol ${answer}, which was not offered (${offered})`,
        { cause },
      );
    }
    return new WsTransportError(
      'CONNECT_FAILED',
      `handshake with ${this.url} failed: ${cause?.message ?? ''}`,
      {
        cause,
      },
    );
  }

  private deliver(socket: WebSocket, frame: HeldFrame): void {
    if (frame !== BINARY) {
      this.handlers?.message(frame);
      return;
    }
    this.report(
      new WsTransportError('BINARY_FRAME', 'received a binary frame; OCPP-J uses text frames'),
    );
    if (this.phase === 'open') {
      this.closeInfo = { code: 1003, reason: 'binary frames are not supported' };
      socket.close(1003, this.closeInfo.reason);
    }
  }

  /** Delivers kept frames on a later microtask (never from inside `resume()`). */
  private scheduleDrain(): void {
    if (this.held === undefined || this.draining) return;
    this.draining = true;
    queueMicrotask(() => {
      this.draining = false;
      const held = this.held;
      const socket = this.socket;
      if (held === undefined || socket === undefined) return;
      while (this.heldAt < held.length && !this.paused && this.held === held) {
        const frame = held[this.heldAt]!;
        this.heldAt += 1;
        this.deliver(socket, frame);
      }
      if (this.held === held && this.heldAt >= held.length) {
        this.held = undefined;
        this.heldAt = 0;
      }
    });
  }

  private opened(socket: WebSocket): void {
    // Paused before any frame is read: 'open' comes before the first 'data' of the socket.
    if (this.paused) socket.pause();
    this.phase = 'open';
    this.failures = 0;
    this.everOpen = true;
    this.negotiated = socket.protocol;
    this.startPing(socket);
    this.handlers?.open({ protocol: this.negotiated });
    this.emit('open', { protocol: this.negotiated, url: this.url });
    const starting = this.starting;
    this.starting = undefined;
    starting?.resolve();
  }

  private attemptFailed(error: Error): void {
    this.report(error);
    if (this.phase === 'closing') {
      this.finish();
      return;
    }
    if (
      !this.reconnect ||
      (!this.retryUnfixable && !this.everOpen && this.starting !== undefined && unfixable(error))
    ) {
      this.finish(error);
      return;
    }
    this.scheduleReconnect();
  }

  private dropped(code: number, reason: string): void {
    const override = this.closeInfo;
    this.closeInfo = undefined;
    const info: TransportCloseInfo = {
      code: override?.code ?? code,
      reason: override?.reason ?? reason,
      reconnecting: this.reconnect,
    };
    // Mark the transport as not open before telling anyone.
    this.phase = this.reconnect ? 'waiting' : 'closed';
    this.handlers?.close(info);
    this.emit('close', info);
    if (this.phase !== 'waiting') {
      this.finish();
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.phase === 'closed' || this.phase === 'closing') return;
    const delayMs = backoffDelayMs(this.failures, this.backoff, this.random);
    this.failures += 1;
    this.phase = 'waiting';
    this.emit('reconnecting', { attempt: this.failures, delayMs });
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.phase === 'waiting') this.connect();
    }, delayMs);
  }

  /** Enters the terminal state and settles whoever waits. */
  private finish(error?: Error): void {
    this.phase = 'closed';
    this.stopPing();
    const starting = this.starting;
    this.starting = undefined;
    starting?.reject(
      error ?? new WsTransportError('CLOSED', 'transport was closed before it connected'),
    );
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private report(error: Error): void {
    this.handlers?.error(error);
    this.emit('error', error);
  }

  private startPing(socket: WebSocket): void {
    if (this.pingMs === 0) return;
    const tick = (): void => {
      if (socket !== this.socket || this.phase !== 'open') return;
      // While paused a pong could not be read: no ping until reading resumes.
      if (this.pongTimer === undefined && !this.paused) {
        socket.ping();
        this.pongTimer = this.timers.setTimeout(() => this.pongTimedOut(socket), this.pongMs);
      }
      this.pingTimer = this.timers.setTimeout(tick, this.pingMs);
    };
    this.pingTimer = this.timers.setTimeout(tick, this.pingMs);
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) this.timers.clearTimeout(this.pingTimer);
    if (this.pongTimer !== undefined) this.timers.clearTimeout(this.pongTimer);
    this.pingTimer = undefined;
    this.pongTimer = undefined;
  }

  /**
   * Drops a connection whose CSMS does not read what we send: destroyed at once (it would not
   * read a close frame either), its close reported as 1008.
   */
  private cutOff(socket: WebSocket, queued: number): WsTransportError {
    const reason = `send buffer full: the CSMS does not read (${queued} bytes queued)`;
    if (this.closeInfo === undefined) this.closeInfo = { code: 1008, reason };
    socket.terminate();
    return new WsTransportError('SEND_BUFFER_FULL', reason);
  }

  private pongTimedOut(socket: WebSocket): void {
    this.pongTimer = undefined;
    if (socket !== this.socket || this.phase !== 'open') return;
    if (this.paused) {
      // The pong may be waiting unread in the paused socket: judge the CSMS after resume().
      this.pongTimer = this.timers.setTimeout(() => this.pongTimedOut(socket), this.pongMs);
      return;
    }
    const reason = `pong timeout: no pong within ${this.pongMs / 1000} s`;
    this.closeInfo = { code: 1006, reason };
    this.report(new WsTransportError('PONG_TIMEOUT', reason));
    socket.terminate();
  }
}

/**
 * A failed attempt that the same attempt again cannot fix: the CSMS refused the credentials, or
 * every subprotocol offered.
 */
function unfixable(error: Error): boolean {
  if (!(error instanceof WsTransportError)) return false;
  if (error.code === 'HANDSHAKE_REJECTED') return error.status === 401;
  return error.code === 'NO_SUBPROTOCOL' || error.code === 'SUBPROTOCOL_MISMATCH';
}

/** Creates the station-side WebSocket transport. It connects on `start()`. */
export function createWsClient(options: WsClientOptions): WsClientTransport {
  return new WsClientTransport(options);
}
