/**
 * `@ocpp/outbox/file`: an outbox store in one append-only journal file, with no service to run.
 *
 * Each change is one record: a 4-byte length, a 4-byte CRC-32 of the body, and the body: a JSON
 * header (`["a",seq,action,attempts]` kept, or kept again with a new payload; `["u",seq,attempts]`
 * attempted again; `["r",seq]` removed), then, for a kept message, a newline and its payload as it
 * is (no escaping to pay). Records are encoded in place into one reused buffer and written from
 * it: one `writeSync` per change, or per group commit. Loading replays the records; a torn or
 * corrupt tail (a crash in the middle of a write, a disk that lost a sector) stops the replay
 * there, is cut off, and is reported. The journal is truncated once it keeps nothing, and
 * rewritten, compacted, once removed records dominate it.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { OcppSdkError } from '@ocpp/runtime';
import type { OutboxRecord, OutboxStore } from './store.js';

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /**
   * When a change reaches the disk.
   * - `'always'`: every new message (and every attempt) is written and fsynced before the call
   *   returns: it survives a power loss at once. A removal rides on the next fsync (losing one
   *   only means the message is delivered again).
   * - `'batched'`: every change is written before the call returns, so it survives the process
   *   being killed at once, and fsynced within `groupCommitMs`, many changes sharing one fsync
   *   (it survives a power loss after that).
   * - `'group'`: changes are gathered and written with one write and one fsync every
   *   `groupCommitMs` (group commit): the fastest, and a message is not sent before its write
   *   reached the disk; but a crash loses the messages accepted in the last `groupCommitMs`,
   *   which were never sent.
   * @default 'batched'
   */
  readonly sync?: 'always' | 'batched' | 'group';
  /** The longest a change waits for its fsync (`'batched'`, `'group'`). @default 10 */
  readonly groupCommitMs?: number;
  /** Told when loading found a torn or corrupt tail and cut it off. @default a console warning */
  readonly onCorruption?: (report: CorruptionReport) => void;
}

/** What loading cut off a journal. */
export interface CorruptionReport {
  readonly file: string;
  /** Bytes from the first bad record to the end, dropped. */
  readonly bytesDropped: number;
  /** Records read before it. */
  readonly recordsKept: number;
}

const HEADER = 8;
/** A journal holding nothing is emptied once it is this large (a truncation). */
const EMPTY_AT = 1024 * 1024;
/** A journal is rewritten once it is this large and four times what it keeps. */
const COMPACT_AT = 16 * 1024 * 1024;
/** Gathered records are written once they are this many bytes; their fsync still waits. */
const WRITE_AT = 1024 * 1024;
/** The encoding buffer starts this large (`'group'`: and `WRITE_AT` more). */
const BUFFER_BYTES = 64 * 1024;
/** Loading reads the journal this much at a time. */
const READ_BYTES = 1024 * 1024;

/** An {@link OutboxStore} in one journal file. */
export class FileStore implements OutboxStore {
  private fd: number;
  private readonly records = new Map<number, OutboxRecord>();
  /** Bytes in the journal, written or gathered. */
  private bytes = 0;
  /** Bytes of the records it keeps, as {@link keptBytes} counts them. */
  private liveBytes = 0;
  private readonly sync: 'always' | 'batched' | 'group';
  /**
   * Records encoded and not yet written: `out[0, used)`. Each record is encoded in place and the
   * buffer written as it is, so a record costs no buffer of its own and no copy.
   */
  private out: Buffer;
  private readonly outBytes: number;
  private used = 0;
  /** `'group'`: the seq of the last kept message gathered, and of the last one durable. */
  private gatheredSeq = 0;
  private durableSeq = 0;
  private readonly durableListeners: (() => void)[] = [];
  private readonly groupCommitMs: number;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Written since the last fsync. */
  private dirty = false;

