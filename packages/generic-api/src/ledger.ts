import type { Logger } from '@ocpp/rpc';
import { decimalIds, type TransactionIds16 } from './codec/v16.js';

/** What both sides keep of one open transaction. */
export interface LedgerEntry {
  /** The neutral id (1.6: the integer's decimal text, unless the station chose its own). */
  readonly transactionId: string;
  /** 1.6: the integer id the CSMS assigned. */
  readonly transactionId16?: number;
  /** The next 2.x `seqNo` to send (station) or the last one seen (CSMS). */
  seqNo: number;
}

const NONE: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * The open transactions of one station, on either side: by neutral id, oldest first, with the 1.6
 * integer ids both ways. Bounded: one more than `max` forgets the oldest, with a warning, so a peer
 * naming ever new ids cannot grow memory. Idle stations (most of a simulated fleet) hold no maps.
 */
export class TransactionLedger<T extends LedgerEntry> implements TransactionIds16 {
  private open: Map<string, T> | undefined;
  private by16: Map<number, string> | undefined;

  constructor(
    private readonly owner: string,
    private readonly max = Number.POSITIVE_INFINITY,
    private readonly logger?: Logger,
  ) {}

  /** The open transactions, by neutral id. */
  get view(): ReadonlyMap<string, T> {
    return this.open ?? NONE;
  }

  get size(): number {
    return this.open?.size ?? 0;
  }

  get(transactionId: string): T | undefined {
    return this.open?.get(transactionId);
  }

  /** The open transaction of `transactionId`, created by `create` when this side never saw it start. */
  entry(transactionId: string, create: () => T): T {
    let entry = this.open?.get(transactionId);
    if (entry === undefined) {
      entry = create();
      this.remember(entry);
    }
    return entry;
  }

  /** Keeps an open transaction (replacing one of the same id); beyond the bound the oldest goes. */
  remember(entry: T): void {
    if (this.open !== undefined && !this.open.has(entry.transactionId)) {
      if (this.open.size >= this.max) {
        const oldest = this.open.keys().next().value as string;
        this.forget(oldest);
        this.logger?.warn(
          `${this.owner}: more than ${this.max} open transactions; forgot the oldest, ${oldest}`,
        );
      }
    }
    this.open ??= new Map();
    this.open.set(entry.transactionId, entry);
    if (entry.transactionId16 !== undefined) {
      this.by16 ??= new Map();
      this.by16.set(entry.transactionId16, entry.transactionId);
    }
  }

  /** Ends a transaction; returns what was kept of it. */
  forget(transactionId: string): T | undefined {
    const entry = this.open?.get(transactionId);
    if (entry === undefined) return undefined;
    this.open?.delete(transactionId);
    if (entry.transactionId16 !== undefined) this.by16?.delete(entry.transactionId16);
    if (this.open?.size === 0) this.open = undefined;
    if (this.by16?.size === 0) this.by16 = undefined;
    return entry;
  }

  /**
   * 1.6: the transaction known by integer `from` (a stand-in the station's outbox gave while the
   * CSMS had not answered its start) is `to` from now on. Its neutral id stays.
   */
  renumber16(from: number, to: number): void {
    const neutral = this.by16?.get(from);
    const entry = neutral === undefined ? undefined : this.open?.get(neutral);
    if (entry === undefined) return;
    this.by16?.delete(from);
    this.remember({ ...entry, transactionId16: to });
  }

  /** The 1.6 id mapping (the ledger itself: no object of its own per station). */
  get ids16(): TransactionIds16 {
    return this;
  }

  /** The 1.6 integer of a neutral id: an open transaction's, else the decimal text's. */
  toInt(transactionId: string): number {
    return this.open?.get(transactionId)?.transactionId16 ?? decimalIds.toInt(transactionId);
  }

  /** The neutral id of a 1.6 integer: an open transaction's, else its decimal text. */
  toNeutral(transactionId: number): string {
    return this.by16?.get(transactionId) ?? String(transactionId);
  }
}
