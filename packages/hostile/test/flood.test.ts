import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { Peer } from './helpers/peer.js';
import { startTarget, type Target, type TargetKind } from './helpers/targets.js';

/**
 * Stations that pipeline calls (what OCPP forbids) or never read what they are sent. The target
 * must answer every CALL it accepted, keep serving a well-behaved neighbour, and keep its memory
 * bounded; a peer that does not read is cut off at the send-buffer limit.
 */

const KINDS: TargetKind[] = ['ocpp csms', 'library server'];

/** Sends `count` Heartbeats as fast as the socket takes them and waits for every answer. */
async function pipeline(
  peer: Peer,
  prefix: string,
  count: number,
  action = 'Heartbeat',
  payload = '{}',
) {
  for (let i = 0; i < count; i++) peer.send(`[2,"${prefix}${i}","${action}",${payload}]`);
  // Calls over the target's queue bound may be refused at once, before earlier ones are answered:
  // wait for each.
  for (let i = 0; i < count; i++) await peer.answer(`${prefix}${i}`, 50_000);
  const missing: string[] = [];
  const codes = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const answer = peer.answers.get(`${prefix}${i}`);
    if (answer === undefined) missing.push(`${prefix}${i}`);
    else {
      const code = answer.startsWith('[3,')
        ? 'CALLRESULT'
        : (/^\[4,"[^"]*","([^"]*)"/.exec(answer)?.[1] ?? '?');
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  }
  return { missing, codes };
}

describe.each(KINDS)('%s against floods', (kind) => {
  let target: Target;
  let baselineMiB = 0;

  beforeAll(async () => {
    target = await startTarget(kind);
    baselineMiB = target.rssMiB();
  });

  afterAll(async () => {
    await target?.stop();
  });

  it('20,000 pipelined Heartbeats: every one answered, in order, while a neighbour is served', async () => {
    const flooder = await Peer.connect(target.url, '1.6');
    const neighbour = await Peer.connect(target.url, '2.0.1');
    const flood = pipeline(flooder, 'f', 20_000);
    // The neighbour's calls go through during the flood.
    for (let i = 0; i < 20; i++) await neighbour.heartbeat(`n${i}`);
    const { missing, codes } = await flood;
    expect(missing).toEqual([]);
    // Answers come in the order of the calls.
    const order = flooder.received
      .map((t) => /^\[[34],"f(\d+)"/.exec(t)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect([...codes.keys()].every((c) => c === 'CALLRESULT' || c === 'GenericError')).toBe(true);
    flooder.close();
    neighbour.close();
    expect(target.alive()).toBe(true);
    expect(target.rssMiB() - baselineMiB).toBeLessThan(200);
  });

  it('2,000 pipelined calls to an asynchronous handler: handled one at a time, all answered', async () => {
    const flooder = await Peer.connect(target.url, '2.0.1');
    const { missing, codes } = await pipeline(
      flooder,
      'd',
      2_000,
      'DataTransfer',
      '{"vendorId":"v"}',
    );
    expect(missing).toEqual([]);
    // The transport is paused while calls wait: none overflows the queue.
    expect([...codes]).toEqual([['CALLRESULT', 2_000]]);
    flooder.close();
    expect(target.alive()).toBe(true);
  });

  it('a station that never reads is cut off at the send-buffer limit; memory stays bounded', async () => {
    const peer = await Peer.connect(target.url, '1.6');
    const socket = (peer.ws as WebSocket & { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    // Calls whose answers the station never reads, until the target cuts it off (a write then
    // fails and the client sees the connection go): at most 3,000,000 of them, for at most 80 s.
    // Bounded by the target's progress, not by rounds: on a busy machine (CI runs other suites
    // beside this one) the target answers slower, and the limit is reached later.
    const frames = Array.from({ length: 1000 }, (_, i) => `[2,"x${i}","Heartbeat",{}]`);
    let most = 0;
    let sent = 0;
    const deadline = Date.now() + 80_000;
    for (
      let round = 0;
      sent < 3_000_000 && Date.now() < deadline && peer.closed === undefined;
      round++
    ) {
      // As fast as the target reads, no faster (so the test's own buffer stays small).
      if (peer.ws.bufferedAmount < 1024 * 1024) {
        for (const frame of frames) peer.send(frame);
        sent += frames.length;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
      if (round % 50 === 0) most = Math.max(most, target.rssMiB() - baselineMiB);
    }
    expect(
      peer.closed !== undefined || sent < 3_000_000,
      'the target read 3,000,000 calls without cutting the station off',
    ).toBe(true);
    socket.resume();
    const { code } = await peer.whenClosed(30_000);
    const grown = Math.max(most, target.rssMiB() - baselineMiB);
    console.info(`${kind}: a station that never reads grew RSS by at most ${grown.toFixed(1)} MiB`);
    expect([1006, 1008]).toContain(code);
    expect(grown).toBeLessThan(200);
    expect(target.alive()).toBe(true);
    const next = await Peer.connect(target.url, '1.6');
    await next.heartbeat();
    next.close();
  }, 150_000);
});

describe('library server: large pipelined CALLs while a call of its own is in flight', () => {
  let target: Target;

  beforeAll(async () => {
    target = await startTarget('library server');
  });

  afterAll(async () => {
    await target?.stop();
  });

  it('300 CALLs of 0.9 MB: every one answered, RSS bounded by the inbound queue', async () => {
    const baselineMiB = target.rssMiB();
    // The fixture sends an AWAITED- station a DataTransfer it never answers: while that is in
    // flight the server keeps reading (the answer must get through), so only the session's
    // inbound bound holds the flood back.
    const peer = await Peer.connect(target.url, '2.0.1', `AWAITED-${process.pid}`);
    await peer.receivedWhere((t) => t.startsWith('[2,'));
    // 0.9 MB of text that parses into 450,000 numbers: several times its size once parsed. The
    // handler takes 50 ms, so the calls arrive faster than they are handled and must wait.
    const data = `[${Array.from({ length: 450_000 }, () => '1').join(',')}]`;
    const count = 300;
    let most = 0;
    for (let i = 0; i < count; i++) {
      while (peer.ws.bufferedAmount > 16 * 1024 * 1024) {
        await new Promise<void>((resolve) => setTimeout(resolve, 2));
      }
      peer.send(`[2,"b${i}","DataTransfer",{"vendorId":"slow","data":${data}}]`);
      if (i % 10 === 0) most = Math.max(most, target.rssMiB() - baselineMiB);
    }
    const codes = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const answer = await peer.answer(`b${i}`, 50_000);
      most = Math.max(most, target.rssMiB() - baselineMiB);
      const code = answer.startsWith('[3,')
        ? 'CALLRESULT'
        : (/^\[4,"[^"]*","([^"]*)"/.exec(answer)?.[1] ?? '?');
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    console.info(
      `a flood of large CALLs with a call in flight: RSS grew by at most ${most.toFixed(1)} MiB; ${JSON.stringify([...codes])}`,
    );
    expect([...codes.keys()].every((c) => c === 'CALLRESULT' || c === 'GenericError')).toBe(true);
    expect(codes.get('CALLRESULT')).toBeGreaterThan(0);
    expect(target.alive()).toBe(true);
    await peer.heartbeat();
    peer.close();
    // Measured: 117-155 MiB, most of it garbage of the parsed payloads the collector has not
    // returned yet; 782 MiB when the waiting calls were kept parsed and bounded by count alone.
    expect(most).toBeLessThan(350);
  });
});
