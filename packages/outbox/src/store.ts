/** One message the outbox keeps until the CSMS answered it, as a store holds it. */
export interface OutboxRecord {
  /** Order of acceptance, increasing: delivery follows it. */
  readonly seq: number;
  /** The OCPP action. */
  readonly action: string;
  /** The request payload, as JSON text. */
  readonly payload: string;
  /** How often it was sent without being processed (a timeout or a CALLERROR). */
  readonly attempts: number;
}

/**
 * Where the outbox keeps its messages between restarts. Each write must be durable when it
 * returns (or, for a store with group commit, before the next `flush` resolves): the outbox
 * accepts a message only once `append` has returned.
 */
export interface OutboxStore {
  /** The messages kept from before, in `seq` order. */
  load(): readonly OutboxRecord[];
  /** Keeps a new message. */
  append(record: OutboxRecord): void;
  /** Records another attempt of a kept message. */
  update(record: OutboxRecord): void;
  /** Forgets a message: delivered, or dropped after its last attempt. */
  remove(seq: number): void;
  /**
   * A store that gathers writes (group commit): false while the message's write has not reached
   * the disk. The outbox does not send it until then. @default always durable
   */
  isDurable?(seq: number): boolean;
  /** With `isDurable`: runs `listener` once the gathered writes reached the disk. */
  onDurable?(listener: () => void): void;
}

/** A store in memory: for tests, and for stations that accept losing the queue with the process. */
export class MemoryStore implements OutboxStore {
  private readonly records = new Map<number, OutboxRecord>();

  load(): readonly OutboxRecord[] {
    return [...this.records.values()].sort((a, b) => a.seq - b.seq);
  }

  append(record: OutboxRecord): void {
    this.records.set(record.seq, record);
  }

  update(record: OutboxRecord): void {
    if (this.records.has(record.seq)) this.records.set(record.seq, record);
  }

  remove(seq: number): void {
    this.records.delete(seq);
  }

  /** How many messages are kept. */
  get size(): number {
    return this.records.size;
  }
}
