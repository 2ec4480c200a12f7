/**
 * Child process: the load generator. Clients that play charging stations as cheaply as possible,
 * so that what is measured is the server; the same generator drives every server.
 *
 * - `ws` clients (for calls): prebuilt frames, zero masking key, no UTF-8 check, answers not
 *   parsed, only checked to be CALLRESULTs.
 * - bare TCP clients (for connection storms, where a `ws` client handshake costs about as much as
 *   the server's): a prebuilt upgrade request with a fixed key, a prebuilt masked BootNotification
 *   frame, and a check of the 101 answer and of the CALLRESULT; after that the socket only drains.
 *
 * argv: lifetime in ms.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import { type RawData, WebSocket } from 'ws';
import {
  bootNotification2,
  bootNotification16,
  meterValues16,
  transactionEvent2,
} from '../payloads.js';
import { serveCommands } from './ipc.js';

/** The OCPP version a station speaks. */
export type LoadVersion = '1.6' | '2.0.1';

/** Arguments of `connect`. */
export interface ConnectArgs {
  readonly port: number;
  readonly version: LoadVersion;
  readonly count: number;
  /** Connections being opened (and booted) at once. */
  readonly concurrency: number;
  /** Identity prefix; station `i` is `${prefix}${i}`. */
  readonly prefix: string;
  /** The stations' group (they run and stop together). @default '' */
  readonly group?: string;
  /**
   * `ws`: a `ws` client per station, able to run calls. `tcp`: a bare TCP client that connects,
   * boots and then stays idle (cheaper, for connection storms).
   * @default 'ws'
   */
  readonly client?: 'ws' | 'tcp';
}

/** Result of `connect`: every station connected and got `Accepted` to its BootNotification. */
export interface ConnectResult {
  readonly connected: number;
  readonly failed: number;
  readonly firstError: string | undefined;
  /** From the first connect to the last boot answer, ms. */
  readonly elapsedMs: number;
  /** Load generator CPU over the same span, µs. */
  readonly cpuUs: number;
}

/** What `mark` reports: cumulative figures, to subtract between two marks. */
export interface LoadMark {
  readonly completed: number;
  readonly errors: number;
  readonly user: number;
  readonly system: number;
  readonly at: number;
}

/** Result of `stop`. */
export interface StopResult {
  readonly completed: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  /** Stations whose call was still unanswered when the wait ended. */
  readonly unanswered: number;
}

const lifetimeMs = Number(process.argv[2] ?? 180_000);

const SUBPROTOCOL: Record<LoadVersion, string> = { '1.6': 'ocpp1.6', '2.0.1': 'ocpp2.0.1' };
const OPEN_BRACKET = 0x5b;
const DIGIT_3 = 0x33;

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

const CLIENT_OPTIONS = {
  perMessageDeflate: false,
  skipUTF8Validation: true,
  generateMask: zeroMask,
  handshakeTimeout: 30_000,
};

interface Station {
  /** The `ws` client, or for a bare TCP station its socket. */
  readonly ws: WebSocket | Socket;
  readonly group: Group;
  /** The frame up to the message id's sequence number. */
  readonly prefix: string;
  seq: number;
  busy: boolean;
}

/** The stations of one server: they run and stop together. */
interface Group {
  stations: Station[];
  /** The frame after the message id: action and payload, prebuilt. */
  callTail: string;
  running: boolean;
  completed: number;
  errors: number;
  firstError: string | undefined;
}

const groups = new Map<string, Group>();

function groupNamed(name: string): Group {
  let group = groups.get(name);
  if (group === undefined) {
    group = {
      stations: [],
      callTail: '',
      running: false,
      completed: 0,
      errors: 0,
      firstError: undefined,
    };
    groups.set(name, group);
  }
  return group;
}

function isCallResult(data: RawData): boolean {
  const b = data as Buffer;
  return b[0] === OPEN_BRACKET && b[1] === DIGIT_3;
}

