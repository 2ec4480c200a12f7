/**
 * What the spec allows a session to answer to one frame, written from OCPP-J 1.6 §4 and 2.0.1/2.1
 * Part 4 §4 (see /shared/OCPP-SPEC-NOTES.md B.2–B.6), independently of how the session is written.
 * The fuzzer feeds a frame, collects the answers and asks {@link judge} what is wrong with them.
 */
import type { AnyProtocol, Role } from '@ocpp/rpc';
import { type Direction, isSentBy, type OcppVersion } from '@ocpp/runtime';

/** The error codes of each version, written out from the spec tables (OCPP-J 1.6 §4.2.3, Part 4 §4.3). */
export const SPEC_ERROR_CODES: Readonly<Record<OcppVersion, ReadonlySet<string>>> = {
  '1.6': new Set([
    'NotImplemented',
    'NotSupported',
    'InternalError',
    'ProtocolError',
    'SecurityError',
    'FormationViolation',
    'PropertyConstraintViolation',
    'OccurenceConstraintViolation',
    'TypeConstraintViolation',
    'GenericError',
  ]),
  '2.0.1': new Set([
    'FormatViolation',
    'GenericError',
    'InternalError',
    'MessageTypeNotSupported',
    'NotImplemented',
    'NotSupported',
    'OccurrenceConstraintViolation',
    'PropertyConstraintViolation',
    'ProtocolError',
    'RpcFrameworkError',
    'SecurityError',
    'TypeConstraintViolation',
  ]),
  '2.1': new Set([
    'FormatViolation',
    'GenericError',
    'InternalError',
    'MessageTypeNotSupported',
    'NotImplemented',
    'NotSupported',
    'OccurrenceConstraintViolation',
    'PropertyConstraintViolation',
    'ProtocolError',
    'RpcFrameworkError',
    'SecurityError',
    'TypeConstraintViolation',
  ]),
};

/** Codes that are spelled differently per version: a receiver reads either spelling. */
const SPELLINGS: Readonly<Record<string, { readonly v16: string; readonly v2: string }>> = {
  FormationViolation: { v16: 'FormationViolation', v2: 'FormatViolation' },
  FormatViolation: { v16: 'FormationViolation', v2: 'FormatViolation' },
  OccurenceConstraintViolation: {
    v16: 'OccurenceConstraintViolation',
    v2: 'OccurrenceConstraintViolation',
  },
  OccurrenceConstraintViolation: {
    v16: 'OccurenceConstraintViolation',
    v2: 'OccurrenceConstraintViolation',
  },
};

/** The code a received CALLERROR must surface as: the version's spelling, else GenericError. */
export function expectedInboundCode(version: OcppVersion, code: string): string {
  const alias = SPELLINGS[code];
  if (alias !== undefined) return version === '1.6' ? alias.v16 : alias.v2;
  return SPEC_ERROR_CODES[version].has(code) ? code : 'GenericError';
}

/** The DataTransfer vendorIds whose handler fails on purpose (see src/fixtures.ts). */
export const FAILING_VENDORS: ReadonlySet<string> = new Set([
  'throw',
  'throw-string',
  'security',
  'format',
  'formation',
  'occurrence',
  'occurence',
  'rpc',
  'bogus',
  'long',
  'invalid',
]);

/** What kind of frame arrived, read the way the spec defines the frame layout. */
export type FrameKind =
  /** Not JSON, not an array, or an empty array. */
  | { readonly kind: 'garbage' }
  /** A CALL with a readable id of at most 36 characters, four elements and an action string. */
  | {
      readonly kind: 'call';
      readonly id: string;
      readonly action: string;
      readonly payload: unknown;
    }
  /** Message type 2 otherwise. */
  | { readonly kind: 'bad-call'; readonly id: string | undefined }
  /** CALLRESULT, CALLERROR (and CALLRESULTERROR in 2.1), well-formed or not. */
  | {
      readonly kind: 'reply';
      readonly type: number;
      readonly id: string | undefined;
      readonly frame: readonly unknown[];
    }
  /** A 2.1 SEND, well-formed or not. */
  | { readonly kind: 'send'; readonly id: string | undefined; readonly frame: readonly unknown[] }
  /** A message type number the version does not define. */
  | { readonly kind: 'unknown-type'; readonly id: string | undefined; readonly length: number };

