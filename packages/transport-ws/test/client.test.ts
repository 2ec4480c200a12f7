import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  createWsClient,
  type ReconnectingEvent,
  type WsClientTransport,
  WsTransportError,
} from '../src/index.js';
import { onCleanup, Recorder, startClient, startServer, VirtualClock, waitFor } from './helpers.js';

/** A port with nothing listening on it (connections are refused at once). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function observe(client: WsClientTransport) {
  const reconnecting: ReconnectingEvent[] = [];
  const log: string[] = [];
  client.on('reconnecting', (e) => {
    reconnecting.push(e);
    log.push(`reconnecting ${e.attempt} ${e.delayMs}`);
  });
  client.on('open', (e) => log.push(`open ${e.protocol}`));
  client.on('close', (e) => log.push(`close ${e.code} ${e.reconnecting}`));
  client.on('error', (e) => log.push(`error ${(e as WsTransportError).code}`));
  return { reconnecting, log };
}

describe('WsClientTransport reconnect back-off', () => {
  it('follows OCTT TC_B_57_CS: W, then W + 2W after a refused attempt, then W again', async () => {
    const W = 30;
    let allow = true;
    const clock = new VirtualClock();
    const attemptsAt: number[] = [];
    const { url, accepted } = await startServer({
      authenticate: () => {
        attemptsAt.push(clock.now);
        return allow;
      },
    });
    const { client, recorder } = startClient({
      url,
      reconnect: true,
      backoff: { waitMinimumSeconds: W, randomRangeSeconds: 0, repeatTimes: 2 },
      timers: clock,
      random: () => 0.99,
    });
    const seen = observe(client);
    await client.start();
    await waitFor(() => accepted.length === 1);

    // The CSMS drops the connection.
    const droppedAt = clock.now;
    await accepted[0]!.connection.transport.close(1000, 'test drop');
    await waitFor(() => seen.reconnecting.length === 1);
    expect(recorder.closes).toEqual([{ code: 1000, reason: 'test drop', reconnecting: true }]);
    expect(client.isOpen).toBe(false);
    expect(() => client.send('x')).toThrow(expect.objectContaining({ code: 'NOT_OPEN' }));

    // First reconnect after W; it is refused.
    allow = false;
    clock.runNext();
    await waitFor(() => seen.reconnecting.length === 2);
    expect(attemptsAt.slice(1)).toEqual([droppedAt + W * 1000]);
    expect(recorder.errors.at(-1)).toMatchObject({ code: 'HANDSHAKE_REJECTED', status: 401 });

    // The next one waits 2W more: 3W after the drop.
    allow = true;
    clock.runNext();
    await waitFor(() => client.isOpen);
    expect(attemptsAt.slice(1)).toEqual([droppedAt + W * 1000, droppedAt + 3 * W * 1000]);
    expect(attemptsAt[2]! - droppedAt).toBeGreaterThanOrEqual(3 * W * 1000);

    // After a successful connection the back-off starts over at W.
    await waitFor(() => accepted.length === 2);
    await accepted[1]!.connection.transport.close(1000, 'again');
    await waitFor(() => seen.reconnecting.length === 3);
    expect(seen.reconnecting).toEqual([
      { attempt: 1, delayMs: W * 1000 },
      { attempt: 2, delayMs: 2 * W * 1000 },
      { attempt: 1, delayMs: W * 1000 },
    ]);
    expect(recorder.opens).toEqual(['ocpp2.0.1', 'ocpp2.0.1']);
  });

  it('stops doubling after repeatTimes and keeps retrying a first connection until it succeeds', async () => {
    const port = await freePort();
    const clock = new VirtualClock();
    const draws = [0, 0.5, 0.25, 0, 0, 0];
    const { client, recorder } = startClient({
      url: `ws://127.0.0.1:${port}`,
      reconnect: true,
      backoff: { waitMinimumSeconds: 1, randomRangeSeconds: 2, repeatTimes: 2 },
      timers: clock,
      random: () => draws.shift() ?? 0,
    });
    const seen = observe(client);
    let settled = false;
    const started = client.start().then(() => {
      settled = true;
    });
    for (let n = 1; n <= 5; n += 1) {
      await waitFor(() => seen.reconnecting.length === n);
      clock.runNext();
    }
    await waitFor(() => seen.reconnecting.length === 6);
    expect(seen.reconnecting.map((e) => e.delayMs)).toEqual([1000, 3000, 4500, 4000, 4000, 4000]);
    expect(seen.reconnecting.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(recorder.errors).toHaveLength(6);
    expect(recorder.errors.every((e) => (e as WsTransportError).code === 'CONNECT_FAILED')).toBe(
      true,
    );
    expect(settled).toBe(false);

    // The CSMS comes up on that port: the pending start() resolves.
    const server = (await import('../src/index.js')).createWsServer({
      host: '127.0.0.1',
      port,
      pingIntervalSeconds: 0,
    });
    server.onConnection((c) => {
      c.transport.bind(new Recorder().handlers);
      void c.transport.start();
    });
    onCleanup(() => server.close());
    await server.listen();
    clock.runNext();
    await started;
    expect(client.isOpen).toBe(true);
    expect(seen.log.filter((l) => l.startsWith('open'))).toEqual(['open ocpp2.0.1']);
  });

  it('with reconnect on, start() rejects on a 401 or a refused subprotocol instead of retrying', async () => {
    const clock = new VirtualClock();
    const { url } = await startServer({ authenticate: () => false });
    const { client, recorder } = startClient({ url, reconnect: true, timers: clock });
    const seen = observe(client);
    await expect(client.start()).rejects.toMatchObject({
      code: 'HANDSHAKE_REJECTED',
      status: 401,
    });
    expect(seen.reconnecting).toEqual([]);
    expect(clock.pending).toBe(0);
    expect(recorder.errors).toHaveLength(1);

    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => false });
    await new Promise((resolve) => wss.on('listening', resolve));
    onCleanup(() => new Promise((resolve) => wss.close(resolve)));
    const port = (wss.address() as { port: number }).port;
    const other = startClient({ url: `ws://127.0.0.1:${port}`, reconnect: true, timers: clock });
    await expect(other.client.start()).rejects.toMatchObject({ code: 'NO_SUBPROTOCOL' });
    expect(clock.pending).toBe(0);
  });

  it('retryUnfixable keeps retrying a 401 while start() waits; a refused port is always retried', async () => {
    const clock = new VirtualClock();
    let allow = false;
    const { url } = await startServer({ authenticate: () => allow });
    const { client, recorder } = startClient({
      url,
      reconnect: true,
      retryUnfixable: true,
      timers: clock,
    });
    const seen = observe(client);
    const started = client.start();
    await waitFor(() => seen.reconnecting.length === 1);
    expect(recorder.errors.at(-1)).toMatchObject({ status: 401 });
    allow = true;
    clock.runNext();
    await started;
    expect(client.isOpen).toBe(true);

    const refused = startClient({
      url: `ws://127.0.0.1:${await freePort()}`,
      reconnect: true,
      timers: clock,
    });
    const refusedSeen = observe(refused.client);
    let settled = false;
    void refused.client.start().then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(() => refusedSeen.reconnecting.length === 1);
    clock.runNext();
    await waitFor(() => refusedSeen.reconnecting.length === 2);
    expect(refused.recorder.errors.map((e) => (e as WsTransportError).code)).toEqual([
      'CONNECT_FAILED',
      'CONNECT_FAILED',
    ]);
    expect(settled).toBe(false);
  });

  it('rejects start() on the first failure when reconnect is off, with the HTTP status', async () => {
    const { url } = await startServer({ authenticate: () => false });
    const { client, recorder } = startClient({ url, reconnect: false });
    const error = await client.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WsTransportError);
    expect(error).toMatchObject({ code: 'HANDSHAKE_REJECTED', status: 401 });
    expect((error as Error).message).toMatch(/HTTP 401/);
    expect(recorder.errors).toEqual([error]);
    // Without reconnect, the owner decides: start() tries once more.
    await expect(client.start()).rejects.toMatchObject({ status: 401 });
    expect(recorder.errors).toHaveLength(2);

    const { url: prefixed } = await startServer({ path: '/ocpp' });
    const lost = startClient({ url: `${prefixed}/elsewhere` });
    await expect(lost.client.start()).rejects.toMatchObject({ status: 404 });

    // `ws` throws synchronously on an invalid header; start() still rejects, it does not throw.
    const badHeader = startClient({ url, headers: { 'X-Bad': 'a\nb' } });
    await expect(badHeader.client.start()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });

    const nobody = startClient({ url: `ws://127.0.0.1:${await freePort()}` });
    await expect(nobody.client.start()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
  });

  it('close() is terminal: no reconnect, reconnecting: false, and start() afterwards rejects', async () => {
    const clock = new VirtualClock();
    const { url, accepted } = await startServer();
    const { client, recorder } = startClient({ url, reconnect: true, timers: clock });
    const seen = observe(client);
    await client.start();
    await client.close(1000, 'station shutting down');
    expect(recorder.closes).toEqual([
      { code: 1000, reason: 'station shutting down', reconnecting: false },
    ]);
    await waitFor(() => accepted[0]?.recorder.closes.length === 1);
    expect(accepted[0]?.recorder.closes[0]).toMatchObject({
      code: 1000,
      reason: 'station shutting down',
    });
    expect(seen.reconnecting).toEqual([]);
    expect(clock.pending).toBe(0);
    await expect(client.start()).rejects.toMatchObject({ code: 'CLOSED' });
    await client.close();
  });

  it('close() while waiting to reconnect cancels the retry and rejects a pending start()', async () => {
    const clock = new VirtualClock();
    const { client } = startClient({
      url: `ws://127.0.0.1:${await freePort()}`,
      reconnect: true,
      timers: clock,
    });
    const seen = observe(client);
    const started = client.start();
    await waitFor(() => seen.reconnecting.length === 1);
    expect(clock.pending).toBe(1);
    await client.close();
    expect(clock.pending).toBe(0);
    await expect(started).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('close() during the handshake settles everything without reporting an error', async () => {
    let asked = false;
    const { url } = await startServer({
      authenticate: () => {
        asked = true;
        return new Promise((resolve) => setTimeout(() => resolve(true), 200));
      },
    });
    const { client, recorder } = startClient({ url, reconnect: true });
    const started = client.start();
    // The server holds the upgrade in its hook: the handshake is under way.
    await waitFor(() => asked);
    await client.close();
    await expect(started).rejects.toMatchObject({ code: 'CLOSED' });
    expect(recorder.errors).toEqual([]);
    expect(recorder.closes).toEqual([]);
  });
});

describe('WsClientTransport keep-alive and handshake checks', () => {
  it('drops and reconnects when the CSMS stops answering pings', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise((resolve) => wss.on('listening', resolve));
    onCleanup(() => new Promise((resolve) => wss.close(resolve)));
    let connections = 0;
    wss.on('connection', (socket) => {
      connections += 1;
      socket.on('error', () => undefined);
    });
    const port = (wss.address() as { port: number }).port;
    const { client, recorder } = startClient({
      url: `ws://127.0.0.1:${port}`,
      reconnect: true,
      pingIntervalSeconds: 0.1,
      pongTimeoutSeconds: 0.15,
      backoff: { waitMinimumSeconds: 0, randomRangeSeconds: 0 },
    });
    const seen = observe(client);
    const started = Date.now();
    await client.start();
    await waitFor(() => recorder.closes.length === 1, 2000, 'pong timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(recorder.closes[0]).toMatchObject({ code: 1006, reconnecting: true });
    expect(recorder.closes[0]?.reason).toMatch(/pong timeout/);
    expect(recorder.errors.map((e) => (e as WsTransportError).code)).toContain('PONG_TIMEOUT');
    await waitFor(() => recorder.opens.length === 2 && connections === 2, 2000, 'reconnect');
    expect(seen.reconnecting[0]).toEqual({ attempt: 1, delayMs: 0 });
  });

  it('keeps a connection whose CSMS answers pings', async () => {
    const { url, accepted } = await startServer();
    const clock = new VirtualClock();
    const { client, recorder } = startClient({ url, pingIntervalSeconds: 30, timers: clock });
    await client.start();
    // Five ping rounds on the virtual clock: each pong clears its timeout, leaving only the
    // next ping waiting; a missing pong would leave the timeout, which would close.
    for (let round = 0; round < 5; round++) {
      expect(clock.pending).toBe(1);
      clock.runNext();
      expect(clock.pending).toBe(2);
      await waitFor(() => clock.pending === 1, 2000, `pong ${round + 1}`);
    }
    expect(client.isOpen).toBe(true);
    expect(recorder.closes).toEqual([]);
    expect(accepted[0]?.recorder.closes).toEqual([]);
  });

  it('fails when the server picks a subprotocol that was not offered', async () => {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: () => 'ocpp2.1',
    });
    await new Promise((resolve) => wss.on('listening', resolve));
    onCleanup(() => new Promise((resolve) => wss.close(resolve)));
    const port = (wss.address() as { port: number }).port;
    const { client } = startClient({ url: `ws://127.0.0.1:${port}`, protocols: ['ocpp1.6'] });
    const error = await client.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SUBPROTOCOL_MISMATCH' });
    expect((error as Error).message).toMatch(/ocpp2\.1, which was not offered \(ocpp1\.6\)/);
  });

  it('delivers frames the server sends with its 101 answer, in order, after open', async () => {
    // ws on the server side writes these right behind the handshake answer: the client reads
    // them in the same chunk and ws emits them before any awaited 'open' continuation runs.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.on('listening', resolve));
    onCleanup(() => new Promise((resolve) => wss.close(resolve)));
    wss.on('connection', (socket) => {
      for (let i = 0; i < 5; i++) socket.send(`[2,"s${i}","Heartbeat",{}]`);
    });
    const port = (wss.address() as { port: number }).port;
    for (let round = 0; round < 20; round++) {
      const { client, recorder } = startClient({ url: `ws://127.0.0.1:${port}` });
      await client.start();
      await waitFor(() => recorder.messages.length === 5);
      expect(recorder.events).toEqual([
        'open ocpp2.0.1',
        ...[0, 1, 2, 3, 4].map((i) => `message [2,"s${i}","Heartbeat",{}]`),
      ]);
      await client.close();
    }
  });

  it('sends the identity percent-encoded, extra headers, and refuses bad options', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.on('listening', resolve));
    onCleanup(() => new Promise((resolve) => wss.close(resolve)));
    const requests: Array<{
      url: string;
      header: string | undefined;
      protocol: string | undefined;
    }> = [];
    wss.on('connection', (_socket, req) => {
      requests.push({
        url: req.url ?? '',
        header: req.headers['x-station-model'] as string | undefined,
        protocol: req.headers['sec-websocket-protocol'],
      });
    });
    const port = (wss.address() as { port: number }).port;
    const { client } = startClient({
      url: `ws://127.0.0.1:${port}/ocpp/`,
      identity: "RDAM|1 (x)*!'",
      protocols: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'],
      headers: { 'X-Station-Model': 'Wallbox X' },
    });
    await client.start();
    expect(requests).toEqual([
      {
        url: '/ocpp/RDAM%7C1%20%28x%29%2A%21%27',
        header: 'Wallbox X',
        protocol: 'ocpp2.1,ocpp2.0.1,ocpp1.6',
      },
    ]);

    const url = `ws://127.0.0.1:${port}`;
    expect(() =>
      createWsClient({ url, identity: 'A', protocols: ['ocpp1.6'], pingIntervalSeconds: -1 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => createWsClient({ url, identity: 'A', protocols: [] })).toThrow(/protocols/);
    expect(() => createWsClient({ url, identity: 'A', protocols: ['ocpp1.6', 'ocpp1.6'] })).toThrow(
      /distinct/,
    );
    expect(() => createWsClient({ url, identity: '', protocols: ['ocpp1.6'] })).toThrow(/identity/);
    expect(() =>
      createWsClient({ url, identity: 'A', protocols: ['ocpp1.6'], backoff: { repeatTimes: -1 } }),
    ).toThrow(/repeatTimes/);
  });
});
