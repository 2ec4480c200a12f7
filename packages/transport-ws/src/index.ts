export {
  type BasicCredentials,
  basicAuthHeader,
  type CertificateLike,
  certificateMatchesIdentity,
  parseBasicAuth,
  safeEqual,
} from './auth.js';
export {
  type BackoffOptions,
  backoffDelayMs,
  type ResolvedBackoff,
  resolveBackoff,
} from './backoff.js';
export {
  type ClientTimers,
  createWsClient,
  type ReconnectingEvent,
  stationUrl,
  type WsClientEvents,
  type WsClientOptions,
  WsClientTransport,
} from './client.js';
export {
  isWsTransportError,
  WsTransportError,
  type WsTransportErrorCode,
  type WsTransportErrorOptions,
} from './errors.js';
export {
  checkV2Identity,
  encodeIdentity,
  MAX_IDENTITY_LENGTH_V2,
  OCPP_SUBPROTOCOLS,
} from './identity.js';
export {
  type AuthenticateContext,
  type AuthenticateHook,
  createWsServer,
  type HandshakeRejection,
  WsServer,
  type WsServerEvents,
  type WsServerOptions,
} from './server.js';
export {
  OCPP_TLS_CIPHERS,
  type SecurityProfile,
  type TlsServerOptionsInput,
  tlsServerOptions,
} from './tls.js';
