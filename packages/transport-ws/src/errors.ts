/**
 * The stable codes of {@link WsTransportError}. Documented in one place: the package README,
 * section "Error codes".
 */
export type WsTransportErrorCode =
  | 'INVALID_OPTIONS'
  | 'HANDSHAKE_REJECTED'
  | 'NO_SUBPROTOCOL'
  | 'SUBPROTOCOL_MISMATCH'
  | 'CONNECT_FAILED'
  | 'PONG_TIMEOUT'
  | 'BINARY_FRAME'
  | 'MESSAGE_TOO_BIG'
  | 'PROTOCOL_ERROR'
  | 'SOCKET_ERROR'
  | 'SEND_BUFFER_FULL'
  | 'NOT_OPEN'
  | 'CLOSED';

const BRAND = Symbol.for('@ocpp/transport-ws.WsTransportError');

/** Extra facts an error may carry. */
export interface WsTransportErrorOptions {
  /** The HTTP status of a rejected handshake (`HANDSHAKE_REJECTED`). */
  readonly status?: number;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * A failure of the WebSocket transport. Match on `code`, not on the message.
 *
 * A server's `authenticate` hook may throw one with code `HANDSHAKE_REJECTED` and a `status` to
 * choose the HTTP status of the refusal (404 for an unknown station, for example).
 */
export class WsTransportError extends Error {
  override readonly name = 'WsTransportError';
  /** Stable, documented code. */
  readonly code: WsTransportErrorCode;
  /** HTTP status of a rejected handshake; `undefined` otherwise. */
  readonly status: number | undefined;
  readonly [BRAND] = true;

  constructor(code: WsTransportErrorCode, message: string, options: WsTransportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }
}

/** True for a {@link WsTransportError}, also one created by another copy of this package. */
export function isWsTransportError(value: unknown): value is WsTransportError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}
