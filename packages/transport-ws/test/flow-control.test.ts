import type { IncomingConnection, Transport, TransportHandlers } from '@ocpp/transport';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createWsClient, createWsServer, type WsServerOptions } from '../src/index.js';
import {
  FrameReader,
  OPCODE,
  onCleanup,
  Recorder,
  rawCsms,
  rawStation,
  startClient,
  startServer,
  VirtualClock,
  waitFor,
  wsFrame,
} from './helpers.js';

/** `count` pipelined Heartbeat CALLs. */
function heartbeats(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `[2,"${i}","Heartbeat",{}]`);
}

/** Handlers that record like a Recorder and call `onMessage` after each message. */
function pausing(recorder: Recorder, onMessage: (count: number) => void): TransportHandlers {
  return {
    ...recorder.handlers,
    message: (text) => {
      recorder.handlers.message(text);
      onMessage(recorder.messages.length);
    },
  };
}

/** The `ws` socket under a server-side transport (for assertions on whether it reads). */
function wsOf(transport: Transport): WebSocket {
  return (transport as unknown as { socket: WebSocket }).socket;
}

async function serverWith(
  onConnection: (connection: IncomingConnection) => void,
  options: WsServerOptions = {},
): Promise<number> {
  const server = createWsServer({ host: '127.0.0.1', pingIntervalSeconds: 0, ...options });
  server.onConnection(onConnection);
  const port = await server.listen();
  onCleanup(() => server.close());
  return port;
}

