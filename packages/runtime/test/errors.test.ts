import { describe, expect, it } from 'vitest';
import { isOcppCallError, isOcppSdkError, OcppCallError, OcppSdkError } from '../src/errors.js';

describe('error families', () => {
  it('OcppCallError carries the wire fields', () => {
    const e = new OcppCallError('NotSupported', 'no handler', { action: 'Reset' });
    expect(e).toMatchObject({
      code: 'NotSupported',
      description: 'no handler',
      details: { action: 'Reset' },
    });
    expect(e.message).toBe('NotSupported: no handler');
    expect(new OcppCallError('GenericError').details).toEqual({});
  });

  it('guards do not rely on instanceof', () => {
    const call = new OcppCallError('InternalError');
    const sdk = new OcppSdkError('TIMEOUT', 'no reply in 30 s');
    const foreign = Object.assign(Object.create(null), {
      [Symbol.for('@ocpp/runtime.OcppSdkError')]: true,
    });
    expect(isOcppCallError(call)).toBe(true);
    expect(isOcppCallError(sdk)).toBe(false);
    expect(isOcppSdkError(sdk)).toBe(true);
    expect(isOcppSdkError(foreign)).toBe(true);
    expect(isOcppSdkError(new Error('x'))).toBe(false);
    expect(isOcppCallError(null)).toBe(false);
  });

  it('OcppSdkError keeps its cause', () => {
    const cause = new Error('socket hang up');
    expect(new OcppSdkError('CONNECTION_CLOSED', 'closed', { cause }).cause).toBe(cause);
  });
});
