import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type CorruptionReport, FileStore } from '../src/file.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  dirs.push(dir);
  return join(dir, 'journal');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const record = (seq: number, attempts = 0) => ({
  seq,
  action: 'TransactionEvent',
  payload: JSON.stringify({ seqNo: seq, note: 'ü€' }),
  attempts,
});

describe('FileStore', () => {
  it('keeps what was appended and not removed, with its attempts, across a reopen', () => {
    const file = tempFile();
    const a = new FileStore(file, { sync: 'always' });
    for (let i = 1; i <= 5; i++) a.append(record(i));
    a.update(record(2, 2));
    a.remove(1);
    a.remove(4);
    a.close();
    const b = new FileStore(file);
    expect(b.load()).toEqual([record(2, 2), record(3), record(5)]);
    b.close();
  });

  it('cuts off a torn last record and reports it; what came before is kept and it goes on', () => {
    const file = tempFile();
    const a = new FileStore(file, { sync: 'always' });
    for (let i = 1; i <= 3; i++) a.append(record(i));
    a.close();
    const full = statSync(file).size;
    truncateSync(file, full - 5);
    const reports: CorruptionReport[] = [];
    const b = new FileStore(file, { onCorruption: (r) => reports.push(r) });
    expect(b.load().map((r) => r.seq)).toEqual([1, 2]);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ recordsKept: 2 });
    expect(reports[0]!.bytesDropped).toBeGreaterThan(0);
    b.append(record(4));
    b.close();
    const c = new FileStore(file, { onCorruption: () => expect.unreachable() });
    expect(c.load().map((r) => r.seq)).toEqual([1, 2, 4]);
    c.close();
  });

  it('stops at a corrupted record (its checksum fails) and reports the rest as lost', () => {
    const file = tempFile();
    const a = new FileStore(file, { sync: 'always' });
    for (let i = 1; i <= 3; i++) a.append(record(i));
    a.close();
    const bytes = readFileSync(file);
    // Flip a byte in the second record's body.
    const second = 8 + bytes.readUInt32LE(0);
    bytes[second + 8 + 3] = (bytes[second + 8 + 3] as number) ^ 0xff;
    writeFileSync(file, bytes);
    const reports: CorruptionReport[] = [];
    const b = new FileStore(file, { onCorruption: (r) => reports.push(r) });
    expect(b.load().map((r) => r.seq)).toEqual([1]);
    expect(reports[0]?.recordsKept).toBe(1);
    b.close();
  });

  it.each(['batched', 'group'] as const)(
    'compacts once removed records dominate, keeping what is kept (%s)',
    (sync) => {
      const file = tempFile();
      const a = new FileStore(file, { sync });
      const big = (seq: number) => ({
        ...record(seq),
        payload: JSON.stringify({ seq, pad: 'x'.repeat(4000) }),
      });
      for (let i = 1; i <= 6000; i++) {
        a.append(big(i));
        if (i % 10 !== 0) a.remove(i);
      }
      a.close();
      // About 24 MB written, a tenth kept: rewritten with what it keeps once it passed 16 MiB.
      expect(statSync(file).size).toBeLessThan(16 * 1024 * 1024);
      const b = new FileStore(file);
      expect(b.load().map((r) => r.seq)).toEqual(
        Array.from({ length: 600 }, (_, k) => (k + 1) * 10),
      );
      expect(b.load()[0]).toEqual(big(10));
      b.close();
    },
  );

  it('empties itself once everything was delivered and it grew past 1 MiB', () => {
    const file = tempFile();
    const a = new FileStore(file);
    for (let i = 1; i <= 20_000; i++) {
      a.append(record(i));
      a.remove(i);
    }
    a.append(record(20_001));
    a.close();
    expect(statSync(file).size).toBeLessThan(1024 * 1024);
    const b = new FileStore(file, { onCorruption: () => expect.unreachable() });
    expect(b.load()).toEqual([record(20_001)]);
    b.close();
  });

  it('group commit: a journal that keeps nothing is emptied, and what was gathered is dropped', () => {
    const file = tempFile();
    const a = new FileStore(file, { sync: 'group' });
    const big = (seq: number) => ({
      ...record(seq),
      payload: JSON.stringify({ seq, pad: 'x'.repeat(2000) }),
    });
    for (let i = 1; i <= 1000; i++) a.append(big(i));
    a.flush();
    expect(statSync(file).size).toBeGreaterThan(1024 * 1024);
    for (let i = 1; i <= 1000; i++) a.remove(i);
    // The last removal emptied it: neither the file nor the removals gathered for it remain.
    expect(statSync(file).size).toBe(0);
    a.append(big(1001));
    a.close();
    const b = new FileStore(file, { onCorruption: () => expect.unreachable() });
    expect(b.load()).toEqual([big(1001)]);
    b.close();
  });

  it('reads a journal longer than its read buffer: records across its pieces, one larger than it', () => {
    const file = tempFile();
    const a = new FileStore(file, { sync: 'group' });
    const sized = (seq: number, n: number) => ({
      ...record(seq),
      payload: JSON.stringify({ seq, pad: 'é'.repeat(n) }),
    });
    const kept = [];
    for (let i = 1; i <= 300; i++) kept.push(sized(i, (i * 7919) % 20_000));
    kept.push(sized(301, 3 * 1024 * 1024));
    for (const r of kept) a.append(r);
    a.update({ ...kept[0]!, attempts: 2 });
    kept[0] = { ...kept[0]!, attempts: 2 };
    kept.push(sized(302, 10));
    a.append(kept[301]!);
    a.close();
    const b = new FileStore(file, { onCorruption: () => expect.unreachable() });
    expect(b.load()).toEqual(kept);
    b.close();
    // A torn last record, far past the first piece, is cut off, and only it.
    truncateSync(file, statSync(file).size - 3);
    const reports: CorruptionReport[] = [];
    const c = new FileStore(file, { onCorruption: (r) => reports.push(r) });
    expect(c.load()).toEqual(kept.slice(0, -1));
    // 301 kept messages and the update of the first.
    expect(reports).toMatchObject([{ recordsKept: 302 }]);
    c.close();
  });

  it('loads records written to the format by hand (length, CRC-32, JSON header, payload)', () => {
    const file = tempFile();
    const encode = (text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head.writeUInt32LE(body.length, 0);
      head.writeUInt32LE(crc32(body), 4);
      return Buffer.concat([head, body]);
    };
    writeFileSync(
      file,
      Buffer.concat([
        encode('["a",1,"TransactionEvent",0]\n{"seqNo":1,"note":"ü€"}'),
        encode('["a",2,"TransactionEvent",0]\n{"seqNo":2}'),
        encode('["u",1,3]'),
        encode('["r",2]'),
        encode('["a",3,"Heartbeat",1]\n{}'),
      ]),
    );
    const store = new FileStore(file, { onCorruption: () => expect.unreachable() });
    expect(store.load()).toEqual([
      { seq: 1, action: 'TransactionEvent', payload: '{"seqNo":1,"note":"ü€"}', attempts: 3 },
      { seq: 3, action: 'Heartbeat', payload: '{}', attempts: 1 },
    ]);
    store.close();
  });

  it('keeps a new payload given with update across a reopen', () => {
    const file = tempFile();
    const a = new FileStore(file, { sync: 'always' });
    a.append(record(1));
    a.append(record(2));
    a.update({ ...record(1, 1), payload: '{"transactionId":42}' });
    a.close();
    const b = new FileStore(file, { onCorruption: () => expect.unreachable() });
    expect(b.load()).toEqual([{ ...record(1, 1), payload: '{"transactionId":42}' }, record(2)]);
    b.close();
  });

  it('refuses a seq or attempts that is not a whole number, and keeps nothing of it', () => {
    const file = tempFile();
    const a = new FileStore(file, { sync: 'always' });
    const invalid = expect.objectContaining({ name: 'OcppSdkError', code: 'INVALID_ARGUMENT' });
    expect(() => a.append({ ...record(1), seq: 1.5 })).toThrow(invalid);
    expect(() => a.append({ ...record(1), attempts: Number.NaN })).toThrow(invalid);
    a.append(record(2));
    expect(a.size).toBe(1);
    a.close();
    const b = new FileStore(file, { onCorruption: () => expect.unreachable() });
    expect(b.load()).toEqual([record(2)]);
    b.close();
  });

  it('group commit: a message is durable, and so sendable, only once its write reached the disk', async () => {
    const file = tempFile();
    const a = new FileStore(file, { sync: 'group', groupCommitMs: 5 });
    a.append(record(1));
    a.append(record(2));
    expect(a.isDurable(1)).toBe(false);
    expect(statSync(file).size).toBe(0);
    await new Promise<void>((resolve) => a.onDurable(resolve));
    expect(a.isDurable(2)).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(0);
    a.remove(1);
    a.close();
    const b = new FileStore(file);
    expect(b.load().map((r) => r.seq)).toEqual([2]);
    b.close();
  });
});

