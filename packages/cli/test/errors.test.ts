import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, runCli, startTestCsms } from './helpers/cli.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback port with a plain TCP listener on it (busy), or closed again (nobody listens). */
async function loopbackPort(keepBusy: boolean): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  if (keepBusy) servers.push(server);
  else await new Promise((r) => server.close(r));
  return port;
}

function file(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ocpp-cli-')), name);
  writeFileSync(path, content);
  return path;
}

/** A bad input gives exactly one line on stderr and a non-zero exit code. */
function expectOneLine(r: CliResult, code: number, line: string | RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  if (typeof line === 'string') expect(r.stderr).toBe(`${line}\n`);
  else expect(r.stderr).toMatch(line);
}

describe('bad input: one clear line and a non-zero exit', () => {
  it('an unknown command or option, a missing value, a missing or malformed option', async () => {
    const [unknownCommand, unknownOption, missingValue, missingUrl, badUrl, badNumber] =
      await Promise.all([
        runCli(['simulat']),
        runCli(['simulate', '--url', 'ws://127.0.0.1:1', '--statoins', '3']),
        runCli(['csms', '--port']),
        runCli(['simulate', '--stations', '3']),
        runCli(['simulate', '--url', 'http://127.0.0.1:9000']),
        runCli(['csms', '--port', '70000']),
      ]);
    expectOneLine(
      unknownCommand,
      2,
      'ocpp: unknown command "simulat" (commands: demo, simulate, csms, validate)',
    );
    expectOneLine(
      unknownOption,
      2,
      'ocpp simulate: unknown option --statoins (did you mean --stations?) (see ocpp simulate --help)',
    );
    expectOneLine(
      missingValue,
      2,
      'ocpp csms: option --port needs a value (PORT) (see ocpp csms --help)',
    );
    expectOneLine(
      missingUrl,
      2,
      'ocpp simulate: option --url is required (see ocpp simulate --help)',
    );
    expectOneLine(
      badUrl,
      2,
      'ocpp simulate: --url must start with ws:// or wss://, got "http://" (see ocpp simulate --help)',
    );
    expectOneLine(
      badNumber,
      2,
      'ocpp csms: option --port expects a whole number from 0 to 65535, got "70000" (see ocpp csms --help)',
    );
  });

  it('an unreachable URL', async () => {
    const port = await loopbackPort(false);
    const r = await runCli(['simulate', '--url', `ws://127.0.0.1:${port}`, '--stations', '5']);
    expectOneLine(
      r,
      1,
      `ocpp simulate: cannot connect SIM-0001 to ws://127.0.0.1:${port}: connection refused`,
    );
  });

  it('a subprotocol the CSMS refuses', async () => {
    const csms = await startTestCsms(['--protocols', 'ocpp2.1,ocpp2.0.1']);
    const r = await runCli([
      'simulate',
      '--url',
      csms.url,
      '--protocol',
      'ocpp1.6',
      '--stations',
      '2',
    ]);
    expectOneLine(
      r,
      1,
      `ocpp simulate: cannot connect SIM-0001 to ${csms.url}: subprotocol refused: the CSMS does not speak ocpp1.6`,
    );
  });

  it('a 401 from the CSMS, and the right password accepted', async () => {
    const credentials = file('stations.json', JSON.stringify({ '*': 'fleet-password-16ch' }));
    const csms = await startTestCsms(['--credentials', credentials, '--quiet']);
    const wrong = await runCli([
      'simulate',
      '--url',
      csms.url,
      '--stations',
      '2',
      '--password',
      'not-the-password',
    ]);
    expectOneLine(
      wrong,
      1,
      `ocpp simulate: cannot connect SIM-0001 to ${csms.url}: HTTP 401 unauthorized: wrong or missing Basic-auth credentials`,
    );
    const none = await runCli(['simulate', '--url', csms.url, '--stations', '1']);
    expect(none.stderr).toContain('HTTP 401');
    const right = await runCli([
      'simulate',
      '--url',
      csms.url,
      '--stations',
      '3',
      '--scenario',
      'boot-only',
      '--password',
      'fleet-password-16ch',
    ]);
    expect(right.stderr).toBe('');
    expect(right.code).toBe(0);
    expect(right.stdout).toMatch(/stations connected\s+3/);
    await expect(csms.waitFor(/refused: HTTP 401/)).resolves.toBeTruthy();
  });

  it('warns of passwords a version cannot hold, and still serves with them', async () => {
    const credentials = file(
      'short.json',
      JSON.stringify({ 'SHORT-0001': 'short', CS002: 'a-16-char-secret', CS003: 'hex:0011' }),
    );
    const csms = await startTestCsms(['--credentials', credentials, '--quiet']);
    const warned = () =>
      csms
        .output()
        .stderr.split('\n')
        .filter((l) => l.includes('warning'));
    // Written before the listening line, through another pipe: wait for both.
    await new Promise<void>((resolve) => {
      const check = () => {
        if (warned().length >= 2) resolve();
      };
      csms.child.stderr!.on('data', check);
      check();
    });
    expect(warned()).toEqual([
      `ocpp csms: warning: credentials file ${credentials}: the password of "SHORT-0001" is 5 characters; OCPP 2.x asks 16 to 40 (BasicAuthPassword), and a 2.x station may refuse to store it`,
      `ocpp csms: warning: credentials file ${credentials}: the key of "CS003" is 2 bytes; a 1.6 AuthorizationKey is 16 to 20`,
    ]);
    const r = await runCli([
      'simulate',
      '--url',
      csms.url,
      '--stations',
      '1',
      '--identity-prefix',
      'SHORT-',
      '--scenario',
      'boot-only',
      '--password',
      'short',
    ]);
    expect(r.code).toBe(0);
  });

  it('a port in use', async () => {
    const port = await loopbackPort(true);
    const r = await runCli(['csms', '--port', String(port)]);
    expectOneLine(
      r,
      1,
      `ocpp csms: OCPP port ${port} on 127.0.0.1 is already in use (choose another with --port)`,
    );
  });

  it('a malformed or missing credentials file', async () => {
    const notJson = file('a.json', '{ "CS001": "secret", }');
    const notObject = file('b.json', '["CS001", "secret"]');
    const badPassword = file('c.json', '{ "CS001": 42 }');
    const badHex = file('d.json', '{ "CS001": "hex:abc" }');
    const empty = file('e.json', '{}');
    const [r1, r2, r3, r4, r5, r6, r7] = await Promise.all([
      runCli(['csms', '--port', '0', '--credentials', notJson]),
      runCli(['csms', '--port', '0', '--credentials', notObject]),
      runCli(['csms', '--port', '0', '--credentials', badPassword]),
      runCli(['csms', '--port', '0', '--credentials', badHex]),
      runCli(['csms', '--port', '0', '--credentials', '/nonexistent/stations.json']),
      runCli(['simulate', '--url', 'ws://127.0.0.1:1', '--credentials', notJson]),
      runCli(['csms', '--port', '0', '--credentials', empty]),
    ]);
    expectOneLine(
      r1,
      1,
      new RegExp(`^ocpp csms: credentials file ${notJson} is not valid JSON \\(.+\\)\\n$`),
    );
    expectOneLine(
      r2,
      1,
      `ocpp csms: credentials file ${notObject} must be a JSON object of identity → password, e.g. {"CS001": "a-16-char-secret"}`,
    );
    expectOneLine(
      r3,
      1,
      `ocpp csms: credentials file ${badPassword}: the password of "CS001" must be a non-empty string`,
    );
    expectOneLine(r4, 1, /starts with hex: but is not an even number of hex digits/);
    expectOneLine(
      r5,
      1,
      'ocpp csms: --credentials /nonexistent/stations.json: cannot read it (no such file)',
    );
    expectOneLine(r6, 1, /^ocpp simulate: credentials file .+ is not valid JSON/);
    expectOneLine(
      r7,
      1,
      `ocpp csms: credentials file ${empty} lists no station: every connection would be refused (add "identity": "password" pairs, or "*")`,
    );
  });
});

