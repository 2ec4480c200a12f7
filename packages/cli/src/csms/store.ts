/** One connector (of one EVSE) as the CSMS last heard of it. */
export interface ConnectorState {
  /** The EVSE (1.6: the connector id, as 1.6 has no EVSEs; 0 = the whole station). */
  readonly evseId: number;
  readonly connectorId: number;
  /** The version-neutral status (`Available`, `Occupied`, `Unavailable`, `Faulted`, `Reserved`). */
  status: string;
  /** The 1.6 status as sent (`Preparing`, `Charging`, ...), when the station speaks 1.6. */
  status16?: string;
  /** The 1.6 error code, when not `NoError`. */
  errorCode?: string;
  updatedAt: string;
}

/** What the CSMS knows of one station. */
export interface StationRecord {
  readonly identity: string;
  protocol: string;
  connected: boolean;
  connectedAt: string;
  disconnectedAt?: string;
  remoteAddress?: string;
  boot?: {
    vendor: string;
    model: string;
    serialNumber?: string;
    firmwareVersion?: string;
    reason?: string;
    at: string;
  };
  lastHeartbeat?: string;
  /**
   * When the CSMS last heard from the station: its connection, or any frame it sent (not only
   * heartbeats). Written to the database with the station's other changes, not on every frame.
   */
  lastSeen?: string;
  connectors: ConnectorState[];
  frames: { in: number; out: number };
  /**
   * Open transactions of this station forgotten for want of room: it had more open at once than
   * {@link StoreLimits.maxOpenTransactionsPerStation} (the oldest go first), or the store was at
   * {@link StoreLimits.maxTransactions}.
   */
  droppedTransactions?: number;
  /** What the station reported of itself and the CSMS gave it beyond charging (2.x, security). */
  provisioning?: StationProvisioning;
}

/** The most device model values, events kept per station. */
export const PROVISIONING_LIMITS = { values: 500, events: 20 } as const;

/** A station's device model, certificate, events and display messages, as last heard. */
export interface StationProvisioning {
  /** The last complete device model report (2.x NotifyReport; 1.6: a GetConfiguration). */
  deviceModel?: {
    readonly requestId?: number;
    readonly at: string;
    /** Variables in the report. */
    readonly variables: number;
    /** `Component.Variable` (`[instance]`, `@evse` where given) → Actual value, at most 500. */
    readonly values: Readonly<Record<string, string>>;
  };
  /** The certificate the CSMS last signed for it. */
  certificate?: {
    readonly subject: string;
    readonly serialNumber: string;
    readonly validTo: string;
    readonly at: string;
  };
  /** Security events and NotifyEvent events, newest last, at most 20. */
  events?: { readonly at: string; readonly type: string; readonly detail?: string }[];
  /** The display messages it last reported. */
  displayMessages?: { readonly at: string; readonly ids: readonly number[] };
}

/** One meter reading of a transaction. */
export interface MeterReading {
  readonly time: string;
  readonly measurand: string;
  readonly value: number;
  readonly unit?: string;
  readonly phase?: string;
}

/** A transaction as the CSMS saw it. */
export interface TransactionRecord {
  /** The neutral id (1.6: the integer id as text). */
  readonly id: string;
  readonly identity: string;
  readonly protocol: string;
  evseId?: number;
  connectorId?: number;
  idToken?: string;
  readonly startedAt: string;
  stoppedAt?: string;
  stopReason?: string;
  active: boolean;
  /**
   * Whether the station is connected now: an active transaction of a station that is not is
   * one the CSMS has not heard the end of (the station went away with it open).
   */
  stationConnected: boolean;
  /** The energy register at the start, in Wh, when reported. */
  meterStartWh?: number;
  /** The latest energy register, in Wh. */
  meterWh?: number;
  /** Energy delivered so far, in Wh (latest register minus the start). */
  energyWh: number;
  powerW?: number;
  currentA?: number;
  voltageV?: number;
  socPercent?: number;
  /** How many meter value messages arrived. */
  meterValueCount: number;
  /** The latest readings (at most 20). */
  readings: MeterReading[];
}

/** A frame as the CSMS log shows it. */
export interface FrameEntry {
  readonly seq: number;
  readonly time: string;
  readonly identity: string;
  readonly protocol: string;
  /** `station` for frames the CSMS received, `csms` for frames it sent. */
  readonly from: 'station' | 'csms';
  /** The frame text; one over {@link StoreLimits.maxFrameBytes} is cut and ends with a marker. */
  readonly frame: string;
  /** The message type, when the frame starts as an OCPP-J message does. */
  readonly kind?: 'CALL' | 'CALLRESULT' | 'CALLERROR';
  /**
   * The action: a CALL's own, and for a CALLRESULT or CALLERROR that of the CALL it answers, when
   * the log saw that CALL go the other way.
   */
  readonly action?: string;
}

