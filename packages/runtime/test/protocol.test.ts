import { describe, expect, it } from 'vitest';
import { isOcppSdkError } from '../src/errors.js';
import { type ActionRegistry, defineProtocol, type MessageDescriptor } from '../src/protocol.js';
import { at, issueRequired, issueType, type RawIssue } from '../src/validation.js';

interface TestMap {
  Ping: { request: { n: number }; response: object; direction: 'StationToCsms'; kind: 'CALL' };
  Push: { request: object; response: never; direction: 'StationToCsms'; kind: 'SEND' };
}

function message(name: string, validate: (value: unknown) => RawIssue | null): MessageDescriptor {
  return { name, validate, keys: {}, schema: undefined };
}

const validatePing = (value: unknown): RawIssue | null => {
  if (typeof value !== 'object' || value === null) return issueType(value, 'object');
  const n = (value as { n?: unknown }).n;
  if (n === undefined) return issueRequired('n');
  return typeof n === 'number' ? null : at(issueType(n, 'number'), 'n');
};

const actions: ActionRegistry<TestMap> = {
  Ping: {
    name: 'Ping',
    direction: 'StationToCsms',
    kind: 'CALL',
    request: message('PingRequest', validatePing),
    response: message('PingResponse', () => null),
  },
  Push: {
    name: 'Push',
    direction: 'StationToCsms',
    kind: 'SEND',
    request: message('PushRequest', () => null),
    response: undefined,
  },
};

describe('Protocol.check', () => {
  const v16 = defineProtocol('1.6', actions);
  const v201 = defineProtocol('2.0.1', actions);

  it('returns undefined for a valid payload', () => {
    expect(v201.check('Ping', 'request', { n: 1 })).toBeUndefined();
    expect(v201.check('Ping', 'response', {})).toBeUndefined();
  });

  it('returns the failure with the version-spelled code and the issue', () => {
    expect(v201.check('Ping', 'request', {})).toEqual({
      success: false,
      errorCode: 'OccurrenceConstraintViolation',
      issues: [
        {
          path: '/n',
          message: 'required property is missing',
          keyword: 'required',
          kind: 'occurrence',
        },
      ],
    });
    expect(v16.check('Ping', 'request', {})?.errorCode).toBe('OccurenceConstraintViolation');
    expect(v16.check('Ping', 'request', null)?.errorCode).toBe('FormationViolation');
    expect(v201.check('Ping', 'request', { n: 'x' })).toMatchObject({
      errorCode: 'TypeConstraintViolation',
      issues: [{ path: '/n', keyword: 'type' }],
    });
  });

  it('is what validate returns on failure, and validate returns the data otherwise', () => {
    for (const payload of [{}, { n: 'x' }, null, { n: 2 }]) {
      const failure = v201.check('Ping', 'request', payload);
      const result = v201.validate('Ping', 'request', payload);
      expect(result).toEqual(failure ?? { success: true, data: payload });
    }
  });

  it('throws UNKNOWN_ACTION for an unknown action and for the response of a SEND', () => {
    for (const call of [
      () => v201.check('Nope', 'request', {}),
      () => v201.check('Push', 'response', {}),
    ]) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(isOcppSdkError(error) && error.code).toBe('UNKNOWN_ACTION');
    }
  });
});

describe('Protocol.check finds actions as isAction does', () => {
  const v201 = defineProtocol('2.0.1', actions);

  it('treats names of Object.prototype members as unknown actions, before and after a first lookup', () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'ping'];
    for (const round of [0, 1]) {
      if (round === 1) expect(v201.check('Ping', 'request', { n: 1 })).toBeUndefined();
      for (const name of names) {
        expect(v201.isAction(name)).toBe(false);
        let error: unknown;
        try {
          v201.check(name, 'request', {});
        } catch (e) {
          error = e;
        }
        expect(isOcppSdkError(error) && error.code).toBe('UNKNOWN_ACTION');
      }
    }
  });

  it('gives the verdict of the message validator itself, for every part of every action', () => {
    const payloads: unknown[] = [{}, { n: 1 }, { n: '1' }, null, [], 'x'];
    for (const [name, entry] of Object.entries(actions) as [string, (typeof actions)['Ping']][]) {
      for (const part of ['request', 'response'] as const) {
        const message = entry[part];
        if (message === undefined) continue;
        for (const payload of payloads) {
          const raw = message.validate(payload);
          expect(v201.check(name, part, payload) === undefined).toBe(raw === null);
        }
      }
    }
  });
});
