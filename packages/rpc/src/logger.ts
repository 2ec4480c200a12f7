import { escapeControls } from '@ocpp/runtime';

/**
 * Where the session writes what it does not throw. Any console-like object fits. Messages and
 * fields carry text the peer chose (identities, action names, frames): a logger that writes
 * lines should escape control characters (`escapeControls` from `@ocpp/runtime`), as the default
 * one does.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => {};

/**
 * The default logger: silent for debug and info, `console.warn` / `console.error` for the rest,
 * so dropped frames and failed handlers never go unnoticed. Control characters in the message are
 * escaped, so a peer cannot forge a line; fields are printed by `console`, which quotes and
 * escapes their strings.
 */
export const defaultLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (m, f) => console.warn(`[ocpp] ${escapeControls(m)}`, f ?? ''),
  error: (m, f) => console.error(`[ocpp] ${escapeControls(m)}`, f ?? ''),
};

/** A logger that discards everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
