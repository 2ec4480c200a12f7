import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthenticateContext,
  certificateKeyProblem,
  certificateMatchesIdentity,
  createWsServer,
  type HandshakeRejection,
  OCPP_REQUIRED_TLS12_SUITES,
  OCPP_TLS_CIPHERS,
  safeEqual,
  tlsServerOptions,
  type WsClientOptions,
  type WsServerOptions,
} from '../src/index.js';
import { onCleanup, type Recorder, startClient, waitFor } from './helpers.js';

interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  /** A second server certificate, with an EC P-256 key (the first has an RSA key). */
  serverEc: { cert: string; key: string };
  clients: Record<'CS001' | 'CS002', { cert: string; key: string }>;
  /** Certificates for CS001 with other keys, and one no CA signed. */
  cs001: Record<'rsa1024' | 'rsa2048' | 'p224' | 'selfSigned', { cert: string; key: string }>;
}

let dir = '';
let pki: Pki;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA (EC), a server certificate (RSA, CN=localhost, SAN localhost + 127.0.0.1), client certificates. */
function makePki(): Pki {
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Test OCPP CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const issue = (name: string, subject: string, keyArgs: string[], ext: string): void => {
    openssl(...keyArgs, '-out', `${name}.key`);
    openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  issue(
    'server',
    '/CN=localhost',
    ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  const ec = ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'];
  issue(
    'server-ec',
    '/CN=localhost',
    ec,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  issue('cs001', '/CN=CS001', ec, 'extendedKeyUsage=clientAuth\n');
  issue('cs002', '/CN=CS002', ec, 'extendedKeyUsage=clientAuth\n');
  const rsa = (bits: number) => [
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    `rsa_keygen_bits:${bits}`,
  ];
  issue('rsa1024', '/CN=CS001', rsa(1024), 'extendedKeyUsage=clientAuth\n');
  issue('rsa2048', '/CN=CS001', rsa(2048), 'extendedKeyUsage=clientAuth\n');
  issue(
    'p224',
    '/CN=CS001',
    ['ecparam', '-name', 'secp224r1', '-genkey', '-noout'],
    'extendedKeyUsage=clientAuth\n',
  );
  openssl(...ec, '-out', 'self.key');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    'self.key',
    '-out',
    'self.crt',
    '-days',
    '2',
    '-subj',
    '/CN=CS001',
  );
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const pair = (name: string) => ({ cert: read(`${name}.crt`), key: read(`${name}.key`) });
  return {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    serverEc: pair('server-ec'),
    clients: {
      CS001: { cert: read('cs001.crt'), key: read('cs001.key') },
      CS002: { cert: read('cs002.crt'), key: read('cs002.key') },
    },
    cs001: {
      rsa1024: pair('rsa1024'),
      rsa2048: pair('rsa2048'),
      p224: pair('p224'),
      selfSigned: pair('self'),
    },
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocpp-tls-'));
  pki = makePki();
}, 20_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

async function tlsServer(options: WsServerOptions) {
  const server = createWsServer({ host: '127.0.0.1', pingIntervalSeconds: 0, ...options });
  const rejected: HandshakeRejection[] = [];
  server.on('rejected', (r) => rejected.push(r));
  const accepted: Array<{ identity: string; auth: unknown }> = [];
  server.onConnection((connection) => {
    accepted.push({ identity: connection.identity, auth: connection.auth });
    connection.transport.bind({ message() {}, open() {}, close() {}, error() {} });
    void connection.transport.start();
  });
  const port = await server.listen();
  onCleanup(() => server.close());
  return { server, url: `wss://127.0.0.1:${port}`, accepted, rejected };
}

function tlsFacts(ctx: AuthenticateContext) {
  const socket = ctx.request.socket as TLSSocket;
  return { version: socket.getProtocol(), cipher: socket.getCipher().name };
}

function client(options: Partial<WsClientOptions> & Pick<WsClientOptions, 'url'>): {
  client: ReturnType<typeof startClient>['client'];
  recorder: Recorder;
} {
  return startClient({ ca: pki.ca, protocols: ['ocpp2.0.1'], ...options });
}

describe('security profile 2: TLS with Basic auth', () => {
  const password = 'sixteen-chars-pw';
  const profile2 = () =>
    tlsServer({
      securityProfile: 2,
      tls: tlsServerOptions({ profile: 2, cert: pki.serverCert, key: pki.serverKey }),
      authenticate: (ctx) =>
        ctx.password !== undefined && safeEqual(ctx.password, password) && tlsFacts(ctx),
    });

  it('connects over TLS 1.2 or newer and still checks the password', async () => {
    const { url, accepted } = await profile2();
    const station = client({ url, password });
    await station.client.start();
    await waitFor(() => accepted.length === 1);
    const facts = accepted[0]?.auth as { version: string; cipher: string };
    expect(['TLSv1.2', 'TLSv1.3']).toContain(facts.version);

    const wrong = client({ url, identity: 'CS002', password: 'another-password' });
    await expect(wrong.client.start()).rejects.toMatchObject({ status: 401 });
  });

  it('negotiates an OCPP cipher suite with an RSA certificate over TLS 1.2', async () => {
    const { url, accepted } = await profile2();
    const station = client({ url, password, tls: { maxVersion: 'TLSv1.2' } });
    await station.client.start();
    await waitFor(() => accepted.length === 1);
    const facts = accepted[0]?.auth as { version: string; cipher: string };
    expect(facts.version).toBe('TLSv1.2');
    expect(facts.cipher).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    expect(OCPP_TLS_CIPHERS.split(':')).toContain(facts.cipher);
  });

  it('refuses a client limited to TLS 1.1, and reports it', async () => {
    const { url, accepted, rejected } = await profile2();
    const legacy = client({
      url,
      password,
      // OpenSSL 3 only offers TLS 1.1 at security level 0.
      tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
    });
    const error = await legacy.client.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONNECT_FAILED' });
    const cause = (error as Error).cause as Error & { code?: string };
    // The server's alert, not a client-side refusal to offer TLS 1.1.
    expect(cause.message).toMatch(/alert protocol version/i);
    expect(accepted).toHaveLength(0);
    await waitFor(() => rejected.length === 1);
    expect(rejected[0]).toMatchObject({
      stage: 'tls',
      status: 0,
      identity: undefined,
      remoteAddress: '127.0.0.1',
      reason: 'TLS handshake failed: TLS version not supported (ERR_SSL_UNSUPPORTED_PROTOCOL)',
    });
  });

  it('does not connect when the client does not trust the server certificate', async () => {
    const { url } = await profile2();
    const untrusting = startClient({ url, password, protocols: ['ocpp2.0.1'] });
    await expect(untrusting.client.start()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
  });

  it('refuses to start without an authenticate hook or without TLS', () => {
    expect(() =>
      createWsServer({
        securityProfile: 2,
        tls: tlsServerOptions({ profile: 2, cert: pki.serverCert, key: pki.serverKey }),
      }),
    ).toThrow(/authenticate/);
    expect(() => createWsServer({ securityProfile: 2, authenticate: () => true })).toThrow(/TLS/);
  });
});

describe('security profile 3: TLS with client certificates', () => {
  const profile3 = (options: Partial<WsServerOptions> = {}) =>
    tlsServer({
      securityProfile: 3,
      tls: tlsServerOptions({ profile: 3, cert: pki.serverCert, key: pki.serverKey, ca: pki.ca }),
      ...options,
    });

  it('builds options that require and verify a client certificate', () => {
    const options = tlsServerOptions({ profile: 3, cert: 'c', key: 'k', ca: 'a' });
    expect(options).toMatchObject({
      minVersion: 'TLSv1.2',
      requestCert: true,
      rejectUnauthorized: true,
    });
    expect(tlsServerOptions({ profile: 2, cert: 'c', key: 'k' }).requestCert).toBeUndefined();
  });

  it('accepts CS001 with its own certificate, refuses CS002 posing as CS001, refuses no certificate', async () => {
    const seen: AuthenticateContext[] = [];
    const { url, accepted } = await profile3({
      authenticate: (ctx) => {
        seen.push(ctx);
        return ctx.certificateVerified && certificateMatchesIdentity(ctx.certificate, ctx.identity);
      },
    });
    const good = client({ url, identity: 'CS001', ...pki.clients.CS001 });
    await good.client.start();
    await waitFor(() => accepted.length === 1);
    expect(accepted[0]?.identity).toBe('CS001');
    expect(seen[0]?.certificate?.subject.CN).toBe('CS001');
    expect(seen[0]?.certificateVerified).toBe(true);

    const impostor = client({ url, identity: 'CS001', ...pki.clients.CS002 });
    await expect(impostor.client.start()).rejects.toMatchObject({
      code: 'HANDSHAKE_REJECTED',
      status: 401,
    });

    const anonymous = client({ url, identity: 'CS001' });
    await expect(anonymous.client.start()).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
      message: expect.stringMatching(/certificate required|handshake failure|ECONNRESET/i),
    });
    expect(accepted).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });

  it('checks the certificate against the identity, exactly, by default when no hook is given', async () => {
    const { url, accepted, rejected } = await profile3();
    const good = client({ url, identity: 'CS002', ...pki.clients.CS002 });
    await good.client.start();
    const impostor = client({ url, identity: 'CS001', ...pki.clients.CS002 });
    await expect(impostor.client.start()).rejects.toMatchObject({ status: 401 });
    // The certificate of CS002 does not open cs002, a station of its own.
    const otherCase = client({ url, identity: 'cs002', ...pki.clients.CS002 });
    await expect(otherCase.client.start()).rejects.toMatchObject({ status: 401 });
    await waitFor(() => accepted.length === 1);
    expect(accepted[0]?.identity).toBe('CS002');
    expect(rejected.map((r) => r.reason)).toEqual([
      'client certificate does not name this identity',
      'client certificate does not name this identity',
    ]);
  });

  it('compares ignoring case when clientCertificate.caseInsensitive is set', async () => {
    const { url, accepted } = await profile3({ clientCertificate: { caseInsensitive: true } });
    const station = client({ url, identity: 'cs002', ...pki.clients.CS002 });
    await station.client.start();
    await waitFor(() => accepted.length === 1);
    expect(accepted[0]?.identity).toBe('cs002');
  });

  it('refuses a 1024-bit RSA key before any hook is asked; 2048 bits pass', async () => {
    let asked = 0;
    const { url, accepted, rejected } = await profile3({
      authenticate: () => {
        asked += 1;
        return true;
      },
    });
    const weak = client({ url, identity: 'CS001', ...pki.cs001.rsa1024 });
    await expect(weak.client.start()).rejects.toMatchObject({ status: 401 });
    expect(asked).toBe(0);
    expect(rejected[0]).toMatchObject({
      stage: 'request',
      status: 401,
      reason: 'client certificate key too small: RSA of 1024 bits, at least 2048 required',
    });
    const strong = client({ url, identity: 'CS001', ...pki.cs001.rsa2048 });
    await strong.client.start();
    expect(asked).toBe(1);
    await waitFor(() => accepted.length === 1);
  });

  it('refuses a P-224 key by default, accepts it with ecBits: 224; rsaBits is configurable too', async () => {
    // P-224 is not among Node's default groups: both ends must offer it, over TLS 1.2.
    const p224 = {
      ...pki.cs001.p224,
      tls: { maxVersion: 'TLSv1.2', ecdhCurve: 'P-256:P-224' },
    } as const;
    const tls = {
      ...tlsServerOptions({ profile: 3, cert: pki.serverCert, key: pki.serverKey, ca: pki.ca }),
      ecdhCurve: 'X25519:P-256:P-384:P-224',
    };
    const strict = await profile3({ tls });
    const refused = client({ url: strict.url, identity: 'CS001', ...p224 });
    await expect(refused.client.start()).rejects.toMatchObject({ status: 401 });
    expect(strict.rejected[0]?.reason).toBe(
      'client certificate key too small: EC secp224r1 of 224 bits, at least 256 required',
    );
    const p256 = client({ url: strict.url, identity: 'CS001', ...pki.clients.CS001 });
    await p256.client.start();

    const lenient = await profile3({ tls, clientCertificate: { ecBits: 224, rsaBits: 1024 } });
    const accepted = client({ url: lenient.url, identity: 'CS001', ...p224 });
    await accepted.client.start();
    const rsa1024 = client({ url: lenient.url, identity: 'CS001', ...pki.cs001.rsa1024 });
    await rsa1024.client.start();
    await waitFor(() => lenient.accepted.length === 2);

    expect(certificateKeyProblem(new X509Certificate(pki.cs001.p224.cert))).toMatch(/224 bits/);
    expect(certificateKeyProblem(new X509Certificate(pki.clients.CS001.cert))).toBeUndefined();
    expect(
      certificateKeyProblem(new X509Certificate(pki.cs001.rsa1024.cert), { rsaBits: 1024 }),
    ).toBeUndefined();
    expect(() => createWsServer({ clientCertificate: { rsaBits: -1 } })).toThrow(/rsaBits/);
  });

  it('gives a hook of its own the same verdict in certificateProblem', async () => {
    const problems: Array<string | undefined> = [];
    const { url } = await profile3({
      authenticate: (ctx) => {
        problems.push(ctx.certificateProblem);
        return ctx.certificateProblem === undefined && { station: ctx.identity };
      },
    });
    await client({ url, identity: 'CS001', ...pki.clients.CS001 }).client.start();
    const impostor = client({ url, identity: 'CS001', ...pki.clients.CS002 });
    await expect(impostor.client.start()).rejects.toMatchObject({ status: 401 });
    const lower = client({ url, identity: 'cs001', ...pki.clients.CS001 });
    await expect(lower.client.start()).rejects.toMatchObject({ status: 401 });
    expect(problems).toEqual([
      undefined,
      'client certificate does not name this identity',
      'client certificate does not name this identity',
    ]);
  });

  it('reports TLS-level refusals: no certificate, an untrusted one', async () => {
    const { url, rejected, accepted } = await profile3();
    const anonymous = client({ url, identity: 'CS001' });
    await expect(anonymous.client.start()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    const untrusted = client({ url, identity: 'CS001', ...pki.cs001.selfSigned });
    await expect(untrusted.client.start()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    await waitFor(() => rejected.length === 2);
    expect(rejected).toEqual([
      {
        stage: 'tls',
        status: 0,
        identity: undefined,
        remoteAddress: '127.0.0.1',
        reason:
          'TLS handshake failed: no client certificate (ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE)',
      },
      {
        stage: 'tls',
        status: 0,
        identity: undefined,
        remoteAddress: '127.0.0.1',
        reason:
          'TLS handshake failed: client certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)',
      },
    ]);
    expect(accepted).toHaveLength(0);
  });

  it('works attached to an https server, and reads a crypto.X509Certificate', async () => {
    const https = createHttpsServer(
      tlsServerOptions({ profile: 3, cert: pki.serverCert, key: pki.serverKey, ca: pki.ca }),
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => https.close(resolve)));
    const server = createWsServer({ server: https, securityProfile: 3, pingIntervalSeconds: 0 });
    onCleanup(() => server.close());
    const identities: string[] = [];
    server.onConnection((c) => {
      identities.push(c.identity);
      c.transport.bind({ message() {}, open() {}, close() {}, error() {} });
      void c.transport.start();
    });
    const port = (https.address() as AddressInfo).port;
    const station = client({
      url: `wss://localhost:${port}`,
      identity: 'CS001',
      ...pki.clients.CS001,
    });
    await station.client.start();
    expect(identities).toEqual(['CS001']);
    expect(certificateMatchesIdentity(new X509Certificate(pki.clients.CS001.cert), 'CS001')).toBe(
      true,
    );
    expect(certificateMatchesIdentity(new X509Certificate(pki.serverCert), '127.0.0.1')).toBe(
      false,
    );
    expect(certificateMatchesIdentity(new X509Certificate(pki.serverCert), 'localhost')).toBe(true);
  });
});

/**
 * One TLS 1.2 handshake by `openssl s_client` offering only `suite`: the suite the server chose,
 * or undefined when the handshake failed.
 */
function negotiate(port: number, suite: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-tls1_2',
        '-cipher',
        suite,
        '-CAfile',
        'ca.crt',
      ],
      { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      const chosen = /Cipher is (\S+)/.exec(out)?.[1];
      resolve(code === 0 && chosen !== undefined && chosen !== '(NONE)' ? chosen : undefined);
    });
    child.stdin.end();
  });
}

