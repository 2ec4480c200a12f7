import {
  type CallOutcome,
  Emitter,
  KeptError,
  Line,
  type OutboundQueue,
  type QueuedCall,
  type QueueHost,
} from '@ocpp/rpc';
import { OcppSdkError, type OcppVersion, randomMessageId, wholeOption } from '@ocpp/runtime';
import { MemoryStore, type OutboxRecord, type OutboxStore } from './store.js';

/** A transaction message as the outbox reports it. */
export interface OutboxMessage {
  readonly seq: number;
  readonly action: string;
  /** The request payload (parsed). */
  readonly payload: unknown;
  /** Transmissions that were not processed (timeouts, CALLERRORs). */
  readonly attempts: number;
}

/** Events of an {@link Outbox}. */
export interface OutboxEvents {
  /** The CSMS answered a kept message: it is gone from the store. */
  delivered: (message: OutboxMessage, response: unknown) => void;
  /** A kept message failed and waits before it is sent again. */
  retrying: (message: OutboxMessage, delayMs: number, outcome: CallOutcome) => void;
  /** A kept message failed its last attempt and was dropped, as the spec allows: never silently. */
  dropped: (message: OutboxMessage, outcome: CallOutcome) => void;
  /**
   * 1.6: the CSMS answered a StartTransaction made offline; `standIn` (the id its caller got in
   * `KeptError.provisional`) now means `transactionId`. Kept messages that carried the stand-in
   * were given the CSMS's id, and so are later ones.
   */
  transactionId: (standIn: number, transactionId: number) => void;
}

/** Options of {@link Outbox}. */
export interface OutboxOptions {
  /** The station's OCPP version: which messages are transaction messages. */
  readonly version: OcppVersion;
  /** Where kept messages survive a restart. @default a `MemoryStore` (they do not) */
  readonly store?: OutboxStore;
  /**
   * How often a transaction message is sent before it is dropped when the CSMS does not process
   * it (no answer in time, or CALLERROR): 1.6 `TransactionMessageAttempts`, 2.x
   * `OCPPCommCtrlr.MessageAttempts` (instance TransactionEvent).
   * @default 3
   */
  readonly attempts?: number;
  /**
   * The wait between attempts, multiplied by the attempts so far: 1.6
   * `TransactionMessageRetryInterval`, 2.x `OCPPCommCtrlr.MessageAttemptInterval` (seconds there,
   * milliseconds here).
   * @default 60000
   */
  readonly retryIntervalMs?: number;
  /** 2.x `OCPPCommCtrlr.QueueAllMessages`: keep every message, not only transaction ones. @default false */
  readonly queueAll?: boolean;
  /**
   * Messages waiting at most, kept ones included. When full, a waiting message that is not a
   * transaction message makes room for a transaction message (its caller gets `QUEUE_FULL`);
   * when every waiting message is a transaction message, the new call is refused with
   * `QUEUE_FULL`: a transaction message is never let go for space without its caller knowing.
   * @default 10000
   */
  readonly maxMessages?: number;
  /** Message ids of resent messages (1.6 and 2.0.1 want a fresh id per transmission). @default UUID v4 */
  readonly messageId?: () => string;
}

/** One waiting message. */
interface Entry {
  readonly seq: number;
  readonly action: string;
  /** 1.6: replaced once, when the stand-in id it names is answered. */
  payload: string;
  attempts: number;
  /** Kept in the store until answered (a transaction message, or everything with `queueAll`). */
  readonly kept: boolean;
  /** Not sent before this time (a retry's wait). */
  notBefore: number;
  /** The session's own call, on its first transmission only; resends are new calls. */
  call: QueuedCall | undefined;
  /** 1.6 StartTransaction: its caller may hold the stand-in id (or did, before a restart). */
  standIn: boolean;
}

/**
 * A note in the store, never sent: 1.6 stand-in `s` stands for the CSMS's transaction id `t`.
 * It lives until that transaction's StopTransaction is answered.
 */
const NOTE = '#transactionId';

