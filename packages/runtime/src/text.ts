/**
 * Characters that must not reach a log line raw: C0 controls (LF, CR, ESC, NUL, ...), DEL, C1
 * controls (a terminal may read U+009B as CSI), the Unicode line and paragraph separators, and the
 * direction marks, embeddings, overrides and isolates that reorder how a line is displayed.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const asEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` with every control character written `\uXXXX`, so text a peer chose (an identity, an
 * action name, a frame) cannot start a new log line or carry a terminal escape. The escape is
 * JSON's: a frame stays the same JSON.
 */
export function escapeControls(text: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, asEscape) : text;
}
