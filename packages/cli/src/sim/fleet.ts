import type { ProtocolVersion, StationHandlers } from '@ocpp/generic-api';
import { FleetMetrics } from '../metrics/fleet-metrics.js';
import { isFatalConnectError } from './connect-errors.js';
import { type FleetContext, type FleetSettings, fleetHandlers, SimStation } from './station.js';

/** Options of {@link runFleet}. */
export interface FleetOptions extends FleetSettings {
  readonly stations: number;
  /** The version of station `index` (`mixed` cycles through the three). */
  readonly protocolOf: (index: number) => ProtocolVersion;
  readonly identityOf: (index: number) => string;
  /** New connections per second; 0 = all at once. */
  readonly rampPerSecond: number;
  /** Ends the run after this many seconds, whatever is left. */
  readonly durationSeconds: number | undefined;
  /** Resolves when the user asks to stop. */
  readonly interrupted: Promise<unknown>;
  /** Called once the metrics exist (the progress display starts here). */
  readonly onStart?: (metrics: FleetMetrics) => void;
}

/** How a run ended. */
export interface FleetOutcome {
  readonly metrics: FleetMetrics;
  /**
   * `done` (every station finished its work), `duration`, `interrupted`, or `unreachable`: the
   * first station could not connect for a reason every station would share ({@link fatal}).
   */
  readonly endedBy: 'done' | 'duration' | 'interrupted' | 'unreachable';
  /** With `unreachable`: `cannot connect <identity> to <url>: <reason>`. */
  readonly fatal?: string;
}

/**
 * Runs a fleet of simulated stations: connects them at the ramp rate, lets each do its scenario,
 * and ends when every station is done, the duration is over, or the user interrupts; then stops
 * every session and closes every connection. A station that loses its connection reconnects
 * until it is back or has made its reconnect attempts. Ends at once, as `unreachable`, when the
 * very first station cannot connect for a reason every station would share (refused, 401,
 * subprotocol, TLS).
 */
export async function runFleet(options: FleetOptions): Promise<FleetOutcome> {
  const metrics = new FleetMetrics(options.stations);
  const stations: SimStation[] = [];
  const byIdentity = new Map<string, SimStation>();
  let remaining = options.stations;
  let allDone!: () => void;
  const doneAll = new Promise<'done'>((resolve) => {
    allDone = () => resolve('done');
  });
  let stopping = false;
  const handlers: StationHandlers = fleetHandlers((id) => byIdentity.get(id), metrics);
  let firstFailure: ((reason: string) => void) | undefined;
  const context: FleetContext = {
    settings: options,
    metrics,
    handlers,
    get stopping() {
      return stopping;
    },
    stationDone() {
      remaining--;
      if (remaining === 0) allDone();
    },
    connectFailed(_station, reason) {
      firstFailure?.(reason);
    },
  };
  for (let i = 0; i < options.stations; i++) {
    const s = new SimStation(i, options.identityOf(i), options.protocolOf(i), context);
    stations.push(s);
    byIdentity.set(s.identity, s);
  }
  options.onStart?.(metrics);

  // The duration counts from the start: a first station that keeps retrying cannot outlast it.
  const timers: ReturnType<typeof setTimeout>[] = [];
  const duration =
    options.durationSeconds === undefined
      ? new Promise<never>(() => {})
      : new Promise<'duration'>((resolve) => {
          timers.push(setTimeout(() => resolve('duration'), options.durationSeconds! * 1000));
        });

  // The first station alone: a wrong URL, password, version or certificate fails fast.
  const first = stations[0]!;
  const firstError = await new Promise<string | undefined>((resolve) => {
    firstFailure = (reason) => {
      if (isFatalConnectError(reason)) resolve(reason);
    };
    first.connect().then(resolve, (e: unknown) => resolve(String(e)));
    options.interrupted.then(() => resolve('interrupted'));
    duration.then(() => resolve('duration'));
  });
  firstFailure = undefined;
  if (firstError === 'interrupted' || firstError === 'duration') {
    for (const t of timers) clearTimeout(t);
    metrics.endedWithDisconnected(first.isLost ? [first.identity] : []);
    stopping = true;
    first.requestStop();
    await first.shutdown();
    metrics.tick();
    return { metrics, endedBy: firstError };
  }
  if (
    firstError !== undefined &&
    isFatalConnectError(firstError) &&
    !first.isConnected &&
    metrics.connectedCount === 0
  ) {
    for (const t of timers) clearTimeout(t);
    stopping = true;
    await first.shutdown();
    metrics.tick();
    return {
      metrics,
      endedBy: 'unreachable',
      fatal: `cannot connect ${first.identity} to ${options.url}: ${firstError}`,
    };
  }

  const started = Date.now();
  let ramping = true;
  const ramp = (async () => {
    for (let i = 1; i < stations.length && !stopping; i++) {
      if (options.rampPerSecond > 0) {
        const due = started + (i * 1000) / options.rampPerSecond;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else if (i % 500 === 0) {
        await new Promise((r) => setImmediate(r));
      }
      if (stopping) break;
      void stations[i]!.connect();
    }
    ramping = false;
  })();

  const endedBy = await Promise.race([
    doneAll,
    duration,
    options.interrupted.then(() => 'interrupted' as const),
  ]);
  for (const t of timers) clearTimeout(t);
  // Whoever is still reconnecting now did not get back in time: the summary names them.
  metrics.endedWithDisconnected(stations.filter((s) => s.isLost).map((s) => s.identity));
  stopping = true;
  await ramp;
  void ramping;
  for (const s of stations) s.requestStop();
  // Close in batches so thousands of close handshakes do not all start in one tick.
  for (let i = 0; i < stations.length; i += 500) {
    await Promise.all(stations.slice(i, i + 500).map((s) => s.shutdown()));
  }
  // Stops the outboxes took over and could not deliver before the end: still open at the CSMS.
  for (const s of stations) {
    const t = metrics.tally(s.protocol);
    t.stopsUndelivered += s.stopsKept;
    t.sessionsFailed += s.stopsKept;
    t.stopsKept -= s.stopsKept;
  }
  metrics.tick();
  return { metrics, endedBy };
}
