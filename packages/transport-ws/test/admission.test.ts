import { Agent, createServer, get } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addressKey } from '../src/admission.js';
import {
  createWsServer,
  type HandshakeRejection,
  safeEqual,
  type WsServerOptions,
  WsTransportError,
} from '../src/index.js';
import { onCleanup, rawUpgrade, startClient, startServer, waitFor } from './helpers.js';

const V201 = { 'Sec-WebSocket-Protocol': 'ocpp2.0.1' };

async function limitedServer(options: WsServerOptions) {
  const started = await startServer(options);
  const rejected: HandshakeRejection[] = [];
  started.server.on('rejected', (r) => rejected.push(r));
  const admission = (
    started.server as unknown as {
      admission: { connections: number; pendingHandshakes: number };
    }
  ).admission;
  return { ...started, rejected, admission };
}

/** A TCP connection to the server; resolves once connected. `closed` settles when it goes. */
function tcp(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    onCleanup(async () => socket.destroy());
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

describe('handshakeTimeoutMs', () => {
  it('destroys connections that never send a byte, send headers too slowly, or wait on the hook', async () => {
    let release: ((ok: boolean) => void) | undefined;
    const { server, port, url, accepted, rejected } = await limitedServer({
      handshakeTimeoutMs: 300,
      authenticate: (ctx) =>
        ctx.identity === 'STUCK' ? new Promise<boolean>((r) => (release = r)) : true,
    });
    // Node's own timeouts stay behind ours, as a backstop.
    expect(server.server.headersTimeout).toBe(1300);
    expect(server.server.requestTimeout).toBe(1300);
    const station = startClient({ url, identity: 'FINE' });
    await station.client.start();

    const idle = await tcp(port);
    const slow = await tcp(port);
    slow.socket.write('GET /SLOW HTTP/1.1\r\nHost: x\r\n');
    const stuck = await tcp(port);
    stuck.socket.write(
      'GET /STUCK HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
        'Sec-WebSocket-Protocol: ocpp2.0.1\r\n\r\n',
    );
    await Promise.all([idle.closed, slow.closed, stuck.closed]);
    await waitFor(() => rejected.length === 3);
    for (const r of rejected) {
      expect(r).toMatchObject({ stage: 'connection', status: 0, remoteAddress: '127.0.0.1' });
      expect(r.reason).toBe('handshake timeout: no WebSocket upgrade within 300 ms');
    }
    expect(rejected.map((r) => r.identity)).toContain('STUCK');
    release?.(true);
    // The station connected before all of them and is long past its own deadline: still open.
    expect(station.client.isOpen).toBe(true);
    expect(accepted.map((a) => a.connection.identity)).toEqual(['FINE']);
    expect(accepted[0]?.recorder.closes).toEqual([]);
  });

  it('on an attached server, leaves plain HTTP connections alone once they made a request', async () => {
    const http = createServer((_req, res) => res.end('app'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => http.close(resolve)));
    http.keepAliveTimeout = 60_000;
    const port = (http.address() as AddressInfo).port;
    const server = createWsServer({
      server: http,
      handshakeTimeoutMs: 300,
      pingIntervalSeconds: 0,
    });
    onCleanup(() => server.close());
    const rejected: HandshakeRejection[] = [];
    server.on('rejected', (r) => rejected.push(r));

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    onCleanup(async () => agent.destroy());
    let appSocket: Socket | undefined;
    const body = await new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        appSocket = res.socket as Socket;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('app');
    // An idle connection opened after the request times out; the kept-alive one does not.
    const idle = await tcp(port);
    await idle.closed;
    await waitFor(() => rejected.length === 1);
    expect(rejected[0]?.reason).toMatch(/handshake timeout/);
    expect(appSocket?.destroyed).toBe(false);
  });

  it('refuses bad values', () => {
    expect(() => createWsServer({ handshakeTimeoutMs: -1 })).toThrow(/handshakeTimeoutMs/);
    expect(() => createWsServer({ maxConnections: 0 })).toThrow(/maxConnections/);
    expect(() => createWsServer({ maxHandshakesPerAddress: 1.5 })).toThrow(
      /maxHandshakesPerAddress/,
    );
    expect(() => createWsServer({ maxConnections: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe('maxConnections and maxHandshakesPerAddress', () => {
  it('destroys a connection over maxConnections at once, counting WebSockets and handshakes', async () => {
    const { port, url, rejected, admission } = await limitedServer({ maxConnections: 3 });
    const a = startClient({ url, identity: 'A' });
    await a.client.start();
    const b = startClient({ url, identity: 'B' });
    await b.client.start();
    const idle = await tcp(port);
    const over = await tcp(port);
    await over.closed;
    await waitFor(() => rejected.length === 1);
    expect(rejected[0]).toMatchObject({
      stage: 'connection',
      status: 0,
      reason: 'too many connections: 3 open or opening',
      remoteAddress: '127.0.0.1',
    });
    // A slot frees up when a connection goes.
    idle.socket.destroy();
    await waitFor(() => admission.connections === 2, 3000, 'the server to see it go');
    const c = startClient({ url, identity: 'C' });
    await c.client.start();
    expect(c.client.isOpen).toBe(true);
  });

  it('destroys a handshake over the per-address limit; completed upgrades do not count', async () => {
    const { port, url, rejected, admission } = await limitedServer({
      maxHandshakesPerAddress: 2,
      // Loopback is exempt by default; these tests have no other address.
      perAddressExempt: () => false,
    });
    for (const identity of ['S1', 'S2', 'S3']) {
      const s = startClient({ url, identity });
      await s.client.start();
    }
    const idle = [await tcp(port), await tcp(port)];
    const over = startClient({ url, identity: 'S4' });
    await expect(over.client.start()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    expect(rejected).toMatchObject([
      {
        stage: 'connection',
        status: 0,
        reason: 'too many handshakes from this address: 2 under way',
        remoteAddress: '127.0.0.1',
      },
    ]);
    for (const i of idle) i.socket.destroy();
    await waitFor(() => admission.pendingHandshakes === 0, 3000, 'the server to see them go');
    const again = startClient({ url, identity: 'S4' });
    await again.client.start();
    expect(again.client.isOpen).toBe(true);
  });

  it('does not limit loopback (or other exempt) addresses per address by default', async () => {
    const seen: string[] = [];
    const { port, url, rejected } = await limitedServer({ maxHandshakesPerAddress: 2 });
    const idle = [await tcp(port), await tcp(port), await tcp(port)];
    const station = startClient({ url, identity: 'LOCAL' });
    await station.client.start();
    const custom = await limitedServer({
      maxHandshakesPerAddress: 1,
      perAddressExempt: (address) => {
        seen.push(address);
        return address === '127.0.0.1';
      },
    });
    const more = [await tcp(custom.port), await tcp(custom.port)];
    const proxied = startClient({ url: custom.url, identity: 'PROXIED' });
    await proxied.client.start();
    expect(seen).toContain('127.0.0.1');
    expect([...rejected, ...custom.rejected]).toEqual([]);
    for (const socket of [...idle, ...more]) expect(socket.socket.destroyed).toBe(false);
  });

  it('keys IPv6 addresses by /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('');
  });
});

describe('malformed upgrade requests', () => {
  it('are answered 400 and reported', async () => {
    const { port, rejected } = await limitedServer({});
    const answer = await rawUpgrade(port, '/CS001', { ...V201, 'Sec-WebSocket-Key': 'short' });
    expect(answer.status).toBe(400);
    expect(rejected).toMatchObject([
      { stage: 'request', status: 400, identity: 'CS001', reason: expect.stringMatching(/Key/) },
    ]);
  });
});

describe('authFailureLimit', () => {
  const PASSWORD = 'correct-horse-battery';

  afterEach(() => {
    vi.useRealTimers();
  });

  async function brakeServer(options: WsServerOptions) {
    let asked = 0;
    const started = await limitedServer({
      authenticate: (ctx) => {
        asked += 1;
        if (ctx.identity === 'BROKEN') throw new Error('database down');
        if (ctx.identity === 'UNKNOWN') {
          throw new WsTransportError('HANDSHAKE_REJECTED', 'unknown station', { status: 404 });
        }
        return ctx.password !== undefined && safeEqual(ctx.password, PASSWORD);
      },
      ...options,
    });
    started.server.on('error', () => undefined);
    return { ...started, asked: () => asked };
  }

  const attempt = async (url: string, identity: string, password: string) => {
    const { client } = startClient({ url, identity, password });
    return client.start().then(
      () => 101,
      (e: unknown) => (e as WsTransportError).status,
    );
  };

  it('locks one identity out from an address after perIdentity failures: 429, Retry-After, no hook', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { port, url, rejected, asked } = await brakeServer({
      authFailureLimit: { perIdentity: 3, windowSeconds: 60, lockoutSeconds: 30 },
    });
    for (let i = 0; i < 3; i++) expect(await attempt(url, 'CS001', 'wrong-password-0')).toBe(401);
    expect(asked()).toBe(3);
    // Locked out, even with the right password; the hook is not asked.
    expect(await attempt(url, 'CS001', PASSWORD)).toBe(429);
    const raw = await rawUpgrade(port, '/CS001', V201);
    expect(raw.status).toBe(429);
    expect(raw.headers['retry-after']).toBe('30');
    expect(asked()).toBe(3);
    expect(rejected.at(-1)).toMatchObject({
      stage: 'request',
      status: 429,
      identity: 'CS001',
      reason: 'too many failed authentications; retry in 30 s',
    });
    // Another identity from the same address is not affected.
    expect(await attempt(url, 'CS002', PASSWORD)).toBe(101);
    // After the lockout the station gets in.
    vi.advanceTimersByTime(30_000);
    expect(await attempt(url, 'CS001', PASSWORD)).toBe(101);
  });

  it('locks a whole address out after perAddress failures, whatever the identities', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { url } = await brakeServer({
      authFailureLimit: { perIdentity: 100, perAddress: 3, lockoutSeconds: 5 },
      perAddressExempt: () => false,
    });
    for (const identity of ['A1', 'A2', 'A3']) {
      expect(await attempt(url, identity, 'wrong-password-0')).toBe(401);
    }
    expect(await attempt(url, 'A4', PASSWORD)).toBe(429);
    vi.advanceTimersByTime(5_000);
    expect(await attempt(url, 'A4', PASSWORD)).toBe(101);
  });

  it('does not lock out an exempt address (a proxy) as a whole, only the identity that failed', async () => {
    const { url } = await brakeServer({
      authFailureLimit: { perIdentity: 3, perAddress: 3 },
    });
    for (const identity of ['B1', 'B2', 'B1', 'B2', 'B1']) {
      expect(await attempt(url, identity, 'wrong-password-0')).toBe(401);
    }
    expect(await attempt(url, 'B1', PASSWORD)).toBe(429);
    expect(await attempt(url, 'B3', PASSWORD)).toBe(101);
  });

  it('a success starts the identity over; crashes and 404s do not count', async () => {
    const { url, asked } = await brakeServer({ authFailureLimit: { perIdentity: 2 } });
    expect(await attempt(url, 'CS001', 'wrong-password-0')).toBe(401);
    expect(await attempt(url, 'CS001', PASSWORD)).toBe(101);
    expect(await attempt(url, 'CS001', 'wrong-password-0')).toBe(401);
    expect(await attempt(url, 'CS001', PASSWORD)).toBe(101);
    for (let i = 0; i < 4; i++) {
      expect(await attempt(url, 'BROKEN', PASSWORD)).toBe(401);
      expect(await attempt(url, 'UNKNOWN', PASSWORD)).toBe(404);
    }
    expect(asked()).toBe(12);
  });

  it('counts credentials that name another user, and can be turned off', async () => {
    const on = await brakeServer({ authFailureLimit: { perIdentity: 2 } });
    const header = { ...V201, Authorization: `Basic ${Buffer.from('OTHER:x').toString('base64')}` };
    expect((await rawUpgrade(on.port, '/CS001', header)).status).toBe(401);
    expect((await rawUpgrade(on.port, '/CS001', header)).status).toBe(401);
    expect((await rawUpgrade(on.port, '/CS001', header)).status).toBe(429);

    const off = await brakeServer({ authFailureLimit: false });
    for (let i = 0; i < 15; i++)
      expect(await attempt(off.url, 'CS001', 'wrong-password-0')).toBe(401);
    expect(await attempt(off.url, 'CS001', PASSWORD)).toBe(101);
  });

  it('refuses bad values', () => {
    expect(() => createWsServer({ authFailureLimit: { perIdentity: 0 } })).toThrow(/perIdentity/);
    expect(() => createWsServer({ authFailureLimit: { lockoutSeconds: -1 } })).toThrow(
      /lockoutSeconds/,
    );
  });
});
