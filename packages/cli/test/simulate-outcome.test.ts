import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from './helpers/cli.js';
import { type StubBehaviour, type StubCsms, startStubCsms } from './helpers/stub-csms.js';

/**
 * `ocpp simulate` against a CSMS that is not the SDK's: whatever the CSMS answers, the run ends by
 * itself with a summary (or its JSON) and an exit code that tells the truth. The stub answers the
 * way a minimal central system does: boot accepted, `NotImplemented` for what it has no handler
 * for, a refused boot, a connection that goes away for good.
 */

interface Report {
  ok: boolean;
  problems: string[];
  result: {
    stations: {
      connected: number;
      failed: number;
      gaveUp: number;
      failures: Record<string, number>;
    };
    sessions: { started: number; completed: number; failed: number };
    messages: { sent: Record<string, number> };
    callErrorsByAction: Record<string, Record<string, number>>;
  };
}

const stubs: StubCsms[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function stub(behaviour: StubBehaviour): Promise<StubCsms> {
  const s = await startStubCsms(behaviour);
  stubs.push(s);
  return s;
}

/** Short sessions and fast retries, so that every path ends within a few seconds. */
const FAST = [
  '--session-duration',
  '1',
  '--meter-interval',
  '0.3',
  '--call-timeout',
  '5',
  '--message-attempts',
  '2',
  '--message-retry-interval',
  '0.1',
  '--retry-backoff-wait-minimum',
  '0.1',
  '--retry-backoff-random-range',
  '0.1',
  '--retry-backoff-repeat-times',
  '1',
  '--progress-interval',
  '60',
];

async function simulate(url: string, args: readonly string[]): Promise<CliResult> {
  return runCli(['simulate', '--url', url, ...FAST, ...args], { timeoutMs: 60_000 });
}

function json(r: CliResult): Report {
  expect(
    r.stdout.trimStart().startsWith('{'),
    `stdout is not JSON:\n${r.stdout}\n${r.stderr}`,
  ).toBe(true);
  return JSON.parse(r.stdout) as Report;
}

describe('ocpp simulate: a CSMS answers NotImplemented', () => {
  it('to StatusNotification, 1 station: the boot stands, the run ends, exit 1 with the CALLERROR named', async () => {
    const csms = await stub({ notImplemented: ['StatusNotification'] });
    const r = await simulate(csms.url, ['--stations', '1', '--scenario', 'boot-only']);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/stations connected\s+1\n/);
    expect(r.stdout).toMatch(/stations failed\s+0\n/);
    expect(r.stdout).not.toContain('boot failed');
    expect(r.stdout).toMatch(/NotImplemented\s+StatusNotification\s+1/);
    expect(r.stdout).toContain(
      'Result: FAILED — 1 CALLERROR(s) received (NotImplemented to StatusNotification ×1)',
    );
    // One boot: the CALLERROR did not make the station close and boot again.
    expect(csms.calls.get('BootNotification')).toBe(1);
  });

  it('to StatusNotification, 50 stations, --json: all 50 booted once, the JSON says why it failed', async () => {
    const csms = await stub({ notImplemented: ['StatusNotification'] });
    const r = await simulate(csms.url, [
      '--stations',
      '50',
      '--scenario',
      'boot-only',
      '--protocol',
      'ocpp2.0.1',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report.ok).toBe(false);
    expect(report.result.stations.connected).toBe(50);
    expect(report.result.stations.failed).toBe(0);
    expect(report.result.stations.failures).toEqual({});
    expect(report.result.callErrorsByAction).toEqual({
      StatusNotification: { NotImplemented: 50 },
    });
    expect(report.problems).toEqual([
      '50 CALLERROR(s) received (NotImplemented to StatusNotification ×50)',
    ]);
    expect(csms.calls.get('BootNotification')).toBe(50);
  });

  for (const n of [1, 50]) {
    it(`to Heartbeat, ${n} station(s): counted against Heartbeat, every station stays connected`, async () => {
      const csms = await stub({ notImplemented: ['Heartbeat'] });
      const r = await simulate(csms.url, [
        '--stations',
        String(n),
        '--scenario',
        'idle',
        '--duration',
        '1.5',
        '--heartbeat-interval',
        '0.2',
        '--json',
      ]);
      expect(r.code).toBe(1);
      const report = json(r);
      expect(report.result.stations.connected).toBe(n);
      expect(report.result.callErrorsByAction.Heartbeat?.NotImplemented).toBeGreaterThanOrEqual(
        2 * n,
      );
      expect(Object.keys(report.result.callErrorsByAction)).toEqual(['Heartbeat']);
      expect(csms.calls.get('BootNotification')).toBe(n);
    });

    it(`to MeterValues (1.6), ${n} station(s): every session still ends with its stop, exit 1`, async () => {
      const csms = await stub({ notImplemented: ['MeterValues'] });
      const r = await simulate(csms.url, [
        '--stations',
        String(n),
        '--scenario',
        'charge-session',
        '--protocol',
        'ocpp1.6',
        '--json',
      ]);
      expect(r.code).toBe(1);
      const report = json(r);
      expect(report.result.sessions.completed).toBe(n);
      expect(report.result.sessions.failed).toBe(0);
      expect(csms.calls.get('StopTransaction')).toBe(n);
      expect(report.result.callErrorsByAction.MeterValues?.NotImplemented).toBeGreaterThan(0);
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0]).toMatch(/CALLERROR\(s\) received \(NotImplemented to MeterValues/);
    });

    it(`to StartTransaction (1.6), ${n} station(s): the sessions fail, the run ends, exit 1`, async () => {
      const csms = await stub({ notImplemented: ['StartTransaction'] });
      const r = await simulate(csms.url, [
        '--stations',
        String(n),
        '--scenario',
        'charge-session',
        '--protocol',
        'ocpp1.6',
      ]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`sessions failed\\s+${n}\\n`));
      expect(r.stdout).toMatch(new RegExp(`NotImplemented\\s+StartTransaction\\s+${n}\\n`));
      expect(r.stdout).toContain(
        `Result: FAILED — 0 of ${n} sessions completed; ${n} session(s) failed`,
      );
    });

    it(`to TransactionEvent (2.0.1), ${n} station(s): resent as MessageAttempts says, the sessions fail`, async () => {
      const csms = await stub({ notImplemented: ['TransactionEvent'] });
      const r = await simulate(csms.url, [
        '--stations',
        String(n),
        '--scenario',
        'charge-session',
        '--protocol',
        'ocpp2.0.1',
        '--json',
      ]);
      expect(r.code).toBe(1);
      const report = json(r);
      expect(report.result.stations.connected).toBe(n);
      expect(report.result.sessions.completed).toBe(0);
      expect(report.result.sessions.failed).toBe(n);
      // Two attempts of each Started event (--message-attempts 2), then dropped and reported.
      expect(csms.calls.get('TransactionEvent')).toBe(2 * n);
      expect(report.ok).toBe(false);
    });
  }
});

