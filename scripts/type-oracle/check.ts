/**
 * Type tests, compiled by `pnpm typecheck:scripts`: every message type the SDK generates equals
 * the type json-schema-to-typescript derives from the same errata-applied schema (`gen/`, written
 * by `generate.ts`). "Equals" is the compiler's identity relation, stricter than assignability
 * both ways: an optional member one side has and the other lacks, or a `readonly` on one side
 * only, also counts as a difference.
 *
 * On failure, tsc names the offending messages, e.g.
 *   Type '"BootNotificationRequest"' does not satisfy the constraint 'never'.
 * Compare `BootNotificationRequest` in `packages/v16-core/src/gen/types.ts` with the namespace
 * `BootNotification` in `gen/ocpp1.6.ts` to see where they part. A legitimate difference is declared in
 * `generate.ts` (with its reason), never by leaving a message out here.
 */
import type * as V16 from './gen/ocpp1.6.js';
import type * as V201 from './gen/ocpp2.0.1.js';
import type * as V21 from './gen/ocpp2.1.js';

/** `true` when A and B are identical types (the compiler's identity relation), else `false`. */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** The message keys either side lacks, and those whose types differ: `never` when all agree. */
type Differences<Oracle, Generated> =
  | Exclude<keyof Oracle, keyof Generated>
  | Exclude<keyof Generated, keyof Oracle>
  | {
      [K in keyof Oracle & keyof Generated]: Equals<Oracle[K], Generated[K]> extends true
        ? never
        : K;
    }[keyof Oracle & keyof Generated];

/** Compiles only when `T` is `never`; the error names what `T` holds. */
function none<_T extends never>(): void {}

none<Differences<V16.Oracle, V16.Generated>>();
none<Differences<V201.Oracle, V201.Generated>>();
none<Differences<V21.Oracle, V21.Generated>>();

// The helpers themselves: a check that cannot fail proves nothing.
interface Base {
  a: string;
  b?: number;
}
none<Differences<{ m: Base }, { m: Base }>>();
// @ts-expect-error an optional member only one side has is a difference
none<Differences<{ m: Base }, { m: { a: string } }>>();
// @ts-expect-error required versus optional is a difference
none<Differences<{ m: Base }, { m: { a: string; b: number } }>>();
// @ts-expect-error an open object versus a closed one is a difference
none<Differences<{ m: Base }, { m: Base & { [k: string]: unknown } }>>();
// @ts-expect-error a message only one side has is a difference
none<Differences<{ m: Base }, { m: Base; n: Base }>>();
