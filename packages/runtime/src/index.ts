export {
  ERROR_CODES,
  type ErrorCodeOf,
  normalizeErrorCode,
  type OcppErrorCode,
  V2_ERROR_CODES,
  V16_ERROR_CODES,
  type V16ErrorCode,
  type V21ErrorCode,
  type V201ErrorCode,
  type ViolationKind,
  violationCode,
} from './error-codes.js';
export {
  isOcppCallError,
  isOcppSdkError,
  OcppCallError,
  OcppSdkError,
  type OcppSdkErrorCode,
} from './errors.js';
export {
  type CallErrorFrame,
  type CallFrame,
  type CallResultErrorFrame,
  type CallResultFrame,
  DEFAULT_MAX_FRAME_DEPTH,
  type Frame,
  type FrameParseResult,
  type FrameRefusal,
  type FrameReply,
  MAX_MESSAGE_ID_LENGTH,
  MessageType,
  nestsDeeperThan,
  type ParsedFrame,
  parseFrame,
  randomMessageId,
  readFrame,
  type SendFrame,
  serializeCall,
  serializeCallError,
  serializeCallResult,
  serializeCallResultError,
  serializeSend,
  truncateChars,
} from './frames.js';
export {
  type KeyTable,
  type SnakeCased,
  type SnakeKey,
  snakeKey,
  toCamelCase,
  toSnakeCase,
} from './keys.js';
export { MAX_ERROR_DESCRIPTION_LENGTH } from './limits.js';
export { wholeOption } from './options.js';
export type {
  ActionDescriptor,
  ActionKind,
  ActionMapShape,
  ActionRegistry,
  ActionsSentBy,
  ActionTypes,
  MessageDescriptor,
  MessagePart,
  Protocol,
} from './protocol.js';
export { escapeControls } from './text.js';
export {
  type FastValidator,
  kindOfZodIssue,
  type RawIssue,
  type SchemaKeyword,
  type ValidationFailure,
  type ValidationIssue,
  type ValidationResult,
} from './validation.js';
export {
  type Direction,
  isSentBy,
  OCPP_SUBPROTOCOLS,
  type OcppSubprotocol,
  type OcppVersion,
  type Role,
  SUBPROTOCOLS,
  versionOf,
} from './versions.js';
