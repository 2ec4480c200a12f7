import { isOcppCallError, isOcppSdkError, type OcppVersion } from '@ocpp/runtime';
import { createMemoryTransportPair } from '@ocpp/transport';
import type { CorpusCase } from './corpus.js';
import { createFixture, PROTOCOLS } from './fixtures.js';
import { mismatch, type Pattern, substituteId } from './matcher.js';
import { RawPeer } from './raw-peer.js';

/** Timing of a case run. */
export interface RunTiming {
  /**
   * How long to wait for an expected frame before calling it missing.
   * @default 1000
   */
  readonly answerTimeoutMs?: number;
  /**
   * How long nothing more may arrive once the expected frames are in (the silence window).
   * @default 20
   */
  readonly silenceMs?: number;
}

type Settled =
  | { readonly state: 'pending' }
  | { readonly state: 'resolved'; readonly value: unknown }
  | { readonly state: 'rejected'; readonly error: unknown };

/** The comparable shape of a rejection: what a case's `outcome.rejects` pattern is matched against. */
export function describeRejection(error: unknown): Record<string, unknown> {
  if (isOcppCallError(error)) {
    return {
      name: error.name,
      code: error.code,
      description: error.description,
      details: { ...error.details },
    };
  }
  if (isOcppSdkError(error)) return { name: error.name, code: error.code };
  return { name: error instanceof Error ? error.name : typeof error, message: String(error) };
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Runs one case against a fresh session over an in-memory pair and returns every way the session's
 * behaviour differs from the case (an empty list: it conforms).
 */
export async function runCase(
  version: OcppVersion,
  c: CorpusCase,
  timing: RunTiming = {},
): Promise<string[]> {
  const answerTimeoutMs = timing.answerTimeoutMs ?? 1000;
  const silenceMs = timing.silenceMs ?? 20;
  const problems: string[] = [];
  const fixture = createFixture(version, c.role);
  const [mine, theirs] = createMemoryTransportPair({ protocol: PROTOCOLS[version].subprotocol });
  const peer = new RawPeer(theirs);
  const session = fixture.session(mine, { callTimeoutMs: 5000 });
  await session.start();
  await theirs.start();

  let settled: Settled = { state: 'pending' };
  let id: string | undefined;
  let offset = 0;
  try {
    if (c.call !== undefined) {
      session.call(c.call.action, c.call.payload).then(
        (value) => {
          settled = { state: 'resolved', value };
        },
        (error: unknown) => {
          settled = { state: 'rejected', error };
        },
      );
      if (!(await peer.waitFor(1, answerTimeoutMs))) {
        return [`the session did not send its ${c.call.action} CALL`];
      }
      const sent = parse(peer.received[0]!);
      const frame = sent.ok ? sent.value : undefined;
      if (
        !Array.isArray(frame) ||
        frame[0] !== 2 ||
        typeof frame[1] !== 'string' ||
        frame[2] !== c.call.action
      ) {
        return [`the session's CALL is not [2, id, "${c.call.action}", ...]: ${peer.received[0]}`];
      }
      id = frame[1];
      offset = 1;
    }

    const texts = typeof c.send === 'string' ? [c.send] : c.send;
    const expected: readonly Pattern[] =
      'expectFrames' in c ? c.expectFrames : c.expect === null ? [] : [c.expect];
    for (const text of texts) peer.send(substituteId(text, id));
    // Let the session take every frame in, then let slow handlers finish.
    await peer.quiet(5);
    fixture.release();
    await peer.waitFor(offset + expected.length, answerTimeoutMs);
    await peer.quiet(silenceMs);

    const answers = peer.received.slice(offset);
    const context = id === undefined ? {} : { id };
    for (let i = 0; i < Math.max(answers.length, expected.length); i++) {
      const text = answers[i];
      const pattern = expected[i];
      if (text === undefined) {
        problems.push(`answer ${i + 1}: expected ${JSON.stringify(pattern)}, got nothing`);
        continue;
      }
      if (pattern === undefined) {
        problems.push(`answer ${i + 1}: expected nothing, got ${text}`);
        continue;
      }
      const parsed = parse(text);
      if (!parsed.ok) {
        problems.push(`answer ${i + 1}: not JSON: ${text}`);
        continue;
      }
      const m = mismatch(pattern, parsed.value, context);
      if (m !== null) problems.push(`answer ${i + 1}: ${m} (in ${text})`);
    }

    if (c.outcome !== undefined) {
      const s = settled as Settled;
      if (c.outcome === 'pending') {
        if (s.state !== 'pending') problems.push(`the call settled (${s.state}), expected pending`);
      } else if ('resolves' in c.outcome) {
        if (s.state !== 'resolved') {
          problems.push(
            `the call ${s.state === 'pending' ? 'is still pending' : `rejected: ${JSON.stringify(describeRejection(s.error))}`}, expected it to resolve`,
          );
        } else {
          const m = mismatch(c.outcome.resolves, s.value, context);
          if (m !== null) problems.push(`the call's response: ${m}`);
        }
      } else if (s.state !== 'rejected') {
        problems.push(
          `the call ${s.state === 'pending' ? 'is still pending' : 'resolved'}, expected it to reject`,
        );
      } else {
        const m = mismatch(c.outcome.rejects, describeRejection(s.error), context);
        if (m !== null) problems.push(`the call's rejection: ${m}`);
      }
    }

    if (c.handled !== undefined && JSON.stringify(fixture.handled) !== JSON.stringify(c.handled)) {
      problems.push(
        `handlers run: ${JSON.stringify(fixture.handled)}, expected ${JSON.stringify(c.handled)}`,
      );
    }
    return problems;
  } finally {
    fixture.release();
    await session.close();
  }
}