/**
 * A station's outbox, the session's outbound queue: transaction messages (1.6 StartTransaction,
 * StopTransaction, MeterValues of a transaction; 2.x TransactionEvent; SecurityEventNotification;
 * everything with `queueAll`) are written to the store before the call is accepted, sent in
 * order, resent as the spec says, and removed only once the CSMS answered, or after the last
 * attempt, with a `dropped` event. Give it to the session as `queue`.
 *
 * The caller of a kept message hears its first transmission (answer, CALLERROR, timeout) as with
 * any call; what happens to it afterwards is told by the outbox's events.
 */
export class Outbox extends Emitter<OutboxEvents> implements OutboundQueue {
  private readonly store: OutboxStore;
  private readonly line = new Line<Entry>();
  private readonly maxAttempts: number;
  private readonly intervalMs: number;
  private readonly max: number;
  private readonly nextId: () => string;
  private readonly byCall = new Map<QueuedCall, Entry>();
  /** Messages sent and not yet settled (OCPP sends one at a time). */
  private readonly inFlight = new Map<QueuedCall, Entry>();
  private host: QueueHost | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSeq = 0;
  private waitingForDisk = false;
  private keptCount = 0;
  // Created when first needed: a fleet of simulated stations holds an outbox each.
  /** 1.6 StartTransaction calls, to their entries (a caller's `KeptError` asks after it later). */
  private origin: WeakMap<QueuedCall, Entry> | undefined;
  /** 1.6: stand-in id → the CSMS's id and the note that keeps it; and the other way. */
  private assigned: Map<number, { readonly id: number; readonly note: number }> | undefined;
  private standInOf: Map<number, number> | undefined;

  constructor(private readonly options: OutboxOptions) {
    super();
    this.store = options.store ?? new MemoryStore();
    this.maxAttempts = wholeOption('attempts', options.attempts, 3, 1);
    this.intervalMs = wholeOption('retryIntervalMs', options.retryIntervalMs, 60_000, 0);
    this.max = wholeOption('maxMessages', options.maxMessages, 10_000, 1);
    this.nextId = options.messageId ?? randomMessageId;
    for (const r of this.store.load()) {
      this.lastSeq = Math.max(this.lastSeq, r.seq);
      if (r.action === NOTE) {
        const { s, t } = JSON.parse(r.payload) as { s: number; t: number };
        this.assign(s, t, r.seq);
        continue;
      }
      // Field by field, not a spread: restoring 100,000 messages this way is much faster.
      this.line.push({
        seq: r.seq,
        action: r.action,
        payload: r.payload,
        attempts: r.attempts,
        kept: true,
        notBefore: 0,
        call: undefined,
        standIn: r.action === 'StartTransaction',
      });
      this.keptCount++;
    }
  }

  /** Messages waiting (the one being sent not included). */
  get size(): number {
    return this.line.length;
  }

  /** Kept messages not yet answered, the one being sent included. */
  get kept(): number {
    return this.keptCount;
  }

  attach(host: QueueHost): void {
    this.host = host;
  }

  push(call: QueuedCall): void {
    let payload = payloadOf(call);
    // 1.6: a message naming a stand-in whose start the CSMS has answered names the real id.
    const renamed =
      this.assigned !== undefined && carriesTransactionId(call.action)
        ? this.withAssignedId(payload)
        : undefined;
    if (renamed !== undefined) payload = renamed;
    const kept = this.options.queueAll === true || this.isTransactional(call.action, payload);
    if (this.line.length + this.inFlight.size >= this.max) this.makeRoom(kept);
    const entry: Entry = {
      seq: ++this.lastSeq,
      action: call.action,
      payload,
      attempts: 0,
      kept,
      notBefore: 0,
      call,
      standIn: false,
    };
    // Durable before accepted: a store that throws refuses the call.
    if (kept) {
      this.store.append(recordOf(entry));
      this.keptCount++;
    }
    this.line.push(entry);
    if (call.action === 'StartTransaction' && this.options.version === '1.6') {
      this.origin ??= new WeakMap();
      this.origin.set(call, entry);
    }
    if (renamed === undefined) this.byCall.set(call, entry);
    else this.letGo(entry);
  }

