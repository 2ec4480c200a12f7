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
  connectors: ConnectorState[];
  frames: { in: number; out: number };
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
  readonly frame: string;
}

/** What the store reports to its listeners (the web page's live feed). */
export type StoreEvent =
  | { readonly type: 'station'; readonly station: StationRecord }
  | { readonly type: 'transaction'; readonly transaction: TransactionRecord }
  | { readonly type: 'frame'; readonly frame: FrameEntry };

const MAX_READINGS = 20;
const MAX_FRAMES = 500;
const MAX_FINISHED_TRANSACTIONS = 5000;

/** The energy register and the other measurands a meter value may carry. */
const ENERGY = 'Energy.Active.Import.Register';

function toWh(value: number, unit: string | undefined): number {
  return unit === 'kWh' ? value * 1000 : value;
}

/**
 * Everything the `ocpp csms` keeps in memory: stations, their connectors, transactions with
 * meter readings, and the last frames. Finished transactions beyond a bound and frames beyond
 * the last 500 are forgotten, so a long run does not grow without limit.
 */
export class CsmsStore {
  private readonly stationMap = new Map<string, StationRecord>();
  private readonly transactionMap = new Map<string, TransactionRecord>();
  /** The last frames, a circular buffer: `frameRing[frameSeq % MAX_FRAMES]` is the newest. */
  private readonly frameRing: (FrameEntry | undefined)[] = new Array(MAX_FRAMES);
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private frameSeq = 0;
  private finished: string[] = [];

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when anyone listens (so frame entries are only built for someone). */
  get watched(): boolean {
    return this.listeners.size > 0;
  }

