import { describe, expect, it } from 'vitest';
import {
  parseFrame,
  randomMessageId,
  readFrame,
  serializeCall,
  serializeCallError,
  serializeCallResult,
  serializeSend,
} from '../src/frames.js';
import type { OcppVersion } from '../src/versions.js';

const long = 'x'.repeat(37);

describe('parseFrame: valid frames of every type', () => {
  it.each<[OcppVersion, string, unknown]>([
    ['1.6', '[2,"a1","Heartbeat",{}]', { type: 2, id: 'a1', action: 'Heartbeat', payload: {} }],
    ['2.0.1', '[3,"a1",{"currentTime":"x"}]', { type: 3, id: 'a1', payload: { currentTime: 'x' } }],
    [
      '2.0.1',
      '[4,"a1","NotSupported","no",{"k":1}]',
      { type: 4, id: 'a1', code: 'NotSupported', description: 'no', details: { k: 1 } },
    ],
    [
      '1.6',
      '[4,"a1","GenericError"]',
      { type: 4, id: 'a1', code: 'GenericError', description: '', details: {} },
    ],
    [
      '2.1',
      '[5,"a1","FormatViolation","bad",{}]',
      { type: 5, id: 'a1', code: 'FormatViolation', description: 'bad', details: {} },
    ],
    [
      '2.1',
      '[6,"a1","NotifyPeriodicEventStream",{}]',
      { type: 6, id: 'a1', action: 'NotifyPeriodicEventStream', payload: {} },
    ],
    ['1.6', '[2,"a1","Heartbeat",null]', { type: 2, id: 'a1', action: 'Heartbeat', payload: null }],
  ])('%s %s', (version, text, frame) => {
    expect(parseFrame(text, version)).toEqual({ ok: true, frame });
  });
});

describe('parseFrame: refused frames get the spec answer for the version', () => {
  it.each<[string, OcppVersion, string, { id: string; code: string } | undefined]>([
    [
      'invalid JSON, 2.x: RpcFrameworkError with id -1',
      '2.0.1',
      '[2,"a1",',
      { id: '-1', code: 'RpcFrameworkError' },
    ],
    ['invalid JSON, 1.6: nothing to correlate, dropped', '1.6', '[2,"a1",', undefined],
    ['not an array', '2.1', '{"a":1}', { id: '-1', code: 'RpcFrameworkError' }],
    ['id missing', '2.0.1', '[2]', { id: '-1', code: 'RpcFrameworkError' }],
    ['id not a string', '2.1', '[2,17,"Heartbeat",{}]', { id: '-1', code: 'RpcFrameworkError' }],
    ['id not a string, 1.6: dropped', '1.6', '[2,17,"Heartbeat",{}]', undefined],
    [
      'unknown message type on 2.0.1',
      '2.0.1',
      '[7,"a1","X",{}]',
      { id: 'a1', code: 'MessageTypeNotSupported' },
    ],
    [
      'SEND on 2.0.1 is an unknown type',
      '2.0.1',
      '[6,"a1","X",{}]',
      { id: 'a1', code: 'MessageTypeNotSupported' },
    ],
    ['unknown message type on 1.6: ignored', '1.6', '[7,"a1","X",{}]', undefined],
    ['unknown message type on 2.1: ignored', '2.1', '[9,"a1","X",{}]', undefined],
    ['CALLRESULTERROR on 1.6: ignored', '1.6', '[5,"a1","X","",{}]', undefined],
    [
      'id over 36 characters, 1.6',
      '1.6',
      `[2,"${long}","Heartbeat",{}]`,
      { id: long, code: 'ProtocolError' },
    ],
    [
      'id over 36 characters, 2.x',
      '2.0.1',
      `[2,"${long}","Heartbeat",{}]`,
      { id: long, code: 'RpcFrameworkError' },
    ],
    [
      'CALL without payload, 1.6',
      '1.6',
      '[2,"a1","Heartbeat"]',
      { id: 'a1', code: 'FormationViolation' },
    ],
    [
      'CALL with a numeric action, 2.x',
      '2.1',
      '[2,"a1",5,{}]',
      { id: 'a1', code: 'RpcFrameworkError' },
    ],
    ['malformed CALLRESULT is never answered', '2.0.1', '[3,"a1"]', undefined],
    ['malformed CALLERROR is never answered', '2.0.1', '[4,"a1",7,"x",{}]', undefined],
    ['malformed SEND is never answered', '2.1', '[6,"a1",{}]', undefined],
  ])('%s', (_name, version, text, reply) => {
    const r = parseFrame(text, version);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).not.toBe('');
      if (reply === undefined) expect(r.reply).toBeUndefined();
      else expect(r.reply).toMatchObject(reply);
    }
  });
});

