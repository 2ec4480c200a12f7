import { Histogram } from './histogram.js';

/** One point of the time line: what happened in one second of the run. */
export interface TimelinePoint {
  /** Seconds since the start of the run. */
  readonly t: number;
  /** Calls answered (CALLRESULT or CALLERROR) in this second, in both directions. */
  readonly calls: number;
  /** Stations connected at the end of this second. */
  readonly connected: number;
}

/** Latency figures of one action, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Everything measured in a run, as plain data (what `--json` prints). */
export interface FleetSnapshot {
  readonly elapsedSeconds: number;
  readonly stations: {
    readonly requested: number;
    /** Stations whose WebSocket and BootNotification succeeded at least once. */
    readonly connected: number;
    /** Stations connected right now. */
    readonly connectedNow: number;
    /** Stations that never got connected and booted. */
    readonly failed: number;
    /** Stations that lost their connection and are trying to get it back, right now. */
    readonly reconnecting: number;
    /**
     * Stations that lost their connection and stopped trying to get it back
     * (`--reconnect-attempts`); counted in {@link disconnectedAtEnd} too.
     */
    readonly gaveUp: number;
    /** Stations that had lost their connection and were still without one when the run ended. */
    readonly disconnectedAtEnd: number;
    /** The identities of {@link disconnectedAtEnd}, the first 100. */
    readonly disconnectedAtEndIdentities: readonly string[];
    readonly byProtocol: Record<string, number>;
    /** Why connections failed, with how often. */
    readonly failures: Record<string, number>;
    /** Seconds from the start until every station was connected at once (undefined: never). */
    readonly allConnectedAfterSeconds?: number;
  };
  readonly sessions: {
    readonly started: number;
    /** Sessions that ran their course and whose stop the CSMS answered. */
    readonly completed: number;
    /**
     * Sessions the end of the run stopped early (`--duration`, an interrupt): their stop was
     * delivered, but they did not run their course. Not counted as completed.
     */
    readonly cutShort: number;
    readonly failed: number;
    /**
     * Sessions whose end (1.6 StopTransaction, 2.x TransactionEvent Ended) the CSMS never
     * answered: still owed when the run ended with the station offline, unanswered on every
     * attempt, or never sent because the session failed. Their transactions stay open there.
     */
    readonly stopsUndelivered: number;
    /**
     * Sessions that ended while the CSMS could not take their stop: the station's outbox keeps it
     * and delivers it on the next connection (then the session counts as completed).
     */
    readonly stopsKept: number;
    /** Sessions started by the CSMS (remote start). */
    readonly remote: number;
    readonly energyWh: number;
  };
  readonly messages: {
    /** CALLs the stations sent, per action. */
    readonly sent: Record<string, number>;
    /** CALLs the stations received from the CSMS, per action. */
    readonly received: Record<string, number>;
    readonly totalSent: number;
    readonly totalReceived: number;
  };
  /** The run split by the version the stations spoke (`ocpp1.6`, ...), each version seen. */
  readonly byVersion: Record<string, VersionSnapshot>;
  /** CALLERRORs the stations received in answer to their calls, per code. */
  readonly callErrors: Record<string, number>;
  /** The same CALLERRORs per action of the call they answered, then per code. */
  readonly callErrorsByAction: Record<string, Record<string, number>>;
  /** Calls that failed without a CALLERROR (timeout, connection lost, ...), per reason. */
  readonly callFailures: Record<string, number>;
  readonly latencyMs: Record<string, LatencySummary>;
  readonly callsPerSecond: { readonly mean: number; readonly peak: number };
  readonly timeline: readonly TimelinePoint[];
}

