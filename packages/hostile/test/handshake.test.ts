import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Peer } from './helpers/peer.js';
import { startTarget, type Target } from './helpers/targets.js';

/**
 * Attacks before the WebSocket exists: sockets that never finish their handshake, too many of
 * them, and password guessing. Legitimate stations must keep getting in, and every socket an
 * attacker holds must be let go by the target, not by the attacker.
 */

const targets: Target[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const t of targets.splice(0)) await t.stop();
});

async function start(kind: 'ocpp csms' | 'library server', args: string[] = []): Promise<Target> {
  const target = await startTarget(kind, args);
  targets.push(target);
  return target;
}

/** A TCP connection that sends `text` (maybe nothing) and then nothing more. */
function stall(url: string, text: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => {
      if (text !== '') socket.write(text);
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

/** Half an upgrade request: the headers never end. */
const PARTIAL =
  'GET /SLOW HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';

/** Sends a raw upgrade request and resolves with the response head the server sent. */
function upgrade(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end !== -1) {
        socket.destroy();
        resolve(text.slice(0, end));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(text));
    socket.once('connect', () => socket.write(request));
  });
}

/** Resolves once `n` of `promises` have settled. */
function settled(promises: readonly Promise<void>[], n: number): Promise<void> {
  let count = 0;
  return new Promise((resolve) => {
    if (n === 0) resolve();
    for (const p of promises) {
      void p.then(() => {
        if (++count === n) resolve();
      });
    }
  });
}

describe('handshake attacks', () => {
  it('ocpp csms: 600 idle and half-sent handshakes do not keep stations out, and are dropped', async () => {
    const target = await start('ocpp csms');
    const before = target.rssMiB();
    const held = await Promise.all(
      Array.from({ length: 600 }, (_, i) => stall(target.url, i % 2 === 0 ? '' : PARTIAL)),
    );
    // A station gets in while they are held.
    const station = await Peer.connect(target.url, '2.0.1');
    await station.heartbeat();
    // The target lets go of every one of them (after its 10 s handshake timeout).
    await settled(
      held.map((h) => h.closed),
      held.length,
    );
    expect(target.alive()).toBe(true);
    await station.heartbeat();
    station.close();
    expect(target.rssMiB() - before).toBeLessThan(100);
  });

  it('a library server: beyond maxHandshakesPerAddress sockets go at once, the rest at the timeout', async () => {
    const target = await start('library server', [
      JSON.stringify({
        handshakeTimeoutMs: 1000,
        maxHandshakesPerAddress: 50,
        perAddressExempt: 'none',
      }),
    ]);
    const held = [];
    for (let i = 0; i < 100; i++) held.push(await stall(target.url, i % 2 === 0 ? '' : PARTIAL));
    const closes = held.map((h) => h.closed);
    // The 50 over the cap are dropped first...
    await settled(closes.slice(50), 50);
    expect(held.slice(0, 50).filter((h) => h.socket.destroyed).length).toBe(0);
    // ...the first 50 when their handshake time is up.
    await settled(closes.slice(0, 50), 50);
    const station = await Peer.connect(target.url, '1.6');
    await station.heartbeat();
    station.close();
  });

  it('a library server: beyond maxConnections a socket is dropped at once; stations get in again', async () => {
    const target = await start('library server', [JSON.stringify({ maxConnections: 20 })]);
    const held = await Promise.all(Array.from({ length: 20 }, () => stall(target.url, '')));
    const over = await stall(target.url, '');
    await over.closed;
    expect(held.filter((h) => h.socket.destroyed).length).toBe(0);
    for (const h of held) h.socket.destroy();
    await settled(
      held.map((h) => h.closed),
      held.length,
    );
    // The target sees those closes a moment later: a station may be dropped until it has.
    let station: Peer | undefined;
    for (let attempt = 0; station === undefined; attempt++) {
      station = await Peer.connect(target.url, '2.1').catch((e: unknown) => {
        if (attempt === 50) throw e;
        return undefined;
      });
    }
    await station.heartbeat();
    station.close();
  });

  it('password guessing: after 10 failures an identity gets 429 with Retry-After', async () => {
    const target = await start('library server', [
      JSON.stringify({ password: 'the-right-password' }),
    ]);
    const { port } = new URL(target.url);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 14; i++) {
      const auth = Buffer.from(`CS-GUESSED:wrong-password-${i}`).toString('base64');
      const head = await upgrade(
        Number(port),
        `GET /CS-GUESSED HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ocpp1.6\r\nAuthorization: Basic ${auth}\r\n\r\n`,
      );
      statuses.push(Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]));
      retryAfter ??= /^retry-after:\s*(\d+)/im.exec(head)?.[1];
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(4).fill(429));
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Even the right password waits out the lockout: the hook is not asked meanwhile.
    const right = Buffer.from('CS-GUESSED:the-right-password').toString('base64');
    const head = await upgrade(
      Number(port),
      `GET /CS-GUESSED HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ocpp1.6\r\nAuthorization: Basic ${right}\r\n\r\n`,
    );
    expect(head).toMatch(/^HTTP\/1\.1 429/);
    expect(target.alive()).toBe(true);
  });
});
