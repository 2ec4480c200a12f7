/** Where a command reads and writes: the process in the binary, a capture in tests. */
export interface Io {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; columns?: number };
  readonly stderr: { write(text: string): unknown };
  readonly stdin: NodeJS.ReadableStream;
  /** Working directory for relative paths. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks to stop (Ctrl-C / SIGTERM). */
  readonly interrupted: Promise<string>;
}

/** The real process's streams, with SIGINT and SIGTERM turned into {@link Io.interrupted}. */
export function processIo(): Io {
  const interrupted = new Promise<string>((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.once(signal, () => resolve(signal));
    };
    on('SIGINT');
    on('SIGTERM');
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
    interrupted,
  };
}
