import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@ocpp/rpc';
import { createWsServer } from '@ocpp/transport-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGenericCsms, type GenericCsms, type TransactionReport } from '../src/index.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'charging-station.ts');
const UPDATES = 8;
const ITERATIONS = Number(process.env.KILL_ITERATIONS ?? 30);
const SEED = Number(process.env.KILL_SEED ?? 20261207);

/** A small seeded generator (mulberry32), so a failing run can be repeated. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let port = 0;
let url = '';
const handled = new Map<string, string[]>();
const reports = new Map<string, TransactionReport[]>();

/** A generic 2.0.1 CSMS on the test's port, recording what it handles and reports. */
async function startCsms(): Promise<GenericCsms> {
  const listener = createWsServer({ host: '127.0.0.1', port, protocols: ['ocpp2.0.1'] });
  const csms = createGenericCsms({
    listener,
    logger: silentLogger,
    versions: ['ocpp2.0.1'],
    handlers: {
      onTransaction: (e) => {
        const list = handled.get(e.transactionId) ?? [];
        list.push(`${e.eventType}:${e.seqNo}`);
        handled.set(e.transactionId, list);
        return undefined;
      },
    },
  });
  csms.on('transactionReport', (_s, r) => {
    const list = reports.get(r.transactionId) ?? [];
    list.push(r);
    reports.set(r.transactionId, list);
  });
  port = await listener.listen();
  url = `ws://127.0.0.1:${port}`;
  return csms;
}

beforeAll(async () => {
  // Find a free port once; each iteration then runs its CSMS there.
  const probe = await startCsms();
  await probe.close();
});
/**
 * Runs the station process; with `killAt`, kills it by pid (SIGKILL) once it reported that
 * event. Resolves with how it ended.
 */
function run(dir: string, name: string, killAt?: number): Promise<'done' | 'killed'> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@ocpp/source',
        '--import',
        'tsx',
        FIXTURE,
        url,
        dir,
        String(UPDATES),
        'always',
        name,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let buffer = '';
    let outcome: 'done' | 'killed' | undefined;
    const guard = setTimeout(() => {
      if (child.exitCode === null) process.kill(child.pid as number, 'SIGKILL');
      reject(new Error(`${name}: the station process did not finish`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === 'done') outcome = 'done';
        if (killAt !== undefined && outcome === undefined && line === `seq ${killAt}`) {
          outcome = 'killed';
          process.kill(child.pid as number, 'SIGKILL');
        }
      }
    });
    child.on('exit', () => {
      clearTimeout(guard);
      if (outcome === undefined) reject(new Error(`${name}: the station process exited early`));
      else resolve(outcome);
    });
  });
}

describe('kill -9 of a charging station mid-session, restarted on the same storage', () => {
  it(`the CSMS gets every transaction event exactly once, in order (${ITERATIONS} seeded kills)`, async () => {
    const random = seeded(SEED);
    const expected = [
      'Started:0',
      ...Array.from({ length: UPDATES }, (_, i) => `Updated:${i + 1}`),
      `Ended:${UPDATES + 1}`,
    ];
    for (let i = 0; i < ITERATIONS; i++) {
      const name = `CS-KILL-${i}`;
      const dir = mkdtempSync(join(tmpdir(), 'kill-'));
      // Every other run starts with the CSMS down: the events then wait in the outbox's journal
      // when the process is killed.
      const offline = i % 2 === 0;
      let csms = offline ? undefined : await startCsms();
      try {
        const killAt = Math.floor(random() * (UPDATES + 2));
        expect(await run(dir, name, killAt)).toBe('killed');
        csms ??= await startCsms();
        expect(await run(dir, name)).toBe('done');
        const tx = `TX-${name}`;
        const got = handled.get(tx) ?? [];
        const at = `seed ${SEED}, iteration ${i}, killed after seq ${killAt}${offline ? ', offline' : ''}`;
        expect(got, at).toEqual(expected);
        const r = reports.get(tx) ?? [];
        // Resent messages are recognised (at most the one in flight and one made again); no gap.
        expect(
          r.filter((x) => x.kind === 'gap'),
          at,
        ).toEqual([]);
        expect(r.length, at).toBeLessThanOrEqual(2);
      } finally {
        await csms?.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 600_000);
});
