import type { CommandSpec, ParsedArgs } from '../cli/args.js';
import { parseArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { type RunningCsms, startCsms } from '../csms/server.js';
import { int } from '../output/format.js';
import { FrameValidator } from '../validate/verdict.js';
import { publish, simulate, simulateSpec } from './simulate.js';

export const demoSpec = {
  name: 'demo',
  summary: 'a CSMS and a mixed fleet charging over real WebSockets, checked end to end',
  description:
    'Starts `ocpp csms` on a free loopback port and a fleet of simulated stations speaking OCPP ' +
    '1.6, 2.0.1 and 2.1 that boot, report their connectors and run real charging sessions ' +
    '(authorize, start, meter values, stop) over real WebSockets. While it runs, the CSMS ' +
    'remote-starts a session on one station of each version, and every frame on the wire is ' +
    'checked against the schemas of its version. Prints progress and the summary, then verifies ' +
    'both ends: every session completed on the stations and was recorded as completed by the ' +
    'CSMS, and no frame was invalid. Exits 1 otherwise. Needs nothing outside this machine.',
  options: {
    stations: {
      type: 'number',
      integer: true,
      min: 3,
      max: 3000,
      default: 30,
      placeholder: 'N',
      description: 'stations, a third per version',
    },
    sessions: {
      type: 'number',
      integer: true,
      min: 1,
      max: 20,
      default: 2,
      placeholder: 'N',
      description: 'charging sessions per station',
    },
    'session-duration': {
      type: 'number',
      min: 0.1,
      default: 2,
      placeholder: 'SECONDS',
      description: 'length of each charging session',
    },
    'meter-interval': {
      type: 'number',
      min: 0.05,
      default: 0.5,
      placeholder: 'SECONDS',
      description: 'seconds between meter values',
    },
    json: { type: 'boolean', description: 'print the summary as JSON' },
    report: { type: 'string', placeholder: 'FILE.html', description: 'also write the HTML report' },
  },
  examples: ['ocpp demo', 'ocpp demo --stations 300 --report demo.html'],
} as const satisfies CommandSpec;

type DemoArgs = ParsedArgs<typeof demoSpec.options>;

/** Asks the CSMS to remote-start a session on the first connected station of each version. */
async function remoteStarts(csms: RunningCsms, stop: Promise<unknown>): Promise<string[]> {
  const accepted: string[] = [];
  const wanted = new Set(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']);
  const deadline = Date.now() + 10_000;
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  while (wanted.size > 0 && !stopped && Date.now() < deadline) {
    for (const handle of csms.csms.stations()) {
      if (!wanted.has(handle.version)) continue;
      const record = csms.store.station(handle.identity);
      // Wait until the station has reported an idle connector.
      if (record?.connectors.some((c) => c.status === 'Available') !== true) continue;
      wanted.delete(handle.version);
      try {
        const r = await handle.remoteStart({
          idToken: { idToken: 'DEMO-REMOTE', type: 'Central' },
        });
        if (r.status === 'Accepted') accepted.push(`${handle.identity} (${handle.version})`);
        else wanted.add(handle.version);
      } catch {
        wanted.add(handle.version);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return accepted;
}

/** `ocpp demo`. */
export async function runDemo(args: DemoArgs, io: Io): Promise<number> {
  const o = args.options;
  const started = Date.now();
  const validator = new FrameValidator();
  let frames = 0;
  const invalid: string[] = [];
  const csms = await startCsms({
    host: '127.0.0.1',
    port: 0,
    protocols: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'],
    heartbeatIntervalSeconds: 2,
    callTimeoutMs: 10_000,
    // A demo keeps nothing: no database file is left behind.
    db: ':memory:',
    logger: {
      debug() {},
      info() {},
      warn() {},
      error: (m) => io.stderr.write(`csms error: ${m}\n`),
    },
    log: {
      connected() {},
      disconnected() {},
      refused() {},
      frame(identity, protocol, from, text) {
        frames++;
        const v = validator.judge(text, protocol as 'ocpp1.6', { from, identity });
        if (!v.valid && invalid.length < 5) {
          invalid.push(
            `${identity} ${from}→: ${v.code ?? ''} ${v.path ?? ''} ${v.reason}: ${text.slice(0, 160)}`,
          );
        }
      },
    },
  });
  try {
    if (!o.json) {
      io.stdout.write(
        `ocpp demo: a CSMS on ${csms.url} and ${o.stations} simulated stations (a third each on OCPP 1.6, 2.0.1, 2.1), ` +
          `${o.sessions} charging session${o.sessions === 1 ? '' : 's'} each, over real WebSockets\n` +
          `           web page while it runs: ${csms.pageUrl}\n`,
      );
    }
    let finish!: () => void;
    const finished = new Promise<void>((r) => {
      finish = r;
    });
    const remote = remoteStarts(csms, finished);
    const simArgs = parseArgs(simulateSpec, [
      '--url',
      csms.url,
      '--stations',
      String(o.stations),
      '--protocol',
      'mixed',
      '--identity-prefix',
      'DEMO-',
      '--sessions',
      String(o.sessions),
      '--session-duration',
      String(o['session-duration']),
      '--meter-interval',
      String(o['meter-interval']),
      '--ramp',
      '200',
      '--call-timeout',
      '10',
      '--progress-interval',
      '2',
      ...(o.json ? ['--json'] : []),
    ]);
    let run: Awaited<ReturnType<typeof simulate>>;
    try {
      run = await simulate(simArgs, io);
    } finally {
      finish();
    }
    const remoteAccepted = await remote;
    // Both ends must agree: every transaction the CSMS saw has ended, none is still open.
    const txs = csms.store.transactions();
    const ended = txs.filter((t) => !t.active).length;
    const open = txs.length - ended;
    const r = run.report.result;
    const problems = [...run.report.problems];
    if (r.sessions.completed !== txs.length) {
      problems.push(
        `stations completed ${r.sessions.completed} sessions, the CSMS recorded ${txs.length}`,
      );
    }
    if (open > 0) problems.push(`${open} transaction(s) still open at the CSMS`);
    if (remoteAccepted.length < 3)
      problems.push(`${remoteAccepted.length} of 3 remote starts accepted`);
    if (invalid.length > 0) problems.push(`invalid frames on the wire: ${invalid.join(' | ')}`);
    const withEnergy = txs.filter((t) => t.energyWh > 0).length;
    const report = { ...run.report, ok: problems.length === 0, problems };
    await publish({ report, latencyBars: run.latencyBars }, { json: o.json, report: o.report }, io);
    if (!o.json) {
      io.stdout.write(
        `CSMS side: ${int(txs.length)} transactions recorded, ${int(ended)} ended, ${int(open)} open, ` +
          `${int(withEnergy)} with energy delivered; remote starts accepted by ${remoteAccepted.join(', ') || 'none'}\n` +
          `Wire: ${int(frames)} frames, each checked against its version's schema: ${invalid.length === 0 ? 'all valid' : 'INVALID frames found'}\n` +
          `Demo ${report.ok ? 'OK' : 'FAILED'}: ${int(r.sessions.completed)} of ${int(r.sessions.started)} sessions completed on ${int(r.stations.connected)} stations in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    }
    return report.ok ? 0 : 1;
  } finally {
    await csms.close();
  }
}
