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
export { isDateTime, isMultipleOf, isUri, maxChars, minChars } from './formats.js';
export {
  type CallErrorFrame,
  type CallFrame,
  type CallResultErrorFrame,
  type CallResultFrame,
  type Frame,
  MAX_MESSAGE_ID_LENGTH,
  MessageType,
  type SendFrame,
} from './frames.js';
export {
  type KeyTable,
  type SnakeCased,
  type SnakeKey,
  snakeKey,
  toCamelCase,
  toSnakeCase,
} from './keys.js';
export {
  type ActionDescriptor,
  type ActionKind,
  type ActionMapShape,
  type ActionRegistry,
  type ActionsSentBy,
  type ActionTypes,
  defineProtocol,
  type MessageDescriptor,
  type MessagePart,
  type Protocol,
} from './protocol.js';
export {
  at,
  codePointLength,
  type FastValidator,
  finishIssue,
  issueExtra,
  issueRequired,
  issueType,
  issueValue,
  kindOfKeyword,
  kindOfZodIssue,
  type RawIssue,
  type SchemaKeyword,
  toPointer,
  type ValidationIssue,
  type ValidationResult,
} from './validation.js';
export {
  type Direction,
  type OcppSubprotocol,
  type OcppVersion,
  type Role,
  SUBPROTOCOLS,
} from './versions.js';
