import { decideCall } from '@ocpp/rpc';
import {
  MAX_ERROR_DESCRIPTION_LENGTH,
  normalizeErrorCode,
  type OcppSubprotocol,
  type OcppVersion,
  type Protocol,
  parseFrame,
  type Role,
} from '@ocpp/runtime';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';

// biome-ignore lint/suspicious/noExplicitAny: the three versions in one table
type AnyProtocol = Protocol<OcppVersion, any>;

/** The protocol descriptor of each subprotocol. */
export const PROTOCOLS: Readonly<Record<OcppSubprotocol, AnyProtocol>> = {
  'ocpp1.6': v16Protocol as unknown as AnyProtocol,
  'ocpp2.0.1': v201Protocol as unknown as AnyProtocol,
  'ocpp2.1': v21Protocol as unknown as AnyProtocol,
};

/** The message type names, by number. */
const KINDS: Record<number, FrameVerdict['kind']> = {
  2: 'CALL',
  3: 'CALLRESULT',
  4: 'CALLERROR',
  5: 'CALLRESULTERROR',
  6: 'SEND',
};

/** What a receiver makes of one frame. */
export interface FrameVerdict {
  readonly protocol: OcppSubprotocol;
  /** The message type, when it could be read. */
  readonly kind: 'CALL' | 'CALLRESULT' | 'CALLERROR' | 'CALLRESULTERROR' | 'SEND' | 'unreadable';
  readonly messageId?: string;
  /** The action of a CALL or SEND, or of the CALL a CALLRESULT answers. */
  readonly action?: string;
  /** False when the frame breaks a rule of the version. */
  readonly valid: boolean;
  /**
   * False when the payload could not be checked: a CALLRESULT whose CALL is not in the input
   * (its action, hence its schema, is unknown).
   */
  readonly checked: boolean;
  /** The version-correct CALLERROR code for what is wrong. */
  readonly code?: string;
  /** JSON pointer of the offending field (`/meterValue/0/sampledValue/0/unit`; `/` = payload). */
  readonly path?: string;
  /** What is wrong, or what was accepted, in words. */
  readonly reason: string;
  /**
   * What the receiver sends back for this frame: a CALLERROR, a CALLRESULTERROR (2.1, for an
   * invalid CALLRESULT), or nothing (the frame is dropped and logged) when undefined.
   */
  readonly reply?: 'CALLERROR' | 'CALLRESULTERROR';
}

/** Options of {@link FrameValidator}. */
export interface FrameValidatorOptions {
  /**
   * Who sent the frames, when known for all of them; enables the direction check (a station
   * sending `RequestStartTransaction` gets `NotSupported`). Per-frame hints override it.
   */
  readonly from?: Role;
}

/**
 * Judges frames the way a receiver of the negotiated version must: frame shape and message id
 * (the runtime's `parseFrame`), known action and direction, and the payload against the official
 * schema (the generated validators, via `protocol.validate`). Remembers the CALLs it saw so a
 * later CALLRESULT is checked against the right response schema.
 */
export class FrameValidator {
  private readonly calls = new Map<string, string>();

  constructor(private readonly options: FrameValidatorOptions = {}) {}

