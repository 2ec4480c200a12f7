/**
 * `pnpm bench:outbox` (and part of `pnpm bench`): the durable outbox of `@ocpp/outbox` with its
 * journal (`FileStore`), against a floor measured in the same run on the same disk.
 *
 * - Durable throughput: 2.0.1 TransactionEvents called on a station session whose queue is the
 *   outbox, each answered at once by an in-memory CSMS (so the figure is the session, the outbox
 *   and the journal, not a network); every message is journaled when called and removed when
 *   answered. `sync: 'always'` (an fsync per message) against the floor of one `writeSync` +
 *   `fsyncSync` of the same journal bytes per message; `sync: 'group'` (group commit, 10 ms) and
 *   `sync: 'batched'` (each change written at once, fsynced within 10 ms) against `writeSync` of
 *   the same bytes per message with an fsync every 10 ms.
 * - Recovery: opening a journal of 100,000 kept messages (replay and checksums).
 * - Memory per queued message: heap held by an outbox restored with those 100,000 messages.
 *
 * Targets: group-commit throughput >= 10,000 messages/s and >= 0.8x its floor; fsync per message
 * within 1.2x of its floor (time per message). Never fails on a figure.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '@ocpp/outbox';
import { FileStore } from '@ocpp/outbox/file';
import { OcppSession, silentLogger } from '@ocpp/rpc';
import { createMemoryTransportPair } from '@ocpp/transport';
import { type TransactionEventRequest, v201Protocol } from '@ocpp/v201-core';
import { transactionEvent2 } from './payloads.js';

const quick = process.argv.includes('--quick');
const dir = mkdtempSync(join(tmpdir(), 'bench-outbox-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The journal bytes one delivered message costs: its append record and its removal record. */
function journalBytes(seq: number, payload: string): Buffer[] {
  const record = (header: unknown[], body?: string) => {
    const text = body === undefined ? JSON.stringify(header) : `${JSON.stringify(header)}\n${body}`;
    const json = Buffer.from(text, 'utf8');
    const out = Buffer.alloc(8 + json.length);
    out.writeUInt32LE(json.length, 0);
    json.copy(out, 8);
    return out;
  };
  return [record(['a', seq, 'TransactionEvent', 0], payload), record(['r', seq])];
}

function floor(messages: number, payload: string, sync: 'always' | 'batched'): number {
  const file = join(dir, `floor-${sync}`);
  const fd = openSync(file, 'w');
  const start = performance.now();
  let lastSync = start;
  for (let seq = 1; seq <= messages; seq++) {
    const [append, remove] = journalBytes(seq, payload) as [Buffer, Buffer];
    writeSync(fd, append);
    if (sync === 'always') fsyncSync(fd);
    writeSync(fd, remove);
    const now = performance.now();
    if (sync === 'batched' && now - lastSync >= 10) {
      fsyncSync(fd);
      lastSync = now;
    }
  }
  fsyncSync(fd);
  const ms = performance.now() - start;
  closeSync(fd);
  return (messages / ms) * 1000;
}

async function durable(messages: number, sync: 'always' | 'batched' | 'group'): Promise<number> {
  const file = join(dir, `journal-${sync}`);
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
  const payload = transactionEvent2() as TransactionEventRequest;
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
  return (messages / ms) * 1000;
}

function recovery(messages: number): { ms: number; bytesPerMessage: number } {
  const file = join(dir, 'recovery');
  const payload = JSON.stringify(transactionEvent2());
  const writer = new FileStore(file, { sync: 'batched' });
  for (let seq = 1; seq <= messages; seq++)
    writer.append({ seq, action: 'TransactionEvent', payload, attempts: 0 });
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

const messages = quick ? 2_000 : 20_000;
const fsyncMessages = quick ? 300 : 2_000;
const payloadText = JSON.stringify(transactionEvent2());

// Warm up the code paths and the file system once.
await durable(500, 'batched');
floor(500, payloadText, 'batched');

const groupFloor = floor(messages, payloadText, 'batched');
const group = await durable(messages, 'group');
const writeThrough = await durable(messages, 'batched');
const fsyncFloor = floor(fsyncMessages, payloadText, 'always');
const perMessage = await durable(fsyncMessages, 'always');
const rec = recovery(quick ? 10_000 : 100_000);

const f = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (n: number) => `${n.toFixed(2)}×`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
console.log(
  `bench:outbox: 2.0.1 TransactionEvent (${payloadText.length} B payload), journal in ${tmpdir()}`,
);
console.log('');
console.log(
  `  group commit (group, 10 ms)     ${f(group).padStart(8)} msg/s   floor ${f(groupFloor).padStart(8)} msg/s   ${ratio(group / groupFloor)} of the floor`,
);
console.log(
  `  write-through (batched, 10 ms)  ${f(writeThrough).padStart(8)} msg/s   floor ${f(groupFloor).padStart(8)} msg/s   ${ratio(writeThrough / groupFloor)} of the floor`,
);
console.log(
  `  fsync per message (always)      ${f(perMessage).padStart(8)} msg/s   floor ${f(fsyncFloor).padStart(8)} msg/s   ${ratio(fsyncFloor / perMessage)} the floor's time per message`,
);
console.log(`  recovery of ${f(quick ? 10_000 : 100_000)} kept messages   ${rec.ms.toFixed(0)} ms`);
console.log(
  `  memory per queued message       ${f(rec.bytesPerMessage)} B of heap${globalThis.gc === undefined ? ' (run with --expose-gc for a settled figure)' : ''}`,
);
console.log('');
console.log('Targets');
console.log(`  group commit >= 10,000 msg/s       ${f(group)}  ${verdict(group >= 10_000)}`);
console.log(
  `  group commit >= 0.8× its floor     ${ratio(group / groupFloor)}  ${verdict(group / groupFloor >= 0.8)}`,
);
console.log(
  `  fsync per message <= 1.2× floor    ${ratio(fsyncFloor / perMessage)}  ${verdict(fsyncFloor / perMessage <= 1.2)}`,
);
