import { MAX_ERROR_DESCRIPTION_LENGTH } from './limits.js';
import type { OcppVersion } from './versions.js';

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

/**
 * How deeply arrays and objects may nest in a frame, the frame's own array included, unless the
 * receiver sets another limit. The deepest message of the official schemas nests 13 levels (2.0.1
 * ReportChargingProfiles, frame included); the rest leaves room for vendor `customData` and
 * DataTransfer `data`. A deeper frame is refused before it is parsed: `JSON.stringify` and any
 * recursive walk of such a value overflow the stack, and parsing 500,000 levels alone blocks the
 * event loop for a third of a second.
 */
export const DEFAULT_MAX_FRAME_DEPTH = 64;

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

/** A frame read from the wire, as a tagged object. */
export type ParsedFrame =
  | { readonly type: 2; readonly id: string; readonly action: string; readonly payload: unknown }
  | { readonly type: 3; readonly id: string; readonly payload: unknown }
  | {
      readonly type: 4 | 5;
      readonly id: string;
      readonly code: string;
      readonly description: string;
      readonly details: Record<string, unknown>;
    }
  | { readonly type: 6; readonly id: string; readonly action: string; readonly payload: unknown };

/** The CALLERROR a receiver owes for a frame it could not accept. */
export interface FrameReply {
  readonly id: string;
  readonly code: string;
  readonly description: string;
}

/** Why {@link readFrame} or {@link parseFrame} refused a frame, and what (if anything) to answer. */
export interface FrameRefusal {
  readonly ok: false;
  readonly reason: string;
  readonly reply?: FrameReply;
  /**
   * Set when a CALLRESULT, CALLERROR or CALLRESULTERROR with a readable id was refused for its
   * content (nested too deeply): the receiver may fail the call of that id at once instead of
   * letting it time out.
   */
  readonly answers?: { readonly type: 3 | 4 | 5; readonly id: string };
}

/** Outcome of {@link parseFrame}: the frame, or why it was refused and what (if anything) to answer. */
export type FrameParseResult = { readonly ok: true; readonly frame: ParsedFrame } | FrameRefusal;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refuse(reason: string, reply?: FrameReply): FrameRefusal {
  return reply === undefined ? { ok: false, reason } : { ok: false, reason, reply };
}

/** A short, bounded account of a value the peer sent, for a refusal's reason and description. */
function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return String(value);
    case 'string':
      return JSON.stringify(value.length > 40 ? `${truncateChars(value, 40)}…` : value);
    case 'boolean':
      return String(value);
    default:
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : `an ${typeof value}`;
  }
}

/**
 * True when arrays and objects in `text` nest deeper than `max` (brackets inside strings do not
 * count). Linear, no recursion, nothing allocated: string contents are skipped with `indexOf`.
 * Unbalanced text is the JSON parser's business.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: its closing quote is the next one not escaped by an odd run of `\`.
      let j = text.indexOf('"', i + 1);
      while (j !== -1) {
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((j - k) % 2 === 1) break;
        j = text.indexOf('"', j + 1);
      }
      if (j === -1) return false;
      i = j;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * The longest message id a refusal reads and echoes back. An id of 37 to 80 characters breaks the
 * 36-character rule but is still a plausible id the peer can correlate its CALLERROR with (a UUID
 * in braces is 38); a longer one is treated as unreadable, as the spec treats an id it cannot
 * read (2.x answers with id "-1"), so an answer never carries the peer's bulk back.
 */
const MAX_READABLE_ID_LENGTH = 80;

/** The message id of a frame when it can be read: a non-empty string of at most 80 characters. */
function readableId(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= MAX_READABLE_ID_LENGTH
    ? value
    : undefined;
}

/**
 * Judges a frame by its head alone (message type and id), the same way whether or not the rest
 * was parsed: refuses an unknown message type, an unreadable id and an id over 36 characters, and
 * returns the id of a known message type with a valid id.
 */
function checkHead(
  type: unknown,
  id: string | undefined,
  version: OcppVersion,
): FrameRefusal | string {
  const v2 = version !== '1.6';
  const known =
    type === 2 || type === 3 || type === 4 || (version === '2.1' && (type === 5 || type === 6));
  if (!known) {
    const shown = describeValue(type);
    const reason = `message type ${shown} is not supported by OCPP ${version}`;
    return version === '2.0.1'
      ? refuse(reason, {
          id: id ?? '-1',
          code: 'MessageTypeNotSupported',
          description: `Message type ${shown} is not supported`,
        })
      : refuse(reason);
  }
  if (id === undefined) {
    const reason = 'message id is missing, not a non-empty string, or over 80 characters';
    return refuse(
      reason,
      v2 && type === 2
        ? { id: '-1', code: 'RpcFrameworkError', description: 'MessageId could not be read' }
        : undefined,
    );
  }
  if (id.length > MAX_MESSAGE_ID_LENGTH) {
    const reason = 'message id is longer than 36 characters';
    // Only a CALL is answered; any other frame with an over-long id cannot be ours and gets no reply.
    return type === 2
      ? refuse(reason, {
          id,
          code: v2 ? 'RpcFrameworkError' : 'ProtocolError',
          description: 'Message id is longer than 36 characters',
        })
      : refuse(reason);
  }
  return id;
}

