import { escapeControls } from '@ocpp/runtime';

/**
 * `JSON.stringify(value)` with DEL, C1 controls, U+2028/U+2029 and the bidirectional controls
 * escaped too (it escapes C0 only). They can only stand inside strings there, where `\uXXXX`
 * means the same, so the line parses to the same value.
 */
export function jsonLine(value: unknown): string {
  return escapeControls(JSON.stringify(value));
}
