import { describe, expect, it } from 'vitest';
import type { CorpusCase } from '../src/corpus.js';
import { runCase } from '../src/run-case.js';

// The runner must fail a case whose expectation is wrong, or a conformance corpus proves nothing.
describe('runCase reports every difference', () => {
  const heartbeat = '[2,"h1","Heartbeat",{}]';

  it('passes a correct case', async () => {
    const c: CorpusCase = {
      rule: 'ok',
      ref: '-',
      role: 'csms',
      send: heartbeat,
      expect: [3, 'h1', { currentTime: '2025-03-14T09:26:53Z' }],
      handled: ['Heartbeat'],
    };
    expect(await runCase('2.0.1', c)).toEqual([]);
  });

  it('an answer where silence was expected', async () => {
    const c: CorpusCase = { rule: 'x', ref: '-', role: 'csms', send: heartbeat, expect: null };
    expect(await runCase('2.0.1', c)).toEqual([expect.stringContaining('expected nothing, got')]);
  });

  it('silence where an answer was expected', async () => {
    const c: CorpusCase = {
      rule: 'x',
      ref: '-',
      role: 'csms',
      send: '[3,"r","x"]',
      expect: [4, 'r', 'GenericError', '', {}],
    };
    const problems = await runCase('2.0.1', c, { answerTimeoutMs: 30 });
    expect(problems).toEqual([expect.stringContaining('got nothing')]);
  });

  it('a wrong value inside the answer, the handlers run and the outcome of our call', async () => {
    const c: CorpusCase = {
      rule: 'x',
      ref: '-',
      role: 'station',
      call: { action: 'Heartbeat', payload: {} },
      send: '[4,"$id","FormationViolation","",{}]',
      expect: null,
      outcome: { rejects: { name: 'OcppCallError', code: 'FormationViolation' } },
      handled: ['Heartbeat'],
    };
    const problems = await runCase('2.1', c);
    expect(problems).toEqual([
      expect.stringContaining('/code: expected "FormationViolation", got "FormatViolation"'),
      expect.stringContaining('handlers run: []'),
    ]);
  });

  it('frames in the wrong order', async () => {
    const c: CorpusCase = {
      rule: 'x',
      ref: '-',
      role: 'csms',
      send: ['[2,"a","DataTransfer",{"vendorId":"slow"}]', '[2,"b","Heartbeat",{}]'],
      // The session answers a first (it handles the peer's calls in order): b first is wrong.
      expectFrames: [
        [3, 'b', { currentTime: '2025-03-14T09:26:53Z' }],
        [3, 'a', { status: 'Accepted' }],
      ],
    };
    expect(await runCase('1.6', c)).toHaveLength(2);
  });
});