/**
 * `[type, "id"` at the start of a frame, read without parsing the rest. The id is captured when
 * its text is short enough to decode to at most 80 characters (six per `\uXXXX` escape).
 */
const FRAME_HEAD = /^\s*\[\s*(0|[1-9]\d{0,15})\s*,\s*(?:"((?:[^"\\]|\\.){1,480})")?/;

/**
 * Refuses a frame nested deeper than `max` without parsing it: the message type and id are read
 * from its head and judged as {@link readFrame} judges them, so a CALL still gets its CALLERROR
 * and a reply is recognised.
 */
function refuseDeep(text: string, version: OcppVersion, max: number): FrameRefusal {
  const reason = `frame nests arrays or objects deeper than ${max} levels`;
  const v2 = version !== '1.6';
  const head = FRAME_HEAD.exec(text);
  if (head === null) {
    // No message type to go by: as for a frame that is not an OCPP-J array.
    return refuse(
      reason,
      v2
        ? { id: '-1', code: 'RpcFrameworkError', description: `Frame nests deeper than ${max}` }
        : undefined,
    );
  }
  const type = Number(head[1]);
  let id: string | undefined;
  if (head[2] !== undefined) {
    try {
      id = readableId(JSON.parse(`"${head[2]}"`));
    } catch {
      id = undefined;
    }
  }
  const checked = checkHead(type, id, version);
  if (typeof checked !== 'string') return checked;
  if (type === 6) return refuse(reason);
  if (type === 2) {
    return refuse(reason, {
      id: checked,
      code: v2 ? 'FormatViolation' : 'FormationViolation',
      description: `Payload nests arrays or objects deeper than ${max} levels`,
    });
  }
  return { ok: false, reason, answers: { type: type as 3 | 4 | 5, id: checked } };
}

/**
 * Parses one text frame the way a receiver of `version` must (OCPP-J §4; 2.x Part 4 §4):
 *
 * - not JSON, not an array, or no readable message id (missing, not a string, empty, or over 80
 *   characters, too long to be worth echoing): 2.x answers `RpcFrameworkError` with id `"-1"`;
 *   1.6 has nothing to correlate an answer with, so the frame is dropped;
 * - an unknown message type number (and 5/6 outside 2.1): 2.0.1 answers
 *   `MessageTypeNotSupported` (with id `"-1"` when unreadable); 1.6 and 2.1 ignore the message;
 * - a CALL with an id of 37 to 80 characters: `ProtocolError` (1.6) / `RpcFrameworkError` (2.x)
 *   with that id;
 * - a CALL of the wrong shape: `FormationViolation` (1.6) / `RpcFrameworkError` (2.x);
 * - a malformed CALLRESULT, CALLERROR, CALLRESULTERROR or SEND is never answered.
 *
 * The payload is not checked here: schema validation decides about it.
 */
export function parseFrame(
  text: string,
  version: OcppVersion,
  maxDepth: number = DEFAULT_MAX_FRAME_DEPTH,
): FrameParseResult {
  const frame = readFrame(text, version, maxDepth);
  if (!Array.isArray(frame)) return frame as FrameRefusal;
  return { ok: true, frame: toParsedFrame(frame as Frame) };
}

function toParsedFrame(frame: Frame): ParsedFrame {
  switch (frame[0]) {
    case 2:
    case 6:
      return { type: frame[0], id: frame[1], action: frame[2], payload: frame[3] };
    case 3:
      return { type: 3, id: frame[1], payload: frame[2] };
    default:
      return {
        type: frame[0],
        id: frame[1],
        code: frame[2],
        description: frame[3],
        details: frame[4],
      };
  }
}

/**
 * {@link parseFrame} without the tagged object: the frame is the parsed JSON array itself (a
 * CALLERROR or CALLRESULTERROR with its description and details filled in), so a receiver on a
 * hot path allocates nothing beyond what `JSON.parse` builds. Tell the outcomes apart with
 * `Array.isArray`; the same rules decide what is refused and what is answered.
 *
 * Total: no input makes it throw. A frame nesting deeper than `maxDepth` is refused unparsed; a
 * CALL among them is answered `FormationViolation` (1.6) / `FormatViolation` (2.x) when its id
 * can be read from the frame's head, and anything unreadable as a frame without a correlatable
 * id is.
 */
