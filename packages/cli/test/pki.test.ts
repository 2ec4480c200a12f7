import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  certificatesOf,
  createAuthority,
  createCsr,
  hashDataOf,
  newKey,
  readCsr,
  signCsr,
} from '../src/pki.js';

describe('the X.509 of OCPP security', () => {
  it('a station CSR is signed by a CA into a chain node:crypto verifies', () => {
    const ca = createAuthority('Test CSMS CA');
    expect(ca.certificate.ca).toBe(true);
    expect(ca.certificate.verify(ca.key.publicKey)).toBe(true);
    const key = newKey();
    const csr = readCsr(createCsr(key, 'CS-0001', 'Example CPO'));
    expect(csr.valid).toBe(true);
    const [cert, issuer, ...rest] = certificatesOf(signCsr(ca, csr));
    expect(rest).toEqual([]);
    expect(cert!.subject).toBe('O=Example CPO\nCN=CS-0001');
    expect(cert!.issuer).toBe(ca.certificate.subject);
    expect(cert!.ca).toBe(false);
    expect(cert!.verify(ca.key.publicKey)).toBe(true);
    expect(cert!.checkPrivateKey(key.privateKey)).toBe(true);
    expect(issuer!.fingerprint256).toBe(ca.certificate.fingerprint256);
  });

  it('refuses a CSR whose signature does not verify, and text that is no CSR', () => {
    const text = createCsr(newKey(), 'CS-0002');
    const der = Buffer.from(text.split('\n').slice(1, -2).join(''), 'base64');
    der[der.length - 5]! ^= 0x01;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(readCsr(tampered).valid).toBe(false);
    expect(() => signCsr(createAuthority('CA'), readCsr(tampered))).toThrow(/does not verify/);
    expect(() => readCsr('hello')).toThrow(/CERTIFICATE REQUEST/);
  });

  it('hash data: issuer name and key hashes, serial in hex without leading zeros', () => {
    const ca = createAuthority('Root');
    const h = hashDataOf(ca.certificate);
    expect(h.hashAlgorithm).toBe('SHA256');
    expect(h.issuerNameHash).toMatch(/^[0-9a-f]{64}$/);
    expect(h.issuerKeyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(h.serialNumber).toBe(BigInt(`0x${ca.certificate.serialNumber}`).toString(16));
    const leaf = new X509Certificate(
      certificatesOf(signCsr(ca, readCsr(createCsr(newKey(), 'X'))))[0]!.raw,
    );
    // A leaf's issuer hashes are its CA's subject and key: those of the CA as its own issuer.
    expect(hashDataOf(leaf, ca.certificate)).toMatchObject({
      issuerNameHash: h.issuerNameHash,
      issuerKeyHash: h.issuerKeyHash,
    });
  });
});
