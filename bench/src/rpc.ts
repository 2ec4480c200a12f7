/**
 * `pnpm bench:rpc` (and the second half of `pnpm bench`): the SDK's RPC + WebSocket stack with
 * strict validation on in both directions, against a bare `ws` server (the baseline, measured in
 * the same run) and the `ocpp-rpc` package in strict mode.
 *
 * (a) one connection, sequential Heartbeat round trips: calls/s, p50 and p99 latency;
 * (b) 500 stations from a load-generator process, sequential MeterValues (1.6) or
 *     TransactionEvent (2.0.1): the server's calls/s and CPU µs per call;
 * (c) 5,000 idle connections after BootNotification: server RSS per connection and connects/s.
 *
 * Flags: `--only a,b,c` runs some scenarios; `--profile` also profiles our server and the baseline
 * under the load of (b) and prints where the CPU goes; `--quick` shortens every window (a smoke
 * test, not a measurement). Never fails on a missed target: it prints PASS/MISS.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type BenchStation, connectStation } from './rpc/clients.js';
import { growthPerConnection, summariseHeapSnapshot } from './rpc/heap.js';
import { Child } from './rpc/ipc.js';
import type { ConnectResult, LoadMark, LoadVersion, StopResult } from './rpc/load-process.js';
import { analyseProfile, type CpuProfile, type ProfileSummary } from './rpc/profile.js';
import { num, percentile, printTable, ratio, verdict } from './rpc/report.js';
import type { ServerMark, ServerMemory } from './rpc/server-process.js';
import { SERVER_KINDS, type ServerKind } from './rpc/servers.js';

const here = import.meta.dirname;
const repoRoot = join(here, '../..');
const resultsDir = join(here, '../results');
const SERVER_SCRIPT = join(here, 'rpc/server-process.ts');
const LOAD_SCRIPT = join(here, 'rpc/load-process.ts');

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const onlyArg = argv.find((_a, i) => argv[i - 1] === '--only') ?? 'a,b,c';
const only = new Set(onlyArg.split(','));
const quick = flag('quick');
const profiling = flag('profile');

/** Every window and size of the run. */
const PLAN = {
  a: {
    warmupMs: quick ? 200 : 1000,
    rounds: quick ? 2 : 4,
    roundMs: quick ? 250 : 1000,
    maxCalls: 200_000,
  },
  b: {
    stations: quick ? 50 : 500,
    rounds: quick ? 2 : 5,
    firstWarmupMs: quick ? 500 : 2000,
    warmupMs: quick ? 200 : 500,
    roundMs: quick ? 500 : 1000,
    concurrency: 50,
  },
  c: {
    connections: quick ? 500 : 5000,
    chunks: 10,
    warmup: quick ? 50 : 200,
    concurrency: 100,
    repetitions: quick ? 1 : 3,
  },
  profile: {
    intervalUs: 200,
    warmupMs: 2000,
    measureMs: quick ? 1000 : 3000,
    connections: quick ? 500 : 3000,
  },
  heap: { connections: quick ? 200 : 2000 },
  /** No child lives longer than this, whatever happens to the orchestrator. */
  childLifetimeMs: 120_000,
} as const;

/** The project's targets for our server, as ratios to the raw `ws` baseline. */
const TARGETS = {
  throughput: { op: '>=', limit: 0.85 },
  cpuPerCall: { op: '<=', limit: 1.25 },
  rssPerConnection: { op: '<=', limit: 1.3 },
  connectRate: { op: '>=', limit: 0.85 },
} as const;