export function readFrame(
  text: string,
  version: OcppVersion,
  maxDepth: number = DEFAULT_MAX_FRAME_DEPTH,
): Frame | FrameRefusal {
  const v2 = version !== '1.6';
  // Each level takes two characters: a short frame cannot nest too deeply.
  if (text.length > 2 * maxDepth && nestsDeeperThan(text, maxDepth)) {
    return refuseDeep(text, version, maxDepth);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refuse(
      'frame is not valid JSON',
      v2
        ? { id: '-1', code: 'RpcFrameworkError', description: 'Frame is not valid JSON' }
        : undefined,
    );
  }
  if (!Array.isArray(value) || value.length === 0) {
    return refuse(
      'frame is not an OCPP-J array',
      v2
        ? {
            id: '-1',
            code: 'RpcFrameworkError',
            description: 'Frame is not an OCPP-J message array',
          }
        : undefined,
    );
  }
  const type: unknown = value[0];
  const id = checkHead(type, readableId(value[1]), version);
  if (typeof id !== 'string') return id;
  switch (type) {
    case 2: {
      if (value.length !== 4 || typeof value[2] !== 'string' || value[2] === '') {
        return refuse('CALL is not [2, id, action, payload]', {
          id,
          code: v2 ? 'RpcFrameworkError' : 'FormationViolation',
          description: 'CALL must be [2, messageId, action, payload]',
        });
      }
      return value as unknown as CallFrame;
    }
    case 3:
      if (value.length !== 3) return refuse('CALLRESULT is not [3, id, payload]');
      return value as unknown as CallResultFrame;
    case 4:
    case 5: {
      const [, , code, description = '', details = {}] = value as unknown[];
      if (
        value.length < 3 ||
        value.length > 5 ||
        typeof code !== 'string' ||
        typeof description !== 'string' ||
        !isObject(details)
      ) {
        return refuse(
          `${type === 4 ? 'CALLERROR' : 'CALLRESULTERROR'} is not [${type}, id, code, description, details]`,
        );
      }
      return [type, id, code, description, details];
    }
    default: {
      if (value.length !== 4 || typeof value[2] !== 'string' || value[2] === '') {
        return refuse('SEND is not [6, id, action, payload]');
      }
      return value as unknown as SendFrame;
    }
  }
}

/** `[2, id, action, payload]` as text. */
export function serializeCall(id: string, action: string, payload: unknown): string {
  return JSON.stringify([2, id, action, payload]);
}

/** `[3, id, payload]` as text. */
export function serializeCallResult(id: string, payload: unknown): string {
  return JSON.stringify([3, id, payload]);
}

function errorFrame(
  type: 4 | 5,
  id: string,
  code: string,
  description: string,
  details: Record<string, unknown>,
): string {
  const text = truncateChars(description, MAX_ERROR_DESCRIPTION_LENGTH);
  return JSON.stringify([type, id, code, text, details]);
}

/**
 * Cuts a string to at most `max` characters (code points, as OCPP's string[n] counts), never
 * splitting a surrogate pair; lone surrogates become U+FFFD so the result is well-formed.
 */
export function truncateChars(text: string, max: number): string {
  if (text.length <= max && !SURROGATE.test(text)) return text;
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n === max) break;
    const c = ch.charCodeAt(0);
    // A lone surrogate (not half of a pair) is not a character: replace it.
    out += ch.length === 1 && c >= 0xd800 && c <= 0xdfff ? '\ufffd' : ch;
    n++;
  }
  return out;
}

const SURROGATE = /[\ud800-\udfff]/;

/** `[4, id, code, description, details]` as text; the description is cut to 255 characters. */
export function serializeCallError(
  id: string,
  code: string,
  description = '',
  details: Record<string, unknown> = {},
): string {
  return errorFrame(4, id, code, description, details);
}

/** `[5, id, code, description, details]` as text (2.1). */
export function serializeCallResultError(
  id: string,
  code: string,
  description = '',
  details: Record<string, unknown> = {},
): string {
  return errorFrame(5, id, code, description, details);
}

/** `[6, id, action, payload]` as text (2.1). */
export function serializeSend(id: string, action: string, payload: unknown): string {
  return JSON.stringify([6, id, action, payload]);
}

/** The default message id generator: a random UUID (version 4), 36 characters. */
export function randomMessageId(): string {
  return globalThis.crypto.randomUUID();
}
