/**
 * Multi-part reports (2.x): a station answers GetBaseReport, GetReport, GetMonitoringReport,
 * GetChargingProfiles, GetDisplayMessages and CustomerInformation with a series of messages
 * (`tbc: true` until the last; most numbered by `seqNo` from 0), and sends NotifyEvent the same
 * way. The CSMS answers each part at once and gathers them per station and request id; a complete
 * report goes, once, to the neutral handler (`onReport`, ...) and to the operation that asked for
 * it (`getBaseReport` resolves with it). A report that stops arriving is given up after a timeout
 * and reported, not held: the asking operation rejects with `TIMEOUT`, an unasked one is told to
 * the CSMS's `reportIncomplete` listeners. Gathering is bounded per report and per station.
 */
import { OcppSdkError } from '@ocpp/runtime';
import type * as V21 from '@ocpp/v21-core';

/** A monitor as reported: 2.0.1 monitors have no `eventNotificationType`. */
export type ReportedMonitor = Omit<V21.VariableMonitoringType, 'eventNotificationType'> & {
  readonly eventNotificationType?: V21.VariableMonitoringType['eventNotificationType'];
};

/** The monitors of one variable, as reported. */
export type ReportedMonitoringData = Omit<V21.MonitoringDataType, 'variableMonitoring'> & {
  readonly variableMonitoring: ReportedMonitor[];
};

/** A device model report (NotifyReport parts), assembled. */
export interface DeviceModelReport {
  readonly requestId: number;
  /** When the station generated the first part. */
  readonly generatedAt: string;
  /** The parts' `reportData`, in `seqNo` order. */
  readonly reportData: readonly V21.ReportDataType[];
}

/** A monitoring report (NotifyMonitoringReport parts), assembled. */
export interface MonitoringReport {
  readonly requestId: number;
  readonly generatedAt: string;
  readonly monitor: readonly ReportedMonitoringData[];
}

/** The charging profiles of one EVSE and limit source, as one ReportChargingProfiles gave them. */
export interface ChargingProfilesOfEvse {
  readonly evseId: number;
  readonly chargingLimitSource: string;
  readonly chargingProfile: readonly V21.ChargingProfileType[];
}

/** A charging profiles report (ReportChargingProfiles parts), assembled. */
export interface ChargingProfilesReport {
  readonly requestId: number;
  /** One entry per part, in arrival order. */
  readonly profiles: readonly ChargingProfilesOfEvse[];
}

/** A display messages report (NotifyDisplayMessages parts), assembled. */
export interface DisplayMessagesReport {
  readonly requestId: number;
  readonly messageInfo: readonly V21.MessageInfoType[];
}

/** Customer information (NotifyCustomerInformation parts), assembled. */
export interface CustomerInformationReport {
  readonly requestId: number;
  readonly generatedAt: string;
  /** The parts' `data`, joined in `seqNo` order. */
  readonly data: string;
}

/** Events (NotifyEvent parts), assembled. */
export interface EventReport {
  readonly generatedAt: string;
  /** The parts' `eventData`, in `seqNo` order. */
  readonly eventData: readonly V21.EventDataType[];
}

/** The answer to an operation that asks for a report, with the report once it is complete. */
export type WithReport<Response, Report> = Response & {
  /** The request id the report carries (allocated when the call left it out). */
  readonly requestId: number;
  /** The assembled report; absent when the station did not accept (no report follows). */
  readonly report?: Report;
};

/** The kinds of multi-part reports. */
export type ReportKind =
  | 'report'
  | 'monitoringReport'
  | 'chargingProfiles'
  | 'displayMessages'
  | 'customerInformation'
  | 'event';

/** A report given up: it stopped arriving, or it grew past the bounds. */
export interface IncompleteReport {
  readonly kind: ReportKind;
  /** Absent for NotifyEvent, which has none. */
  readonly requestId?: number;
  /** Parts received. */
  readonly parts: number;
  readonly reason: 'timeout' | 'too-large' | 'too-many' | 'disconnected';
}

