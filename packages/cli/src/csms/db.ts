import Database from 'better-sqlite3';
import {
  type ConnectorState,
  MAX_READINGS,
  type MeterReading,
  type PersistedStore,
  type StationRecord,
  type StorePersistence,
  type TransactionRecord,
} from './store.js';

/** The schema written here, in `PRAGMA user_version`; a database of another one is refused. */
const SCHEMA_VERSION = 3;

/**
 * Plain tables, so that `sqlite3 ocpp-csms.db` reads them: `stations`, `transactions` (`seq` is
 * the order they were first heard of, `ended_seq` the order they ended), `readings` (every meter
 * reading of a kept transaction, in arrival order) and `meta` (counters). Text columns that
 * take part in the readings' unique key are '' rather than NULL when absent, since NULLs never
 * compare equal and a reading sent twice would then be kept twice.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stations (
  identity             TEXT PRIMARY KEY,
  protocol             TEXT NOT NULL,
  connected_at         TEXT NOT NULL,
  disconnected_at      TEXT,
  remote_address       TEXT,
  boot                 TEXT,
  last_heartbeat       TEXT,
  connectors           TEXT NOT NULL,
  frames_in            INTEGER NOT NULL,
  frames_out           INTEGER NOT NULL,
  dropped_transactions INTEGER,
  provisioning         TEXT,
  last_seen            TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS transactions (
  seq               INTEGER PRIMARY KEY,
  identity          TEXT NOT NULL,
  id                TEXT NOT NULL,
  protocol          TEXT NOT NULL,
  evse_id           INTEGER,
  connector_id      INTEGER,
  id_token          TEXT,
  started_at        TEXT NOT NULL,
  stopped_at        TEXT,
  stop_reason       TEXT,
  active            INTEGER NOT NULL,
  ended_seq         INTEGER,
  meter_start_wh    REAL,
  meter_wh          REAL,
  energy_wh         REAL NOT NULL,
  power_w           REAL,
  current_a         REAL,
  voltage_v         REAL,
  soc_percent       REAL,
  meter_value_count INTEGER NOT NULL,
  UNIQUE (identity, id)
);
CREATE TABLE IF NOT EXISTS readings (
  id        INTEGER PRIMARY KEY,
  txn       INTEGER NOT NULL,
  time      TEXT NOT NULL,
  measurand TEXT NOT NULL,
  value     REAL NOT NULL,
  unit      TEXT NOT NULL,
  phase     TEXT NOT NULL,
  UNIQUE (txn, time, measurand, phase, unit, value)
);
`;

/** The largest 1.6 transaction id (a signed 32-bit integer); the counter wraps to 1 after it. */
const MAX_TRANSACTION_ID_16 = 2_147_483_647;

/** Options of {@link CsmsDatabase.open}. */
export interface CsmsDatabaseOptions {
  /**
   * The most meter readings kept, of every transaction together; beyond it the oldest go.
   * @default 1000000
   */
  readonly maxStoredReadings?: number;
  /**
   * The shortest time between two commits, in milliseconds: changes made sooner after a commit
   * wait together for the next one (group commit), so that messages trickling in one at a time
   * under load do not each pay a commit. An idle database commits at the end of the turn.
   * @default 10
   */
  readonly commitIntervalMs?: number;
  /** Told when a commit failed (its callers' answers fail too); the next commit tries again. */
  readonly onError?: (error: Error) => void;
}

type Row = Record<string, unknown>;

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function stationRow(s: StationRecord): Row {
  return {
    identity: s.identity,
    protocol: s.protocol,
    connected_at: s.connectedAt,
    disconnected_at: orNull(s.disconnectedAt),
    remote_address: orNull(s.remoteAddress),
    boot: s.boot === undefined ? null : JSON.stringify(s.boot),
    last_heartbeat: orNull(s.lastHeartbeat),
    connectors: JSON.stringify(s.connectors),
    frames_in: s.frames.in,
    frames_out: s.frames.out,
    dropped_transactions: orNull(s.droppedTransactions),
    provisioning: s.provisioning === undefined ? null : JSON.stringify(s.provisioning),
    last_seen: orNull(s.lastSeen),
  };
}

