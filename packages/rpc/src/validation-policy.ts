/**
 * How a payload that fails its schema is treated:
 * - `strict`: refused (inbound: CALLERROR with the version's code; outbound: the call rejects);
 * - `lenient`: accepted, and the issues are reported through the session's `validation` event;
 * - `off`: not validated.
 */
export type ValidationMode = 'strict' | 'lenient' | 'off';

/** Validation modes per direction, with per-action overrides. */
export interface ValidationPolicy {
  /**
   * What the peer sends us: CALL and SEND requests, and replies to our calls.
   * @default 'strict'
   */
  readonly inbound?: ValidationMode;
  /**
   * What we send: our requests, and the responses our handlers return.
   * @default 'strict'
   */
  readonly outbound?: ValidationMode;
  /** Overrides for single actions, e.g. `{ MeterValues: { inbound: 'lenient' } }`. */
  readonly actions?: Readonly<
    Record<string, { readonly inbound?: ValidationMode; readonly outbound?: ValidationMode }>
  >;
}

/** The mode that applies to one action in one direction. */
export function modeFor(
  policy: ValidationPolicy | undefined,
  action: string,
  direction: 'inbound' | 'outbound',
): ValidationMode {
  const override = policy?.actions?.[action]?.[direction];
  return override ?? policy?.[direction] ?? 'strict';
}
