import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startTestCsms } from './helpers/cli.js';

interface Report {
  ok: boolean;
  problems: string[];
  result: {
    stations: { connected: number; failed: number; byProtocol: Record<string, number> };
    sessions: { started: number; completed: number; failed: number; energyWh: number };
    messages: { sent: Record<string, number>; received: Record<string, number> };
    callErrors: Record<string, number>;
    latencyMs: Record<string, { count: number; p50: number; p95: number; p99: number }>;
    timeline: { t: number; calls: number; connected: number }[];
  };
}

interface Transaction {
  identity: string;
  protocol: string;
  active: boolean;
  energyWh: number;
  meterValueCount: number;
  socPercent?: number;
  powerW?: number;
}

describe('ocpp simulate against ocpp csms', () => {
  it('300 stations of every version complete their sessions, and the CSMS records them', async () => {
    const csms = await startTestCsms(['--quiet', '--heartbeat-interval', '1']);
    const started = Date.now();
    const r = await runCli(
      [
        'simulate',
        '--url',
        csms.url,
        '--stations',
        '300',
        '--protocol',
        'mixed',
        '--session-duration',
        '1',
        '--meter-interval',
        '0.25',
        '--ramp',
        '0',
        '--json',
      ],
      { timeoutMs: 60_000 },
    );
    const elapsed = Date.now() - started;
    // With --json the progress lines go to stderr; nothing else may.
    for (const line of r.stderr.split('\n').filter((l) => l !== '')) {
      expect(line).toMatch(/^\[\d\d:\d\d\] stations /);
    }
    const report = JSON.parse(r.stdout) as Report;
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(r.code).toBe(0);
    const s = report.result;
    expect(s.stations).toMatchObject({
      connected: 300,
      failed: 0,
      byProtocol: { 'ocpp1.6': 100, 'ocpp2.0.1': 100, 'ocpp2.1': 100 },
    });
    expect(s.sessions).toMatchObject({ started: 300, completed: 300, failed: 0 });
    expect(s.sessions.energyWh).toBeGreaterThan(0);
    // Each version's transaction messages, by their wire names.
    expect(s.messages.sent.StartTransaction).toBe(100);
    expect(s.messages.sent.StopTransaction).toBe(100);
    expect(s.messages.sent.TransactionEvent).toBeGreaterThanOrEqual(400);
    expect(s.messages.sent.MeterValues).toBeGreaterThan(100);
    expect(s.messages.sent.BootNotification).toBe(300);
    expect(s.callErrors).toEqual({});
    expect(s.latencyMs.Authorize?.count).toBe(300);
    expect(s.latencyMs.Authorize!.p50).toBeLessThanOrEqual(s.latencyMs.Authorize!.p99);
    expect(elapsed).toBeLessThan(30_000);

    // The CSMS's side of the same sessions: 100 ended transactions per version, with energy.
    const { body: txs } = (await csms.api('/api/transactions')) as { body: Transaction[] };
    expect(txs).toHaveLength(300);
    for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']) {
      const mine = txs.filter((t) => t.protocol === version);
      expect(mine).toHaveLength(100);
      expect(mine.every((t) => !t.active && t.energyWh > 0 && t.meterValueCount >= 1)).toBe(true);
    }
    expect(txs.some((t) => t.socPercent !== undefined && t.socPercent > 0)).toBe(true);
    const { body: stations } = await csms.api('/api/stations');
    expect(stations).toHaveLength(300);
  }, 90_000);

  it('idle stations heartbeat at the CSMS interval; text summary and a self-contained HTML report', async () => {
    const csms = await startTestCsms(['--quiet', '--heartbeat-interval', '1']);
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-report-'));
    const file = join(dir, 'run.html');
    const r = await runCli(
      [
        'simulate',
        '--url',
        csms.url,
        '--stations',
        '6',
        '--scenario',
        'idle',
        '--duration',
        '3.5',
        '--report',
        file,
      ],
      { timeoutMs: 30_000 },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Summary: 6 stations (mixed), scenario idle');
    expect(r.stdout).toMatch(/stations connected\s+6/);
    expect(r.stdout).toMatch(/Heartbeat\s+(1[2-9]|2[0-4])\s+0/); // every second for about 3 s
    expect(r.stdout).toContain('Result: OK');
    expect(r.stdout).toContain(`HTML report: ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<figcaption>Calls per second</figcaption>');
    expect(html).toContain('<figcaption>Connected stations</figcaption>');
    expect(html).toMatch(/<figcaption>Latency[^<]*<\/figcaption><svg/);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toMatch(/<rect [^>]*class="bar"/);
    // Nothing to fetch: no external scripts, styles, images or fonts.
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|@import|url\(/i);
  }, 40_000);
});