function stationOf(r: Row): StationRecord {
  const s: StationRecord = {
    identity: r.identity as string,
    protocol: r.protocol as string,
    connected: false,
    connectedAt: r.connected_at as string,
    connectors: JSON.parse(r.connectors as string) as ConnectorState[],
    frames: { in: r.frames_in as number, out: r.frames_out as number },
  };
  if (r.disconnected_at !== null) s.disconnectedAt = r.disconnected_at as string;
  if (r.remote_address !== null) s.remoteAddress = r.remote_address as string;
  if (r.boot !== null) s.boot = JSON.parse(r.boot as string) as NonNullable<StationRecord['boot']>;
  if (r.last_heartbeat !== null) s.lastHeartbeat = r.last_heartbeat as string;
  if (r.dropped_transactions !== null) s.droppedTransactions = r.dropped_transactions as number;
  if (r.last_seen !== null && r.last_seen !== undefined) s.lastSeen = r.last_seen as string;
  if (r.provisioning !== null && r.provisioning !== undefined)
    s.provisioning = JSON.parse(r.provisioning as string) as NonNullable<
      StationRecord['provisioning']
    >;
  return s;
}

/** The columns a transaction's changes touch, in the order of `TRANSACTION_STATE`, then `seq`. */
function transactionState(seq: number, t: TransactionRecord): unknown[] {
  return [
    orNull(t.evseId),
    orNull(t.connectorId),
    orNull(t.idToken),
    orNull(t.stoppedAt),
    orNull(t.stopReason),
    t.active ? 1 : 0,
    orNull(t.meterStartWh),
    orNull(t.meterWh),
    t.energyWh,
    orNull(t.powerW),
    orNull(t.currentA),
    orNull(t.voltageV),
    orNull(t.socPercent),
    t.meterValueCount,
    seq,
  ];
}

const TRANSACTION_STATE = [
  'evse_id',
  'connector_id',
  'id_token',
  'stopped_at',
  'stop_reason',
  'active',
  'meter_start_wh',
  'meter_wh',
  'energy_wh',
  'power_w',
  'current_a',
  'voltage_v',
  'soc_percent',
  'meter_value_count',
];

/** Readings inserted with one statement at most (a message's sampled values, usually fewer). */
const READINGS_PER_INSERT = 16;

function transactionOf(r: Row, readings: MeterReading[]): TransactionRecord {
  const t: TransactionRecord = {
    id: r.id as string,
    identity: r.identity as string,
    protocol: r.protocol as string,
    startedAt: r.started_at as string,
    active: r.active === 1,
    stationConnected: false,
    energyWh: r.energy_wh as number,
    meterValueCount: r.meter_value_count as number,
    readings,
  };
  const optional: [keyof TransactionRecord, string][] = [
    ['evseId', 'evse_id'],
    ['connectorId', 'connector_id'],
    ['idToken', 'id_token'],
    ['stoppedAt', 'stopped_at'],
    ['stopReason', 'stop_reason'],
    ['meterStartWh', 'meter_start_wh'],
    ['meterWh', 'meter_wh'],
    ['powerW', 'power_w'],
    ['currentA', 'current_a'],
    ['voltageV', 'voltage_v'],
    ['socPercent', 'soc_percent'],
  ];
  for (const [field, column] of optional) {
    if (r[column] !== null) (t as unknown as Row)[field] = r[column];
  }
  return t;
}

function readingOf(r: Row): MeterReading {
  return {
    time: r.time as string,
    measurand: r.measurand as string,
    value: r.value as number,
    ...(r.unit === '' ? {} : { unit: r.unit as string }),
    ...(r.phase === '' ? {} : { phase: r.phase as string }),
  };
}

const key = (identity: string, id: string) => `${identity}\u0000${id}`;

