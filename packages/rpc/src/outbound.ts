/**
 * The outbound half of a session: our CALLs waiting to be sent, those in flight, their timers and
 * how each one ends. The waiting line sits behind {@link OutboundQueue}, so a queue that keeps its
 * calls on disk (a station's durable outbox) can take the place of the in-memory one; the session's
 * typed `call` stays the same.
 */
import { type OcppCallError, OcppSdkError } from '@ocpp/runtime';

/** A CALL on its way out, as a queue holds it: its id, action and serialised frame. */
export interface QueuedCall {
  readonly id: string;
  readonly action: string;
  /** The CALL frame as it goes on the wire. */
  readonly text: string;
}

/** How a sent call ended, as the session reports it to its queue. */
export type CallOutcome =
  /** The peer answered CALLRESULT (`payload`, validated per the policy). */
  | { readonly kind: 'result'; readonly payload: unknown }
  /** The peer answered CALLERROR. */
  | { readonly kind: 'error'; readonly error: OcppCallError<string> }
  /**
   * No usable answer: the call timed out, its connection closed, the frame could not be written,
   * or the answer was refused (invalid in strict mode, too deep).
   */
  | { readonly kind: 'lost'; readonly error: OcppSdkError };

/**
 * Where a session's CALLs wait their turn. The session pushes each new call, takes the next one
 * whenever it may send (the transport open, fewer than `maxInFlight` out), and reports how each
 * sent call ended. A queue that persists calls keeps one until `settled` reports its answer, and
 * may hand out calls this process never pushed (restored after a restart): the session sends them
 * like the others and reports their outcome only through `settled`.
 */
export interface OutboundQueue {
  /** Calls waiting. */
  readonly size: number;
  /** Takes a new call at the back. Throws `OcppSdkError` `QUEUE_FULL` to refuse it. */
  push(call: QueuedCall): void;
  /** Hands out the next call to send, or `undefined` when none is ready. */
  shift(): QueuedCall | undefined;
  /**
   * Takes back a waiting call whose caller gave up (timeout, abort). False when not waiting;
   * `'kept'` when the caller is let go but the queue keeps the message and sends it later.
   */
  remove(call: QueuedCall): boolean | 'kept';
  /**
   * Empties the line (the session closed for good): returns the calls whose messages it let go.
   * A queue that keeps some messages for later tells their callers itself (`host.drop`).
   */
  clear(): QueuedCall[];
  /**
   * How a call handed out by `shift` ended. Return `'kept'` when the queue keeps the message to
   * send it again (its caller then gets `KEPT` instead of a timeout or a lost connection).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a queue that never keeps returns nothing
  settled?(call: QueuedCall, outcome: CallOutcome): 'kept' | void;
  /** Given once, when the session starts using the queue: how the queue reaches the session. */
  attach?(host: QueueHost): void;
  /**
   * What the caller of a kept call may use until the real answer arrives (its {@link KeptError}'s
   * `provisional`): an outbox gives a 1.6 StartTransaction made offline a stand-in transaction id.
   */
  provisional?(call: QueuedCall): unknown;
}

/**
 * The rejection (`code` `KEPT`) of a call whose message the queue keeps and delivers later: the
 * caller stops waiting, the message does not go away.
 */
export class KeptError extends OcppSdkError {
  constructor(
    message: string,
    /** What the queue offers in place of the answer until it arrives, if anything. */
    readonly provisional?: unknown,
    options?: { cause?: unknown },
  ) {
    super('KEPT', message, options);
  }
}

/** What a queue may ask of its session. */
export interface QueueHost {
  /** A call became ready without a push (a retry whose wait is over, calls restored from storage). */
  wake(): void;
  /**
   * The queue let go of a waiting call it had accepted (to make room for a more important one):
   * its caller, if it has one in this process, is rejected with `error`.
   */
  drop(call: QueuedCall, error: OcppSdkError): void;
}

/**
 * A first-in first-out line with O(1) `shift` and `unshift` (an array's `shift` copies it), for
 * queue implementations: the session's `MemoryQueue`, a durable outbox.
 */
