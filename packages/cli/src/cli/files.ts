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
  /** Passwords the stations of a version cannot hold, one line each (the file is still used). */
  readonly warnings: readonly string[];
}

/** OCPP 2.x `SecurityCtrlr.BasicAuthPassword`: 16 to 40 characters. */
const TEXT_PASSWORD = { min: 16, max: 40 };
/** OCPP 1.6 security whitepaper `AuthorizationKey`: 16 to 20 bytes. */
const KEY_BYTES = { min: 16, max: 20 };

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
  const warnings: string[] = [];
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
      const key = Uint8Array.from(Buffer.from(hex, 'hex'));
      if (key.length < KEY_BYTES.min || key.length > KEY_BYTES.max)
        warnings.push(
          `credentials file ${name}: the key of "${identity}" is ${key.length} bytes; a 1.6 AuthorizationKey is ${KEY_BYTES.min} to ${KEY_BYTES.max}`,
        );
      secrets.set(identity, key);
    } else {
      const length = [...password].length;
      if (length < TEXT_PASSWORD.min || length > TEXT_PASSWORD.max)
        warnings.push(
          `credentials file ${name}: the password of "${identity}" is ${length} characters; OCPP 2.x asks ${TEXT_PASSWORD.min} to ${TEXT_PASSWORD.max} (BasicAuthPassword), and a 2.x station may refuse to store it`,
        );
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
    warnings,
  };
}

/** Reads and parses a credentials file (see {@link parseCredentials}). */
export async function loadCredentials(cwd: string, path: string): Promise<Credentials> {
  const buffer = await readUserFile(cwd, path, '--credentials');
  return parseCredentials(buffer.toString('utf8'), path);
}
