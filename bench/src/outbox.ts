/**
 * `pnpm bench:outbox` (and part of `pnpm bench`): the durable outbox of `@ocpp/outbox` with its
 * journal (`FileStore`), against a floor measured in the same run on the same disk.
 *
 * - Outbox alone (the issue's figure): durable enqueue + deliver of 2.0.1 TransactionEvents with no
 *   session. A producer pushes prepared CALLs into the outbox (`push`: journaled), 100 per
 *   event-loop turn, as fast as it can; the outbox's host takes out what is ready (`shift`) and
 *   settles it with a result at once (`settled`: removed from the journal).
 * - Store alone: the same records appended to the `FileStore` and removed once durable, with no
 *   `Outbox`; and the records only encoded (length, CRC-32, header, UTF-8 payload), with no store
 *   and no I/O: what the journal's format costs at the least, on top of the floor. And the outbox
 *   on a `MemoryStore`: its own bookkeeping, with no journal.
 * - End to end (for reference): the same messages called on an `OcppSession` whose queue is the
 *   outbox, each answered at once by an in-memory CSMS; the session's own work is in this figure.
 *
 * The floor of a run is the journal's own system calls replayed: every `writeSync` and `fsyncSync`
 * the store made on its journal is traced, and afterwards the same number of bytes is written to
 * a fresh file with the same fsyncs, back to back, from one prepared buffer of journal records.
 * For `'group'` and `'always'` the floor writes all the bytes between two fsyncs in one
 * `writeSync` (group commit: one write and one fsync per group; fsync per message: one write and
 * one fsync per message); for `'batched'` (write-through) it keeps the store's writes as they were.
 * Each figure is the median of five rounds (end to end: three), each round a run and then its
 * floor; a ratio is the median of the rounds' ratios.
 *
 * - Recovery: opening a journal of 100,000 kept messages (replay and checksums).
 * - Memory per queued message: heap held by an outbox restored with those 100,000 messages.
 *
 * Targets (outbox alone): group-commit throughput >= 10,000 messages/s and >= 0.8x its floor;
 * fsync per message within 1.2x of its floor (time per message). Never fails on a figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { MemoryStore, Outbox, type OutboxRecord, type OutboxStore } from '@ocpp/outbox';
import { FileStore } from '@ocpp/outbox/file';
import { OcppSession, type QueuedCall, silentLogger } from '@ocpp/rpc';
import { randomMessageId, serializeCall } from '@ocpp/runtime';
import { createMemoryTransportPair } from '@ocpp/transport';
import { type TransactionEventRequest, v201Protocol } from '@ocpp/v201-core';
import Database from 'better-sqlite3';
import { transactionEvent2 } from './payloads.js';

type Sync = 'always' | 'batched' | 'group';

/** `node:fs` as the module object, whose functions can be wrapped (an ESM namespace is sealed). */
const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

