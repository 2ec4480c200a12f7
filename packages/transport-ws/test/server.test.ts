import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  createWsServer,
  isWsTransportError,
  type WsServer,
  WsTransportError,
} from '../src/index.js';
import {
  onCleanup,
  Recorder,
  rawUpgrade,
  readCloseFrame,
  sleep,
  startClient,
  startServer,
  waitFor,
} from './helpers.js';

describe('WsServer with WsClientTransport over loopback', () => {
  it('carries text frames both ways and reports open with the negotiated protocol', async () => {
    const { server, url, accepted } = await startServer();
    const { client, recorder } = startClient({ url, protocols: ['ocpp2.0.1'] });
    await client.start();
    expect(client.isOpen).toBe(true);
    expect(client.protocol).toBe('ocpp2.0.1');
    await waitFor(() => accepted.length === 1);
    const station = accepted[0]!;
    expect(station.connection.identity).toBe('CS001');
    expect(station.connection.protocol).toBe('ocpp2.0.1');
    expect(station.connection.remoteAddress).toBe('127.0.0.1');
    expect(station.recorder.opens).toEqual(['ocpp2.0.1']);
    expect(server.connections.get('CS001')).toBe(station.connection);

    client.send('[2,"1","Heartbeat",{}]');
    client.send('[2,"2","Heartbeat",{}]');
    await waitFor(() => station.recorder.messages.length === 2);
    expect(station.recorder.messages).toEqual(['[2,"1","Heartbeat",{}]', '[2,"2","Heartbeat",{}]']);
    station.connection.transport.send('[3,"1",{"currentTime":"2025-01-01T00:00:00Z"}]');
    await waitFor(() => recorder.messages.length === 1);
    expect(recorder.messages[0]).toBe('[3,"1",{"currentTime":"2025-01-01T00:00:00Z"}]');
    // A multi-byte text arrives intact.
    client.send('"Ladesäule ⚡ 電"');
    await waitFor(() => station.recorder.messages.length === 3);
    expect(station.recorder.messages[2]).toBe('"Ladesäule ⚡ 電"');
  });

  it('holds inbound frames until the session starts the transport', async () => {
    const server = createWsServer({ host: '127.0.0.1', pingIntervalSeconds: 0 });
    onCleanup(() => server.close());
    const recorder = new Recorder();
    server.onConnection((connection) => {
      // The session binds late, as after an asynchronous lookup.
      setTimeout(() => {
        connection.transport.bind(recorder.handlers);
        void connection.transport.start();
      }, 100);
    });
    const port = await server.listen();
    const { client } = startClient({ url: `ws://127.0.0.1:${port}` });
    await client.start();
    client.send('early');
    await waitFor(() => recorder.messages.length === 1);
    expect(recorder.events).toEqual(['open ocpp2.0.1', 'message early']);
  });

  it('picks the first server-preferred subprotocol that the client offered', async () => {
    const defaults = await startServer();
    const a = startClient({ url: defaults.url, protocols: ['ocpp1.6', 'ocpp2.0.1'] });
    await a.client.start();
    expect(a.client.protocol).toBe('ocpp2.0.1');

    const legacyFirst = await startServer({ protocols: ['ocpp1.6', 'ocpp2.0.1'] });
    const b = startClient({ url: legacyFirst.url, protocols: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] });
    await b.client.start();
    expect(b.client.protocol).toBe('ocpp1.6');
    await waitFor(() => legacyFirst.accepted.length === 1);
    expect(legacyFirst.accepted[0]?.connection.protocol).toBe('ocpp1.6');
  });

  it('completes the handshake without Sec-WebSocket-Protocol and closes with 1002 when no subprotocol is shared', async () => {
    const { port, accepted, url } = await startServer({ protocols: ['ocpp2.0.1'] });
    const answer = await rawUpgrade(port, '/CS001', {
      'Sec-WebSocket-Protocol': 'ocpp1.5, ocpp1.6',
    });
    expect(answer.status).toBe(101);
    expect(answer.headers['sec-websocket-protocol']).toBeUndefined();
    const close = await readCloseFrame(answer.socket!, answer.head!);
    expect(close.code).toBe(1002);
    expect(close.reason).toMatch(/no common subprotocol.*ocpp2\.0\.1/);

    const noHeader = await rawUpgrade(port, '/CS001');
    expect(noHeader.status).toBe(101);
    expect((await readCloseFrame(noHeader.socket!, noHeader.head!)).code).toBe(1002);

    const { client } = startClient({ url, protocols: ['ocpp1.6'] });
    const error = await client.start().catch((e: unknown) => e);
    expect(isWsTransportError(error) && error.code).toBe('NO_SUBPROTOCOL');
    expect((error as Error).message).toMatch(/none of the offered subprotocols \(ocpp1\.6\)/);
    await sleep(50);
    expect(accepted).toHaveLength(0);
  });

  it("answers HTTP 400 instead with onNoSubprotocol: 'reject'", async () => {
    const { port, url, accepted } = await startServer({
      protocols: ['ocpp2.1'],
      onNoSubprotocol: 'reject',
    });
    const answer = await rawUpgrade(port, '/CS001', { 'Sec-WebSocket-Protocol': 'ocpp1.6' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/no common subprotocol/);
    const { client } = startClient({ url, protocols: ['ocpp1.6'] });
    const error = await client.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WsTransportError);
    expect(error).toMatchObject({ code: 'HANDSHAKE_REJECTED', status: 400 });
    expect(accepted).toHaveLength(0);
  });

  it('percent-decodes the identity and answers 400 for broken encoding, 404 for none', async () => {
    const { port, url, accepted } = await startServer();
    const { client } = startClient({ url, identity: 'RDAM 123', protocols: ['ocpp1.6'] });
    expect(client.url).toBe(`${url}/RDAM%20123`);
    await client.start();
    await waitFor(() => accepted.length === 1);
    expect(accepted[0]?.connection.identity).toBe('RDAM 123');

    const proto = { 'Sec-WebSocket-Protocol': 'ocpp1.6' };
    expect((await rawUpgrade(port, '/RDAM%ZZ123', proto)).status).toBe(400);
    expect((await rawUpgrade(port, '/', proto)).status).toBe(404);
    expect((await rawUpgrade(port, '/ocpp/', proto)).status).toBe(404);
  });

  it('enforces the 2.x identity rules before the upgrade, and not for 1.6', async () => {
    const { port, accepted } = await startServer();
    const cases = ['CS%3A001', 'x'.repeat(49), 'CS%23001', 'CS%20001'];
    for (const path of cases) {
      for (const protocol of ['ocpp2.0.1', 'ocpp2.1']) {
        const answer = await rawUpgrade(port, `/${path}`, { 'Sec-WebSocket-Protocol': protocol });
        expect(answer.status, `${path} over ${protocol}`).toBe(400);
      }
      const legacy = await rawUpgrade(port, `/${path}`, { 'Sec-WebSocket-Protocol': 'ocpp1.6' });
      expect(legacy.status, `${path} over ocpp1.6`).toBe(101);
    }
    const longest = await rawUpgrade(port, `/${'x'.repeat(48)}`, {
      'Sec-WebSocket-Protocol': 'ocpp2.0.1',
    });
    expect(longest.status).toBe(101);
    const mixed = await rawUpgrade(port, '/aZ9*-_=+%7C@.', { 'Sec-WebSocket-Protocol': 'ocpp2.1' });
    expect(mixed.status).toBe(101);
    await waitFor(() => accepted.length === 6);
    expect(accepted.map((a) => a.connection.identity)).toContain('CS:001');
    expect(accepted.map((a) => a.connection.identity)).toContain('aZ9*-_=+|@.');
  });

  it('serves only under its path prefix; the identity is the last segment', async () => {
    const { port, url, accepted } = await startServer({ path: '/ocpp' });
    const proto = { 'Sec-WebSocket-Protocol': 'ocpp2.0.1' };
    expect((await rawUpgrade(port, '/CS001', proto)).status).toBe(404);
    expect((await rawUpgrade(port, '/other/CS001', proto)).status).toBe(404);
    expect((await rawUpgrade(port, '/ocpp', proto)).status).toBe(404);
    expect((await rawUpgrade(port, '/ocppx/CS001', proto)).status).toBe(404);
    expect((await rawUpgrade(port, '/ocpp/v201/CS002?x=1', proto)).status).toBe(101);
    const { client } = startClient({ url: `${url}/ocpp` });
    await client.start();
    await waitFor(() => accepted.length === 2);
    expect(accepted.map((a) => a.connection.identity).sort()).toEqual(['CS001', 'CS002']);
  });

  it('attaches to an existing http server and leaves it running on close', async () => {
    const http = createServer((_req, res) => res.end('hello from the app'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => http.close(resolve)));
    const port = (http.address() as AddressInfo).port;
    const server = createWsServer({ server: http, path: '/ocpp', pingIntervalSeconds: 0 });
    onCleanup(() => server.close());
    expect(await server.listen()).toBe(port);
    const ids: string[] = [];
    server.onConnection((c) => {
      ids.push(c.identity);
      c.transport.bind(new Recorder().handlers);
      void c.transport.start();
    });
    const { client, recorder } = startClient({ url: `ws://127.0.0.1:${port}/ocpp` });
    await client.start();
    expect(ids).toEqual(['CS001']);
    expect((await rawUpgrade(port, '/elsewhere/CS001')).status).toBe(404);
    expect(await httpGet(port, '/')).toBe('hello from the app');

    await server.close();
    await waitFor(() => recorder.closes.length === 1);
    expect(recorder.closes[0]?.code).toBe(1001);
    expect(http.listening).toBe(true);
    expect(await httpGet(port, '/')).toBe('hello from the app');
  });

  it('answers plain HTTP requests on its own server with 426 (404 outside the prefix)', async () => {
    const { port } = await startServer({ path: '/ocpp' });
    expect(await httpStatus(port, '/ocpp/CS001')).toBe(426);
    expect(await httpStatus(port, '/favicon.ico')).toBe(404);
  });

  it('replaces a duplicate identity by default, closing the old one with 1000', async () => {
    const { server, url, accepted } = await startServer();
    const first = startClient({ url });
    await first.client.start();
    await waitFor(() => accepted.length === 1);
    const second = startClient({ url });
    await second.client.start();
    await waitFor(() => accepted.length === 2);
    // The old session hears about the close before the new connection is announced.
    expect(accepted[0]?.recorder.closes).toEqual([
      { code: 1000, reason: 'replaced by a new connection', reconnecting: false },
    ]);
    await waitFor(() => first.recorder.closes.length === 1);
    expect(first.recorder.closes[0]).toMatchObject({
      code: 1000,
      reason: 'replaced by a new connection',
    });
    expect(server.connections.size).toBe(1);
    expect(server.connections.get('CS001')).toBe(accepted[1]?.connection);
    second.client.send('still here');
    await waitFor(() => accepted[1]?.recorder.messages.length === 1);
    await sleep(20);
    expect(server.connections.get('CS001')).toBe(accepted[1]?.connection);
  });

  it('close() also waits for a replaced connection whose peer never finishes the close handshake', async () => {
    const { server, port, url, accepted } = await startServer({ closeTimeoutMs: 200 });
    // A peer that upgrades and then ignores everything, close frames included.
    const silent = await rawUpgrade(port, '/DUP', { 'Sec-WebSocket-Protocol': 'ocpp2.0.1' });
    expect(silent.status).toBe(101);
    await waitFor(() => accepted.length === 1);
    const second = startClient({ url, identity: 'DUP' });
    await second.client.start();
    await waitFor(() => accepted.length === 2);
    expect(accepted[0]?.recorder.closes[0]?.reason).toBe('replaced by a new connection');
    // Resolves once the old socket is gone: cut off after closeTimeoutMs.
    let oldGone = false;
    void accepted[0]?.connection.transport.close().then(() => {
      oldGone = true;
    });
    await sleep(20);
    expect(oldGone).toBe(false);
    await server.close();
    expect(oldGone).toBe(true);
  });

  it("refuses a duplicate identity with HTTP 409 under onDuplicate: 'refuse'", async () => {
    const { server, url, accepted } = await startServer({ onDuplicate: 'refuse' });
    const first = startClient({ url });
    await first.client.start();
    const second = startClient({ url });
    const error = await second.client.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HANDSHAKE_REJECTED', status: 409 });
    expect(first.client.isOpen).toBe(true);
    expect(accepted).toHaveLength(1);
    // Once the first one leaves, the identity is free again.
    await first.client.close();
    await waitFor(() => server.connections.size === 0);
    const third = startClient({ url });
    await third.client.start();
    expect(third.client.isOpen).toBe(true);
  });

  it('closes with 1009 when an inbound message exceeds maxMessageBytes', async () => {
    const { url, accepted } = await startServer({ maxMessageBytes: 1000 });
    const { client, recorder } = startClient({ url });
    await client.start();
    client.send('x'.repeat(1000));
    await waitFor(() => accepted[0]?.recorder.messages.length === 1);
    client.send('x'.repeat(1001));
    await waitFor(() => recorder.closes.length === 1);
    expect(recorder.closes[0]?.code).toBe(1009);
    const station = accepted[0]!.recorder;
    await waitFor(() => station.closes.length === 1);
    expect(station.closes[0]?.code).toBe(1009);
    expect(station.errors.map((e) => (e as WsTransportError).code)).toContain('MESSAGE_TOO_BIG');
    expect(station.messages).toHaveLength(1);
  });

  it('negotiates permessage-deflate by default and bounds the inflated size', async () => {
    const { port, accepted } = await startServer({ maxMessageBytes: 10_000 });
    const raw = new WebSocket(`ws://127.0.0.1:${port}/ZIP`, ['ocpp2.0.1'], {
      perMessageDeflate: true,
    });
    raw.on('error', () => undefined);
    await new Promise((resolve) => raw.on('open', resolve));
    expect(raw.extensions).toMatch(/permessage-deflate/);
    raw.send('y'.repeat(5_000));
    await waitFor(() => accepted[0]?.recorder.messages.length === 1);
    expect(accepted[0]?.recorder.messages[0]).toHaveLength(5_000);
    // 100 kB of one letter deflates to a few hundred bytes; the limit applies after inflating.
    const closed = new Promise<number>((resolve) => raw.on('close', resolve));
    raw.send('z'.repeat(100_000));
    expect(await closed).toBe(1009);

    const plain = await startServer({ perMessageDeflate: false });
    const other = new WebSocket(`ws://127.0.0.1:${plain.port}/PLAIN`, ['ocpp1.6'], {
      perMessageDeflate: true,
    });
    onCleanup(async () => other.terminate());
    await new Promise((resolve) => other.on('open', resolve));
    expect(other.extensions).toBe('');
  });

  it('cuts off a peer that stops answering pings, and keeps one that answers', async () => {
    const { port, accepted, url } = await startServer({ pingIntervalSeconds: 0.2 });
    const silent = new WebSocket(`ws://127.0.0.1:${port}/MUTE`, ['ocpp1.6'], { autoPong: false });
    onCleanup(async () => silent.terminate());
    const silentClosed = new Promise<number>((resolve) => silent.on('close', resolve));
    silent.on('error', () => undefined);
    const healthy = startClient({ url, identity: 'ALIVE' });
    await healthy.client.start();
    const started = Date.now();
    await waitFor(() => accepted.length === 2);
    const mute = accepted.find((a) => a.connection.identity === 'MUTE')!;
    await waitFor(() => mute.recorder.closes.length === 1, 2000, 'pong timeout');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(1500);
    expect(mute.recorder.closes[0]?.code).toBe(1006);
    expect(mute.recorder.closes[0]?.reason).toMatch(/pong timeout/);
    expect(mute.recorder.errors.map((e) => (e as WsTransportError).code)).toEqual(['PONG_TIMEOUT']);
    expect(await silentClosed).toBe(1006);
    expect(healthy.client.isOpen).toBe(true);
    const alive = accepted.find((a) => a.connection.identity === 'ALIVE')!;
    expect(alive.recorder.closes).toEqual([]);
  });

  it('one keep-alive sweep pings every connection again and again, each on its own schedule', async () => {
    const { port, accepted } = await startServer({ pingIntervalSeconds: 0.1 });
    const pings = [0, 0];
    const peers = ['P1', 'P2'].map((id, i) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/${id}`, ['ocpp1.6']);
      ws.on('ping', () => {
        pings[i]! += 1;
      });
      onCleanup(async () => ws.terminate());
      return ws;
    });
    await waitFor(() => accepted.length === 2);
    await waitFor(() => pings.every((n) => n >= 3), 5000, 'three pings each');
    for (const a of accepted) expect(a.recorder.closes).toEqual([]);
    for (const ws of peers) expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('a pong timeout shorter than the ping interval cuts off a mute peer after both', async () => {
    const { port, accepted } = await startServer({
      pingIntervalSeconds: 0.3,
      pongTimeoutSeconds: 0.1,
    });
    const started = Date.now();
    const mute = new WebSocket(`ws://127.0.0.1:${port}/MUTE2`, ['ocpp1.6'], { autoPong: false });
    mute.on('error', () => undefined);
    onCleanup(async () => mute.terminate());
    await waitFor(() => accepted.length === 1);
    await waitFor(() => accepted[0]!.recorder.closes.length === 1, 5000, 'pong timeout');
    // The first ping is due one interval after the connection, the cut one timeout later.
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(accepted[0]!.recorder.closes[0]).toMatchObject({ code: 1006 });
    expect(accepted[0]!.recorder.closes[0]?.reason).toBe('pong timeout: no pong within 0.1 s');
  });

  it('describes an accepted connection as a plain object would: no auth key without one', async () => {
    const { url, accepted, server } = await startServer();
    const { client } = startClient({ url, identity: 'PLAIN' });
    await client.start();
    await waitFor(() => accepted.length === 1);
    const connection = accepted[0]!.connection;
    expect('auth' in connection).toBe(false);
    expect(connection.transport).toBe(connection);
    expect(server.connections.get('PLAIN')).toBe(connection);
  });

  it('closes every connection with 1001 on close() and stops listening', async () => {
    const { server, port, url, accepted } = await startServer();
    const a = startClient({ url, identity: 'A' });
    const b = startClient({ url, identity: 'B', protocols: ['ocpp1.6'] });
    await Promise.all([a.client.start(), b.client.start()]);
    await waitFor(() => accepted.length === 2);
    await server.close();
    expect(server.connections.size).toBe(0);
    for (const side of [a.recorder, b.recorder, ...accepted.map((x) => x.recorder)]) {
      await waitFor(() => side.closes.length === 1);
      expect(side.closes[0]).toMatchObject({ code: 1001, reason: 'server shutting down' });
    }
    const late = startClient({ url });
    await expect(late.client.start()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    await expect(server.listen()).rejects.toMatchObject({ code: 'CLOSED' });
    expect(port).toBeGreaterThan(0);
  });

  it('destroys connections that do not finish the close handshake in time', async () => {
    const { server, port, accepted } = await startServer({ closeTimeoutMs: 200 });
    const stubborn = new WebSocket(`ws://127.0.0.1:${port}/STUCK`, ['ocpp1.6']);
    stubborn.on('error', () => undefined);
    await new Promise((resolve) => stubborn.on('open', resolve));
    await waitFor(() => accepted.length === 1);
    // Stop reading: the close frame is never answered.
    (stubborn as unknown as { _socket: { pause(): void } })._socket.pause();
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(accepted[0]?.recorder.closes[0]?.code).toBe(1001);
    stubborn.terminate();
  });

  it('answers a binary frame with an error and close code 1003', async () => {
    const { port, accepted } = await startServer();
    const raw = new WebSocket(`ws://127.0.0.1:${port}/BIN`, ['ocpp2.0.1']);
    raw.on('error', () => undefined);
    await new Promise((resolve) => raw.on('open', resolve));
    const closed = new Promise<number>((resolve) => raw.on('close', resolve));
    raw.send(Buffer.from([1, 2, 3]));
    expect(await closed).toBe(1003);
    const station = accepted[0]!.recorder;
    await waitFor(() => station.closes.length === 1);
    expect(station.errors.map((e) => (e as WsTransportError).code)).toEqual(['BINARY_FRAME']);
    expect(station.closes[0]?.code).toBe(1003);
    expect(station.messages).toEqual([]);
  });

  it('a server-side transport refuses send and start once closed', async () => {
    const { url, accepted } = await startServer();
    const { client, recorder } = startClient({ url });
    await client.start();
    await waitFor(() => accepted.length === 1);
    const transport = accepted[0]!.connection.transport;
    expect(() => transport.bind(new Recorder().handlers)).toThrow(/already bound/);
    await transport.close(4000, 'bye');
    expect(transport.isOpen).toBe(false);
    expect(accepted[0]?.recorder.closes).toEqual([
      { code: 4000, reason: 'bye', reconnecting: false },
    ]);
    expect(() => transport.send('x')).toThrow(expect.objectContaining({ code: 'NOT_OPEN' }));
    await waitFor(() => recorder.closes.length === 1);
    expect(recorder.closes[0]).toMatchObject({ code: 4000, reason: 'bye', reconnecting: false });
  });

  it('refuses inconsistent options at construction', () => {
    const attempt = (fn: () => WsServer) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(attempt(() => createWsServer({ securityProfile: 1 }))).toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringMatching(/authenticate/),
    });
    expect(
      attempt(() => createWsServer({ securityProfile: 2, authenticate: () => true })),
    ).toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringMatching(/TLS/) });
    expect(
      attempt(() => createWsServer({ securityProfile: 3, server: createServer() })),
    ).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(attempt(() => createWsServer({ pingIntervalSeconds: -1 }))).toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    expect(attempt(() => createWsServer({ protocols: [] }))).toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    expect(attempt(() => createWsServer({ maxMessageBytes: 0 }))).toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('the authenticate hook', () => {
  it('a hook that throws synchronously refuses with 401 like one that rejects, and is reported', async () => {
    const errors: Error[] = [];
    const { url, server, accepted } = await startServer({
      authenticate: (ctx) => {
        if (ctx.identity === 'SYNC') throw new Error('sync failure');
        if (ctx.identity === 'NOT404') {
          throw new WsTransportError('HANDSHAKE_REJECTED', 'unknown', { status: 404 });
        }
        return true;
      },
    });
    server.on('error', (e) => errors.push(e));
    const sync = startClient({ url, identity: 'SYNC' });
    await expect(sync.client.start()).rejects.toMatchObject({ status: 401 });
    const unknown = startClient({ url, identity: 'NOT404' });
    await expect(unknown.client.start()).rejects.toMatchObject({ status: 404 });
    expect(errors.map((e) => e.message)).toEqual(['sync failure']);
    const fine = startClient({ url, identity: 'FINE' });
    await fine.client.start();
    await waitFor(() => accepted.length === 1);
    expect(accepted[0]?.connection.identity).toBe('FINE');
  });

  for (const how of ['destroy', 'end'] as const) {
    it(`a station that goes away (${how}) while the hook runs is never handed over`, async () => {
      let release!: (verdict: boolean) => void;
      let asked = 0;
      const errors: Error[] = [];
      const { server, port, accepted } = await startServer({
        authenticate: () => {
          asked += 1;
          return new Promise<boolean>((resolve) => {
            release = resolve;
          });
        },
      });
      server.on('error', (e) => errors.push(e));
      const { request } = await import('node:http');
      const req = request({
        host: '127.0.0.1',
        port,
        path: '/GONE',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Protocol': 'ocpp2.0.1',
        },
      });
      req.on('error', () => undefined);
      req.end();
      await waitFor(() => asked === 1);
      const socket = req.socket!;
      if (how === 'destroy') socket.destroy();
      else socket.end();
      await sleep(50);
      release(true);
      await sleep(100);
      expect(accepted).toEqual([]);
      expect(server.connections.size).toBe(0);
      expect(errors).toEqual([]);
      const admission = (server as unknown as { admission: { pendingHandshakes: number } })
        .admission;
      expect(admission.pendingHandshakes).toBe(0);
    });
  }
});
