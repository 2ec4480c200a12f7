import type { FleetSnapshot } from '../metrics/fleet-metrics.js';
import { bytes, int, ms, table } from './format.js';

/** What a run was asked to do, printed above the figures. */
export interface RunDescription {
  readonly url: string;
  readonly protocol: string;
  readonly scenario: string;
  readonly stations: number;
  /** When the run started (ISO 8601). */
  readonly startedAt?: string;
  /** The tool and its version: `@ocpp/cli 0.1.0`. */
  readonly tool?: string;
  /** Every option of the run as it was in force (defaults included), secrets left out. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Below this many stations, memory is given for the fleet, not per station: fixed costs dominate. */
export const PER_STATION_FROM = 100;

/** The options of a run as one line: `--stations 20 --protocol mixed ...`. */
export function optionsLine(options: Readonly<Record<string, unknown>>): string {
  return Object.entries(options)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? `--${k}` : `--${k} ${String(v)}`))
    .join(' ');
}

/** The report of a run: the request, the figures, and the verdict. */
export interface RunReport {
  readonly run: RunDescription;
  readonly result: FleetSnapshot;
  /** True when every station connected and every expected session completed. */
  readonly ok: boolean;
  /** Why the run is not ok (empty when it is). */
  readonly problems: readonly string[];
  /** What the simulator itself used (memory is sampled after a GC when node runs with --expose-gc). */
  readonly resources?: ResourceUse;
}

/** Memory and CPU of the simulating process. */
export interface ResourceUse {
  /** Before any station existed. */
  readonly baseline: { readonly rssBytes: number; readonly heapUsedBytes: number };
  /** About two seconds after every station was connected (absent if that never happened). */
  readonly allConnected?: { readonly rssBytes: number; readonly heapUsedBytes: number };
  /** (allConnected − baseline) / stations. */
  readonly perStation?: { readonly rssBytes: number; readonly heapUsedBytes: number };
  readonly cpuSeconds: { readonly user: number; readonly system: number };
}

/**
 * Memory per station is a difference of two readings after a GC: with few stations, what the GC
 * gave back can outweigh them and make it negative, which says nothing about the stations.
 */
/**
 * The CALLERRORs of a run as rows of code, the action they answered and count, most frequent
 * first (a report without the split by action gives the codes alone).
 */
export function callErrorRows(r: FleetSnapshot): string[][] {
  const byAction = r.callErrorsByAction as FleetSnapshot['callErrorsByAction'] | undefined;
  if (byAction === undefined)
    return Object.entries(r.callErrors).map(([code, n]) => [code, '', int(n)]);
  return Object.entries(byAction)
    .flatMap(([action, byCode]) => Object.entries(byCode).map(([code, n]) => ({ action, code, n })))
    .sort((a, b) => b.n - a.n || a.code.localeCompare(b.code) || a.action.localeCompare(b.action))
    .map(({ action, code, n }) => [code, action, int(n)]);
}

/**
 * The run split by version, as table rows with a header: stations, sessions, calls and latency
 * of each version's stations (a report without the split gives the header alone).
 */
export function versionRows(r: FleetSnapshot): string[][] {
  const head = [
    'version',
    'stations',
    'connected',
    'failed',
    'sessions',
    'completed',
    'failed',
    'kWh',
    'calls',
    'CALLERRORs',
    'p95',
  ];
  const byVersion = (r.byVersion as FleetSnapshot['byVersion'] | undefined) ?? {};
  return [
    head,
    ...Object.entries(byVersion).map(([version, v]) => [
      version,
      int(v.stations.requested),
      int(v.stations.connected),
      int(v.stations.failed),
      int(v.sessions.started),
      int(v.sessions.completed),
      int(v.sessions.failed),
      (v.sessions.energyWh / 1000).toFixed(1),
      int(v.calls.sent),
      int(v.calls.callErrors),
      v.calls.latencyMs.count === 0 ? '-' : ms(v.calls.latencyMs.p95),
    ]),
  ];
}

function perStation(n: number): string {
  return n > 0 ? bytes(n) : 'below measurement noise';
}