/** Bounds of gathering. */
export interface ReportLimits {
  /** Milliseconds without a part (or, asked for, after the answer) before a report is given up. */
  readonly timeoutMs: number;
  /** Parts one report may have. */
  readonly maxParts: number;
  /** Reports one station may have in progress. */
  readonly maxOpen: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = {
  timeoutMs: 60_000,
  maxParts: 10_000,
  maxOpen: 32,
};

interface Waiter {
  resolve(report: unknown): void;
  reject(error: Error): void;
}

interface Gathering {
  readonly kind: ReportKind;
  readonly requestId: number | undefined;
  /** Parts by seqNo (numbered reports) or arrival index. */
  readonly parts: Map<number, unknown>;
  /** The seqNo of the last part (`tbc` false), once it came. */
  last: number | undefined;
  generatedAt: string;
  timer: ReturnType<typeof setTimeout> | undefined;
  waiter: Waiter | undefined;
}

/** The reports of one station in progress. */
export class ReportGatherer {
  private readonly open = new Map<string, Gathering>();

  constructor(
    private readonly limits: ReportLimits,
    private readonly onIncomplete: (report: IncompleteReport) => void,
  ) {}

  /** Reports in progress (for tests and diagnostics). */
  get size(): number {
    return this.open.size;
  }

  /**
   * Expects the report `requestId` of `kind`: the promise resolves with its parts once complete.
   * Call before the request is sent; `start` arms the timeout once the station accepted it, and
   * `cancel` forgets the wait (a refusal: no report follows).
   */
  expect(
    kind: ReportKind,
    requestId: number,
  ): { promise: Promise<Part[]>; start(): void; cancel(): void } {
    const key = keyOf(kind, requestId);
    let waiter: Waiter | undefined;
    const promise = new Promise<Part[]>((resolve, reject) => {
      waiter = { resolve: resolve as (r: unknown) => void, reject };
    });
    const g = this.gathering(kind, requestId, key);
    g.waiter = waiter;
    return {
      promise,
      start: () => {
        if (this.open.get(key) === g) this.arm(key, g);
      },
      cancel: () => {
        if (this.open.get(key) !== g) return;
        g.waiter = undefined;
        if (g.parts.size === 0) this.drop(key, g);
      },
    };
  }

  /**
   * Takes one part. Returns the parts of the report, in order, when this one completed it; else
   * undefined. `listened` says whether a handler wants unasked reports: if not, and nothing
   * waits for this one, it is not gathered.
   */
  part(
    kind: ReportKind,
    requestId: number | undefined,
    seqNo: number | undefined,
    tbc: boolean,
    part: Part,
    listened: boolean,
  ): Part[] | undefined {
    const key = keyOf(kind, requestId);
    let g = this.open.get(key);
    if (g === undefined) {
      if (!listened) return undefined;
      if (!tbc && (seqNo === undefined || seqNo === 0)) return [part];
      g = this.gathering(kind, requestId, key);
    }
    const index = seqNo ?? g.parts.size;
    if (!g.parts.has(index)) {
      if (g.parts.size >= this.limits.maxParts) {
        this.giveUp(key, g, 'too-large');
        return undefined;
      }
      g.parts.set(index, part);
    }
    if (g.parts.size === 1) g.generatedAt = part.generatedAt ?? '';
    if (!tbc) g.last = index;
    if (g.last !== undefined && g.parts.size === g.last + 1) {
      const parts = [...g.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p as Part);
      const waiter = g.waiter;
      this.drop(key, g);
      waiter?.resolve(parts);
      return parts;
    }
    this.arm(key, g);
    return undefined;
  }

  /** Gives up every report in progress: the station disconnected. */
  clear(): void {
    for (const [key, g] of [...this.open]) this.giveUp(key, g, 'disconnected');
  }

