/**
 * An error the user can fix: printed as one line (`ocpp <command>: <message>`) and turned into a
 * non-zero exit code, never a stack trace.
 */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    /** 2 for bad usage (unknown flag, missing value), 1 for everything else. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** A usage error (exit code 2): the command line itself is wrong. */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}

/** The one-line message of anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
