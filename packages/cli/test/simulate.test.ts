import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, runCli, startCli, startTestCsms } from './helpers/cli.js';

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
    byVersion: Record<
      string,
      {
        stations: { requested: number; connected: number; failed: number };
        sessions: { started: number; completed: number; failed: number; energyWh: number };
        calls: { sent: number; callErrors: number; failed: number; latencyMs: { count: number } };
      }
    >;
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

describe('ocpp simulate: sessions the end of the run stops', () => {
  it('are counted as cut short, not completed', async () => {
    const csms = await startTestCsms(['--quiet']);
    const args = [
      'simulate',
      '--url',
      csms.url,
      '--stations',
      '3',
      '--protocol',
      'mixed',
      '--session-duration',
      '600',
      '--meter-interval',
      '0.2',
      '--ramp',
      '0',
      '--duration',
      '2',
    ];
    const r = await runCli([...args, '--json'], { timeoutMs: 30_000 });
    const report = JSON.parse(r.stdout) as Report & {
      result: { sessions: { cutShort: number } };
    };
    expect(report.result.sessions).toMatchObject({ started: 3, completed: 0, cutShort: 3 });
    const text = await runCli(args, { timeoutMs: 30_000 });
    expect(text.stdout).toMatch(/sessions completed\s+0\n/);
    expect(text.stdout).toMatch(/sessions cut short by the end of the run\s+3\n/);
    await csms.stop();
  }, 60_000);
});

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
    // The same run split by version: each version's 100 stations and their sessions and calls.
    expect(Object.keys(s.byVersion)).toEqual(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']);
    let calls = 0;
    let energy = 0;
    for (const v of Object.values(s.byVersion)) {
      expect(v.stations).toEqual({ requested: 100, connected: 100, failed: 0 });
      expect(v.sessions).toMatchObject({ started: 100, completed: 100, failed: 0 });
      expect(v.sessions.energyWh).toBeGreaterThan(0);
      expect(v.calls.latencyMs.count).toBe(v.calls.sent);
      calls += v.calls.sent;
      energy += v.sessions.energyWh;
    }
    const sent = Object.values(s.messages.sent).reduce((a, b) => a + b, 0);
    expect(calls).toBe(sent);
    expect(Math.abs(energy - s.sessions.energyWh)).toBeLessThanOrEqual(3);
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
    // When, by what and how: the run's own description, above the figures.
    expect(r.stdout).toMatch(
      /\n {2}started \d{4}-\d\d-\d\dT[\d:.]+Z by @ocpp\/cli \d+\.\d+\.\d+\n/,
    );
    expect(r.stdout).toMatch(/\n {2}options: .*--stations 6 .*--scenario idle .*--duration 3\.5/);
    expect(r.stdout).toMatch(/stations connected\s+6/);
    // Mixed versions: one row each (version, stations, connected, failed, ...).
    for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']) {
      expect(r.stdout).toMatch(new RegExp(`\\n {2}${version.replace(/\./g, '\\.')} +2 +2 +0 +0 `));
    }
    expect(r.stdout).toMatch(/Heartbeat\s+(1[2-9]|2[0-4])\s+0/); // every second for about 3 s
    expect(r.stdout).toContain('Result: OK');
    expect(r.stdout).toContain(`HTML report: ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<td>started<\/td><td>\d{4}-\d\d-\d\dT/);
    expect(html).toMatch(/<td>tool<\/td><td>@ocpp\/cli \d/);
    expect(html).toContain('--stations 6');
    expect(html).toContain('<h2>By version</h2>');
    // Every header cell names its column.
    expect(html).not.toContain('<th></th>');
    expect(html).toContain('<figcaption>Calls per second</figcaption>');
    expect(html).toContain('<figcaption>Connected stations</figcaption>');
    expect(html).toMatch(/<figcaption>Latency[^<]*<\/figcaption><svg/);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toMatch(/<rect [^>]*class="bar"/);
    // Nothing to fetch: no external scripts, styles, images or fonts.
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|@import|url\(/i);
  }, 40_000);
});

/**
 * A TCP proxy between the fleet and the CSMS that the test can cut: every connection through it is
 * destroyed at once, both ways, as a network failure would.
 */
async function startCuttableProxy(target: string) {
  const { port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(targetPort), '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    cut(): number {
      const n = sockets.size / 2;
      for (const s of sockets) s.destroy();
      return n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('ocpp simulate when the connection drops', () => {
  it('sessions charge on offline and stop on the next connection: nothing stays open at the CSMS', async () => {
    const csms = await startTestCsms(['--quiet', '--heartbeat-interval', '30']);
    const proxy = await startCuttableProxy(csms.url);
    try {
      const fleet = startCli([
        'simulate',
        '--url',
        proxy.url,
        '--stations',
        '6',
        '--protocol',
        'mixed',
        '--sessions',
        '1',
        '--session-duration',
        '6',
        '--meter-interval',
        '0.25',
        // The first reconnect after 0.5–1.5 s instead of the default 3–13 s.
        '--retry-backoff-wait-minimum',
        '0.5',
        '--retry-backoff-random-range',
        '1',
        '--json',
      ]);
      await eventually('six running transactions', async () => {
        const { body } = (await csms.api('/api/transactions?active=true')) as {
          body: Transaction[];
        };
        return body.length === 6 && body.every((t) => t.meterValueCount >= 1) ? true : undefined;
      });
      expect(proxy.cut()).toBe(6);
      const code =
        fleet.child.exitCode ??
        (await Promise.race([
          once(fleet.child, 'exit').then(([c]) => c as number | null),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('simulate did not end within 30 s')), 30_000),
          ),
        ]));
      const report = JSON.parse(fleet.output().stdout) as Report;
      expect(report.result.sessions).toMatchObject({ started: 6, completed: 6, failed: 0 });
      expect(report.ok).toBe(true);
      expect(code).toBe(0);
      // Each station booted twice (the reconnect), and each transaction ended exactly once.
      expect(report.result.messages.sent.BootNotification).toBe(12);
      expect(report.result.messages.sent.StopTransaction).toBe(2);
      const { body: txs } = (await csms.api('/api/transactions')) as { body: Transaction[] };
      expect(txs).toHaveLength(6);
      expect(txs.filter((t) => t.active)).toEqual([]);
      expect(txs.every((t) => t.energyWh > 0)).toBe(true);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
