import {
  type ActionMapShape,
  type ErrorCodeOf,
  finishIssue,
  isOcppCallError,
  normalizeErrorCode,
  OcppCallError,
  OcppSdkError,
  type OcppVersion,
  type ParsedFrame,
  type Protocol,
  parseFrame,
  randomMessageId,
  SUBPROTOCOLS,
  serializeCall,
  serializeCallError,
  serializeCallResult,
  serializeCallResultError,
  serializeSend,
  type ValidationIssue,
  violationCode,
} from '@ocpp/runtime';
import type { Transport, TransportCloseInfo, TransportHandlers } from '@ocpp/transport';
import { Emitter } from '@ocpp/transport';
import { defaultLogger, type Logger } from './logger.js';
import type { HandlerContext, InboundCall, Router } from './router.js';
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
  error: (error: Error) => void;
}

interface PendingCall {
  readonly id: string;
  readonly action: string;
  readonly text: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  sent: boolean;
}

function describeIssue(issue: ValidationIssue | undefined): string {
  if (issue === undefined) return 'payload does not match the schema';
  return `${issue.path === '' ? 'payload' : issue.path}: ${issue.message}`;
}

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
  /** The negotiated subprotocol (`ocpp1.6`, `ocpp2.0.1`, `ocpp2.1`): narrow on it. */
  readonly protocol: SubprotocolOf<V>;
  /** The version's protocol descriptor. */
  readonly descriptor: Protocol<V, M>;
  readonly role: R;
  readonly identity: string;

  private readonly transport: Transport;
  // biome-ignore lint/suspicious/noExplicitAny: any dependency set
  private readonly router: Router<V, M, R, any> | undefined;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly maxQueue: number;
  private readonly whenDisconnected: 'queue' | 'fail';
  private readonly policy: ValidationPolicy | undefined;
  private readonly nextId: () => string;
  private readonly logger: Logger;
  private readonly detailedErrors: boolean;

  private readonly queue: PendingCall[] = [];
  /** Calls sent and not yet answered; at most `maxInFlight`, so a short array beats a Map. */
  private readonly inFlight: PendingCall[] = [];
  /** Ids of inbound CALLs being handled (to refuse a duplicate id). */
  private readonly handling: string[] = [];
  /** Counts connections; a handler whose connection generation is over has been aborted. */
  private generation = 0;
  /** Created on first use: most handlers never read their signal. */
  private controller: AbortController | undefined;
  private closed = false;

  constructor(options: SessionOptions<V, M, R>) {
    super();
    this.descriptor = options.protocol;
    this.protocol = SUBPROTOCOLS[options.protocol.version] as SubprotocolOf<V>;
    this.role = options.role;
    this.identity = options.identity;
    this.transport = options.transport;
    this.router = options.router;
    this.timeoutMs = options.callTimeoutMs ?? 30_000;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.maxQueue = options.maxQueue ?? 1000;
    this.whenDisconnected = options.whenDisconnected ?? 'queue';
    this.policy = options.validation;
    this.nextId = options.messageId ?? randomMessageId;
    this.logger = options.logger ?? defaultLogger;
    this.detailedErrors = options.detailedErrors ?? false;
    if (
      this.router !== undefined &&
      (this.router.protocol !== this.descriptor || this.router.role !== this.role)
    ) {
      throw new TypeError(
        `router is for OCPP ${this.router.protocol.version} ${this.router.role}, session is OCPP ${this.descriptor.version} ${this.role}`,
      );
    }
    this.transport.bind(new TransportEvents(this));
  }

  /** True while the connection is open. */
  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** Calls waiting to be sent, and calls sent and not yet answered. */
  get pending(): { readonly queued: number; readonly inFlight: number } {
    return { queued: this.queue.length, inFlight: this.inFlight.length };
  }

  /** Starts the transport (a client connects). */
  start(): Promise<void> {
    return this.transport.start();
  }

  /** Closes the connection for good; pending calls reject with `CONNECTION_CLOSED`. */
  async close(code = 1000, reason = ''): Promise<void> {
    this.closed = true;
    this.rejectAll(new OcppSdkError('CONNECTION_CLOSED', 'the session was closed'), true);
    await this.transport.close(code, reason);
  }

  /**
   * Sends a CALL and resolves with the peer's typed response. Rejects with `OcppCallError` when
   * the peer answers CALLERROR, or `OcppSdkError` (`TIMEOUT`, `NOT_CONNECTED`,
   * `CONNECTION_CLOSED`, `VALIDATION_FAILED`, `ABORTED`, `QUEUE_FULL`, `UNKNOWN_ACTION`).
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
      if (this.closed) return fail('CONNECTION_CLOSED', 'the session is closed');
      const entry = this.descriptor.isAction(action) ? this.descriptor.actions[action] : undefined;
      if (entry === undefined || entry.kind !== 'CALL') {
        return fail(
          'UNKNOWN_ACTION',
          `"${action}" is not a CALL action of OCPP ${this.descriptor.version}`,
        );
      }
      const id = this.nextId();
      if (
        !this.checkOutbound(action, 'request', payload, id, (issues) =>
          fail('VALIDATION_FAILED', `${action} request: ${describeIssue(issues[0])}`, issues),
        )
      ) {
        return;
      }
      if (!this.transport.isOpen && this.whenDisconnected === 'fail')
        return fail('NOT_CONNECTED', 'not connected');
      if (this.queue.length >= this.maxQueue)
        return fail('QUEUE_FULL', `${this.queue.length} calls are already waiting`);
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
      const ms = options.timeout ?? this.timeoutMs;
      pending.timer = setTimeout(() => {
        this.forget(pending);
        pending.reject(new OcppSdkError('TIMEOUT', `${action} got no reply within ${ms} ms`));
      }, ms);
      if (options.signal !== undefined) {
        pending.onAbort = () => {
          this.forget(pending);
          pending.reject(
            new OcppSdkError('ABORTED', `${action} was aborted`, { cause: options.signal?.reason }),
          );
        };
        options.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.pump();
    });
  }

  /**
   * Sends a SEND message (OCPP 2.1, e.g. `NotifyPeriodicEventStream`): no reply, and not held back
   * by calls in flight. Throws `OcppSdkError` when not connected or the payload is invalid (strict).
   */
  send<A extends SendableBy<M, R>>(action: A, payload: M[A]['request']): void {
    if (this.closed || !this.transport.isOpen)
      throw new OcppSdkError('NOT_CONNECTED', 'not connected');
    const entry = this.descriptor.isAction(action) ? this.descriptor.actions[action] : undefined;
    if (entry === undefined || entry.kind !== 'SEND') {
      throw new OcppSdkError(
        'UNKNOWN_ACTION',
        `"${action}" is not a SEND action of OCPP ${this.descriptor.version}`,
      );
    }
    const id = this.nextId();
    this.checkOutbound(action, 'request', payload, id, (issues) => {
      throw new OcppSdkError('VALIDATION_FAILED', `${action}: ${describeIssue(issues[0])}`, {
        cause: issues,
      });
    });
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

  private pump(): void {
    while (
      this.inFlight.length < this.maxInFlight &&
      this.queue.length > 0 &&
      this.transport.isOpen
    ) {
      const next = this.queue.shift()!;
      next.sent = true;
      this.inFlight.push(next);
      try {
        this.write(next.text);
      } catch (e) {
        this.forget(next);
        next.reject(
          new OcppSdkError('NOT_CONNECTED', `${next.action} could not be sent`, { cause: e }),
        );
      }
    }
  }

  /** Removes a call from the queue or the in-flight set and frees its resources. */
  private forget(pending: PendingCall): void {
    clearTimeout(pending.timer);
    if (pending.onAbort !== undefined)
      pending.signal?.removeEventListener('abort', pending.onAbort);
    if (pending.sent) {
      const i = this.inFlight.indexOf(pending);
      if (i !== -1) {
        this.inFlight.splice(i, 1);
        this.pump();
      }
    } else {
      const i = this.queue.indexOf(pending);
      if (i !== -1) this.queue.splice(i, 1);
    }
  }

  private write(text: string): void {
    this.transport.send(text);
    if (this.has('frame')) this.emit('frame', 'out', text);
  }

  /** Validates what we are about to send; returns false (after `onStrictFailure`) to stop. */
  private checkOutbound(
    action: string,
    part: 'request' | 'response',
    payload: unknown,
    messageId: string,
    onStrictFailure: (issues: readonly ValidationIssue[]) => void,
  ): boolean {
    const mode = modeFor(this.policy, action, 'outbound');
    if (mode === 'off') return true;
    const result = this.check(action, part, payload);
    if (result === undefined) return true;
    this.emit('validation', {
      direction: 'outbound',
      action,
      part,
      messageId,
      mode,
      errorCode: result.errorCode,
      issues: result.issues,
    });
    if (mode === 'lenient') return true;
    onStrictFailure(result.issues);
    return false;
  }

  private onTransportClose(info: TransportCloseInfo): void {
    this.controller?.abort(new OcppSdkError('CONNECTION_CLOSED', 'the connection closed'));
    this.controller = undefined;
    this.generation++;
    this.handling.length = 0;
    const keepQueue = info.reconnecting && this.whenDisconnected === 'queue' && !this.closed;
    if (!info.reconnecting) this.closed = true;
    this.rejectAll(
      new OcppSdkError(
        'CONNECTION_CLOSED',
        `the connection closed (${info.code}${info.reason === '' ? '' : ` ${info.reason}`})`,
      ),
      !keepQueue,
    );
    this.emit('close', info);
  }

  private rejectAll(error: OcppSdkError, includingQueued: boolean): void {
    for (const p of this.inFlight.splice(0)) {
      clearTimeout(p.timer);
      if (p.onAbort !== undefined) p.signal?.removeEventListener('abort', p.onAbort);
      p.reject(error);
    }
    if (includingQueued) {
      for (const p of this.queue.splice(0)) {
        clearTimeout(p.timer);
        if (p.onAbort !== undefined) p.signal?.removeEventListener('abort', p.onAbort);
        p.reject(error);
      }
    }
  }

  // ---- inbound ----

  private receive(text: string): void {
    if (this.has('frame')) this.emit('frame', 'in', text);
    const parsed = parseFrame(text, this.descriptor.version);
    if (!parsed.ok) {
      this.unexpected(parsed.reason, text);
      if (parsed.reply !== undefined)
        this.reply(
          serializeCallError(parsed.reply.id, parsed.reply.code, parsed.reply.description),
        );
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 2:
      case 6:
        try {
          this.onCall(frame.id, frame.action, frame.payload, frame.type === 2 ? 'CALL' : 'SEND');
        } catch (e) {
          this.track(Promise.reject(e));
        }
        return;
      case 3:
        this.onResult(frame.id, frame.payload, text);
        return;
      case 4:
        this.onCallError(frame, text);
        return;
      case 5: {
        const error = new OcppCallError(
          normalizeErrorCode(this.descriptor.version, frame.code) ?? frame.code,
          frame.description,
          frame.details,
        );
        this.logger.warn(
          `${this.identity}: the peer rejected our CALLRESULT ${frame.id}: ${frame.code} ${frame.description}`,
        );
        this.emit('resultError', error, frame.id);
        return;
      }
    }
  }

  /**
   * Runs the generated validator directly: the common, valid case allocates nothing; only a
   * failure builds the error code and issue list.
   */
  private check(
    action: string,
    part: 'request' | 'response',
    payload: unknown,
  ): { errorCode: ErrorCodeOf<V>; issues: readonly ValidationIssue[] } | undefined {
    const message = this.descriptor.actions[action as keyof M & string]?.[part];
    if (message === undefined) {
      throw new OcppSdkError(
        'UNKNOWN_ACTION',
        `"${action}" has no ${part} in OCPP ${this.descriptor.version}`,
      );
    }
    const raw = message.validate(payload);
    if (raw === null) return undefined;
    const issue = finishIssue(raw);
    return { errorCode: violationCode(this.descriptor.version, issue.kind), issues: [issue] };
  }

  /** @internal The abort signal handed to a handler of connection `generation`. */
  handlerSignal(generation: number): AbortSignal {
    return this.signalOf(generation);
  }

  private findInFlight(id: string): PendingCall | undefined {
    for (const p of this.inFlight) if (p.id === id) return p;
    return undefined;
  }

  private stopHandling(id: string): void {
    const i = this.handling.indexOf(id);
    if (i !== -1) this.handling.splice(i, 1);
  }

  /** @internal Called by the transport binding. */
  transportOpened(): void {
    this.emit('open');
    this.pump();
  }

  /** @internal Called by the transport binding. */
  transportClosed(info: TransportCloseInfo): void {
    this.onTransportClose(info);
  }

  /** @internal Called by the transport binding. */
  transportFailed(error: Error): void {
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
    work.catch((e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      this.logger.error(`${this.identity}: inbound processing failed: ${error.message}`);
      this.emit('error', error);
    });
  }

  private unexpected(reason: string, text: string): void {
    this.logger.warn(`${this.identity}: ${reason}`, {
      frame: text.length > 512 ? `${text.slice(0, 512)}…` : text,
    });
    this.emit('unexpected', { reason, text });
  }

  private reply(text: string): void {
    try {
      this.write(text);
    } catch (e) {
      this.logger.warn(`${this.identity}: could not send a reply, the connection is gone`, {
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
    const pending = this.findInFlight(id);
    if (pending === undefined) {
      this.unexpected(
        `CALLRESULT for unknown message id ${JSON.stringify(id)} (late reply after a timeout, or never sent)`,
        text,
      );
      return;
    }
    this.forget(pending);
    const mode = modeFor(this.policy, pending.action, 'inbound');
    if (mode !== 'off') {
      const result = this.check(pending.action, 'response', payload);
      if (result !== undefined) {
        this.emit('validation', {
          direction: 'inbound',
          action: pending.action,
          part: 'response',
          messageId: id,
          mode,
          errorCode: result.errorCode,
          issues: result.issues,
        });
        if (mode === 'strict') {
          const description = `${pending.action} response: ${describeIssue(result.issues[0])}`;
          if (this.descriptor.version === '2.1')
            this.reply(serializeCallResultError(id, result.errorCode, description));
          pending.reject(
            new OcppSdkError('VALIDATION_FAILED', description, { cause: result.issues }),
          );
          return;
        }
      }
    }
    pending.resolve(payload);
  }

  private onCallError(frame: Extract<ParsedFrame, { type: 4 | 5 }>, text: string): void {
    const pending = this.findInFlight(frame.id);
    if (pending === undefined) {
      this.unexpected(`CALLERROR for unknown message id ${JSON.stringify(frame.id)}`, text);
      return;
    }
    this.forget(pending);
    const code = normalizeErrorCode(this.descriptor.version, frame.code) ?? 'GenericError';
    pending.reject(new OcppCallError(code, frame.description, frame.details));
  }

  private onCall(id: string, action: string, payload: unknown, kind: 'CALL' | 'SEND'): void {
    const isCall = kind === 'CALL';
    if (isCall && this.handling.includes(id)) {
      this.replyError(
        id,
        'ProtocolError' as ErrorCodeOf<V>,
        `A call with message id ${id} is already being handled`,
      );
      return;
    }
    const entry = this.descriptor.isAction(action) ? this.descriptor.actions[action] : undefined;
    if (entry === undefined) {
      if (isCall)
        this.replyError(
          id,
          'NotImplemented' as ErrorCodeOf<V>,
          `Action ${action} is not known in OCPP ${this.descriptor.version}`,
        );
      else this.unexpected(`SEND of unknown action ${action}`, action);
      return;
    }
    const router = this.router;
    const peerSends =
      entry.direction === 'Both' ||
      entry.direction === (this.role === 'csms' ? 'StationToCsms' : 'CsmsToStation');
    if (entry.kind !== kind || !peerSends || router === undefined || !router.has(action)) {
      const why =
        entry.kind !== kind
          ? `${action} is a ${entry.kind} action`
          : !peerSends
            ? `${action} is not sent to the ${this.role === 'csms' ? 'CSMS' : 'charging station'}`
            : `no handler for ${action}`;
      if (isCall) this.replyError(id, 'NotSupported' as ErrorCodeOf<V>, why);
      else this.unexpected(`SEND ${action} dropped: ${why}`, action);
      return;
    }
    const mode = modeFor(this.policy, action, 'inbound');
    if (mode !== 'off') {
      const result = this.check(action, 'request', payload);
      if (result !== undefined) {
        this.emit('validation', {
          direction: 'inbound',
          action,
          part: 'request',
          messageId: id,
          mode,
          errorCode: result.errorCode,
          issues: result.issues,
        });
        if (mode === 'strict') {
          const issue = result.issues[0];
          if (isCall)
            this.replyError(
              id,
              result.errorCode,
              `${action}: ${describeIssue(issue)}`,
              issue === undefined ? {} : { path: issue.path, keyword: issue.keyword },
            );
          else this.unexpected(`SEND ${action} dropped: ${describeIssue(issue)}`, action);
          return;
        }
      }
    }

    const generation = this.generation;
    if (isCall) this.handling.push(id);
    const context: HandlerContext<V, M, R, unknown> = new CallContext(
      this,
      id,
      action,
      router.deps,
      generation,
    );
    const call: InboundCall = {
      action,
      kind,
      messageId: id,
      identity: this.identity,
      payload,
      context,
    };
    let result: unknown;
    try {
      result = router.dispatch(call);
    } catch (e) {
      this.failCall(call, generation, e);
      return;
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      this.track(
        Promise.resolve(result).then(
          (response) => this.finishCall(call, generation, response),
          (e: unknown) => this.failCall(call, generation, e),
        ),
      );
    } else {
      this.finishCall(call, generation, result);
    }
  }

  /** A handler failed: answer the CALL with the matching CALLERROR (a SEND only logs). */
  private failCall(call: InboundCall, generation: number, e: unknown): void {
    const { messageId: id, action } = call;
    this.stopHandling(id);
    if (generation !== this.generation) return;
    if (call.kind === 'SEND') {
      this.logger.error(`${this.identity}: handler of SEND ${action} failed`, {
        error: e instanceof Error ? e.message : String(e),
      });
      return;
    }
    this.answerFailure(id, action, e);
  }

  /** A handler returned: validate, send the CALLRESULT, then run the after-hooks. */
  private finishCall(call: InboundCall, generation: number, response: unknown): void {
    const { messageId: id, action } = call;
    this.stopHandling(id);
    if (call.kind === 'SEND' || generation !== this.generation) return;
    if (
      !this.checkOutbound(action, 'response', response, id, (issues) => {
        this.logger.error(
          `${this.identity}: handler of ${action} returned an invalid response: ${describeIssue(issues[0])}`,
        );
        this.replyError(
          id,
          'InternalError' as ErrorCodeOf<V>,
          this.detailedErrors
            ? `invalid response: ${describeIssue(issues[0])}`
            : 'The handler produced an invalid response',
        );
      })
    ) {
      return;
    }
    let text: string;
    try {
      text = serializeCallResult(id, response);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.logger.error(
        `${this.identity}: the response of ${action} cannot be serialised: ${message}`,
      );
      this.replyError(
        id,
        'InternalError' as ErrorCodeOf<V>,
        this.detailedErrors
          ? `response cannot be serialised: ${message}`
          : `${action} could not be processed`,
      );
      return;
    }
    this.reply(text);
    const router = this.router;
    if (router?.hasAfter(action)) {
      this.track(
        router.runAfter(call, response).then((errors) => {
          for (const e of errors) {
            this.logger.error(`${this.identity}: after-hook of ${action} failed`, {
              error: e instanceof Error ? e.message : String(e),
            });
          }
        }),
      );
    }
  }

  private answerFailure(id: string, action: string, error: unknown): void {
    if (isOcppCallError(error)) {
      const code = normalizeErrorCode(this.descriptor.version, error.code) ?? 'GenericError';
      this.replyError(id, code as ErrorCodeOf<V>, error.description, { ...error.details });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(`${this.identity}: handler of ${action} failed: ${message}`);
    this.replyError(
      id,
      'InternalError' as ErrorCodeOf<V>,
      this.detailedErrors ? message : `${action} could not be processed`,
    );
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

/** A handler's context; `signal` is created only when a handler reads it. */
class CallContext<V extends OcppVersion, M extends ActionMapShape<M>, R extends Role>
  implements HandlerContext<V, M, R, unknown>
{
  constructor(
    readonly session: OcppSession<V, M, R>,
    readonly messageId: string,
    readonly action: string,
    readonly deps: unknown,
    private readonly generation: number,
  ) {}

  get identity(): string {
    return this.session.identity;
  }

  get signal(): AbortSignal {
    return this.session.handlerSignal(this.generation);
  }
}
