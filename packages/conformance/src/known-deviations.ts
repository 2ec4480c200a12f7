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

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const KNOWN_DEVIATIONS: readonly KnownDeviation[] = [
  {
    id: 'one-element-array',
    summary:
      'runtime parseFrame answers every 2.x array of fewer than 2 elements with [4,"-1","RpcFrameworkError",...] ' +
      'before looking at the message type: [3] and [4] (and [5], [6], [7] in 2.1) must be ignored, ' +
      'and [5], [6], [7] in 2.0.1 call for MessageTypeNotSupported',
    explains(version, text, answers) {
      const frame = parse(text);
      if (version === '1.6' || !Array.isArray(frame) || frame.length !== 1 || frame[0] === 2)
        return false;
      if (answers.length !== 1) return false;
      const answer = parse(answers[0]!);
      return (
        Array.isArray(answer) &&
        answer[0] === 4 &&
        answer[1] === '-1' &&
        answer[2] === 'RpcFrameworkError'
      );
    },
  },
  {
    id: 'description-cut-splits-surrogate-pair',
    summary:
      'runtime serializeCallError cuts errorDescription at 255 UTF-16 code units, which can split a ' +
      'surrogate pair and leave a lone surrogate (e.g. NotImplemented for an action of emoji): the ' +
      'cut must respect characters (string[255] counts characters)',
    explains(_version, _text, answers, problem) {
      if (!problem.startsWith('errorDescription is not well-formed Unicode')) return false;
      const answer = parse(answers[0] ?? '');
      return Array.isArray(answer) && typeof answer[3] === 'string' && answer[3].length === 255;
    },
  },
];
