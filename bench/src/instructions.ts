/**
 * `pnpm --filter @ocpp/bench bench:instructions`: the instructions per call of the raw `ws`
 * baseline and of our server under the load of (b), counted by valgrind's callgrind. Other load on
 * the machine moves CPU time; it does not move an instruction count, so this says where a ratio of
 * (b) comes from when runs disagree. It is slow (the server runs 30–50× slower under valgrind)
 * and needs `valgrind` on the PATH; without it, it says so and exits.
 *
 * Each server runs with `--single-threaded`, so garbage collection and compilation happen on the
 * main thread and are counted too. Optimising compilation still runs after the warm-up under
 * valgrind, so the table also shows the count without it (the inclusive cost of TurboFan jobs).
 *
 * Flags: `--only 1.6,2.0.1`, `--warmup <s>` (default 60), `--measure <s>` (default 30),
 * `--stations <n>` (default 50).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Child } from './rpc/ipc.js';
import type { LoadVersion } from './rpc/load-process.js';
import { num, printTable, ratio } from './rpc/report.js';
import type { ServerMark } from './rpc/server-process.js';
import type { ServerKind } from './rpc/servers.js';

const here = import.meta.dirname;
const resultsDir = join(here, '../results');
const SERVER_SCRIPT = join(here, 'rpc/server-process.ts');
const LOAD_SCRIPT = join(here, 'rpc/load-process.ts');

const argv = process.argv.slice(2);
const option = (name: string): string | undefined =>
  argv.find((_a, i) => argv[i - 1] === `--${name}`);
const versions = (option('only') ?? '1.6,2.0.1').split(',') as LoadVersion[];
const warmupMs = Number(option('warmup') ?? 60) * 1000;
const measureMs = Number(option('measure') ?? 30) * 1000;
const KINDS: readonly ServerKind[] = ['raw', 'ours'];
/**
 * Fewer stations than (b): under valgrind a server answers every station once per burst, and the
 * start and end of the count fall somewhere in a burst; small bursts keep that error small.
 */
const STATIONS = Number(option('stations') ?? 50);
/** No child outlives this, whatever happens here. */
const LIFETIME_MS = 15 * 60_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True when `command` is on the PATH (some of valgrind's scripts exit non-zero on --version). */
function have(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Count {
  readonly version: LoadVersion;
  readonly kind: ServerKind;
  readonly calls: number;
  readonly instructions: number;
  readonly compilation: number;
  readonly garbageCollection: number;
  readonly file: string;
}

/** Inclusive instructions of the first function whose name contains `needle`. */
function inclusive(file: string, needle: string): number {
  const text = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const line = text.split('\n').find((l) => l.includes(needle));
  return line === undefined ? 0 : Number(line.trim().split(/\s+/)[0]!.replaceAll(',', ''));
}

function totals(file: string): number {
  const text = execFileSync('grep', ['-E', '^totals:', file], { encoding: 'utf8' });
  return Number(text.split(':')[1]!.trim().split(/\s+/)[0]);
}

async function count(version: LoadVersion, kind: ServerKind): Promise<Count> {
  const out = join(resultsDir, `callgrind-${kind}-${version}.out`);
  const server = await Child.wrapped(
    `server ${kind} (callgrind)`,
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${out}`, '--log-file=/dev/null'],
    SERVER_SCRIPT,
    [kind, String(LIFETIME_MS)],
    ['--single-threaded'],
    300_000,
  );
  const load = await Child.start('load generator', LOAD_SCRIPT, [String(LIFETIME_MS)]);
  try {
    const { port, pid } = server.info as { port: number; pid: number };
    const connected = await load.request<{ failed: number; firstError?: string }>(
      'connect',
      { port, version, count: STATIONS, concurrency: 50, prefix: 'IR', group: kind },
      LIFETIME_MS,
    );
    if (connected.failed > 0) throw new Error(`${kind}: stations failed: ${connected.firstError}`);
    await load.request('run', { group: kind, version });
    await sleep(warmupMs);
    const m0 = await server.request<ServerMark>('mark', {}, 120_000);
    execFileSync('callgrind_control', ['--zero', String(pid)], { stdio: 'ignore' });
    await sleep(measureMs);
    execFileSync('callgrind_control', ['--dump', String(pid)], { stdio: 'ignore' });
    const m1 = await server.request<ServerMark>('mark', {}, 120_000);
    await load.request('stop', { group: kind, waitMs: 60_000 }, 120_000);
    const file = `${out}.1`;
    return {
      version,
      kind,
      calls: m1.calls - m0.calls,
      instructions: totals(file),
      compilation: inclusive(file, 'PipelineCompilationJob::ExecuteJobImpl'),
      garbageCollection: inclusive(file, 'Heap::CollectGarbage('),
      file,
    };
  } finally {
    await Promise.all([load.stop(), server.stop(60_000)]);
  }
}

async function main(): Promise<void> {
  if (!have('valgrind') || !have('callgrind_control') || !have('callgrind_annotate')) {
    console.log(
      'bench:instructions needs valgrind (callgrind_control, callgrind_annotate) on the PATH.',
    );
    return;
  }
  mkdirSync(resultsDir, { recursive: true });
  console.log(
    `Instructions per call under valgrind callgrind, ${STATIONS} stations, ${warmupMs / 1000} s warm-up and ${measureMs / 1000} s counted per server (about ${Math.ceil(((warmupMs + measureMs) / 1000 + 40) / 60)} min each)`,
  );
  const counts: Count[] = [];
  for (const version of versions) {
    for (const kind of KINDS) {
      const c = await count(version, kind);
      console.log(`  ${version} ${kind}: ${num(c.calls)} calls counted`);
      counts.push(c);
    }
  }
  const per = (c: Count, n: number): number => n / c.calls;
  printTable(
    'Instructions per call (user space, every thread; GC and compilation on the main thread)',
    [
      'OCPP',
      'server',
      'calls',
      'Ir/call',
      'without compilation',
      'of which GC',
      'vs raw',
      'vs raw without compilation',
    ],
    counts.map((c) => {
      const raw = counts.find((r) => r.version === c.version && r.kind === 'raw')!;
      const all = per(c, c.instructions);
      const net = per(c, c.instructions - c.compilation);
      return [
        c.version,
        c.kind === 'raw' ? 'raw ws (baseline)' : '@ocpp/rpc + transport-ws',
        num(c.calls),
        num(all),
        num(net),
        num(per(c, c.garbageCollection)),
        ratio(all / per(raw, raw.instructions)),
        ratio(net / per(raw, raw.instructions - raw.compilation)),
      ];
    }),
  );
  const out = join(resultsDir, 'instructions.json');
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), warmupMs, measureMs, counts }, null, 2)}\n`,
  );
  console.log(`\nRaw numbers: ${out}; callgrind files (callgrind_annotate) beside it.`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