describe('server-side pause() and resume()', () => {
  it('delivers nothing while paused, even frames already read, then everything in order', async () => {
    const recorder = new Recorder();
    let transport: Transport | undefined;
    const port = await serverWith((connection) => {
      transport = connection.transport;
      transport.bind(pausing(recorder, (n) => n === 1 && transport?.pause?.()));
      void transport.start();
    });
    const { socket, head } = await rawStation(port, '/PIPE');
    const reader = new FrameReader(socket, head);
    const sent = heartbeats(500);
    // One write: every frame and the ping behind them arrive in one socket read.
    socket.write(
      Buffer.concat([...sent.map((t) => wsFrame(OPCODE.text, t)), wsFrame(OPCODE.ping)]),
    );
    // The pong proves the server has parsed every frame before the ping.
    await reader.next(OPCODE.pong);
    expect(recorder.messages).toEqual([sent[0]]);
    expect(wsOf(transport!).isPaused).toBe(true);

    transport!.resume?.();
    await waitFor(() => recorder.messages.length === sent.length, 5000, 'every frame');
    expect(recorder.messages).toEqual(sent);
    expect(wsOf(transport!).isPaused).toBe(false);
    // Reading goes on after the kept frames.
    socket.write(wsFrame(OPCODE.text, 'after'));
    await waitFor(() => recorder.messages.length === sent.length + 1);
    expect(recorder.messages.at(-1)).toBe('after');
  });

  it('pausing again while kept frames are delivered stops the delivery there', async () => {
    const recorder = new Recorder();
    let transport: Transport | undefined;
    const port = await serverWith((connection) => {
      transport = connection.transport;
      // Pause after every 100th message, as a session whose queue fills up would.
      transport.bind(pausing(recorder, (n) => n % 100 === 0 && transport?.pause?.()));
      void transport.start();
    });
    const { socket, head } = await rawStation(port, '/AGAIN');
    const reader = new FrameReader(socket, head);
    const sent = heartbeats(350);
    socket.write(
      Buffer.concat([...sent.map((t) => wsFrame(OPCODE.text, t)), wsFrame(OPCODE.ping)]),
    );
    await reader.next(OPCODE.pong);
    expect(recorder.messages).toHaveLength(100);
    for (const expected of [200, 300]) {
      transport!.resume?.();
      await waitFor(() => recorder.messages.length === expected);
      expect(wsOf(transport!).isPaused).toBe(true);
    }
    transport!.resume?.();
    await waitFor(() => recorder.messages.length === sent.length);
    expect(recorder.messages).toEqual(sent);
  });

  it('start() does not resume a connection the session paused before starting it', async () => {
    const recorder = new Recorder();
    let transport: Transport | undefined;
    const port = await serverWith((connection) => {
      transport = connection.transport;
      transport.bind(recorder.handlers);
      transport.pause?.();
      void transport.start();
    });
    const { socket } = await rawStation(port, '/EARLY');
    await waitFor(() => recorder.opens.length === 1);
    expect(wsOf(transport!).isPaused).toBe(true);
    socket.write(wsFrame(OPCODE.text, 'one'));
    transport!.resume?.();
    await waitFor(() => recorder.messages.length === 1);
    expect(recorder.events).toEqual(['open ocpp2.0.1', 'message one']);
  });

  it('resume() does not start a connection that is held until start()', async () => {
    const recorder = new Recorder();
    let transport: Transport | undefined;
    const port = await serverWith((connection) => {
      transport = connection.transport;
      transport.bind(recorder.handlers);
    });
    const { socket } = await rawStation(port, '/HELD');
    await waitFor(() => transport !== undefined);
    socket.write(wsFrame(OPCODE.text, 'one'));
    transport!.pause?.();
    transport!.resume?.();
    expect(wsOf(transport!).isPaused).toBe(true);
    await transport!.start();
    await waitFor(() => recorder.messages.length === 1);
    expect(recorder.events).toEqual(['open ocpp2.0.1', 'message one']);
  });

  it('a paused connection that closes still reads the close frame: close() does not wait for the timeout', async () => {
    const recorder = new Recorder();
    let transport: Transport | undefined;
    const port = await serverWith(
      (connection) => {
        transport = connection.transport;
        transport.bind(recorder.handlers);
        void transport.start();
      },
      // Longer than the test may run: only a close handshake that completes lets close() resolve.
      { closeTimeoutMs: 60_000 },
    );
    const peer = new WebSocket(`ws://127.0.0.1:${port}/BYE`, ['ocpp2.0.1']);
    peer.on('error', () => undefined);
    onCleanup(async () => peer.terminate());
    await new Promise((resolve) => peer.once('open', resolve));
    await waitFor(() => recorder.opens.length === 1);
    transport!.pause?.();
    const peerClosed = new Promise<number>((resolve) => peer.once('close', resolve));
    await transport!.close(4000, 'bye');
    expect(await peerClosed).toBe(4000);
    expect(recorder.closes).toEqual([{ code: 4000, reason: 'bye', reconnecting: false }]);
  });

  it('a paused connection is not cut off for a pong it cannot read, and is judged again after resume()', async () => {
    const { port, accepted } = await startServer({
      pingIntervalSeconds: 0.05,
      pongTimeoutSeconds: 0.05,
    });
    // Two peers that never answer pings; the first one's transport is paused at once.
    const mute = (identity: string): WebSocket => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/${identity}`, ['ocpp1.6'], {
        autoPong: false,
      });
      ws.on('error', () => undefined);
      onCleanup(async () => ws.terminate());
      return ws;
    };
    mute('PAUSED');
    await waitFor(() => accepted.length === 1);
    const paused = accepted[0]!;
    paused.connection.transport.pause?.();
    mute('REFERENCE');
    await waitFor(() => accepted.length === 2);
    const reference = accepted[1]!;
    // The reference, connected later, is cut off after one ping interval and one pong timeout.
    await waitFor(() => reference.recorder.closes.length === 1, 3000, 'the reference cut-off');
    expect(reference.recorder.closes[0]?.reason).toMatch(/pong timeout/);
    expect(paused.recorder.closes).toEqual([]);

    paused.connection.transport.resume?.();
    await waitFor(() => paused.recorder.closes.length === 1, 3000, 'the cut-off after resume');
    expect(paused.recorder.closes[0]).toMatchObject({ code: 1006 });
  });
});

describe('client pause() and resume()', () => {
  it('delivers nothing while paused, even frames already read, then everything in order', async () => {
    const sent = heartbeats(500);
    let pongs: Promise<Buffer> | undefined;
    const { url } = await rawCsms((socket, head) => {
      const reader = new FrameReader(socket, head);
      pongs = reader.next(OPCODE.pong);
      socket.write(
        Buffer.concat([
          ...sent.map((t) => wsFrame(OPCODE.text, t, false)),
          wsFrame(OPCODE.ping, '', false),
        ]),
      );
    });
    const recorder = new Recorder();
    const client = createWsClient({
      url,
      identity: 'CS001',
      protocols: ['ocpp2.0.1'],
      reconnect: false,
      pingIntervalSeconds: 0,
      closeTimeoutMs: 200,
    });
    onCleanup(() => client.close());
    client.bind(pausing(recorder, (n) => n === 1 && client.pause()));
    await client.start();
    await waitFor(() => pongs !== undefined);
    await pongs;
    expect(recorder.messages).toEqual([sent[0]]);
    client.resume();
    await waitFor(() => recorder.messages.length === sent.length, 5000, 'every frame');
    expect(recorder.messages).toEqual(sent);
  });

  it('stays paused across a reconnect: the next connection starts paused', async () => {
    const sockets: Array<{ reader: FrameReader; write: (b: Buffer) => void; end: () => void }> = [];
    const { url } = await rawCsms((socket, head) => {
      sockets.push({
        reader: new FrameReader(socket, head),
        write: (b) => socket.write(b),
        end: () => socket.end(wsFrame(OPCODE.close, Buffer.from([0x03, 0xe8]), false)),
      });
    });
    const { client, recorder } = startClient({
      url,
      reconnect: true,
      backoff: { waitMinimumSeconds: 0, randomRangeSeconds: 0 },
      closeTimeoutMs: 200,
    });
    await client.start();
    sockets[0]!.end();
    // Paused between two connections, as a session still busy with the last one's calls.
    await waitFor(() => recorder.closes.length === 1);
    client.pause();
    await waitFor(() => recorder.opens.length === 2, 5000, 'the reconnect');
    const socket = (client as unknown as { socket: WebSocket }).socket;
    expect(socket.isPaused).toBe(true);
    sockets[1]!.write(
      Buffer.concat([wsFrame(OPCODE.text, 'held', false), wsFrame(OPCODE.ping, '', false)]),
    );
    client.resume();
    await sockets[1]!.reader.next(OPCODE.pong);
    await waitFor(() => recorder.messages.length === 1);
    expect(recorder.messages).toEqual(['held']);
    expect(recorder.closes).toEqual([{ code: 1000, reason: '', reconnecting: true }]);
  });

  it('neither pings nor times out a pong while paused; after resume() a mute CSMS is dropped', async () => {
    let reader: FrameReader | undefined;
    const { url } = await rawCsms((socket, head) => {
      reader = new FrameReader(socket, head);
    });
    const clock = new VirtualClock();
    const { client, recorder } = startClient({
      url,
      timers: clock,
      pingIntervalSeconds: 1,
      pongTimeoutSeconds: 1,
      closeTimeoutMs: 200,
    });
    await client.start();
    client.pause();
    // Ping ticks while paused: no ping goes out, nothing is cut off.
    for (let i = 0; i < 3; i++) clock.runNext();
    expect(client.isOpen).toBe(true);
    client.resume();
    clock.runNext();
    await reader!.next(OPCODE.ping);
    // A ping is out; pause again before its pong timeout: the timeout is put off, not enforced.
    client.pause();
    clock.runNext();
    expect(client.isOpen).toBe(true);
    client.resume();
    for (let i = 0; i < 5; i++) clock.runNext();
    await waitFor(() => recorder.closes.length === 1);
    expect(recorder.closes[0]).toMatchObject({ code: 1006 });
    expect(recorder.closes[0]?.reason).toMatch(/pong timeout/);
  });
});

describe('fairness between sockets', () => {
  it("one station's pipelined frames do not hold up another station's frame", async () => {
    const order: string[] = [];
    const port = await serverWith((connection) => {
      connection.transport.bind({
        message: (text) => order.push(`${connection.identity} ${text}`),
        open() {},
        close() {},
        error() {},
      });
      void connection.transport.start();
    });
    const flood = await rawStation(port, '/FLOOD');
    const quiet = await rawStation(port, '/QUIET');
    await waitFor(() => order.length === 0);
    // Under 64 KiB: the flood arrives in one socket read.
    const sent = heartbeats(1500);
    flood.socket.write(Buffer.concat(sent.map((t) => wsFrame(OPCODE.text, t))));
    quiet.socket.write(wsFrame(OPCODE.text, 'me too'));
    await waitFor(() => order.length === sent.length + 1, 5000, 'every frame');
    const quietAt = order.indexOf('QUIET me too');
    const lastFlood = order.indexOf(`FLOOD ${sent.at(-1)}`);
    expect(quietAt).toBeGreaterThan(-1);
    expect(quietAt).toBeLessThan(lastFlood);
  });
});
