/**
 * `pnpm bench:fleet` (and the last part of `pnpm bench`): `ocpp simulate` drives 5,000 simulated
 * stations (a third each on OCPP 1.6, 2.0.1 and 2.1) from one process against `ocpp csms` in
 * another, both the built CLI (`packages/cli/bin/ocpp.js`), over loopback WebSockets.
 *
 * Reports, for that run:
 * - connect time: from the start until every station is connected and booted at once;
 * - memory per simulated station (heap and RSS of the simulator after a full GC, minus its
 *   baseline, divided by the stations), against the baseline of the same run: a bare `ws` client
 *   connection measured the same way in a process of its own (`fleet-bare.ts`);
 * - steady-state calls per second: the calls answered per second once everyone is connected and
 *   charging (one session per station for the whole run, meter values every second, heartbeats
 *   every 60 s), against the load the fleet offers (stations × (1/meter interval + 1/60)); the
 *   CSMS's CPU over that window and its memory per connected station.
 *
 * Flags: `--stations N` (default 5000), `--duration S` (default 60), `--meter-interval S`
 * (default 1), `--csms-db FILE` (default: a new database in a temporary directory, removed
 * afterwards, as `ocpp csms` keeps one by default; `:memory:` for none), `--quick` (500
 * stations, 20 s: a smoke test, not a measurement). Never fails on a
 * figure; fails only when the run is broken (a station never connected, a session failed).
 * Every child is killed when this process exits, and the whole run gives up after its duration
 * plus three minutes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const here = import.meta.dirname;
const repoRoot = join(here, '../..');
const BIN = join(repoRoot, 'packages/cli/bin/ocpp.js');
const BARE = join(here, 'fleet-bare.ts');
const resultsDir = join(here, '../results');

const argv = process.argv.slice(2);
const value = (name: string): string | undefined =>
  argv.find((_a, i) => argv[i - 1] === `--${name}`);
const quick = argv.includes('--quick');
const STATIONS = Number(value('stations') ?? (quick ? 500 : 5000));
const DURATION = Number(value('duration') ?? (quick ? 20 : 60));
const METER_INTERVAL = Number(value('meter-interval') ?? 1);
const HEARTBEAT = 60;
const dbDir =
  value('csms-db') === undefined ? mkdtempSync(join(tmpdir(), 'bench-fleet-')) : undefined;
const CSMS_DB = value('csms-db') ?? join(dbDir!, 'ocpp-csms.db');
if (!(STATIONS > 0 && DURATION > 5 && METER_INTERVAL > 0)) {
  console.error('bench:fleet: --stations N > 0, --duration S > 5, --meter-interval S > 0');
  process.exit(2);
}

const children = new Set<ChildProcess>();
const killAll = () => {
  for (const c of children) c.kill('SIGKILL');
  if (dbDir !== undefined) rmSync(dbDir, { recursive: true, force: true });
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}
setTimeout(
  () => {
    console.error(`bench:fleet: gave up after ${DURATION + 180} s`);
    process.exit(1);
  },
  (DURATION + 180) * 1000,
).unref();

/** Resident memory and CPU seconds of a process, from /proc (Linux). */
function procStats(pid: number): { rssBytes: number; cpuSeconds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    return { rssBytes: rssKb * 1024, cpuSeconds: ticks / 100 };
  } catch {
    return undefined;
  }
}

