import {
  type ActionMapShape,
  type CallErrorFrame,
  type CallFrame,
  type CallResultErrorFrame,
  DEFAULT_MAX_FRAME_DEPTH,
  type ErrorCodeOf,
  type Frame,
  type FrameRefusal,
  isOcppCallError,
  type MessagePart,
  normalizeErrorCode,
  OcppCallError,
  OcppSdkError,
  type OcppVersion,
  type Protocol,
  randomMessageId,
  readFrame,
  type SendFrame,
  SUBPROTOCOLS,
  serializeCall,
  serializeCallError,
  serializeCallResult,
  serializeCallResultError,
  serializeSend,
  truncateChars,
  type ValidationFailure,
  type ValidationIssue,
} from '@ocpp/runtime';
import type { Transport, TransportCloseInfo, TransportHandlers } from '@ocpp/transport';
import { Emitter } from '@ocpp/transport';
import { decideCall, describeIssue, shownAction } from './decide.js';
import { defaultLogger, type Logger } from './logger.js';
import { MemoryQueue, Outbound, type OutboundQueue, type PendingCall } from './outbound.js';
import type { HandlerContext, InboundCall, Route, Router } from './router.js';
import type { CallableBy, Role, SendableBy, SubprotocolOf } from './types.js';
import { modeFor, type ValidationMode, type ValidationPolicy } from './validation-policy.js';

/** Options of {@link OcppSession}. */
export interface SessionOptions<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Role,
> {
  /** The protocol descriptor of the negotiated version (`v201Protocol`, ...). */
  readonly protocol: Protocol<V, M>;
  /** The side this session plays. */
  readonly role: R;
  /** The connection; the session binds to it and never constructs one. */
  readonly transport: Transport;
  /** The station identity (for a station, its own; for a CSMS, the connected station's). */
  readonly identity: string;
  /** Routes the peer's calls to handlers. Without one, every known action is answered `NotSupported`. */
  // biome-ignore lint/suspicious/noExplicitAny: any dependency set
  readonly router?: Router<V, M, R, any>;
  /**
   * Milliseconds a call may take from `call()` to its reply, queueing included.
   * @default 30000
   */
  readonly callTimeoutMs?: number;
  /**
   * Calls in flight at once in our direction. OCPP allows one ("SHALL NOT send a CALL ... unless
   * all the CALL messages it sent before have been responded to or have timed out").
   * @default 1
   */
  readonly maxInFlight?: number;
  /**
   * Calls that may wait behind those in flight; one more rejects with `QUEUE_FULL`.
   * @default 1000
   */
  readonly maxQueue?: number;
  /**
   * A call made while the transport is not open: `queue` waits (bounded by `maxQueue` and the
   * call's timeout) until the transport is open again; `fail` rejects at once with `NOT_CONNECTED`.
   * @default 'queue'
   */
  readonly whenDisconnected?: 'queue' | 'fail';
  /** Schema validation per direction and action. @default strict both ways */
  readonly validation?: ValidationPolicy;
  /**
   * Generates message ids (at most 36 characters, never reused on a connection).
   * @default random UUID v4
   */
  readonly messageId?: () => string;
  /** Where dropped frames and failed handlers are reported. @default warnings and errors to the console */
  readonly logger?: Logger;
  /**
   * Put a failing handler's error message in the CALLERROR description. Off by default: the peer
   * gets `InternalError` without internals.
   * @default false
   */
  readonly detailedErrors?: boolean;
  /**
   * Inbound CALLs (and 2.1 SENDs) that may wait while the peer's previous CALL is still being
   * handled or the rate limit holds them back. The peer's calls are handled one at a time, in
   * order, as OCPP intends ("SHALL NOT send a CALL ... unless all the CALL messages it sent before
   * have been responded to"); while any wait, the transport is paused (`Transport.pause`), so a
   * peer that pipelines is held back by its own socket. One more than this is answered
   * `GenericError` at once (a SEND is dropped and reported).
   * @default 1000
   */
  readonly maxInboundQueue?: number;
  /**
   * The most frame text (in characters, which for ASCII text are bytes) the waiting inbound calls
   * may hold together; a CALL that would go over it is answered `GenericError` at once, as one
   * beyond `maxInboundQueue` (a SEND is dropped and reported). While one of our own calls is in
   * flight the transport is not paused (its answer must get through), so this bound, not the
   * peer's socket, is what keeps a pipelining peer from filling memory. Waiting calls are kept as
   * text and parsed when their turn comes: a parsed payload can take several times the memory of
   * its text.
   * @default 4194304 (4 MiB)
   */
  readonly maxInboundQueueBytes?: number;
  /**
   * A per-connection limit on the peer's CALLs and SENDs: a token bucket of `burst` calls, refilled
   * at `perSecond`. A call over the limit is not refused: it waits its turn in the inbound queue
   * (with the transport paused) until a token is free, so a flooding station slows down to the
   * limit and its neighbours keep their latency. Off by default.
   * @default undefined (no limit)
   */
  readonly inboundRateLimit?: InboundRateLimit;
  /**
   * How deeply arrays and objects may nest in an inbound frame, the frame's array included. A
   * deeper frame is refused unparsed: a CALL is answered `FormationViolation` (1.6) /
   * `FormatViolation` (2.x), a reply fails the call it answers.
   * @default 64 (`DEFAULT_MAX_FRAME_DEPTH`)
   */
  readonly maxFrameDepth?: number;
  /**
   * Where this session's CALLs wait to be sent (a station's durable outbox, say). It takes each
   * new call, hands out the next one when the session may send, and hears how each sent call
   * ended; it may also hand out calls restored from storage, which the session sends and times
   * like its own. `maxQueue` then does not apply: the queue decides when it is full.
   * @default an in-memory line of `maxQueue` calls
   */
  readonly queue?: OutboundQueue;
}