function sendNext(station: Station): void {
  if (!(station.ws instanceof WebSocket)) throw new Error('bare TCP stations make no calls');
  station.busy = true;
  station.seq++;
  station.ws.send(`${station.prefix}${station.seq}${station.group.callTail}`);
}

function onAnswer(this: WebSocket, data: RawData): void {
  const station = (this as WebSocket & { station: Station }).station;
  const group = station.group;
  group.completed++;
  if (!isCallResult(data)) {
    group.errors++;
    group.firstError ??= String(data).slice(0, 300);
  }
  if (group.running) sendNext(station);
  else station.busy = false;
}

function connectOne(args: ConnectArgs, group: Group, index: number): Promise<Station> {
  const identity = `${args.prefix}${index}`;
  const boot = JSON.stringify([
    2,
    `boot-${index}`,
    'BootNotification',
    args.version === '1.6' ? bootNotification16() : bootNotification2(),
  ]);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${args.port}/${identity}`,
      [SUBPROTOCOL[args.version]],
      CLIENT_OPTIONS,
    );
    const fail = (why: string): void => {
      ws.terminate();
      reject(new Error(`${identity}: ${why}`));
    };
    ws.once('error', (e) => fail(e.message));
    ws.once('close', (code) => fail(`closed with ${code} before boot`));
    ws.once('open', () => ws.send(boot));
    ws.once('message', (data: RawData) => {
      const text = String(data);
      if (!isCallResult(data) || !text.includes('"Accepted"')) {
        fail(`BootNotification was not accepted: ${text.slice(0, 300)}`);
        return;
      }
      ws.removeAllListeners('close');
      ws.removeAllListeners('error');
      ws.on('error', () => {});
      const station: Station = { ws, group, prefix: `[2,"${index}.`, seq: 0, busy: false };
      (ws as WebSocket & { station: Station }).station = station;
      ws.on('message', onAnswer);
      resolve(station);
    });
  });
}

/** RFC 6455's sample key and its accept value: the server's SHA-1 work is the same for any key. */
const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const WS_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const HEADER_END = Buffer.from('\r\n\r\n');

/** A client text frame with the mask bit set and a zero key (the payload goes as it is). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const n = payload.length;
  const head =
    n < 126 ? Buffer.from([0x81, 0x80 | n]) : Buffer.from([0x81, 0x80 | 126, n >> 8, n & 0xff]);
  if (n > 0xffff) throw new Error('frame too long');
  return Buffer.concat([head, Buffer.alloc(4), payload]);
}

/** The payload of the first complete unmasked server frame in `data`, or undefined. */
function firstFrame(data: Buffer): Buffer | undefined {
  if (data.length < 2) return undefined;
  let n = data[1]! & 0x7f;
  let offset = 2;
  if (n === 126) {
    if (data.length < 4) return undefined;
    n = data.readUInt16BE(2);
    offset = 4;
  } else if (n === 127) {
    throw new Error('unexpectedly long frame');
  }
  return data.length < offset + n ? undefined : data.subarray(offset, offset + n);
}

function ignore(): void {}

