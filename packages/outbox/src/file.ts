/**
 * `@ocpp/outbox/file`: an outbox store in one append-only journal file, with no service to run.
 *
 * Each change is one record: a 4-byte length, a 4-byte CRC-32 of the body, and the body: a JSON
 * header (`["a",seq,action,attempts]` kept, `["u",seq,attempts]` attempted again, `["r",seq]`
 * removed), then, for a kept message, a newline and its payload as it is (no escaping to pay). Loading replays the records; a torn or corrupt tail (a crash in the middle
 * of a write, a disk that lost a sector) stops the replay there, is cut off, and is reported. The
 * journal is rewritten, compacted, once removed records dominate it.
 */
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
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
/** A journal holding nothing is emptied once it is this large (a truncation, no fsync needed). */
const EMPTY_AT = 1024 * 1024;
/** A journal is rewritten once it is this large and four times what it keeps. */
const COMPACT_AT = 16 * 1024 * 1024;

/** An {@link OutboxStore} in one journal file. */
export class FileStore implements OutboxStore {
  private fd: number;
  private readonly records = new Map<number, OutboxRecord>();
  /** Bytes in the journal, and the bytes of the records it keeps. */
  private bytes = 0;
  private liveBytes = 0;
  private readonly sizes = new Map<number, number>();
  private readonly sync: 'always' | 'batched' | 'group';
  /** `'group'`: records not yet written, and the seq of the last kept message written. */
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;
  private gatheredSeq = 0;
  private durableSeq = 0;
  private readonly durableListeners: (() => void)[] = [];
  private readonly groupCommitMs: number;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private dirty = false;

  constructor(
    readonly file: string,
    options: FileStoreOptions = {},
  ) {
    this.sync = options.sync ?? 'batched';
    this.groupCommitMs = options.groupCommitMs ?? 10;
    this.fd = openSync(file, 'a+');
    this.replay(options.onCorruption ?? warn);
  }

  load(): readonly OutboxRecord[] {
    return [...this.records.values()].sort((a, b) => a.seq - b.seq);
  }

  append(record: OutboxRecord): void {
    this.records.set(record.seq, record);
    const size = this.write(
      ['a', record.seq, record.action, record.attempts],
      record.payload,
      true,
    );
    this.sizes.set(record.seq, size);
    this.liveBytes += size;
  }

  update(record: OutboxRecord): void {
    if (!this.records.has(record.seq)) return;
    this.records.set(record.seq, record);
    this.write(['u', record.seq, record.attempts], undefined, true);
  }

  remove(seq: number): void {
    if (!this.records.delete(seq)) return;
    this.liveBytes -= this.sizes.get(seq) ?? 0;
    this.sizes.delete(seq);
    this.write(['r', seq], undefined, false);
    if (this.records.size === 0 && this.bytes >= EMPTY_AT) this.empty();
    else if (this.bytes >= COMPACT_AT && this.bytes >= 4 * this.liveBytes) this.compact();
  }

  /** Messages kept. */
  get size(): number {
    return this.records.size;
  }

