import { WsTransportError } from './errors.js';

/** The subprotocols this package knows, newest first: the default preference of a server. */
export const OCPP_SUBPROTOCOLS = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] as const;

/** The longest identity a 2.x station may have (EVSE ID compatibility). */
export const MAX_IDENTITY_LENGTH_V2 = 48;

const IDENTIFIER_STRING_V2 = /^[A-Za-z0-9*\-_=+|@.]+$/;

/** The longest 1.6 identity a server accepts by default (1.6 itself sets no limit). */
export const DEFAULT_MAX_IDENTITY_LENGTH_V16 = 128;

/**
 * The characters a 1.6 identity may have by default: printable ASCII, space included (the 1.6
 * spec's own example is `RDAM 123`).
 */
export const DEFAULT_IDENTITY_PATTERN_V16: RegExp = /^[\x20-\x7e]+$/;

/** C0 controls, DEL and C1 controls: refused in every identity, whatever the configuration. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** What is escaped when an identity is shown: the controls, and line and direction marks. */
const UNSAFE_TO_SHOW =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job.
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** How much of an identity a rejection shows. */
const SHOWN_IDENTITY_LENGTH = 256;

/** The identity rule for OCPP 1.6 (and the other 1.x subprotocols), which the spec leaves open. */
export interface V16IdentityRules {
  /**
   * The longest identity, in UTF-16 code units.
   * @default 128 (`DEFAULT_MAX_IDENTITY_LENGTH_V16`)
   */
  readonly maxLength?: number;
  /**
   * What the whole identity must match (a `g` or `y` flag is ignored). Control characters are
   * refused before this is asked, whatever it allows.
   * @default /^[\x20-\x7e]+$/ (printable ASCII, `DEFAULT_IDENTITY_PATTERN_V16`)
   */
  readonly pattern?: RegExp;
}

/**
 * Why an identity may not be used at all, or `undefined`: it holds a control character (C0,
 * DEL or C1). Applies to every version, whatever the configured rules.
 */
export function checkIdentityControls(identity: string): string | undefined {
  return CONTROL.test(identity) ? 'identity contains a control character' : undefined;
}

/**
 * Builds the check of 1.6 identities for `rules`: a function that returns why an identity breaks
 * them (never echoing it), or `undefined` when it is valid. Control characters are always refused.
 */
export function v16IdentityCheck(
  rules: V16IdentityRules = {},
): (identity: string) => string | undefined {
  const maxLength = rules.maxLength ?? DEFAULT_MAX_IDENTITY_LENGTH_V16;
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw new WsTransportError('INVALID_OPTIONS', 'v16Identity.maxLength must be an integer >= 1');
  }
  const given = rules.pattern ?? DEFAULT_IDENTITY_PATTERN_V16;
  // A global or sticky expression would remember where it stopped between two tests.
  const pattern = /[gy]/.test(given.flags)
    ? new RegExp(given.source, given.flags.replace(/[gy]/g, ''))
    : given;
  const custom = rules.pattern !== undefined;
  return (identity) => {
    const control = checkIdentityControls(identity);
    if (control !== undefined) return control;
    if (identity.length > maxLength) return `identity is longer than ${maxLength} characters`;
    if (!pattern.test(identity)) {
      return custom
        ? 'identity does not match the allowed pattern'
        : 'identity has a character outside printable ASCII';
    }
    return undefined;
  };
}

/**
 * An identity as a log line may show it: control characters, line separators and direction marks
 * escaped as `\uXXXX`, and cut after 256 characters (`…` and the full length follow).
 */
export function displayIdentity(identity: string): string {
  let shown = identity;
  if (shown.length > SHOWN_IDENTITY_LENGTH) {
    shown = `${shown.slice(0, SHOWN_IDENTITY_LENGTH)}… (${identity.length} characters)`;
  }
  UNSAFE_TO_SHOW.lastIndex = 0;
  if (!UNSAFE_TO_SHOW.test(shown)) return shown;
  return shown.replace(
    UNSAFE_TO_SHOW,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Percent-encodes a station identity for the last path segment of the connection URL, as
 * RFC 3986 asks: everything but unreserved characters, so also `! ' ( ) *`, which
 * `encodeURIComponent` leaves alone (`RDAM 123` → `RDAM%20123`, `RDAM|123` → `RDAM%7C123`).
 */
export function encodeIdentity(identity: string): string {
  return encodeURIComponent(identity).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** True for the 2.x subprotocols (`ocpp2.0`, `ocpp2.0.1`, `ocpp2.1`), whose identity is an identifierString. */
export function isV2Subprotocol(protocol: string): boolean {
  return protocol.startsWith('ocpp2.');
}

/**
 * Why an identity is not a valid 2.x station identity, or `undefined` when it is: the
 * identifierString characters `a-z A-Z 0-9 * - _ = + | @ .`, without the colon (it separates the
 * Basic-auth username from the password), at most 48 characters.
 */
export function checkV2Identity(identity: string): string | undefined {
  const control = checkIdentityControls(identity);
  if (control !== undefined) return control;
  if (identity.length > MAX_IDENTITY_LENGTH_V2) {
    return `identity is longer than ${MAX_IDENTITY_LENGTH_V2} characters`;
  }
  if (identity.includes(':')) return 'identity contains a colon';
  if (!IDENTIFIER_STRING_V2.test(identity)) {
    return 'identity has a character outside a-z A-Z 0-9 * - _ = + | @ .';
  }
  return undefined;
}

/** The outcome of reading the identity out of a request path. */
export type PathIdentity =
  | { readonly ok: true; readonly identity: string }
  | { readonly ok: false; readonly status: 400 | 404; readonly reason: string };

/**
 * Reads the station identity from a request URL: the last path segment after `prefix` (which
 * ends with `/`), percent-decoded.
 */
export function identityFromUrl(url: string, prefix: string): PathIdentity {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.startsWith(prefix)) return { ok: false, status: 404, reason: 'unknown path' };
  const segment = path.slice(path.lastIndexOf('/') + 1);
  if (segment === '') return { ok: false, status: 404, reason: 'no station identity in the path' };
  // Most identities carry no escapes; decoding one without `%` would give it back unchanged.
  if (!segment.includes('%')) return { ok: true, identity: segment };
  try {
    return { ok: true, identity: decodeURIComponent(segment) };
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding in the identity' };
  }
}
