import { createHash, randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { IncomingConnection, TransportCloseInfo, TransportHandlers } from '@ocpp/transport';
import { afterEach } from 'vitest';
import {
  type ClientTimers,
  createWsClient,
  createWsServer,
  type WsClientOptions,
  type WsClientTransport,
  type WsServer,
  type WsServerOptions,
} from '../src/index.js';

/** Everything a transport reported, in order. */
export class Recorder {
  readonly events: string[] = [];
  readonly messages: string[] = [];
  readonly closes: TransportCloseInfo[] = [];
  readonly errors: Error[] = [];
  readonly opens: string[] = [];
  readonly handlers: TransportHandlers = {
    message: (text) => {
      this.messages.push(text);
      this.events.push(`message ${text}`);
    },
    open: (info) => {
      this.opens.push(info.protocol);
      this.events.push(`open ${info.protocol}`);
    },
    close: (info) => {
      this.closes.push(info);
      this.events.push(`close ${info.code}`);
    },
    error: (error) => {
      this.errors.push(error);
      this.events.push(`error ${error.message}`);
    },
  };
}

/** Polls until `check` holds; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean,
  timeoutMs = 3000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const cleanups: Array<() => Promise<unknown>> = [];

/** Runs after the current test, whatever happens. */
export function onCleanup(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

afterEach(async () => {
  const pending = cleanups.splice(0).reverse();
  for (const cleanup of pending) await cleanup().catch(() => undefined);
});

/** An accepted connection with what its transport reported. */
export interface Accepted {
  readonly connection: IncomingConnection;
  readonly recorder: Recorder;
}

/** A server on 127.0.0.1 with a free port that binds and starts every connection it accepts. */
export async function startServer(options: WsServerOptions = {}): Promise<{
  server: WsServer;
  port: number;
  url: string;
  accepted: Accepted[];
}> {
  const server = createWsServer({ host: '127.0.0.1', pingIntervalSeconds: 0, ...options });
  const accepted: Accepted[] = [];
  server.onConnection((connection) => {
    const recorder = new Recorder();
    connection.transport.bind(recorder.handlers);
    accepted.push({ connection, recorder });
    void connection.transport.start();
  });
  const port = await server.listen();
  onCleanup(() => server.close());
  return { server, port, url: `ws://127.0.0.1:${port}`, accepted };
}

/** A client with quiet defaults for tests (no reconnect, no pings), closed after the test. */
export function startClient(options: Partial<WsClientOptions> & Pick<WsClientOptions, 'url'>): {
  client: WsClientTransport;
  recorder: Recorder;
} {
  const client = createWsClient({
    identity: 'CS001',
    protocols: ['ocpp2.0.1'],
    reconnect: false,
    pingIntervalSeconds: 0,
    ...options,
  });
  const recorder = new Recorder();
  client.bind(recorder.handlers);
  onCleanup(() => client.close());
  return { client, recorder };
}

/** The answer to a hand-made upgrade request. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** After a 101: the socket and the bytes that came with the response. */
  readonly socket?: Socket;
  readonly head?: Buffer;
}

/** Sends a WebSocket upgrade request by hand, to see exactly what the server answers. */
export function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('upgrade', (res, socket, head) => {
      onCleanup(async () => socket.destroy());
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '', socket, head });
    });
    req.end();
  });
}

/** Reads the first close frame the server sends on an upgraded raw socket: its code and reason. */
export function readCloseFrame(
  socket: Socket,
  head: Buffer,
): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    let data = head;
    const attempt = (): boolean => {
      if (data.length < 2) return false;
      const opcode = (data[0] ?? 0) & 0x0f;
      const length = (data[1] ?? 0) & 0x7f;
      if (data.length < 2 + length) return false;
      if (opcode !== 0x8) {
        reject(new Error(`expected a close frame, got opcode ${opcode}`));
        return true;
      }
      const payload = data.subarray(2, 2 + length);
      resolve({ code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') });
      return true;
    };
    if (attempt()) return;
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      attempt();
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('socket closed before a close frame')));
  });
}

