// The `ocpp` command is the product; these exports let a program run it or reuse its frame
// verdicts without spawning a process.
export type { Io } from './cli/io.js';
export { run } from './main.js';
export { type FoundFrame, findFrame } from './validate/lines.js';
export {
  FrameValidator,
  type FrameValidatorOptions,
  type FrameVerdict,
} from './validate/verdict.js';
