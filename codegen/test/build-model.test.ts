import { describe, expect, it } from 'vitest';
import { buildModel, SchemaError } from '../src/build-model.js';
import { applyPatch } from '../src/json-patch.js';
import type { Def } from '../src/model.js';
import { VERSIONS, type VersionConfig } from '../src/versions.js';

const [v16, v201] = VERSIONS as [VersionConfig, VersionConfig, VersionConfig];

/** A 2.x-style config that knows only the actions a test mentions. */
function config(
  directions: Record<string, 'StationToCsms' | 'CsmsToStation' | 'Both'>,
): VersionConfig {
  return {
    ...v201,
    directionOf: (a) => directions[a],
    listedActions: () => Object.keys(directions),
  };
}

const empty = { type: 'object', additionalProperties: false, properties: {} };

function model(
  files: Record<string, object>,
  directions: Record<string, 'StationToCsms' | 'CsmsToStation' | 'Both'>,
) {
  return buildModel(config(directions), new Map(Object.entries(files)));
}

describe('buildModel: given schema fragment → want model', () => {
  it('reads a request/response pair into an action with its direction', () => {
    const m = model(
      { 'HeartbeatRequest.json': empty, 'HeartbeatResponse.json': empty },
      { Heartbeat: 'StationToCsms' },
    );
    expect(m.actions).toEqual([
      {
        name: 'Heartbeat',
        direction: 'StationToCsms',
        kind: 'CALL',
        request: 'HeartbeatRequest',
        response: 'HeartbeatResponse',
      },
    ]);
  });

  it.each<[string, object, Def['kind'] | 'prop', unknown]>([
    [
      'string with maxLength',
      { type: 'string', maxLength: 20 },
      'prop',
      { kind: 'string', maxLength: 20 },
    ],
    [
      'date-time',
      { type: 'string', format: 'date-time' },
      'prop',
      { kind: 'string', format: 'date-time' },
    ],
    [
      'bounded integer',
      { type: 'integer', minimum: 0, maximum: 9 },
      'prop',
      { kind: 'integer', minimum: 0, maximum: 9 },
    ],
    [
      'number multipleOf',
      { type: 'number', multipleOf: 0.1 },
      'prop',
      { kind: 'number', multipleOf: 0.1 },
    ],
    ['untyped value', { description: 'anything' }, 'prop', { kind: 'any' }],
    [
      'array of strings',
      { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 4 },
      'prop',
      { kind: 'array', items: { kind: 'string' }, minItems: 1, maxItems: 4 },
    ],
  ])('%s', (_name, fragment, _kind, want) => {
    const m = model(
      {
        'XRequest.json': { type: 'object', properties: { field: fragment }, required: ['field'] },
        'XResponse.json': empty,
      },
      { X: 'Both' },
    );
    const root = m.defs.get('XRequest');
    expect(root?.kind).toBe('object');
    if (root?.kind === 'object')
      expect(root.properties[0]).toMatchObject({ name: 'field', required: true, type: want });
  });

  it('turns $ref definitions into named types and keeps the closedness of objects', () => {
    const m = model(
      {
        'XRequest.json': {
          type: 'object',
          additionalProperties: false,
          definitions: {
            StatusEnumType: {
              type: 'string',
              enum: ['Accepted', 'Rejected'],
              description: 'Status.',
            },
            CustomDataType: {
              type: 'object',
              properties: { vendorId: { type: 'string' } },
              required: ['vendorId'],
            },
          },
          properties: {
            status: { $ref: '#/definitions/StatusEnumType' },
            customData: { $ref: '#/definitions/CustomDataType' },
          },
        },
        'XResponse.json': empty,
      },
      { X: 'CsmsToStation' },
    );
    expect(m.defs.get('StatusEnumType')).toMatchObject({
      kind: 'enum',
      values: ['Accepted', 'Rejected'],
      description: 'Status.',
    });
    expect(m.defs.get('CustomDataType')).toMatchObject({ kind: 'object', closed: false });
    expect(m.defs.get('XRequest')).toMatchObject({ kind: 'object', closed: true });
  });

  it('deduplicates identical definitions across files, ignoring their descriptions', () => {
    const def = (description: string) => ({ type: 'string', enum: ['A', 'B'], description });
    const file = (description: string) => ({
      type: 'object',
      definitions: { AbEnumType: def(description) },
      properties: { ab: { $ref: '#/definitions/AbEnumType' } },
    });
    const m = model({ 'XRequest.json': file('one'), 'XResponse.json': file('two') }, { X: 'Both' });
    expect([...m.defs.keys()].filter((k) => k === 'AbEnumType')).toHaveLength(1);
    const res = m.defs.get('XResponse');
    if (res?.kind === 'object') expect(res.properties[0]?.description).toBe('two');
  });

  it('fails when two copies of one definition differ', () => {
    const file = (values: string[]) => ({
      type: 'object',
      definitions: { AbEnumType: { type: 'string', enum: values } },
      properties: { ab: { $ref: '#/definitions/AbEnumType' } },
    });
    expect(() =>
      model(
        { 'XRequest.json': file(['A', 'B']), 'XResponse.json': file(['A', 'C']) },
        { X: 'Both' },
      ),
    ).toThrow(/two different definitions named AbEnumType/);
  });

  it('fails on a keyword it does not understand instead of ignoring it', () => {
    const bad = { type: 'object', properties: { x: { type: 'string', oneOf: [] } } };
    expect(() => model({ 'XRequest.json': bad, 'XResponse.json': empty }, { X: 'Both' })).toThrow(
      SchemaError,
    );
    expect(() => model({ 'XRequest.json': bad, 'XResponse.json': empty }, { X: 'Both' })).toThrow(
      /unsupported keyword "oneOf"/,
    );
  });

  it('fails on an action without a direction, naming the table to edit', () => {
    expect(() => model({ 'XRequest.json': empty, 'XResponse.json': empty }, {})).toThrow(
      /no direction.*versions\.ts/,
    );
  });

  it('fails on a required property that is not defined', () => {
    const bad = { type: 'object', properties: {}, required: ['ghost'] };
    expect(() => model({ 'XRequest.json': bad, 'XResponse.json': empty }, { X: 'Both' })).toThrow(
      /"ghost"/,
    );
  });

  it('names 1.6 inline types by the spec (OCPP 1.6 §7), qualified names first', () => {
    const files = new Map<string, object>([
      [
        'BootNotificationResponse.json',
        {
          type: 'object',
          properties: { status: { type: 'string', enum: ['Accepted', 'Pending', 'Rejected'] } },
        },
      ],
      ['BootNotification.json', empty],
      ['Authorize.json', { type: 'object', properties: { idTag: { type: 'string' } } }],
      [
        'AuthorizeResponse.json',
        {
          type: 'object',
          properties: {
            idTagInfo: {
              type: 'object',
              properties: { status: { type: 'string', enum: ['Accepted', 'Blocked'] } },
            },
          },
        },
      ],
    ]);
    const cfg: VersionConfig = {
      ...v16,
      directionOf: () => 'StationToCsms',
      listedActions: () => ['Authorize', 'BootNotification'],
    };
    const m = buildModel(cfg, files);
    expect(m.defs.get('RegistrationStatus')?.kind).toBe('enum');
    expect(m.defs.get('IdTagInfo')?.kind).toBe('object');
    expect(m.defs.get('AuthorizationStatus')?.kind).toBe('enum');
  });
});

