import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuthority, hashDataOf } from '../src/pki.js';
import {
  eventually,
  idleFleet,
  operation,
  runCli,
  startTestCsms,
  type TestCsms,
} from './helpers/cli.js';

// biome-ignore lint/suspicious/noExplicitAny: test code reads the JSON it asserts on
type Json = any;

/** The frames of a station, parsed, oldest first. */
async function frames(csms: TestCsms, identity: string): Promise<Json[][]> {
  const { body } = (await csms.api(`/api/frames?limit=500&station=${identity}`)) as {
    body: { frame: string }[];
  };
  return body.map((f) => JSON.parse(f.frame) as Json[]);
}

describe('security: certificates and security events, every version', () => {
  it('a triggered CSR is signed by the CSMS CA and installed; roots are installed, listed, deleted', async () => {
    const csms = await startTestCsms(['--quiet']);
    const stations = await idleFleet(csms);
    const root = createAuthority('Installed root');
    for (const s of stations) {
      const id = s.identity;
      // A04: the station reported its start.
      const startup = await eventually('a security event', async () =>
        (await frames(csms, id)).find((f) => f[0] === 2 && f[2] === 'SecurityEventNotification'),
      );
      expect(startup[3].type).toBe('StartupOfTheDevice');

      // A02: trigger, CSR, signed chain, installed.
      await expect(
        operation(csms, id, 'triggerMessage', {
          requestedMessage: 'SignChargingStationCertificate',
        }),
      ).resolves.toMatchObject({ status: 'Accepted' });
      const signed = await eventually('CertificateSigned answered', async () => {
        const all = await frames(csms, id);
        const call = all.find((f) => f[0] === 2 && f[2] === 'CertificateSigned');
        const answer = call && all.find((f) => f[0] === 3 && f[1] === call[1]);
        return call === undefined || answer === undefined ? undefined : { call, answer };
      });
      expect(signed.answer[2]).toEqual({ status: 'Accepted' });
      const chain = (signed.call[3].certificateChain as string).match(
        /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g,
      )!;
      const [leaf, ca] = chain.map((p) => new X509Certificate(p));
      expect(leaf!.subject).toContain(`CN=${id}`);
      expect(leaf!.verify(ca!.publicKey)).toBe(true);
      const kept = (await csms.api(`/api/stations/${id}`)) as { body: Json };
      expect(kept.body.provisioning.certificate.subject).toContain(`CN=${id}`);
      expect(kept.body.provisioning.events.map((e: Json) => e.type)).toContain(
        'security: StartupOfTheDevice',
      );
      const trigger = (await frames(csms, id)).find(
        (f) => f[0] === 2 && /TriggerMessage$/.test(f[2]),
      );
      expect(trigger![2]).toBe(
        s.protocol === 'ocpp1.6' ? 'ExtendedTriggerMessage' : 'TriggerMessage',
      );

      // Roots.
      await expect(
        operation(csms, id, 'installCertificate', {
          certificateType: 'CSMSRootCertificate',
          certificate: root.certificatePem,
        }),
      ).resolves.toMatchObject({ status: 'Accepted' });
      await expect(
        operation(csms, id, 'installCertificate', {
          certificateType: 'ManufacturerRootCertificate',
          certificate: 'not a certificate',
        }),
      ).resolves.toMatchObject({ status: 'Rejected' });
      const listed = await operation(csms, id, 'getInstalledCertificateIds', {
        certificateType: ['CSMSRootCertificate'],
      });
      const hash = hashDataOf(root.certificate);
      expect(listed.certificateHashDataChain).toEqual([
        { certificateType: 'CSMSRootCertificate', certificateHashData: hash },
      ]);
      await expect(
        operation(csms, id, 'deleteCertificate', { certificateHashData: hash }),
      ).resolves.toMatchObject({ status: 'Accepted' });
      await expect(
        operation(csms, id, 'getInstalledCertificateIds', {
          certificateType: ['CSMSRootCertificate'],
        }),
      ).resolves.toMatchObject({ status: 'NotFound' });
    }
  });

  it("signs with a CA it is given, and refuses a key that is not the certificate's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-ca-'));
    const ca = createAuthority('Given CA');
    const other = createAuthority('Other');
    writeFileSync(join(dir, 'ca.pem'), ca.certificatePem);
    writeFileSync(join(dir, 'ca.key'), ca.key.privateKeyPem);
    writeFileSync(join(dir, 'other.key'), other.key.privateKeyPem);
    const refused = await runCli([
      'csms',
      '--port',
      '0',
      '--signing-ca',
      join(dir, 'ca.pem'),
      '--signing-ca-key',
      join(dir, 'other.key'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("the key is not the certificate's");
    const csms = await startTestCsms([
      '--quiet',
      '--signing-ca',
      join(dir, 'ca.pem'),
      '--signing-ca-key',
      join(dir, 'ca.key'),
    ]);
    const [s] = await idleFleet(csms, 1, ['--protocol', 'ocpp2.0.1'], 30);
    await operation(csms, s!.identity, 'triggerMessage', {
      requestedMessage: 'SignChargingStationCertificate',
    });
    const call = await eventually('CertificateSigned', async () =>
      (await frames(csms, s!.identity)).find((f) => f[0] === 2 && f[2] === 'CertificateSigned'),
    );
    const leaf = new X509Certificate(
      (call[3].certificateChain as string).match(
        /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/,
      )![0],
    );
    expect(leaf.verify(ca.key.publicKey)).toBe(true);
    expect(leaf.issuer).toBe(ca.certificate.subject);
    rmSync(dir, { recursive: true, force: true });
  });
});