  /**
   * 1.6: a StartTransaction kept for later has no transaction id yet; its caller gets a stand-in,
   * `{ transactionId: -seq }`, to put in the MeterValues and StopTransaction of that transaction.
   * The outbox replaces it with the CSMS's id once the start is answered (event `transactionId`).
   */
  provisional(call: QueuedCall): { transactionId: number } | undefined {
    const entry = this.origin?.get(call);
    if (entry === undefined || !entry.kept || this.options.version !== '1.6') return undefined;
    if (entry.action !== 'StartTransaction') return undefined;
    entry.standIn = true;
    return { transactionId: -entry.seq };
  }

  /** 1.6: the CSMS's id for a stand-in, once its StartTransaction was answered. */
  transactionIdOf(standIn: number): number | undefined {
    return this.assigned?.get(standIn)?.id;
  }

  shift(): QueuedCall | undefined {
    const head = this.line.first();
    if (head === undefined) return undefined;
    const now = Date.now();
    if (head.notBefore > now) {
      this.wakeAt(head.notBefore - now);
      return undefined;
    }
    // Group commit: a kept message goes out only once its write reached the disk.
    if (head.kept && this.store.isDurable?.(head.seq) === false) {
      if (!this.waitingForDisk) {
        this.waitingForDisk = true;
        this.store.onDurable?.(() => {
          this.waitingForDisk = false;
          this.host?.wake();
        });
      }
      return undefined;
    }
    this.line.shift();
    let call = head.call;
    if (call === undefined) {
      const id = this.nextId();
      call = { id, action: head.action, text: frameOf(id, head.action, head.payload) };
    } else {
      this.byCall.delete(call);
      head.call = undefined;
    }
    this.inFlight.set(call, head);
    return call;
  }

  remove(call: QueuedCall): boolean | 'kept' {
    const entry = this.byCall.get(call);
    if (entry === undefined) return false;
    this.byCall.delete(call);
    entry.call = undefined;
    // A kept message outlives its caller: it is sent all the same, as a new call.
    if (entry.kept) return 'kept';
    this.line.delete(entry);
    return true;
  }

  clear(): QueuedCall[] {
    const callers: QueuedCall[] = [];
    const keep: Entry[] = [];
    for (const entry of this.line.values()) {
      const call = entry.call;
      entry.call = undefined;
      if (!entry.kept) {
        if (call !== undefined) callers.push(call);
        continue;
      }
      keep.push(entry);
      if (call !== undefined)
        this.host?.drop(
          call,
          new KeptError(
            `${entry.action}: the session closed first; its message is kept and will be delivered later`,
            this.provisional(call),
          ),
        );
    }
    this.line.reset(keep);
    this.byCall.clear();
    return callers;
  }

  settled(call: QueuedCall, outcome: CallOutcome): undefined | 'kept' {
    const entry = this.inFlight.get(call);
    if (entry === undefined) return undefined;
    this.inFlight.delete(call);
    if (outcome.kind === 'result') {
      if (entry.kept) {
        if (entry.standIn) this.startAnswered(entry, outcome.payload);
        else if (entry.action === 'StopTransaction') this.forgetNote(entry.payload);
        this.store.remove(entry.seq);
        this.keptCount--;
        this.emit('delivered', this.message(entry), outcome.payload);
      }
      return undefined;
    }
    if (!entry.kept) return undefined;
    if (outcome.kind === 'lost' && notProcessedYet(outcome.error)) {
      // The connection went away: not an attempt the CSMS refused. First again on reconnect.
      this.line.unshift(entry);
      return 'kept';
    }
    entry.attempts++;
    if (entry.attempts >= this.maxAttempts) {
      this.drop(entry, outcome);
      // 1.6: without its start, the transaction's other messages name an id the CSMS never gave.
      if (entry.standIn) this.dropFollowers(-entry.seq, outcome);
      this.host?.wake();
      return undefined;
    }
    const delay = this.intervalMs * entry.attempts;
    entry.notBefore = Date.now() + delay;
    this.store.update(recordOf(entry));
    this.line.unshift(entry);
    this.emit('retrying', this.message(entry), delay, outcome);
    this.wakeAt(delay);
    return 'kept';
  }