  private emit(event: StoreEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** Every station seen, connected or not, by identity. */
  stations(): StationRecord[] {
    return [...this.stationMap.values()].sort((a, b) => a.identity.localeCompare(b.identity));
  }

  station(identity: string): StationRecord | undefined {
    return this.stationMap.get(identity);
  }

  /** Transactions, newest first; `activeOnly` keeps the running ones. */
  transactions(filter: { identity?: string; activeOnly?: boolean } = {}): TransactionRecord[] {
    const out: TransactionRecord[] = [];
    for (const t of this.transactionMap.values()) {
      if (filter.identity !== undefined && t.identity !== filter.identity) continue;
      if (filter.activeOnly === true && !t.active) continue;
      out.push(t);
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
  }

  transaction(identity: string, id: string): TransactionRecord | undefined {
    return this.transactionMap.get(`${identity}\u0000${id}`);
  }

  /** The last frames, oldest first; at most `limit`, optionally of one station. */
  frames(limit = 100, identity?: string): FrameEntry[] {
    const out: FrameEntry[] = [];
    for (let seq = this.frameSeq; seq > 0 && seq > this.frameSeq - MAX_FRAMES; seq--) {
      const f = this.frameRing[seq % MAX_FRAMES];
      if (f === undefined) break;
      if (identity !== undefined && f.identity !== identity) continue;
      out.push(f);
      if (out.length >= limit) break;
    }
    return out.reverse();
  }

  /** Counts of stations and transactions, for the page header and the API index. */
  counts(): { stations: number; connected: number; transactions: number; active: number } {
    let connected = 0;
    for (const s of this.stationMap.values()) if (s.connected) connected++;
    let active = 0;
    for (const t of this.transactionMap.values()) if (t.active) active++;
    return {
      stations: this.stationMap.size,
      connected,
      transactions: this.transactionMap.size,
      active,
    };
  }

  connected(identity: string, protocol: string, remoteAddress?: string): void {
    const now = new Date().toISOString();
    let s = this.stationMap.get(identity);
    if (s === undefined) {
      s = {
        identity,
        protocol,
        connected: true,
        connectedAt: now,
        connectors: [],
        frames: { in: 0, out: 0 },
      };
      this.stationMap.set(identity, s);
    } else {
      s.protocol = protocol;
      s.connected = true;
      s.connectedAt = now;
      delete s.disconnectedAt;
    }
    if (remoteAddress !== undefined) s.remoteAddress = remoteAddress;
    this.emit({ type: 'station', station: s });
  }

  disconnected(identity: string): void {
    const s = this.stationMap.get(identity);
    if (s === undefined) return;
    s.connected = false;
    s.disconnectedAt = new Date().toISOString();
    this.emit({ type: 'station', station: s });
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
    s.boot = { ...boot, at: new Date().toISOString() };
    this.emit({ type: 'station', station: s });
  }

  heartbeat(identity: string): void {
    const s = this.stationMap.get(identity);
    if (s === undefined) return;
    s.lastHeartbeat = new Date().toISOString();
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
    const now = new Date().toISOString();
    if (c === undefined) {
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
    this.emit({ type: 'station', station: s });
  }

  /** A transaction started (or was first heard of). */
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
    },
  ): TransactionRecord {
    const key = `${identity}\u0000${id}`;
    let t = this.transactionMap.get(key);
    if (t === undefined) {
      t = {
        id,
        identity,
        protocol,
        startedAt: details.time ?? new Date().toISOString(),
        active: true,
        energyWh: 0,
        meterValueCount: 0,
        readings: [],
      };
      this.transactionMap.set(key, t);
    }
    if (details.evseId !== undefined) t.evseId = details.evseId;
    if (details.connectorId !== undefined) t.connectorId = details.connectorId;
    if (details.idToken !== undefined) t.idToken = details.idToken;
    if (details.meterStartWh !== undefined) {
      t.meterStartWh = details.meterStartWh;
      t.meterWh ??= details.meterStartWh;
    }
    this.emit({ type: 'transaction', transaction: t });
    return t;
  }

  /** Meter readings of a transaction (sampled values flattened). */
  meterValues(identity: string, id: string, readings: readonly MeterReading[]): void {
    const t = this.transactionMap.get(`${identity}\u0000${id}`);
    if (t === undefined) return;
    t.meterValueCount++;
    for (const r of readings) {
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
    this.emit({ type: 'transaction', transaction: t });
  }

  /** A transaction ended. */
  transactionStopped(
    identity: string,
    id: string,
    details: { reason?: string; meterStopWh?: number; time?: string },
  ): void {
    const t = this.transactionMap.get(`${identity}\u0000${id}`);
    if (t === undefined) return;
    if (details.meterStopWh !== undefined) {
      t.meterStartWh ??= details.meterStopWh;
      t.meterWh = details.meterStopWh;
      t.energyWh = Math.max(0, Math.round((details.meterStopWh - t.meterStartWh) * 10) / 10);
    }
    t.active = false;
    t.stoppedAt = details.time ?? new Date().toISOString();
    if (details.reason !== undefined) t.stopReason = details.reason;
    delete t.powerW;
    delete t.currentA;
    this.finished.push(`${identity}\u0000${id}`);
    if (this.finished.length > MAX_FINISHED_TRANSACTIONS * 1.2) {
      const drop = this.finished.splice(0, this.finished.length - MAX_FINISHED_TRANSACTIONS);
      for (const key of drop) this.transactionMap.delete(key);
    }
    this.emit({ type: 'transaction', transaction: t });
  }

  /** Records a frame (counts always; the entry only while the page or the log watches). */
  frame(identity: string, protocol: string, from: 'station' | 'csms', text: string): FrameEntry {
    const s = this.stationMap.get(identity);
    if (s !== undefined) {
      if (from === 'station') s.frames.in++;
      else s.frames.out++;
    }
    const entry: FrameEntry = {
      seq: ++this.frameSeq,
      time: new Date().toISOString(),
      identity,
      protocol,
      from,
      frame: text,
    };
    this.frameRing[entry.seq % MAX_FRAMES] = entry;
    this.emit({ type: 'frame', frame: entry });
    return entry;
  }
}
