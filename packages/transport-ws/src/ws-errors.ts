import { WsTransportError, type WsTransportErrorCode } from './errors.js';

function errorCodeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Translates an error `ws` emits into a {@link WsTransportError}. */
export function fromWsError(error: Error): WsTransportError {
  const code = errorCodeOf(error);
  let ours: WsTransportErrorCode = 'SOCKET_ERROR';
  if (
    code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ||
    code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH'
  ) {
    ours = 'MESSAGE_TOO_BIG';
  } else if (code?.startsWith('WS_ERR_')) {
    ours = 'PROTOCOL_ERROR';
  }
  return new WsTransportError(ours, error.message, { cause: error });
}

/**
 * The close code `ws` sends when it drops a connection over a frame error, or `undefined` for
 * errors that are not about a frame. `ws` stops reading after such an error, so the close event
 * would only say 1006; the transport reports this code instead.
 */
export function wsErrorCloseCode(error: Error): number | undefined {
  const code = errorCodeOf(error);
  if (code === undefined || !code.startsWith('WS_ERR_')) return undefined;
  switch (code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return 1009;
    case 'WS_ERR_INVALID_UTF8':
      return 1007;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 1008;
    default:
      return 1002;
  }
}
