import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './errors.js';

/** Reads a file the user named, with a one-line error that names the option. */
export async function readUserFile(cwd: string, path: string, option: string): Promise<Buffer> {
  try {
    return await readFile(resolve(cwd, path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : String(code ?? e);
    throw new CliError(`${option} ${path}: cannot read it (${why})`);
  }
}

/** A station's Basic-auth secret: text (2.x BasicAuthPassword) or raw bytes (1.6 AuthorizationKey). */
export type Secret = string | Uint8Array;

/** Passwords by station identity; `*` is the password of every identity not listed. */
export interface Credentials {
  /** The secret of `identity`, or of `*`, or undefined when neither is listed. */
  secretOf(identity: string): Secret | undefined;
  /** How many identities are listed (not counting `*`). */
  readonly size: number;
}

/**
 * Parses a credentials file: a JSON object mapping station identity to password. A password of
 * the form `hex:0a1b...` is raw bytes (the 1.6 AuthorizationKey is binary); the key `*` gives the
 * password of every identity not listed (handy for simulated fleets).
 *
 * ```json
 * { "CS001": "a-16-char-secret", "CS002": "hex:00112233445566778899aabbccddeeff00112233", "*": "fleet-password-1" }
 * ```
 */
export function parseCredentials(text: string, name: string): Credentials {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof SyntaxError ? e.message : String(e);
    throw new CliError(`credentials file ${name} is not valid JSON (${detail})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(
      `credentials file ${name} must be a JSON object of identity → password, e.g. {"CS001": "a-16-char-secret"}`,
    );
  }
  const secrets = new Map<string, Secret>();
  for (const [identity, password] of Object.entries(value)) {
    if (identity === '') throw new CliError(`credentials file ${name}: an identity is empty`);
    if (typeof password !== 'string' || password === '') {
      throw new CliError(
        `credentials file ${name}: the password of "${identity}" must be a non-empty string`,
      );
    }
    if (password.startsWith('hex:')) {
      const hex = password.slice(4);
      if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
        throw new CliError(
          `credentials file ${name}: the password of "${identity}" starts with hex: but is not an even number of hex digits`,
        );
      }
      secrets.set(identity, Uint8Array.from(Buffer.from(hex, 'hex')));
    } else {
      secrets.set(identity, password);
    }
  }
  if (secrets.size === 0) {
    throw new CliError(
      `credentials file ${name} lists no station: every connection would be refused (add "identity": "password" pairs, or "*")`,
    );
  }
  const fallback = secrets.get('*');
  return {
    secretOf: (identity) => secrets.get(identity) ?? fallback,
    size: secrets.size - (fallback === undefined ? 0 : 1),
  };
}

/** Reads and parses a credentials file (see {@link parseCredentials}). */
export async function loadCredentials(cwd: string, path: string): Promise<Credentials> {
  const buffer = await readUserFile(cwd, path, '--credentials');
  return parseCredentials(buffer.toString('utf8'), path);
}
