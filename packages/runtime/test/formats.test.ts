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
