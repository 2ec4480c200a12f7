import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { createWsClient, createWsServer, isWsTransportError } from '../src/index.js';
import {
  OPCODE,
  rawCsms,
  rawStation,
  startClient,
  startServer,
  waitFor,
  wsFrame,
} from './helpers.js';

const LIMIT = 256 * 1024;
const CHUNK = 'x'.repeat(64 * 1024);

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Sends 64 KiB frames until `send` throws (at most `maxSends`), letting the event loop run every
 * few frames so the kernel takes what it can. Reports the largest `bufferedAmount` seen.
 */
async function sendUntilRefused(
  send: (text: string) => void,
  buffered: () => number,
  maxSends = 4000,
): Promise<{ error: unknown; sends: number; maxBuffered: number }> {
  let maxBuffered = 0;
  for (let sends = 0; sends < maxSends; sends++) {
    try {
      send(CHUNK);
    } catch (error) {
      return { error, sends, maxBuffered };
    }
    maxBuffered = Math.max(maxBuffered, buffered());
    if (sends % 8 === 7) await nextTurn();
  }
  return { error: undefined, sends: maxSends, maxBuffered };
}

describe('the server send-buffer limit', () => {
  it('cuts off a station that does not read: bounded buffer, SEND_BUFFER_FULL, close 1008', async () => {
    const { port, accepted } = await startServer({
      maxBufferedBytes: LIMIT,
      maxMessageBytes: LIMIT,
    });
    const { socket } = await rawStation(port, '/NOREAD');
    // The station never reads again.
    socket.pause();
    await waitFor(() => accepted.length === 1);
    const { connection, recorder } = accepted[0]!;
    const ws = (connection.transport as unknown as { socket: WebSocket }).socket;
    const rssBefore = process.memoryUsage().rss;
    const result = await sendUntilRefused(
      (text) => connection.transport.send(text),
      () => ws.bufferedAmount,
    );
    expect(isWsTransportError(result.error) && result.error.code).toBe('SEND_BUFFER_FULL');
    expect(result.maxBuffered).toBeLessThanOrEqual(LIMIT);
    // The kernel holds a few MiB at most; the rest never left the process.
    expect(result.sends * CHUNK.length).toBeLessThan(64 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 1024 * 1024);
    await waitFor(() => recorder.closes.length === 1);
    expect(recorder.closes[0]).toMatchObject({ code: 1008, reconnecting: false });
    expect(recorder.closes[0]?.reason).toMatch(/send buffer full: the peer does not read/);
    expect(connection.transport.isOpen).toBe(false);
    expect(() => connection.transport.send('x')).toThrow(
      expect.objectContaining({ code: 'NOT_OPEN' }),
    );
  });

  it('a station that reads gets everything, far beyond the limit', async () => {
    const { url, accepted } = await startServer({
      maxBufferedBytes: LIMIT,
      maxMessageBytes: LIMIT,
    });
    const { client, recorder } = startClient({ url });
    await client.start();
    await waitFor(() => accepted.length === 1);
    const transport = accepted[0]!.connection.transport;
    // 8 MiB in all, sent as fast as the station reads it.
    for (let i = 0; i < 128; i++) {
      transport.send(CHUNK);
      await waitFor(() => recorder.messages.length === i + 1);
    }
    expect(accepted[0]!.recorder.closes).toEqual([]);
  });

  it('cuts off a station that pings without reading the pongs', async () => {
    const { port, accepted } = await startServer({
      maxMessageBytes: 1024,
      maxBufferedBytes: 64 * 1024,
    });
    const { socket } = await rawStation(port, '/PINGER');
    socket.pause();
    await waitFor(() => accepted.length === 1);
    const { recorder } = accepted[0]!;
    const pings = Buffer.concat(
      Array.from({ length: 8000 }, () => wsFrame(OPCODE.ping, 'p'.repeat(125))),
    );
    // About 1 MiB per write, at most 64 MiB: more than the kernel buffers of both ends hold.
    for (let i = 0; i < 64 && recorder.closes.length === 0 && !socket.destroyed; i++) {
      socket.write(pings);
      await waitFor(
        () => socket.writableLength === 0 || recorder.closes.length > 0 || socket.destroyed,
        10_000,
        'the server to read the pings',
      );
    }
    await waitFor(() => recorder.closes.length === 1, 10_000, 'the cut-off');
    expect(recorder.closes[0]).toMatchObject({ code: 1008 });
    expect(recorder.errors.map((e) => (e as { code?: string }).code)).toContain('SEND_BUFFER_FULL');
  });

  it('refuses a limit below maxMessageBytes, and defaults to at least maxMessageBytes', () => {
    expect(() => createWsServer({ maxMessageBytes: 2048, maxBufferedBytes: 1024 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => createWsServer({ maxBufferedBytes: 1.5 })).toThrow(/maxBufferedBytes/);
    const big = createWsServer({ maxMessageBytes: 8 * 1024 * 1024 });
    expect((big as unknown as { maxBufferedBytes: number }).maxBufferedBytes).toBe(8 * 1024 * 1024);
    expect((createWsServer() as unknown as { maxBufferedBytes: number }).maxBufferedBytes).toBe(
      4 * 1024 * 1024,
    );
    expect(() =>
      createWsClient({
        url: 'ws://127.0.0.1:1',
        identity: 'A',
        protocols: ['ocpp1.6'],
        maxMessageBytes: 2048,
        maxBufferedBytes: 1024,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});

describe('the client send-buffer limit', () => {
  it('drops a connection whose CSMS does not read: bounded buffer, SEND_BUFFER_FULL, close 1008', async () => {
    const { url } = await rawCsms((socket) => socket.pause());
    const { client, recorder } = startClient({
      url,
      maxBufferedBytes: LIMIT,
      maxMessageBytes: LIMIT,
    });
    await client.start();
    const socket = () => (client as unknown as { socket?: WebSocket }).socket;
    const ws = socket()!;
    const result = await sendUntilRefused(
      (text) => client.send(text),
      () => ws.bufferedAmount,
    );
    expect(isWsTransportError(result.error) && result.error.code).toBe('SEND_BUFFER_FULL');
    expect(result.maxBuffered).toBeLessThanOrEqual(LIMIT);
    expect(result.sends * CHUNK.length).toBeLessThan(64 * 1024 * 1024);
    await waitFor(() => recorder.closes.length === 1);
    expect(recorder.closes[0]).toMatchObject({ code: 1008, reconnecting: false });
    expect(recorder.closes[0]?.reason).toMatch(/send buffer full: the CSMS does not read/);
    expect(client.isOpen).toBe(false);
  });
});