/**
 * The longest message id an answer may be expected to echo. The spec caps ids at 36 characters
 * and says to answer with "-1" when the id cannot be read (2.x), or lets the receiver drop a
 * message that is not valid OCPP; an id far over the cap is read as unreadable, so the receiver
 * never has to send a peer's bulk back. Ids of 37 to 80 characters are still echoed.
 */
const MAX_ECHOED_ID_LENGTH = 80;

/** The message id of a frame when it is a non-empty string short enough to echo. */
function readableId(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= MAX_ECHOED_ID_LENGTH
    ? value
    : undefined;
}

/** What {@link parseText} returns for text that is not JSON. */
const NOT_JSON: unique symbol = Symbol('not JSON');

/** The JSON value of a frame's text, or {@link NOT_JSON}. */
function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** Reads a frame's kind. */
export function classify(text: string, version: OcppVersion): FrameKind {
  return classifyValue(parseText(text), version);
}

/** Reads the kind of a frame already parsed by {@link parseText}. */
function classifyValue(value: unknown, version: OcppVersion): FrameKind {
  if (!Array.isArray(value) || value.length === 0) return { kind: 'garbage' };
  const type: unknown = value[0];
  const id = readableId(value[1]);
  if (type === 2) {
    if (
      id !== undefined &&
      id.length <= 36 &&
      value.length === 4 &&
      typeof value[2] === 'string' &&
      value[2] !== ''
    )
      return { kind: 'call', id, action: value[2], payload: value[3] };
    return { kind: 'bad-call', id };
  }
  if (type === 3 || type === 4 || (version === '2.1' && type === 5))
    return { kind: 'reply', type, id, frame: value };
  if (version === '2.1' && type === 6) return { kind: 'send', id, frame: value };
  return { kind: 'unknown-type', id, length: value.length };
}

/** The session's own call in flight while the frame arrived, and how it settled. */
export interface OurCall {
  readonly id: string;
  readonly action: string;
  readonly settled:
    | { readonly state: 'pending' }
    | { readonly state: 'resolved'; readonly value: unknown }
    | { readonly state: 'rejected'; readonly name: string; readonly code: string };
}

/** Everything the judge looks at for one frame. */
export interface Observation {
  readonly version: OcppVersion;
  readonly role: Role;
  readonly protocol: AnyProtocol;
  /** Actions the fixture's router handles for this role. */
  readonly handles: (action: string) => boolean;
  readonly text: string;
  /** Frames the session sent after the input frame. */
  readonly answers: readonly string[];
  /** Handlers that ran. */
  readonly handled: readonly string[];
  readonly ourCall?: OurCall;
}

