import type { MeterValue, SampledValue, StopReason, TriggerReason } from '../model.js';

/** The keys of `T` whose value may be `undefined`. */
type OptionalKeys<T> = { [K in keyof T]: undefined extends T[K] ? K : never }[keyof T];

/** `T` with every possibly-undefined property made optional (and never `undefined`). */
export type Compact<T> = { [K in Exclude<keyof T, OptionalKeys<T>>]: T[K] } & {
  [K in OptionalKeys<T>]?: Exclude<T[K], undefined>;
};

/**
 * Drops the properties whose value is `undefined`: OCPP forbids `null` for absent fields, and the
 * validators treat a present `undefined` as a value.
 */
export function compact<T extends object>(object: T): Compact<T> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const value = (object as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as Compact<T>;
}

/** The current time, RFC 3339 in UTC. */
export function now(): string {
  return new Date().toISOString();
}

/** `value × 10^multiplier` without binary noise (`1.1 × 10^3` is 1100, not 1100.0000000000002). */
export function scale(value: number, multiplier: number | undefined): number {
  if (multiplier === undefined || multiplier === 0) return value;
  return Number((value * 10 ** multiplier).toPrecision(15));
}

const ENERGY_REGISTER = 'Energy.Active.Import.Register';

/**
 * The active import energy register in Wh found in `meterValues`: the sample of `context` if one
 * exists, else the first register sample. `undefined` when there is none in Wh or kWh.
 */
export function energyRegisterWh(
  meterValues: readonly MeterValue[] | undefined,
  context: 'Transaction.Begin' | 'Transaction.End',
): number | undefined {
  if (meterValues === undefined) return undefined;
  let fallback: number | undefined;
  for (const mv of meterValues) {
    for (const s of mv.sampledValue) {
      if ((s.measurand ?? ENERGY_REGISTER) !== ENERGY_REGISTER || s.phase !== undefined) continue;
      const wh = toWh(s);
      if (wh === undefined) continue;
      if (s.context === context) return wh;
      fallback ??= wh;
    }
  }
  return fallback;
}

function toWh(sample: SampledValue): number | undefined {
  if (Number.isNaN(sample.value)) return undefined;
  const unit = sample.unit ?? 'Wh';
  if (unit === 'Wh') return scale(sample.value, sample.multiplier);
  if (unit === 'kWh') return scale(sample.value, (sample.multiplier ?? 0) + 3);
  return undefined;
}

/** The energy register sample a 2.x station adds for `meterStart` / `meterStop`. */
export function energySample(
  valueWh: number,
  context: 'Transaction.Begin' | 'Transaction.End',
): SampledValue {
  return { value: valueWh, context, measurand: ENERGY_REGISTER };
}

/** The trigger reason that goes with a stop reason (1.6 lift of StopTransaction, 2.x stop default). */
export function triggerForStop(reason: StopReason): TriggerReason {
  switch (reason) {
    case 'Remote':
      return 'RemoteStop';
    case 'Local':
    case 'MasterPass':
      return 'StopAuthorized';
    case 'DeAuthorized':
      return 'Deauthorized';
    case 'EVDisconnected':
      return 'EVCommunicationLost';
    case 'UnlockCommand':
      return 'UnlockCommand';
    case 'HardReset':
    case 'SoftReset':
    case 'ImmediateReset':
      return 'ResetCommand';
    case 'EnergyLimitReached':
      return 'EnergyLimitReached';
    case 'TimeLimitReached':
      return 'TimeLimitReached';
    case 'Timeout':
      return 'EVConnectTimeout';
    default:
      return 'AbnormalCondition';
  }
}

/** Membership test against a generated enum object. */
export function inEnum<T extends string>(
  values: Readonly<Record<string, T>>,
): (value: string) => value is T {
  const set = new Set<string>(Object.values(values));
  return (value: string): value is T => set.has(value);
}

/**
 * Applies `f` to a value or to what a promise (any thenable) resolves to, without a promise for
 * plain values. Not named `then`: a module exporting `then` becomes a thenable itself.
 */
export function andThen<T, U>(value: T | PromiseLike<T>, f: (value: T) => U): U | Promise<U> {
  if (typeof (value as PromiseLike<T> | null)?.then === 'function')
    return Promise.resolve(value as PromiseLike<T>).then(f);
  return f(value as T);
}
