import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ProtocolVersion } from '@ocpp/generic-api';
import { checkV2Identity, resolveBackoff } from '@ocpp/transport-ws';
import type { CommandSpec, ParsedArgs } from '../cli/args.js';
import { CliError, usageError } from '../cli/errors.js';
import { loadCredentials, readUserFile, type Secret } from '../cli/files.js';
import type { Io } from '../cli/io.js';
import { toolVersion } from '../cli/version.js';
import { htmlReport } from '../output/html-report.js';
import { Progress } from '../output/progress.js';
import { callErrorRows, formatSummary, type RunReport } from '../output/summary.js';
import { runFleet } from '../sim/fleet.js';
import type { Scenario } from '../sim/station.js';

export const simulateSpec = {
  name: 'simulate',
  summary: 'run a fleet of simulated charging stations against a CSMS',
  description:
    'Connects N simulated stations to the CSMS at --url (each at URL/<identity>) and runs a ' +
    'scenario: boot-only (boot, report each connector), idle (also heartbeats at the interval the ' +
    'CSMS gave) or charge-session (also charging sessions: authorize, start, meter values with a ' +
    'rising energy register and plausible power, current, voltage and SoC, stop). Stations answer ' +
    'the CSMS: remote start/stop, reset, change availability, get/set configuration, trigger ' +
    'message, unlock and data transfer. A station that loses its connection reconnects with the ' +
    'OCPP back-off until it is back (at most --reconnect-attempts times); its sessions charge on ' +
    'offline and send their stop on the next connection. A CALLERROR is counted against the ' +
    'action it answered: only a refused BootNotification fails a boot. Shows a live progress line, ends with a summary ' +
    '(stations, sessions, messages and latency per action, CALLERRORs by code). Exits 1 when a ' +
    'station never connected, a session failed, a CALLERROR came back, or the run ended with ' +
    'stations still disconnected or stops not delivered.',
  options: {
    url: {
      type: 'string',
      required: true,
      placeholder: 'ws://host:port/path',
      description: 'the CSMS endpoint, without the identity (ws:// or wss://)',
    },
    stations: {
      type: 'number',
      integer: true,
      min: 1,
      max: 100_000,
      default: 10,
      placeholder: 'N',
      description: 'how many stations',
    },
    protocol: {
      type: 'choice',
      choices: ['mixed', 'ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'],
      default: 'mixed',
      description: 'version the stations speak; mixed gives a third of the fleet to each',
    },
    'identity-prefix': {
      type: 'string',
      default: 'SIM-',
      placeholder: 'TEXT',
      description: 'identities are the prefix and a number: SIM-0001, SIM-0002, ...',
    },
    scenario: {
      type: 'choice',
      choices: ['charge-session', 'idle', 'boot-only'],
      default: 'charge-session',
      description: 'what each station does after booting',
    },
    sessions: {
      type: 'number',
      integer: true,
      min: 1,
      placeholder: 'N',
      description:
        'charging sessions each station runs, then the run ends (charge-session; default 1 unless --duration is given)',
    },
    duration: {
      type: 'number',
      min: 0.1,
      placeholder: 'SECONDS',
      description:
        'end the run after this many seconds (idle defaults to 60; with --sessions, whichever comes first)',
    },
    'session-duration': {
      type: 'number',
      min: 0.05,
      default: 30,
      placeholder: 'SECONDS',
      description: 'how long each charging session lasts',
    },
    'meter-interval': {
      type: 'number',
      min: 0.05,
      default: 10,
      placeholder: 'SECONDS',
      description: 'seconds between meter values during a session',
    },
    'heartbeat-interval': {
      type: 'number',
      min: 0.05,
      placeholder: 'SECONDS',
      description: 'send heartbeats this often instead of at the interval the CSMS gives at boot',
    },
    connectors: {
      type: 'number',
      integer: true,
      min: 1,
      max: 16,
      default: 1,
      placeholder: 'N',
      description: 'EVSEs (one connector each) per station; sessions run on all of them',
    },
    ramp: {
      type: 'number',
      min: 0,
      default: 100,
      placeholder: 'PER-SECOND',
      description: 'new connections per second; 0 connects all at once',
    },
    password: {
      type: 'string',
      placeholder: 'SECRET',
      description: 'Basic-auth password of every station (security profile 1 and 2)',
    },
    credentials: {
      type: 'string',
      placeholder: 'FILE',
      description:
        'Basic-auth passwords per identity: a JSON object {"SIM-0001":"secret", "*":"for the rest"}; "hex:..." for raw 1.6 keys',
    },
    ca: {
      type: 'string',
      placeholder: 'FILE',
      description: 'PEM CA certificate(s) to trust for wss://',
    },
    cert: {
      type: 'string',
      placeholder: 'FILE',
      description: 'PEM client certificate for TLS client authentication (security profile 3)',
    },
    key: { type: 'string', placeholder: 'FILE', description: 'PEM private key of --cert' },
    insecure: {
      type: 'boolean',
      description: 'do not verify the CSMS certificate (wss:// against a self-signed test CSMS)',
    },
    'call-timeout': {
      type: 'number',
      min: 0.1,
      default: 30,
      placeholder: 'SECONDS',
      description: 'how long a station waits for the answer to a call',
    },
    'connect-attempts': {
      type: 'number',
      integer: true,
      min: 1,
      default: 3,
      placeholder: 'N',
      description:
        "attempts at a station's first connection and boot (retried after the back-off; a boot answered Pending or Rejected counts as one) before it counts as failed",
    },
    'reconnect-attempts': {
      type: 'number',
      integer: true,
      min: 1,
      default: 10,
      placeholder: 'N',
      description:
        'attempts at getting a lost connection back (each after the back-off) before a station gives up; the run then ends without it and fails',
    },
    'retry-backoff-wait-minimum': {
      type: 'number',
      min: 0,
      default: 3,
      placeholder: 'SECONDS',
      description:
        'RetryBackOffWaitMinimum: the fixed part of the wait before the first retry; it doubles with every failed attempt',
    },
    'retry-backoff-random-range': {
      type: 'number',
      min: 0,
      default: 10,
      placeholder: 'SECONDS',
      description:
        'RetryBackOffRandomRange: a random wait of up to this much is added to every retry (spreads a fleet out)',
    },
    'retry-backoff-repeat-times': {
      type: 'number',
      integer: true,
      min: 0,
      default: 3,
      placeholder: 'N',
      description:
        'RetryBackOffRepeatTimes: how often the fixed part doubles; then it stays (3 s doubled 3 times: 24 s)',
    },
    'state-dir': {
      type: 'string',
      placeholder: 'DIR',
      description:
        "keep each station's outbox (transaction messages not yet answered) in DIR/<identity>.journal, so a run that was killed delivers them when run again on the same DIR; without it the outboxes are in memory (one open file per station)",
    },
    'message-attempts': {
      type: 'number',
      integer: true,
      min: 1,
      placeholder: 'N',
      description:
        'TransactionMessageAttempts / MessageAttempts: transmissions of a transaction message the CSMS does not answer (or refuses) before it is dropped and reported (default 3)',
    },
    'message-retry-interval': {
      type: 'number',
      min: 0,
      placeholder: 'SECONDS',
      description:
        'TransactionMessageRetryInterval / MessageAttemptInterval: wait before a resend, times the attempts so far (default 5)',
    },
    json: {
      type: 'boolean',
      description: 'print the summary as JSON on stdout (progress goes to stderr)',
    },
    report: {
      type: 'string',
      placeholder: 'FILE.html',
      description: 'also write a self-contained HTML report with charts',
    },
    'progress-interval': {
      type: 'number',
      min: 0.5,
      default: 5,
      placeholder: 'SECONDS',
      description: 'seconds between progress lines when the output is not a terminal',
    },
    quiet: { type: 'boolean', description: 'no progress output' },
  },
  examples: [
    'ocpp simulate --url ws://localhost:9000 --stations 100 --protocol mixed',
    'ocpp simulate --url wss://csms.example.com/ocpp --stations 5 --protocol ocpp2.0.1 --password sixteen-chars-pw --sessions 3',
    'ocpp simulate --url ws://localhost:9000 --stations 1000 --scenario idle --duration 300 --heartbeat-interval 30 --report fleet.html',
  ],
} as const satisfies CommandSpec;

