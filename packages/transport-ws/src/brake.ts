import { WsTransportError } from './errors.js';

/**
 * The brake on failed authentications (option `authFailureLimit` of a server). Failures are
 * counted per remote address (IPv6 by /64) and per identity from that address, in a window that
 * starts with the first failure; reaching a limit locks that address, or that identity from that
 * address, out for `lockoutSeconds`: its handshakes are answered HTTP 429 with `Retry-After`,
 * without asking the `authenticate` hook. A success clears the identity's count (not the
 * address's, or one known station could reset it for a guesser behind the same address).
 */
export interface AuthFailureLimit {
  /**
   * Failures of one identity from one address that lock that identity out from there: a
   * password guesser gets this many tries per lockout, a misconfigured station retrying with the
   * OCPP back-off (10 s and more) never reaches it.
   * @default 10
   */
  readonly perIdentity?: number;
  /**
   * Failures from one address, whatever the identities, that lock the whole address out.
   * Generous because stations behind carrier NAT share addresses; not counted for the server's
   * `perAddressExempt` addresses (reverse proxies).
   * @default 1000
   */
  readonly perAddress?: number;
  /**
   * How long failures count, from the first one, in seconds.
   * @default 60
   */
  readonly windowSeconds?: number;
  /**
   * How long a lockout lasts, in seconds.
   * @default 60
   */
  readonly lockoutSeconds?: number;
}

interface Count {
  failures: number;
  /** When the window of these failures ends (ms). */
  windowEnd: number;
  /** Until when this key is locked out (ms); 0 when it is not. */
  lockedUntil: number;
}

/** How many addresses and address-identity pairs are remembered; the oldest go first. */
const MAX_KEYS = 10_000;

function positive(name: string, value: number, integer: boolean): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new WsTransportError(
      'INVALID_OPTIONS',
      `authFailureLimit.${name} must be a ${integer ? 'positive integer' : 'number > 0'}`,
    );
  }
  return value;
}

/** Counts failed authentications and answers how long a handshake is locked out. */
export class AuthBrake {
  private readonly perIdentity: number;
  private readonly perAddress: number;
  private readonly windowMs: number;
  private readonly lockoutMs: number;
  private readonly now: () => number;
  private readonly addresses = new Map<string, Count>();
  private readonly identities = new Map<string, Count>();

  constructor(limit: AuthFailureLimit, now: () => number) {
    this.perIdentity = positive('perIdentity', limit.perIdentity ?? 10, true);
    this.perAddress = positive('perAddress', limit.perAddress ?? 1000, true);
    this.windowMs = positive('windowSeconds', limit.windowSeconds ?? 60, false) * 1000;
    this.lockoutMs = positive('lockoutSeconds', limit.lockoutSeconds ?? 60, false) * 1000;
    this.now = now;
  }

  /**
   * Milliseconds `identity` from the address `key` is still locked out; 0 when it is not. An
   * `exempt` address (a reverse proxy) is only ever locked out per identity.
   */
  lockedFor(key: string, identity: string, exempt = false): number {
    // Nothing has failed lately: the usual case, answered without building a key.
    if (this.addresses.size === 0 && this.identities.size === 0) return 0;
    const now = this.now();
    const a = exempt ? 0 : (this.addresses.get(key)?.lockedUntil ?? 0);
    const i = this.identities.get(pairKey(key, identity))?.lockedUntil ?? 0;
    return Math.max(0, Math.max(a, i) - now);
  }

  /** An authentication of `identity` from the address `key` failed. */
  failed(key: string, identity: string, exempt = false): void {
    const now = this.now();
    if (!exempt) this.count(this.addresses, key, this.perAddress, now);
    this.count(this.identities, pairKey(key, identity), this.perIdentity, now);
  }

  /** `identity` authenticated from the address `key`: its own count starts over. */
  succeeded(key: string, identity: string): void {
    if (this.identities.size > 0) this.identities.delete(pairKey(key, identity));
  }

  private count(counts: Map<string, Count>, key: string, limit: number, now: number): void {
    let count = counts.get(key);
    if (count === undefined || (now >= count.windowEnd && now >= count.lockedUntil)) {
      count = { failures: 0, windowEnd: now + this.windowMs, lockedUntil: 0 };
    }
    count.failures += 1;
    if (count.failures >= limit) {
      count.failures = 0;
      count.lockedUntil = now + this.lockoutMs;
      count.windowEnd = count.lockedUntil;
    }
    // Most recently failed last, so the oldest are dropped first.
    counts.delete(key);
    counts.set(key, count);
    if (counts.size > MAX_KEYS) counts.delete(counts.keys().next().value!);
  }
}

function pairKey(key: string, identity: string): string {
  return `${key}\n${identity}`;
}