describe('kill -9 while queueing', () => {
  const fixture = join(import.meta.dirname, 'fixtures', 'queue-and-die.ts');

  /** Runs the fixture, kills it by pid once it reported `atLeast` accepted calls. */
  function queueAndKill(file: string, sync: string, atLeast: number): Promise<number> {
    return new Promise((resolve, reject) => {
      // tsx as a loader of this very process (its CLI would put a second process in between, and
      // the kill would miss the one writing).
      const child = spawn(
        process.execPath,
        ['--conditions=@ocpp/source', '--import', 'tsx', fixture, file, '200000', sync],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let killed = false;
      let reported = 0;
      let buffer = '';
      const guard = setTimeout(() => {
        if (child.exitCode === null) process.kill(child.pid as number, 'SIGKILL');
        reject(new Error(`the fixture reported only ${reported} accepted calls`));
      }, 60_000);
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          const m = /^accepted (\d+)$/.exec(line);
          if (m !== null) reported = Number(m[1]);
          if (reported >= atLeast && !killed) {
            killed = true;
            process.kill(child.pid as number, 'SIGKILL');
          }
        }
      });
      child.on('exit', () => {
        clearTimeout(guard);
        resolve(reported);
      });
    });
  }

  // Seeded kill points: each run stops the process at a different place of its stream of writes.
  const points = [137, 1_051, 2_999, 5_003, 8_191];
  for (const sync of ['batched', 'always', 'group'] as const) {
    const lossless = sync !== 'group';
    it(`${lossless ? 'every accepted message survives' : 'what survives has no gap'} (${sync})`, async () => {
      for (const point of sync === 'batched' ? points : points.slice(0, 2)) {
        const file = tempFile();
        const reported = await queueAndKill(file, sync, point);
        const reports: CorruptionReport[] = [];
        const store = new FileStore(file, { onCorruption: (r) => reports.push(r) });
        const kept = store.load();
        store.close();
        // At least every call reported accepted (group commit: up to its last window lost);
        // in order, no gap, no duplicate.
        if (lossless) expect(kept.length, `kill after ${point}`).toBeGreaterThanOrEqual(reported);
        kept.forEach((r, i) => {
          expect(r.seq).toBe(i + 1);
          expect((JSON.parse(r.payload) as { seqNo: number }).seqNo).toBe(i);
        });
        // A torn tail is possible (the kill in the middle of a write) and is reported, never more.
        expect(reports.length).toBeLessThanOrEqual(1);
      }
    }, 120_000);
  }
});