type SimulateArgs = ParsedArgs<typeof simulateSpec.options>;

const VERSIONS: readonly ProtocolVersion[] = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'];

/** The part of a simulate run the demo shares: settings in, report out. */
export interface SimulateRun {
  readonly report: RunReport;
  readonly latencyBars: [number, number, number][];
  /**
   * Why the run stopped at its first station (`cannot connect <identity> to <url>: <reason>`),
   * when that reason would fail every station: a wrong URL, password, version or certificate.
   */
  readonly fatal?: string;
}

/** Memory in use, after a full GC when node runs with --expose-gc (the bench does). */
function memory(): { rssBytes: number; heapUsedBytes: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
}

function checkUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`--url "${url}" is not a URL (expected ws://host:port/path or wss://...)`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw usageError(`--url must start with ws:// or wss://, got "${parsed.protocol}//"`);
  }
  return parsed;
}

/** The options of a run for its report: a password is shown as set, never as itself. */
function withoutSecrets(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options))
    shown[k] = k === 'password' && v !== undefined ? '(set)' : v;
  return shown;
}

/**
 * Runs a fleet from parsed `simulate` options and builds its report; the progress display goes to
 * `io` unless silenced. Shared by `ocpp simulate` and `ocpp demo`.
 */
export async function simulate(args: SimulateArgs, io: Io): Promise<SimulateRun> {
  const startedAt = new Date().toISOString();
  const o = args.options;
  const url = checkUrl(o.url);
  const width = Math.max(4, String(o.stations).length);
  const identityOf = (i: number) => `${o['identity-prefix']}${String(i + 1).padStart(width, '0')}`;
  const protocolOf = (i: number): ProtocolVersion =>
    o.protocol === 'mixed' ? VERSIONS[i % 3]! : o.protocol;
  if (o.protocol !== 'ocpp1.6') {
    const problem = checkV2Identity(identityOf(o.stations - 1));
    if (problem !== undefined) {
      throw usageError(
        `--identity-prefix "${o['identity-prefix']}" gives identities OCPP 2.x refuses: ${problem}`,
      );
    }
  }
  if (o.password !== undefined && o.credentials !== undefined) {
    throw usageError('give --password or --credentials, not both');
  }
  if ((o.cert === undefined) !== (o.key === undefined)) {
    throw usageError('--cert and --key go together');
  }
  if ((o.ca !== undefined || o.cert !== undefined || o.insecure) && url.protocol !== 'wss:') {
    throw usageError('--ca, --cert, --key and --insecure need a wss:// URL');
  }
  const scenario = o.scenario as Scenario;
  let sessions = o.sessions;
  let duration = o.duration;
  if (scenario === 'charge-session' && sessions === undefined && duration === undefined)
    sessions = 1;
  if (scenario === 'idle' && duration === undefined) duration = 60;
  if (scenario !== 'charge-session' && sessions !== undefined) {
    throw usageError(`--sessions applies to --scenario charge-session, not ${scenario}`);
  }
  let secretFor: (identity: string) => Secret | undefined = () => o.password;
  if (o.credentials !== undefined) {
    const credentials = await loadCredentials(io.cwd, o.credentials);
    secretFor = (identity) => credentials.secretOf(identity);
  }
  const tls = {
    ...(o.ca === undefined ? {} : { ca: await readUserFile(io.cwd, o.ca, '--ca') }),
    ...(o.cert === undefined ? {} : { cert: await readUserFile(io.cwd, o.cert, '--cert') }),
    ...(o.key === undefined ? {} : { key: await readUserFile(io.cwd, o.key, '--key') }),
    rejectUnauthorized: !o.insecure,
  };
  const target = o.json
    ? {
        write: (t: string) => process.stderr.write(t),
        isTTY: process.stderr.isTTY === true,
        columns: process.stderr.columns,
      }
    : io.stdout;
  let progress: Progress | undefined;
  const endpoint = o.url.replace(/\/+$/, '');
  if (!o.quiet && !o.json) {
    io.stdout.write(
      `Simulating ${o.stations} station${o.stations === 1 ? '' : 's'} (${o.protocol}, ${scenario}) against ${endpoint}/<identity>\n`,
    );
  }
  const stateDir = o['state-dir'] === undefined ? undefined : resolve(io.cwd, o['state-dir']);
  if (stateDir !== undefined) {
    try {
      await mkdir(stateDir, { recursive: true });
    } catch (e) {
      throw new CliError(
        `--state-dir ${o['state-dir']}: cannot create it (${(e as NodeJS.ErrnoException).code ?? e})`,
      );
    }
  }
  const sessionsTarget = sessions === undefined ? undefined : sessions * o.stations;
  const cpuStart = process.cpuUsage();
  const baseline = memory();
  let allConnected: ReturnType<typeof memory> | undefined;
  let watcher: ReturnType<typeof setInterval> | undefined;
  let outcome: Awaited<ReturnType<typeof runFleet>>;
  try {
    outcome = await runFleet({
      url: endpoint,
      stations: o.stations,
      protocolOf,
      identityOf,
      rampPerSecond: o.ramp,
      durationSeconds: duration,
      interrupted: io.interrupted,
      scenario,
      sessionsPerStation: sessions,
      sessionSeconds: o['session-duration'],
      meterIntervalSeconds: o['meter-interval'],
      heartbeatIntervalSeconds: o['heartbeat-interval'],
      connectors: o.connectors,
      callTimeoutMs: o['call-timeout'] * 1000,
      connectAttempts: o['connect-attempts'],
      reconnectAttempts: o['reconnect-attempts'],
      backoff: resolveBackoff({
        waitMinimumSeconds: o['retry-backoff-wait-minimum'],
        randomRangeSeconds: o['retry-backoff-random-range'],
        repeatTimes: o['retry-backoff-repeat-times'],
      }),
      secretFor,
      tls,
      ...(stateDir === undefined ? {} : { stateDir }),
      ...(o['message-attempts'] === undefined ? {} : { messageAttempts: o['message-attempts'] }),
      ...(o['message-retry-interval'] === undefined
        ? {}
        : { messageRetryIntervalMs: o['message-retry-interval'] * 1000 }),
      onStart: (metrics) => {
        progress = new Progress({ ...io, stdout: target }, metrics, {
          plainIntervalSeconds: o['progress-interval'],
          silent: o.quiet,
          ...(sessionsTarget === undefined ? {} : { sessionsTarget }),
        });
        progress.start();
        // Memory once every station is connected and the connection storm has settled.
        watcher = setInterval(() => {
          const at = metrics.allConnectedAt;
          if (at !== undefined && Date.now() - at >= 2000) {
            allConnected = memory();
            clearInterval(watcher);
          }
        }, 250);
      },
    });
  } catch (e) {
    progress?.stop(false);
    throw e;
  } finally {
    clearInterval(watcher);
  }
  progress?.stop(outcome.fatal === undefined);
  const cpu = process.cpuUsage(cpuStart);
  const snapshot = outcome.metrics.snapshot();
  const problems: string[] = [];
  if (snapshot.stations.failed > 0) {
    const reasons = Object.keys(snapshot.stations.failures).slice(0, 3).join(', ');
    problems.push(`${snapshot.stations.failed} station(s) never connected (${reasons})`);
  }
  if (sessionsTarget !== undefined && snapshot.sessions.completed < sessionsTarget) {
    problems.push(`${snapshot.sessions.completed} of ${sessionsTarget} sessions completed`);
  }
  if (snapshot.stations.disconnectedAtEnd > 0) {
    const n = snapshot.stations.disconnectedAtEnd;
    const some = snapshot.stations.disconnectedAtEndIdentities.slice(0, 3).join(', ');
    const gaveUp = snapshot.stations.gaveUp;
    problems.push(
      `${n} station(s) still disconnected at the end, ${gaveUp === 0 ? 'reconnecting' : gaveUp === n ? 'given up after --reconnect-attempts' : `${gaveUp} of them given up after --reconnect-attempts`} (${some}${n > 3 ? ', ...' : ''})`,
    );
  }
  if (snapshot.sessions.failed > 0) problems.push(`${snapshot.sessions.failed} session(s) failed`);
  if (snapshot.sessions.stopsUndelivered > 0) {
    problems.push(
      `${snapshot.sessions.stopsUndelivered} transaction stop(s) never reached the CSMS (left open there${stateDir === undefined ? '' : '; kept in --state-dir for the next run'})`,
    );
  }
  const errors = Object.values(snapshot.callErrors).reduce((a, b) => a + b, 0);
  if (errors > 0) {
    const rows = callErrorRows(snapshot);
    const which = rows
      .slice(0, 3)
      .map(([code, action, n]) => `${code} to ${action} ×${n}`)
      .join(', ');
    problems.push(`${errors} CALLERROR(s) received (${which}${rows.length > 3 ? ', ...' : ''})`);
  }
  if (outcome.endedBy === 'interrupted') problems.push('interrupted');
  // Stopped at the first station: the rest follows from the one reason.
  if (outcome.fatal !== undefined) problems.splice(0, problems.length, outcome.fatal);
  const report: RunReport = {
    run: {
      url: endpoint,
      protocol: o.protocol,
      scenario,
      stations: o.stations,
      startedAt,
      tool: `@ocpp/cli ${toolVersion()}`,
      options: withoutSecrets(o),
    },
    result: snapshot,
    ok: problems.length === 0,
    problems,
    resources: {
      baseline,
      ...(allConnected === undefined
        ? {}
        : {
            allConnected,
            perStation: {
              rssBytes: Math.round((allConnected.rssBytes - baseline.rssBytes) / o.stations),
              heapUsedBytes: Math.round(
                (allConnected.heapUsedBytes - baseline.heapUsedBytes) / o.stations,
              ),
            },
          }),
      cpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
    },
  };
  return {
    report,
    latencyBars: outcome.metrics.latencyBars(),
    ...(outcome.fatal === undefined ? {} : { fatal: outcome.fatal }),
  };
}