/** A station connecting or disconnecting, as the log shows it between the frames. */
export interface ConnectionEntry {
  /** In the same sequence as the frames' `seq`, so the two sort together. */
  readonly seq: number;
  readonly time: string;
  readonly identity: string;
  readonly protocol: string;
  readonly event: 'connected' | 'disconnected';
  /** Where it connected from (`connected`). */
  readonly remoteAddress?: string;
  /** The WebSocket close code and reason (`disconnected`), when known. */
  readonly code?: number;
  readonly reason?: string;
}

/** The connection entries kept (connects and disconnects together). */
export const MAX_CONNECTION_ENTRIES = 500;

/** What went through the CSMS since it started: frames and CALLs each way. */
export interface TrafficCounts {
  framesIn: number;
  framesOut: number;
  /** CALLs from the stations. */
  callsIn: number;
  /** CALLs from the CSMS. */
  callsOut: number;
}

/** Energy of the transactions kept: all of them, and the running ones. */
export interface EnergyTotals {
  readonly transactions: number;
  /** Energy delivered by every transaction kept, ended or running, in Wh. */
  readonly energyWh: number;
  readonly activeTransactions: number;
  /** Energy delivered so far by the running ones, in Wh. */
  readonly activeEnergyWh: number;
  /** The latest power of the running ones together, in W. */
  readonly powerW: number;
}

/** The calls a station has not had answered yet whose action the log remembers (per station). */
const MAX_PENDING_ACTIONS = 64;

/** The head of an OCPP-J message: its type, message id and, for a CALL, its action. */
const MESSAGE_HEAD =
  /^\s*\[\s*([234])\s*,\s*"((?:[^"\\]|\\.){0,128})"\s*(?:,\s*"([A-Za-z0-9_.-]{1,64})")?/;
const KINDS = { '2': 'CALL', '3': 'CALLRESULT', '4': 'CALLERROR' } as const;

/** What the store reports to its listeners (the web page's live feed). */
export type StoreEvent =
  | { readonly type: 'station'; readonly station: StationRecord }
  | { readonly type: 'transaction'; readonly transaction: TransactionRecord }
  | { readonly type: 'frame'; readonly frame: FrameEntry }
  | { readonly type: 'connection'; readonly entry: ConnectionEntry }
  /** A station was forgotten (with its transactions), or only one of its transactions. */
  | { readonly type: 'removed'; readonly identity: string; readonly transactionId?: string };

/**
 * What a store writes through to, so that a restarted CSMS finds it again (`ocpp csms --db`,
 * see `db.ts`). It is told of every change as it happens and decides when to write; the store's
 * own maps stay what every read is answered from.
 */
export interface StorePersistence {
  /** What was kept before, to start from. */
  load(): PersistedStore;
  /** A station was added or changed. */
  station(station: StationRecord): void;
  /** A station was forgotten, with every transaction of it. */
  stationForgotten(identity: string): void;
  /** A transaction was added or changed; `ended` when it has just ended (again, for a resend). */
  transaction(transaction: TransactionRecord, ended: boolean): void;
  /** A transaction was let go. */
  transactionDropped(identity: string, id: string): void;
  /**
   * Keeps the meter readings of one message of a transaction; returns how many of them it did
   * not have yet. A reading it has already (the same time, measurand, phase, unit and value) is
   * not kept twice: none new means the message was sent again (after a restart).
   */
  readings(identity: string, id: string, readings: readonly MeterReading[]): number;
  /** The store's counts of what it let go changed. */
  counters(counters: { forgottenStations: number; droppedTransactions: number }): void;
}

/** What a {@link StorePersistence} found, for a store to start from. */
export interface PersistedStore {
  /** Every station, none connected; the one that left first first. */
  readonly stations: readonly StationRecord[];
  /** Every transaction in the order they were first heard of, each with its latest readings. */
  readonly transactions: readonly TransactionRecord[];
  /** The ended ones among them, in the order they ended. */
  readonly ended: readonly TransactionRecord[];
  readonly forgottenStations: number;
  readonly droppedTransactions: number;
}

/**
 * How much the store keeps. Every bound has a default, so a CSMS facing stations that connect
 * with ever new identities, never end their transactions or send huge frames stays within a
 * known size; keeping history for good is a database's job.
 */
