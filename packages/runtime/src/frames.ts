/** OCPP-J message type numbers (5 and 6 exist only in OCPP 2.1). */
export const MessageType = {
  CALL: 2,
  CALLRESULT: 3,
  CALLERROR: 4,
  CALLRESULTERROR: 5,
  SEND: 6,
} as const;

/** An OCPP-J message type number. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The longest message id the spec allows ("to allow for GUIDs/UUIDs"). */
export const MAX_MESSAGE_ID_LENGTH = 36;

/** `[2, messageId, action, payload]` */
export type CallFrame = readonly [2, string, string, unknown];
/** `[3, messageId, payload]` */
export type CallResultFrame = readonly [3, string, unknown];
/** `[4, messageId, errorCode, errorDescription, errorDetails]` */
export type CallErrorFrame = readonly [4, string, string, string, Record<string, unknown>];
/** `[5, messageId, errorCode, errorDescription, errorDetails]` (2.1 only) */
export type CallResultErrorFrame = readonly [5, string, string, string, Record<string, unknown>];
/** `[6, messageId, action, payload]` (2.1 only; no reply) */
export type SendFrame = readonly [6, string, string, unknown];

/** Any OCPP-J frame. */
export type Frame = CallFrame | CallResultFrame | CallErrorFrame | CallResultErrorFrame | SendFrame;