/** Prints (or writes) what a run produced: summary, JSON, HTML report. */
export async function publish(
  run: SimulateRun,
  options: { json: boolean; report: string | undefined },
  io: Io,
): Promise<void> {
  if (options.report !== undefined) {
    const path = resolve(io.cwd, options.report);
    try {
      await writeFile(path, htmlReport(run.report, run.latencyBars));
    } catch (e) {
      throw new CliError(
        `--report ${options.report}: cannot write it (${(e as NodeJS.ErrnoException).code ?? e})`,
      );
    }
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(run.report, null, 2)}\n`);
  } else {
    io.stdout.write(`\n${formatSummary(run.report)}`);
    if (options.report !== undefined) io.stdout.write(`HTML report: ${options.report}\n`);
  }
}

/** `ocpp simulate`. */
export async function runSimulate(args: SimulateArgs, io: Io): Promise<number> {
  const run = await simulate(args, io);
  const { json, report } = args.options;
  // A run stopped at its first station says why in one line; --json and --report still get
  // their report, so that a script reading stdout always has its JSON.
  if (run.fatal !== undefined && !json && report === undefined) throw new CliError(run.fatal);
  await publish(run, { json, report }, io);
  if (run.fatal !== undefined) throw new CliError(run.fatal);
  return run.report.ok ? 0 : 1;
}