/** A batch of writes: one SQLite transaction, committed once the current event-loop turn ends. */
interface Batch {
  readonly committed: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The SQLite database of `ocpp csms --db FILE` (better-sqlite3): a {@link StorePersistence}
 * that keeps stations, transactions, every meter reading of the transactions kept, and the 1.6
 * transaction-id counter, so that a restarted CSMS goes on where it was.
 *
 * Writes are grouped (group commit): the first change opens a SQLite transaction, later changes
 * go into it, and it commits at the end of the event-loop turn, or, when the last commit was
 * less than `commitIntervalMs` ago, once that time is up. Readings and new transactions are
 * written at once (whether a reading is new must be known at once); a changed station or
 * transaction is written once per commit, however often it changed. {@link committed} is what
 * an answer to a station waits for: a station is told its message arrived only once it is in
 * the database.
 */
export class CsmsDatabase implements StorePersistence {
  private readonly db: Database.Database;
  private readonly maxReadings: number;
  private readonly intervalMs: number;
  private readonly onError: (error: Error) => void;
  private readonly stmt: ReturnType<typeof prepare>;
  /** `INSERT OR IGNORE` of n readings at once, by n. */
  private readonly insertReadings = new Map<number, Database.Statement>();
  private batch: Batch | undefined;
  private lastCommit = 0;
  private readonly dirtyStations = new Map<string, StationRecord>();
  /** Changed transactions (already inserted), by `seq`. */
  private readonly dirtyTransactions = new Map<number, TransactionRecord>();
  private metaDirty = false;
  /** Transaction key → its `seq`, for every transaction in the database. */
  private readonly seqOf = new Map<string, number>();
  private lastSeq = 0;
  private lastEndedSeq = 0;
  private lastTransactionId16 = 0;
  private readingCount = 0;
  private counts = { forgottenStations: 0, droppedTransactions: 0 };
  private closed = false;

  private constructor(
    readonly file: string,
    options: CsmsDatabaseOptions,
  ) {
    this.maxReadings = options.maxStoredReadings ?? 1_000_000;
    this.intervalMs = options.commitIntervalMs ?? 10;
    this.onError = options.onError ?? (() => {});
    this.db = new Database(file);
    try {
      // WAL with synchronous=NORMAL: a commit has been written to the WAL file (the OS has it)
      // when COMMIT returns, but is not fsynced. That survives the process being killed (kill -9,
      // a crash): the OS writes the file anyway. It does not survive power loss or an OS crash,
      // which may roll back the last commits (the database stays consistent); FULL would fsync
      // every commit for that.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // Checkpoints (the only fsyncs, and they block) every 32 MiB of WAL rather than 4 MiB: a
      // transaction row rewritten every second is then copied back once per checkpoint.
      this.db.pragma('wal_autocheckpoint = 8192');
      this.db.pragma('journal_size_limit = 67108864');
      this.db.pragma('busy_timeout = 5000');
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `it was written by a newer ocpp csms (schema ${version}; this one knows ${SCHEMA_VERSION})`,
        );
      }
      this.db.exec(SCHEMA);
      // Schema 1 had no provisioning column, schemas 1 and 2 no last_seen (their tables exist, so
      // SCHEMA left them as they were): added empty, in the same transaction as the new version.
      if (version === 1 || version === 2) {
        this.db.transaction(() => {
          if (version === 1) this.db.exec('ALTER TABLE stations ADD COLUMN provisioning TEXT');
          this.db.exec('ALTER TABLE stations ADD COLUMN last_seen TEXT');
          this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
        })();
      }
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      this.stmt = prepare(this.db);
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  /**
   * Opens (creating it when missing) the database in `file`; `:memory:` keeps it in memory,
   * which a restart does not find again.
   */
  static open(file: string, options: CsmsDatabaseOptions = {}): CsmsDatabase {
    return new CsmsDatabase(file, options);
  }

  /** The 1.6 transaction id last given. */
  get lastTransactionId(): number {
    return this.lastTransactionId16;
  }

  load(): PersistedStore {
    const meta = new Map(
      (this.stmt.meta.all() as { key: string; value: number }[]).map((r) => [r.key, r.value]),
    );
    this.lastTransactionId16 = meta.get('lastTransactionId16') ?? 0;
    this.counts = {
      forgottenStations: meta.get('forgottenStations') ?? 0,
      droppedTransactions: meta.get('droppedTransactions') ?? 0,
    };
    const stations = (this.stmt.stations.all() as Row[]).map(stationOf);
    const transactions: TransactionRecord[] = [];
    const ended: { t: TransactionRecord; seq: number }[] = [];
    for (const r of this.stmt.transactions.all() as Row[]) {
      const seq = r.seq as number;
      const readings = (this.stmt.latestReadings.all(seq, MAX_READINGS) as Row[])
        .map(readingOf)
        .reverse();
      const t = transactionOf(r, readings);
      transactions.push(t);
      this.seqOf.set(key(t.identity, t.id), seq);
      this.lastSeq = Math.max(this.lastSeq, seq);
      if (r.ended_seq !== null) {
        this.lastEndedSeq = Math.max(this.lastEndedSeq, r.ended_seq as number);
        if (!t.active) ended.push({ t, seq: r.ended_seq as number });
      }
    }
    this.readingCount = this.stmt.readingCount.pluck().get() as number;
    return {
      stations,
      transactions,
      ended: ended.sort((a, b) => a.seq - b.seq).map((e) => e.t),
      ...this.counts,
    };
  }