/** One version's share of a run (see {@link FleetSnapshot.byVersion}). */
export interface VersionSnapshot {
  readonly stations: {
    readonly requested: number;
    readonly connected: number;
    readonly failed: number;
  };
  readonly sessions: {
    readonly started: number;
    readonly completed: number;
    readonly cutShort: number;
    readonly failed: number;
    readonly stopsUndelivered: number;
    readonly energyWh: number;
  };
  readonly calls: {
    /** CALLs the stations of this version sent. */
    readonly sent: number;
    readonly callErrors: number;
    /** Calls without an answer (timeouts, lost connections). */
    readonly failed: number;
    /** Latency of every action together. */
    readonly latencyMs: LatencySummary;
  };
}

/**
 * What the stations of one version did: the fleet's session counters are the sums of these, so a
 * station counts its sessions here and nowhere else.
 */
export class VersionTally {
  stationsRequested = 0;
  sessionsStarted = 0;
  sessionsCompleted = 0;
  sessionsCutShort = 0;
  sessionsFailed = 0;
  /** See {@link FleetSnapshot} `sessions.stopsUndelivered`. */
  stopsUndelivered = 0;
  /** See {@link FleetSnapshot} `sessions.stopsKept`. */
  stopsKept = 0;
  remoteStarts = 0;
  energyWh = 0;
  callsSent = 0;
  callErrors = 0;
  callsFailed = 0;
  readonly latency = new Histogram();
}

type TallyField = Exclude<keyof VersionTally, 'latency'>;

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function sorted(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

function summarise(h: Histogram): LatencySummary {
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    count: h.count,
    p50: round(h.percentile(50)),
    p95: round(h.percentile(95)),
    p99: round(h.percentile(99)),
    max: round(h.max),
    mean: round(h.mean),
  };
}

/**
 * Counters of a simulated fleet: connections, sessions, calls per action, CALLERRORs per code,
 * latency histograms per action and a per-second time line. Recording is O(1) and allocates
 * nothing on the hot path; {@link snapshot} turns it into plain data.
 */
export class FleetMetrics {
  readonly startedAt: number;
  private readonly sent = new Map<string, number>();
  private readonly received = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly errorsByAction = new Map<string, Map<string, number>>();
  private readonly callFailures = new Map<string, number>();
  private readonly connectFailures = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly protocols = new Map<string, number>();
  private readonly tallies = new Map<string, VersionTally>();
  private readonly everConnected = new Set<number>();
  /** Stations that never connected, with their version. */
  private readonly failedStations = new Map<number, string | undefined>();
  private readonly lostStations = new Set<number>();
  private readonly gaveUpStations = new Set<number>();
  private endedDisconnected: readonly string[] = [];
  private endedDisconnectedCount = 0;
  private readonly points: TimelinePoint[] = [];
  private callsThisSecond = 0;
  private totalSent = 0;
  private totalReceived = 0;
  private lastTick: number;
  /** Stations connected right now. */
  connectedNow = 0;
  /** When every requested station was first connected at the same time. */
  allConnectedAt: number | undefined;

  /** The counters of the stations speaking `protocol`. */
  tally(protocol: string): VersionTally {
    let t = this.tallies.get(protocol);
    if (t === undefined) {
      t = new VersionTally();
      this.tallies.set(protocol, t);
    }
    return t;
  }

  private sum(field: TallyField): number {
    let n = 0;
    for (const t of this.tallies.values()) n += t[field];
    return n;
  }

  get sessionsStarted(): number {
    return this.sum('sessionsStarted');
  }
  get sessionsCompleted(): number {
    return this.sum('sessionsCompleted');
  }
  get sessionsCutShort(): number {
    return this.sum('sessionsCutShort');
  }
  get sessionsFailed(): number {
    return this.sum('sessionsFailed');
  }
  /** See {@link FleetSnapshot} `sessions.stopsUndelivered`. */
  get stopsUndelivered(): number {
    return this.sum('stopsUndelivered');
  }
  /** See {@link FleetSnapshot} `sessions.stopsKept`. */
  get stopsKept(): number {
    return this.sum('stopsKept');
  }
  get remoteStarts(): number {
    return this.sum('remoteStarts');
  }
  get energyWh(): number {
    return this.sum('energyWh');
  }