  /** Stops the retry timer (the outbox is no longer used). Kept messages stay in the store. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drop(entry: Entry, outcome: CallOutcome): void {
    this.store.remove(entry.seq);
    this.keptCount--;
    if (entry.action === 'StopTransaction') this.forgetNote(entry.payload);
    this.emit('dropped', this.message(entry), outcome);
  }

  /** 1.6: the start of `entry` was answered; its stand-in now means the CSMS's id. */
  private startAnswered(entry: Entry, response: unknown): void {
    const id = (response as { transactionId?: unknown } | undefined)?.transactionId;
    if (typeof id !== 'number') return;
    const standIn = -entry.seq;
    // Answered again (resent after a restart that kept the start): the newer answer's note wins.
    const before = this.assigned?.get(standIn);
    if (before !== undefined) {
      this.store.remove(before.note);
      this.standInOf?.delete(before.id);
    }
    // The note first: once the start's record is gone, only the note says what the stand-in means.
    const note = ++this.lastSeq;
    this.store.append({
      seq: note,
      action: NOTE,
      payload: JSON.stringify({ s: standIn, t: id }),
      attempts: 0,
    });
    this.assign(standIn, id, note);
    for (const waiting of this.line.values()) {
      if (!carriesTransactionId(waiting.action)) continue;
      const payload = this.withAssignedId(waiting.payload);
      if (payload === undefined) continue;
      this.replacePayload(waiting, payload);
    }
    this.emit('transactionId', standIn, id);
  }

  /** Gives a waiting message a new payload, kept in the store; its caller is let go (kept). */
  private replacePayload(entry: Entry, payload: string): void {
    entry.payload = payload;
    if (entry.kept) this.store.update(recordOf(entry));
    this.letGo(entry);
  }

  /**
   * The session would send its caller's own frame, which names the stand-in: the message goes
   * out as a new call with its new payload, and the caller hears `KEPT`.
   */
  private letGo(entry: Entry): void {
    const call = entry.call;
    if (call === undefined) return;
    entry.call = undefined;
    this.byCall.delete(call);
    this.host?.drop(
      call,
      new KeptError(`${entry.action}: kept, and sent with the transaction id the CSMS gave`),
    );
  }

  /** 1.6: drops the waiting messages of a transaction whose start was dropped. */
  private dropFollowers(standIn: number, outcome: CallOutcome): void {
    const followers = [...this.line.values()].filter(
      (e) => e.kept && carriesTransactionId(e.action) && transactionIdIn(e.payload) === standIn,
    );
    for (const e of followers) {
      this.line.delete(e);
      if (e.call !== undefined) this.byCall.delete(e.call);
      this.drop(e, outcome);
    }
  }

  private assign(standIn: number, id: number, note: number): void {
    this.assigned ??= new Map();
    this.standInOf ??= new Map();
    this.assigned.set(standIn, { id, note });
    this.standInOf.set(id, standIn);
  }

  /** The transaction of a delivered (or dropped) stop has ended: its note goes. */
  private forgetNote(payload: string): void {
    if (this.assigned === undefined) return;
    const id = transactionIdIn(payload);
    const standIn = id === undefined ? undefined : this.standInOf?.get(id);
    if (standIn === undefined || id === undefined) return;
    const note = this.assigned.get(standIn)?.note;
    this.assigned.delete(standIn);
    this.standInOf?.delete(id);
    if (this.assigned.size === 0) {
      this.assigned = undefined;
      this.standInOf = undefined;
    }
    if (note !== undefined) this.store.remove(note);
  }

  /** The payload with an answered stand-in replaced by the CSMS's id; undefined when unchanged. */
  private withAssignedId(payload: string): string | undefined {
    const standIn = transactionIdIn(payload);
    if (standIn === undefined || standIn >= 0) return undefined;
    const assigned = this.assigned?.get(standIn);
    if (assigned === undefined) return undefined;
    const parsed = JSON.parse(payload) as Record<string, unknown>;
    return JSON.stringify({ ...parsed, transactionId: assigned.id });
  }