  /**
   * Judges one frame sent over `protocol`. `from` overrides the validator's default sender;
   * `identity` keeps the CALLs of different stations apart (message ids are unique per station).
   */
  judge(
    text: string,
    protocol: OcppSubprotocol,
    hints: { readonly from?: Role; readonly identity?: string } = {},
  ): FrameVerdict {
    const p = PROTOCOLS[protocol];
    const sender = hints.from ?? this.options.from;
    const station = hints.identity ?? '';
    const parsed = parseFrame(text, p.version);
    if (!parsed.ok) {
      let kind: FrameVerdict['kind'] = 'unreadable';
      try {
        const value: unknown = JSON.parse(text);
        if (Array.isArray(value) && typeof value[0] === 'number')
          kind = KINDS[value[0]] ?? 'unreadable';
      } catch {
        // not JSON: stays unreadable
      }
      const reply = parsed.reply;
      return {
        protocol,
        kind,
        valid: false,
        checked: true,
        reason:
          reply === undefined ? `${parsed.reason} (dropped, nothing is answered)` : parsed.reason,
        ...(reply === undefined ? {} : { code: reply.code, reply: 'CALLERROR' as const }),
      };
    }
    const frame = parsed.frame;
    const base = { protocol, kind: KINDS[frame.type]!, messageId: frame.id } as const;
    switch (frame.type) {
      case 2:
      case 6: {
        const isCall = frame.type === 2;
        if (isCall && p.isAction(frame.action))
          this.calls.set(`${station}\u0000${frame.id}`, frame.action);
        // The receiver's own decision (rpc's, the one OcppSession answers by); handlers unknown.
        const decision = decideCall(p, {
          action: frame.action,
          kind: isCall ? 'CALL' : 'SEND',
          payload: frame.payload,
          ...(sender === undefined ? {} : { receiver: sender === 'csms' ? 'station' : 'csms' }),
        });
        if (decision.verdict === 'refuse') {
          return {
            ...base,
            action: frame.action,
            valid: false,
            checked: true,
            ...(isCall || decision.reason !== 'unknown-action' ? { code: decision.code } : {}),
            ...(decision.path === undefined
              ? {}
              : { path: decision.path === '' ? '/' : decision.path }),
            reason: isCall
              ? decision.description
              : `${decision.description} (a SEND: dropped, nothing is answered)`,
            ...(isCall ? { reply: 'CALLERROR' as const } : {}),
          };
        }
        return {
          ...base,
          action: frame.action,
          valid: true,
          checked: true,
          reason: `valid ${frame.action} request`,
        };
      }
      case 3: {
        const key = `${station}\u0000${frame.id}`;
        const action = this.calls.get(key);
        if (action === undefined) {
          return {
            ...base,
            valid: true,
            checked: false,
            reason: 'answers a CALL that is not in the input: payload not checked',
          };
        }
        this.calls.delete(key);
        const result = p.validate(action, 'response', frame.payload);
        if (!result.success) {
          const issue = result.issues[0];
          return {
            ...base,
            action,
            valid: false,
            checked: true,
            code: result.errorCode,
            path: issue === undefined || issue.path === '' ? '/' : issue.path,
            reason:
              (issue?.message ?? 'payload does not match the schema') +
              (p.version === '2.1' ? '' : ` (OCPP ${p.version} has no answer to a bad CALLRESULT)`),
            ...(p.version === '2.1' ? { reply: 'CALLRESULTERROR' as const } : {}),
          };
        }
        return { ...base, action, valid: true, checked: true, reason: `valid ${action} response` };
      }
      default: {
        const key = `${station}\u0000${frame.id}`;
        const action = this.calls.get(key);
        if (frame.type === 4) this.calls.delete(key);
        const withAction = action === undefined ? {} : { action };
        const known = normalizeErrorCode(p.version, frame.code);
        if (known === undefined) {
          return {
            ...base,
            ...withAction,
            valid: false,
            checked: true,
            reason: `error code "${frame.code}" is not an OCPP ${p.version} code (dropped)`,
          };
        }
        if (p.version !== '1.6' && [...frame.description].length > MAX_ERROR_DESCRIPTION_LENGTH) {
          return {
            ...base,
            ...withAction,
            valid: false,
            checked: true,
            reason: `errorDescription is longer than ${MAX_ERROR_DESCRIPTION_LENGTH} characters`,
          };
        }
        return {
          ...base,
          ...withAction,
          valid: true,
          checked: true,
          reason:
            known === frame.code
              ? `${frame.code}`
              : `${frame.code} (accepted as ${known}, the OCPP ${p.version} spelling)`,
        };
      }
    }
  }
}
