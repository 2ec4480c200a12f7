import { describe, expect, it } from 'vitest';
import { FleetMetrics } from '../src/metrics/fleet-metrics.js';
import { formatSummary, type RunReport } from '../src/output/summary.js';

function report(perStation: { rssBytes: number; heapUsedBytes: number }): RunReport {
  const metrics = new FleetMetrics(2);
  metrics.stationConnected(0, 'ocpp1.6');
  metrics.stationConnected(1, 'ocpp2.1');
  return {
    run: { url: 'ws://127.0.0.1:9000', protocol: 'mixed', scenario: 'boot-only', stations: 2 },
    result: metrics.snapshot(),
    ok: true,
    problems: [],
    resources: {
      baseline: { rssBytes: 50e6, heapUsedBytes: 10e6 },
      perStation,
      cpuSeconds: { user: 0.2, system: 0.1 },
    },
  };
}

describe('formatSummary', () => {
  it('prints memory per station', () => {
    const text = formatSummary(report({ rssBytes: 44_000, heapUsedBytes: 9_900 }));
    expect(text).toContain('simulator memory per station: 9.7 KiB heap, 43.0 KiB RSS');
  });

  it('never prints a negative memory per station (a GC gave back more than the stations use)', () => {
    const text = formatSummary(report({ rssBytes: -12_288, heapUsedBytes: -408_840 }));
    expect(text).toContain(
      'simulator memory per station: below measurement noise heap, below measurement noise RSS',
    );
    expect(text).not.toMatch(/-\d/);
  });
});
