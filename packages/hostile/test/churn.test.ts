import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Peer, type Version } from './helpers/peer.js';
import { startTarget, type Target } from './helpers/targets.js';

/**
 * Identity churn: unauthenticated stations with fresh, long identities connect, boot and leave,
 * one after another, 50 at a time. `ocpp csms` forgets disconnected stations beyond its bounds,
 * so its memory levels off instead of growing with every identity it has ever seen.
 *
 * `HOSTILE_CHURN=100000` runs the full figure of the issue (about a minute on 2 cores).
 */

const TOTAL = Number(process.env.HOSTILE_CHURN ?? 10_000);
const AT_ONCE = 50;
const VERSIONS: Version[] = ['1.6', '2.0.1', '2.1'];

/** The longest identity each version lets through by default (1.6: 128; 2.x: 48). */
function identity(i: number, version: Version): string {
  const n = String(i);
  return version === '1.6'
    ? `${'C'.repeat(128 - n.length)}${n}`
    : `${'S'.repeat(48 - n.length)}${n}`;
}

async function churn(target: Target, from: number, count: number): Promise<void> {
  let next = from;
  const end = from + count;
  const worker = async () => {
    while (next < end) {
      const i = next++;
      const version = VERSIONS[i % 3]!;
      const peer = await Peer.connect(target.url, version, identity(i, version));
      peer.close();
      await peer.whenClosed();
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
}

describe('ocpp csms under identity churn', () => {
  let target: Target;

  beforeAll(async () => {
    target = await startTarget('ocpp csms');
  });

  afterAll(async () => {
    await target?.stop();
  });

  it(`${TOTAL.toLocaleString('en-US')} unique identities leave RSS bounded`, async () => {
    // Warm up first: compiled code and lazily built tables exist before the first reading.
    await churn(target, 0, 1_000);
    const before = target.rssMiB();
    const readings: number[] = [];
    const step = Math.ceil(TOTAL / 5);
    for (let done = 0; done < TOTAL; done += step) {
      await churn(target, 1_000 + done, Math.min(step, TOTAL - done));
      readings.push(target.rssMiB() - before);
    }
    console.info(
      `ocpp csms RSS after each fifth of ${TOTAL} identities, MiB above the start: ${readings.map((r) => r.toFixed(1)).join(', ')}`,
    );
    expect(target.alive()).toBe(true);
    // The store keeps at most 5,000 disconnected stations and forgets the rest (it kept every
    // one before, 5 KB each), so memory stops growing once it is full.
    const counts = (await target.admin('')) as { stations: number; forgottenStations: number };
    expect(counts.stations).toBeLessThanOrEqual(5_000);
    expect(counts.forgottenStations).toBeGreaterThanOrEqual(TOTAL + 1_000 - 5_000);
    expect(Math.max(...readings)).toBeLessThan(150);
    const peer = await Peer.connect(target.url, '2.0.1');
    await peer.heartbeat();
    peer.close();
  });
});
