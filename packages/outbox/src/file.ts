/**
 * `@ocpp/outbox/file`: an outbox store in one append-only journal file, with no service to run.
 *
 * Each change is one record: a 4-byte length, a 4-byte CRC-32 of the body, and the body (JSON:
 * `{"a":[seq,action,payload,attempts]}` kept, `{"u":[seq,attempts]}` attempted again,
 * `{"r":seq}` removed). Loading replays the records; a torn or corrupt tail (a crash in the middle
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
import type { OutboxRecord, OutboxStore } from './store.js';

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /**
   * When a change reaches the disk itself. `'always'`: every change is written and fsynced before
   * the call returns (survives a power loss at once). `'batched'`: every change is written before
   * the call returns (survives the process being killed at once) and fsynced within
   * `groupCommitMs`, many changes sharing one fsync (survives a power loss after that).
   * @default 'batched'
   */
  readonly sync?: 'always' | 'batched';
  /** The longest a `'batched'` change waits for its fsync. @default 10 */
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
/** Compaction once the journal has this many records more than it keeps messages. */
const COMPACT_SLACK = 4096;

/** An {@link OutboxStore} in one journal file. */
export class FileStore implements OutboxStore {
  private fd: number;
  private readonly records = new Map<number, OutboxRecord>();
  private written = 0;
  private readonly sync: 'always' | 'batched';
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
    this.write({ a: [record.seq, record.action, record.payload, record.attempts] });
  }

  update(record: OutboxRecord): void {
    if (!this.records.has(record.seq)) return;
    this.records.set(record.seq, record);
    this.write({ u: [record.seq, record.attempts] });
  }

  remove(seq: number): void {
    if (!this.records.delete(seq)) return;
    this.write({ r: seq });
    if (this.written > this.records.size + COMPACT_SLACK) this.compact();
  }

  /** Messages kept. */
  get size(): number {
    return this.records.size;
  }

  /** Fsyncs what was written (the end of a group commit). */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    fsyncSync(this.fd);
  }

  /** Flushes and closes the file. */
  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private write(body: unknown): void {
    const bytes = encode(body);
    writeSync(this.fd, bytes);
    this.written++;
    if (this.sync === 'always') {
      fsyncSync(this.fd);
      return;
    }
    this.dirty = true;
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), this.groupCommitMs);
      this.flushTimer.unref?.();
    }
  }

  /** Replays the journal into `records`, cutting off a bad tail. */
  private replay(onCorruption: (report: CorruptionReport) => void): void {
    const data = readFileSync(this.file);
    let at = 0;
    let count = 0;
    while (at < data.length) {
      const body = decodeAt(data, at);
      if (body === undefined) break;
      this.apply(body.value);
      at = body.next;
      count++;
    }
    this.written = count;
    if (at < data.length) {
      ftruncateSync(this.fd, at);
      fsyncSync(this.fd);
      onCorruption({ file: this.file, bytesDropped: data.length - at, recordsKept: count });
    }
  }

  private apply(body: unknown): void {
    const b = body as { a?: [number, string, string, number]; u?: [number, number]; r?: number };
    if (b.a !== undefined) {
      const [seq, action, payload, attempts] = b.a;
      this.records.set(seq, { seq, action, payload, attempts });
    } else if (b.u !== undefined) {
      const [seq, attempts] = b.u;
      const r = this.records.get(seq);
      if (r !== undefined) this.records.set(seq, { ...r, attempts });
    } else if (b.r !== undefined) {
      this.records.delete(b.r);
    }
  }

  /** Rewrites the journal with only the kept messages: a new file, fsynced, renamed over. */
  private compact(): void {
    this.flush();
    const tmp = `${this.file}.compact`;
    const fd = openSync(tmp, 'w');
    const records = this.load();
    for (const r of records) writeSync(fd, encode({ a: [r.seq, r.action, r.payload, r.attempts] }));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    syncDirectory(dirname(this.file));
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a+');
    this.written = records.length;
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

function encode(body: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  const out = Buffer.allocUnsafe(HEADER + json.length);
  out.writeUInt32LE(json.length, 0);
  out.writeUInt32LE(crc32(json), 4);
  json.copy(out, HEADER);
  return out;
}

function decodeAt(data: Buffer, at: number): { value: unknown; next: number } | undefined {
  if (at + HEADER > data.length) return undefined;
  const length = data.readUInt32LE(at);
  const end = at + HEADER + length;
  if (end > data.length) return undefined;
  const json = data.subarray(at + HEADER, end);
  if (crc32(json) !== data.readUInt32LE(at + 4)) return undefined;
  try {
    return { value: JSON.parse(json.toString('utf8')), next: end };
  } catch {
    return undefined;
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE), as zip and PNG use it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++)
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
