import { describe, expect, it } from 'vitest';
import { FleetMetrics } from '../src/metrics/fleet-metrics.js';
import { Histogram } from '../src/metrics/histogram.js';

describe('Histogram', () => {
  it('gives percentiles within 2 % of the exact ones', () => {
    const h = new Histogram();
    const values: number[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const v = (i % 997) * 0.37 + (i % 13) * 5;
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [50, 95, 99]) {
      const exact = values[Math.ceil((p / 100) * values.length) - 1]!;
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.02);
    }
    expect(h.count).toBe(10_000);
    expect(h.max).toBe(values[values.length - 1]);
  });

  it('is empty-safe and merges', () => {
    const a = new Histogram();
    expect(a.percentile(99)).toBe(0);
    const b = new Histogram();
    b.record(5);
    b.record(500);
    a.record(1);
    a.merge(b);
    expect(a.count).toBe(3);
    expect(a.min).toBe(1);
    expect(a.max).toBe(500);
    expect(a.bars().reduce((n, [, , c]) => n + c, 0)).toBe(3);
  });
});

describe('FleetMetrics', () => {
  it('counts calls per action, errors per code and builds a per-second time line', () => {
    let now = 1_000_000;
    const m = new FleetMetrics(2, () => now);
    m.stationConnected(0, 'ocpp1.6');
    m.stationConnected(1, 'ocpp2.1');
    m.callSent('Heartbeat');
    m.callAnswered('Heartbeat', 3);
    m.callSent('Authorize');
    m.callError('Authorize', 'FormationViolation', 4);
    m.callReceived('Reset');
    now += 2500;
    m.tick();
    const s = m.snapshot();
    expect(s.messages.sent).toEqual({ Authorize: 1, Heartbeat: 1 });
    expect(s.messages.received).toEqual({ Reset: 1 });
    expect(s.callErrors).toEqual({ FormationViolation: 1 });
    expect(s.stations.byProtocol).toEqual({ 'ocpp1.6': 1, 'ocpp2.1': 1 });
    expect(s.timeline).toEqual([
      { t: 1, calls: 3, connected: 2 },
      { t: 2, calls: 0, connected: 2 },
    ]);
    expect(s.latencyMs.Heartbeat?.p50).toBeCloseTo(3, 0);
  });

  it('counts a station that never connected as failed, and not once it connects', () => {
    const m = new FleetMetrics(1);
    m.connectFailed(0, 'HTTP 401');
    expect(m.snapshot().stations.failed).toBe(1);
    m.stationConnected(0, 'ocpp2.0.1');
    expect(m.snapshot().stations.failed).toBe(0);
    expect(m.snapshot().stations.failures).toEqual({ 'HTTP 401': 1 });
  });
});