  /** Writes what was gathered and fsyncs what was written (the end of a group commit). */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.gathered.length > 0) {
      writeSync(this.fd, Buffer.concat(this.gathered, this.gatheredBytes));
      this.gathered = [];
      this.gatheredBytes = 0;
    }
    if (this.dirty) {
      this.dirty = false;
      fsyncSync(this.fd);
    }
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

  /** Appends one record; returns its size. */
  private write(header: unknown[], payload: string | undefined, urgent: boolean): number {
    const bytes = encode(header, payload);
    this.bytes += bytes.length;
    if (this.sync === 'group') {
      this.gathered.push(bytes);
      this.gatheredBytes += bytes.length;
      if (header[0] === 'a') this.gatheredSeq = Math.max(this.gatheredSeq, header[1] as number);
      this.dirty = true;
      // A large gathering is written at once; its fsync still waits for the window.
      if (this.gatheredBytes >= 1024 * 1024) {
        writeSync(this.fd, Buffer.concat(this.gathered, this.gatheredBytes));
        this.gathered = [];
        this.gatheredBytes = 0;
      }
      this.schedule();
      return bytes.length;
    }
    writeSync(this.fd, bytes);
    if (urgent && this.sync === 'always') {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.dirty = false;
      fsyncSync(this.fd);
      return bytes.length;
    }
    this.dirty = true;
    this.schedule();
    return bytes.length;
  }

  private schedule(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => this.flush(), this.groupCommitMs);
    this.flushTimer.unref?.();
  }

  /**
   * Empties a journal that keeps nothing. No fsync is needed: should the truncation not reach the
   * disk, the old records, removals included, still say that nothing is kept.
   */
  private empty(): void {
    if (this.gathered.length > 0) return;
    ftruncateSync(this.fd, 0);
    this.bytes = 0;
  }

  /** Replays the journal into `records`, cutting off a bad tail. */
  private replay(onCorruption: (report: CorruptionReport) => void): void {
    const data = readFileSync(this.file);
    let at = 0;
    let count = 0;
    while (at < data.length) {
      const body = decodeAt(data, at);
      if (body === undefined) break;
      this.apply(body.value, body.next - at);
      at = body.next;
      count++;
    }
    this.bytes = at;
    if (at < data.length) {
      ftruncateSync(this.fd, at);
      fsyncSync(this.fd);
      onCorruption({ file: this.file, bytesDropped: data.length - at, recordsKept: count });
    }
  }

  private apply(body: Decoded, size: number): void {
    const [op, seq] = body.header as [string, number];
    if (op === 'a') {
      const [, , action, attempts] = body.header as [string, number, string, number];
      this.records.set(seq, { seq, action, payload: body.payload ?? 'null', attempts });
      this.sizes.set(seq, size);
      this.liveBytes += size;
    } else if (op === 'u') {
      const attempts = body.header[2] as number;
      const r = this.records.get(seq);
      if (r !== undefined) this.records.set(seq, { ...r, attempts });
    } else if (op === 'r' && this.records.delete(seq)) {
      this.liveBytes -= this.sizes.get(seq) ?? 0;
      this.sizes.delete(seq);
    }
  }

  /** Rewrites the journal with only the kept messages: a new file, fsynced, renamed over. */
  private compact(): void {
    this.flush();
    const tmp = `${this.file}.compact`;
    const fd = openSync(tmp, 'w');
    const records = this.load();
    let bytes = 0;
    for (const r of records) {
      const record = encode(['a', r.seq, r.action, r.attempts], r.payload);
      writeSync(fd, record);
      this.sizes.set(r.seq, record.length);
      bytes += record.length;
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    syncDirectory(dirname(this.file));
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a+');
    this.bytes = bytes;
    this.liveBytes = bytes;
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

function encode(header: unknown[], payload: string | undefined): Buffer {
  const head = JSON.stringify(header);
  const headBytes = Buffer.byteLength(head);
  const length = payload === undefined ? headBytes : headBytes + 1 + Buffer.byteLength(payload);
  const out = Buffer.allocUnsafe(HEADER + length);
  out.writeUInt32LE(length, 0);
  out.write(head, HEADER, 'utf8');
  if (payload !== undefined) {
    out[HEADER + headBytes] = NEWLINE;
    out.write(payload, HEADER + headBytes + 1, 'utf8');
  }
  out.writeUInt32LE(crc32(out.subarray(HEADER)), 4);
  return out;
}

function decodeAt(data: Buffer, at: number): { value: Decoded; next: number } | undefined {
  if (at + HEADER > data.length) return undefined;
  const length = data.readUInt32LE(at);
  const end = at + HEADER + length;
  if (end > data.length) return undefined;
  const body = data.subarray(at + HEADER, end);
  if (crc32(body) !== data.readUInt32LE(at + 4)) return undefined;
  const nl = body.indexOf(NEWLINE);
  try {
    const header = JSON.parse(body.toString('utf8', 0, nl === -1 ? body.length : nl)) as unknown;
    if (!Array.isArray(header)) return undefined;
    const payload = nl === -1 ? undefined : body.toString('utf8', nl + 1);
    return { value: { header, payload }, next: end };
  } catch {
    return undefined;
  }
}