export class Line<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  first(): T | undefined {
    return this.items[this.head];
  }
  push(item: T): void {
    this.items.push(item);
  }
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as T;
    this.head++;
    // Compact once the consumed part dominates, so a long-lived line does not grow.
    if (this.head === this.items.length) this.reset([]);
    else if (this.head >= 1024 && this.head * 2 >= this.items.length)
      this.reset(this.items.slice(this.head));
    return item;
  }
  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }
  /** Takes an item out wherever it stands; false when it is not in the line. */
  delete(item: T): boolean {
    const i = this.items.indexOf(item, this.head);
    if (i === -1) return false;
    this.items.splice(i, 1);
    return true;
  }
  find(test: (item: T) => boolean): T | undefined {
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      if (test(item)) return item;
    }
    return undefined;
  }
  *values(): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
  /** Replaces the contents (oldest first); returns what the line held. */
  reset(items: T[]): T[] {
    const held = this.items.slice(this.head);
    this.items = items;
    this.head = 0;
    return held;
  }
}

/** The in-memory queue every session has unless given another: a bounded line, oldest first. */
export class MemoryQueue implements OutboundQueue {
  private readonly line = new Line<QueuedCall>();

  constructor(
    /** Calls that may wait; one more is refused with `QUEUE_FULL`. */
    readonly max: number,
  ) {}

  get size(): number {
    return this.line.length;
  }

  push(call: QueuedCall): void {
    if (this.line.length >= this.max)
      throw new OcppSdkError('QUEUE_FULL', `${this.line.length} calls are already waiting`);
    this.line.push(call);
  }

  shift(): QueuedCall | undefined {
    return this.line.shift();
  }

  remove(call: QueuedCall): boolean {
    return this.line.delete(call);
  }

  clear(): QueuedCall[] {
    return this.line.reset([]);
  }
}

/**
 * A call this session made and a caller awaits. It is also what the in-memory queue holds, so a
 * call costs one object.
 */
export interface PendingCall extends QueuedCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  sent: boolean;
  /** A restored call (no caller in this process): the queue's own object, reported through `settled`. */
  readonly restored?: QueuedCall;
}

/** What the outbound engine needs of its session. */
export interface OutboundHost {
  readonly isOpen: boolean;
  readonly maxInFlight: number;
  /** The timeout of a restored call, which has no caller to choose one. */
  readonly timeoutMs: number;
  /** Writes a frame; throws when it cannot. */
  write(text: string): void;
  /** A call went in flight or came back: inbound flow control may change. */
  inFlightChanged(sending: boolean): void;
}

const noop = (): void => {};

/** Our calls: the queue, those in flight (at most `maxInFlight`), and the pump between them. */
export class Outbound {
  /** Calls sent and not yet answered; at most `maxInFlight`, so a short array beats a Map. */
  readonly inFlight: PendingCall[] = [];