describe('TLS security profiles', () => {
  const fixture = (name: string) => new URL(`./fixtures/tls/${name}`, import.meta.url).pathname;

  it('profile 2: TLS with Basic auth; the CSMS certificate must be trusted', async () => {
    const credentials = file('stations.json', JSON.stringify({ '*': 'fleet-password-16ch' }));
    const csms = await startTestCsms([
      '--tls-cert',
      fixture('server.crt'),
      '--tls-key',
      fixture('server.key'),
      '--credentials',
      credentials,
      '--quiet',
    ]);
    expect(csms.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(csms.output().stdout).toContain('security profile 2');
    const common = [
      'simulate',
      '--url',
      csms.url,
      '--scenario',
      'boot-only',
      '--password',
      'fleet-password-16ch',
    ];
    const trusted = await runCli([...common, '--stations', '3', '--ca', fixture('ca.crt')]);
    expect(trusted.stderr).toBe('');
    expect(trusted.code).toBe(0);
    const untrusted = await runCli([...common, '--stations', '1']);
    expectOneLine(untrusted, 1, /: TLS: [A-Z_]+$/m);
    const insecure = await runCli([...common, '--stations', '1', '--insecure']);
    expect(insecure.code).toBe(0);
  });

  it('wss:// against a CSMS that serves plain ws:// says so, at once', async () => {
    const csms = await startTestCsms(['--quiet']);
    const wss = csms.url.replace(/^ws:/, 'wss:');
    const r = await runCli(['simulate', '--url', wss, '--stations', '2']);
    expectOneLine(
      r,
      1,
      `ocpp simulate: cannot connect SIM-0001 to ${wss}: TLS: EPROTO (no TLS handshake: does the CSMS serve wss://?)`,
    );
  });

  it('profile 3: client certificates naming the identity', async () => {
    const csms = await startTestCsms([
      '--tls-cert',
      fixture('server.crt'),
      '--tls-key',
      fixture('server.key'),
      '--tls-ca',
      fixture('ca.crt'),
      '--quiet',
    ]);
    expect(csms.output().stdout).toContain('security profile 3');
    const common = [
      'simulate',
      '--url',
      csms.url,
      '--scenario',
      'boot-only',
      '--stations',
      '1',
      '--ca',
      fixture('ca.crt'),
    ];
    const withCert = await runCli([
      ...common,
      '--cert',
      fixture('station.crt'),
      '--key',
      fixture('station.key'),
    ]);
    expect(withCert.stderr).toBe('');
    expect(withCert.code).toBe(0);
    const without = await runCli(common);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(
      /^ocpp simulate: cannot connect SIM-0001 to wss:\/\/127\.0\.0\.1:\d+: /,
    );
  });
});