  private gathering(kind: ReportKind, requestId: number | undefined, key: string): Gathering {
    const old = this.open.get(key);
    if (old !== undefined) return old;
    if (this.open.size >= this.limits.maxOpen) {
      const [oldestKey, oldest] = this.open.entries().next().value as [string, Gathering];
      this.giveUp(oldestKey, oldest, 'too-many');
    }
    const g: Gathering = {
      kind,
      requestId,
      parts: new Map(),
      last: undefined,
      generatedAt: '',
      timer: undefined,
      waiter: undefined,
    };
    this.open.set(key, g);
    return g;
  }

  private arm(key: string, g: Gathering): void {
    clearTimeout(g.timer);
    g.timer = setTimeout(() => this.giveUp(key, g, 'timeout'), this.limits.timeoutMs);
    // Node's timers keep a process alive; a report waiting must not (other hosts have no unref).
    (g.timer as { unref?: () => void }).unref?.();
  }

  private drop(key: string, g: Gathering): void {
    clearTimeout(g.timer);
    if (this.open.get(key) === g) this.open.delete(key);
  }

  private giveUp(key: string, g: Gathering, reason: IncompleteReport['reason']): void {
    this.drop(key, g);
    const incomplete: IncompleteReport =
      g.requestId === undefined
        ? { kind: g.kind, parts: g.parts.size, reason }
        : { kind: g.kind, requestId: g.requestId, parts: g.parts.size, reason };
    if (g.waiter !== undefined) {
      const what = g.requestId === undefined ? g.kind : `${g.kind} ${g.requestId}`;
      const why =
        reason === 'timeout'
          ? `no part for ${this.limits.timeoutMs} ms`
          : reason === 'too-large'
            ? `more than ${this.limits.maxParts} parts`
            : reason === 'too-many'
              ? `more than ${this.limits.maxOpen} reports in progress`
              : 'the station disconnected';
      g.waiter.reject(
        new OcppSdkError(
          reason === 'disconnected' ? 'CONNECTION_CLOSED' : 'TIMEOUT',
          `${what} did not complete: ${g.parts.size} part(s) received, ${why}`,
          { cause: incomplete },
        ),
      );
    } else this.onIncomplete(incomplete);
  }
}

/** One part as gathered: its payload. */
export interface Part {
  readonly generatedAt?: string;
  readonly [field: string]: unknown;
}

function keyOf(kind: ReportKind, requestId: number | undefined): string {
  return requestId === undefined ? kind : `${kind}:${requestId}`;
}

// ---------------------------------------------------------------------------------------------
// Assembly of each kind
// ---------------------------------------------------------------------------------------------

const all = <T>(parts: readonly Part[], field: string): T[] =>
  parts.flatMap((p) => (p[field] as T[] | undefined) ?? []);

export function deviceModelReport(requestId: number, parts: readonly Part[]): DeviceModelReport {
  return {
    requestId,
    generatedAt: parts[0]?.generatedAt ?? '',
    reportData: all(parts, 'reportData'),
  };
}

export function monitoringReport(requestId: number, parts: readonly Part[]): MonitoringReport {
  return {
    requestId,
    generatedAt: parts[0]?.generatedAt ?? '',
    monitor: all(parts, 'monitor'),
  };
}

export function chargingProfilesReport(
  requestId: number,
  parts: readonly Part[],
): ChargingProfilesReport {
  return {
    requestId,
    profiles: parts.map((p) => ({
      evseId: p.evseId as number,
      chargingLimitSource: p.chargingLimitSource as string,
      chargingProfile: p.chargingProfile as V21.ChargingProfileType[],
    })),
  };
}

export function displayMessagesReport(
  requestId: number,
  parts: readonly Part[],
): DisplayMessagesReport {
  return { requestId, messageInfo: all(parts, 'messageInfo') };
}

export function customerInformationReport(
  requestId: number,
  parts: readonly Part[],
): CustomerInformationReport {
  return {
    requestId,
    generatedAt: parts[0]?.generatedAt ?? '',
    data: parts.map((p) => p.data as string).join(''),
  };
}

export function eventReport(parts: readonly Part[]): EventReport {
  return { generatedAt: parts[0]?.generatedAt ?? '', eventData: all(parts, 'eventData') };
}