function start(args: string[], node: string[] = []): { child: ChildProcess; stdout: () => string } {
  const child = spawn(process.execPath, [...node, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr!.setEncoding('utf8').on('data', () => {});
  return { child, stdout: () => out };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitFor(read: () => string, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = read().match(pattern);
    if (m !== null) return m;
    if (Date.now() > deadline)
      throw new Error(`no ${pattern} within ${ms} ms: ${read().slice(-500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface SimReport {
  ok: boolean;
  problems: string[];
  result: {
    elapsedSeconds: number;
    stations: { connected: number; failed: number; allConnectedAfterSeconds?: number };
    sessions: { completed: number; failed: number };
    callsPerSecond: { mean: number; peak: number };
    timeline: { t: number; calls: number; connected: number }[];
    latencyMs: Record<string, { p50: number; p95: number; p99: number }>;
  };
  resources: {
    perStation?: { rssBytes: number; heapUsedBytes: number };
    cpuSeconds: { user: number; system: number };
  };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  if (!existsSync(join(repoRoot, 'packages/cli/dist/bin.js'))) {
    throw new Error('packages/cli is not built: run `pnpm bench:fleet` (it builds first)');
  }
  console.log(
    `bench:fleet: ${int(STATIONS)} simulated stations (mixed 1.6/2.0.1/2.1) against ocpp csms, ` +
      `${DURATION} s, meter values every ${METER_INTERVAL} s, database ${CSMS_DB}; ${cpus().length} cores, Node ${process.version}`,
  );

  const csms = start([
    BIN,
    'csms',
    '--port',
    '0',
    '--quiet',
    '--heartbeat-interval',
    String(HEARTBEAT),
    '--db',
    CSMS_DB,
  ]);
  const [, url] = await waitFor(csms.stdout, /listening on (ws:\/\/[^/\s]+)\/<identity>/, 15_000);
  const csmsPid = csms.child.pid!;
  const csmsIdle = procStats(csmsPid);

  // Baseline of the same run: bare ws client connections, one process, same CSMS.
  const bare = start([BARE, url!, String(STATIONS)], ['--expose-gc', '--import', 'tsx']);
  const bareCode = await exited(bare.child);
  const bareResult = JSON.parse(bare.stdout().trim().split('\n').pop() ?? '{}') as {
    connected?: number;
    perConnection?: { rssBytes: number; heapUsedBytes: number };
    connectSeconds?: number;
  };
  if (bareCode !== 0 || bareResult.perConnection === undefined) {
    throw new Error(
      `the bare-client baseline failed (exit ${bareCode}): ${bare.stdout().slice(-300)}`,
    );
  }

  const sim = start(
    [
      BIN,
      'simulate',
      '--url',
      url!,
      '--stations',
      String(STATIONS),
      '--protocol',
      'mixed',
      '--ramp',
      '0',
      '--duration',
      String(DURATION),
      // One session per station that lasts the whole run: the steady window is meter values.
      '--session-duration',
      String(DURATION * 2),
      '--meter-interval',
      String(METER_INTERVAL),
      '--call-timeout',
      '60',
      '--json',
    ],
    ['--expose-gc'],
  );
  const simStarted = Date.now();
  // The CSMS's CPU and memory over the steady window, sampled from outside.
  let steadyStart: { at: number; stats: ReturnType<typeof procStats> } | undefined;
  let steadyEnd: { at: number; stats: ReturnType<typeof procStats> } | undefined;
  const sampler = setInterval(() => {
    const now = Date.now();
    if (steadyStart === undefined && now - simStarted >= Math.min(15, DURATION / 3) * 1000) {
      steadyStart = { at: now, stats: procStats(csmsPid) };
    } else if (steadyStart !== undefined && now - simStarted <= (DURATION - 3) * 1000) {
      steadyEnd = { at: now, stats: procStats(csmsPid) };
    }
  }, 500);
  const simCode = await exited(sim.child);
  clearInterval(sampler);
  const report = JSON.parse(sim.stdout()) as SimReport;
  csms.child.kill('SIGTERM');
  await exited(csms.child);

  const r = report.result;
  const connectedAt = r.stations.allConnectedAfterSeconds;
  // Steady state: from 5 s after everyone connected to 3 s before the end of the run.
  const from = (connectedAt ?? 0) + 5;
  const to = DURATION - 3;
  const window = r.timeline.filter((p) => p.t > from && p.t <= to);
  const steady = window.length === 0 ? 0 : window.reduce((s, p) => s + p.calls, 0) / window.length;
  // Each station sends a meter value every interval (heartbeats, every 60 s, come on top).
  const offered = STATIONS / METER_INTERVAL;
  const perStation = report.resources.perStation;
  const csmsCpu =
    steadyStart?.stats !== undefined &&
    steadyEnd?.stats !== undefined &&
    steadyEnd.at > steadyStart.at
      ? (steadyEnd.stats.cpuSeconds - steadyStart.stats.cpuSeconds) /
        ((steadyEnd.at - steadyStart.at) / 1000)
      : undefined;
  const csmsPerStation =
    csmsIdle !== undefined && steadyEnd?.stats !== undefined
      ? (steadyEnd.stats.rssBytes - csmsIdle.rssBytes) / STATIONS
      : undefined;
  const bareHeap = bareResult.perConnection.heapUsedBytes;
  const bareRss = bareResult.perConnection.rssBytes;

  const rows: [string, string, string][] = [
    [
      'stations connected',
      `${int(r.stations.connected)} of ${int(STATIONS)}`,
      `${int(r.stations.failed)} failed`,
    ],
    [
      'connect time (all connected and booted)',
      connectedAt === undefined ? 'never' : `${connectedAt.toFixed(1)} s`,
      connectedAt === undefined ? '' : `${int(STATIONS / connectedAt)} stations/s`,
    ],
    [
      'bare ws clients (baseline) connect time',
      bareResult.connectSeconds === undefined ? '-' : `${bareResult.connectSeconds.toFixed(1)} s`,
      '',
    ],
    [
      'simulator heap per station',
      perStation === undefined ? '-' : kib(perStation.heapUsedBytes),
      perStation === undefined
        ? ''
        : `${(perStation.heapUsedBytes / bareHeap).toFixed(2)}× a bare ws client (${kib(bareHeap)})`,
    ],
    [
      'simulator RSS per station',
      perStation === undefined ? '-' : kib(perStation.rssBytes),
      perStation === undefined
        ? ''
        : `${(perStation.rssBytes / bareRss).toFixed(2)}× a bare ws client (${kib(bareRss)})`,
    ],
    [
      'steady-state calls/s',
      int(steady),
      `${(steady / offered).toFixed(3)} of the ${int(offered)}/s offered (${window.length} s window)`,
    ],
    ['peak calls/s', int(r.callsPerSecond.peak), ''],
    [
      'latency p50 / p99 (TransactionEvent)',
      r.latencyMs.TransactionEvent === undefined
        ? '-'
        : `${r.latencyMs.TransactionEvent.p50} / ${r.latencyMs.TransactionEvent.p99} ms`,
      '',
    ],
    [
      'CSMS CPU in the steady window',
      csmsCpu === undefined ? '-' : `${(csmsCpu * 100).toFixed(0)} % of a core`,
      '',
    ],
    [
      'CSMS RSS per connected station',
      csmsPerStation === undefined ? '-' : kib(csmsPerStation),
      '',
    ],
    [
      'simulator CPU (whole run)',
      `${(report.resources.cpuSeconds.user + report.resources.cpuSeconds.system).toFixed(1)} s`,
      `${(((report.resources.cpuSeconds.user + report.resources.cpuSeconds.system) / r.elapsedSeconds) * 100).toFixed(0)} % of a core`,
    ],
    ['sessions completed', int(r.sessions.completed), `${int(r.sessions.failed)} failed`],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  console.log('');
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, 'fleet.json');
  writeFileSync(
    file,
    `${JSON.stringify({ stations: STATIONS, durationSeconds: DURATION, meterIntervalSeconds: METER_INTERVAL, csmsDb: value('csms-db') ?? 'a temporary file', connectSeconds: connectedAt, steadyCallsPerSecond: steady, offeredCallsPerSecond: offered, perStation, bare: bareResult, csmsCpuCores: csmsCpu, csmsRssPerStation: csmsPerStation, simulator: report }, null, 2)}\n`,
  );
  console.log(`\n  raw figures: ${file}`);
  if (simCode !== 0 || !report.ok) {
    console.error(`bench:fleet: the run is broken: ${report.problems.join('; ')}`);
    process.exitCode = 1;
  }
}

main().then(
  () => {
    killAll();
  },
  (e: unknown) => {
    console.error(`bench:fleet: ${e instanceof Error ? e.message : String(e)}`);
    killAll();
    process.exit(1);
  },
);
