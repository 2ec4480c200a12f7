import type { IncomingConnection } from '@ocpp/transport';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createWsServer, type WsServer, type WsServerOptions } from '../src/index.js';
import { onCleanup, Recorder, sleep, startClient, startServer, waitFor } from './helpers.js';

/** A server whose `onConnection` is chosen by the test. */
async function serverWith(
  onConnection: (connection: IncomingConnection) => void,
  options: WsServerOptions = {},
): Promise<{ server: WsServer; url: string }> {
  const server = createWsServer({ host: '127.0.0.1', pingIntervalSeconds: 0, ...options });
  server.onConnection(onConnection);
  const port = await server.listen();
  onCleanup(() => server.close());
  return { server, url: `ws://127.0.0.1:${port}` };
}

function rawClient(url: string, identity: string, deflate = false): Promise<WebSocket> {
  const socket = new WebSocket(`${url}/${identity}`, ['ocpp2.0.1'], {
    perMessageDeflate: deflate ? { threshold: 0 } : false,
  });
  socket.on('error', () => undefined);
  onCleanup(async () => socket.terminate());
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', () => reject(new Error('refused')));
  });
}

describe('frames that arrive before start()', () => {
  for (const when of ['microtask', 'timer', 'timer, compressed'] as const) {
    it(`a burst sent at once is delivered whole and in order when start() comes on a ${when}`, async () => {
      const recorder = new Recorder();
      const { url } = await serverWith(
        (connection) => {
          connection.transport.bind(recorder.handlers);
          const start = () => void connection.transport.start();
          if (when === 'microtask') queueMicrotask(start);
          else setTimeout(start, 50);
        },
        { perMessageDeflate: { threshold: 0 } },
      );
      const socket = await rawClient(url, 'BURST', when === 'timer, compressed');
      const sent: string[] = [];
      for (let i = 0; i < 200; i++) {
        const text = `[2,"${i}","Heartbeat",{}]`;
        sent.push(text);
        socket.send(text);
      }
      await waitFor(() => recorder.messages.length === sent.length, 3000, 'every frame');
      expect(recorder.messages).toEqual(sent);
      expect(recorder.events[0]).toBe('open ocpp2.0.1');
    });
  }

  it('a peer that sends and closes before start() is heard in full once started', async () => {
    const recorder = new Recorder();
    let connection: IncomingConnection | undefined;
    const { url } = await serverWith((c) => {
      connection = c;
      c.transport.bind(recorder.handlers);
    });
    const socket = await rawClient(url, 'EARLY');
    socket.send('first');
    socket.close(4001, 'done');
    await sleep(50);
    expect(recorder.events).toEqual([]);
    await connection!.transport.start();
    await waitFor(() => recorder.closes.length === 1, 3000, 'the close');
    expect(recorder.events).toEqual(['open ocpp2.0.1', 'message first', 'close 4001']);
  });
});

describe('a connection closed from onConnection', () => {
  it('finishes the close handshake at once instead of waiting for closeTimeoutMs', async () => {
    const recorder = new Recorder();
    let closed: Promise<void> | undefined;
    const { server, url } = await serverWith(
      (connection) => {
        connection.transport.bind(recorder.handlers);
        // As CsmsServer does for a subprotocol it has no router for.
        closed = connection.transport.close(1002, 'not served');
      },
      { closeTimeoutMs: 5000 },
    );
    const started = Date.now();
    const socket = await rawClient(url, 'NOROUTER');
    const code = await new Promise<number>((resolve) => socket.once('close', resolve));
    expect(code).toBe(1002);
    let done = false;
    void closed!.then(() => {
      done = true;
    });
    await waitFor(() => done, 2000, 'the server-side close');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(recorder.closes).toEqual([{ code: 1002, reason: 'not served', reconnecting: false }]);
    expect(server.connections.size).toBe(0);
  });
});

describe('an onConnection listener that throws', () => {
  it('is reported, and the connection does not stay registered', async () => {
    const errors: Error[] = [];
    const { server, url } = await serverWith(() => {
      throw new Error('listener broke');
    });
    server.on('error', (e) => errors.push(e));
    const socket = await rawClient(url, 'THROWS').catch(() => undefined);
    await waitFor(() => errors.length === 1, 2000, 'the error');
    expect(errors[0]?.message).toBe('listener broke');
    await waitFor(() => server.connections.size === 0, 2000, 'the connection to go');
    void socket;
  });
});

describe('replaced connections', () => {
  it('leave nothing behind once their socket is gone, and the keep-alive sweep stops', async () => {
    const { server, url, accepted } = await startServer({
      closeTimeoutMs: 200,
      pingIntervalSeconds: 0.05,
      pongTimeoutSeconds: 1,
    });
    const internals = server as unknown as {
      retiring: Set<unknown> | undefined;
      sweepTimer: unknown;
    };
    // The first peer never answers the close frame: only the close timeout gets rid of it.
    const stubborn = await rawClient(url, 'DUP');
    (stubborn as unknown as { _socket: { pause(): void } })._socket.pause();
    await waitFor(() => accepted.length === 1);
    const second = startClient({ url, identity: 'DUP' });
    await second.client.start();
    await waitFor(() => accepted.length === 2);
    expect(accepted[0]?.recorder.closes).toHaveLength(1);
    expect(internals.retiring?.size).toBe(1);
    await waitFor(() => internals.retiring?.size === 0, 2000, 'the old socket to be cut off');
    expect(server.connections.get('DUP')).toBe(accepted[1]?.connection);
    // The replaced connection hears nothing more, the new one keeps working.
    second.client.send('hello');
    await waitFor(() => accepted[1]?.recorder.messages.length === 1);
    expect(accepted[0]?.recorder.events).toEqual(['open ocpp2.0.1', 'close 1000']);
    await second.client.close();
    await waitFor(() => server.connections.size === 0);
    expect(internals.sweepTimer).toBeUndefined();
  });
});