/** A token bucket for the peer's calls (see `SessionOptions.inboundRateLimit`). */
export interface InboundRateLimit {
  /** Calls per second the bucket refills with (> 0). */
  readonly perSecond: number;
  /**
   * Calls that may arrive back to back before the limit applies (≥ 1).
   * @default max(1, perSecond)
   */
  readonly burst?: number;
}

/** Options of one call. */
export interface CallOptions {
  /** Overrides the session's `callTimeoutMs` for this call. */
  readonly timeout?: number;
  /** Aborts the call (rejects with `ABORTED`); a call already sent is then forgotten. */
  readonly signal?: AbortSignal;
}

/** A payload that failed validation but was let through (lenient mode), or refused (strict). */
export interface ValidationEvent {
  readonly direction: 'inbound' | 'outbound';
  readonly action: string;
  readonly part: 'request' | 'response';
  readonly messageId: string;
  readonly mode: ValidationMode;
  readonly errorCode: string;
  readonly issues: readonly ValidationIssue[];
}

/** A frame the session received and did not use. */
export interface UnexpectedFrameEvent {
  readonly reason: string;
  readonly text: string;
}

/** Events of a session. */
export interface SessionEvents {
  open: () => void;
  close: (info: TransportCloseInfo) => void;
  /** Every frame in and out, for tracing (only computed when a listener is attached). */
  frame: (direction: 'in' | 'out', text: string) => void;
  validation: (event: ValidationEvent) => void;
  unexpected: (event: UnexpectedFrameEvent) => void;
  /** A CALLRESULTERROR from the peer rejecting one of our CALLRESULTs (2.1). */
  resultError: (error: OcppCallError<string>, messageId: string) => void;
  /**
   * A station's attempt to connect failed (also emitted as `error`). The first failure of each
   * kind since the last open connection is logged as a warning, later ones at debug level.
   */
  connectFailed: (failure: ConnectFailure) => void;
  error: (error: Error) => void;
}

/**
 * Why an attempt to connect failed:
 * - `unauthorized`: the CSMS answered HTTP 401 (wrong or missing password, or certificate);
 * - `rejected`: another HTTP status (404: an identity the CSMS does not know, ...);
 * - `subprotocol`: the CSMS accepted none of the offered OCPP versions, or chose another;
 * - `tls`: the TLS handshake failed (a certificate that does not verify, expired or for another
 *   host);
 * - `unreachable`: nothing answered (connection refused, no such host, timed out, reset);
 * - `other`: anything else the transport reported as a failed attempt.
 */
export type ConnectFailureKind =
  | 'unauthorized'
  | 'rejected'
  | 'subprotocol'
  | 'tls'
  | 'unreachable'
  | 'other';

/** A failed attempt to connect, as the `connectFailed` event tells it. */
export interface ConnectFailure {
  readonly kind: ConnectFailureKind;
  /** The transport's error (`WsTransportError` with `@ocpp/transport-ws`). */
  readonly error: Error;
  /** The first failure of this kind since the last open connection. */
  readonly first: boolean;
}

/** @see SessionOptions.maxInboundQueueBytes */
const DEFAULT_MAX_INBOUND_QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * A CALL or SEND waiting its turn, kept as the text it arrived as: a parsed payload can take
 * several times the memory of its text, and text is what the queue's bound counts.
 */
interface Waiting {
  readonly type: 2 | 6;
  readonly text: string;
}

/**
 * The peer's calls, once one of them had to wait or a rate limit applies: the CALL being handled
 * (one at a time), those waiting behind it, and the token bucket.
 */