describe('serialisation', () => {
  it('writes each frame type as OCPP-J arrays', () => {
    expect(serializeCall('a', 'Heartbeat', {})).toBe('[2,"a","Heartbeat",{}]');
    expect(serializeCallResult('a', { x: 1 })).toBe('[3,"a",{"x":1}]');
    expect(serializeCallError('a', 'NotImplemented')).toBe('[4,"a","NotImplemented","",{}]');
    expect(serializeSend('a', 'NotifyPeriodicEventStream', {})).toBe(
      '[6,"a","NotifyPeriodicEventStream",{}]',
    );
  });

  it('cuts an errorDescription to 255 characters', () => {
    const text = serializeCallError('a', 'InternalError', 'e'.repeat(300));
    expect((JSON.parse(text) as unknown[])[3]).toHaveLength(255);
  });

  it('default message ids are unique UUIDs of 36 characters', () => {
    const ids = new Set(Array.from({ length: 1000 }, randomMessageId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('parseFrame and serialisation edge cases found by fuzzing', () => {
  it.each<[OcppVersion, string, { code: string } | undefined]>([
    ['2.0.1', '[3]', undefined],
    ['2.0.1', '[4]', undefined],
    ['2.1', '[5]', undefined],
    ['2.1', '[7]', undefined],
    ['2.0.1', '[7]', { code: 'MessageTypeNotSupported' }],
    ['2.0.1', '[2]', { code: 'RpcFrameworkError' }],
  ])('%s %s: the message type is read before the id', (version, text, reply) => {
    const r = parseFrame(text, version);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reply).toEqual(
        reply === undefined ? undefined : expect.objectContaining({ id: '-1', ...reply }),
      );
  });

  it('a SEND with an over-long id is dropped without an answer', () => {
    const r = parseFrame(`[6,"${'x'.repeat(37)}","NotifyPeriodicEventStream",{}]`, '2.1');
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.reply).toBeUndefined();
  });

  it('cutting a description never splits a character and fixes lone surrogates', () => {
    const text = serializeCallError('a', 'NotImplemented', `x${'💥'.repeat(300)}`);
    const description = (JSON.parse(text) as string[])[3]!;
    expect([...description]).toHaveLength(255);
    expect(/[\ud800-\udfff]/.test(description.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))).toBe(
      false,
    );
    const lone = (JSON.parse(serializeCallError('a', 'X', 'a\ud83db')) as string[])[3]!;
    expect(lone).toBe('a\ufffdb');
  });
});

describe('readFrame', () => {
  it('returns the parsed array itself for CALL, CALLRESULT and SEND', () => {
    expect(readFrame('[2,"a1","Heartbeat",{}]', '1.6')).toEqual([2, 'a1', 'Heartbeat', {}]);
    expect(readFrame('[3,"a1",{"x":1}]', '2.0.1')).toEqual([3, 'a1', { x: 1 }]);
    expect(readFrame('[6,"a1","NotifyPeriodicEventStream",{}]', '2.1')).toEqual([
      6,
      'a1',
      'NotifyPeriodicEventStream',
      {},
    ]);
  });

  it('fills in the description and details of a short CALLERROR', () => {
    expect(readFrame('[4,"a1","GenericError"]', '1.6')).toEqual([4, 'a1', 'GenericError', '', {}]);
  });

  it.each<[OcppVersion, string]>([
    ['2.0.1', '[2,"a1",'],
    ['1.6', '{"a":1}'],
    ['2.0.1', '[7,"a1","X",{}]'],
    ['2.0.1', `[2,"${long}","Heartbeat",{}]`],
    ['1.6', '[2,"a1","Heartbeat"]'],
    ['2.1', '[6,"a1",{}]'],
  ])('%s %s: refuses exactly as parseFrame does', (version, text) => {
    const read = readFrame(text, version);
    expect(Array.isArray(read)).toBe(false);
    expect(read).toEqual(parseFrame(text, version));
  });
});
