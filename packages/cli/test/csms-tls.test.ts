import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OCPP_REQUIRED_TLS12_SUITES } from '@ocpp/transport-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestCsms } from './helpers/cli.js';

/**
 * `ocpp csms` offers every TLS 1.2 suite OCPP 2.0.1 requires (A00.FR.318) from one process: the
 * two ECDHE-ECDSA suites need an EC certificate, the two TLS_RSA ones an RSA certificate, so
 * `--tls-cert`/`--tls-key` are given once per certificate. `openssl s_client` offers one suite at
 * a time, as a conformance tool does.
 */

let dir = '';
const path = (name: string) => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocpp-csms-tls-'));
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
    '/CN=csms-tls test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  writeFileSync(
    path('server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  const server = (name: string, keyArgs: string[]) => {
    openssl(...keyArgs, '-out', `${name}.key`);
    openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost');
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
      'server.ext',
    );
  };
  server('rsa', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  server('ec', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
}, 30_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** The suite a TLS 1.2 handshake offering only `suite` ends with, or undefined if it fails. */
function negotiate(url: string, suite: string): Promise<string | undefined> {
  const { host } = new URL(url);
  return new Promise((resolve, reject) => {
    const child = spawn(
      'openssl',
      ['s_client', '-connect', host, '-tls1_2', '-cipher', suite, '-CAfile', path('ca.crt')],
      { stdio: ['pipe', 'pipe', 'pipe'] },
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

const pair = (name: string) => [
  '--tls-cert',
  path(`${name}.crt`),
  '--tls-key',
  path(`${name}.key`),
];

describe('ocpp csms with an RSA and an EC certificate', () => {
  it('negotiates all four OCPP 2.0.1 TLS 1.2 suites; stations boot over wss://', async () => {
    const csms = await startTestCsms([...pair('rsa'), ...pair('ec'), '--quiet']);
    expect(csms.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    for (const suite of OCPP_REQUIRED_TLS12_SUITES) {
      expect(await negotiate(csms.url, suite), suite).toBe(suite);
    }
    const r = await runCli([
      'simulate',
      '--url',
      csms.url,
      '--scenario',
      'boot-only',
      '--stations',
      '2',
      '--ca',
      path('ca.crt'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('with one certificate, only its half of the suites (why both are needed)', async () => {
    const csms = await startTestCsms([...pair('ec'), '--quiet']);
    const [ecdsa128, , rsa128] = OCPP_REQUIRED_TLS12_SUITES;
    expect(await negotiate(csms.url, ecdsa128)).toBe(ecdsa128);
    expect(await negotiate(csms.url, rsa128)).toBeUndefined();
  });

  it('refuses pairs that do not match, in one line', async () => {
    const [mismatch, twoRsa, missingKey] = await Promise.all([
      runCli([
        'csms',
        ...pair('rsa'),
        '--tls-cert',
        path('ec.crt'),
        '--tls-key',
        path('ca.key'),
        '--port',
        '0',
      ]),
      runCli(['csms', ...pair('rsa'), ...pair('rsa'), '--port', '0']),
      runCli(['csms', ...pair('rsa'), '--tls-cert', path('ec.crt'), '--port', '0']),
    ]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toBe(
      'ocpp csms: --tls-cert/--tls-key: pair 2: the EC prime256v1 key does not belong to the certificate of CN=localhost (see ocpp csms --help)\n',
    );
    expect(twoRsa.code).toBe(2);
    expect(twoRsa.stderr).toBe(
      'ocpp csms: --tls-cert/--tls-key: pairs 1 and 2 both have RSA keys: TLS serves one certificate per key type (give one RSA and one EC certificate) (see ocpp csms --help)\n',
    );
    expect(missingKey.code).toBe(2);
    expect(missingKey.stderr).toBe(
      'ocpp csms: --tls-cert and --tls-key go together, one key per certificate (got 2 and 1) (see ocpp csms --help)\n',
    );
  });
});
