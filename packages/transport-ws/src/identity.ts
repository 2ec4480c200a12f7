/** The subprotocols this package knows, newest first: the default preference of a server. */
export const OCPP_SUBPROTOCOLS = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] as const;

/** The longest identity a 2.x station may have (EVSE ID compatibility). */
export const MAX_IDENTITY_LENGTH_V2 = 48;

const IDENTIFIER_STRING_V2 = /^[A-Za-z0-9*\-_=+|@.]+$/;

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
