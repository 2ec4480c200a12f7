/**
 * Security (functional block A) and certificate management for every version. The neutral
 * shapes are the 2.1 messages (the richest); 1.6 maps them onto the security whitepaper's
 * messages, which carry less: no `statusInfo`, one certificate type per query, the CSMS root
 * certificate named `CentralSystemRootCertificate`, no V2G certificates. A neutral value 1.6
 * cannot carry throws `UNSUPPORTED_BY_VERSION` before anything is sent.
 */
import type * as V16 from '@ocpp/v16-core';
import type * as V21 from '@ocpp/v21-core';
import { unsupported } from '../errors.js';
import { compact, now } from './util.js';

const V = 'ocpp1.6';

/** A security event (SecurityEventNotification). `timestamp` defaults to now. */
export interface SecurityEventParams {
  /** The event type (2.x Appendix 1 / the 1.6 whitepaper's list, e.g. `FirmwareUpdated`). */
  readonly type: string;
  readonly timestamp?: string;
  /** Free text, up to 255 characters. */
  readonly techInfo?: string;
}

/** A certificate signing request (SignCertificate), PEM-encoded. */
export type SignCertificateParams = Omit<V21.SignCertificateRequest, 'customData'>;
/** The answer to a signing request: the signed certificate comes later (CertificateSigned). */
export type SignCertificateResult = Omit<V21.SignCertificateResponse, 'customData'>;
/** A signed certificate chain for the station (CertificateSigned), PEM-encoded. */
export type CertificateSignedParams = Omit<V21.CertificateSignedRequest, 'customData'>;
export type CertificateSignedResult = Omit<V21.CertificateSignedResponse, 'customData'>;
/** A root certificate to install (InstallCertificate). */
export type InstallCertificateParams = Omit<V21.InstallCertificateRequest, 'customData'>;
export type InstallCertificateResult = Omit<V21.InstallCertificateResponse, 'customData'>;
/** The certificate to delete, by hash (DeleteCertificate). */
export type DeleteCertificateParams = Omit<V21.DeleteCertificateRequest, 'customData'>;
export type DeleteCertificateResult = Omit<V21.DeleteCertificateResponse, 'customData'>;
/** Which installed certificates to list (GetInstalledCertificateIds); all when left out. */
export type GetInstalledCertificateIdsParams = Omit<
  V21.GetInstalledCertificateIdsRequest,
  'customData'
>;
export type GetInstalledCertificateIdsResult = Omit<
  V21.GetInstalledCertificateIdsResponse,
  'customData'
>;
/** A certificate's hash data. */
export type CertificateHashData = V21.CertificateHashDataType;

// ---- SecurityEventNotification ----

/** Neutral → wire (every version: the same three fields). */
export function stampSecurityEvent(p: SecurityEventParams): V16.SecurityEventNotificationRequest {
  return compact({ type: p.type, timestamp: p.timestamp ?? now(), techInfo: p.techInfo });
}

/** Wire → neutral. */
export function liftSecurityEvent(
  r: V16.SecurityEventNotificationRequest | V21.SecurityEventNotificationRequest,
): SecurityEventParams {
  return compact({ type: r.type, timestamp: r.timestamp, techInfo: r.techInfo });
}

// ---- SignCertificate ----

/** Neutral → 1.6: the CSR alone (1.6 signs only the charge point certificate). */
export function stampSignCertificate16(p: SignCertificateParams): V16.SignCertificateRequest {
  if (p.certificateType !== undefined && p.certificateType !== 'ChargingStationCertificate')
    throw unsupported(V, `SignCertificate certificateType ${p.certificateType}`);
  if (p.hashRootCertificate !== undefined || p.requestId !== undefined)
    throw unsupported(
      V,
      `SignCertificate ${p.hashRootCertificate !== undefined ? 'hashRootCertificate' : 'requestId'}`,
    );
  return { csr: p.csr };
}

/** 1.6 → neutral. */
export function liftSignCertificate16(r: V16.SignCertificateRequest): SignCertificateParams {
  return { csr: r.csr, certificateType: 'ChargingStationCertificate' };
}

// ---- CertificateSigned ----

