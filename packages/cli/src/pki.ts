/**
 * The little X.509 the simulator and the test CSMS need for OCPP security (A02, A03, M): an EC
 * P-256 key and a PKCS#10 certificate signing request for a station, a certificate authority, a
 * CSR signed into a certificate, and the OCPP certificate hash data of a certificate. Keys and
 * signatures come from node:crypto; only the DER structures around them are written here, and
 * read back just far enough (a CSR's subject and key, a certificate's issuer and serial).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';

// ---- DER writing ----

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bits = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 + n, ...c);

function integer(value: Buffer | number): Buffer {
  let b = typeof value === 'number' ? Buffer.from([value]) : value;
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if ((b[0]! & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    for (let v = p; ; v = Math.floor(v / 128)) {
      chunk.unshift((v % 128) | (chunk.length === 0 ? 0 : 0x80));
      if (v < 128) break;
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const RSA_SHA256 = seq(oid('1.2.840.113549.1.1.11'), tlv(0x05));

/** The signature algorithm of a signing key: ECDSA or RSA (PKCS#1 v1.5), with SHA-256. */
function algorithmOf(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ec') return ECDSA_SHA256;
  if (key.asymmetricKeyType === 'rsa') return RSA_SHA256;
  throw new Error(
    `a ${key.asymmetricKeyType ?? 'symmetric'} key cannot sign certificates here (EC or RSA)`,
  );
}
const CN = '2.5.4.3';
const O = '2.5.4.10';

/** An X.501 name of a common name and, optionally, an organisation. */
export function nameOf(commonName: string, organization?: string): Buffer {
  const rdns = [];
  if (organization !== undefined) rdns.push(set(seq(oid(O), utf8(organization))));
  rdns.push(set(seq(oid(CN), utf8(commonName))));
  return seq(...rdns);
}

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;

