/**
 * Known ways the SDK breaks a rule the fuzzer checks, each reported to the owner of the code. The
 * fuzzer tolerates exactly the answer described (anything else about the frame is still judged),
 * counts the frames and prints them, so a fix shows up as a count of zero and the entry is deleted.
 */
import type { OcppVersion } from '@ocpp/runtime';

/** One known deviation. */
export interface KnownDeviation {
  /** Short id used in the fuzz summary and the report. */
  readonly id: string;
  /** The rule broken, the frame, what is expected and what the SDK does. */
  readonly summary: string;
  /** True when this deviation explains `problem`, one of the problems found with the answers to `text`. */
  explains(
    version: OcppVersion,
    text: string,
    answers: readonly string[],
    problem: string,
  ): boolean;
}

/** Empty: every deviation the fuzzer found so far is fixed and now covered by the oracle. */
export const KNOWN_DEVIATIONS: readonly KnownDeviation[] = [];