  constructor(
    readonly queue: OutboundQueue,
    private readonly host: OutboundHost,
  ) {
    queue.attach?.({
      wake: () => this.pump(),
      drop: (call, error) => {
        if (!isPending(call) || call.sent) return;
        clearTimeout(call.timer);
        if (call.onAbort !== undefined) call.signal?.removeEventListener('abort', call.onAbort);
        call.reject(error);
      },
    });
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Takes a new call (the queue may refuse it) and sends what may be sent. */
  enqueue(call: PendingCall): void {
    this.queue.push(call);
    this.pump();
  }

  /** Sends waiting calls while the transport is open and fewer than `maxInFlight` are out. */
  pump(): void {
    const host = this.host;
    while (this.inFlight.length < host.maxInFlight && host.isOpen) {
      const taken = this.queue.shift();
      if (taken === undefined) return;
      const next = isPending(taken) ? taken : this.adopt(taken);
      next.sent = true;
      this.inFlight.push(next);
      // Its answer must be read even while the peer's own calls wait.
      host.inFlightChanged(true);
      try {
        host.write(next.text);
      } catch (e) {
        // The transport cannot write (it is closing): stop here. Pumping again from the failure
        // would take the same message (a queue that keeps it puts it back) over and over.
        this.fail(
          next,
          new OcppSdkError('NOT_CONNECTED', `${next.action} could not be sent`, { cause: e }),
          false,
        );
        return;
      }
    }
  }

  /** A call in flight by id. */
  find(id: string): PendingCall | undefined {
    for (const p of this.inFlight) if (p.id === id) return p;
    return undefined;
  }

  /**
   * A call made after the session closed for good: the queue may keep its message for a later
   * session (the caller hears `KEPT`), else the caller hears `CONNECTION_CLOSED`.
   */
  handOver(call: PendingCall): void {
    const closed = new OcppSdkError('CONNECTION_CLOSED', 'the session is closed');
    try {
      this.queue.push(call);
    } catch (e) {
      call.reject(e);
      return;
    }
    call.reject(this.queue.remove(call) === 'kept' ? this.keptError(call, closed) : closed);
  }

  /** The call ended with an answer: report it, then resolve or reject its caller. */
  answered(call: PendingCall, payload: unknown): void {
    // The queue hears the outcome before it hands out the next call (it may change that call).
    this.forget(call);
    this.report(call, { kind: 'result', payload });
    call.resolve(payload);
    this.pump();
  }

  /** The peer answered CALLERROR. */
  refused(call: PendingCall, error: OcppCallError<string>): void {
    this.forget(call);
    this.report(call, { kind: 'error', error });
    call.reject(error);
    this.pump();
  }

  /**
   * The call ended without a usable answer. When the queue keeps its message for later (an
   * outbox), a caller that merely waited too long or lost its connection hears `KEPT` instead.
   */
  fail(call: PendingCall, error: OcppSdkError, pump = true): void {
    let kept = this.forget(call) === 'kept';
    if (call.sent) kept = this.report(call, { kind: 'lost', error });
    call.reject(kept && NO_ANSWER.has(error.code) ? this.keptError(call, error) : error);
    if (call.sent && pump) this.pump();
  }

  /**
   * Removes a call from the queue or the in-flight set and frees its resources; `'kept'` when
   * the queue keeps a waiting call's message after all.
   */
  forget(call: PendingCall): undefined | 'kept' {
    clearTimeout(call.timer);
    if (call.onAbort !== undefined) call.signal?.removeEventListener('abort', call.onAbort);
    if (!call.sent) return this.queue.remove(call) === 'kept' ? 'kept' : undefined;
    const i = this.inFlight.indexOf(call);
    if (i === -1) return undefined;
    this.inFlight.splice(i, 1);
    this.host.inFlightChanged(false);
    return undefined;
  }

  /** True when calls are in flight (or, with `includingQueued`, waiting). */
  hasPending(includingQueued: boolean): boolean {
    return this.inFlight.length > 0 || (includingQueued && this.queue.size > 0);
  }

  /** Fails every call in flight (and, with `includingQueued`, every waiting one) with `error`. */
  rejectAll(error: OcppSdkError, includingQueued: boolean): void {
    for (const p of this.inFlight.splice(0)) {
      clearTimeout(p.timer);
      if (p.onAbort !== undefined) p.signal?.removeEventListener('abort', p.onAbort);
      const kept = this.report(p, { kind: 'lost', error });
      p.reject(kept && NO_ANSWER.has(error.code) ? this.keptError(p, error) : error);
    }
    if (!includingQueued) return;
    for (const c of this.queue.clear()) {
      if (!isPending(c)) continue;
      clearTimeout(c.timer);
      if (c.onAbort !== undefined) c.signal?.removeEventListener('abort', c.onAbort);
      c.reject(error);
    }
  }

  private keptError(call: PendingCall, cause: OcppSdkError): KeptError {
    return new KeptError(
      `${call.action}: ${cause.message}; its message is kept and will be delivered later`,
      this.queue.provisional?.(call),
      { cause },
    );
  }

  /** Tells the queue how a call ended; true when it keeps the message for later. */
  private report(call: PendingCall, outcome: CallOutcome): boolean {
    return this.queue.settled?.(call.restored ?? call, outcome) === 'kept';
  }

  /** A call the queue restored: sent like ours, timed by the session, reported through `settled`. */
  private adopt(call: QueuedCall): PendingCall {
    const adopted: PendingCall = {
      id: call.id,
      action: call.action,
      text: call.text,
      resolve: noop,
      reject: noop,
      timer: undefined,
      signal: undefined,
      onAbort: undefined,
      sent: false,
      restored: call,
    };
    const ms = this.host.timeoutMs;
    adopted.timer = setTimeout(
      () =>
        this.fail(
          adopted,
          new OcppSdkError('TIMEOUT', `${call.action} got no reply within ${ms} ms`),
        ),
      ms,
    );
    return adopted;
  }
}

/** Failures that mean "no answer (yet)", which a kept message outlives. */
const NO_ANSWER: ReadonlySet<string> = new Set(['TIMEOUT', 'CONNECTION_CLOSED', 'NOT_CONNECTED']);

function isPending(call: QueuedCall): call is PendingCall {
  return (call as Partial<PendingCall>).resolve !== undefined;
}
