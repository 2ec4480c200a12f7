import type { OcppErrorCode } from './error-codes.js';

/**
 * The error codes of failures that never cross the wire. Documented in one place:
 * the runtime README, section "Error codes".
 */
export type OcppSdkErrorCode =
  | 'TIMEOUT'
  | 'NOT_CONNECTED'
  | 'CONNECTION_CLOSED'
  | 'VALIDATION_FAILED'
  | 'ABORTED'
  | 'QUEUE_FULL'
  | 'UNKNOWN_ACTION'
  | 'INVALID_FRAME'
  | 'UNSUPPORTED_BY_VERSION'
  | 'KEPT'
  | 'KEY_COLLISION'
  | 'INVALID_ARGUMENT'
  | 'INVALID_STATE';

const CALL_ERROR_BRAND = Symbol.for('@ocpp/runtime.OcppCallError');
const SDK_ERROR_BRAND = Symbol.for('@ocpp/runtime.OcppSdkError');

/** A CALLERROR: received from the peer, or thrown by a handler to choose the code sent back. */
export class OcppCallError<Code extends string = OcppErrorCode> extends Error {
  override readonly name = 'OcppCallError';
  /** The CALLERROR code, spelled as the negotiated version spells it. */
  readonly code: Code;
  /** The errorDescription field; an empty string when the peer sent none. */
  readonly description: string;
  /** The errorDetails object; `{}` when empty. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly [CALL_ERROR_BRAND] = true;

  constructor(code: Code, description = '', details: Readonly<Record<string, unknown>> = {}) {
    super(description === '' ? code : `${code}: ${description}`);
    this.code = code;
    this.description = description;
    this.details = details;
  }
}

/** A local failure of the SDK (timeout, closed connection, invalid payload, ...). */
export class OcppSdkError extends Error {
  override readonly name = 'OcppSdkError';
  /** Stable, documented code; match on this, not on the message. */
  readonly code: OcppSdkErrorCode;
  readonly [SDK_ERROR_BRAND] = true;

  constructor(code: OcppSdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True for an {@link OcppCallError}, also one created by another copy of this package. */
export function isOcppCallError(value: unknown): value is OcppCallError<string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[CALL_ERROR_BRAND] === true
  );
}

/** True for an {@link OcppSdkError}, also one created by another copy of this package. */
export function isOcppSdkError(value: unknown): value is OcppSdkError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[SDK_ERROR_BRAND] === true
  );
}