export interface StoreLimits {
  /**
   * Milliseconds a disconnected station is remembered (with its transactions) after it left.
   * @default 3600000 (1 hour)
   */
  readonly stationTtlMs?: number;
  /**
   * The most disconnected stations remembered; beyond it the one that left first is forgotten.
   * Connected stations are always kept.
   * @default 5000
   */
  readonly maxDisconnectedStations?: number;
  /**
   * The most open transactions kept per station; a new one beyond it drops the oldest open one
   * (counted in the station's `droppedTransactions`).
   * @default 32
   */
  readonly maxOpenTransactionsPerStation?: number;
  /**
   * The most finished transactions kept (of every station together); the oldest go first.
   * @default 5000
   */
  readonly maxFinishedTransactions?: number;
  /**
   * The most transactions kept in all, open or finished: beyond it the oldest finished one goes,
   * else the oldest open one of a disconnected station, else the oldest open one (counted in its
   * station's `droppedTransactions`). Stations that leave with transactions open, under ever new
   * identities, would otherwise hold up to `maxDisconnectedStations` × `maxOpenTransactionsPerStation`.
   * @default 20000
   */
  readonly maxTransactions?: number;
  /**
   * The most connectors (EVSE and connector id pairs) kept per station; status notifications
   * about further ones are ignored.
   * @default 64
   */
  readonly maxConnectorsPerStation?: number;
  /**
   * The most frames in the frame log.
   * @default 500
   */
  readonly maxFrames?: number;
  /**
   * The most bytes of frame text (UTF-8) in the frame log together; the oldest frames go first.
   * @default 4194304 (4 MiB)
   */
  readonly maxFrameLogBytes?: number;
  /**
   * The longest frame kept whole, in bytes (UTF-8); a longer one is kept cut, ending with
   * ` … [cut: N bytes in all]`.
   * @default 65536 (64 KiB)
   */
  readonly maxFrameBytes?: number;
  /**
   * With a database (`ocpp csms --db FILE`): the most meter readings it keeps, of every
   * transaction together; beyond it the oldest go first. (In memory a transaction keeps only its
   * latest 20, and they go with it.)
   * @default 1000000
   */
  readonly maxStoredReadings?: number;
}

/** The limits with every default filled in. */
export type ResolvedStoreLimits = { readonly [K in keyof StoreLimits]-?: number };

/** The defaults of {@link StoreLimits}. */
export const DEFAULT_STORE_LIMITS: ResolvedStoreLimits = {
  stationTtlMs: 60 * 60 * 1000,
  maxDisconnectedStations: 5000,
  maxOpenTransactionsPerStation: 32,
  maxFinishedTransactions: 5000,
  maxTransactions: 20_000,
  maxConnectorsPerStation: 64,
  maxFrames: 500,
  maxFrameLogBytes: 4 * 1024 * 1024,
  maxFrameBytes: 64 * 1024,
  maxStoredReadings: 1_000_000,
};

function resolveLimits(limits: StoreLimits): ResolvedStoreLimits {
  const out: Record<string, number> = { ...DEFAULT_STORE_LIMITS };
  for (const [key, value] of Object.entries(limits)) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`store limit ${key} must be a finite number ≥ 0`);
    }
    out[key] = value;
  }
  // A frame log that cannot hold one frame would hold none.
  out.maxFrames = Math.max(1, Math.floor(out.maxFrames!));
  return out as ResolvedStoreLimits;
}

/** The readings a transaction record carries (the latest). */
export const MAX_READINGS = 20;

/** The energy register and the other measurands a meter value may carry. */
const ENERGY = 'Energy.Active.Import.Register';

function toWh(value: number, unit: string | undefined): number {
  return unit === 'kWh' ? value * 1000 : value;
}

/** `text` whole when it fits in `max` UTF-8 bytes, else its start and a marker, within `max`. */
export function cutFrame(text: string, max: number): { text: string; bytes: number } {
  // A string of n UTF-16 units is n to 3n bytes: short ones need no count.
  if (text.length * 3 <= max) return { text, bytes: Buffer.byteLength(text) };
  const bytes = Buffer.byteLength(text);
  if (bytes <= max) return { text, bytes };
  const marker = ` … [cut: ${bytes} bytes in all]`;
  const room = Math.max(0, max - Buffer.byteLength(marker));
  let head = Buffer.from(text.slice(0, room)).subarray(0, room).toString('utf8');
  // The cut may split a character: drop the replacement character it leaves.
  if (head.endsWith('\uFFFD') && !text.slice(0, head.length).endsWith('\uFFFD'))
    head = head.slice(0, -1);
  const out = head + marker;
  return { text: out, bytes: Buffer.byteLength(out) };
}

/** The transactions of one station, by key, in the order they were first heard of. */
interface StationTransactions {
  readonly all: Set<string>;
  readonly open: Set<string>;
}

const key = (identity: string, id: string) => `${identity}\u0000${id}`;

const first = (set: Set<string>): string | undefined => set.values().next().value;

/**
 * Everything the `ocpp csms` keeps: stations, their connectors, transactions with meter
 * readings, and the last frames, each within {@link StoreLimits}: disconnected stations are
 * forgotten after a while and beyond a count (with their transactions), open transactions are
 * capped per station, finished ones and all of them overall, and the frame log by count and by
 * bytes. Reads are answered from memory; with a {@link StorePersistence} every change but the
 * frame log is written through to it too, and the store starts from what it kept.
 */
