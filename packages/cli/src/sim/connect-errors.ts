import { isOcppCallError, isOcppSdkError } from '@ocpp/runtime';
import { isWsTransportError } from '@ocpp/transport-ws';

const HTTP_TEXT: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized: wrong or missing Basic-auth credentials',
  403: 'forbidden',
  404: 'not found: unknown station or wrong path',
  409: 'conflict: the identity is already connected',
  503: 'service unavailable',
};

const SOCKET_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EMFILE: 'too many open files (raise ulimit -n)',
  EADDRNOTAVAIL: 'no local address/port available',
  // OpenSSL read something that is not TLS: a wss:// URL pointing at a plain ws:// server.
  EPROTO: 'TLS: EPROTO (no TLS handshake: does the CSMS serve wss://?)',
};

/** The code of the first underlying error (errno such as `ECONNREFUSED`, or an OpenSSL code). */
function causeCode(e: unknown): string | undefined {
  let cause: unknown = (e as { cause?: unknown }).cause;
  for (let depth = 0; depth < 4 && typeof cause === 'object' && cause !== null; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A short reason for a failed connection, the same for every station that failed the same way
 * (the summary counts them): `HTTP 401 unauthorized: ...`, `connection refused`,
 * `subprotocol refused: the CSMS does not speak ocpp1.6`, `TLS: DEPTH_ZERO_SELF_SIGNED_CERT`, ...
 */
export function describeConnectError(e: unknown, protocol: string): string {
  if (isWsTransportError(e)) {
    switch (e.code) {
      case 'HANDSHAKE_REJECTED': {
        const status = e.status ?? 0;
        return `HTTP ${status}${HTTP_TEXT[status] === undefined ? '' : ` ${HTTP_TEXT[status]}`}`;
      }
      case 'NO_SUBPROTOCOL':
        return `subprotocol refused: the CSMS does not speak ${protocol}`;
      case 'SUBPROTOCOL_MISMATCH':
        return `the CSMS chose a subprotocol other than ${protocol}`;
      case 'CONNECT_FAILED': {
        const code = causeCode(e);
        if (code !== undefined) {
          if (SOCKET_TEXT[code] !== undefined) return SOCKET_TEXT[code];
          if (!code.startsWith('E') || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))
            return `TLS: ${code}`;
          return code;
        }
        return /timed? ?out|timeout/i.test(e.message) ? 'opening handshake timed out' : e.message;
      }
      default:
        return `${e.code}: ${e.message}`;
    }
  }
  if (isOcppCallError(e)) return `CALLERROR ${e.code}`;
  if (isOcppSdkError(e)) return e.code;
  return e instanceof Error ? e.message : String(e);
}

/** True when every station would fail the same way (wrong URL, credentials, version or TLS). */
export function isFatalConnectError(reason: string): boolean {
  return (
    reason.startsWith('HTTP 40') ||
    reason.startsWith('subprotocol') ||
    reason.startsWith('the CSMS chose') ||
    reason.startsWith('TLS') ||
    reason === 'connection refused' ||
    reason === 'host not found' ||
    reason === 'host name lookup failed' ||
    reason === 'host unreachable' ||
    reason === 'network unreachable'
  );
}
