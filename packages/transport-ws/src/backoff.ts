import { WsTransportError } from './errors.js';

/**
 * The OCPP 2.x reconnection back-off (`OCPPCommCtrlr.RetryBackOff*`), also used for 1.6: the
 * first reconnect waits `waitMinimumSeconds` plus a random part of up to `randomRangeSeconds`;
 * every failed attempt doubles the wait (at most `repeatTimes` times) and draws a fresh random
 * part. A successful connection starts over.
 */
export interface BackoffOptions {
  /**
   * `RetryBackOffWaitMinimum`: the fixed part of the first wait, in seconds.
   * @default 10
   */
  readonly waitMinimumSeconds?: number;
  /**
   * `RetryBackOffRandomRange`: the largest random part added to every wait, in seconds.
   * @default 10
   */
  readonly randomRangeSeconds?: number;
  /**
   * `RetryBackOffRepeatTimes`: how many times the fixed part doubles; after that it stays.
   * @default 5
   */
  readonly repeatTimes?: number;
}

/** {@link BackoffOptions} with every default filled in. */
export type ResolvedBackoff = Required<BackoffOptions>;

/** Fills in the defaults and checks the values. */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const resolved = {
    waitMinimumSeconds: options.waitMinimumSeconds ?? 10,
    randomRangeSeconds: options.randomRangeSeconds ?? 10,
    repeatTimes: options.repeatTimes ?? 5,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new WsTransportError('INVALID_OPTIONS', `backoff.${name} must be a finite number >= 0`);
    }
  }
  if (!Number.isInteger(resolved.repeatTimes)) {
    throw new WsTransportError('INVALID_OPTIONS', 'backoff.repeatTimes must be an integer');
  }
  return resolved;
}

/**
 * The wait before a reconnect attempt, in milliseconds. `failures` counts the attempts that
 * failed since the last successful connection (0 for the first reconnect after a drop).
 * `random` returns a number in [0, 1), like `Math.random`.
 */
export function backoffDelayMs(
  failures: number,
  backoff: ResolvedBackoff,
  random: () => number = Math.random,
): number {
  const doublings = Math.min(Math.max(0, failures), backoff.repeatTimes);
  const seconds =
    backoff.waitMinimumSeconds * 2 ** doublings + random() * backoff.randomRangeSeconds;
  return Math.round(seconds * 1000);
}