/** The end-of-run summary as plain-text tables. */
export function formatSummary(report: RunReport): string {
  const { run, result: r } = report;
  const out: string[] = [];
  out.push(
    `Summary: ${int(run.stations)} stations (${run.protocol}), scenario ${run.scenario}, ${r.elapsedSeconds.toFixed(1)} s against ${run.url}`,
  );
  if (run.startedAt !== undefined || run.tool !== undefined)
    out.push(`  started ${run.startedAt ?? '?'} by ${run.tool ?? 'ocpp simulate'}`);
  if (run.options !== undefined) out.push(`  options: ${optionsLine(run.options)}`);
  out.push('');
  const protocols = Object.entries(r.stations.byProtocol)
    .map(([p, n]) => `${p} ${int(n)}`)
    .join(', ');
  out.push(
    table([
      ['figure', 'count'],
      ['stations connected', int(r.stations.connected)],
      ['stations failed', int(r.stations.failed)],
      // Shown when it happened, so that a clean run's summary stays as short as it was.
      ...(r.stations.disconnectedAtEnd > 0
        ? [['stations disconnected at the end', int(r.stations.disconnectedAtEnd)]]
        : []),
      ...((r.stations.gaveUp ?? 0) > 0
        ? [['stations that gave up reconnecting', int(r.stations.gaveUp)]]
        : []),
      ['sessions started', int(r.sessions.started)],
      ['sessions completed', int(r.sessions.completed)],
      ...(r.sessions.cutShort > 0
        ? [['sessions cut short by the end of the run', int(r.sessions.cutShort)]]
        : []),
      ['sessions failed', int(r.sessions.failed)],
      ...(r.sessions.stopsUndelivered > 0
        ? [['transaction stops not delivered', int(r.sessions.stopsUndelivered)]]
        : []),
      ['energy delivered (kWh)', (r.sessions.energyWh / 1000).toFixed(1)],
      [
        'calls/s (mean, peak)',
        `${r.callsPerSecond.mean.toFixed(1)}, ${int(r.callsPerSecond.peak)}`,
      ],
    ]),
  );
  const versions = versionRows(r);
  if (versions.length > 2) out.push('', table(versions));
  else if (protocols !== '') out.push(`  by version: ${protocols}`);
  if (r.stations.allConnectedAfterSeconds !== undefined) {
    out.push(
      `  all ${int(r.stations.requested)} connected after ${r.stations.allConnectedAfterSeconds.toFixed(1)} s`,
    );
  }
  const resources = report.resources;
  if (resources?.perStation !== undefined) {
    const p = resources.perStation;
    const cpu = `CPU ${resources.cpuSeconds.user.toFixed(1)} s user, ${resources.cpuSeconds.system.toFixed(1)} s system`;
    if (run.stations >= PER_STATION_FROM || resources.allConnected === undefined)
      out.push(
        `  simulator memory per station: ${perStation(p.heapUsedBytes)} heap, ${perStation(p.rssBytes)} RSS; ${cpu}`,
      );
    else {
      const grown = (now: number, before: number) => perStation(now - before);
      const { allConnected: all, baseline: base } = resources;
      out.push(
        `  simulator memory for the ${int(run.stations)} stations: ${grown(all.heapUsedBytes, base.heapUsedBytes)} heap, ${grown(all.rssBytes, base.rssBytes)} RSS (per station from ${PER_STATION_FROM} stations); ${cpu}`,
      );
    }
  }
  const failures = Object.entries(r.stations.failures);
  if (failures.length > 0) {
    out.push(
      '',
      table([['connection failures', 'count'], ...failures.map(([k, n]) => [k, int(n)])]),
    );
  }
  const actions = new Set([
    ...Object.keys(r.messages.sent),
    ...Object.keys(r.messages.received),
    ...Object.keys(r.latencyMs),
  ]);
  if (actions.size > 0) {
    const rows: string[][] = [['action', 'sent', 'received', 'p50', 'p95', 'p99']];
    for (const action of [...actions].sort()) {
      const l = r.latencyMs[action];
      rows.push([
        action,
        int(r.messages.sent[action] ?? 0),
        int(r.messages.received[action] ?? 0),
        l === undefined || r.messages.sent[action] === undefined ? '-' : ms(l.p50),
        l === undefined || r.messages.sent[action] === undefined ? '-' : ms(l.p95),
        l === undefined || r.messages.sent[action] === undefined ? '-' : ms(l.p99),
      ]);
    }
    rows.push(['total', int(r.messages.totalSent), int(r.messages.totalReceived), '', '', '']);
    out.push('', table(rows));
    out.push(
      '  sent: CALLs from the stations (latency until the answer); received: CALLs from the CSMS',
    );
  }
  const errors = callErrorRows(r);
  out.push(
    '',
    errors.length === 0
      ? '  CALLERRORs received: none'
      : table([['CALLERROR code', 'answer to', 'count'], ...errors]),
  );
  const callFailures = Object.entries(r.callFailures);
  if (callFailures.length > 0) {
    out.push(
      '',
      table([['calls without an answer', 'count'], ...callFailures.map(([k, n]) => [k, int(n)])]),
    );
  }
  out.push('');
  if (report.ok) out.push('Result: OK');
  else out.push(`Result: FAILED — ${report.problems.join('; ')}`);
  return `${out.join('\n')}\n`;
}