  constructor(
    /** Stations the run was asked for. */
    readonly requested: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.lastTick = this.startedAt;
  }

  /** A station connected and booted (`index` identifies it across reconnects). */
  stationConnected(index: number, protocol: string): void {
    this.connectedNow++;
    this.lostStations.delete(index);
    if (this.connectedNow === this.requested && this.allConnectedAt === undefined) {
      this.allConnectedAt = this.now();
    }
    if (!this.everConnected.has(index)) {
      this.everConnected.add(index);
      this.failedStations.delete(index);
      increment(this.protocols, protocol);
    }
  }

  /** A connected station lost its connection. */
  stationDisconnected(): void {
    if (this.connectedNow > 0) this.connectedNow--;
  }

  /** A station lost its connection (the simulator did not close it) and is reconnecting. */
  stationLost(index: number): void {
    this.lostStations.add(index);
  }

  /** A station that had lost its connection stopped trying to get it back. */
  stationGaveUp(index: number): void {
    this.lostStations.delete(index);
    this.gaveUpStations.add(index);
  }

  /** Stations that lost their connection and are still trying to get it back. */
  get reconnectingCount(): number {
    return this.lostStations.size;
  }

  /** The run ended with these stations still reconnecting. */
  endedWithDisconnected(identities: readonly string[]): void {
    this.endedDisconnectedCount = identities.length;
    this.endedDisconnected = identities.slice(0, 100);
  }

  /** A station's connection attempt failed, for `reason` (one short line). */
  connectFailed(index: number, reason: string, protocol?: string): void {
    increment(this.connectFailures, reason);
    if (!this.everConnected.has(index)) this.failedStations.set(index, protocol);
  }

  /** A station sent a CALL. */
  callSent(action: string, protocol?: string): void {
    increment(this.sent, action);
    this.totalSent++;
    if (protocol !== undefined) this.tally(protocol).callsSent++;
  }

  /** A station's CALL got its CALLRESULT after `ms`. */
  callAnswered(action: string, ms: number, protocol?: string): void {
    if (protocol !== undefined) this.tally(protocol).latency.record(ms);
    let h = this.latency.get(action);
    if (h === undefined) {
      h = new Histogram();
      this.latency.set(action, h);
    }
    h.record(ms);
    this.callsThisSecond++;
  }

  /** A station's CALL got a CALLERROR with `code` after `ms`. */
  callError(action: string, code: string, ms: number, protocol?: string): void {
    increment(this.errors, code);
    if (protocol !== undefined) this.tally(protocol).callErrors++;
    let byCode = this.errorsByAction.get(action);
    if (byCode === undefined) {
      byCode = new Map();
      this.errorsByAction.set(action, byCode);
    }
    increment(byCode, code);
    this.callAnswered(action, ms, protocol);
  }

  /** A station's CALL failed without an answer (`TIMEOUT`, `CONNECTION_CLOSED`, ...). */
  callFailed(reason: string, protocol?: string): void {
    increment(this.callFailures, reason);
    if (protocol !== undefined) this.tally(protocol).callsFailed++;
  }

  /** A station received a CALL from the CSMS (and answered it). */
  callReceived(action: string): void {
    increment(this.received, action);
    this.totalReceived++;
    this.callsThisSecond++;
  }

  /**
   * Closes the seconds that have passed since the last tick into time-line points; call it about
   * once a second (the progress timer does).
   */
  tick(): void {
    const now = this.now();
    while (now - this.lastTick >= 1000) {
      this.lastTick += 1000;
      this.points.push({
        t: Math.round((this.lastTick - this.startedAt) / 1000),
        calls: this.callsThisSecond,
        connected: this.connectedNow,
      });
      this.callsThisSecond = 0;
    }
  }

  /** Calls per second over the last `seconds` whole seconds (0 before the first second). */
  recentRate(seconds = 3): number {
    const last = this.points.slice(-seconds);
    if (last.length === 0) return 0;
    return last.reduce((sum, p) => sum + p.calls, 0) / last.length;
  }