const quick = process.argv.includes('--quick');
const dir = mkdtempSync(join(tmpdir(), 'bench-outbox-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// --- The trace of the journal's system calls -------------------------------------------------

/** An fsync in a trace; any other entry is the length of a write. */
const FSYNC = -1;

/** What a traced run did to its journal, and what else it did to the disk. */
interface Trace {
  /** Writes (their lengths) and fsyncs (`FSYNC`) of the journal, in order. */
  readonly ops: number[];
  /** Other calls the store made: truncations, compactions' writes and renames. */
  other: number;
}

let tracing:
  | { readonly file: string; readonly fds: Set<number>; readonly trace: Trace }
  | undefined;

/**
 * Wraps `node:fs`'s `openSync`, `closeSync`, `writeSync`, `fsyncSync`, `ftruncateSync` and `renameSync` so that
 * a run can trace its journal. The wrappers add a comparison and an array push to each call.
 */
function installTracer(): void {
  const real = {
    openSync: fs.openSync,
    closeSync: fs.closeSync,
    writeSync: fs.writeSync,
    fsyncSync: fs.fsyncSync,
    ftruncateSync: fs.ftruncateSync,
    renameSync: fs.renameSync,
  };
  const patched = {
    openSync(...args: Parameters<typeof fs.openSync>): number {
      const fd = real.openSync(...args);
      if (tracing !== undefined && args[0] === tracing.file) tracing.fds.add(fd);
      return fd;
    },
    closeSync(fd: number): void {
      real.closeSync(fd);
      tracing?.fds.delete(fd);
    },
    writeSync(...args: unknown[]): number {
      const n = Reflect.apply(real.writeSync, fs, args) as number;
      if (tracing !== undefined) {
        if (tracing.fds.has(args[0] as number)) tracing.trace.ops.push(n);
        else tracing.trace.other++;
      }
      return n;
    },
    fsyncSync(fd: number): void {
      real.fsyncSync(fd);
      if (tracing === undefined) return;
      if (tracing.fds.has(fd)) tracing.trace.ops.push(FSYNC);
      else tracing.trace.other++;
    },
    ftruncateSync(fd: number, len?: number): void {
      real.ftruncateSync(fd, len);
      if (tracing !== undefined) tracing.trace.other++;
    },
    renameSync(...args: Parameters<typeof fs.renameSync>): void {
      real.renameSync(...args);
      if (tracing !== undefined) tracing.trace.other++;
    },
  };
  Object.assign(fs, patched);
  // The store imports these by name: this makes its bindings see the wrappers.
  syncBuiltinESMExports();
}
installTracer();

function traced<T>(file: string, run: () => Promise<T>): Promise<{ value: T; trace: Trace }> {
  const trace: Trace = { ops: [], other: 0 };
  tracing = { file, fds: new Set(), trace };
  return run().then(
    (value) => {
      tracing = undefined;
      return { value, trace };
    },
    (error: unknown) => {
      tracing = undefined;
      throw error;
    },
  );
}

// --- The floor --------------------------------------------------------------------------------

/** A journal record as `FileStore` writes it: length, CRC-32, JSON header, newline, payload. */
function journalRecord(header: unknown[], payload?: string): Buffer {
  const body = Buffer.from(
    payload === undefined ? JSON.stringify(header) : `${JSON.stringify(header)}\n${payload}`,
  );
  const out = Buffer.allocUnsafe(8 + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  body.copy(out, 8);
  return out;
}

/** The writes the floor makes: the store's, or all between two fsyncs as one. */
function floorWrites(trace: Trace, sync: Sync): number[] {
  if (sync === 'batched') return trace.ops;
  const ops: number[] = [];
  let pending = 0;
  for (const op of trace.ops) {
    if (op === FSYNC) {
      if (pending > 0) ops.push(pending);
      pending = 0;
      ops.push(FSYNC);
    } else pending += op;
  }
  if (pending > 0) ops.push(pending);
  return ops;
}

/** Journal bytes (append and removal records of the payload, over and over), at least `bytes`. */
function journalBytes(bytes: number, payload: string): Buffer {
  const records: Buffer[] = [];
  let total = 0;
  for (let seq = 1; total < bytes; seq++) {
    for (const r of [
      journalRecord(['a', seq, 'TransactionEvent', 0], payload),
      journalRecord(['r', seq]),
    ]) {
      records.push(r);
      total += r.length;
    }
  }
  return Buffer.concat(records, total);
}

/** Milliseconds the floor takes: the writes and fsyncs of `ops`, back to back, on a fresh file. */
function floor(ops: readonly number[], source: Buffer): number {
  const file = join(dir, 'floor');
  const fd = fs.openSync(file, 'w');
  const start = performance.now();
  for (const op of ops) {
    if (op === FSYNC) fs.fsyncSync(fd);
    else fs.writeSync(fd, source, 0, op);
  }
  const ms = performance.now() - start;
  fs.closeSync(fd);
  rmSync(file);
  return ms;
}

// --- The runs ---------------------------------------------------------------------------------

const payload = transactionEvent2() as TransactionEventRequest;
const payloadText = JSON.stringify(payload);

/** Distinct CALL frames the prepared calls take turns with. */
const FRAMES = 256;

/**
 * CALLs as a session would hand them to its queue, prepared before the clock starts: each its own
 * object, their frames taken in turn from `FRAMES` serialised ones. A session hands over a frame it
 * has just serialised, still in the CPU's caches; tens of thousands of frames made in advance
 * would not be (about 1.3 µs more per message here, for reading them back from memory).
 */
function prepareCalls(messages: number): QueuedCall[] {
  const frames = Array.from({ length: FRAMES }, (_, seqNo) => {
    const id = randomMessageId();
    return {
      id,
      action: 'TransactionEvent',
      text: serializeCall(id, 'TransactionEvent', { ...payload, seqNo }),
    };
  });
  return Array.from({ length: messages }, (_, i) => ({ ...(frames[i % FRAMES] as QueuedCall) }));
}

/** Calls pushed per event-loop turn by the producer of the outbox-alone run. */
const CHUNK = 100;
const RESULT = { kind: 'result', payload: {} } as const;

/**
 * The embedded alternative to the journal, for the comparison the store was chosen by: SQLite in
 * WAL mode, one row per kept message, each change its own transaction. `full`: an fsync per
 * commit (as `sync: 'always'`); otherwise `synchronous=NORMAL` (a kill loses nothing, a power
 * loss the last commits: as `'batched'`).
 */
class SqliteStore implements OutboxStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly setAttempts: Database.Statement;
  private readonly delete: Database.Statement;
  constructor(file: string, full: boolean) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${full ? 'FULL' : 'NORMAL'}`);
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS kept (seq INTEGER PRIMARY KEY, action TEXT, payload TEXT, attempts INTEGER)',
    );
    this.insert = this.db.prepare('INSERT INTO kept VALUES (?, ?, ?, ?)');
    this.setAttempts = this.db.prepare('UPDATE kept SET payload = ?, attempts = ? WHERE seq = ?');
    this.delete = this.db.prepare('DELETE FROM kept WHERE seq = ?');
  }
  load(): readonly OutboxRecord[] {
    return this.db.prepare('SELECT * FROM kept ORDER BY seq').all() as OutboxRecord[];
  }
  append(r: OutboxRecord): void {
    this.insert.run(r.seq, r.action, r.payload, r.attempts);
  }
  update(r: OutboxRecord): void {
    this.setAttempts.run(r.payload, r.attempts, r.seq);
  }
  remove(seq: number): void {
    this.delete.run(seq);
  }
  close(): void {
    this.db.close();
  }
}

type StoreKind = Sync | 'memory' | 'sqlite-full' | 'sqlite-normal';

function storeOf(file: string, kind: StoreKind): OutboxStore & { close?(): void } {
  if (kind === 'memory') return new MemoryStore();
  if (kind === 'sqlite-full' || kind === 'sqlite-normal')
    return new SqliteStore(`${file}.sqlite`, kind === 'sqlite-full');
  return new FileStore(file, { sync: kind });
}

/** Outbox alone: milliseconds to push, deliver and settle `calls`, the last fsync included. */
async function outboxAlone(
  file: string,
  calls: readonly QueuedCall[],
  sync: StoreKind,
): Promise<number> {
  const store = storeOf(file, sync);
  const outbox = new Outbox({ version: '2.0.1', store, maxMessages: calls.length });
  let delivered = 0;
  outbox.on('delivered', () => delivered++);
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const deliver = () => {
    for (let call = outbox.shift(); call !== undefined; call = outbox.shift())
      outbox.settled(call, RESULT);
    if (delivered === calls.length) finish();
  };
  outbox.attach({
    wake: deliver,
    drop: () => {
      throw new Error('the outbox let a call go');
    },
  });
  const start = performance.now();
  let next = 0;
  const produce = () => {
    const end = Math.min(next + CHUNK, calls.length);
    for (; next < end; next++) outbox.push(calls[next] as QueuedCall);
    deliver();
    if (next < calls.length) setImmediate(produce);
  };
  // The store's group-commit timer does not keep a process alive; this run must.
  const alive = setInterval(() => {}, 1_000);
  produce();
  await finished;
  clearInterval(alive);
  if (store instanceof FileStore) store.flush();
  const ms = performance.now() - start;
  outbox.close();
  store.close?.();
  return ms;
}

/** The records an outbox keeps for `calls`: each payload is the CALL's fourth element, as text. */
function recordsOf(calls: readonly QueuedCall[]): OutboxRecord[] {
  return calls.map((call, i) => ({
    seq: i + 1,
    action: call.action,
    payload: call.text.slice(call.text.indexOf('{'), -1),
    attempts: 0,
  }));
}

/**
 * Store alone: milliseconds to append `records` to a `FileStore` and remove each once it is
 * durable, with the producer of the outbox-alone run and no `Outbox`.
 */
async function storeAlone(
  file: string,
  records: readonly OutboxRecord[],
  sync: Sync,
): Promise<number> {
  const store = new FileStore(file, { sync });
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let appended = 0;
  let removed = 0;
  let waiting = false;
  const deliver = () => {
    while (removed < appended && store.isDurable(removed + 1)) store.remove(++removed);
    if (removed === records.length) finish();
    else if (removed < appended && !waiting) {
      waiting = true;
      store.onDurable(() => {
        waiting = false;
        deliver();
      });
    }
  };
  const start = performance.now();
  const produce = () => {
    const end = Math.min(appended + CHUNK, records.length);
    while (appended < end) store.append(records[appended++] as OutboxRecord);
    deliver();
    if (appended < records.length) setImmediate(produce);
  };
  const alive = setInterval(() => {}, 1_000);
  produce();
  await finished;
  clearInterval(alive);
  store.flush();
  const ms = performance.now() - start;
  store.close();
  return ms;
}

/**
 * Milliseconds to encode the kept-message records of `records` as the journal's format wants them
 * (length, CRC-32, header, payload as UTF-8) into one reused buffer: no store, no I/O. What any
 * checksummed journal must spend on them, over the floor.
 */
function encodingAlone(records: readonly OutboxRecord[]): number {
  const out = Buffer.allocUnsafe(2 * 1024 * 1024);
  let used = 0;
  const start = performance.now();
  for (const r of records) {
    const header = `["a",${r.seq},"${r.action}",${r.attempts}]`;
    if (used + 9 + 3 * (header.length + r.payload.length) > out.length) used = 0;
    let end = used + 8 + out.write(header, used + 8);
    out[end++] = 0x0a;
    end += out.write(r.payload, end);
    out.writeUInt32LE(end - used - 8, used);
    out.writeUInt32LE(crc32(out.subarray(used + 8, end)), used + 4);
    used = end;
  }
  return performance.now() - start;
}

/** End to end: milliseconds for `messages` TransactionEvents called on a session, answered. */
async function endToEnd(file: string, messages: number, sync: Sync): Promise<number> {
  const store = new FileStore(file, { sync });
  const outbox = new Outbox({ version: '2.0.1', store, maxMessages: messages });
  const [stationSide, csmsSide] = createMemoryTransportPair({ protocol: 'ocpp2.0.1' });
  csmsSide.bind({
    message: (text) => {
      const id = (JSON.parse(text) as unknown[])[1];
      csmsSide.send(JSON.stringify([3, id, {}]));
    },
    open: () => {},
    close: () => {},
    error: () => {},
  });
  const session = new OcppSession({
    protocol: v201Protocol,
    role: 'station',
    transport: stationSide,
    identity: 'BENCH',
    logger: silentLogger,
    queue: outbox,
    validation: { outbound: 'off', inbound: 'off' },
    maxQueue: messages,
  });
  await session.start();
  await csmsSide.start();
  let delivered = 0;
  outbox.on('delivered', () => delivered++);
  const start = performance.now();
  const calls: Promise<unknown>[] = [];
  for (let seqNo = 0; seqNo < messages; seqNo++)
    calls.push(session.call('TransactionEvent', { ...payload, seqNo }));
  await Promise.all(calls);
  store.flush();
  const ms = performance.now() - start;
  if (delivered !== messages) throw new Error(`delivered ${delivered} of ${messages}`);
  await session.close();
  store.close();
  return ms;
}

interface Figure {
  /** Messages per second: the run's and its floor's (medians of the rounds). */
  readonly rate: number;
  readonly floorRate: number;
  /** Median of the rounds' run rate / floor rate. */
  readonly ratio: number;
  /** Journal writes and fsyncs of the median round, and the store's other disk calls. */
  readonly writes: number;
  readonly fsyncs: number;
  readonly other: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function figure(
  messages: number,
  sync: Sync,
  run: (file: string) => Promise<number>,
  rounds = 5,
): Promise<Figure> {
  const rates: number[] = [];
  const floors: number[] = [];
  const ratios: number[] = [];
  const traces: Trace[] = [];
  for (let r = 0; r < rounds; r++) {
    const file = join(dir, `journal-${sync}`);
    rmSync(file, { force: true });
    const { value: ms, trace } = await traced(file, () => run(file));
    rmSync(file, { force: true });
    const ops = floorWrites(trace, sync);
    const floorMs = floor(ops, journalBytes(Math.max(0, ...ops), payloadText));
    rates.push((messages / ms) * 1000);
    floors.push((messages / floorMs) * 1000);
    ratios.push(floorMs / ms);
    traces.push(trace);
  }
  const mid = ratios.indexOf(median(ratios));
  const trace = traces[mid] as Trace;
  return {
    rate: median(rates),
    floorRate: median(floors),
    ratio: median(ratios),
    writes: trace.ops.filter((op) => op !== FSYNC).length,
    fsyncs: trace.ops.filter((op) => op === FSYNC).length,
    other: trace.other,
  };
}

function recovery(messages: number): { ms: number; bytesPerMessage: number } {
  const file = join(dir, 'recovery');
  const writer = new FileStore(file, { sync: 'batched' });
  for (let seq = 1; seq <= messages; seq++)
    writer.append({ seq, action: 'TransactionEvent', payload: payloadText, attempts: 0 });
  writer.close();
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  const store = new FileStore(file);
  const outbox = new Outbox({ version: '2.0.1', store, maxMessages: messages });
  const ms = performance.now() - start;
  globalThis.gc?.();
  const bytesPerMessage = (process.memoryUsage().heapUsed - before) / messages;
  if (outbox.kept !== messages) throw new Error(`recovered ${outbox.kept} of ${messages}`);
  store.close();
  return { ms, bytesPerMessage };
}

// --- The report -------------------------------------------------------------------------------

const messages = quick ? 2_000 : 50_000;
const fsyncMessages = quick ? 300 : 2_000;
const recovered = quick ? 10_000 : 100_000;
const calls = prepareCalls(messages);
const fsyncCalls = calls.slice(0, fsyncMessages);
const records = recordsOf(calls);
const fsyncRecords = records.slice(0, fsyncMessages);

// Warm up the code paths and the file system once.
await figure(500, 'group', (file) => outboxAlone(file, calls.slice(0, 500), 'group'), 1);
await figure(500, 'group', (file) => storeAlone(file, records.slice(0, 500), 'group'), 1);
await figure(500, 'batched', (file) => endToEnd(file, 500, 'batched'), 1);
encodingAlone(records.slice(0, 500));

const alone = {
  group: await figure(messages, 'group', (file) => outboxAlone(file, calls, 'group')),
  batched: await figure(messages, 'batched', (file) => outboxAlone(file, calls, 'batched')),
  always: await figure(fsyncMessages, 'always', (file) => outboxAlone(file, fsyncCalls, 'always')),
};
const store = {
  group: await figure(messages, 'group', (file) => storeAlone(file, records, 'group')),
  batched: await figure(messages, 'batched', (file) => storeAlone(file, records, 'batched')),
  always: await figure(fsyncMessages, 'always', (file) => storeAlone(file, fsyncRecords, 'always')),
};
const session = {
  group: await figure(messages, 'group', (file) => endToEnd(file, messages, 'group'), 3),
  batched: await figure(messages, 'batched', (file) => endToEnd(file, messages, 'batched'), 3),
  always: await figure(
    fsyncMessages,
    'always',
    (file) => endToEnd(file, fsyncMessages, 'always'),
    3,
  ),
};
const ROUNDS = [0, 1, 2, 3, 4];
const encodingMs = median(ROUNDS.map(() => encodingAlone(records)));
const memoryRuns: number[] = [];
for (const _ of ROUNDS) memoryRuns.push(await outboxAlone('', calls, 'memory'));
const memoryMs = median(memoryRuns);
// The journal's alternative, on the same workload (outbox alone): SQLite, as `'always'` and as
// `'batched'` keep messages.
const sqliteFull: number[] = [];
const sqliteNormal: number[] = [];
for (const round of [0, 1, 2]) {
  sqliteFull.push(await outboxAlone(join(dir, `full-${round}`), fsyncCalls, 'sqlite-full'));
  sqliteNormal.push(await outboxAlone(join(dir, `normal-${round}`), calls, 'sqlite-normal'));
}
const sqliteFullRate = (fsyncMessages / median(sqliteFull)) * 1000;
const sqliteNormalRate = (messages / median(sqliteNormal)) * 1000;
const rec = recovery(recovered);

const f = (n: number) => Math.round(n).toLocaleString('en-US');
const x = (n: number) => `${n.toFixed(2)}×`;
const us = (rate: number) => (1e6 / rate).toFixed(2).padStart(6);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const LABELS: Record<Sync, string> = {
  group: 'group commit (group, 10 ms)',
  batched: 'write-through (batched, 10 ms)',
  always: 'fsync per message (always)',
};

function table(title: string, figures: Record<Sync, Figure>): void {
  console.log(title);
  for (const sync of ['group', 'batched', 'always'] as const) {
    const fig = figures[sync];
    const ratio =
      sync === 'always' ? `${x(1 / fig.ratio)} the floor's time` : `${x(fig.ratio)} of the floor`;
    console.log(
      `  ${LABELS[sync].padEnd(31)} ${f(fig.rate).padStart(8)} msg/s   floor ${f(fig.floorRate).padStart(8)} msg/s   ${ratio.padEnd(22)} (${f(fig.writes)} writes, ${f(fig.fsyncs)} fsyncs, ${fig.other} other)`,
    );
  }
  console.log('');
}

console.log(
  `bench:outbox: 2.0.1 TransactionEvent (${payloadText.length} B payload), journal in ${tmpdir()}, medians of 5 rounds (end to end: 3)`,
);
console.log(
  'floor: the run\'s journal writes and fsyncs replayed ("group", "always": one write per fsync)',
);
console.log('');
table(
  `Outbox alone: push (journaled) + shift + settled (removed), ${f(messages)} messages (${f(fsyncMessages)} with fsync per message)`,
  alone,
);
table(
  'Store alone: FileStore append + remove once durable, no Outbox (where the time goes)',
  store,
);
table('End to end: OcppSession + outbox + in-memory CSMS (for reference)', session);

// Group commit, per message: what the floor costs, what encoding the records costs on top (the
// least any journal with checksummed records adds), and what each layer costs in all.
const floorUs = 1e6 / alone.group.floorRate;
const encodingUs = (encodingMs * 1000) / messages;
console.log('Group commit, µs per message (medians)');
console.log(`  floor: the same bytes written and fsynced  ${us(alone.group.floorRate)}`);
console.log(
  `  records encoded alone (UTF-8 + CRC-32)     ${encodingUs.toFixed(2).padStart(6)}   floor + this: ${x(floorUs / (floorUs + encodingUs))} of the floor at best`,
);
console.log(
  `  store alone (FileStore)                    ${us(store.group.rate)}   floor ${us(store.group.floorRate)}`,
);
console.log(
  `  outbox on a MemoryStore (no journal)       ${((memoryMs * 1000) / messages).toFixed(2).padStart(6)}`,
);
console.log(
  `  outbox alone (Outbox + FileStore)          ${us(alone.group.rate)}   floor ${us(alone.group.floorRate)}`,
);
console.log(
  `  end to end (session + outbox)              ${us(session.group.rate)}   floor ${us(session.group.floorRate)}`,
);
console.log('');
console.log('The store, chosen by measurement: outbox alone, msg/s (medians)');
console.log(
  `  fsync per message    FileStore 'always'  ${f(alone.always.rate).padStart(8)}   SQLite synchronous=FULL    ${f(sqliteFullRate).padStart(8)}`,
);
console.log(
  `  survives a kill      FileStore 'batched' ${f(alone.batched.rate).padStart(8)}   SQLite synchronous=NORMAL  ${f(sqliteNormalRate).padStart(8)}`,
);
console.log('');
console.log(`  recovery of ${f(recovered)} kept messages   ${rec.ms.toFixed(0)} ms`);
console.log(
  `  memory per queued message       ${f(rec.bytesPerMessage)} B of heap${globalThis.gc === undefined ? ' (run with --expose-gc for a settled figure)' : ''}`,
);
console.log('');
console.log('Targets (outbox alone; end to end in parentheses, for reference)');
console.log(
  `  group commit >= 10,000 msg/s       ${f(alone.group.rate)}  ${verdict(alone.group.rate >= 10_000)}   (${f(session.group.rate)}  ${verdict(session.group.rate >= 10_000)})`,
);
console.log(
  `  group commit >= 0.8× its floor     ${x(alone.group.ratio)}  ${verdict(alone.group.ratio >= 0.8)}   (${x(session.group.ratio)}  ${verdict(session.group.ratio >= 0.8)})`,
);
console.log(
  `  fsync per message <= 1.2× floor    ${x(1 / alone.always.ratio)}  ${verdict(1 / alone.always.ratio <= 1.2)}   (${x(1 / session.always.ratio)}  ${verdict(1 / session.always.ratio <= 1.2)})`,
);
