import type { Io } from '../cli/io.js';
import type { FleetMetrics } from '../metrics/fleet-metrics.js';
import { clock, int, ms } from './format.js';

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Seconds between plain lines when stdout is not a terminal. @default 5 */
  readonly plainIntervalSeconds?: number;
  /** Sessions expected in total, for `12/300`; undefined prints the count alone. */
  readonly sessionsTarget?: number;
  /** Write nothing (for `--json` on a terminal that pipes, or `--quiet`). @default false */
  readonly silent?: boolean;
}

/**
 * One line describing the run so far; the final one counts the stations that ever connected
 * (by then they have all disconnected).
 */
export function progressLine(
  metrics: FleetMetrics,
  sessionsTarget?: number,
  final = false,
): string {
  const s = metrics.snapshot();
  const p95 = metrics.overallLatency().percentile(95);
  const sessions =
    sessionsTarget === undefined
      ? `${int(s.sessions.completed)}`
      : `${int(s.sessions.completed)}/${int(sessionsTarget)}`;
  const errors = Object.values(s.callErrors).reduce((a, b) => a + b, 0);
  const failures = Object.values(s.callFailures).reduce((a, b) => a + b, 0);
  const sx = s.sessions;
  const charging = sx.started - sx.completed - sx.failed - sx.stopsKept;
  return (
    `[${clock(s.elapsedSeconds)}] stations ${int(final ? s.stations.connected : s.stations.connectedNow)}/${int(s.stations.requested)} ${final ? 'were connected' : 'connected'}` +
    (s.stations.failed > 0 ? `, ${int(s.stations.failed)} failed` : '') +
    (!final && s.stations.reconnecting > 0
      ? `, ${int(s.stations.reconnecting)} reconnecting`
      : '') +
    ` | sessions ${sessions}` +
    (charging > 0 ? ` (${int(charging)} charging)` : '') +
    (s.sessions.stopsKept > 0 ? ` (${int(s.sessions.stopsKept)} stops kept)` : '') +
    ` | ${int(s.messages.totalSent + s.messages.totalReceived)} calls, ${int(metrics.recentRate())}/s` +
    ` | p95 ${ms(p95)}` +
    (errors + failures > 0 ? ` | ${int(errors)} CALLERROR, ${int(failures)} failed calls` : '')
  );
}

/**
 * The live progress display: on a terminal one line rewritten in place twice a second; otherwise a
 * plain line every few seconds (log files and CI stay readable). Also ticks the metrics' time line
 * once a second.
 */
export class Progress {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastPlain = 0;
  private drawn = false;
  private readonly tty: boolean;

  constructor(
    private readonly io: Io,
    private readonly metrics: FleetMetrics,
    private readonly options: ProgressOptions = {},
  ) {
    this.tty = io.stdout.isTTY === true;
  }

  /** Starts drawing. */
  start(): void {
    const every = this.tty ? 500 : 250;
    this.lastPlain = Date.now();
    this.timer = setInterval(() => this.update(), every);
    this.timer.unref?.();
  }

  private update(): void {
    this.metrics.tick();
    if (this.options.silent === true) return;
    const line = progressLine(this.metrics, this.options.sessionsTarget);
    if (this.tty) {
      const width = (this.io.stdout.columns ?? 120) - 1;
      this.io.stdout.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`);
      this.drawn = true;
      return;
    }
    const interval = (this.options.plainIntervalSeconds ?? 5) * 1000;
    if (Date.now() - this.lastPlain >= interval) {
      this.lastPlain = Date.now();
      this.io.stdout.write(`${line}\n`);
    }
  }

  /** Stops drawing and prints the final line (`final` false: just clears a terminal line). */
  stop(final = true): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.metrics.tick();
    if (this.options.silent === true) return;
    if (!final) {
      if (this.tty && this.drawn) this.io.stdout.write('\r\x1b[2K');
      return;
    }
    const line = progressLine(this.metrics, this.options.sessionsTarget, true);
    if (this.tty && this.drawn) this.io.stdout.write(`\r\x1b[2K${line}\n`);
    else this.io.stdout.write(`${line}\n`);
  }
}