export function stampCertificateSigned16(p: CertificateSignedParams): V16.CertificateSignedRequest {
  if (p.certificateType !== undefined && p.certificateType !== 'ChargingStationCertificate')
    throw unsupported(V, `CertificateSigned certificateType ${p.certificateType}`);
  if (p.requestId !== undefined) throw unsupported(V, 'CertificateSigned requestId');
  return { certificateChain: p.certificateChain };
}

export function liftCertificateSigned16(r: V16.CertificateSignedRequest): CertificateSignedParams {
  return { certificateChain: r.certificateChain, certificateType: 'ChargingStationCertificate' };
}

// ---- InstallCertificate / GetInstalledCertificateIds ----

type Use16 = V16.InstallCertificateRequest['certificateType'];
type Use21 = V21.InstallCertificateRequest['certificateType'];

const USE_TO_16: Partial<Record<string, Use16>> = {
  CSMSRootCertificate: 'CentralSystemRootCertificate',
  ManufacturerRootCertificate: 'ManufacturerRootCertificate',
};

function use16(type: string, what: string): Use16 {
  const use = USE_TO_16[type];
  if (use === undefined) throw unsupported(V, `${what} certificateType ${type}`);
  return use;
}

function useOf16(type: Use16): Use21 {
  return type === 'CentralSystemRootCertificate' ? 'CSMSRootCertificate' : type;
}

export function stampInstallCertificate16(
  p: InstallCertificateParams,
): V16.InstallCertificateRequest {
  return {
    certificateType: use16(p.certificateType, 'InstallCertificate'),
    certificate: p.certificate,
  };
}

export function liftInstallCertificate16(
  r: V16.InstallCertificateRequest,
): InstallCertificateParams {
  return { certificateType: useOf16(r.certificateType), certificate: r.certificate };
}

/** Neutral → 1.6: exactly one type, one of the two 1.6 knows (1.6 cannot list all at once). */
export function stampGetInstalledCertificateIds16(
  p: GetInstalledCertificateIdsParams,
): V16.GetInstalledCertificateIdsRequest {
  const types = p.certificateType ?? [];
  if (types.length !== 1)
    throw unsupported(
      V,
      `GetInstalledCertificateIds with ${types.length === 0 ? 'no' : types.length} certificate types (1.6 asks for exactly one)`,
    );
  return { certificateType: use16(types[0] as string, 'GetInstalledCertificateIds') };
}

export function liftGetInstalledCertificateIds16(
  r: V16.GetInstalledCertificateIdsRequest,
): GetInstalledCertificateIdsParams {
  return { certificateType: [useOf16(r.certificateType)] };
}

/** 1.6 → neutral answer: each hash as a chain of one, of the type asked for. */
export function liftInstalledCertificateIds16(
  r: V16.GetInstalledCertificateIdsResponse,
  asked: GetInstalledCertificateIdsParams,
): GetInstalledCertificateIdsResult {
  const certificateType = (asked.certificateType?.[0] ??
    'CSMSRootCertificate') as V21.GetCertificateIdUseEnumType;
  return compact({
    status: r.status,
    certificateHashDataChain: r.certificateHashData?.map((certificateHashData) => ({
      certificateType,
      certificateHashData,
    })),
  });
}

/** Neutral → 1.6 answer: the chains' own hashes (child certificates and types are lost). */
export function stampInstalledCertificateIds16(
  r: GetInstalledCertificateIdsResult,
): V16.GetInstalledCertificateIdsResponse {
  const hashes = r.certificateHashDataChain?.map((c) => stripHash(c.certificateHashData));
  return compact({
    status: r.status,
    certificateHashData: hashes === undefined || hashes.length === 0 ? undefined : hashes,
  });
}

// ---- DeleteCertificate ----

export function stampDeleteCertificate16(p: DeleteCertificateParams): V16.DeleteCertificateRequest {
  return { certificateHashData: stripHash(p.certificateHashData) };
}

function stripHash(h: CertificateHashData): V16.CertificateHashDataType {
  return {
    hashAlgorithm: h.hashAlgorithm,
    issuerNameHash: h.issuerNameHash,
    issuerKeyHash: h.issuerKeyHash,
    serialNumber: h.serialNumber,
  };
}

/** Any answer with a status: `statusInfo` is 2.x only (lost for 1.6). */
export function statusOnly<S extends string>(r: { readonly status: S }): { status: S } {
  return { status: r.status };
}
