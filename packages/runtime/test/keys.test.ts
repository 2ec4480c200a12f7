import { describe, expect, expectTypeOf, it } from 'vitest';
import { type KeyTable, type SnakeCased, snakeKey, toCamelCase, toSnakeCase } from '../src/keys.js';

const custom: KeyTable = { vendorId: ['vendor_id'] };
const sampled: KeyTable = {
  measurand: ['measurand'],
  unitOfMeasure: ['unit_of_measure'],
  customData: ['custom_data', custom],
};
const root: KeyTable = {
  evseId: ['evse_id'],
  meterValue: ['meter_value', sampled],
  data: ['data'],
  customData: ['custom_data', custom],
};

describe('key mapping', () => {
  const wire = {
    evseId: 1,
    meterValue: [
      {
        measurand: 'Voltage',
        unitOfMeasure: 'V',
        customData: { vendorId: 'acme', acmeSerialNo: 'X1' },
      },
    ],
    data: { keepMe: { camelCase: true } },
    customData: { vendorId: 'acme', someVendorKey: 3 },
  };
  const snake = {
    evse_id: 1,
    meter_value: [
      {
        measurand: 'Voltage',
        unit_of_measure: 'V',
        custom_data: { vendor_id: 'acme', acmeSerialNo: 'X1' },
      },
    ],
    data: { keepMe: { camelCase: true } },
    custom_data: { vendor_id: 'acme', someVendorKey: 3 },
  };

  it('renames known keys, through arrays, and leaves vendor keys and free-form data alone', () => {
    expect(toSnakeCase(root, wire)).toEqual(snake);
  });

  it('round-trips exactly', () => {
    expect(toCamelCase(root, toSnakeCase(root, wire))).toEqual(wire);
    expect(toSnakeCase(root, toCamelCase(root, snake))).toEqual(snake);
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(wire);
    toSnakeCase(root, wire);
    expect(wire).toEqual(copy);
  });

  it('snakeKey matches the SnakeKey type', () => {
    expect(snakeKey('iso15118CertificateHashData')).toBe('iso15118_certificate_hash_data');
    expectTypeOf<
      SnakeCased<{ iso15118CertificateHashData: { evseId: number }[] }>
    >().toEqualTypeOf<{
      iso15118_certificate_hash_data: { evse_id: number }[];
    }>();
  });
});