function connectTcpOne(args: ConnectArgs, group: Group, index: number): Promise<Station> {
  const identity = `${args.prefix}${index}`;
  const request = Buffer.from(
    `GET /${identity} HTTP/1.1\r\nHost: 127.0.0.1:${args.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${WS_KEY}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${SUBPROTOCOL[args.version]}\r\n\r\n`,
    'latin1',
  );
  const boot = maskedTextFrame(
    JSON.stringify([
      2,
      `boot-${index}`,
      'BootNotification',
      args.version === '1.6' ? bootNotification16() : bootNotification2(),
    ]),
  );
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port: args.port, noDelay: true });
    let buffered: Buffer = Buffer.alloc(0);
    let upgraded = false;
    const fail = (why: string): void => {
      socket.destroy();
      reject(new Error(`${identity}: ${why}`));
    };
    socket.once('connect', () => socket.write(request));
    socket.on('error', (e) => fail(e.message));
    socket.on('close', () => fail('closed before boot'));
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf(HEADER_END);
        if (end === -1) return;
        const head = buffered.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101') || !head.includes(WS_ACCEPT)) {
          fail(`handshake refused: ${head.split('\r\n', 1)[0]}`);
          return;
        }
        if (!head.toLowerCase().includes(`sec-websocket-protocol: ${SUBPROTOCOL[args.version]}`)) {
          fail('the server chose no subprotocol');
          return;
        }
        upgraded = true;
        buffered = buffered.subarray(end + HEADER_END.length);
        socket.write(boot);
      }
      const payload = firstFrame(buffered);
      if (payload === undefined) return;
      const text = payload.toString('utf8');
      if (!text.startsWith('[3,') || !text.includes('"Accepted"')) {
        fail(`BootNotification was not accepted: ${text.slice(0, 300)}`);
        return;
      }
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      socket.on('error', ignore);
      // Keep reading (pings, a close) so the kernel buffer never fills; nothing is answered.
      socket.on('data', ignore);
      resolve({ ws: socket, group, prefix: '', seq: 0, busy: false });
    });
  });
}

/** Connects and boots `count` more stations into the group `group` (default: one group). */
async function connect(args: ConnectArgs): Promise<ConnectResult> {
  const open = args.client === 'tcp' ? connectTcpOne : connectOne;
  const group = groupNamed(args.group ?? '');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  let error: string | undefined;
  const opened: Station[] = [];
  const worker = async (): Promise<void> => {
    while (next < args.count) {
      const index = next++;
      try {
        opened.push(await open(args, group, index));
      } catch (e) {
        failed++;
        error ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency, args.count) }, worker));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  group.stations = group.stations.concat(opened);
  return {
    connected: opened.length,
    failed,
    firstError: error,
    elapsedMs,
    cpuUs: cpu.user + cpu.system,
  };
}

/** Starts every station of a group on its loop of sequential calls. */
function run({ group: name = '', version }: { group?: string; version: LoadVersion }): {
  stations: number;
} {
  const group = groupNamed(name);
  const [action, payload] =
    version === '1.6'
      ? ['MeterValues', meterValues16()]
      : ['TransactionEvent', transactionEvent2()];
  group.callTail = `","${action}",${JSON.stringify(payload)}]`;
  group.running = true;
  for (const station of group.stations) sendNext(station);
  return { stations: group.stations.length };
}

function mark({ group: name = '' }: { group?: string }): LoadMark {
  const group = groupNamed(name);
  const cpu = process.cpuUsage();
  return {
    completed: group.completed,
    errors: group.errors,
    user: cpu.user,
    system: cpu.system,
    at: performance.now(),
  };
}

/** Stops a group's loops and waits (up to `waitMs`) for the calls in flight to be answered. */
async function stop({
  group: name = '',
  waitMs,
}: {
  group?: string;
  waitMs: number;
}): Promise<StopResult> {
  const group = groupNamed(name);
  group.running = false;
  const until = performance.now() + waitMs;
  while (group.stations.some((s) => s.busy) && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    completed: group.completed,
    errors: group.errors,
    firstError: group.firstError,
    unanswered: group.stations.filter((s) => s.busy).length,
  };
}

/** Drops every connection of a group at once. */
function closeAll({ group: name = '' }: { group?: string }): { closed: number } {
  const group = groupNamed(name);
  const closed = group.stations.length;
  for (const s of group.stations) {
    if (s.ws instanceof WebSocket) s.ws.terminate();
    else s.ws.destroy();
  }
  group.stations = [];
  return { closed };
}

serveCommands({ connect, run, mark, stop, closeAll }, { pid: process.pid }, lifetimeMs);