  constructor(
    readonly file: string,
    options: FileStoreOptions = {},
  ) {
    this.sync = options.sync ?? 'batched';
    this.groupCommitMs = options.groupCommitMs ?? 10;
    // Group commit gathers up to `WRITE_AT` before it writes: room for that from the start (the
    // pages are only touched, and so only resident, once used).
    this.outBytes = this.sync === 'group' ? WRITE_AT + BUFFER_BYTES : BUFFER_BYTES;
    this.out = Buffer.allocUnsafe(this.outBytes);
    this.fd = openSync(file, 'a+');
    this.replay(options.onCorruption ?? warn);
  }

  load(): readonly OutboxRecord[] {
    return [...this.records.values()].sort((a, b) => a.seq - b.seq);
  }

  append(record: OutboxRecord): void {
    whole('seq', record.seq);
    whole('attempts', record.attempts);
    this.write(addHeader(record), record.payload, true);
    // Kept only once written: a store that throws has not kept it.
    this.records.set(record.seq, record);
    this.liveBytes += keptBytes(record);
    if (record.seq > this.gatheredSeq) this.gatheredSeq = record.seq;
  }

  update(record: OutboxRecord): void {
    const kept = this.records.get(record.seq);
    if (kept === undefined) return;
    whole('attempts', record.attempts);
    // A new payload (1.6: the CSMS's transaction id in place of a stand-in) is kept as a whole
    // record again, which loading takes over the first; otherwise the attempts alone.
    if (record.payload === kept.payload && record.action === kept.action)
      this.write(`["u",${record.seq},${record.attempts}]`, undefined, true);
    else this.write(addHeader(record), record.payload, true);
    this.records.set(record.seq, record);
    this.liveBytes += keptBytes(record) - keptBytes(kept);
  }

  remove(seq: number): void {
    const kept = this.records.get(seq);
    if (kept === undefined) return;
    this.records.delete(seq);
    this.liveBytes -= keptBytes(kept);
    if (this.records.size === 0 && this.bytes >= EMPTY_AT) this.empty();
    else {
      this.write(`["r",${seq}]`, undefined, false);
      if (this.bytes >= COMPACT_AT && this.bytes >= 4 * this.liveBytes) this.compact();
    }
  }

  /** Messages kept. */
  get size(): number {
    return this.records.size;
  }

  /** Writes what was gathered and fsyncs what was written (the end of a group commit). */
  flush(): void {
    this.commit();
    if (this.gatheredSeq > this.durableSeq) {
      this.durableSeq = this.gatheredSeq;
      for (const listener of this.durableListeners.splice(0)) listener();
    }
  }

  /** False while a `'group'` message's write has not reached the disk (it must not be sent yet). */
  isDurable(seq: number): boolean {
    return seq <= this.durableSeq || this.sync !== 'group';
  }

  /** Runs `listener` once, after the next group commit. */
  onDurable(listener: () => void): void {
    this.durableListeners.push(listener);
    this.schedule();
  }

  /** Flushes and closes the file. */
  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  /** Encodes one record and writes it, or (`'group'`) gathers it; fsyncs it when `urgent` asks. */
  private write(header: string, payload: string | undefined, urgent: boolean): void {
    const size = this.encode(header, payload);
    this.bytes += size;
    if (this.sync === 'group') {
      this.dirty = true;
      this.schedule();
      if (this.used < WRITE_AT) return;
    }
    try {
      this.writeOut();
    } catch (error) {
      // This change is not made; what was gathered before it waits for the next commit.
      this.used -= size;
      this.bytes -= size;
      throw error;
    }
    if (this.sync === 'group') return;
    if (urgent && this.sync === 'always') {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.dirty = false;
      fsyncSync(this.fd);
      return;
    }
    this.dirty = true;
    this.schedule();
  }

  /**
   * Appends one record to `out`: its length, its CRC-32, the header and (for a kept message) a
   * newline and the payload. Returns its size.
   */
  private encode(header: string, payload: string | undefined): number {
    // At most 3 bytes of UTF-8 per UTF-16 unit: room is made before anything is encoded.
    const room = HEADER + 3 * header.length + (payload === undefined ? 0 : 1 + 3 * payload.length);
    if (this.used + room > this.out.length) this.grow(room);
    const out = this.out;
    const start = this.used;
    const body = start + HEADER;
    let end = body + out.write(header, body);
    if (payload !== undefined) {
      out[end++] = NEWLINE;
      end += out.write(payload, end);
    }
    out.writeUInt32LE(end - body, start);
    out.writeUInt32LE(crc32(out.subarray(body, end)), start + 4);
    this.used = end;
    return end - start;
  }