  station(station: StationRecord): void {
    if (this.closed) return;
    this.begin();
    this.dirtyStations.set(station.identity, station);
  }

  /** Deletes the station's row (the store drops its transactions first, one by one). */
  stationForgotten(identity: string): void {
    if (this.closed) return;
    this.begin();
    this.dirtyStations.delete(identity);
    this.readingCount -= this.stmt.deleteStationReadings.run(identity).changes;
    this.stmt.deleteStationTransactions.run(identity);
    this.stmt.deleteStation.run(identity);
  }

  transaction(transaction: TransactionRecord, ended: boolean): void {
    if (this.closed) return;
    this.begin();
    const known = this.seqOf.get(key(transaction.identity, transaction.id));
    const seq = known ?? this.insert(transaction);
    if (ended) this.stmt.setEnded.run(++this.lastEndedSeq, seq);
    if (known !== undefined) this.dirtyTransactions.set(seq, transaction);
  }

  transactionDropped(identity: string, id: string): void {
    const k = key(identity, id);
    const seq = this.seqOf.get(k);
    if (seq === undefined || this.closed) return;
    this.begin();
    this.seqOf.delete(k);
    this.dirtyTransactions.delete(seq);
    this.readingCount -= this.stmt.deleteReadings.run(seq).changes;
    this.stmt.deleteTransaction.run(seq);
  }

  readings(identity: string, id: string, readings: readonly MeterReading[]): number {
    if (this.closed) return readings.length;
    const t = key(identity, id);
    const seq = this.seqOf.get(t);
    // The store tells of a transaction before its readings; one it never did is not kept.
    if (seq === undefined) return readings.length;
    this.begin();
    let added = 0;
    for (let i = 0; i < readings.length; i += READINGS_PER_INSERT) {
      const chunk = readings.slice(i, i + READINGS_PER_INSERT);
      const values: unknown[] = [];
      for (const r of chunk)
        values.push(seq, r.time, r.measurand, r.value, r.unit ?? '', r.phase ?? '');
      added += this.insertReadingsOf(chunk.length).run(values).changes;
    }
    this.readingCount += added;
    return added;
  }

  counters(counters: { forgottenStations: number; droppedTransactions: number }): void {
    if (this.closed) return;
    this.begin();
    this.counts = { ...counters };
    this.metaDirty = true;
  }

  /**
   * The next 1.6 transaction id: one more than the last one given, in this run or any before on
   * this database, so ids never repeat (until the counter wraps after 2,147,483,647).
   */
  nextTransactionId(): number {
    this.begin();
    this.lastTransactionId16 = (this.lastTransactionId16 % MAX_TRANSACTION_ID_16) + 1;
    this.metaDirty = true;
    return this.lastTransactionId16;
  }

  /** Resolves once every change made so far is committed; undefined when none waits. */
  committed(): Promise<void> | undefined {
    return this.batch?.committed;
  }

  /** Commits what waits now (the timer does it otherwise). */
  commit(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    this.lastCommit = performance.now();
    try {
      for (const s of this.dirtyStations.values()) this.stmt.upsertStation.run(stationRow(s));
      for (const [seq, t] of this.dirtyTransactions)
        this.stmt.updateTransaction.run(transactionState(seq, t));
      if (this.metaDirty) {
        this.stmt.setMeta.run('lastTransactionId16', this.lastTransactionId16);
        this.stmt.setMeta.run('forgottenStations', this.counts.forgottenStations);
        this.stmt.setMeta.run('droppedTransactions', this.counts.droppedTransactions);
      }
      if (this.readingCount > this.maxReadings) {
        this.readingCount -= this.stmt.trimReadings.run(
          this.readingCount - this.maxReadings,
        ).changes;
      }
      this.stmt.commit.run();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (this.db.inTransaction) this.stmt.rollback.run();
      // What the rollback took back is counted again; changed rows stay to be written.
      this.readingCount = this.stmt.readingCount.pluck().get() as number;
      this.onError(error);
      batch.reject(error);
      return;
    }
    this.dirtyStations.clear();
    this.dirtyTransactions.clear();
    this.metaDirty = false;
    batch.resolve();
  }