/** Half of a UTF-16 surrogate pair without the other half: text no UTF-8 encoder can carry. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The message id of a frame (parsed by {@link parseText}) when it has a readable one. */
function receivedId(value: unknown): string | undefined {
  return Array.isArray(value) && typeof value[1] === 'string' ? value[1] : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function peerSends(protocol: AnyProtocol, role: Role, action: string): boolean {
  const entry = protocol.actions[action] as { direction: Direction };
  return isSentBy(entry.direction, role === 'csms' ? 'station' : 'csms');
}

/** The answer frames, parsed and checked for the OCPP-J layout; problems go to `problems`. */
function parseAnswers(o: Observation, problems: string[]): unknown[][] {
  const out: unknown[][] = [];
  for (const text of o.answers) {
    let a: unknown;
    try {
      a = JSON.parse(text);
    } catch {
      problems.push(`answer is not JSON: ${text}`);
      continue;
    }
    if (!Array.isArray(a)) {
      problems.push(`answer is not an array: ${text}`);
      continue;
    }
    out.push(a);
    const [type, id] = a;
    if (typeof id !== 'string' || id === '') problems.push(`answer without a message id: ${text}`);
    if (type === 3) {
      if (a.length !== 3 || !isRecord(a[2])) problems.push(`malformed CALLRESULT: ${text}`);
    } else if (type === 4 || (type === 5 && o.version === '2.1')) {
      const [, , code, description, details] = a;
      if (a.length !== 5) problems.push(`error frame without 5 elements: ${text}`);
      if (typeof code !== 'string' || !SPEC_ERROR_CODES[o.version].has(code))
        problems.push(
          `error code ${JSON.stringify(code)} is not an OCPP ${o.version} code: ${text}`,
        );
      if (typeof description !== 'string' || [...description].length > 255)
        problems.push(`errorDescription is not a string of at most 255 characters: ${text}`);
      else if (LONE_SURROGATE.test(description))
        problems.push(`errorDescription is not well-formed Unicode (lone surrogate): ${text}`);
      if (!isRecord(details)) problems.push(`errorDetails is not an object: ${text}`);
    } else {
      problems.push(`answer of message type ${JSON.stringify(type)}: ${text}`);
    }
  }
  if (out.length > 1) problems.push(`${out.length} answers to one frame`);
  return out;
}

/**
 * Lists everything wrong with how the session answered one frame (empty: it behaved). The rules:
 * the layout and code table of every answer; the id echoed (or "-1" in 2.x); every well-formed
 * CALL answered once, with the code its action and payload call for; a CALLRESULT only for a
 * handled action with a valid payload; nothing answering a CALLRESULT, CALLERROR or SEND except
 * the 2.1 CALLRESULTERROR for an invalid CALLRESULT to our call; unknown message types answered
 * only in 2.0.1; handlers run only for valid requests; our call settled only by its own reply.
 */
export function judge(o: Observation): string[] {
  const problems: string[] = [];
  const answers = parseAnswers(o, problems);
  const answer = answers[0];
  const v2 = o.version !== '1.6';
  // Parsed once: JSON.parse of a long fuzzed frame (or the SyntaxError of a broken one) is the
  // dearest step of the oracle.
  const value = parseText(o.text);
  const frame = classifyValue(value, o.version);
  const expectError = (id: string, codes: readonly string[] | 'any') => {
    if (answer === undefined)
      return problems.push(
        `no answer, expected a CALLERROR (${codes === 'any' ? 'any code' : codes.join('|')}) for id ${id}`,
      );
    if (answer[0] !== 4)
      return problems.push(`expected a CALLERROR, got ${JSON.stringify(answer)}`);
    if (answer[1] !== id)
      problems.push(`answer id ${JSON.stringify(answer[1])}, expected ${JSON.stringify(id)}`);
    if (codes !== 'any' && !codes.includes(answer[2] as string))
      problems.push(`answer code ${JSON.stringify(answer[2])}, expected ${codes.join('|')}`);
    return 0;
  };
  const expectSilence = (why: string) => {
    if (answer !== undefined)
      problems.push(`${why} must not be answered, got ${JSON.stringify(answer)}`);
  };
  let handlerMayRun: string | undefined;

  switch (frame.kind) {
    case 'garbage':
      if (v2) expectError('-1', ['RpcFrameworkError']);
      else expectSilence('an unreadable frame (1.6: nothing to correlate with)');
      break;
    case 'bad-call':
      if (frame.id === undefined) {
        if (v2) expectError('-1', ['RpcFrameworkError']);
        else expectSilence('a 1.6 CALL without a readable id');
      } else if (v2) expectError(frame.id, ['RpcFrameworkError']);
      else expectError(frame.id, [frame.id.length > 36 ? 'ProtocolError' : 'FormationViolation']);
      break;
    case 'call': {
      const { id, action, payload } = frame;
      const known = o.protocol.isAction(action);
      const entry = known ? (o.protocol.actions[action] as { kind: string }) : undefined;
      if (entry === undefined) {
        expectError(id, ['NotImplemented']);
        break;
      }
      if (entry.kind !== 'CALL' || !peerSends(o.protocol, o.role, action) || !o.handles(action)) {
        expectError(id, ['NotSupported']);
        break;
      }
      const valid = o.protocol.validate(action, 'request', payload);
      if (!valid.success) {
        expectError(id, [valid.errorCode]);
        break;
      }
      handlerMayRun = action;
      const vendor = isRecord(payload) ? payload.vendorId : undefined;
      if (action === 'DataTransfer' && typeof vendor === 'string' && FAILING_VENDORS.has(vendor)) {
        expectError(id, 'any');
        break;
      }
      if (answer === undefined || answer[0] !== 3 || answer[1] !== id) {
        problems.push(
          `a valid ${action} CALL must get its CALLRESULT, got ${JSON.stringify(answer ?? null)}`,
        );
      } else if (!o.protocol.validate(action, 'response', answer[2]).success) {
        problems.push(
          `CALLRESULT payload breaks the ${action} response schema: ${JSON.stringify(answer)}`,
        );
      }
      break;
    }
    case 'reply': {
      const ours = o.ourCall !== undefined && frame.id === o.ourCall.id;
      const wellFormedResult = frame.type === 3 && frame.frame.length === 3;
      if (answer !== undefined) {
        // The only answer a reply may get: a 2.1 CALLRESULTERROR to an invalid CALLRESULT of ours.
        const invalidResult =
          ours &&
          wellFormedResult &&
          !o.protocol.validate(o.ourCall!.action, 'response', frame.frame[2]).success;
        if (!(o.version === '2.1' && invalidResult && answer[0] === 5 && answer[1] === frame.id))
          expectSilence(`a message of type ${frame.type}`);
      }
      break;
    }
    case 'send': {
      expectSilence('a SEND');
      const [, , action, payload] = frame.frame;
      if (
        frame.id !== undefined &&
        frame.frame.length === 4 &&
        typeof action === 'string' &&
        o.protocol.isAction(action) &&
        (o.protocol.actions[action] as { kind: string }).kind === 'SEND' &&
        peerSends(o.protocol, o.role, action) &&
        o.handles(action) &&
        o.protocol.validate(action, 'request', payload).success
      )
        handlerMayRun = action;
      break;
    }
    case 'unknown-type':
      if (o.version === '2.0.1') expectError(frame.id ?? '-1', ['MessageTypeNotSupported']);
      else expectSilence(`an unknown message type in OCPP ${o.version}`);
      break;
  }

  if (answer !== undefined) {
    const received = receivedId(value);
    if (answer[1] !== received && !(v2 && answer[1] === '-1'))
      problems.push(
        `answer id ${JSON.stringify(answer[1])} is neither the received id${v2 ? ' nor "-1"' : ''}`,
      );
  }
  if (o.handled.length > 0 && (handlerMayRun === undefined || o.handled.join() !== handlerMayRun))
    problems.push(
      `handlers ${JSON.stringify(o.handled)} ran for a frame that does not call for them`,
    );

  if (o.ourCall !== undefined) judgeOurCall(o, o.ourCall, frame, problems);
  return problems;
}

/** Our call settles only through a well-formed reply with its id, and the way the reply says. */
function judgeOurCall(o: Observation, call: OurCall, frame: FrameKind, problems: string[]): void {
  const s = call.settled;
  const mine =
    frame.kind === 'reply' && frame.id === call.id && (frame.type === 3 || frame.type === 4);
  if (mine && frame.type === 3 && frame.frame.length === 3) {
    const valid = o.protocol.validate(call.action, 'response', frame.frame[2]).success;
    if (
      valid &&
      (s.state !== 'resolved' || JSON.stringify(s.value) !== JSON.stringify(frame.frame[2]))
    )
      problems.push(`our call got a valid CALLRESULT but ${JSON.stringify(s)}`);
    if (!valid && (s.state !== 'rejected' || s.code !== 'VALIDATION_FAILED'))
      problems.push(`our call got an invalid CALLRESULT but ${JSON.stringify(s)}`);
    return;
  }
  if (mine && frame.type === 4 && frame.frame.length === 5) {
    const [, , code, description, details] = frame.frame;
    if (typeof code === 'string' && typeof description === 'string' && isRecord(details)) {
      const want = expectedInboundCode(o.version, code);
      if (s.state !== 'rejected' || s.name !== 'OcppCallError' || s.code !== want)
        problems.push(
          `our call got CALLERROR ${code}, expected a rejection with ${want}, got ${JSON.stringify(s)}`,
        );
      return;
    }
  }
  // A malformed reply with our id may be refused (pending) or read leniently (a CALLERROR of three
  // elements rejects); it never resolves the call. Any other frame leaves the call alone.
  if (mine && s.state === 'resolved')
    problems.push(`a malformed reply resolved our call: ${JSON.stringify(s)}`);
  if (!mine && s.state !== 'pending')
    problems.push(`a frame that is not our reply settled our call: ${JSON.stringify(s)}`);
}
