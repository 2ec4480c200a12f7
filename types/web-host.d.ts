/**
 * The host APIs the environment-neutral packages (@ocpp/runtime, @ocpp/transport, @ocpp/rpc, the
 * core packages) may use: the subset that browsers, edge runtimes and Node all provide. Their
 * builds compile against this file instead of DOM or Node typings, so using anything else (a Node
 * built-in, `document`, `Buffer`) fails the build.
 */
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function queueMicrotask(callback: () => void): void;

declare const console: {
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

declare class AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

declare var crypto: { randomUUID(): string };

/** A monotonic clock in milliseconds: unlike `Date.now()`, it never steps backwards. */
declare const performance: { now(): number };

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input: Uint8Array): string;
}
