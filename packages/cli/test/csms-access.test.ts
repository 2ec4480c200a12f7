import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { eventually, runCli, startTestCsms } from './helpers/cli.js';
import { BOOT_16, connectStation } from './helpers/station.js';

/** One HTTP request with exactly the headers given (fetch would not let a test set Host). */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the admin API of ocpp csms is reached on its own listener, with a token', () => {
  it('listens on loopback apart from OCPP; the OCPP port answers plain HTTP as the WebSocket server does', async () => {
    const csms = await startTestCsms(['--quiet']);
    const admin = new URL(csms.adminUrl);
    const ocpp = new URL(csms.url);
    expect(admin.hostname).toBe('127.0.0.1');
    expect(admin.port).not.toBe(ocpp.port);
    // The generated token: 32 random bytes, printed once with the page address.
    expect(csms.adminToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csms.output().stdout).toContain(`open the web page at ${csms.pageUrl}`);

    const onOcpp = await raw(`http://127.0.0.1:${ocpp.port}/api/stations`, {
      headers: { Authorization: `Bearer ${csms.adminToken}` },
    });
    expect(onOcpp.status).toBe(426);
    expect(onOcpp.body).not.toContain('[');
    const rootOnOcpp = await raw(`http://127.0.0.1:${ocpp.port}/`);
    expect(rootOnOcpp.body).not.toContain('<html');
  });

  it('answers 401 without the token, with a wrong one and with one in the query string', async () => {
    const csms = await startTestCsms(['--quiet']);
    const station = await connectStation(csms.url, 'CS-401');
    await station.call('BootNotification', BOOT_16);
    for (const [path, headers] of [
      ['/api', {}],
      ['/api/stations', {}],
      ['/api/events', {}],
      ['/api/stations', { Authorization: `Bearer ${csms.adminToken}x` }],
      [
        '/api/stations',
        { Authorization: `Basic ${Buffer.from(`a:${csms.adminToken}`).toString('base64')}` },
      ],
      [`/api/stations?token=${csms.adminToken}`, {}],
      ['/api/nothing', {}],
    ] as const) {
      const res = await raw(new URL(path, csms.adminUrl).href, { headers });
      expect([path, res.status]).toEqual([path, 401]);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="ocpp csms"');
    }
    // What the attack needed: a reset (or a password change) without any credential.
    const reset = await raw(new URL('/api/stations/CS-401/reset', csms.adminUrl).href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":"Immediate"}',
    });
    expect(reset.status).toBe(401);
    expect((await csms.api('/api/stations')).status).toBe(200);
    // The page itself is served without the token (it holds no data) and locked down.
    const page = await raw(csms.adminUrl);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(station.received).toEqual([]);
  });

  it('answers 403 to a foreign Origin or a Host that does not name the listener, and 415 to a body that is not JSON', async () => {
    const csms = await startTestCsms(['--quiet']);
    const station = await connectStation(csms.url, 'CS-403');
    await station.call('BootNotification', BOOT_16);
    const port = new URL(csms.adminUrl).port;
    const auth = { Authorization: `Bearer ${csms.adminToken}` };
    const reset = new URL('/api/stations/CS-403/reset', csms.adminUrl).href;
    const json = { ...auth, 'Content-Type': 'application/json' };
    const body = '{"type":"Immediate"}';

    // A page on another site posting with the browser's help, or one that made its own name
    // point at 127.0.0.1 (DNS rebinding): refused whatever else the request carries.
    for (const headers of [
      { ...json, Origin: 'http://evil.example' },
      { ...json, Origin: 'null' },
      { ...json, Origin: `http://localhost:${Number(port) + 1}` },
      { ...json, Host: `evil.example:${port}` },
      { ...json, Host: `127.0.0.1:${Number(port) + 1}` },
      { ...json, Host: `127.0.0.1:${port}@evil.example` },
      { ...json, 'Sec-Fetch-Site': 'cross-site' },
    ]) {
      const res = await raw(reset, { method: 'POST', headers, body });
      expect([headers, res.status]).toEqual([headers, 403]);
    }
    const rebound = await raw(csms.adminUrl, { headers: { Host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    // The page (which holds no data) may be opened from a link on another site; the API not.
    const linked = await raw(csms.adminUrl, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(linked.status).toBe(200);

    // What a no-cors fetch from any page sends: text/plain. Never read, never run.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const res = await raw(reset, {
        method: 'POST',
        headers: { ...auth, ...(type === undefined ? {} : { 'Content-Type': type }) },
        body,
      });
      expect([type, res.status]).toEqual([type, 415]);
    }
    expect(station.received).toEqual([]);

    // Origin and Host must be the same origin: 127.0.0.1 and localhost are two.
    const mixed = await raw(reset, {
      method: 'POST',
      headers: { ...json, Origin: `http://127.0.0.1:${port}`, Host: `localhost:${port}` },
      body,
    });
    expect(mixed.status).toBe(403);
    expect(station.received).toEqual([]);
    // The same request done right works: the listener's own origin, JSON, the token.
    const done = await raw(reset, {
      method: 'POST',
      headers: { ...json, Origin: `http://127.0.0.1:${port}` },
      body,
    });
    expect(done.status).toBe(200);
    await eventually('the reset at the station', () =>
      station.received.some(([action]) => action === 'Reset') ? true : undefined,
    );
  });

  it('takes the token from OCPP_CSMS_ADMIN_TOKEN without printing it, and refuses a weak one', async () => {
    const token = 'a-token-chosen-by-the-test-0123456789';
    const csms = await startTestCsms(['--quiet'], { adminToken: token });
    expect(csms.output().stdout).not.toContain(token);
    expect(csms.output().stdout).toContain('admin token: the one given (OCPP_CSMS_ADMIN_TOKEN)');
    expect((await csms.api('/api/stations')).status).toBe(200);

    const weak = await runCli(['csms', '--port', '0', '--admin-token', 'short']);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain(
      '--admin-token: the admin token must have at least 16 characters',
    );
    const spaced = await runCli(['csms', '--port', '0'], {
      env: { OCPP_CSMS_ADMIN_TOKEN: 'has a space in it, sixteen+' },
    });
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toContain(
      'OCPP_CSMS_ADMIN_TOKEN: the admin token may hold visible ASCII',
    );
  });
});
