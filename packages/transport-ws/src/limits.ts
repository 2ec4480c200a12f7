import { WsTransportError } from './errors.js';

/** The default largest inbound message of a server and a client: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** The default send-buffer limit of a server's connections and of a client: 4 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Resolves `maxBufferedBytes`: by default 4 MiB, or `maxMessageBytes` when that is larger; a
 * value below `maxMessageBytes` is refused (a message larger than the limit could never be sent).
 */
export function checkBufferLimit(value: number | undefined, maxMessageBytes: number): number {
  if (value === undefined) return Math.max(DEFAULT_MAX_BUFFERED_BYTES, maxMessageBytes);
  if (!Number.isSafeInteger(value) || value < maxMessageBytes) {
    throw new WsTransportError(
      'INVALID_OPTIONS',
      `maxBufferedBytes must be an integer >= maxMessageBytes (${maxMessageBytes})`,
    );
  }
  return value;
}