export class CsmsStore {
  readonly limits: ResolvedStoreLimits;
  private readonly stationMap = new Map<string, StationRecord>();
  private readonly transactionMap = new Map<string, TransactionRecord>();
  private readonly byStation = new Map<string, StationTransactions>();
  /** Disconnected stations → when they left (ms), the one that left first first. */
  private readonly gone = new Map<string, number>();
  /** Finished transactions by key, the oldest first. */
  private readonly finished = new Set<string>();
  /** Open transactions by key, the oldest first. */
  private readonly openOrder = new Set<string>();
  /** Open transactions of disconnected stations, in the order they were left open. */
  private readonly orphaned = new Set<string>();
  /** The frame log, a circular buffer of `limits.maxFrames` slots; `frameHead` is the oldest. */
  private readonly frameRing: (FrameEntry | undefined)[];
  private readonly frameBytes: number[];
  private frameHead = 0;
  private frameCount = 0;
  private frameTotalBytes = 0;
  /** Connects and disconnects, oldest first, at most {@link MAX_CONNECTION_ENTRIES}. */
  private connectionEntries: ConnectionEntry[] = [];
  /** Per station: `<from>:<message id>` of a CALL not answered yet → its action. */
  private readonly pendingActions = new Map<string, Map<string, string>>();
  private readonly trafficCounts: TrafficCounts = {
    framesIn: 0,
    framesOut: 0,
    callsIn: 0,
    callsOut: 0,
  };
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private frameSeq = 0;
  private forgottenStations = 0;
  private droppedTransactions = 0;

  /**
   * `now` gives the time in milliseconds (a test may pass a fake clock); `persistence`, when
   * given, is loaded from and then told of every change.
   */
  constructor(
    limits: StoreLimits = {},
    private readonly now: () => number = Date.now,
    private readonly persistence?: StorePersistence,
  ) {
    this.limits = resolveLimits(limits);
    this.frameRing = new Array(this.limits.maxFrames);
    this.frameBytes = new Array(this.limits.maxFrames).fill(0);
    if (persistence !== undefined) this.restore(persistence.load());
  }

  /**
   * Starts from what a previous run kept: every station disconnected (those that were connected
   * when it stopped left then, as far as this run knows), and the limits of this run applied.
   */
  private restore(kept: PersistedStore): void {
    const nowMs = this.now();
    for (const s of kept.stations) {
      s.connected = false;
      const left = s.disconnectedAt === undefined ? Number.NaN : Date.parse(s.disconnectedAt);
      if (Number.isNaN(left)) {
        s.disconnectedAt = new Date(nowMs).toISOString();
        this.persistence?.station(s);
      }
      this.stationMap.set(s.identity, s);
      this.gone.set(s.identity, Number.isNaN(left) ? nowMs : left);
    }
    for (const t of kept.transactions) {
      const k = key(t.identity, t.id);
      if (!this.stationMap.has(t.identity) || this.transactionMap.has(k)) {
        this.persistence?.transactionDropped(t.identity, t.id);
        continue;
      }
      t.stationConnected = false;
      this.transactionMap.set(k, t);
      let txs = this.byStation.get(t.identity);
      if (txs === undefined) {
        txs = { all: new Set(), open: new Set() };
        this.byStation.set(t.identity, txs);
      }
      txs.all.add(k);
      if (t.active) {
        txs.open.add(k);
        this.openOrder.add(k);
        this.orphaned.add(k);
      }
    }
    for (const t of kept.ended) {
      const k = key(t.identity, t.id);
      if (this.transactionMap.get(k) === t && !t.active) this.finished.add(k);
    }
    this.forgottenStations = kept.forgottenStations;
    this.droppedTransactions = kept.droppedTransactions;
    this.prune();
    this.trimTransactions();
  }

  /** Applies the transaction limits to what is kept (they may be lower than a previous run's). */
  private trimTransactions(): void {
    const { maxOpenTransactionsPerStation, maxFinishedTransactions, maxTransactions } = this.limits;
    for (const txs of this.byStation.values()) {
      while (txs.open.size > maxOpenTransactionsPerStation) this.dropOpen(first(txs.open)!);
    }
    while (this.finished.size > maxFinishedTransactions)
      this.dropTransaction(first(this.finished)!);
    while (this.transactionMap.size > maxTransactions) {
      const oldest = first(this.finished) ?? first(this.orphaned) ?? first(this.openOrder);
      if (oldest === undefined) break;
      if (this.finished.has(oldest)) this.dropTransaction(oldest);
      else this.dropOpen(oldest);
    }
  }

