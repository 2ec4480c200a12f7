import { describe, expect, it } from 'vitest';
import { mismatch, substituteId } from '../src/matcher.js';

describe('mismatch', () => {
  it('plain JSON matches itself exactly', () => {
    expect(mismatch([4, 'a', 'GenericError', '', {}], [4, 'a', 'GenericError', '', {}])).toBeNull();
    expect(mismatch([3, 'a', {}], [3, 'a', {}, 1])).toMatch('expected 3 elements, got 4');
    expect(mismatch({ a: 1 }, { a: 1, b: 2 })).toBe('/b: unexpected property 2');
    expect(mismatch({ a: 1, b: 2 }, { a: 1 })).toBe('/b: expected 2, got nothing');
    expect(mismatch([1, { x: 'y' }], [1, { x: 'z' }])).toBe('/1/x: expected "y", got "z"');
    expect(mismatch(null, {})).toMatch('expected null');
  });

  it('$any checks the JSON type, and maxLength for strings', () => {
    expect(mismatch({ $any: 'string' }, '')).toBeNull();
    expect(mismatch({ $any: 'object' }, {})).toBeNull();
    expect(mismatch({ $any: 'object' }, [])).toMatch('expected object');
    expect(mismatch({ $any: 'object' }, null)).toMatch('expected object');
    expect(mismatch({ $any: 'array' }, [])).toBeNull();
    expect(mismatch({ $any: 'null' }, null)).toBeNull();
    expect(mismatch({ $any: 'value' }, 0)).toBeNull();
    expect(mismatch({ a: { $any: 'value' } }, {})).toBe(
      '/a: expected {"$any":"value"}, got nothing',
    );
    expect(mismatch({ $any: 'string', maxLength: 3 }, 'abcd')).toMatch('at most 3 characters');
  });

  it('$contains and $excludes look inside strings', () => {
    expect(mismatch({ $contains: '/reason' }, 'BootNotification: /reason: missing')).toBeNull();
    expect(mismatch({ $contains: '/reason' }, 'missing')).toMatch('containing');
    expect(mismatch({ $excludes: ['secret', 'at '] }, 'could not be processed')).toBeNull();
    expect(mismatch({ $excludes: ['secret'] }, 'a secret leaked')).toMatch(
      'must not contain "secret"',
    );
    expect(mismatch({ $excludes: [] }, 17)).toMatch('expected a string');
  });

  it('$has matches some keys of an object and ignores the rest', () => {
    expect(mismatch({ $has: { path: '/a' } }, { path: '/a', keyword: 'required' })).toBeNull();
    expect(mismatch({ $has: { path: '/a' } }, { path: '/b' })).toBe(
      '/path: expected "/a", got "/b"',
    );
    expect(mismatch({ $has: { path: '/a' } }, {})).toBe('/path: expected a value, got nothing');
  });

  it('"$id" stands for the id of the session\'s own call', () => {
    expect(mismatch([5, '$id'], [5, 'abc'], { id: 'abc' })).toBeNull();
    expect(mismatch([5, '$id'], [5, 'abd'], { id: 'abc' })).toMatch("expected the call's id");
    expect(() => mismatch('$id', 'x')).toThrow('without a "call" step');
  });

  it('refuses a pattern that mixes two forms', () => {
    expect(() => mismatch({ $any: 'string', $contains: 'x' }, 'x')).toThrow('mixes');
  });
});

describe('substituteId', () => {
  it('replaces every $id and leaves other text alone', () => {
    expect(substituteId('[3,"$id",{"a":"$id"}]', 'u1')).toBe('[3,"u1",{"a":"u1"}]');
    expect(substituteId('[3,"x",{}]', undefined)).toBe('[3,"x",{}]');
    expect(() => substituteId('[3,"$id",{}]', undefined)).toThrow();
  });
});
