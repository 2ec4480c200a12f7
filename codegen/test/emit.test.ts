import { describe, expect, it } from 'vitest';
import { enumMemberName, jsdoc } from '../src/emit/common.js';
import { snakeKey } from '../src/emit/keys.js';
import { zodType } from '../src/emit/schemas.js';
import { constraintText, emitEnum, emitInterface, tsType } from '../src/emit/types.js';
import { emitEnumCheck } from '../src/emit/validators.js';
import type { TypeRef } from '../src/model.js';
import { VERSIONS } from '../src/versions.js';

const v201 = VERSIONS[1]!;

describe('tsType / zodType: given a property type → want TypeScript and zod text', () => {
  it.each<[TypeRef, string, string]>([
    [
      { kind: 'string', maxLength: 20 },
      'string',
      "z.string().refine(maxChars(20), 'must have at most 20 characters')",
    ],
    [{ kind: 'string', format: 'date-time' }, 'string', "z.stringFormat('date-time', isDateTime)"],
    [{ kind: 'string', format: 'uri' }, 'string', "z.stringFormat('uri', isUri)"],
    [{ kind: 'integer', minimum: 0 }, 'number', 'z.int().gte(0)'],
    [{ kind: 'number', multipleOf: 0.1 }, 'number', 'z.number().multipleOf(0.1)'],
    [{ kind: 'boolean' }, 'boolean', 'z.boolean()'],
    [{ kind: 'any' }, 'unknown', 'z.unknown()'],
    [{ kind: 'ref', name: 'IdTokenType' }, 'IdTokenType', 'IdTokenTypeSchema'],
    [
      { kind: 'array', items: { kind: 'ref', name: 'SampledValueType' }, minItems: 1 },
      'SampledValueType[]',
      'z.array(SampledValueTypeSchema).min(1)',
    ],
  ])('%j', (t, ts, zod) => {
    expect(tsType(t)).toBe(ts);
    expect(zodType(t)).toBe(zod);
  });
});

describe('constraintText summarises the schema for hovers', () => {
  it('lists constraints in order', () => {
    expect(
      constraintText({
        kind: 'array',
        items: { kind: 'string', maxLength: 50 },
        minItems: 1,
        maxItems: 2,
      }),
    ).toBe('Schema: at least 1 item, at most 2 items, each item: max length 50.');
    expect(constraintText({ kind: 'boolean' })).toBeUndefined();
  });
});

describe('emitEnum / emitInterface: given a def → want TypeScript', () => {
  it('an enum becomes an `as const` object plus a same-named union type', () => {
    expect(
      emitEnum(v201, {
        kind: 'enum',
        name: 'PhaseEnumType',
        values: ['L1', 'L1-N'],
        description: 'Phase.',
        source: { file: 'MeterValuesRequest.json', pointer: '/definitions/PhaseEnumType' },
      }),
    ).toBe(
      [
        '/**',
        ' * Phase.',
        ' *',
        ' * Source: `specs/ocpp2.0.1/MeterValuesRequest.json#/definitions/PhaseEnumType`',
        ' */',
        'export const PhaseEnumType = {',
        "  L1: 'L1',",
        "  L1_N: 'L1-N',",
        '} as const;',
        '/** Phase. */',
        'export type PhaseEnumType = (typeof PhaseEnumType)[keyof typeof PhaseEnumType];',
        '',
      ].join('\n'),
    );
  });

  it('an open object gets an index signature, optional properties a question mark', () => {
    expect(
      emitInterface(v201, {
        kind: 'object',
        name: 'CustomDataType',
        closed: false,
        properties: [
          { name: 'vendorId', type: { kind: 'string', maxLength: 255 }, required: true },
          { name: 'note', type: { kind: 'string' }, required: false, default: 'x' },
        ],
        source: { file: 'A.json', pointer: '/definitions/CustomDataType' },
      }),
    ).toBe(
      [
        '/** Source: `specs/ocpp2.0.1/A.json#/definitions/CustomDataType` */',
        'export interface CustomDataType {',
        '  /** Schema: max length 255. */',
        '  vendorId: string;',
        '  /** @default "x" */',
        '  note?: string;',
        '  /** Vendor-defined properties (the schema leaves this object open). */',
        '  [key: string]: unknown;',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('identifier helpers', () => {
  it.each([
    ['Accepted', 'Accepted'],
    ['Energy.Active.Import.Register', 'Energy_Active_Import_Register'],
    ['L1-N', 'L1_N'],
    ['ISO15118-20', 'ISO15118_20'],
    ['15118', '_15118'],
  ])('enum member for %s is %s', (value, want) => expect(enumMemberName(value)).toBe(want));

  it.each([
    ['evseId', 'evse_id'],
    ['iso15118CertificateHashData', 'iso15118_certificate_hash_data'],
    ['idTag', 'id_tag'],
    ['data', 'data'],
  ])('snake key of %s is %s', (camel, want) => expect(snakeKey(camel)).toBe(want));

  it('jsdoc escapes a comment terminator inside spec text', () => {
    expect(jsdoc(['a */ b'])).toBe('/** a *\\/ b */\n');
  });
});

describe('emitEnumCheck: given an enum → want its check', () => {
  it('switches on the length, then compares the values of that length, shortest first', () => {
    expect(
      emitEnumCheck({
        kind: 'enum',
        name: 'ReadingContextEnumType',
        values: [
          'Interruption.Begin',
          'Other',
          'Sample.Clock',
          'Sample.Periodic',
          'Trigger',
          "It's",
        ],
        source: { file: 'MeterValuesRequest.json', pointer: '/definitions/ReadingContextEnumType' },
      }),
    ).toBe(
      [
        'function eReadingContextEnumType(x: string): boolean {',
        '  switch (x.length) {',
        '    case 4:',
        "      return x === 'It\\'s';",
        '    case 5:',
        "      return x === 'Other';",
        '    case 7:',
        "      return x === 'Trigger';",
        '    case 12:',
        "      return x === 'Sample.Clock';",
        '    case 15:',
        "      return x === 'Sample.Periodic';",
        '    case 18:',
        "      return x === 'Interruption.Begin';",
        '    default:',
        '      return false;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('keeps values of one length together, in schema order', () => {
    const text = emitEnumCheck({
      kind: 'enum',
      name: 'PhaseEnumType',
      values: ['L1', 'L2', 'L1-N', 'N'],
      source: { file: 'MeterValuesRequest.json', pointer: '/definitions/PhaseEnumType' },
    });
    expect(text).toContain("    case 2:\n      return x === 'L1' || x === 'L2';\n");
    expect(text.indexOf('case 1:')).toBeLessThan(text.indexOf('case 2:'));
  });
});