describe('applyPatch (RFC 6902, used for errata)', () => {
  const doc = { a: { b: ['x', 'y'] }, c: 1 };

  it('applies add, replace, remove, move and copy to a copy', () => {
    const out = applyPatch(doc, [
      { op: 'test', path: '/c', value: 1 },
      { op: 'add', path: '/a/b/-', value: 'z' },
      { op: 'replace', path: '/c', value: 2 },
      { op: 'copy', from: '/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'remove', path: '/a/b/0' },
    ]);
    expect(out).toEqual({ a: { b: ['y', 'z'] }, c: 2, e: 2 });
    expect(doc).toEqual({ a: { b: ['x', 'y'] }, c: 1 });
  });

  it('a failing test operation stops the patch', () => {
    expect(() => applyPatch(doc, [{ op: 'test', path: '/c', value: 5 }])).toThrow(
      /\(test "\/c"\): test failed, found 1/,
    );
  });

  it('a path that does not exist is an error', () => {
    expect(() => applyPatch(doc, [{ op: 'replace', path: '/nope/x', value: 1 }])).toThrow(
      /does not exist/,
    );
  });

  it('a strict add refuses to overwrite, so an erratum notices when OCA ships the fix itself', () => {
    expect(() =>
      applyPatch(doc, [{ op: 'add', path: '/c', value: 3 }], { strictAdd: true }),
    ).toThrow(/already exists/);
    expect(applyPatch(doc, [{ op: 'add', path: '/c', value: 3 }])).toMatchObject({ c: 3 });
  });
});
