import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AuthenticateContext,
  basicAuthHeader,
  type HandshakeRejection,
  safeEqual,
  WsTransportError,
} from '../src/index.js';
import { rawUpgrade, startClient, startServer, waitFor } from './helpers.js';

const PASSWORD = 'correct-horse-battery-staple';

async function basicAuthServer() {
  const seen: AuthenticateContext[] = [];
  const started = await startServer({
    securityProfile: 1,
    authenticate: (ctx) => {
      seen.push(ctx);
      return ctx.password !== undefined && safeEqual(ctx.password, PASSWORD)
        ? { tenant: 'acme', identity: ctx.identity }
        : false;
    },
  });
  const rejected: HandshakeRejection[] = [];
  started.server.on('rejected', (r) => rejected.push(r));
  return { ...started, seen, rejected };
}

describe('Basic auth (security profile 1)', () => {
  it('accepts the right credentials and passes the hook result on as auth', async () => {
    const { url, accepted, seen } = await basicAuthServer();
    const { client } = startClient({ url, password: PASSWORD, protocols: ['ocpp2.0.1'] });
    await client.start();
    await waitFor(() => accepted.length === 1);
    expect(accepted[0]?.connection.auth).toEqual({ tenant: 'acme', identity: 'CS001' });
    expect(seen[0]).toMatchObject({
      identity: 'CS001',
      protocol: 'ocpp2.0.1',
      password: PASSWORD,
      certificate: undefined,
      certificateVerified: false,
      remoteAddress: '127.0.0.1',
    });
    expect(Buffer.from(seen[0]!.passwordBytes!).toString()).toBe(PASSWORD);
  });

  it('refuses a wrong password with 401', async () => {
    const { url, accepted, rejected } = await basicAuthServer();
    const { client } = startClient({ url, password: 'wrong-password-0000' });
    await expect(client.start()).rejects.toMatchObject({ code: 'HANDSHAKE_REJECTED', status: 401 });
    expect(accepted).toHaveLength(0);
    expect(rejected).toMatchObject([{ status: 401, identity: 'CS001' }]);
  });

  it('refuses a username other than the identity with 401, without asking the hook', async () => {
    const { url, seen, accepted } = await basicAuthServer();
    const { client } = startClient({
      url,
      identity: 'CS001',
      headers: { Authorization: basicAuthHeader('CS002', PASSWORD) },
    });
    await expect(client.start()).rejects.toMatchObject({ code: 'HANDSHAKE_REJECTED', status: 401 });
    expect(seen).toHaveLength(0);
    expect(accepted).toHaveLength(0);
  });

  it('refuses a missing header with 401 and a Basic challenge', async () => {
    const { port, url, seen } = await basicAuthServer();
    const answer = await rawUpgrade(port, '/CS001', { 'Sec-WebSocket-Protocol': 'ocpp2.0.1' });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Basic realm="OCPP"');
    expect(seen[0]?.password).toBeUndefined();
    expect(seen[0]?.passwordBytes).toBeUndefined();
    const wrong = await rawUpgrade(port, '/CS001', {
      'Sec-WebSocket-Protocol': 'ocpp2.0.1',
      Authorization: basicAuthHeader('CS001', 'nope'),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBeUndefined();
    const { client } = startClient({ url });
    await expect(client.start()).rejects.toMatchObject({ status: 401 });
  });

  it('carries a binary 1.6 AuthorizationKey with colon bytes through passwordBytes', async () => {
    const key = randomBytes(20);
    key[0] = 0xff; // never valid UTF-8
    key[5] = 0x3a;
    key[6] = 0x3a;
    key[19] = 0x3a;
    const seen: AuthenticateContext[] = [];
    const { url, accepted } = await startServer({
      securityProfile: 1,
      authenticate: (ctx) => {
        seen.push(ctx);
        return ctx.passwordBytes !== undefined && safeEqual(ctx.passwordBytes, key);
      },
    });
    const { client } = startClient({
      url,
      identity: 'AL1000',
      protocols: ['ocpp1.6'],
      password: new Uint8Array(key),
    });
    await client.start();
    await waitFor(() => accepted.length === 1);
    expect(seen[0]?.password).toBeUndefined();
    expect(Buffer.from(seen[0]!.passwordBytes!).equals(key)).toBe(true);
    // `true` accepts without an auth value.
    expect(accepted[0]?.connection.auth).toBeUndefined();
    expect('auth' in accepted[0]!.connection).toBe(false);

    const other = Uint8Array.from(key);
    other[19] = 0x3b;
    const impostor = startClient({
      url,
      identity: 'AL1000',
      protocols: ['ocpp1.6'],
      password: other,
    });
    await expect(impostor.client.start()).rejects.toMatchObject({ status: 401 });
  });

  it('lets the hook choose the status, and turns a failing hook into 401', async () => {
    const errors: Error[] = [];
    const { url, server } = await startServer({
      authenticate: async (ctx) => {
        if (ctx.identity === 'UNKNOWN') {
          throw new WsTransportError('HANDSHAKE_REJECTED', 'unknown station', { status: 404 });
        }
        if (ctx.identity === 'BROKEN') throw new Error('database down');
        return ctx.identity === 'LATE' ? undefined : true;
      },
    });
    server.on('error', (e) => errors.push(e));
    const unknown = startClient({ url, identity: 'UNKNOWN' });
    await expect(unknown.client.start()).rejects.toMatchObject({ status: 404 });
    const broken = startClient({ url, identity: 'BROKEN' });
    await expect(broken.client.start()).rejects.toMatchObject({ status: 401 });
    expect(errors.map((e) => e.message)).toEqual(['database down']);
    // A hook that forgets to return refuses; it does not accept by accident.
    const late = startClient({ url, identity: 'LATE' });
    await expect(late.client.start()).rejects.toMatchObject({ status: 401 });
    const fine = startClient({ url, identity: 'FINE' });
    await fine.client.start();
  });
});
