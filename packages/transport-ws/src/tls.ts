import type { ServerOptions } from 'node:https';

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

type Pem = string | Buffer | Array<string | Buffer>;

/** Input of {@link tlsServerOptions}. */
export interface TlsServerOptionsInput {
  /** 2: the server authenticates with its certificate, stations with Basic auth. 3: stations with client certificates too. */
  readonly profile: 2 | 3;
  /** The server certificate chain (PEM). */
  readonly cert: Pem;
  /** The server private key (PEM). */
  readonly key: Pem;
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
  const options: ServerOptions = {
    cert: input.cert,
    key: input.key,
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
