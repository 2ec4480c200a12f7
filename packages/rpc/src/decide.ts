import { isSentBy, truncateChars, type ValidationIssue } from '@ocpp/runtime';
import type { AnyProtocol, Role } from './types.js';

/** What {@link decideCall} is asked about: one inbound CALL or SEND, already framed. */
export interface CallDecisionInput {
  readonly action: string;
  readonly kind: 'CALL' | 'SEND';
  readonly payload: unknown;
  /**
   * Who receives the frame: a CALL of an action only the receiver sends is refused. Undefined
   * when unknown (`ocpp validate` without `--from`): the direction is not checked.
   */
  readonly receiver?: Role;
  /**
   * Whether the receiver has a handler for the action; an action without one is refused
   * `NotSupported`. Undefined when not known: not checked.
   */
  readonly handles?: (action: string) => boolean;
  /** Check the payload against the version's schema. @default true */
  readonly validate?: boolean;
}

/** Why an inbound CALL or SEND is refused. */
export type RefusalReason =
  | 'unknown-action'
  | 'wrong-kind'
  | 'wrong-direction'
  | 'no-handler'
  | 'invalid-payload';

/** The answer {@link decideCall} gives. */
export type CallDecision =
  | { readonly verdict: 'accept' }
  | {
      readonly verdict: 'refuse';
      readonly reason: RefusalReason;
      /**
       * The version-correct CALLERROR code a CALL is answered with (a SEND gets no answer: it is
       * dropped and reported).
       */
      readonly code: string;
      /** The errorDescription: what is wrong, in words. */
      readonly description: string;
      /** With `invalid-payload`: the first issue's JSON pointer (`''` = the payload itself). */
      readonly path?: string;
      /** With `invalid-payload`: the schema keyword the first issue broke. */
      readonly keyword?: string;
    };

/** An action as it may be quoted in a description: long ones are cut. */
export function shownAction(action: string): string {
  return action.length > 64 ? `${truncateChars(action, 64)}…` : action;
}

/** One validation issue in words: `/path: message`. */
export function describeIssue(issue: ValidationIssue | undefined): string {
  if (issue === undefined) return 'payload does not match the schema';
  return `${issue.path === '' ? 'payload' : issue.path}: ${issue.message}`;
}

/**
 * What the receiver of an inbound CALL or SEND answers, as OCPP-J says, in this order: an action
 * the version does not know is `NotImplemented`; one of the other kind (a SEND action sent as a
 * CALL), one the receiver itself sends, or one without a handler is `NotSupported`; a payload
 * the schema refuses gets the version's code for the first issue (`FormatViolation` or 1.6
 * `FormationViolation`, `TypeConstraintViolation`, …). A pure function: `OcppSession` answers
 * by it, and `ocpp validate` judges frames by it.
 */
export function decideCall(protocol: AnyProtocol, input: CallDecisionInput): CallDecision {
  const { action, kind } = input;
  const entry = protocol.isAction(action) ? protocol.actions[action] : undefined;
  if (entry === undefined) {
    return {
      verdict: 'refuse',
      reason: 'unknown-action',
      code: 'NotImplemented',
      description: `Action ${shownAction(action)} is not known in OCPP ${protocol.version}`,
    };
  }
  if (entry.kind !== kind) {
    return {
      verdict: 'refuse',
      reason: 'wrong-kind',
      code: 'NotSupported',
      description: `${action} is a ${entry.kind} action, sent as a ${kind}`,
    };
  }
  const receiver = input.receiver;
  if (
    receiver !== undefined &&
    !isSentBy(entry.direction, receiver === 'csms' ? 'station' : 'csms')
  ) {
    return {
      verdict: 'refuse',
      reason: 'wrong-direction',
      code: 'NotSupported',
      description: `${action} is not sent to the ${receiver === 'csms' ? 'CSMS' : 'charging station'}`,
    };
  }
  if (input.handles !== undefined && !input.handles(action)) {
    return {
      verdict: 'refuse',
      reason: 'no-handler',
      code: 'NotSupported',
      description: `no handler for ${action}`,
    };
  }
  if (input.validate !== false) {
    const failure = protocol.check(action, 'request', input.payload);
    if (failure !== undefined) {
      const issue = failure.issues[0];
      return {
        verdict: 'refuse',
        reason: 'invalid-payload',
        code: failure.errorCode,
        description: `${action}: ${describeIssue(issue)}`,
        ...(issue === undefined ? {} : { path: issue.path, keyword: issue.keyword }),
      };
    }
  }
  return { verdict: 'accept' };
}