  private grow(room: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.used + room));
    this.out.copy(bigger, 0, 0, this.used);
    this.out = bigger;
  }

  /** Writes `out` to the journal. A failed write is cut off again, so no torn record stays. */
  private writeOut(): void {
    if (this.used === 0) return;
    try {
      writeAll(this.fd, this.out, this.used);
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.bytes - this.used);
      } catch {
        // Loading cuts a torn record off all the same.
      }
      throw error;
    }
    this.used = 0;
    // A record far larger than the rest grew the buffer: not kept that large for good.
    if (this.out.length > 2 * this.outBytes) this.out = Buffer.allocUnsafe(this.outBytes);
  }

  /** Writes what was gathered and fsyncs what was written. */
  private commit(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.writeOut();
    if (this.dirty) {
      this.dirty = false;
      fsyncSync(this.fd);
    }
  }

  private schedule(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => this.flush(), this.groupCommitMs);
    this.flushTimer.unref?.();
  }

  /**
   * Empties a journal that keeps nothing: what was gathered is dropped unwritten (it only
   * concerns messages no longer kept) and the file is truncated, fsynced with the next commit,
   * as a removal would be. Should the truncation not reach the disk, the records there still
   * say what is kept, less removals not yet durable: those messages are delivered again, as
   * with any removal lost.
   */
  private empty(): void {
    this.used = 0;
    ftruncateSync(this.fd, 0);
    this.bytes = 0;
    this.liveBytes = 0;
    this.dirty = true;
    this.schedule();
  }

  /**
   * Replays the journal into `records`, cutting off a bad tail. It is read a piece at a time into
   * one buffer, not whole: a long journal costs no buffer as large as itself.
   */
  private replay(onCorruption: (report: CorruptionReport) => void): void {
    const size = fstatSync(this.fd).size;
    let buffer = Buffer.allocUnsafe(Math.min(size, READ_BYTES));
    /** The buffer holds the file's bytes `[from, from + held)`. */
    let from = 0;
    let held = 0;
    /** Brings the file's bytes `[at, at + length)` into the buffer. */
    const read = (at: number, length: number): void => {
      if (at + length <= from + held) return;
      const keep = from + held - at;
      if (length > buffer.length) {
        const bigger = Buffer.allocUnsafe(Math.max(length, 2 * buffer.length));
        buffer.copy(bigger, 0, at - from, at - from + keep);
        buffer = bigger;
      } else buffer.copy(buffer, 0, at - from, at - from + keep);
      from = at;
      held = keep;
      const want = Math.min(buffer.length, size - from);
      while (held < want) {
        const n = readSync(this.fd, buffer, held, want - held, from + held);
        if (n === 0) break;
        held += n;
      }
    };
    let at = 0;
    let count = 0;
    while (at + HEADER <= size) {
      read(at, HEADER);
      const end = at + HEADER + buffer.readUInt32LE(at - from);
      if (end > size) break;
      read(at, end - at);
      if (end > from + held) break;
      const body = decodeAt(buffer, at - from, end - from);
      if (body === undefined) break;
      this.apply(body);
      at = end;
      count++;
    }
    this.bytes = at;
    if (at < size) {
      ftruncateSync(this.fd, at);
      fsyncSync(this.fd);
      onCorruption({ file: this.file, bytesDropped: size - at, recordsKept: count });
    }
  }

  private apply(body: Decoded): void {
    const [op, seq] = body.header as [string, number];
    if (op === 'a') {
      const [, , action, attempts] = body.header as [string, number, string, number];
      const record = { seq, action: actionName(action), payload: body.payload ?? 'null', attempts };
      const kept = this.records.get(seq);
      if (kept !== undefined) this.liveBytes -= keptBytes(kept);
      this.records.set(seq, record);
      this.liveBytes += keptBytes(record);
    } else if (op === 'u') {
      const attempts = body.header[2] as number;
      const r = this.records.get(seq);
      if (r !== undefined) this.records.set(seq, { ...r, attempts });
    } else if (op === 'r') {
      const kept = this.records.get(seq);
      if (kept === undefined) return;
      this.records.delete(seq);
      this.liveBytes -= keptBytes(kept);
    }
  }

  /** Rewrites the journal with only the kept messages: a new file, fsynced, renamed over. */
  private compact(): void {
    this.commit();
    const tmp = `${this.file}.compact`;
    const fd = openSync(tmp, 'w');
    let bytes = 0;
    try {
      for (const r of this.load()) {
        bytes += this.encode(addHeader(r), r.payload);
        if (this.used >= WRITE_AT) {
          writeAll(fd, this.out, this.used);
          this.used = 0;
        }
      }
      writeAll(fd, this.out, this.used);
      fsyncSync(fd);
    } finally {
      this.used = 0;
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    syncDirectory(dirname(this.file));
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a+');
    this.bytes = bytes;
    // `'group'`: what was gathered is on the disk now; the next commit tells who waits for it.
    if (this.gatheredSeq > this.durableSeq) this.schedule();
  }
}

