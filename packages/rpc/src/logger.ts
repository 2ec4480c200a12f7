/** Where the session writes what it does not throw. Any console-like object fits. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => {};

/**
 * The default logger: silent for debug and info, `console.warn` / `console.error` for the rest,
 * so dropped frames and failed handlers never go unnoticed.
 */
export const defaultLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (m, f) => console.warn(`[ocpp] ${m}`, f ?? ''),
  error: (m, f) => console.error(`[ocpp] ${m}`, f ?? ''),
};

/** A logger that discards everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
