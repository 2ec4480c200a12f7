/**
 * Characters that must not reach a log line raw: C0 controls (LF, CR, ESC, NUL, ...), DEL, C1
 * controls (a terminal may read U+009B as CSI), the Unicode line and paragraph separators, and
 * the bidirectional embeddings, overrides and isolates that reorder how a line is displayed.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const asEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` with every control character written `\uXXXX`, so no field of a text log line can start
 * a new line or carry a terminal escape. The escape is JSON's: a frame stays the same JSON.
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, asEscape);
}

/**
 * `JSON.stringify(value)` with DEL, C1 controls, U+2028/U+2029 and the bidirectional controls
 * escaped too (it escapes C0 only). They can only stand inside strings there, where `\uXXXX`
 * means the same, so the line parses to the same value.
 */
export function jsonLine(value: unknown): string {
  return escapeControls(JSON.stringify(value));
}
