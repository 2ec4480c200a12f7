import type { Role } from '@ocpp/rpc';
import type { Pattern } from './matcher.js';

/** One CALL the session makes before the peer's frames are sent (the peer then answers it). */
export interface CallStep {
  readonly action: string;
  readonly payload: Pattern;
}

/** How the session's own call (the `call` step) must have settled when the case ends. */
export type CallOutcome =
  /** Not settled: the peer's frames did not answer it. */
  | 'pending'
  /** Resolved with this response payload. */
  | { readonly resolves: Pattern }
  /**
   * Rejected: matched against `{ name, code, description, details }` for an `OcppCallError`
   * and `{ name, code }` for an `OcppSdkError`.
   */
  | { readonly rejects: Pattern };

interface CaseBase {
  /** The rule checked, short and unique within its version: the test's name. */
  readonly rule: string;
  /** Where the rule comes from: spec section, requirement id, OCTT test case. */
  readonly ref: string;
  /** The side the session under test plays; the raw peer plays the other. */
  readonly role: Role;
  /** A CALL the session sends first; `$id` in `send` and in the patterns stands for its id. */
  readonly call?: CallStep;
  /** How the session's call settled (only with `call`). */
  readonly outcome?: CallOutcome;
  /** The actions whose handlers must have run, in order (checked only when given). */
  readonly handled?: readonly string[];
}

/** One frame sent, one answer expected (`null`: nothing may come back). */
export interface SingleFrameCase extends CaseBase {
  /** The raw frame text, exactly as on the wire. */
  readonly send: string;
  /** The answer frame, or `null` for silence. */
  readonly expect: Pattern | null;
}

/** Several frames sent back to back, every answer expected in arrival order. */
export interface MultiFrameCase extends CaseBase {
  /** The raw frames, sent in this order without waiting for answers. */
  readonly send: readonly string[];
  /** Every frame that must come back, in order (`[]`: nothing may). */
  readonly expectFrames: readonly Pattern[];
}

/** A conformance case: raw frames in, the exact answer (or silence) out. */
export type CorpusCase = SingleFrameCase | MultiFrameCase;