/** The header of a kept message's record: `["a",seq,action,attempts]`. */
function addHeader(record: OutboxRecord): string {
  return `["a",${record.seq},${quoted(record.action)},${record.attempts}]`;
}

/** Action names as JSON strings, and as one string each (replay), for the few actions there are. */
const quotedActions = new Map<string, string>();
const actionNames = new Map<string, string>();

function quoted(action: string): string {
  let q = quotedActions.get(action);
  if (q === undefined) {
    q = JSON.stringify(action);
    if (quotedActions.size < 256) quotedActions.set(action, q);
  }
  return q;
}

function actionName(action: string): string {
  const known = actionNames.get(action);
  if (known !== undefined) return known;
  if (actionNames.size < 256) actionNames.set(action, action);
  return action;
}

/**
 * The bytes a kept message's record takes, near enough to decide when to compact (a payload's
 * characters, not its UTF-8 bytes): the same figure when it is kept and when it goes.
 */
function keptBytes(record: OutboxRecord): number {
  return HEADER + 24 + record.action.length + record.payload.length;
}

/** Seqs and attempts go into a record's JSON header as written: whole numbers only. */
function whole(name: string, value: number): void {
  if (!Number.isSafeInteger(value))
    throw new OcppSdkError(
      'INVALID_ARGUMENT',
      `FileStore: ${name} must be a whole number, got ${value}`,
    );
}

function writeAll(fd: number, buffer: Buffer, length: number): void {
  for (let at = 0; at < length; ) {
    const n = writeSync(fd, buffer, at, length - at);
    if (n <= 0) throw new Error(`FileStore: a write of ${length - at} bytes wrote nothing`);
    at += n;
  }
}

function warn(report: CorruptionReport): void {
  console.warn(
    `outbox journal ${report.file}: cut off ${report.bytesDropped} bytes of a torn or corrupt tail after ${report.recordsKept} records`,
  );
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not every platform can fsync a directory; the rename is then as durable as it gets.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A record's body: its header and, for a kept message, the payload text. */
interface Decoded {
  readonly header: unknown[];
  readonly payload: string | undefined;
}

const NEWLINE = 0x0a;

/** The record at `data[at, end)`, its length already read; undefined when it is bad. */
function decodeAt(data: Buffer, at: number, end: number): Decoded | undefined {
  const body = data.subarray(at + HEADER, end);
  if (crc32(body) !== data.readUInt32LE(at + 4)) return undefined;
  const nl = body.indexOf(NEWLINE);
  try {
    const header = JSON.parse(body.toString('utf8', 0, nl === -1 ? body.length : nl)) as unknown;
    if (!Array.isArray(header)) return undefined;
    const payload = nl === -1 ? undefined : body.toString('utf8', nl + 1);
    return { header, payload };
  } catch {
    return undefined;
  }
}