  /** Tells the persistence, if any, that the counts of what was let go changed. */
  private countersChanged(): void {
    this.persistence?.counters({
      forgottenStations: this.forgottenStations,
      droppedTransactions: this.droppedTransactions,
    });
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many listen (the live feeds). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private emit(event: StoreEvent): void {
    for (const l of this.listeners) l(event);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Forgets disconnected stations past their time and beyond the count. */
  private prune(): void {
    const now = this.now();
    const { stationTtlMs, maxDisconnectedStations } = this.limits;
    for (const [identity, at] of this.gone) {
      if (this.gone.size <= maxDisconnectedStations && now - at < stationTtlMs) break;
      this.forget(identity);
    }
  }

  private forget(identity: string): void {
    this.gone.delete(identity);
    this.pendingActions.delete(identity);
    if (!this.stationMap.delete(identity)) return;
    this.forgottenStations++;
    this.persistence?.stationForgotten(identity);
    this.countersChanged();
    const txs = this.byStation.get(identity);
    if (txs !== undefined) {
      for (const k of txs.all) {
        const t = this.transactionMap.get(k);
        if (t !== undefined) this.persistence?.transactionDropped(identity, t.id);
        this.transactionMap.delete(k);
        this.finished.delete(k);
        this.openOrder.delete(k);
        this.orphaned.delete(k);
      }
      this.byStation.delete(identity);
    }
    this.emit({ type: 'removed', identity });
  }

  private dropTransaction(k: string): void {
    const t = this.transactionMap.get(k);
    if (t === undefined) return;
    this.transactionMap.delete(k);
    this.finished.delete(k);
    this.openOrder.delete(k);
    this.orphaned.delete(k);
    const txs = this.byStation.get(t.identity);
    txs?.all.delete(k);
    txs?.open.delete(k);
    this.persistence?.transactionDropped(t.identity, t.id);
    this.emit({ type: 'removed', identity: t.identity, transactionId: t.id });
  }

  /** Drops an open transaction the limits have no room for, and counts it at its station. */
  private dropOpen(k: string): void {
    const t = this.transactionMap.get(k);
    if (t === undefined) return;
    this.dropTransaction(k);
    this.droppedTransactions++;
    this.countersChanged();
    const s = this.stationMap.get(t.identity);
    if (s === undefined) return;
    s.droppedTransactions = (s.droppedTransactions ?? 0) + 1;
    this.persistence?.station(s);
    this.emit({ type: 'station', station: s });
  }

  /** Every station known, connected or not, by identity. */
  stations(): StationRecord[] {
    this.prune();
    return [...this.stationMap.values()].sort((a, b) => a.identity.localeCompare(b.identity));
  }

  station(identity: string): StationRecord | undefined {
    this.prune();
    return this.stationMap.get(identity);
  }

  /** Transactions, newest first; `activeOnly` keeps the running ones. */
  transactions(filter: { identity?: string; activeOnly?: boolean } = {}): TransactionRecord[] {
    this.prune();
    const out: TransactionRecord[] = [];
    const keys =
      filter.identity === undefined
        ? this.transactionMap.keys()
        : (this.byStation.get(filter.identity)?.all ?? []);
    for (const k of keys) {
      const t = this.transactionMap.get(k);
      if (t === undefined) continue;
      if (filter.activeOnly === true && !t.active) continue;
      out.push(t);
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
  }

  transaction(identity: string, id: string): TransactionRecord | undefined {
    return this.transactionMap.get(key(identity, id));
  }

  /**
   * An open transaction of `identity` that started on the same EVSE, with the same id token, at
   * the same time and meter reading: what a 1.6 StartTransaction sent again looks like (1.6 has
   * no sequence numbers), such as one recorded before a restart whose answer never left.
   */
  openTransactionLike(
    identity: string,
    start: { evseId?: number; idToken?: string; time: string; meterStartWh?: number },
  ): TransactionRecord | undefined {
    for (const k of this.byStation.get(identity)?.open ?? []) {
      const t = this.transactionMap.get(k);
      if (
        t !== undefined &&
        t.startedAt === start.time &&
        t.evseId === start.evseId &&
        t.idToken === start.idToken &&
        t.meterStartWh === start.meterStartWh
      )
        return t;
    }
    return undefined;
  }

  /** The last frames, oldest first; at most `limit`, optionally of one station. */
  frames(limit = 100, identity?: string): FrameEntry[] {
    const out: FrameEntry[] = [];
    const size = this.frameRing.length;
    for (let i = this.frameCount - 1; i >= 0 && out.length < limit; i--) {
      const f = this.frameRing[(this.frameHead + i) % size]!;
      if (identity !== undefined && f.identity !== identity) continue;
      out.push(f);
    }
    return out.reverse();
  }

  /** The last connects and disconnects, oldest first; at most `limit`, optionally of one station. */
  connectionLog(limit = 100, identity?: string): ConnectionEntry[] {
    const out: ConnectionEntry[] = [];
    const all = this.connectionEntries;
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      if (identity !== undefined && all[i]!.identity !== identity) continue;
      out.push(all[i]!);
    }
    return out.reverse();
  }

  /** Frames and CALLs each way since the store was made (a copy). */
  traffic(): TrafficCounts {
    return { ...this.trafficCounts };
  }

  /** The energy of the transactions kept, and the power of the running ones. */
  energyTotals(): EnergyTotals {
    this.prune();
    let energyWh = 0;
    let activeTransactions = 0;
    let activeEnergyWh = 0;
    let powerW = 0;
    for (const t of this.transactionMap.values()) {
      energyWh += t.energyWh;
      if (!t.active) continue;
      activeTransactions++;
      activeEnergyWh += t.energyWh;
      powerW += t.powerW ?? 0;
    }
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      transactions: this.transactionMap.size,
      energyWh: round(energyWh),
      activeTransactions,
      activeEnergyWh: round(activeEnergyWh),
      powerW: round(powerW),
    };
  }

  private logConnection(entry: Omit<ConnectionEntry, 'seq' | 'time'>): void {
    const e: ConnectionEntry = { seq: ++this.frameSeq, time: this.iso(), ...entry };
    this.connectionEntries.push(e);
    if (this.connectionEntries.length > MAX_CONNECTION_ENTRIES)
      this.connectionEntries = this.connectionEntries.slice(-MAX_CONNECTION_ENTRIES);
    this.emit({ type: 'connection', entry: e });
  }

  /** The frame log's size: frames and bytes of frame text. */
  frameLogSize(): { frames: number; bytes: number } {
    return { frames: this.frameCount, bytes: this.frameTotalBytes };
  }

  /** Counts of stations and transactions, for the page header and the API index. */
  counts(): {
    stations: number;
    connected: number;
    transactions: number;
    active: number;
    forgottenStations: number;
    droppedTransactions: number;
  } {
    this.prune();
    let active = 0;
    for (const txs of this.byStation.values()) active += txs.open.size;
    return {
      stations: this.stationMap.size,
      connected: this.stationMap.size - this.gone.size,
      transactions: this.transactionMap.size,
      active,
      forgottenStations: this.forgottenStations,
      droppedTransactions: this.droppedTransactions,
    };
  }

  /** Tells the station's transactions whether it is connected, and the feed about open ones. */
  private linkTransactions(identity: string, connected: boolean): void {
    const txs = this.byStation.get(identity);
    if (txs === undefined) return;
    for (const k of txs.all) {
      const t = this.transactionMap.get(k);
      if (t !== undefined) t.stationConnected = connected;
    }
    for (const k of txs.open) {
      if (connected) this.orphaned.delete(k);
      else this.orphaned.add(k);
      const t = this.transactionMap.get(k);
      if (t !== undefined) this.emit({ type: 'transaction', transaction: t });
    }
  }

  connected(identity: string, protocol: string, remoteAddress?: string): void {
    const now = this.iso();
    let s = this.stationMap.get(identity);
    if (s === undefined) {
      s = {
        identity,
        protocol,
        connected: true,
        connectedAt: now,
        lastSeen: now,
        connectors: [],
        frames: { in: 0, out: 0 },
      };
      this.stationMap.set(identity, s);
    } else {
      s.protocol = protocol;
      s.connected = true;
      s.connectedAt = now;
      s.lastSeen = now;
      delete s.disconnectedAt;
    }
    this.gone.delete(identity);
    this.pendingActions.delete(identity);
    if (remoteAddress !== undefined) s.remoteAddress = remoteAddress;
    this.persistence?.station(s);
    this.emit({ type: 'station', station: s });
    this.logConnection({
      identity,
      protocol,
      event: 'connected',
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
    });
    this.linkTransactions(identity, true);
    this.prune();
  }

  /** The station's connection closed (`close`: the WebSocket close code and reason, if known). */
  disconnected(identity: string, close?: { readonly code: number; readonly reason: string }): void {
    const s = this.stationMap.get(identity);
    if (s === undefined) return;
    s.connected = false;
    s.disconnectedAt = this.iso();
    this.gone.delete(identity);
    this.gone.set(identity, this.now());
    this.pendingActions.delete(identity);
    this.persistence?.station(s);
    this.emit({ type: 'station', station: s });
    this.logConnection({
      identity,
      protocol: s.protocol,
      event: 'disconnected',
      ...(close === undefined ? {} : { code: close.code, reason: close.reason }),
    });
    this.linkTransactions(identity, false);
    this.prune();
  }

  booted(
    identity: string,
    boot: {
      vendor: string;
      model: string;
      serialNumber?: string;
      firmwareVersion?: string;
      reason?: string;
    },
  ): void {
    const s = this.stationMap.get(identity);
    if (s === undefined) return;
    s.boot = { ...boot, at: this.iso() };
    this.persistence?.station(s);
    this.emit({ type: 'station', station: s });
  }

  /** Changes what is kept of a station's provisioning (a report, a certificate, an event). */
  provisioned(identity: string, change: (p: StationProvisioning) => void): void {
    const s = this.stationMap.get(identity);
    if (s === undefined) return;
    s.provisioning ??= {};
    change(s.provisioning);
    const events = s.provisioning.events;
    if (events !== undefined && events.length > PROVISIONING_LIMITS.events)
      events.splice(0, events.length - PROVISIONING_LIMITS.events);
    this.persistence?.station(s);
    if (this.listeners.size > 0) this.emit({ type: 'station', station: s });
  }

  heartbeat(identity: string): void {
    const s = this.stationMap.get(identity);
    if (s === undefined) return;
    s.lastHeartbeat = this.iso();
    this.persistence?.station(s);
    if (this.listeners.size > 0) this.emit({ type: 'station', station: s });
  }

  status(
    identity: string,
    update: {
      evseId: number;
      connectorId: number;
      status: string;
      status16?: string;
      errorCode?: string;
    },
  ): void {
    const s = this.stationMap.get(identity);
    if (s === undefined) return;
    let c = s.connectors.find(
      (x) => x.evseId === update.evseId && x.connectorId === update.connectorId,
    );
    const now = this.iso();
    if (c === undefined) {
      if (s.connectors.length >= this.limits.maxConnectorsPerStation) return;
      c = {
        evseId: update.evseId,
        connectorId: update.connectorId,
        status: update.status,
        updatedAt: now,
      };
      s.connectors.push(c);
      s.connectors.sort((a, b) => a.evseId - b.evseId || a.connectorId - b.connectorId);
    }
    c.status = update.status;
    c.updatedAt = now;
    if (update.status16 === undefined) delete c.status16;
    else c.status16 = update.status16;
    if (update.errorCode === undefined || update.errorCode === 'NoError') delete c.errorCode;
    else c.errorCode = update.errorCode;
    this.persistence?.station(s);
    this.emit({ type: 'station', station: s });
  }

  /**
   * A transaction started (or was first heard of; `ending` when first heard of by its end, so it
   * does not count as open). Ignored (undefined) for a station the store does not know, such as
   * one forgotten while its last message was handled.
   */
  transactionStarted(
    identity: string,
    protocol: string,
    id: string,
    details: {
      evseId?: number;
      connectorId?: number;
      idToken?: string;
      meterStartWh?: number;
      time?: string;
      ending?: boolean;
    },
  ): TransactionRecord | undefined {
    const s = this.stationMap.get(identity);
    if (s === undefined) return undefined;
    const k = key(identity, id);
    let t = this.transactionMap.get(k);
    if (t === undefined) {
      t = {
        id,
        identity,
        protocol,
        startedAt: details.time ?? this.iso(),
        active: true,
        stationConnected: s.connected,
        energyWh: 0,
        meterValueCount: 0,
        readings: [],
      };
      this.transactionMap.set(k, t);
      let txs = this.byStation.get(identity);
      if (txs === undefined) {
        txs = { all: new Set(), open: new Set() };
        this.byStation.set(identity, txs);
      }
      txs.all.add(k);
      if (details.ending !== true) {
        txs.open.add(k);
        this.openOrder.add(k);
        if (!s.connected) this.orphaned.add(k);
      }
      if (txs.open.size > this.limits.maxOpenTransactionsPerStation) {
        this.dropOpen(txs.open.values().next().value as string);
      }
      while (this.transactionMap.size > this.limits.maxTransactions) {
        const oldest = first(this.finished) ?? first(this.orphaned) ?? first(this.openOrder);
        if (oldest === undefined || oldest === k) break;
        if (this.finished.has(oldest)) this.dropTransaction(oldest);
        else this.dropOpen(oldest);
      }
    }
    if (details.evseId !== undefined) t.evseId = details.evseId;
    if (details.connectorId !== undefined) t.connectorId = details.connectorId;
    if (details.idToken !== undefined) t.idToken = details.idToken;
    if (details.meterStartWh !== undefined) {
      t.meterStartWh = details.meterStartWh;
      t.meterWh ??= details.meterStartWh;
    }
    if (this.transactionMap.get(k) === t) this.persistence?.transaction(t, false);
    this.emit({ type: 'transaction', transaction: t });
    return t;
  }

  /**
   * Meter readings of a transaction (sampled values flattened). With a persistence, a message
   * whose readings it has every one of already (sent again after a restart) is left out.
   */
  meterValues(identity: string, id: string, readings: readonly MeterReading[]): void {
    const t = this.transactionMap.get(key(identity, id));
    if (t === undefined) return;
    const p = this.persistence;
    if (p !== undefined && readings.length > 0 && p.readings(identity, id, readings) === 0) return;
    t.meterValueCount++;
    // Only the last readings are kept here: a message with thousands adds only those.
    for (const r of readings.length > MAX_READINGS ? readings.slice(-MAX_READINGS) : readings) {
      switch (r.measurand) {
        case ENERGY: {
          const wh = toWh(r.value, r.unit);
          t.meterStartWh ??= wh;
          t.meterWh = wh;
          t.energyWh = Math.max(0, Math.round((wh - t.meterStartWh) * 10) / 10);
          break;
        }
        case 'Power.Active.Import':
          t.powerW = r.unit === 'kW' ? r.value * 1000 : r.value;
          break;
        case 'Current.Import':
          t.currentA = r.value;
          break;
        case 'Voltage':
          t.voltageV = r.value;
          break;
        case 'SoC':
          t.socPercent = r.value;
          break;
      }
      t.readings.push(r);
    }
    if (t.readings.length > MAX_READINGS) t.readings.splice(0, t.readings.length - MAX_READINGS);
    p?.transaction(t, false);
    this.emit({ type: 'transaction', transaction: t });
  }

  /** A transaction ended. */
  transactionStopped(
    identity: string,
    id: string,
    details: { reason?: string; meterStopWh?: number; time?: string },
  ): void {
    const k = key(identity, id);
    const t = this.transactionMap.get(k);
    if (t === undefined) return;
    if (details.meterStopWh !== undefined) {
      t.meterStartWh ??= details.meterStopWh;
      t.meterWh = details.meterStopWh;
      t.energyWh = Math.max(0, Math.round((details.meterStopWh - t.meterStartWh) * 10) / 10);
    }
    t.active = false;
    t.stoppedAt = details.time ?? this.iso();
    if (details.reason !== undefined) t.stopReason = details.reason;
    delete t.powerW;
    delete t.currentA;
    this.byStation.get(identity)?.open.delete(k);
    this.openOrder.delete(k);
    this.orphaned.delete(k);
    this.finished.delete(k);
    this.finished.add(k);
    this.persistence?.transaction(t, true);
    this.emit({ type: 'transaction', transaction: t });
    while (this.finished.size > this.limits.maxFinishedTransactions) {
      this.dropTransaction(this.finished.values().next().value as string);
    }
  }

  /** Records a frame in the frame log (cut when longer than `maxFrameBytes`) and counts it. */
  frame(identity: string, protocol: string, from: 'station' | 'csms', text: string): FrameEntry {
    const s = this.stationMap.get(identity);
    const time = this.iso();
    if (s !== undefined) {
      if (from === 'station') {
        s.frames.in++;
        // Any frame is a sign of life, not only a heartbeat; the database gets it with the
        // station's next change (at the latest its disconnect), not a write per frame.
        s.lastSeen = time;
      } else s.frames.out++;
    }
    if (from === 'station') this.trafficCounts.framesIn++;
    else this.trafficCounts.framesOut++;
    const head = this.messageHead(identity, from, text);
    const { maxFrameBytes, maxFrameLogBytes } = this.limits;
    const kept = cutFrame(text, Math.min(maxFrameBytes, maxFrameLogBytes));
    const entry: FrameEntry = {
      seq: ++this.frameSeq,
      time,
      identity,
      protocol,
      from,
      frame: kept.text,
      ...head,
    };
    const size = this.frameRing.length;
    while (
      this.frameCount > 0 &&
      (this.frameCount === size || this.frameTotalBytes + kept.bytes > maxFrameLogBytes)
    ) {
      this.frameTotalBytes -= this.frameBytes[this.frameHead]!;
      this.frameRing[this.frameHead] = undefined;
      this.frameHead = (this.frameHead + 1) % size;
      this.frameCount--;
    }
    const slot = (this.frameHead + this.frameCount) % size;
    this.frameRing[slot] = entry;
    this.frameBytes[slot] = kept.bytes;
    this.frameCount++;
    this.frameTotalBytes += kept.bytes;
    if (s !== undefined && from === 'station' && this.listeners.size > 0)
      this.emit({ type: 'station', station: s });
    this.emit({ type: 'frame', frame: entry });
    return entry;
  }

  /**
   * The message type and action of a frame, read from its head (the frame is parsed where it is
   * handled, not here): a CALL's action is remembered until its answer comes the other way, so
   * the answer is shown with it. Counts the CALLs.
   */
  private messageHead(
    identity: string,
    from: 'station' | 'csms',
    text: string,
  ): Pick<FrameEntry, 'kind' | 'action'> {
    const m = MESSAGE_HEAD.exec(text);
    if (m === null) return {};
    const kind = KINDS[m[1] as keyof typeof KINDS];
    const id = m[2]!;
    if (kind === 'CALL') {
      if (from === 'station') this.trafficCounts.callsIn++;
      else this.trafficCounts.callsOut++;
      const action = m[3];
      if (action === undefined) return { kind };
      if (this.stationMap.has(identity)) {
        let pending = this.pendingActions.get(identity);
        if (pending === undefined) {
          pending = new Map();
          this.pendingActions.set(identity, pending);
        }
        const k = `${from}:${id}`;
        pending.delete(k);
        pending.set(k, action);
        if (pending.size > MAX_PENDING_ACTIONS) pending.delete(pending.keys().next().value!);
      }
      return { kind, action };
    }
    const pending = this.pendingActions.get(identity);
    const k = `${from === 'station' ? 'csms' : 'station'}:${id}`;
    const action = pending?.get(k);
    if (action === undefined) return { kind };
    pending!.delete(k);
    return { kind, action };
  }
}