describe('several server certificates: every suite OCPP 2.0.1 requires', () => {
  const serve = async (certificates: Parameters<typeof tlsServerOptions>[0]) => {
    const { url } = await tlsServer({
      securityProfile: 2,
      tls: tlsServerOptions(certificates),
      authenticate: () => true,
    });
    return Number(new URL(url).port);
  };
  const rsa = () => ({ cert: pki.serverCert, key: pki.serverKey });

  it('an RSA and an EC certificate: all four suites negotiate (openssl s_client -cipher)', async () => {
    const port = await serve({ profile: 2, certificates: [rsa(), pki.serverEc] });
    for (const suite of OCPP_REQUIRED_TLS12_SUITES) {
      expect(await negotiate(port, suite), suite).toBe(suite);
    }
  });

  it('one certificate serves only its half of them', async () => {
    const rsaOnly = await serve({ profile: 2, ...rsa() });
    const ecOnly = await serve({ profile: 2, certificates: [pki.serverEc] });
    const [ecdsa128, ecdsa256, rsa128, rsa256] = OCPP_REQUIRED_TLS12_SUITES;
    expect(await negotiate(rsaOnly, rsa128)).toBe(rsa128);
    expect(await negotiate(rsaOnly, rsa256)).toBe(rsa256);
    expect(await negotiate(rsaOnly, ecdsa128)).toBeUndefined();
    expect(await negotiate(ecOnly, ecdsa256)).toBe(ecdsa256);
    expect(await negotiate(ecOnly, rsa128)).toBeUndefined();
  });

  it('a station connects through either certificate', async () => {
    const { url, accepted } = await tlsServer({
      securityProfile: 2,
      tls: tlsServerOptions({ profile: 2, certificates: [pki.serverEc, rsa()] }),
      authenticate: (ctx) => tlsFacts(ctx),
    });
    const ecdsa = client({
      url,
      identity: 'CS001',
      tls: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
    });
    await ecdsa.client.start();
    const plainRsa = client({
      url,
      identity: 'CS002',
      tls: { maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384' },
    });
    await plainRsa.client.start();
    await waitFor(() => accepted.length === 2);
    expect(accepted.map((a) => (a.auth as { cipher: string }).cipher).sort()).toEqual([
      'AES256-GCM-SHA384',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
    ]);
  });

  it("refuses a key that is not its certificate's, and two certificates of one key type", () => {
    expect(() =>
      tlsServerOptions({
        profile: 2,
        certificates: [rsa(), { cert: pki.serverEc.cert, key: pki.clients.CS001.key }],
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message:
          'certificates[2]: the EC prime256v1 key does not belong to the certificate of CN=localhost',
      }),
    );
    expect(() =>
      tlsServerOptions({ profile: 2, certificates: [rsa(), pki.cs001.rsa2048] }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message:
          'certificates[1] and [2] both have RSA keys: TLS serves one certificate per key type (give one RSA and one EC certificate)',
      }),
    );
    expect(() => tlsServerOptions({ profile: 2, certificates: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});
