import type { OcppVersion } from '@ocpp/runtime';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { corpus as v16 } from '../corpus/ocpp1.6.js';
import { corpus as v201 } from '../corpus/ocpp2.0.1.js';
import { corpus as v21 } from '../corpus/ocpp2.1.js';
import type { CorpusCase } from '../src/corpus.js';
import { runCase } from '../src/run-case.js';

const CORPORA: readonly (readonly [OcppVersion, readonly CorpusCase[]])[] = [
  ['1.6', v16],
  ['2.0.1', v201],
  ['2.1', v21],
];

// A promise the session leaves rejected with nobody listening is a bug of its own.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  expect(unhandled.splice(0), 'unhandled promise rejections').toEqual([]);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

for (const [version, cases] of CORPORA) {
  describe(`OCPP ${version} corpus`, () => {
    it('has at least 40 cases, each with a unique rule name and a reference', () => {
      expect(cases.length).toBeGreaterThanOrEqual(40);
      const rules = cases.map((c) => c.rule);
      expect(rules.filter((r, i) => rules.indexOf(r) !== i)).toEqual([]);
      for (const c of cases) {
        expect(c.ref, c.rule).not.toBe('');
        if (c.outcome !== undefined)
          expect(c.call, `${c.rule}: outcome needs a call`).toBeDefined();
      }
    });

    for (const c of cases) {
      it(`${c.rule} [${c.ref}]`, async () => {
        expect(await runCase(version, c)).toEqual([]);
      });
    }
  });
}
