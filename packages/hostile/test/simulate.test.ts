import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { OCPP_BIN } from './helpers/targets.js';

/**
 * A hostile CSMS against `ocpp simulate`: deep nesting, huge strings and odd frames as CALLs to
 * the station and as answers to the station's own calls. The simulator must live through all of
 * it, answer every CALL whose id it can read, and end its run with a summary.
 */

const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const big = (n: number) => 'x'.repeat(n);

/** CALLs to the station; each id must get an answer. */
const CALLS = [
  `[2,"a1",${deepArray(100_000)},{}]`,
  `[2,"a2","GetConfiguration",${deepArray(100_000)}]`,
  `[2,"a3","GetConfiguration",{"key":[${deepArray(10_000)}]}]`,
  `[2,"a4","${big(500_000)}",{}]`,
  `[2,"a5","GetConfiguration",{"${big(500_000)}":1}]`,
  '[2,"a6","__proto__",{}]',
  '[2,"a7","DataTransfer",{"vendorId":"v","__proto__":{"x":1}}]',
  '[2,"a8","GetConfiguration",{"key":["\\u0000\\u001b[2J"]}]',
  '[2,"a9","ChangeConfiguration",{"key":"HeartbeatInterval","value":"1e999999"}]',
];

/** Frames with nothing to answer; the connection must keep working. */
const NOISE = [
  deepArray(400_000),
  `[${deepArray(10_000)},"n1","Heartbeat",{}]`,
  `[3,"n2",${deepArray(10_000)}]`,
  `[4,"n3","GenericError","${big(500_000)}",{}]`,
  '[]',
  'null',
  '',
  `[${'9'.repeat(100_000)},"n4"]`,
];

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

describe('ocpp simulate against a hostile CSMS', () => {
  it('lives, answers every readable CALL and ends its run with a summary', async () => {
    const answered = new Map<string, string>();
    let canary: (() => void) | undefined;
    const canaryAnswered = new Promise<void>((resolve) => {
      canary = resolve;
    });
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (offered) => [...offered][0] ?? false,
    });
    servers.push(wss);
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    let attacked = false;
    wss.on('connection', (ws: WebSocket) => {
      ws.on('message', (data: RawData) => {
        const text = String(data);
        const head = /^\[(\d),"([^"]*)"(?:,"([^"]*)")?/.exec(text);
        if (head === null) return;
        const [, type, id, action] = head;
        if (type !== '2') {
          answered.set(id!, text);
          if (id === 'canary') canary?.();
          return;
        }
        if (action === 'BootNotification') {
          ws.send(
            `[3,"${id}",{"status":"Accepted","currentTime":"${new Date().toISOString()}","interval":300}]`,
          );
          if (attacked) return;
          attacked = true;
          for (const frame of [...NOISE, ...CALLS]) ws.send(frame);
          ws.send('[2,"canary","GetConfiguration",{}]');
          return;
        }
        // Every other call of the station gets a reply nested far too deep.
        ws.send(`[3,"${id}",{"currentTime":${deepArray(50_000)}}]`);
      });
    });
    const port = (wss.address() as AddressInfo).port;
    const child = spawn(
      process.execPath,
      [
        OCPP_BIN,
        'simulate',
        '--url',
        `ws://127.0.0.1:${port}`,
        '--stations',
        '1',
        '--protocol',
        'ocpp1.6',
        '--scenario',
        'idle',
        '--duration',
        '3',
        '--heartbeat-interval',
        '1',
        '--call-timeout',
        '2',
        // The station's own calls get invalid answers, so it keeps reconnecting with the OCPP
        // back-off: the duration must still end the run.
        '--json',
        '--quiet',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await canaryAnswered;
    const { code, signal } = await exit;
    expect(signal).toBeNull();
    expect(stderr).not.toMatch(/RangeError|Maximum call stack|Uncaught|at .*\.js:\d+/);
    // 0, or 1 because the station's calls were answered with invalid replies: never a crash.
    expect([0, 1]).toContain(code);
    expect(() => JSON.parse(stdout)).not.toThrow();
    const unanswered = CALLS.map((f) => /^\[2,"([^"]+)"/.exec(f)![1]!).filter(
      (id) => !answered.has(id),
    );
    expect(unanswered).toEqual([]);
    for (const [id, text] of answered) {
      if (id.startsWith('a')) expect(text.length, `answer to ${id}`).toBeLessThan(1024);
    }
  });
});
