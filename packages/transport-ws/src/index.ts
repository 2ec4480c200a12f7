export {
  type BasicCredentials,
  basicAuthHeader,
  type CertificateLike,
  type ClientCertificatePolicy,
  type ClientKeyMinimums,
  certificateKeyProblem,
  certificateMatchesIdentity,
  type IdentityMatchOptions,
  parseBasicAuth,
  safeEqual,
} from './auth.js';
export {
  type BackoffOptions,
  backoffDelayMs,
  type ResolvedBackoff,
  resolveBackoff,
} from './backoff.js';
export type { AuthFailureLimit } from './brake.js';
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
  checkIdentityControls,
  checkV2Identity,
  DEFAULT_IDENTITY_PATTERN_V16,
  DEFAULT_MAX_IDENTITY_LENGTH_V16,
  displayIdentity,
  encodeIdentity,
  MAX_IDENTITY_LENGTH_V2,
  OCPP_SUBPROTOCOLS,
  type V16IdentityRules,
  v16IdentityCheck,
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
  type CertificateKeyPair,
  OCPP_REQUIRED_TLS12_SUITES,
  OCPP_TLS_CIPHERS,
  type SecurityProfile,
  type TlsServerOptionsInput,
  tlsServerOptions,
} from './tls.js';