const LABEL: Record<ServerKind, string> = {
  raw: 'raw ws (baseline)',
  ours: '@ocpp/rpc + transport-ws',
  'ocpp-rpc': 'ocpp-rpc (strictMode)',
  'ours-limited': '@ocpp/rpc, 100 calls/s per station',
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Node flags of the servers in (c): `gc()` for the readings; a young generation of fixed size;
 * every full GC compacts, so live objects do not sit in free-list holes of pages made resident
 * during start-up (which hid several MiB of growth from RSS, a different amount in every process);
 * and no bytecode flushing, so the dozens of GCs of the readings do not shrink the heap by
 * dropping the bytecode of start-up code.
 */
const MEMORY_FLAGS = [
  '--expose-gc',
  '--min-semi-space-size=1',
  '--max-semi-space-size=1',
  '--compact-on-every-full-gc',
  '--no-flush-bytecode',
];

/** Whole-run watchdog: the run ends by itself even if a child hangs. */
const watchdog = setTimeout(() => {
  console.error('\nbench:rpc: the run took longer than 6 minutes; stopping.');
  process.exit(3);
}, 6 * 60_000);
watchdog.unref();

function startServer(kind: ServerKind, nodeFlags: string[] = []): Promise<Child> {
  return Child.start(
    `server ${kind}`,
    SERVER_SCRIPT,
    [kind, String(PLAN.childLifetimeMs)],
    nodeFlags,
  );
}

function startLoad(): Promise<Child> {
  return Child.start('load generator', LOAD_SCRIPT, [String(PLAN.childLifetimeMs)]);
}

function portOf(server: Child): number {
  return (server.info as { port: number }).port;
}

function target(
  name: keyof typeof TARGETS,
  value: number,
): { value: number; limit: string; verdict: 'PASS' | 'MISS' } {
  const t = TARGETS[name];
  return { value, limit: `${t.op} ${t.limit}×`, verdict: verdict(value, t.op, t.limit) };
}

function withTarget(name: keyof typeof TARGETS, value: number): string {
  const t = target(name, value);
  return `${ratio(value)} ${t.verdict} (${t.limit})`;
}

/** The commit measured, with `-dirty` when the work tree differs from it. */
function revision(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** Open-file limit the children inherit. */
function openFileLimit(): number {
  try {
    const text = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
  } catch {
    return Number.NaN;
  }
}

/** The workspace packages the servers and clients run, as compiled (what users install). */
const MEASURED_PACKAGES = ['runtime', 'transport', 'transport-ws', 'rpc', 'v16-core', 'v201-core'];

/** Why the compiled packages cannot be measured as they are, or undefined when they can. */
function staleBuild(): string | undefined {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .reduce((t, e) => Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs), 0);
  for (const name of MEASURED_PACKAGES) {
    const dir = join(repoRoot, 'packages', name);
    const entry = join(dir, 'dist/index.js');
    if (!existsSync(entry)) return `packages/${name} is not built`;
    if (newest(join(dir, 'src')) > statSync(entry).mtimeMs)
      return `packages/${name}/src is newer than its dist`;
  }
  return undefined;
}

// ---------------------------------------------------------------- (a) round trips

interface RoundTripResult {
  readonly kind: ServerKind;
  readonly calls: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

async function roundTrips(
  station: BenchStation,
  ms: number,
  maxCalls: number,
  latencies: number[] | undefined,
): Promise<{ calls: number; elapsedMs: number }> {
  const start = performance.now();
  const until = start + ms;
  let calls = 0;
  let now = start;
  while (now < until && calls < maxCalls) {
    const t0 = now;
    await station.heartbeat();
    now = performance.now();
    latencies?.push(now - t0);
    calls++;
  }
  return { calls, elapsedMs: now - start };
}

async function scenarioA(): Promise<RoundTripResult[]> {
  const plan = PLAN.a;
  console.log(
    `\n(a) one connection, sequential 1.6 Heartbeat round trips: ${plan.warmupMs} ms warm-up, then ${plan.rounds} interleaved rounds of ${plan.roundMs} ms per stack`,
  );
  const servers = await Promise.all(SERVER_KINDS.map((kind) => startServer(kind)));
  try {
    const stations = await Promise.all(
      SERVER_KINDS.map((kind, i) => connectStation(kind, portOf(servers[i]!), `RT-${kind}`)),
    );
    for (const station of stations)
      await roundTrips(station, plan.warmupMs, plan.maxCalls, undefined);
    const latencies = SERVER_KINDS.map(() => [] as number[]);
    const totals = SERVER_KINDS.map(() => ({ calls: 0, elapsedMs: 0 }));
    for (let round = 0; round < plan.rounds; round++) {
      for (let i = 0; i < SERVER_KINDS.length; i++) {
        const r = await roundTrips(stations[i]!, plan.roundMs, plan.maxCalls, latencies[i]);
        totals[i]!.calls += r.calls;
        totals[i]!.elapsedMs += r.elapsedMs;
      }
    }
    await Promise.all(stations.map((s) => s.close()));
    return SERVER_KINDS.map((kind, i) => {
      const sorted = Float64Array.from(latencies[i]!).sort();
      const t = totals[i]!;
      return {
        kind,
        calls: t.calls,
        seconds: t.elapsedMs / 1000,
        callsPerSecond: t.calls / (t.elapsedMs / 1000),
        p50Us: percentile(sorted, 50) * 1000,
        p99Us: percentile(sorted, 99) * 1000,
      };
    });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

function printA(results: readonly RoundTripResult[]): void {
  const raw = results.find((r) => r.kind === 'raw')!;
  printTable(
    '(a) one connection, sequential Heartbeat (1.6), strict validation both ways for the OCPP stacks',
    ['stack', 'calls', 'calls/s', 'p50 µs', 'p99 µs', 'calls/s vs raw', 'p50 vs raw', 'p99 vs raw'],
    results.map((r) => [
      LABEL[r.kind],
      num(r.calls),
      num(r.callsPerSecond),
      num(r.p50Us, 1),
      num(r.p99Us, 1),
      ratio(r.callsPerSecond / raw.callsPerSecond),
      ratio(r.p50Us / raw.p50Us),
      ratio(r.p99Us / raw.p99Us),
    ]),
  );
}

// ---------------------------------------------------------------- machine load

/** Busy and total jiffies of all CPUs, from /proc/stat (undefined where there is none). */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = v[3]! + v[4]!;
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Cores busy machine-wide between two readings. */
function busyCores(a: ReturnType<typeof machineTicks>, b: ReturnType<typeof machineTicks>): number {
  if (a === undefined || b === undefined || b.total === a.total) return Number.NaN;
  return ((b.busy - a.busy) / (b.total - a.total)) * cpus().length;
}

// ---------------------------------------------------------------- (b) throughput

interface ThroughputResult {
  readonly kind: ServerKind;
  readonly version: LoadVersion;
  readonly stations: number;
  readonly rounds: number;
  /** Measured wall time, summed over the rounds. */
  readonly seconds: number;
  /** Calls answered in the measured windows, summed over the rounds. */
  readonly calls: number;
  /** Median over the rounds. */
  readonly callsPerSecond: number;
  /** Median over the rounds. */
  readonly serverCpuUsPerCall: number;
  /** The user-mode part of CPU per call (median over the rounds); the rest is kernel time. */
  readonly serverUserUsPerCall: number;
  /** Each round's figures, for ratios to the baseline's window of the same round. */
  readonly perRound: readonly {
    callsPerSecond: number;
    cpuUsPerCall: number;
    otherCores: number;
  }[];
  /** Server CPU time over wall time in the windows (1 = one core busy). */
  readonly serverBusy: number;
  /** Load generator CPU time over wall time in the windows. */
  readonly loadBusy: number;
  /**
   * Cores busy machine-wide in the windows minus the server and the load generator: other
   * processes, and kernel work not charged to either (loopback TCP in softirq).
   */
  readonly otherCores: number;
  /** Answers the load generator counted in the windows (a cross-check of `calls`). */
  readonly answersSeen: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly profile?: string;
}

interface Window {
  calls: number;
  wallMs: number;
  cpuUs: number;
  userUs: number;
  loadCpuUs: number;
  loadWallMs: number;
  answers: number;
  machineCoreMs: number;
}

/** The median of some numbers. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs the load of (b) against each server in turn, `rounds` times: all servers stay up, so the
 * rounds interleave, and each server's window sits next to the baseline's window of the same
 * round. With `profileDir`, profiles each server during its windows (use one round).
 */
async function throughput(
  kinds: readonly ServerKind[],
  version: LoadVersion,
  timing: { rounds: number; firstWarmupMs: number; warmupMs: number; roundMs: number },
  profileDir?: string,
): Promise<ThroughputResult[]> {
  const plan = PLAN.b;
  const servers = await Promise.all(kinds.map((kind) => startServer(kind)));
  const load = await startLoad();
  try {
    for (let i = 0; i < kinds.length; i++) {
      const connected = await load.request<ConnectResult>('connect', {
        port: portOf(servers[i]!),
        version,
        count: plan.stations,
        concurrency: plan.concurrency,
        prefix: 'TP',
        group: kinds[i],
      });
      if (connected.failed > 0) {
        throw new Error(
          `${kinds[i]}: ${connected.failed} of ${plan.stations} stations failed to connect: ${connected.firstError}`,
        );
      }
    }
    const windows: Window[][] = kinds.map(() => []);
    const stopped: StopResult[] = [];
    for (let round = 0; round < timing.rounds; round++) {
      // The order rotates from round to round, so no server always goes first (or right after
      // another one's load).
      for (let turn = 0; turn < kinds.length; turn++) {
        const i = (turn + round) % kinds.length;
        const server = servers[i]!;
        const group = kinds[i]!;
        await load.request('run', { group, version });
        await sleep(round === 0 ? timing.firstWarmupMs : timing.warmupMs);
        if (profileDir !== undefined) {
          await server.request('profileStart', { intervalUs: PLAN.profile.intervalUs });
        }
        const m0 = machineTicks();
        const [s0, l0] = await Promise.all([
          server.request<ServerMark>('mark'),
          load.request<LoadMark>('mark', { group }),
        ]);
        await sleep(timing.roundMs);
        const [s1, l1] = await Promise.all([
          server.request<ServerMark>('mark'),
          load.request<LoadMark>('mark', { group }),
        ]);
        const m1 = machineTicks();
        if (profileDir !== undefined) {
          await server.request('profileStop', {
            path: join(profileDir, `profile-${group}-${version}.cpuprofile`),
          });
        }
        stopped[i] = await load.request<StopResult>('stop', { group, waitMs: 5000 });
        windows[i]!.push({
          calls: s1.calls - s0.calls,
          wallMs: s1.at - s0.at,
          cpuUs: s1.user + s1.system - (s0.user + s0.system),
          userUs: s1.user - s0.user,
          loadCpuUs: l1.user + l1.system - (l0.user + l0.system),
          loadWallMs: l1.at - l0.at,
          answers: l1.completed - l0.completed,
          machineCoreMs: busyCores(m0, m1) * (s1.at - s0.at),
        });
      }
    }
    return kinds.map((kind, i) => {
      const ws = windows[i]!;
      const sum = (read: (w: Window) => number): number => ws.reduce((t, w) => t + read(w), 0);
      const wallMs = sum((w) => w.wallMs);
      const serverBusy = sum((w) => w.cpuUs) / (wallMs * 1000);
      const loadBusy = sum((w) => w.loadCpuUs) / (sum((w) => w.loadWallMs) * 1000);
      const perRound = ws.map((w) => ({
        callsPerSecond: w.calls / (w.wallMs / 1000),
        cpuUsPerCall: w.cpuUs / w.calls,
        otherCores:
          w.machineCoreMs / w.wallMs -
          w.cpuUs / (w.wallMs * 1000) -
          w.loadCpuUs / (w.loadWallMs * 1000),
      }));
      const result: ThroughputResult = {
        kind,
        version,
        stations: plan.stations,
        rounds: timing.rounds,
        seconds: wallMs / 1000,
        calls: sum((w) => w.calls),
        callsPerSecond: median(perRound.map((r) => r.callsPerSecond)),
        serverCpuUsPerCall: median(perRound.map((r) => r.cpuUsPerCall)),
        serverUserUsPerCall: median(ws.map((w) => w.userUs / w.calls)),
        perRound,
        serverBusy,
        loadBusy,
        otherCores: sum((w) => w.machineCoreMs) / wallMs - serverBusy - loadBusy,
        answersSeen: sum((w) => w.answers),
        errors: stopped[i]?.errors ?? 0,
        firstError: stopped[i]?.firstError,
      };
      return profileDir === undefined
        ? result
        : { ...result, profile: join(profileDir, `profile-${kind}-${version}.cpuprofile`) };
    });
  } finally {
    await Promise.all([load.stop(), ...servers.map((s) => s.stop())]);
  }
}

/**
 * The ratio of `row` to the baseline `raw` for one figure: the median over the rounds of the
 * ratio to the baseline's window of the same round, so a burst of other load that hits one round
 * does not decide it.
 */
function pairedRatio(
  row: ThroughputResult,
  raw: ThroughputResult,
  figure: 'callsPerSecond' | 'cpuUsPerCall',
): number {
  return median(row.perRound.map((r, i) => r[figure] / (raw.perRound[i]?.[figure] ?? Number.NaN)));
}

async function scenarioB(): Promise<ThroughputResult[]> {
  const plan = PLAN.b;
  console.log(
    `\n(b) ${plan.stations} stations per server from one load-generator process, sequential calls; the three servers take turns: ${plan.rounds} rounds of ${plan.roundMs} ms measured each (warm-up ${plan.firstWarmupMs} ms before the first, ${plan.warmupMs} ms before the others); ratios are medians of each round's ratio to the baseline's window of the same round`,
  );
  const results: ThroughputResult[] = [];
  for (const version of ['1.6', '2.0.1'] as const) {
    const rows = await throughput(SERVER_KINDS, version, plan);
    for (const r of rows) {
      console.log(
        `  ${version} ${LABEL[r.kind]}: ${num(r.callsPerSecond)} calls/s, ${num(r.serverCpuUsPerCall, 1)} µs CPU/call`,
      );
    }
    results.push(...rows);
  }
  return results;
}

function printB(results: readonly ThroughputResult[]): void {
  for (const version of ['1.6', '2.0.1'] as const) {
    const rows = results.filter((r) => r.version === version);
    const raw = rows.find((r) => r.kind === 'raw');
    if (raw === undefined) continue;
    const action = version === '1.6' ? 'MeterValues' : 'TransactionEvent';
    printTable(
      `(b) OCPP ${version} ${action} (10 sampled values), ${raw.stations} stations, ${raw.rounds} rounds, ${num(raw.seconds, 1)} s measured per server; the figures are the server's, medians over the rounds`,
      [
        'server',
        'calls/s',
        'CPU µs/call',
        'user + sys',
        'server CPU',
        'loadgen CPU',
        'other load',
        'errors',
        'calls/s vs raw',
        'CPU/call vs raw',
      ],
      rows.map((r) => {
        const tp = pairedRatio(r, raw, 'callsPerSecond');
        const cpu = pairedRatio(r, raw, 'cpuUsPerCall');
        return [
          LABEL[r.kind],
          num(r.callsPerSecond),
          num(r.serverCpuUsPerCall, 1),
          `${num(r.serverUserUsPerCall, 1)} + ${num(r.serverCpuUsPerCall - r.serverUserUsPerCall, 1)}`,
          `${num(r.serverBusy * 100)} %`,
          `${num(r.loadBusy * 100)} %`,
          `${num(r.otherCores * 100)} %`,
          num(r.errors),
          r.kind === 'ours' ? withTarget('throughput', tp) : ratio(tp),
          r.kind === 'ours' ? withTarget('cpuPerCall', cpu) : ratio(cpu),
        ];
      }),
    );
    for (const r of rows) {
      if (r.kind === 'raw') continue;
      const each = r.perRound
        .map((q, i) => ratio(q.cpuUsPerCall / (raw.perRound[i]?.cpuUsPerCall ?? Number.NaN)))
        .join(' ');
      console.log(`  ${LABEL[r.kind]}, CPU/call vs raw in each round: ${each}`);
    }
    for (const r of rows) {
      if (r.errors > 0)
        console.log(
          `  ! ${LABEL[r.kind]} answered ${r.errors} calls with an error, e.g. ${r.firstError}`,
        );
    }
  }
  console.log(
    '  user + sys: CPU µs/call in user mode and in the kernel (socket syscalls). server / loadgen CPU: share of one core over the windows.\n  other load: the rest of the machine (other processes, loopback TCP in softirq), in % of one core.',
  );
}

// ---------------------------------------------------------------- (c) idle connections

/** One repetition of (c) for one server: a fresh server process and load generator. */
interface IdleRun {
  readonly connections: number;
  readonly failed: number;
  readonly firstError: string | undefined;
  /** Time spent connecting and booting, summed over the chunks. */
  readonly elapsedMs: number;
  readonly connectsPerSecond: number;
  /** RSS growth per connection, from a reading after every chunk ({@link trimmedGrowth}). */
  readonly rssPerConnection: number;
  /** (last RSS − first RSS) / connections, for comparison. */
  readonly rssPerConnectionTwoPoint: number;
  readonly heapPerConnection: number;
  readonly externalPerConnection: number;
  /** Anonymous resident memory only (no file-backed pages), same method. */
  readonly rssAnonPerConnection: number;
  readonly readings: readonly {
    connections: number;
    rss: number;
    rssAnon: number;
    rssFile: number;
    heapUsed: number;
  }[];
  readonly serverCpuUsPerConnection: number;
  readonly loadBusy: number;
  readonly gc: boolean;
}

interface IdleResult {
  readonly kind: ServerKind;
  /** Connections per repetition (the last one's; every repetition opens the same number). */
  readonly connections: number;
  readonly failed: number;
  readonly firstError: string | undefined;
  /** Medians over the repetitions. */
  readonly connectsPerSecond: number;
  readonly rssPerConnection: number;
  readonly heapPerConnection: number;
  readonly externalPerConnection: number;
  readonly serverCpuUsPerConnection: number;
  readonly loadBusy: number;
  readonly gc: boolean;
  /** Every repetition, in order. */
  readonly runs: readonly IdleRun[];
}

/** Lowest and highest of some numbers. */
function spread(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/**
 * (c): `repetitions` times, start a fresh process per server (and one load generator each),
 * connect `count` stations to each in chunks that take turns between the servers, read each
 * server's memory before and after every chunk, and stop them all again. Fresh processes make
 * the repetitions independent; their median and spread say how far one figure can be trusted.
 */
async function scenarioC(count: number): Promise<IdleResult[]> {
  const plan = PLAN.c;
  const chunk = Math.ceil(count / plan.chunks);
  console.log(
    `\n(c) ${num(count)} idle 1.6 connections per server, each booted, from one bare-TCP load-generator process per server (${plan.concurrency} handshakes at once), in ${plan.chunks} chunks taking turns between the servers; ${plan.repetitions} repetitions, each with fresh server processes (${MEMORY_FLAGS.join(' ')}); memory read after full GCs`,
  );
  const runs: IdleRun[][] = SERVER_KINDS.map(() => []);
  for (let rep = 0; rep < plan.repetitions; rep++) {
    const round = await idleRound(count, chunk);
    for (let i = 0; i < SERVER_KINDS.length; i++) runs[i]!.push(round[i]!);
    console.log(
      `  repetition ${rep + 1}: ${SERVER_KINDS.map((kind, i) => `${LABEL[kind]} ${num(round[i]!.rssPerConnection / 1024, 2)} KiB RSS, ${num(round[i]!.heapPerConnection / 1024, 2)} KiB heap, ${num(round[i]!.connectsPerSecond)} conn/s`).join('; ')}`,
    );
  }
  return SERVER_KINDS.map((kind, i) => {
    const rs = runs[i]!;
    const med = (read: (r: IdleRun) => number): number => median(rs.map(read));
    return {
      kind,
      connections: rs[rs.length - 1]!.connections,
      failed: rs.reduce((t, r) => t + r.failed, 0),
      firstError: rs.find((r) => r.firstError !== undefined)?.firstError,
      connectsPerSecond: med((r) => r.connectsPerSecond),
      rssPerConnection: med((r) => r.rssPerConnection),
      heapPerConnection: med((r) => r.heapPerConnection),
      externalPerConnection: med((r) => r.externalPerConnection),
      serverCpuUsPerConnection: med((r) => r.serverCpuUsPerConnection),
      loadBusy: med((r) => r.loadBusy),
      gc: rs.every((r) => r.gc),
      runs: rs,
    };
  });
}

/**
 * The ratio of `row` to the baseline `raw` for one figure of (c): the median over the
 * repetitions of each repetition's ratio (the servers of one repetition ran side by side).
 */
function idleRatio(
  row: IdleResult,
  raw: IdleResult,
  figure: 'rssPerConnection' | 'heapPerConnection' | 'connectsPerSecond',
): number {
  return median(row.runs.map((r, i) => r[figure] / (raw.runs[i]?.[figure] ?? Number.NaN)));
}

/** One repetition of (c): fresh servers and load generators, chunks taking turns. */
async function idleRound(count: number, chunk: number): Promise<IdleRun[]> {
  const plan = PLAN.c;
  // The young generation pinned at 1 MiB per semi-space (where V8 starts): left to itself it grows
  // and shrinks by tens of MiB during a connection storm, which swamps a figure of a few KiB.
  const servers = await Promise.all(
    SERVER_KINDS.map((kind) => startServer(kind, [...MEMORY_FLAGS])),
  );
  const loads = await Promise.all(SERVER_KINDS.map(() => startLoad()));
  try {
    // Warm-up: run the connect and boot code paths once, so the baseline reading already holds
    // compiled code and lazily built tables, then drop those connections again.
    for (let i = 0; i < SERVER_KINDS.length; i++) {
      const warm = await loads[i]!.request<ConnectResult>('connect', {
        port: portOf(servers[i]!),
        version: '1.6',
        count: plan.warmup,
        concurrency: plan.concurrency,
        prefix: 'WARM',
        client: 'tcp',
      });
      if (warm.failed > 0)
        throw new Error(`${SERVER_KINDS[i]}: warm-up connections failed: ${warm.firstError}`);
      await loads[i]!.request('closeAll', {});
    }
    await sleep(500);
    // Memory after every chunk: the per-connection figure is the trimmed mean growth per chunk,
    // steadier than the difference of two readings (V8 and malloc take and return pages in steps).
    const points: { connections: number; memory: ServerMemory }[][] = [];
    for (const server of servers) {
      points.push([{ connections: 0, memory: await server.request<ServerMemory>('memory') }]);
    }
    const totals = SERVER_KINDS.map(() => ({
      connected: 0,
      failed: 0,
      firstError: undefined as string | undefined,
      elapsedMs: 0,
      loadCpuUs: 0,
      serverCpuUs: 0,
    }));
    for (let c = 0, left = count; left > 0; c++, left -= chunk) {
      for (let i = 0; i < SERVER_KINDS.length; i++) {
        const server = servers[i]!;
        const m0 = await server.request<ServerMark>('mark');
        const r = await loads[i]!.request<ConnectResult>(
          'connect',
          {
            port: portOf(server),
            version: '1.6',
            count: Math.min(chunk, left),
            concurrency: plan.concurrency,
            prefix: `IDLE${c}-`,
            client: 'tcp',
          },
          120_000,
        );
        const m1 = await server.request<ServerMark>('mark');
        const t = totals[i]!;
        t.connected += r.connected;
        t.failed += r.failed;
        t.firstError ??= r.firstError;
        t.elapsedMs += r.elapsedMs;
        t.loadCpuUs += r.cpuUs;
        t.serverCpuUs += m1.user + m1.system - (m0.user + m0.system);
        points[i]!.push({
          connections: t.connected,
          memory: await server.request<ServerMemory>('memory'),
        });
      }
    }
    return SERVER_KINDS.map((_kind, i) => {
      const t = totals[i]!;
      const p = points[i]!;
      const n = t.connected;
      const first = p[0]!.memory;
      const last = p[p.length - 1]!.memory;
      const perConnection = (read: (m: ServerMemory) => number): number =>
        trimmedGrowth(p.map((q) => [q.connections, read(q.memory)]));
      return {
        connections: n,
        failed: t.failed,
        firstError: t.firstError,
        elapsedMs: t.elapsedMs,
        connectsPerSecond: n / (t.elapsedMs / 1000),
        rssPerConnection: perConnection((m) => m.rss),
        rssPerConnectionTwoPoint: (last.rss - first.rss) / n,
        rssAnonPerConnection: perConnection((m) => m.rssAnon),
        heapPerConnection: perConnection((m) => m.heapUsed),
        externalPerConnection: perConnection((m) => m.external),
        readings: p.map((q) => ({
          connections: q.connections,
          rss: q.memory.rss,
          rssAnon: q.memory.rssAnon,
          rssFile: q.memory.rssFile,
          heapUsed: q.memory.heapUsed,
        })),
        serverCpuUsPerConnection: t.serverCpuUs / n,
        loadBusy: t.loadCpuUs / (t.elapsedMs * 1000),
        gc: last.gc,
      };
    });
  } finally {
    await Promise.all([...loads, ...servers].map((child) => child.stop()));
  }
}

/**
 * Growth of y per unit of x over successive readings: each step's growth (Δy / Δx) is computed,
 * the lowest and the highest fifth of the steps are dropped, and the rest averaged. A step in
 * which V8 or malloc gave back pages it held from before (RSS falls by several MiB at once, about
 * once per repetition) or grabbed a run of pages ahead of use is an outlier of one step; the
 * average of the others smooths the page-sized steps every reading has.
 */
function trimmedGrowth(points: readonly (readonly [number, number])[]): number {
  const steps: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i - 1]!;
    const [x2, y2] = points[i]!;
    if (x2 !== x1) steps.push((y2 - y1) / (x2 - x1));
  }
  steps.sort((a, b) => a - b);
  const cut = Math.floor(steps.length / 5);
  const kept = steps.slice(cut, steps.length - cut);
  if (kept.length === 0) return Number.NaN;
  return kept.reduce((t, v) => t + v, 0) / kept.length;
}

function printC(results: readonly IdleResult[]): void {
  const raw = results.find((r) => r.kind === 'raw')!;
  const kib = (bytes: number): string => num(bytes / 1024, 2);
  const range = (r: IdleResult, read: (run: IdleRun) => number): string => {
    const [lo, hi] = spread(r.runs.map(read));
    return `${kib(lo)}–${kib(hi)}`;
  };
  printTable(
    `(c) ${num(raw.connections)} idle connections after BootNotification (1.6), ${raw.runs.length} repetitions with fresh processes; memory after full GCs, per connection = trimmed mean growth over the ${PLAN.c.chunks} chunks; figures are medians over the repetitions, ratios the median of each repetition's ratio`,
    [
      'server',
      'connected',
      'connect+boot/s',
      'RSS KiB/conn',
      'RSS range',
      'heap KiB/conn',
      'heap range',
      'CPU µs/conn',
      'loadgen CPU',
      'heap/conn vs raw',
      'RSS/conn vs raw',
      'connects/s vs raw',
    ],
    results.map((r) => {
      const rss = idleRatio(r, raw, 'rssPerConnection');
      const heap = idleRatio(r, raw, 'heapPerConnection');
      const rate = idleRatio(r, raw, 'connectsPerSecond');
      return [
        LABEL[r.kind],
        `${num(r.connections)}${r.failed > 0 ? ` (${r.failed} failed)` : ''}`,
        num(r.connectsPerSecond),
        kib(r.rssPerConnection),
        range(r, (run) => run.rssPerConnection),
        kib(r.heapPerConnection),
        range(r, (run) => run.heapPerConnection),
        num(r.serverCpuUsPerConnection),
        `${num(r.loadBusy * 100)} %`,
        ratio(heap),
        r.kind === 'ours' ? withTarget('rssPerConnection', rss) : ratio(rss),
        r.kind === 'ours' ? withTarget('connectRate', rate) : ratio(rate),
      ];
    }),
  );
  for (const r of results) {
    if (r.kind === 'raw') continue;
    const each = (figure: 'rssPerConnection' | 'heapPerConnection' | 'connectsPerSecond') =>
      r.runs.map((run, i) => ratio(run[figure] / (raw.runs[i]?.[figure] ?? Number.NaN))).join(' ');
    console.log(
      `  ${LABEL[r.kind]} vs raw in each repetition: RSS ${each('rssPerConnection')}; heap ${each('heapPerConnection')}; connects/s ${each('connectsPerSecond')}`,
    );
  }
  for (const r of results) {
    if (r.failed > 0)
      console.log(`  ! ${LABEL[r.kind]}: ${r.failed} connections failed, e.g. ${r.firstError}`);
    if (!r.gc)
      console.log(`  ! ${LABEL[r.kind]}: gc was not exposed; memory figures include garbage`);
  }
}

// ---------------------------------------------------------------- profile

interface ProfileResult {
  readonly kind: ServerKind;
  /** What ran while the profiler sampled, e.g. `OCPP 1.6 MeterValues calls`. */
  readonly scenario: string;
  readonly unit: 'call' | 'connection';
  readonly path: string;
  /** Server CPU µs per unit, unprofiled when the scenario ran in this run. */
  readonly cpuUsPerUnit: number;
  readonly summary: ProfileSummary;
}

function readProfile(path: string): ProfileSummary {
  return analyseProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, repoRoot);
}

/** Profiles the baseline and our server under the load of (b). */
async function profileCalls(baseline: readonly ThroughputResult[]): Promise<ProfileResult[]> {
  const plan = PLAN.profile;
  const out: ProfileResult[] = [];
  for (const version of ['1.6', '2.0.1'] as const) {
    const rows = await throughput(
      ['raw', 'ours'],
      version,
      { rounds: 1, firstWarmupMs: plan.warmupMs, warmupMs: 0, roundMs: plan.measureMs },
      resultsDir,
    );
    for (const r of rows) {
      // Attribute the unprofiled CPU per call of (b) when it ran, else the profiled run's own.
      const unprofiled = baseline.find((b) => b.kind === r.kind && b.version === version);
      out.push({
        kind: r.kind,
        scenario: `OCPP ${version} ${version === '1.6' ? 'MeterValues' : 'TransactionEvent'} calls`,
        unit: 'call',
        path: r.profile!,
        cpuUsPerUnit: unprofiled?.serverCpuUsPerCall ?? r.serverCpuUsPerCall,
        summary: readProfile(r.profile!),
      });
    }
  }
  return out;
}

/** Profiles the baseline and our server while stations connect and boot, as in (c). */
async function profileConnects(baseline: readonly IdleResult[]): Promise<ProfileResult[]> {
  const n = PLAN.profile.connections;
  const out: ProfileResult[] = [];
  for (const kind of ['raw', 'ours'] as const) {
    const server = await startServer(kind, [...MEMORY_FLAGS]);
    const load = await startLoad();
    try {
      const args = {
        port: portOf(server),
        version: '1.6',
        concurrency: PLAN.c.concurrency,
        client: 'tcp',
      };
      await load.request('connect', { ...args, count: PLAN.c.warmup, prefix: 'WARM' });
      await load.request('closeAll', {});
      await sleep(500);
      const path = join(resultsDir, `profile-${kind}-connect.cpuprofile`);
      await server.request('profileStart', { intervalUs: PLAN.profile.intervalUs });
      const m0 = await server.request<ServerMark>('mark');
      const r = await load.request<ConnectResult>('connect', { ...args, count: n, prefix: 'P' });
      const m1 = await server.request<ServerMark>('mark');
      await server.request('profileStop', { path });
      const unprofiled = baseline.find((b) => b.kind === kind);
      out.push({
        kind,
        scenario: 'connect + BootNotification (1.6)',
        unit: 'connection',
        path,
        cpuUsPerUnit:
          unprofiled?.serverCpuUsPerConnection ??
          (m1.user + m1.system - (m0.user + m0.system)) / r.connected,
        summary: readProfile(path),
      });
    } finally {
      await Promise.all([load.stop(), server.stop()]);
    }
  }
  return out;
}

function printProfiles(profiles: readonly ProfileResult[]): void {
  const pct = (share: number): string => `${num(share * 100, 1)} %`;
  for (const scenario of [...new Set(profiles.map((p) => p.scenario))]) {
    const raw = profiles.find((p) => p.kind === 'raw' && p.scenario === scenario);
    const ours = profiles.find((p) => p.kind === 'ours' && p.scenario === scenario);
    if (raw === undefined || ours === undefined) continue;
    const unit = ours.unit === 'call' ? 'call' : 'conn';
    const parts = [...new Set([...ours.summary.groups.keys(), ...raw.summary.groups.keys()])];
    const perUnit = (p: ProfileResult, part: string): number =>
      (p.summary.groups.get(part) ?? 0) * p.cpuUsPerUnit;
    const us = (share: number): string => num(share * ours.cpuUsPerUnit, 2);
    parts.sort((a, b) => perUnit(ours, b) - perUnit(ours, a));
    printTable(
      `Profile, ${scenario}: server CPU per ${ours.unit} by part, self time (µs/${unit} = share of busy samples × unprofiled CPU µs/${unit}; ${num(raw.summary.busySamples)} / ${num(ours.summary.busySamples)} samples)`,
      ['part', `raw µs/${unit}`, 'raw share', `ours µs/${unit}`, 'ours share', 'ours − raw'],
      [
        ...parts.map((part) => [
          part,
          num(perUnit(raw, part), 2),
          pct(raw.summary.groups.get(part) ?? 0),
          num(perUnit(ours, part), 2),
          pct(ours.summary.groups.get(part) ?? 0),
          num(perUnit(ours, part) - perUnit(raw, part), 2),
        ]),
        [
          'total',
          num(raw.cpuUsPerUnit, 2),
          '100 %',
          num(ours.cpuUsPerUnit, 2),
          '100 %',
          num(ours.cpuUsPerUnit - raw.cpuUsPerUnit, 2),
        ],
      ],
    );
    printTable(
      `Profile ${LABEL.ours}, ${scenario}: top functions by self time`,
      ['function', 'part', 'location', 'self', `µs/${unit}`, 'inclusive'],
      ours.summary.functions
        .slice(0, 20)
        .map((f) => [f.name, f.group, f.location, pct(f.self), us(f.self), pct(f.inclusive)]),
    );
    printTable(
      `Profile ${LABEL.ours}, ${scenario}: @ocpp functions by inclusive time (callees included)`,
      ['function', 'part', 'location', 'inclusive', `µs/${unit}`, 'self'],
      ours.summary.functions
        .filter((f) => f.group.startsWith('@ocpp/'))
        .sort((a, b) => b.inclusive - a.inclusive)
        .slice(0, 16)
        .map((f) => [f.name, f.group, f.location, pct(f.inclusive), us(f.inclusive), pct(f.self)]),
    );
  }
  console.log(
    `\nProfiles written to ${profiles.map((p) => p.path).join(', ')} (open in Chrome DevTools).`,
  );
}

interface HeapGrowth {
  readonly kind: ServerKind;
  readonly connections: number;
  readonly rows: { kind: string; count: number; bytes: number }[];
}

/** Heap snapshots of the baseline and our server before and after idle connections, compared. */
async function heapRuns(): Promise<HeapGrowth[]> {
  const n = PLAN.heap.connections;
  console.log(
    `\nHeap: what one idle, booted connection keeps alive (heap snapshots before and after ${num(n)} connections, shallow sizes)`,
  );
  const out: HeapGrowth[] = [];
  for (const kind of ['raw', 'ours'] as const) {
    const server = await startServer(kind);
    const load = await startLoad();
    try {
      const port = portOf(server);
      const args = { port, version: '1.6', concurrency: PLAN.c.concurrency, client: 'tcp' };
      await load.request('connect', { ...args, count: PLAN.c.warmup, prefix: 'WARM' });
      await load.request('closeAll', {});
      await sleep(500);
      const before = join(resultsDir, `heap-${kind}-before.heapsnapshot`);
      const after = join(resultsDir, `heap-${kind}-after.heapsnapshot`);
      await server.request('heapSnapshot', { path: before });
      const r = await load.request<ConnectResult>('connect', { ...args, count: n, prefix: 'HEAP' });
      await server.request('heapSnapshot', { path: after }, 120_000);
      out.push({
        kind,
        connections: r.connected,
        rows: growthPerConnection(
          summariseHeapSnapshot(before),
          summariseHeapSnapshot(after),
          r.connected,
        ),
      });
      rmSync(before);
      rmSync(after);
    } finally {
      await Promise.all([load.stop(), server.stop()]);
    }
  }
  return out;
}

function printHeap(growth: readonly HeapGrowth[]): void {
  const raw = growth.find((g) => g.kind === 'raw');
  const ours = growth.find((g) => g.kind === 'ours');
  if (raw === undefined || ours === undefined) return;
  const rawBy = new Map(raw.rows.map((r) => [r.kind, r]));
  const total = (g: HeapGrowth): number => g.rows.reduce((t, r) => t + r.bytes, 0);
  const oursBy = new Map(ours.rows.map((r) => [r.kind, r]));
  const zero = { count: 0, bytes: 0 };
  const kinds = [...new Set([...oursBy.keys(), ...rawBy.keys()])];
  const extra = (kind: string): number =>
    (oursBy.get(kind) ?? zero).bytes - (rawBy.get(kind) ?? zero).bytes;
  const rows = kinds
    .filter((kind) => Math.abs(extra(kind)) >= 24)
    .sort((a, b) => extra(b) - extra(a))
    .slice(0, 25);
  printTable(
    `Heap growth per idle connection: ${LABEL.ours} ${num(total(ours))} B, raw ws ${num(total(raw))} B; what ours adds, largest first (shallow bytes; objects by constructor, V8 internals in parentheses)`,
    ['kind', 'ours n/conn', 'ours B/conn', 'raw n/conn', 'raw B/conn', 'ours − raw B'],
    rows.map((kind) => {
      const o = oursBy.get(kind) ?? zero;
      const r = rawBy.get(kind) ?? zero;
      return [
        kind,
        num(o.count, 2),
        num(o.bytes),
        num(r.count, 2),
        num(r.bytes),
        num(o.bytes - r.bytes),
      ];
    }),
  );
  console.log(
    '  (array): V8 backing stores (Map and Set hash tables, property and element arrays). (object shape): hidden classes; one per connection means an object with a shape of its own.',
  );
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  const stale = staleBuild();
  if (stale !== undefined) {
    console.error(
      `bench:rpc measures the compiled packages, and ${stale}. Run it as \`pnpm bench:rpc\` (which builds first) or run \`pnpm build\`.`,
    );
    process.exit(1);
  }
  const limit = openFileLimit();
  let connections: number = PLAN.c.connections;
  // Each of the server and the load generator holds one descriptor per connection, plus a margin.
  const margin = 300;
  if (!(limit >= connections + margin)) {
    const scaled = Number.isFinite(limit)
      ? Math.max(0, Math.floor((limit - margin) / 100) * 100)
      : 0;
    console.log(
      `bench:rpc: the open-file limit is ${limit} (ulimit -n); (c) needs ${connections + margin} per process. ` +
        `Running (c) with ${scaled} connections instead; raise the limit before the run for the full figure.`,
    );
    connections = scaled;
  }
  const commit = revision();
  console.log(
    `RPC + WebSocket benchmark: ${commit}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ulimit -n ${limit}${quick ? ', QUICK (smoke test, not a measurement)' : ''}`,
  );
  console.log(
    'Every figure is compared with the raw ws server measured in the same run; targets print PASS/MISS and never fail the run.',
  );

  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpus: cpus().map((c) => c.model),
    totalMemory: totalmem(),
    openFileLimit: limit,
    quick,
    plan: PLAN,
    targets: TARGETS,
  };
  const verdicts: { target: string; value: number; limit: string; verdict: string }[] = [];
  const t0 = performance.now();

  if (only.has('a')) {
    const a = await scenarioA();
    results.a = a;
    printA(a);
  }
  let b: ThroughputResult[] = [];
  if (only.has('b')) {
    b = await scenarioB();
    results.b = b;
    printB(b);
    for (const version of ['1.6', '2.0.1'] as const) {
      const raw = b.find((r) => r.kind === 'raw' && r.version === version)!;
      const ours = b.find((r) => r.kind === 'ours' && r.version === version)!;
      verdicts.push({
        target: `(b) ${version} throughput vs raw`,
        ...target('throughput', pairedRatio(ours, raw, 'callsPerSecond')),
      });
      verdicts.push({
        target: `(b) ${version} server CPU per call vs raw`,
        ...target('cpuPerCall', pairedRatio(ours, raw, 'cpuUsPerCall')),
      });
    }
  }
  let c: IdleResult[] = [];
  if (only.has('c') && connections > 0) {
    c = await scenarioC(connections);
    results.c = c;
    printC(c);
    const raw = c.find((r) => r.kind === 'raw')!;
    const ours = c.find((r) => r.kind === 'ours')!;
    verdicts.push({
      target: '(c) RSS per idle connection vs raw',
      ...target('rssPerConnection', idleRatio(ours, raw, 'rssPerConnection')),
    });
    verdicts.push({
      target: '(c) connect + boot rate vs raw',
      ...target('connectRate', idleRatio(ours, raw, 'connectsPerSecond')),
    });
  }
  if (verdicts.length > 0) {
    printTable(
      'Targets for @ocpp/rpc + transport-ws (ratio to raw ws in this run)',
      ['target', 'measured', 'limit', 'verdict'],
      verdicts.map((v) => [v.target, ratio(v.value), v.limit, v.verdict]),
    );
    results.verdicts = verdicts;
    if (verdicts.some((v) => v.verdict === 'MISS') && !profiling) {
      console.log('  Where the CPU and memory go: pnpm bench:rpc --profile');
    }
  }
  if (profiling) {
    console.log(
      `\nProfiles: our server and the baseline, V8 sampling profiler every ${PLAN.profile.intervalUs} µs, under the load of (b) for ${PLAN.profile.measureMs} ms, and while ${num(PLAN.profile.connections)} stations connect and boot as in (c)`,
    );
    const profiles = [...(await profileCalls(b)), ...(await profileConnects(c))];
    printProfiles(profiles);
    const heap = await heapRuns();
    printHeap(heap);
    results.heap = heap.map((g) => ({ ...g, rows: g.rows.slice(0, 40) }));
    results.profiles = profiles.map((p) => ({
      kind: p.kind,
      scenario: p.scenario,
      unit: p.unit,
      path: p.path,
      cpuUsPerUnit: p.cpuUsPerUnit,
      groups: Object.fromEntries(p.summary.groups),
      top: p.summary.functions.slice(0, 40),
    }));
  }
  results.seconds = (performance.now() - t0) / 1000;
  const out = join(resultsDir, 'latest.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nRaw numbers: ${out} (${num((performance.now() - t0) / 1000, 1)} s)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
