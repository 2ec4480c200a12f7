import { describe, expect, it } from 'vitest';
import { isDateTime, isMultipleOf, isUri, maxChars } from '../src/formats.js';

describe('isDateTime (RFC 3339)', () => {
  it.each([
    '2025-03-14T09:26:53Z',
    '2025-03-14T09:26:53.589Z',
    '2025-03-14t09:26:53z',
    '2025-03-14T09:26:53+01:00',
    '2024-02-29T00:00:00-05:30',
    '2016-12-31T23:59:60Z',
  ])('accepts %s', (v) => expect(isDateTime(v)).toBe(true));

  it.each([
    '2025-03-14T09:26:53',
    '2025-03-14 09:26:53Z',
    '2025-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-03-14T24:00:00Z',
    '2025-03-14T09:60:00Z',
    '2025-03-14T09:26:53+0100',
    '2025-03-14T09:26:53.Z',
    '2025-03-14T09:26:53+01:6x',
    '2025-03-14T09:26:53+01:00x',
    '2025-03-14T09:26:53+24:00',
    '2025-0a-14T09:26:53Z',
    '202a-03-14T09:26:53Z',
    '2025-03-14T09:26:53.589',
    'yesterday',
    '',
  ])('rejects %s', (v) => expect(isDateTime(v)).toBe(false));
});

describe('isUri', () => {
  it.each(['https://example.com/a?b=c', 'ftp://user@host:21/diag.zip', 'urn:ocpp:x'])(
    'accepts %s',
    (v) => expect(isUri(v)).toBe(true),
  );
  it.each(['not a uri', '/relative/path', '://missing-scheme', 'http://exa mple.com'])(
    'rejects %s',
    (v) => expect(isUri(v)).toBe(false),
  );
});

describe('isMultipleOf works on decimal values', () => {
  it.each([
    [0.3, 0.1],
    [16.5, 0.1],
    [32, 0.1],
    [1e6 + 0.1, 0.1],
    [10, 5],
  ])('%d is a multiple of %d', (v, d) => expect(isMultipleOf(v, d)).toBe(true));
  it.each([
    [0.35, 0.1],
    [16.55, 0.1],
    [7, 5],
  ])('%d is not a multiple of %d', (v, d) => expect(isMultipleOf(v, d)).toBe(false));
});

describe('maxChars counts code points like JSON Schema maxLength', () => {
  it('an emoji counts as one character', () => {
    expect(maxChars(3)('ab😀')).toBe(true);
    expect('ab😀'.length).toBe(4);
    expect(maxChars(2)('ab😀')).toBe(false);
  });
});

describe('isDateTime against a plain RFC 3339 reading', () => {
  /** RFC 3339 §5.6 `date-time`, with the calendar and range checks of §5.7, as a regular expression. */
  function reference(value: string): boolean {
    const m =
      /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/.exec(
        value,
      );
    if (m === null) return false;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
    const leap = year! % 4 === 0 && (year! % 100 !== 0 || year! % 400 === 0);
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if (month! < 1 || month! > 12 || day! < 1 || day! > days[month! - 1]!) return false;
    if (hour! > 23 || minute! > 59 || second! > 60) return false;
    if (m[8] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return false;
    return true;
  }

  it('agrees on 40,000 mutated timestamps', () => {
    let seed = 0x2545f491;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const alphabet = '0123456789-:.+TtZz ,/\u0660\uff10a';
    const bases = [
      '2025-03-14T09:26:53Z',
      '2025-03-14T09:26:53.589Z',
      '2024-02-29T23:59:60+14:00',
      '2000-02-29T00:00:00-00:00',
      '1900-02-28t12:00:00.0z',
      '9999-12-31T23:59:59.999999999+23:59',
    ];
    let accepted = 0;
    for (let i = 0; i < 40_000; i++) {
      let s = bases[random(bases.length)]!;
      const edits = 1 + random(3);
      for (let e = 0; e < edits; e++) {
        const at = random(s.length + 1);
        const c = alphabet[random(alphabet.length)]!;
        const kind = random(3);
        if (kind === 0) s = s.slice(0, at) + c + s.slice(at + 1);
        else if (kind === 1) s = s.slice(0, at) + c + s.slice(at);
        else s = s.slice(0, at) + s.slice(at + 1);
      }
      const want = reference(s);
      if (want) accepted += 1;
      if (isDateTime(s) !== want)
        expect({ value: s, verdict: isDateTime(s) }).toEqual({ value: s, verdict: want });
    }
    // Both verdicts occur often enough for the comparison to mean something.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(39_000);
  });
});
