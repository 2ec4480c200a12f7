import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import type { Socket } from 'node:net';
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