/** A manual clock for the client's timers: nothing runs until the test advances it. */
export class VirtualClock implements ClientTimers {
  now = 0;
  private seq = 0;
  private readonly tasks = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    this.seq += 1;
    this.tasks.set(this.seq, { at: this.now + ms, callback });
    return this.seq;
  }

  clearTimeout(handle: unknown): void {
    this.tasks.delete(handle as number);
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.tasks.size;
  }

  /** Moves time to the earliest timer and runs it; returns how far time moved. */
  runNext(): number {
    let next: [number, { at: number; callback: () => void }] | undefined;
    for (const entry of this.tasks) {
      if (next === undefined || entry[1].at < next[1].at) next = entry;
    }
    if (next === undefined) throw new Error('no timer is waiting');
    this.tasks.delete(next[0]);
    const moved = next[1].at - this.now;
    this.now = next[1].at;
    next[1].callback();
    return moved;
  }
}

/** WebSocket opcodes used by the hand-made frames below. */
export const OPCODE = { text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * One WebSocket frame, made by hand. A client frame (`masked`) uses the all-zero masking key, so
 * its payload goes out as is.
 */
export function wsFrame(opcode: number, payload: string | Buffer = '', masked = true): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const maskBit = masked ? 0x80 : 0;
  let head: Buffer;
  if (data.length < 126) {
    head = Buffer.from([0x80 | opcode, maskBit | data.length]);
  } else if (data.length < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode;
    head[1] = maskBit | 126;
    head.writeUInt16BE(data.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(BigInt(data.length), 2);
  }
  return Buffer.concat([head, masked ? Buffer.alloc(4) : Buffer.alloc(0), data]);
}

/** Reads the frames a peer sends on a raw socket; `next(opcode)` waits for the next such frame. */
export class FrameReader {
  private data = Buffer.alloc(0);
  private readonly frames: Array<{ opcode: number; payload: Buffer }> = [];
  private waiters: Array<() => void> = [];
  ended = false;

  constructor(socket: Socket, head: Buffer = Buffer.alloc(0)) {
    this.push(head);
    socket.on('data', (chunk: Buffer) => this.push(chunk));
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Resolves with the next frame of `opcode` (frames of other opcodes are skipped). */
  async next(opcode: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => f.opcode === opcode);
      if (i !== -1) {
        const [frame] = this.frames.splice(0, i + 1).slice(-1);
        return frame!.payload;
      }
      if (this.ended) throw new Error(`socket closed before a frame with opcode ${opcode}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame with opcode ${opcode} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private push(chunk: Buffer): void {
    this.data = Buffer.concat([this.data, chunk]);
    for (;;) {
      const d = this.data;
      if (d.length < 2) break;
      const masked = (d[1]! & 0x80) !== 0;
      let length = d[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (d.length < 4) break;
        length = d.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (d.length < 10) break;
        length = Number(d.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (d.length < offset + length) break;
      const payload = Buffer.from(d.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= d[maskAt + (i % 4)]!;
      this.frames.push({ opcode: d[0]! & 0x0f, payload });
      this.data = d.subarray(offset + length);
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * A station made by hand on a raw TCP socket: sends the upgrade request and resolves once the
 * server answered 101, with the socket and the bytes that followed the response.
 */
export function rawStation(
  port: number,
  path: string,
  protocol = 'ocpp2.0.1',
): Promise<{ socket: Socket; head: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    onCleanup(async () => socket.destroy());
    let data = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const status = data.subarray(0, end).toString('latin1').split('\r\n', 1)[0] ?? '';
      if (!status.startsWith('HTTP/1.1 101')) {
        reject(new Error(`upgrade refused: ${status}`));
        return;
      }
      resolve({ socket, head: data.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
        `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
    );
  });
}

/**
 * A CSMS made by hand: a TCP server that answers every upgrade request with 101 and the first
 * offered subprotocol, then hands the raw socket to `onSocket` (frames are the test's business).
 */
export async function rawCsms(
  onSocket: (socket: Socket, head: Buffer) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    let data = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const headers = data.subarray(0, end).toString('latin1');
      const key = /sec-websocket-key: *(\S+)/i.exec(headers)?.[1] ?? '';
      const protocol = /sec-websocket-protocol: *([^,\r]+)/i.exec(headers)?.[1]?.trim();
      const accept = createHash('sha1')
        .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Accept: ${accept}\r\n` +
          (protocol === undefined ? '' : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
          '\r\n',
      );
      onSocket(socket, data.subarray(end + 4));
    };
    socket.on('data', onData);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as { port: number };
  return { server, url: `ws://127.0.0.1:${port}` };
}
