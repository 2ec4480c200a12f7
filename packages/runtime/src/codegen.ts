/**
 * `@ocpp/runtime/codegen`: the generator ABI, what the code `@ocpp/codegen` writes into the
 * `@ocpp/*-core` packages calls at run time. Not for hand-written code: these functions exist for
 * generated validators, zod schemas and registries, may change whenever the generator does (in
 * step with it: the core packages and this one are released together, one version), and are kept
 * out of the main entry so that the user surface is what users call.
 *
 * Types that appear in the generated packages' public declarations (`KeyTable`, `RawIssue`,
 * `ActionRegistry`, `Protocol`) are in the main entry, which is where the generated code imports
 * them from.
 *
 * @packageDocumentation
 */
export { isDateTime, isMultipleOf, isUri, maxChars, minChars } from './formats.js';
export { defineProtocol } from './protocol.js';
export {
  at,
  codePointLength,
  finishIssue,
  issueExtra,
  issueRequired,
  issueType,
  issueValue,
  kindOfKeyword,
  toPointer,
} from './validation.js';