  /** Latency of every action together. */
  overallLatency(): Histogram {
    const all = new Histogram();
    for (const h of this.latency.values()) all.merge(h);
    return all;
  }

  /** Stations that never connected so far. */
  get failedCount(): number {
    return this.failedStations.size;
  }

  /** Stations that connected at least once. */
  get connectedCount(): number {
    return this.everConnected.size;
  }

  private versionSnapshots(): Record<string, VersionSnapshot> {
    const connected = new Map<string, number>(this.protocols);
    const failed = new Map<string, number>();
    for (const protocol of this.failedStations.values()) {
      if (protocol !== undefined) increment(failed, protocol);
    }
    return Object.fromEntries(
      [...this.tallies]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([protocol, t]) => [
          protocol,
          {
            stations: {
              requested: t.stationsRequested,
              connected: connected.get(protocol) ?? 0,
              failed: failed.get(protocol) ?? 0,
            },
            sessions: {
              started: t.sessionsStarted,
              completed: t.sessionsCompleted,
              cutShort: t.sessionsCutShort,
              failed: t.sessionsFailed,
              stopsUndelivered: t.stopsUndelivered,
              energyWh: Math.round(t.energyWh),
            },
            calls: {
              sent: t.callsSent,
              callErrors: t.callErrors,
              failed: t.callsFailed,
              latencyMs: summarise(t.latency),
            },
          },
        ]),
    );
  }

  /** Plain data for the summary, `--json` and the HTML report. */
  snapshot(): FleetSnapshot {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const latencyMs: Record<string, LatencySummary> = {};
    for (const [action, h] of [...this.latency].sort((a, b) => a[0].localeCompare(b[0]))) {
      latencyMs[action] = summarise(h);
    }
    let answered = 0;
    for (const h of this.latency.values()) answered += h.count;
    answered += this.totalReceived;
    // The second still running counts too: a run shorter than a second has no point yet.
    const peak = this.points.reduce((m, p) => Math.max(m, p.calls), this.callsThisSecond);
    return {
      elapsedSeconds: Math.round(elapsed * 100) / 100,
      stations: {
        requested: this.requested,
        connected: this.everConnected.size,
        connectedNow: this.connectedNow,
        failed: this.failedStations.size,
        reconnecting: this.lostStations.size,
        gaveUp: this.gaveUpStations.size,
        disconnectedAtEnd: this.endedDisconnectedCount,
        disconnectedAtEndIdentities: [...this.endedDisconnected],
        byProtocol: sorted(this.protocols),
        failures: sorted(this.connectFailures),
        ...(this.allConnectedAt === undefined
          ? {}
          : {
              allConnectedAfterSeconds:
                Math.round((this.allConnectedAt - this.startedAt) / 10) / 100,
            }),
      },
      sessions: {
        started: this.sessionsStarted,
        completed: this.sessionsCompleted,
        cutShort: this.sessionsCutShort,
        failed: this.sessionsFailed,
        stopsUndelivered: this.stopsUndelivered,
        stopsKept: this.stopsKept,
        remote: this.remoteStarts,
        energyWh: Math.round(this.energyWh),
      },
      messages: {
        sent: sorted(this.sent),
        received: sorted(this.received),
        totalSent: this.totalSent,
        totalReceived: this.totalReceived,
      },
      byVersion: this.versionSnapshots(),
      callErrors: sorted(this.errors),
      callErrorsByAction: Object.fromEntries(
        [...this.errorsByAction]
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([action, byCode]) => [action, sorted(byCode)]),
      ),
      callFailures: sorted(this.callFailures),
      latencyMs,
      callsPerSecond: {
        mean: elapsed > 0 ? Math.round((answered / elapsed) * 10) / 10 : 0,
        peak,
      },
      timeline: [...this.points],
    };
  }

  /** The latency histogram of every action together, as chart bars. */
  latencyBars(maxBars = 40): [number, number, number][] {
    return this.overallLatency().bars(maxBars);
  }
}
