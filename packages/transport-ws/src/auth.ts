import { type KeyObject, timingSafeEqual, X509Certificate } from 'node:crypto';

/** Basic-auth credentials whose username matched the station identity. */
export interface BasicCredentials {
  /** The password as UTF-8 text; `undefined` when the bytes are not valid UTF-8 (a binary 1.6 key). */
  readonly password: string | undefined;
  /** The password exactly as sent: 1.6 `AuthorizationKey`s are raw bytes, 2.x passwords UTF-8 text. */
  readonly passwordBytes: Uint8Array;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/**
 * Parses an `Authorization: Basic ...` header for a known station identity. The decoded value must
 * start with `<identity>:`; everything after that colon is the password, which may itself
 * contain colons (binary 1.6 keys often do). Returns `undefined` when the header is missing, is
 * not Basic, is not valid base64, or names another user.
 */
export function parseBasicAuth(
  header: string | undefined,
  identity: string,
): BasicCredentials | undefined {
  if (header === undefined) return undefined;
  const match = /^basic[ \t]+(\S*)[ \t]*$/i.exec(header);
  const encoded = match?.[1];
  if (encoded === undefined || encoded.length % 4 !== 0 || !BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64');
  const user = encoder.encode(`${identity}:`);
  if (decoded.length < user.length || !decoded.subarray(0, user.length).equals(user)) {
    return undefined;
  }
  // A copy: small decoded buffers live in Node's shared pool.
  const passwordBytes = new Uint8Array(decoded.subarray(user.length));
  let password: string | undefined;
  try {
    password = strictDecoder.decode(passwordBytes);
  } catch {
    password = undefined;
  }
  return { password, passwordBytes };
}

/**
 * The `Authorization` header value a station sends: `Basic base64(<identity>:<password>)`, with a
 * string password encoded as UTF-8 and a byte password (a 1.6 `AuthorizationKey`) sent raw.
 */
export function basicAuthHeader(identity: string, password: string | Uint8Array): string {
  const user = encoder.encode(`${identity}:`);
  const secret = bytesOf(password);
  const all = new Uint8Array(user.length + secret.length);
  all.set(user, 0);
  all.set(secret, user.length);
  return `Basic ${Buffer.from(all.buffer, all.byteOffset, all.length).toString('base64')}`;
}

/**
 * Compares two secrets in time that does not depend on where they differ. Strings are compared as
 * their UTF-8 bytes. Different lengths give `false` (the length itself is not hidden).
 */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = bytesOf(a);
  const y = bytesOf(b);
  if (x.length !== y.length) {
    // Spend the same work as a comparison of x with an equal-length value, then refuse.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/**
 * The part of a peer certificate that {@link certificateMatchesIdentity} reads: Node's
 * `tls.PeerCertificate` (`getPeerCertificate()`) or a `crypto.X509Certificate`.
 */
export type CertificateLike =
  | {
      readonly subject?: { readonly CN?: string | readonly string[] } | undefined;
      readonly subjectaltname?: string | undefined;
    }
  | { readonly subject: string; readonly subjectAltName?: string | undefined };

/** How {@link certificateMatchesIdentity} compares names. */
export interface IdentityMatchOptions {
  /**
   * Compare ignoring case. Off by default: the server tells stations apart by their exact
   * identity, so the certificate of `CS001` must not open `cs001`. (2.0.1 errata [691] calls an
   * identifierString case-insensitive; turn this on when your station registry agrees.)
   * @default false
   */
  readonly caseInsensitive?: boolean;
}

/**
 * True when the certificate names the station: its subject common name, or one of its DNS or URI
 * subject alternative names, equals `identity` exactly (or ignoring case, with
 * `caseInsensitive`). Security profile 3 uses this to tie the TLS client certificate to the
 * identity in the URL.
 */
export function certificateMatchesIdentity(
  cert: CertificateLike | undefined,
  identity: string,
  options: IdentityMatchOptions = {},
): boolean {
  if (cert === undefined || identity === '') return false;
  const fold = options.caseInsensitive === true;
  const wanted = fold ? identity.toLowerCase() : identity;
  const names: string[] = [];
  let san: string | undefined;
  if (typeof cert.subject === 'string') {
    for (const line of cert.subject.split('\n')) {
      if (line.startsWith('CN=')) names.push(line.slice(3));
    }
    san = 'subjectAltName' in cert ? cert.subjectAltName : undefined;
  } else {
    const cn = cert.subject?.CN;
    if (typeof cn === 'string') names.push(cn);
    else if (cn !== undefined) names.push(...cn);
    san = 'subjectaltname' in cert ? cert.subjectaltname : undefined;
  }
  if (san !== undefined) {
    for (const [type, value] of parseSubjectAltName(san)) {
      if (type === 'DNS' || type === 'URI') names.push(value);
    }
  }
  return names.some((name) => (fold ? name.toLowerCase() : name) === wanted);
}

/** The smallest client keys a server accepts (OCPP asks for RSA/DSA >= 2048 bits, EC >= 224). */
export interface ClientKeyMinimums {
  /**
   * The smallest RSA (or DSA) modulus, in bits.
   * @default 2048
   */
  readonly rsaBits?: number;
  /**
   * The smallest elliptic-curve key, in bits (the curve's size; Ed25519 counts as 256, Ed448 as
   * 448). OCPP's own floor is 224; 256 by default, as P-224 is rarely offered any more.
   * @default 256
   */
  readonly ecBits?: number;
}

/**
 * What a server asks of a TLS client certificate (option `clientCertificate`): the key minimums,
 * applied to every client certificate before the `authenticate` hook, and how its names are
 * compared with the identity for `AuthenticateContext.certificateProblem` (and so for security
 * profile 3 without a hook).
 */
export interface ClientCertificatePolicy extends ClientKeyMinimums, IdentityMatchOptions {}

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime192v1: 192,
  secp192k1: 192,
  secp224r1: 224,
  secp224k1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
};

function curveBits(curve: string): number | undefined {
  const known = CURVE_BITS[curve];
  if (known !== undefined) return known;
  // brainpoolP256r1, brainpoolP384t1, ...: the size is in the name.
  const size = /^brainpoolP(\d+)[rt]1$/.exec(curve)?.[1];
  return size === undefined ? undefined : Number(size);
}

/**
 * Why a certificate's public key is weaker than `minimums` (or of a type not accepted), or
 * `undefined` when it is strong enough. Reads Node's `tls.PeerCertificate` (its `raw` DER) or a
 * `crypto.X509Certificate`.
 */
export function certificateKeyProblem(
  cert: X509Certificate | { readonly raw?: Buffer | undefined },
  minimums: ClientKeyMinimums = {},
): string | undefined {
  const minRsa = minimums.rsaBits ?? 2048;
  const minEc = minimums.ecBits ?? 256;
  let key: KeyObject;
  try {
    key = (cert instanceof X509Certificate ? cert : new X509Certificate(cert.raw!)).publicKey;
  } catch {
    return 'client certificate cannot be read';
  }
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  const tooSmall = (what: string, bits: number, min: number): string | undefined =>
    bits < min
      ? `client certificate key too small: ${what} of ${bits} bits, at least ${min} required`
      : undefined;
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
      return tooSmall(type.toUpperCase(), details.modulusLength ?? 0, minRsa);
    case 'ec': {
      const curve = details.namedCurve ?? '';
      const bits = curveBits(curve);
      if (bits === undefined) return `client certificate key on an unknown curve (${curve})`;
      return tooSmall(`EC ${curve}`, bits, minEc);
    }
    case 'ed25519':
      return tooSmall('Ed25519', 256, minEc);
    case 'ed448':
      return tooSmall('Ed448', 448, minEc);
    default:
      return `client certificate key type not accepted (${type ?? 'unknown'})`;
  }
}

/**
 * Splits Node's subject-alternative-name text (`DNS:a, URI:b, IP Address:1.2.3.4`). Values with
 * special characters are JSON-quoted by Node (`DNS:"a, b"`).
 */
function parseSubjectAltName(text: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon === -1) break;
    const type = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        value = '';
      }
      next = text.indexOf(', ', end);
    } else {
      next = text.indexOf(', ', colon);
      value = text.slice(colon + 1, next === -1 ? text.length : next);
    }
    entries.push([type, value]);
    if (next === -1) break;
    i = next + 2;
  }
  return entries;
}
