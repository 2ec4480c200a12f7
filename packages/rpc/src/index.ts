export { Emitter } from '@ocpp/transport';
export {
  type CallDecision,
  type CallDecisionInput,
  decideCall,
  type RefusalReason,
} from './decide.js';
export { defaultLogger, type Logger, silentLogger } from './logger.js';
export {
  type CallOutcome,
  KeptError,
  Line,
  MemoryQueue,
  type OutboundQueue,
  type QueuedCall,
  type QueueHost,
} from './outbound.js';
export {
  type AfterHook,
  createRouter,
  type Handler,
  type HandlerContext,
  type HandlerResult,
  type InboundCall,
  Router,
  type Service,
} from './router.js';
export {
  CsmsServer,
  type CsmsServerEvents,
  type CsmsServerOptions,
  type CsmsSessionOf,
  type CsmsSessionSettings,
  type StationDirectory,
} from './server.js';
export { log, timeout } from './services.js';
export {
  type CallOptions,
  type ConnectFailure,
  type ConnectFailureKind,
  OcppSession,
  type SessionEvents,
  type SessionOptions,
  type UnexpectedFrameEvent,
  type ValidationEvent,
} from './session.js';
export type {
  AnyProtocol,
  CallableBy,
  HandledBy,
  PeerOf,
  Role,
  SendableBy,
  SubprotocolOf,
} from './types.js';
export { modeFor, type ValidationMode, type ValidationPolicy } from './validation-policy.js';
