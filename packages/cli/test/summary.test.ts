import { describe, expect, it } from 'vitest';
import { FleetMetrics } from '../src/metrics/fleet-metrics.js';
import { formatSummary, type RunReport } from '../src/output/summary.js';

function report(
  perStation: { rssBytes: number; heapUsedBytes: number },
  stations = 200,
): RunReport {
  const metrics = new FleetMetrics(2);
  metrics.stationConnected(0, 'ocpp1.6');
  metrics.stationConnected(1, 'ocpp2.1');
  const baseline = { rssBytes: 50e6, heapUsedBytes: 10e6 };
  return {
    run: {
      url: 'ws://127.0.0.1:9000',
      protocol: 'mixed',
      scenario: 'boot-only',
      stations,
      startedAt: '2026-12-07T10:00:00.000Z',
      tool: '@ocpp/cli 0.1.0',
      options: { stations, protocol: 'mixed', password: '(set)', quiet: false, json: true },
    },
    result: metrics.snapshot(),
    ok: true,
    problems: [],
    resources: {
      baseline,
      allConnected: {
        rssBytes: baseline.rssBytes + stations * perStation.rssBytes,
        heapUsedBytes: baseline.heapUsedBytes + stations * perStation.heapUsedBytes,
      },
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

  it('below 100 stations gives the memory of the fleet, not a per-station figure fixed costs skew', () => {
    const text = formatSummary(report({ rssBytes: 44_000, heapUsedBytes: 9_900 }, 20));
    expect(text).not.toContain('memory per station');
    expect(text).toContain(
      'simulator memory for the 20 stations: 193.4 KiB heap, 859.4 KiB RSS (per station from 100 stations)',
    );
  });

  it('describes the run: when, by what, with which options (secrets left out)', () => {
    const text = formatSummary(report({ rssBytes: 44_000, heapUsedBytes: 9_900 }));
    expect(text.split('\n').slice(0, 4)).toEqual([
      expect.stringMatching(/^Summary: 200 stations \(mixed\)/),
      '  started 2026-12-07T10:00:00.000Z by @ocpp/cli 0.1.0',
      '  options: --stations 200 --protocol mixed --password (set) --json',
      '',
    ]);
    expect(text).toMatch(/figure\s+count/);
  });

  it('never prints a negative memory per station (a GC gave back more than the stations use)', () => {
    const text = formatSummary(report({ rssBytes: -12_288, heapUsedBytes: -408_840 }));
    expect(text).toContain(
      'simulator memory per station: below measurement noise heap, below measurement noise RSS',
    );
    expect(text).not.toMatch(/(^|\s)-\d/);
  });
});