class Inbound {
  /** The id of the CALL whose handler has not finished yet. */
  current: string | undefined = undefined;
  /** Calls and SENDs waiting their turn, in arrival order. */
  readonly queue: Waiting[] = [];
  /** The total length of the waiting frames' text. */
  bytes = 0;
  /** The transport is paused because calls wait. */
  paused = false;
  tokens: number;
  /** `performance.now()` of the last refill (monotonic: a clock set back cannot stall the bucket). */
  refilled = 0;
  /** Wakes the queue when the next token is due. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(rate: RateConfig | undefined) {
    this.tokens = rate === undefined ? 0 : rate.burst;
    this.refilled = rate === undefined ? 0 : performance.now();
  }

  /** Takes a token; false when the bucket is empty. */
  take(rate: RateConfig): boolean {
    const now = performance.now();
    if (now > this.refilled) {
      this.tokens = Math.min(rate.burst, this.tokens + (now - this.refilled) * rate.perMs);
      this.refilled = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the bucket holds a whole token again. */
  untilToken(rate: RateConfig): number {
    return Math.max(1, Math.ceil((1 - this.tokens) / rate.perMs));
  }
}

/** @internal A rate limit as the session applies it. */
interface RateConfig {
  readonly perMs: number;
  readonly burst: number;
}

function rateConfig(limit: InboundRateLimit | undefined): RateConfig | undefined {
  if (limit === undefined) return undefined;
  const burst = limit.burst ?? Math.max(1, limit.perSecond);
  if (!(limit.perSecond > 0) || !Number.isFinite(limit.perSecond) || !(burst >= 1)) {
    throw new OcppSdkError(
      'INVALID_ARGUMENT',
      'inboundRateLimit needs perSecond > 0 and burst >= 1',
    );
  }
  return { perMs: limit.perSecond / 1000, burst };
}

/**
 * @internal The settings of a session, read-only once built: one object shared by every session
 * a CSMS server creates with the same router and settings, so a connection pays for none of them.
 */
export interface SessionConfig {
  // biome-ignore lint/suspicious/noExplicitAny: sessions of every version
  readonly descriptor: Protocol<any, any>;
  readonly subprotocol: string;
  readonly role: Role;
  // biome-ignore lint/suspicious/noExplicitAny: any dependency set
  readonly router: Router<any, any, any, any> | undefined;
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  readonly maxQueue: number;
  readonly whenDisconnected: 'queue' | 'fail';
  readonly policy: ValidationPolicy | undefined;
  readonly nextId: () => string;
  readonly logger: Logger;
  readonly detailedErrors: boolean;
  readonly maxInboundQueue: number;
  readonly maxInboundQueueBytes: number;
  readonly rate: RateConfig | undefined;
  readonly maxFrameDepth: number;
  /** Runs before the session emits `close` (the CSMS server's bookkeeping). */
  readonly onClose: ((session: AnySession, info: TransportCloseInfo) => void) | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: sessions of every version
type AnySession = OcppSession<any, any, any>;

/** @internal Builds the shared part of a session's options; throws when the router does not fit. */
export function sessionConfig<V extends OcppVersion, M extends ActionMapShape<M>, R extends Role>(
  options: Omit<SessionOptions<V, M, R>, 'transport' | 'identity'>,
  onClose?: SessionConfig['onClose'],
): SessionConfig {
  const router = options.router;
  if (
    router !== undefined &&
    (router.protocol !== options.protocol || router.role !== options.role)
  ) {
    throw new OcppSdkError(
      'INVALID_ARGUMENT',
      `router is for OCPP ${router.protocol.version} ${router.role}, session is OCPP ${options.protocol.version} ${options.role}`,
    );
  }
  return {
    descriptor: options.protocol,
    subprotocol: SUBPROTOCOLS[options.protocol.version],
    role: options.role,
    router,
    timeoutMs: options.callTimeoutMs ?? 30_000,
    maxInFlight: options.maxInFlight ?? 1,
    maxQueue: options.maxQueue ?? 1000,
    whenDisconnected: options.whenDisconnected ?? 'queue',
    policy: options.validation,
    nextId: options.messageId ?? randomMessageId,
    logger: options.logger ?? defaultLogger,
    detailedErrors: options.detailedErrors ?? false,
    maxInboundQueue: options.maxInboundQueue ?? 1000,
    maxInboundQueueBytes: options.maxInboundQueueBytes ?? DEFAULT_MAX_INBOUND_QUEUE_BYTES,
    rate: rateConfig(options.inboundRateLimit),
    maxFrameDepth: options.maxFrameDepth ?? DEFAULT_MAX_FRAME_DEPTH,
    onClose,
  };
}

/**
 * An action name as the peer sent it, cut for a log line or a description: only a name the
 * protocol knows is short by construction.
 */

/** `flags` bits. */
const CLOSED = 1;
/** A `frame` listener is attached. */
const TRACING = 2;

/**
 * One OCPP-J connection, seen from one side: typed outbound calls (one in flight per direction by
 * default, a bounded FIFO queue behind), inbound routing to handlers, the spec-correct answer for
 * every bad frame, and validation per the policy.
 */
export class OcppSession<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Role,
> extends Emitter<SessionEvents> {
  readonly identity: string;

  // A large fleet holds one session per station: every field here is paid per connection, so
  // settings live in the shared `config` and rarely used state is created on first use.
  private readonly transport: Transport;
  private readonly config: SessionConfig;
  private calls: Outbound | undefined;
  /** The `queue` option: a queue of the session's own, which may outlive it (an outbox). */
  private readonly ownQueue: OutboundQueue | undefined;
  /** The peer's calls, once one had to wait (or a rate limit applies). */
  private inbound: Inbound | undefined;
  /** Counts connections; a handler whose connection generation is over has been aborted. */
  private generation = 0;
  /** Created on first use: most handlers never read their signal. */
  private controller: AbortController | undefined;
  private flags = 0;

  /** @param options the session's options. */
  constructor(options: SessionOptions<V, M, R>);
  /**
   * @internal `shared`: settings already built by {@link sessionConfig} (the CSMS server shares
   * one object between its sessions); `options` then only supplies transport and identity.
   */
  constructor(options: SessionOptions<V, M, R>, shared: SessionConfig);
  constructor(options: SessionOptions<V, M, R>, shared?: SessionConfig) {
    super();
    this.identity = options.identity;
    this.transport = options.transport;
    this.config = shared ?? sessionConfig(options);
    this.transport.bind(new TransportEvents(this));
    // A queue of its own may hold calls restored from storage: they go out on the first open.
    this.ownQueue = options.queue;
    if (options.queue !== undefined) this.calls = this.outbound(options.queue);
  }

  /** The outbound engine, created with the first call (a CSMS session often never calls). */
  private outbound(queue: OutboundQueue = new MemoryQueue(this.config.maxQueue)): Outbound {
    const session = this;
    return new Outbound(queue, {
      get isOpen() {
        return session.transport.isOpen;
      },
      maxInFlight: this.config.maxInFlight,
      timeoutMs: this.config.timeoutMs,
      write: (text) => this.write(text),
      inFlightChanged: (sending) => {
        const inbound = this.inbound;
        if (inbound === undefined) return;
        if (sending ? inbound.paused : inbound.queue.length > 0) this.flow(inbound);
      },
    });
  }

  /** The negotiated subprotocol (`ocpp1.6`, `ocpp2.0.1`, `ocpp2.1`): narrow on it. */
  get protocol(): SubprotocolOf<V> {
    return this.config.subprotocol as SubprotocolOf<V>;
  }

  /** The version's protocol descriptor. */
  get descriptor(): Protocol<V, M> {
    return this.config.descriptor as Protocol<V, M>;
  }

  /** The side this session plays. */
  get role(): R {
    return this.config.role as R;
  }

  /** True while the connection is open. */
  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** Calls waiting to be sent, and calls sent and not yet answered. */
  get pending(): { readonly queued: number; readonly inFlight: number } {
    const calls = this.calls;
    return {
      queued: calls === undefined ? 0 : calls.queued,
      inFlight: calls === undefined ? 0 : calls.inFlight.length,
    };
  }

  override on<K extends keyof SessionEvents>(event: K, listener: SessionEvents[K]): () => void {
    if (event === 'frame') this.flags |= TRACING;
    return super.on(event, listener);
  }

  override off<K extends keyof SessionEvents>(event: K, listener: SessionEvents[K]): void {
    super.off(event, listener);
    if (event === 'frame' && !this.has('frame')) this.flags &= ~TRACING;
  }

  /** Starts the transport (a client connects). */
  start(): Promise<void> {
    return this.transport.start();
  }

  /** Closes the connection for good; pending calls reject with `CONNECTION_CLOSED`. */
  async close(code = 1000, reason = ''): Promise<void> {
    this.flags |= CLOSED;
    if (this.calls?.hasPending(true) === true) {
      this.calls.rejectAll(new OcppSdkError('CONNECTION_CLOSED', 'the session was closed'), true);
    }
    await this.transport.close(code, reason);
  }

  /**
   * Sends a CALL and resolves with the peer's typed response. Rejects with `OcppCallError` when
   * the peer answers CALLERROR, or `OcppSdkError` (`TIMEOUT`, `NOT_CONNECTED`,
   * `CONNECTION_CLOSED`, `VALIDATION_FAILED`, `ABORTED`, `QUEUE_FULL`, `UNKNOWN_ACTION`, or
   * `KEPT` when the session's `queue` keeps the message for later, also after `close`).
   */
  call<A extends CallableBy<M, R>>(
    action: A,
    payload: M[A]['request'],
    options: CallOptions = {},
  ): Promise<M[A]['response']> {
    return new Promise((resolve, reject) => {
      const fail = (
        code: ConstructorParameters<typeof OcppSdkError>[0],
        message: string,
        cause?: unknown,
      ) => reject(new OcppSdkError(code, message, cause === undefined ? undefined : { cause }));
      const config = this.config;
      const descriptor = config.descriptor;
      // Closed for good: only a queue of the session's own (an outbox) may still keep a message.
      const closed = (this.flags & CLOSED) !== 0;
      if (closed && this.ownQueue === undefined)
        return fail('CONNECTION_CLOSED', 'the session is closed');
      const entry = descriptor.isAction(action) ? descriptor.actions[action] : undefined;
      if (entry === undefined || entry.kind !== 'CALL') {
        return fail(
          'UNKNOWN_ACTION',
          `"${action}" is not a CALL action of OCPP ${descriptor.version}`,
        );
      }
      const id = config.nextId();
      const refused = this.refuseOutbound(action, 'request', payload, id);
      if (refused !== undefined) {
        return fail(
          'VALIDATION_FAILED',
          `${action} request: ${describeIssue(refused.issues[0])}`,
          refused.issues,
        );
      }
      if (!this.transport.isOpen && config.whenDisconnected === 'fail')
        return fail('NOT_CONNECTED', 'not connected');
      this.calls ??= this.outbound();
      const calls = this.calls;
      if (options.signal?.aborted)
        return fail('ABORTED', 'the call was aborted before it was sent');
      let text: string;
      try {
        text = serializeCall(id, action, payload);
      } catch (e) {
        return fail('VALIDATION_FAILED', `${action} request cannot be serialised as JSON`, e);
      }
      const pending: PendingCall = {
        id,
        action,
        text,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: undefined,
        signal: options.signal,
        onAbort: undefined,
        sent: false,
      };
      if (closed) return calls.handOver(pending);
      try {
        calls.queue.push(pending);
      } catch (e) {
        return reject(e);
      }
      const ms = options.timeout ?? config.timeoutMs;
      pending.timer = setTimeout(
        () =>
          calls.fail(
            pending,
            new OcppSdkError('TIMEOUT', `${action} got no reply within ${ms} ms`),
          ),
        ms,
      );
      if (options.signal !== undefined) {
        pending.onAbort = () =>
          calls.fail(
            pending,
            new OcppSdkError('ABORTED', `${action} was aborted`, { cause: options.signal?.reason }),
          );
        options.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      calls.pump();
    });
  }

  /**
   * Sends a SEND message (OCPP 2.1, e.g. `NotifyPeriodicEventStream`): no reply, and not held back
   * by calls in flight. Throws `OcppSdkError` when not connected or the payload is invalid (strict).
   */
  send<A extends SendableBy<M, R>>(action: A, payload: M[A]['request']): void {
    const descriptor = this.config.descriptor;
    if ((this.flags & CLOSED) !== 0 || !this.transport.isOpen)
      throw new OcppSdkError('NOT_CONNECTED', 'not connected');
    const entry = descriptor.isAction(action) ? descriptor.actions[action] : undefined;
    if (entry === undefined || entry.kind !== 'SEND') {
      throw new OcppSdkError(
        'UNKNOWN_ACTION',
        `"${action}" is not a SEND action of OCPP ${descriptor.version}`,
      );
    }
    const id = this.config.nextId();
    const refused = this.refuseOutbound(action, 'request', payload, id);
    if (refused !== undefined) {
      throw new OcppSdkError(
        'VALIDATION_FAILED',
        `${action}: ${describeIssue(refused.issues[0])}`,
        {
          cause: refused.issues,
        },
      );
    }
    let text: string;
    try {
      text = serializeSend(id, action, payload);
    } catch (e) {
      throw new OcppSdkError('VALIDATION_FAILED', `${action} cannot be serialised as JSON`, {
        cause: e,
      });
    }
    this.write(text);
  }

  // ---- outbound plumbing ----

  private write(text: string): void {
    this.transport.send(text);
    if ((this.flags & TRACING) !== 0) this.emit('frame', 'out', text);
  }

  /**
   * Validates what we are about to send per the policy, reporting a failure through the
   * `validation` event; returns the failure when strict mode refuses the payload.
   */
  private refuseOutbound(
    action: string,
    part: MessagePart,
    payload: unknown,
    messageId: string,
  ): ValidationFailure | undefined {
    const mode = modeFor(this.config.policy, action, 'outbound');
    if (mode === 'off') return undefined;
    const failure = this.config.descriptor.check(action, part, payload);
    if (failure === undefined) return undefined;
    this.emit('validation', {
      direction: 'outbound',
      action,
      part,
      messageId,
      mode,
      errorCode: failure.errorCode,
      issues: failure.issues,
    });
    return mode === 'lenient' ? undefined : failure;
  }

  private onTransportClose(info: TransportCloseInfo): void {
    this.controller?.abort(new OcppSdkError('CONNECTION_CLOSED', 'the connection closed'));
    this.controller = undefined;
    this.generation++;
    this.dropInbound();
    const closed = (this.flags & CLOSED) !== 0;
    const keepQueue = info.reconnecting && this.config.whenDisconnected === 'queue' && !closed;
    if (!info.reconnecting) this.flags |= CLOSED;
    // An error (and its stack trace) only when a call is waiting for it: a fleet disconnecting
    // at once should not build one per idle station.
    if (this.calls?.hasPending(!keepQueue) === true) {
      this.calls.rejectAll(
        new OcppSdkError(
          'CONNECTION_CLOSED',
          `the connection closed (${info.code}${info.reason === '' ? '' : ` ${info.reason}`})`,
        ),
        !keepQueue,
      );
    }
    this.config.onClose?.(this, info);
    this.emit('close', info);
  }

  // ---- inbound ----

  /**
   * One inbound frame. Total: whatever the peer sent and whatever a listener does, nothing thrown
   * here reaches the transport (an exception there is an uncaught one, and ends the process).
   */
  private receive(text: string): void {
    let frame: Frame | undefined;
    try {
      if ((this.flags & TRACING) !== 0) this.emit('frame', 'in', text);
      const read = readFrame(
        text,
        this.config.descriptor.version as OcppVersion,
        this.config.maxFrameDepth,
      );
      if (!Array.isArray(read)) {
        this.refused(read as FrameRefusal, text);
        return;
      }
      frame = read as Frame;
      this.dispatch(frame, text);
    } catch (e) {
      // A CALL must not go unanswered, even when our own processing broke.
      if (frame !== undefined && frame[0] === 2) {
        this.replyError(
          frame[1],
          'InternalError' as ErrorCodeOf<V>,
          'The call could not be processed',
        );
      }
      this.failed(e, 'inbound frame failed');
    }
  }

  /** Reports a failure of our own processing; never throws, even when the logger does. */
  private failed(e: unknown, what: string): void {
    const error = e instanceof Error ? e : new Error(String(e));
    this.log('error', `${this.identity}: ${what}: ${error.message}`);
    this.emit('error', error);
  }

  private dispatch(frame: Frame, text: string): void {
    switch (frame[0]) {
      case 2:
      case 6:
        this.admit(frame, text);
        return;
      case 3:
        this.onResult(frame[1], frame[2], text);
        return;
      case 4:
        this.onCallError(frame, text);
        return;
      case 5: {
        const [, id, code, description, details] = frame;
        const error = new OcppCallError(
          normalizeErrorCode(this.config.descriptor.version, code) ?? code,
          description,
          details,
        );
        this.log(
          'warn',
          `${this.identity}: the peer rejected our CALLRESULT ${id}: ${truncateChars(code, 40)} ${truncateChars(description, 255)}`,
        );
        this.emit('resultError', error, id);
        return;
      }
    }
  }

  /** A frame `readFrame` refused: answer it as the spec says, fail the call it answers. */
  private refused(refusal: FrameRefusal, text: string): void {
    if (refusal.reply !== undefined) {
      // The answer first: reporting (a logger, a listener) must not be able to keep it back.
      this.reply(
        serializeCallError(refusal.reply.id, refusal.reply.code, refusal.reply.description),
      );
      this.unexpected(refusal.reason, text);
      return;
    }
    this.unexpected(refusal.reason, text);
    const answers = refusal.answers;
    const calls = this.calls;
    const pending = answers === undefined ? undefined : calls?.find(answers.id);
    if (answers === undefined || calls === undefined || pending === undefined || answers.type === 5)
      return;
    const description = `${pending.action} response: ${refusal.reason}`;
    if (answers.type === 3 && this.config.descriptor.version === '2.1') {
      this.reply(serializeCallResultError(answers.id, 'FormatViolation', description));
    }
    calls.fail(pending, new OcppSdkError('VALIDATION_FAILED', description));
  }

  /**
   * A CALL or SEND from the peer: handled now, or queued behind the CALL still being handled and
   * behind the rate limit, with the transport paused while any wait.
   */
  private admit(frame: CallFrame | SendFrame, text: string): void {
    let inbound = this.inbound;
    const rate = this.config.rate;
    if (inbound === undefined) {
      if (rate === undefined) {
        this.handle(frame);
        return;
      }
      inbound = this.inbound = new Inbound(rate);
    }
    const id = frame[1];
    if (frame[0] === 2 && inbound.current === id) {
      this.replyError(
        id,
        'ProtocolError' as ErrorCodeOf<V>,
        `A call with message id ${id} is already being handled`,
      );
      return;
    }
    if (this.mayHandle(inbound, frame[0], rate)) {
      this.handle(frame);
      return;
    }
    const config = this.config;
    if (
      inbound.queue.length >= config.maxInboundQueue ||
      inbound.bytes + text.length > config.maxInboundQueueBytes
    ) {
      if (frame[0] === 2) {
        this.replyError(
          id,
          'GenericError' as ErrorCodeOf<V>,
          `${inbound.queue.length} calls are already waiting: OCPP allows one call in flight`,
        );
      } else {
        this.unexpected(
          `SEND ${shownAction(frame[2])} dropped: the inbound queue is full`,
          frame[2],
        );
      }
      return;
    }
    inbound.queue.push({ type: frame[0], text });
    inbound.bytes += text.length;
    this.flow(inbound);
    this.wakeForToken(inbound, rate);
  }

  /**
   * Pauses the transport while the peer's calls wait, so a pipelining peer is held back by its
   * own socket; but never while one of our calls is in flight, whose answer must get through (a
   * handler may be waiting for it).
   */
  private flow(inbound: Inbound): void {
    const hold = inbound.queue.length > 0 && (this.calls?.inFlight.length ?? 0) === 0;
    if (hold === inbound.paused) return;
    inbound.paused = hold;
    if (hold) this.transport.pause?.();
    else this.transport.resume?.();
  }

  /** True when a frame of `type` may be handled now: nothing ahead of it, its turn, and a token. */
  private mayHandle(
    inbound: Inbound,
    type: 2 | 6,
    rate: RateConfig | undefined,
    queued = false,
  ): boolean {
    if (!queued && inbound.queue.length > 0) return false;
    // A SEND expects no answer and may arrive while a CALL is outstanding: only CALLs take turns.
    if (type === 2 && inbound.current !== undefined) return false;
    return rate === undefined || inbound.take(rate);
  }

  /** Handles waiting calls, in order, as far as their turn and the rate limit allow. */
  private drain(): void {
    const inbound = this.inbound;
    if (inbound === undefined) return;
    const rate = this.config.rate;
    const queue = inbound.queue;
    while (queue.length > 0 && this.mayHandle(inbound, queue[0]!.type, rate, true)) {
      const next = queue.shift()!;
      inbound.bytes -= next.text.length;
      // The same text was read and accepted as a CALL or SEND when it arrived.
      this.handle(JSON.parse(next.text) as CallFrame | SendFrame);
    }
    this.flow(inbound);
    this.wakeForToken(inbound, rate);
  }

  /** When calls wait for a token alone, drains the queue once the next one is due. */
  private wakeForToken(inbound: Inbound, rate: RateConfig | undefined): void {
    if (rate === undefined || inbound.timer !== undefined || inbound.queue.length === 0) return;
    if (inbound.queue[0]!.type === 2 && inbound.current !== undefined) return;
    inbound.timer = setTimeout(() => {
      inbound.timer = undefined;
      if (this.inbound === inbound) this.drain();
    }, inbound.untilToken(rate));
  }

  /** Forgets the calls of a connection that closed: they can no longer be answered. */
  private dropInbound(): void {
    const inbound = this.inbound;
    if (inbound === undefined) return;
    clearTimeout(inbound.timer);
    if (inbound.paused) this.transport.resume?.();
    this.inbound = this.config.rate === undefined ? undefined : new Inbound(this.config.rate);
  }

  /** Runs one call, reporting what breaks instead of throwing. */
  private handle(frame: CallFrame | SendFrame): void {
    try {
      this.onCall(frame[1], frame[2], frame[3], frame[0] === 2 ? 'CALL' : 'SEND');
    } catch (e) {
      if (frame[0] === 2) {
        this.answerFailure(frame[1], frame[2], e);
      } else {
        this.track(Promise.reject(e));
      }
    }
  }

  /**
   * Writes a record to the logger. Never throws: a logger that does must not keep an answer back
   * or make one go twice, so its failure is reported as an `error` event instead.
   */
  private log(
    level: 'debug' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ): void {
    try {
      this.config.logger[level](message, fields);
    } catch (e) {
      this.emit('error', e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** @internal The abort signal handed to a handler of connection `generation`. */
  handlerSignal(generation: number): AbortSignal {
    return this.signalOf(generation);
  }

  /** The handler of the current CALL finished (answered or not): the next call may go. */
  private release(call: CallContext<V, M, R>): void {
    const inbound = this.inbound;
    if (call.generation !== this.generation || inbound === undefined) return;
    if (inbound.current === call.messageId) inbound.current = undefined;
    this.drain();
  }

  /** Kinds of connect failure seen since the last open connection (logged once each). */
  private connectFailures: Set<ConnectFailureKind> | undefined;

  /** @internal Called by the transport binding. */
  transportOpened(): void {
    this.connectFailures = undefined;
    this.emit('open');
    this.calls?.pump();
  }

  /** @internal Called by the transport binding. */
  transportClosed(info: TransportCloseInfo): void {
    this.onTransportClose(info);
  }

  /** @internal Called by the transport binding. */
  transportFailed(error: Error): void {
    const kind = connectFailureKind(error);
    if (kind !== undefined) {
      this.connectFailures ??= new Set();
      const first = !this.connectFailures.has(kind);
      this.connectFailures.add(kind);
      this.log(
        first ? 'warn' : 'debug',
        `${this.identity}: cannot connect (${kind}): ${error.message}`,
      );
      this.emit('connectFailed', { kind, error, first });
    }
    this.emit('error', error);
  }

  /** @internal Called by the transport binding. */
  transportMessage(text: string): void {
    this.receive(text);
  }

  /** The abort signal of a connection generation: aborted once that connection closed. */
  private signalOf(generation: number): AbortSignal {
    if (generation !== this.generation) {
      const over = new AbortController();
      over.abort(new OcppSdkError('CONNECTION_CLOSED', 'the connection closed'));
      return over.signal;
    }
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  /** Makes sure a failure of inbound processing is reported, never left as an unhandled rejection. */
  private track(work: Promise<void>): void {
    work.catch((e: unknown) => this.failed(e, 'inbound processing failed'));
  }

  private unexpected(reason: string, text: string): void {
    this.log('warn', `${this.identity}: ${reason}`, {
      frame: text.length > 512 ? `${text.slice(0, 512)}…` : text,
    });
    this.emit('unexpected', { reason, text });
  }

  private reply(text: string): void {
    try {
      this.write(text);
    } catch (e) {
      this.log('warn', `${this.identity}: could not send a reply, the connection is gone`, {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  private replyError(
    id: string,
    code: ErrorCodeOf<V>,
    description: string,
    details: Record<string, unknown> = {},
  ): void {
    let text: string;
    try {
      text = serializeCallError(id, code, description, details);
    } catch {
      // Details a handler supplied that JSON cannot carry (a cycle, a BigInt): send none.
      text = serializeCallError(id, code, description, {});
    }
    this.reply(text);
  }

  private onResult(id: string, payload: unknown, text: string): void {
    const calls = this.calls;
    const pending = calls?.find(id);
    if (calls === undefined || pending === undefined) {
      this.unexpected(
        `CALLRESULT for unknown message id ${JSON.stringify(id)} (late reply after a timeout, or never sent)`,
        text,
      );
      return;
    }
    const config = this.config;
    const mode = modeFor(config.policy, pending.action, 'inbound');
    if (mode !== 'off') {
      const failure = config.descriptor.check(pending.action, 'response', payload);
      if (failure !== undefined) {
        this.emit('validation', {
          direction: 'inbound',
          action: pending.action,
          part: 'response',
          messageId: id,
          mode,
          errorCode: failure.errorCode,
          issues: failure.issues,
        });
        if (mode === 'strict') {
          const description = `${pending.action} response: ${describeIssue(failure.issues[0])}`;
          if (config.descriptor.version === '2.1')
            this.reply(serializeCallResultError(id, failure.errorCode, description));
          calls.fail(
            pending,
            new OcppSdkError('VALIDATION_FAILED', description, { cause: failure.issues }),
          );
          return;
        }
      }
    }
    calls.answered(pending, payload);
  }

  private onCallError(frame: CallErrorFrame | CallResultErrorFrame, text: string): void {
    const [, id, code, description, details] = frame;
    const calls = this.calls;
    const pending = calls?.find(id);
    if (calls === undefined || pending === undefined) {
      this.unexpected(`CALLERROR for unknown message id ${JSON.stringify(id)}`, text);
      return;
    }
    const normalized = normalizeErrorCode(this.config.descriptor.version, code) ?? 'GenericError';
    calls.refused(pending, new OcppCallError(normalized, description, details));
  }

  private onCall(id: string, action: string, payload: unknown, kind: 'CALL' | 'SEND'): void {
    const isCall = kind === 'CALL';
    const config = this.config;
    const router = config.router;
    // One lookup for the common case: an action the peer may send, with a handler.
    const route = router?.route(action);
    const handler = route?.handler;
    if (
      router === undefined ||
      route === undefined ||
      handler === undefined ||
      !route.fromPeer ||
      route.entry?.kind !== kind
    ) {
      this.refuseCall(id, action, kind);
      return;
    }
    const mode = modeFor(config.policy, action, 'inbound');
    if (mode !== 'off') {
      const failure = config.descriptor.check(action, 'request', payload);
      if (failure !== undefined) {
        this.emit('validation', {
          direction: 'inbound',
          action,
          part: 'request',
          messageId: id,
          mode,
          errorCode: failure.errorCode,
          issues: failure.issues,
        });
        if (mode === 'strict') {
          const issue = failure.issues[0];
          if (isCall)
            this.replyError(
              id,
              failure.errorCode as ErrorCodeOf<V>,
              `${action}: ${describeIssue(issue)}`,
              issue === undefined ? {} : { path: issue.path, keyword: issue.keyword },
            );
          else this.unexpected(`SEND ${action} dropped: ${describeIssue(issue)}`, action);
          return;
        }
      }
    }

    const call = new CallContext(
      this,
      id,
      action,
      kind,
      payload,
      router.deps,
      this.generation,
      route,
    );
    let result: unknown;
    try {
      result = router.run(handler, call);
    } catch (e) {
      this.failCall(call, e);
      return;
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      // The peer's next CALL waits until this one is answered (a SEND waits for nothing).
      if (isCall) {
        this.inbound ??= new Inbound(config.rate);
        this.inbound.current = id;
      }
      this.track(
        Promise.resolve(result).then(
          (response) => {
            try {
              this.finishCall(call, response);
            } finally {
              if (isCall) this.release(call);
            }
          },
          (e: unknown) => {
            try {
              this.failCall(call, e);
            } finally {
              if (isCall) this.release(call);
            }
          },
        ),
      );
    } else {
      this.finishCall(call, result);
    }
  }

  /** Answers (or, for a SEND, reports) an inbound call that no handler may take. */
  private refuseCall(id: string, action: string, kind: 'CALL' | 'SEND'): void {
    const { descriptor, role, router } = this.config;
    const decision = decideCall(descriptor, {
      action,
      kind,
      payload: undefined,
      receiver: role,
      handles: (a) => router?.route(a)?.handler !== undefined,
      validate: false,
    });
    // Refused on the fast path already: a decision that accepts would be a bug in one of them.
    const why =
      decision.verdict === 'refuse'
        ? decision
        : { code: 'NotSupported', description: `no handler for ${action}` };
    if (kind === 'CALL') this.replyError(id, why.code as ErrorCodeOf<V>, why.description);
    else if (decision.verdict === 'refuse' && decision.reason === 'unknown-action')
      this.unexpected(`SEND of unknown action ${shownAction(action)}`, action);
    else this.unexpected(`SEND ${action} dropped: ${why.description}`, action);
  }

  /** A handler failed: answer the CALL with the matching CALLERROR (a SEND only logs). */
  private failCall(call: CallContext<V, M, R>, e: unknown): void {
    const { messageId: id, action } = call;
    // A handler of an earlier connection: its id was forgotten with that connection, and the
    // same id may be in use again on this one.
    if (call.generation !== this.generation) return;
    if (call.kind === 'SEND') {
      this.log('error', `${this.identity}: handler of SEND ${action} failed`, {
        error: e instanceof Error ? e.message : String(e),
      });
      return;
    }
    this.answerFailure(id, action, e);
  }

  /** A handler returned: validate, send the CALLRESULT, then run the after-hooks. */
  private finishCall(call: CallContext<V, M, R>, response: unknown): void {
    const { messageId: id, action } = call;
    // See failCall: a handler of an earlier connection has nobody to answer.
    if (call.generation !== this.generation) return;
    if (call.kind === 'SEND') return;
    const refused = this.refuseOutbound(action, 'response', response, id);
    if (refused !== undefined) {
      const issue = describeIssue(refused.issues[0]);
      this.replyError(
        id,
        'InternalError' as ErrorCodeOf<V>,
        this.config.detailedErrors
          ? `invalid response: ${issue}`
          : 'The handler produced an invalid response',
      );
      this.log(
        'error',
        `${this.identity}: handler of ${action} returned an invalid response: ${issue}`,
      );
      return;
    }
    let text: string;
    try {
      text = serializeCallResult(id, response);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.replyError(
        id,
        'InternalError' as ErrorCodeOf<V>,
        this.config.detailedErrors
          ? `response cannot be serialised: ${message}`
          : `${action} could not be processed`,
      );
      this.log(
        'error',
        `${this.identity}: the response of ${action} cannot be serialised: ${message}`,
      );
      return;
    }
    this.reply(text);
    if (call.route.hooks !== undefined) {
      this.track(
        this.config.router!.runAfter(call, response).then((errors) => {
          for (const e of errors) {
            this.log('error', `${this.identity}: after-hook of ${action} failed`, {
              error: e instanceof Error ? e.message : String(e),
            });
          }
        }),
      );
    }
  }

  private answerFailure(id: string, action: string, error: unknown): void {
    if (isOcppCallError(error)) {
      const code = normalizeErrorCode(this.config.descriptor.version, error.code) ?? 'GenericError';
      this.replyError(id, code as ErrorCodeOf<V>, error.description, { ...error.details });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.replyError(
      id,
      'InternalError' as ErrorCodeOf<V>,
      this.config.detailedErrors ? message : `${shownAction(action)} could not be processed`,
    );
    this.log('error', `${this.identity}: handler of ${shownAction(action)} failed: ${message}`);
  }
}

/** Error codes of a cause that mean nothing answered at that address. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

/**
 * The kind of a failed attempt to connect, read off the error's `code` as transports report them
 * (`@ocpp/transport-ws`'s codes); undefined for an error that is not a failed attempt.
 */
function connectFailureKind(error: Error): ConnectFailureKind | undefined {
  const { code, status, cause } = error as { code?: unknown; status?: unknown; cause?: unknown };
  switch (code) {
    case 'HANDSHAKE_REJECTED':
      return status === 401 ? 'unauthorized' : 'rejected';
    case 'NO_SUBPROTOCOL':
    case 'SUBPROTOCOL_MISMATCH':
      return 'subprotocol';
    case 'CONNECT_FAILED': {
      const causeCode = (cause as { code?: unknown } | undefined)?.code;
      if (typeof causeCode !== 'string') return 'other';
      if (UNREACHABLE.has(causeCode)) return 'unreachable';
      if (/^ERR_(TLS|SSL)_|CERT|_SIGNATURE|^ERR_OSSL/.test(causeCode)) return 'tls';
      return 'other';
    }
    default:
      return undefined;
  }
}

/** The session's transport handlers: one small object instead of four closures per connection. */
class TransportEvents implements TransportHandlers {
  constructor(
    // biome-ignore lint/suspicious/noExplicitAny: any session
    private readonly session: OcppSession<any, any, any>,
  ) {}
  message(text: string): void {
    this.session.transportMessage(text);
  }
  open(): void {
    this.session.transportOpened();
  }
  close(info: TransportCloseInfo): void {
    this.session.transportClosed(info);
  }
  error(error: Error): void {
    this.session.transportFailed(error);
  }
}

/**
 * One inbound call on its way through the services to its handler, and the handler's context:
 * one object per call serves as both (`context` is the object itself). `signal` is created only
 * when a handler reads it.
 */
class CallContext<V extends OcppVersion, M extends ActionMapShape<M>, R extends Role>
  implements HandlerContext<V, M, R, unknown>, InboundCall
{
  constructor(
    readonly session: OcppSession<V, M, R>,
    readonly messageId: string,
    readonly action: string,
    readonly kind: 'CALL' | 'SEND',
    readonly payload: unknown,
    readonly deps: unknown,
    /** The connection generation the call arrived on. */
    readonly generation: number,
    /** The router's entry for the action (its after-hooks are read when the call finishes). */
    readonly route: Route,
  ) {}

  get identity(): string {
    return this.session.identity;
  }

  get context(): this {
    return this;
  }

  get signal(): AbortSignal {
    return this.session.handlerSignal(this.generation);
  }
}