describe('ocpp simulate: a refused boot', () => {
  for (const status of ['Rejected', 'Pending'] as const) {
    it(`answered ${status} on every try: the station gives up after --connect-attempts, exit 1`, async () => {
      const csms = await stub({ boot: status, interval: 1 });
      const r = await simulate(csms.url, ['--stations', '2', '--connect-attempts', '2']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/stations connected\s+0\n/);
      expect(r.stdout).toMatch(/stations failed\s+2\n/);
      expect(r.stdout).toMatch(new RegExp(`boot ${status}\\s+2\\n`));
      expect(r.stdout).toContain(`Result: FAILED — 2 station(s) never connected (boot ${status})`);
      // Each station asked twice, on its one connection.
      expect(csms.calls.get('BootNotification')).toBe(4);
      expect(csms.calls.get('StatusNotification')).toBeUndefined();
    });
  }
});

describe('ocpp simulate: a connection lost for good', () => {
  it('the station gives up after --reconnect-attempts and the run ends with exit 1', async () => {
    const csms = await stub({ dropAfterBootMs: 200 });
    const r = await simulate(csms.url, [
      '--stations',
      '2',
      '--scenario',
      'idle',
      '--reconnect-attempts',
      '3',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report.result.stations.connected).toBe(2);
    expect(report.result.stations.gaveUp).toBe(2);
    expect(report.result.stations.failures).toEqual({ 'HTTP 503 service unavailable': 6 });
    expect(report.problems[0]).toBe(
      '2 station(s) still disconnected at the end, given up after --reconnect-attempts (SIM-0001, SIM-0002)',
    );
  });
});

describe('ocpp simulate --json when the first station cannot connect', () => {
  it('prints its JSON on stdout, the reason on stderr, and exits 1', async () => {
    const port = await freePort();
    const r = await runCli(
      ['simulate', '--url', `ws://127.0.0.1:${port}`, '--stations', '3', '--json'],
      { timeoutMs: 30_000 },
    );
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      `cannot connect SIM-0001 to ws://127.0.0.1:${port}: connection refused`,
    ]);
    expect(report.result.stations.connected).toBe(0);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `ocpp simulate: cannot connect SIM-0001 to ws://127.0.0.1:${port}: connection refused`,
    );
  });
});

describe('ocpp simulate: one status notification per change', () => {
  for (const protocol of ['ocpp2.0.1', 'ocpp1.6'] as const) {
    it(`${protocol}: no status is reported twice in a row for one connector`, async () => {
      const csms = await stub({});
      const r = await simulate(csms.url, [
        '--stations',
        '3',
        '--scenario',
        'charge-session',
        '--protocol',
        protocol,
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      for (const [identity, list] of csms.statuses) {
        const shown = (list as Record<string, unknown>[]).map((p) =>
          protocol === 'ocpp1.6' ? p.status : p.connectorStatus,
        );
        expect(shown, identity).toEqual(
          protocol === 'ocpp1.6'
            ? ['Available', 'Preparing', 'Charging', 'Finishing', 'Available']
            : ['Available', 'Occupied', 'Available'],
        );
      }
      expect(csms.statuses.size).toBe(3);
    });
  }
});

/** A loopback port nothing listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