function unpem(text: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`).exec(text);
  if (m === null) throw new Error(`no ${label} in the PEM text`);
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

// ---- DER reading (as far as needed) ----

interface Node {
  readonly tag: number;
  /** The whole element, header included. */
  readonly raw: Buffer;
  readonly body: Buffer;
}

function read(b: Buffer, at = 0): Node {
  const tag = b[at]!;
  let len = b[at + 1]!;
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i]!;
    head += n;
  }
  if (at + head + len > b.length) throw new Error('truncated DER');
  return {
    tag,
    raw: b.subarray(at, at + head + len),
    body: b.subarray(at + head, at + head + len),
  };
}

function children(n: Node): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < n.body.length; ) {
    const c = read(n.body, at);
    out.push(c);
    at += c.raw.length;
  }
  return out;
}

// ---- keys, CSRs, certificates ----

/** A key pair with its PEM private key. */
export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly privateKeyPem: string;
}

/** A new EC P-256 key pair. */
export function newKey(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });

/** A PEM PKCS#10 request for `key`, subject CN `commonName` and O `organization` (A02). */
export function createCsr(key: KeyPair, commonName: string, organization?: string): string {
  const info = seq(integer(0), nameOf(commonName, organization), spki(key.publicKey), explicit(0));
  const signature = sign('sha256', info, key.privateKey);
  return pem('CERTIFICATE REQUEST', seq(info, ECDSA_SHA256, bits(signature)));
}

/** What a CSR asks for; `valid` is false when its signature does not verify. */
export interface CsrInfo {
  readonly subject: Buffer;
  readonly publicKey: KeyObject;
  readonly valid: boolean;
}

/** Reads a PEM CSR; throws when it is not one. */
export function readCsr(text: string): CsrInfo {
  const request = read(unpem(text, 'CERTIFICATE REQUEST'));
  const [info, , signature] = children(request);
  if (info === undefined || signature === undefined) throw new Error('not a certification request');
  const [, subject, keyInfo] = children(info);
  if (subject === undefined || keyInfo === undefined)
    throw new Error('not a certification request');
  const publicKey = createPublicKey({ key: keyInfo.raw, format: 'der', type: 'spki' });
  const valid = verify('sha256', info.raw, publicKey, signature.body.subarray(1));
  return { subject: subject.raw, publicKey, valid };
}

/** A certificate authority: its certificate and key. */
export interface CertificateAuthority {
  readonly certificatePem: string;
  readonly certificate: X509Certificate;
  readonly key: KeyPair;
  readonly subject: Buffer;
}

function certificate(
  subject: Buffer,
  publicKey: KeyObject,
  issuer: Buffer,
  issuerKey: KeyObject,
  days: number,
  ca: boolean,
): string {
  const now = Date.now();
  const extensions = explicit(
    3,
    seq(
      // basicConstraints, critical
      seq(
        oid('2.5.29.19'),
        tlv(0x01, Buffer.from([0xff])),
        tlv(0x04, ca ? seq(tlv(0x01, Buffer.from([0xff]))) : seq()),
      ),
      // keyUsage: keyCertSign + cRLSign for a CA, digitalSignature + keyAgreement otherwise
      seq(
        oid('2.5.29.15'),
        tlv(0x01, Buffer.from([0xff])),
        tlv(0x04, ca ? tlv(0x03, Buffer.from([1, 0x06])) : tlv(0x03, Buffer.from([3, 0x88]))),
      ),
    ),
  );
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const algorithm = algorithmOf(issuerKey);
  const tbs = seq(
    explicit(0, integer(2)),
    integer(serial),
    algorithm,
    issuer,
    seq(time(new Date(now - 60_000)), time(new Date(now + days * 86_400_000))),
    subject,
    spki(publicKey),
    extensions,
  );
  return pem('CERTIFICATE', seq(tbs, algorithm, bits(sign('sha256', tbs, issuerKey))));
}

/** A new self-signed certificate authority. */
export function createAuthority(commonName: string, days = 3650): CertificateAuthority {
  const key = newKey();
  const subject = nameOf(commonName, 'OCPP SDK');
  const certificatePem = certificate(subject, key.publicKey, subject, key.privateKey, days, true);
  return { certificatePem, certificate: new X509Certificate(certificatePem), key, subject };
}

/** A certificate authority from its PEM certificate and key (`ocpp csms --signing-ca`). */
export function authorityFrom(certificatePem: string, keyPem: string): CertificateAuthority {
  const certificate = new X509Certificate(certificatePem);
  const privateKey = createPrivateKey(keyPem);
  if (!certificate.ca)
    throw new Error('the certificate is not a CA certificate (basicConstraints cA)');
  if (!certificate.checkPrivateKey(privateKey)) throw new Error("the key is not the certificate's");
  algorithmOf(privateKey);
  const [tbs] = children(read(certificate.raw));
  const fields = children(tbs!);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  return {
    certificatePem: certificate.toString(),
    certificate,
    key: {
      privateKey,
      publicKey: createPublicKey(privateKey),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    },
    subject: fields[offset + 4]!.raw,
  };
}

/** Signs a CSR into a certificate chain (the certificate, then the authority's) for the station. */
export function signCsr(ca: CertificateAuthority, csr: CsrInfo, days = 365): string {
  if (!csr.valid) throw new Error("the CSR's signature does not verify");
  return (
    certificate(csr.subject, csr.publicKey, ca.subject, ca.key.privateKey, days, false) +
    ca.certificatePem
  );
}

/** The certificates of a PEM chain, in order. */
export function certificatesOf(chain: string): X509Certificate[] {
  return (chain.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map(
    (p) => new X509Certificate(p),
  );
}

/** OCPP CertificateHashDataType of `cert` (SHA-256), `issuer` the certificate that signed it. */
export function hashDataOf(
  cert: X509Certificate,
  issuer: X509Certificate = cert,
): {
  hashAlgorithm: 'SHA256';
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
} {
  const [tbs] = children(read(cert.raw));
  const fields = children(tbs!);
  // [0] version, serial, signature algorithm, issuer, ...
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuerName = fields[offset + 2]!.raw;
  const issuerSpki = issuer.publicKey.export({ type: 'spki', format: 'der' });
  const keyBits = children(read(issuerSpki))[1]!.body.subarray(1);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  return {
    hashAlgorithm: 'SHA256',
    issuerNameHash: sha(issuerName),
    issuerKeyHash: sha(keyBits),
    serialNumber: cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
  };
}