  /** Whether a message of `action` is a transaction message of this version. */
  private isTransactional(action: string, payload: string): boolean {
    switch (action) {
      case 'SecurityEventNotification':
        return true;
      case 'StartTransaction':
      case 'StopTransaction':
        return this.options.version === '1.6';
      case 'TransactionEvent':
        return this.options.version !== '1.6';
      case 'MeterValues':
        // 1.6: the meter values of a transaction carry its id.
        return this.options.version === '1.6' && hasTransactionId(payload);
      default:
        return false;
    }
  }

  /** Frees a place for a new message, or refuses it. */
  private makeRoom(forKept: boolean): void {
    const full = new OcppSdkError('QUEUE_FULL', `${this.max} messages are already waiting`);
    if (!forKept) throw full;
    const evicted = this.line.find((e) => !e.kept);
    if (evicted === undefined) throw full;
    this.line.delete(evicted);
    if (evicted.call !== undefined) {
      this.byCall.delete(evicted.call);
      this.host?.drop(
        evicted.call,
        new OcppSdkError('QUEUE_FULL', `${evicted.action} made room for a transaction message`),
      );
    }
  }

  private wakeAt(delayMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.host?.wake();
    }, delayMs);
  }

  private message(entry: Entry): OutboxMessage {
    return new Message(entry.seq, entry.action, entry.payload, entry.attempts);
  }
}

/** A message as the events tell it: its payload parsed only when a listener reads it. */
class Message implements OutboxMessage {
  private parsed: unknown;
  constructor(
    readonly seq: number,
    readonly action: string,
    private readonly text: string,
    readonly attempts: number,
  ) {}
  get payload(): unknown {
    this.parsed ??= JSON.parse(this.text);
    return this.parsed;
  }
}

/** Failures that say the CSMS did not get to process the message: it is sent again, uncounted. */
function notProcessedYet(error: OcppSdkError): boolean {
  return error.code === 'CONNECTION_CLOSED' || error.code === 'NOT_CONNECTED';
}

function recordOf(entry: Entry): OutboxRecord {
  return { seq: entry.seq, action: entry.action, payload: entry.payload, attempts: entry.attempts };
}

/** The payload text of a serialised CALL (`[2,"id","Action",{...}]`). */
function payloadOf(call: QueuedCall): string {
  const { id, action, text } = call;
  // `[2,"<id>","<action>",<payload>]`, compared in place (no prefix string built per call). An id
  // or action that JSON escapes does not match here and takes the parse below.
  const actionAt = 4 + id.length + 3;
  const payloadAt = actionAt + action.length + 2;
  if (
    text.startsWith('[2,"') &&
    text.startsWith(id, 4) &&
    text.startsWith('","', 4 + id.length) &&
    text.startsWith(action, actionAt) &&
    text.startsWith('",', actionAt + action.length) &&
    text.endsWith(']')
  )
    return text.slice(payloadAt, -1);
  const frame = JSON.parse(call.text) as unknown[];
  return JSON.stringify(frame[3]);
}

function frameOf(id: string, action: string, payload: string): string {
  return `[2,${JSON.stringify(id)},${JSON.stringify(action)},${payload}]`;
}

/** 1.6 messages that name a transaction by id. */
function carriesTransactionId(action: string): boolean {
  return action === 'MeterValues' || action === 'StopTransaction';
}

/** The integer `transactionId` of a 1.6 payload, if it has one. */
function transactionIdIn(payload: string): number | undefined {
  if (!payload.includes('"transactionId"')) return undefined;
  const id = (JSON.parse(payload) as { transactionId?: unknown }).transactionId;
  return typeof id === 'number' ? id : undefined;
}

function hasTransactionId(payload: string): boolean {
  if (!payload.includes('"transactionId"')) return false;
  const parsed = JSON.parse(payload) as { transactionId?: unknown };
  return parsed.transactionId !== undefined;
}