  /** Commits what waits and closes the database; later changes are not written. */
  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    this.db.close();
  }

  /** Inserts a transaction first heard of, giving it the next `seq`. */
  private insert(t: TransactionRecord): number {
    const seq = ++this.lastSeq;
    this.seqOf.set(key(t.identity, t.id), seq);
    this.stmt.insertTransaction.run(
      t.identity,
      t.id,
      t.protocol,
      t.startedAt,
      ...transactionState(seq, t),
    );
    return seq;
  }

  private insertReadingsOf(n: number): Database.Statement {
    let s = this.insertReadings.get(n);
    if (s === undefined) {
      s = this.db.prepare(
        `INSERT OR IGNORE INTO readings (txn, time, measurand, value, unit, phase) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
      this.insertReadings.set(n, s);
    }
    return s;
  }

  private begin(): void {
    if (this.batch !== undefined || this.closed) return;
    this.stmt.begin.run();
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const committed = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may wait for this batch (a heartbeat's): its failure is reported through onError.
    committed.catch(() => {});
    this.batch = { committed, resolve, reject };
    const wait = this.lastCommit + this.intervalMs - performance.now();
    if (wait > 0) setTimeout(() => this.commit(), wait);
    else setImmediate(() => this.commit());
  }
}

/** Every statement, prepared once. */
function prepare(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    meta: db.prepare('SELECT key, value FROM meta'),
    setMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    stations: db.prepare(
      'SELECT * FROM stations ORDER BY disconnected_at IS NULL, disconnected_at, identity',
    ),
    upsertStation: db.prepare(
      `INSERT INTO stations (identity, protocol, connected_at, disconnected_at, remote_address,
         boot, last_heartbeat, connectors, frames_in, frames_out, dropped_transactions, provisioning,
         last_seen)
       VALUES (@identity, @protocol, @connected_at, @disconnected_at, @remote_address,
         @boot, @last_heartbeat, @connectors, @frames_in, @frames_out, @dropped_transactions,
         @provisioning, @last_seen)
       ON CONFLICT (identity) DO UPDATE SET protocol = excluded.protocol,
         connected_at = excluded.connected_at, disconnected_at = excluded.disconnected_at,
         remote_address = excluded.remote_address, boot = excluded.boot,
         last_heartbeat = excluded.last_heartbeat, connectors = excluded.connectors,
         frames_in = excluded.frames_in, frames_out = excluded.frames_out,
         dropped_transactions = excluded.dropped_transactions, provisioning = excluded.provisioning,
         last_seen = excluded.last_seen`,
    ),
    deleteStation: db.prepare('DELETE FROM stations WHERE identity = ?'),
    deleteStationTransactions: db.prepare('DELETE FROM transactions WHERE identity = ?'),
    deleteStationReadings: db.prepare(
      'DELETE FROM readings WHERE txn IN (SELECT seq FROM transactions WHERE identity = ?)',
    ),
    transactions: db.prepare('SELECT * FROM transactions ORDER BY seq'),
    insertTransaction: db.prepare(
      `INSERT INTO transactions (identity, id, protocol, started_at, ${TRANSACTION_STATE.join(', ')}, seq)
       VALUES (?, ?, ?, ?, ${TRANSACTION_STATE.map(() => '?').join(', ')}, ?)`,
    ),
    updateTransaction: db.prepare(
      `UPDATE transactions SET ${TRANSACTION_STATE.map((c) => `${c} = ?`).join(', ')} WHERE seq = ?`,
    ),
    setEnded: db.prepare('UPDATE transactions SET ended_seq = ? WHERE seq = ?'),
    deleteTransaction: db.prepare('DELETE FROM transactions WHERE seq = ?'),
    deleteReadings: db.prepare('DELETE FROM readings WHERE txn = ?'),
    latestReadings: db.prepare(
      'SELECT time, measurand, value, unit, phase FROM readings WHERE txn = ? ORDER BY time DESC, id DESC LIMIT ?',
    ),
    readingCount: db.prepare('SELECT count(*) FROM readings'),
    trimReadings: db.prepare(
      'DELETE FROM readings WHERE id IN (SELECT id FROM readings ORDER BY id LIMIT ?)',
    ),
  };
}
