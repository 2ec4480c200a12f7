import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { ServerOptions } from 'node:https';
import { WsTransportError } from './errors.js';

/** An OCPP security profile: 0 none, 1 Basic auth, 2 TLS + Basic auth, 3 TLS + client certificates. */
export type SecurityProfile = 0 | 1 | 2 | 3;

/**
 * The TLS 1.2 cipher suites a CSMS offers, in preference order: the four OCPP requires
 * (ECDHE-ECDSA and RSA, AES-GCM) plus the ECDHE-RSA GCM pair so that a server with an RSA
 * certificate still has forward-secret suites. TLS 1.3 suites are Node's defaults, listed
 * explicitly because a cipher list without TLS 1.3 suites disables TLS 1.3 on some Node versions.
 */
export const OCPP_TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
].join(':');

/**
 * The four TLS 1.2 suites a CSMS must offer in OCPP 2.0.1 (A00.FR.318), in OpenSSL's names:
 * `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`, `TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384`,
 * `TLS_RSA_WITH_AES_128_GCM_SHA256` and `TLS_RSA_WITH_AES_256_GCM_SHA384`. The ECDSA pair needs
 * an EC certificate and the RSA pair an RSA one: a server offers all four only with both (see
 * {@link TlsServerOptionsInput.certificates}).
 */
export const OCPP_REQUIRED_TLS12_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
] as const;

type Pem = string | Buffer | Array<string | Buffer>;

/** One server certificate chain and its private key, both PEM. */
export interface CertificateKeyPair {
  /** The certificate, then the intermediates that issued it. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/** Input of {@link tlsServerOptions}: `cert` and `key`, or `certificates`. */
export type TlsServerOptionsInput = TlsServerOptionsBase &
  (
    | {
        /** The server certificate chain (PEM). */
        readonly cert: Pem;
        /** The server private key (PEM). */
        readonly key: Pem;
        readonly certificates?: never;
      }
    | {
        /**
         * Several certificates with their keys, one per key type: an RSA and an EC certificate
         * let the server offer every suite OCPP 2.0.1 requires ({@link OCPP_REQUIRED_TLS12_SUITES});
         * TLS picks the one the client's suites can use. Each key is checked against its
         * certificate, and two certificates of one key type are refused (TLS could only ever
         * serve one of them).
         */
        readonly certificates: readonly CertificateKeyPair[];
        readonly cert?: never;
        readonly key?: never;
      }
  );

interface TlsServerOptionsBase {
  /** 2: the server authenticates with its certificate, stations with Basic auth. 3: stations with client certificates too. */
  readonly profile: 2 | 3;
  /**
   * The CA certificates that issued the station certificates (profile 3). When omitted, Node's
   * bundled root CAs are trusted instead, which is rarely what a CSMS wants.
   */
  readonly ca?: Pem;
}

/**
 * Node TLS server options for a security profile: TLS 1.2 or newer, the OCPP cipher suites with
 * the server's order preferred, and for profile 3 a required, verified client certificate. Pass
 * the result to `https.createServer` or as the `tls` option of `createWsServer`.
 */
export function tlsServerOptions(input: TlsServerOptionsInput): ServerOptions {
  const pairs = input.certificates;
  if (pairs !== undefined) checkCertificatePairs(pairs);
  const options: ServerOptions = {
    cert: pairs === undefined ? input.cert : pairs.map((p) => p.cert),
    key: pairs === undefined ? input.key : pairs.map((p) => p.key),
    minVersion: 'TLSv1.2',
    ciphers: OCPP_TLS_CIPHERS,
    honorCipherOrder: true,
  };
  if (input.ca !== undefined) options.ca = input.ca;
  if (input.profile === 3) {
    options.requestCert = true;
    options.rejectUnauthorized = true;
  }
  return options;
}

/** The TLS settings a profile imposes, without certificates (merged under a user's `tls` option). */
export function profileTlsDefaults(profile: SecurityProfile | undefined): ServerOptions {
  const base: ServerOptions = {
    minVersion: 'TLSv1.2',
    ciphers: OCPP_TLS_CIPHERS,
    honorCipherOrder: true,
  };
  if (profile === 3) return { ...base, requestCert: true, rejectUnauthorized: true };
  return base;
}

/** `RSA`, `EC P-256`, `Ed25519`, …: how a key is named in errors. */
function keyName(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  if (type === 'ec') return `EC ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim();
  return type === 'rsa' || type === 'rsa-pss' ? 'RSA' : type;
}

/**
 * Checks server certificate/key pairs before Node is given them: every key belongs to its
 * certificate, and no two certificates share a key type. Throws `INVALID_OPTIONS` naming the
 * pair (1-based), as Node would otherwise fail with an OpenSSL message or serve one silently.
 */
export function checkCertificatePairs(pairs: readonly CertificateKeyPair[]): void {
  if (pairs.length === 0) {
    throw new WsTransportError('INVALID_OPTIONS', 'certificates: give at least one certificate');
  }
  const seen = new Map<string, number>();
  pairs.forEach((pair, i) => {
    const n = i + 1;
    let cert: X509Certificate;
    let key: KeyObject;
    try {
      cert = new X509Certificate(pair.cert);
    } catch (e) {
      throw new WsTransportError('INVALID_OPTIONS', `certificates[${n}]: not a PEM certificate`, {
        cause: e,
      });
    }
    try {
      key = createPrivateKey(pair.key);
    } catch (e) {
      throw new WsTransportError('INVALID_OPTIONS', `certificates[${n}]: not a PEM private key`, {
        cause: e,
      });
    }
    const name = keyName(key);
    if (!cert.checkPrivateKey(key)) {
      throw new WsTransportError(
        'INVALID_OPTIONS',
        `certificates[${n}]: the ${name} key does not belong to the certificate of ${cert.subject.replaceAll('\n', ', ')}`,
      );
    }
    const kind = key.asymmetricKeyType ?? name;
    const earlier = seen.get(kind);
    if (earlier !== undefined) {
      throw new WsTransportError(
        'INVALID_OPTIONS',
        `certificates[${earlier}] and [${n}] both have ${name} keys: TLS serves one certificate per key type (give one RSA and one EC certificate)`,
      );
    }
    seen.set(kind, n);
  });
}
