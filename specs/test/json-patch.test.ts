/** The JSON Patch subset the errata rely on (codegen/src/json-patch.ts). */
import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  getAt,
  JsonPatchError,
  jsonEqual,
  parseOperations,
  parsePointer,
} from '../../codegen/src/json-patch.js';

const doc = () => ({
  type: 'object',
  properties: { a: { type: 'number' }, 'x/y': { '~t': 1 } },
  list: ['p', 'q'],
});

describe('parsePointer', () => {
  it('unescapes ~1 and ~0 in that order', () => {
    expect(parsePointer('/x~1y/~0t/~01')).toEqual(['x/y', '~t', '~1']);
    expect(parsePointer('')).toEqual([]);
  });

  it('rejects malformed pointers', () => {
    expect(() => parsePointer('a/b')).toThrow();
    expect(() => parsePointer('/a~2')).toThrow();
  });
});

describe('applyPatch', () => {
  it('adds, replaces and removes object members without touching the input', () => {
    const input = doc();
    const out = applyPatch(input, [
      { op: 'add', path: '/additionalProperties', value: false },
      { op: 'replace', path: '/properties/a/type', value: 'integer' },
      { op: 'remove', path: '/properties/x~1y' },
    ]);
    expect(out).toEqual({
      type: 'object',
      properties: { a: { type: 'integer' } },
      list: ['p', 'q'],
      additionalProperties: false,
    });
    expect(input).toEqual(doc());
  });

  it('inserts into arrays by index and appends with -', () => {
    const out = applyPatch(doc(), [
      { op: 'add', path: '/list/1', value: 'between' },
      { op: 'add', path: '/list/-', value: 'end' },
    ]);
    expect(out.list).toEqual(['p', 'between', 'q', 'end']);
  });

  it('moves and copies values', () => {
    const out = applyPatch(doc(), [
      { op: 'move', from: '/properties/x~1y', path: '/moved' },
      { op: 'copy', from: '/list', path: '/copy' },
    ]) as Record<string, unknown>;
    expect(out.moved).toEqual({ '~t': 1 });
    expect(getAt(out, '/properties')).toEqual({ a: { type: 'number' } });
    expect(out.copy).toEqual(['p', 'q']);
  });

  it('passes a test regardless of member order and fails on any other value', () => {
    expect(() =>
      applyPatch(doc(), [{ op: 'test', path: '/properties/a', value: { type: 'number' } }]),
    ).not.toThrow();
    expect(() =>
      applyPatch({ o: { a: 1, b: 2 } }, [{ op: 'test', path: '/o', value: { b: 2, a: 1 } }]),
    ).not.toThrow();
    expect(() => applyPatch(doc(), [{ op: 'test', path: '/list', value: ['q', 'p'] }])).toThrow(
      JsonPatchError,
    );
    expect(() => applyPatch(doc(), [{ op: 'test', path: '/missing', value: null }])).toThrow(
      /does not exist/,
    );
  });

  it('names the failing operation', () => {
    expect(() =>
      applyPatch(doc(), [
        { op: 'test', path: '/type', value: 'object' },
        { op: 'replace', path: '/nope', value: 1 },
      ]),
    ).toThrow(/operation #1 \(replace "\/nope"\)/);
  });

  it('fails on paths and indexes that do not exist', () => {
    expect(() => applyPatch(doc(), [{ op: 'remove', path: '/list/2' }])).toThrow();
    expect(() => applyPatch(doc(), [{ op: 'add', path: '/list/3', value: 'x' }])).toThrow();
    expect(() => applyPatch(doc(), [{ op: 'add', path: '/no/such', value: 1 }])).toThrow();
    expect(() =>
      applyPatch(doc(), [{ op: 'move', from: '/properties', path: '/properties/a/b' }]),
    ).toThrow();
  });

  it('lets add overwrite by default but not with strictAdd', () => {
    const op = { op: 'add', path: '/type', value: 'array' } as const;
    expect(applyPatch(doc(), [op]).type).toBe('array');
    expect(() => applyPatch(doc(), [op], { strictAdd: true })).toThrow(/already exists/);
    expect(
      applyPatch(doc(), [{ op: 'add', path: '/new', value: 1 }], { strictAdd: true }),
    ).toHaveProperty('new', 1);
  });
});

describe('parseOperations', () => {
  it('accepts well-formed operations', () => {
    const ops = [
      { op: 'test', path: '/a', value: null },
      { op: 'move', from: '/a', path: '/b' },
    ];
    expect(parseOperations(ops)).toBe(ops);
  });

  it('rejects malformed ones', () => {
    expect(() => parseOperations({})).toThrow();
    expect(() => parseOperations([{ op: 'frobnicate', path: '/a' }])).toThrow(/unknown op/);
    expect(() => parseOperations([{ op: 'add', path: '/a' }])).toThrow(/"value" is required/);
    expect(() => parseOperations([{ op: 'move', path: '/a' }])).toThrow(/"from"/);
    expect(() => parseOperations([{ op: 'remove', path: 'a' }])).toThrow();
  });
});

describe('jsonEqual', () => {
  it('compares structurally', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
  });
});
