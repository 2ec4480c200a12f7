import { describe, expect, it } from 'vitest';
import {
  normalizeErrorCode,
  V2_ERROR_CODES,
  V16_ERROR_CODES,
  violationCode,
} from '../src/error-codes.js';

describe('CALLERROR code tables', () => {
  it('1.6 has the ten codes of OCPP-J 1.6 §4.2.3, with its misspellings', () => {
    expect(Object.keys(V16_ERROR_CODES).sort()).toEqual(
      [
        'FormationViolation',
        'GenericError',
        'InternalError',
        'NotImplemented',
        'NotSupported',
        'OccurenceConstraintViolation',
        'PropertyConstraintViolation',
        'ProtocolError',
        'SecurityError',
        'TypeConstraintViolation',
      ].sort(),
    );
  });

  it('2.x has the twelve codes of Part 4 §4.3', () => {
    expect(Object.keys(V2_ERROR_CODES)).toHaveLength(12);
    expect(V2_ERROR_CODES).toHaveProperty('FormatViolation');
    expect(V2_ERROR_CODES).toHaveProperty('OccurrenceConstraintViolation');
    expect(V2_ERROR_CODES).toHaveProperty('MessageTypeNotSupported');
    expect(V2_ERROR_CODES).toHaveProperty('RpcFrameworkError');
    expect(V2_ERROR_CODES).not.toHaveProperty('FormationViolation');
    expect(V2_ERROR_CODES).not.toHaveProperty('OccurenceConstraintViolation');
  });
});

describe('violationCode', () => {
  it.each([
    ['1.6', 'format', 'FormationViolation'],
    ['1.6', 'occurrence', 'OccurenceConstraintViolation'],
    ['1.6', 'type', 'TypeConstraintViolation'],
    ['1.6', 'property', 'PropertyConstraintViolation'],
    ['2.0.1', 'format', 'FormatViolation'],
    ['2.0.1', 'occurrence', 'OccurrenceConstraintViolation'],
    ['2.1', 'format', 'FormatViolation'],
    ['2.1', 'occurrence', 'OccurrenceConstraintViolation'],
  ] as const)('%s %s → %s', (version, kind, code) => {
    expect(violationCode(version, kind)).toBe(code);
  });
});

describe('normalizeErrorCode accepts both spellings inbound', () => {
  it.each([
    ['1.6', 'FormatViolation', 'FormationViolation'],
    ['1.6', 'OccurrenceConstraintViolation', 'OccurenceConstraintViolation'],
    ['2.0.1', 'FormationViolation', 'FormatViolation'],
    ['2.1', 'OccurenceConstraintViolation', 'OccurrenceConstraintViolation'],
    ['2.0.1', 'NotImplemented', 'NotImplemented'],
  ] as const)('%s: %s → %s', (version, received, expected) => {
    expect(normalizeErrorCode(version, received)).toBe(expected);
  });

  it('returns undefined for a code the version does not define', () => {
    expect(normalizeErrorCode('1.6', 'RpcFrameworkError')).toBeUndefined();
    expect(normalizeErrorCode('2.0.1', 'NoSuchCode')).toBeUndefined();
    expect(normalizeErrorCode('2.0.1', 'toString')).toBeUndefined();
  });
});
