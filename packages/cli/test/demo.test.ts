import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

describe('ocpp demo', () => {
  it('runs a CSMS and a mixed fleet to completion in under 30 s and says so', async () => {
    const started = Date.now();
    const r = await runCli(['demo'], { timeoutMs: 60_000 });
    const elapsed = Date.now() - started;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/a CSMS on ws:\/\/127\.0\.0\.1:\d+ and 30 simulated stations/);
    // One row per version: 10 stations requested, 10 connected, none failed.
    for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']) {
      expect(r.stdout).toMatch(new RegExp(`\\n {2}${version.replace(/\./g, '\\.')} +10 +10 +0 `));
    }
    expect(r.stdout).toContain('Result: OK');
    expect(r.stdout).toMatch(
      /remote starts accepted by DEMO-\d+ \(ocpp1\.6\), DEMO-\d+ \(ocpp2\.0\.1\), DEMO-\d+ \(ocpp2\.1\)/,
    );
    expect(r.stdout).toMatch(
      /Wire: [\d,]+ frames, each checked against its version's schema: all valid/,
    );
    const done = r.stdout.match(/Demo OK: (\d+) of (\d+) sessions completed on 30 stations/);
    expect(done).not.toBeNull();
    expect(Number(done![1])).toBe(Number(done![2]));
    expect(Number(done![1])).toBeGreaterThanOrEqual(60);
    expect(elapsed).toBeLessThan(30_000);
  }, 70_000);

  it('prints the summary as JSON with --json', async () => {
    const r = await runCli(['demo', '--stations', '6', '--sessions', '1', '--json'], {
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      result: { sessions: { completed: number } };
    };
    expect(report.ok).toBe(true);
    expect(report.result.sessions.completed).toBeGreaterThanOrEqual(6);
  }, 70_000);
});
