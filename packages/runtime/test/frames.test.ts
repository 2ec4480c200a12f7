import { describe, expect, it } from 'vitest';
import type { FrameRefusal } from '../src/frames.js';
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

describe('readFrame is total: nesting, odd values at every position', () => {
  const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const versions: OcppVersion[] = ['1.6', '2.0.1', '2.1'];

  it.each(versions)('%s: a frame that is only nesting, up to 1,000,000 levels', (version) => {
    for (const n of [65, 5_000, 1_000_000]) {
      for (const text of [deepArray(n), deepObject(n)]) {
        const read = readFrame(text, version);
        expect(Array.isArray(read)).toBe(false);
        const reply = (read as { reply?: { id: string; code: string } }).reply;
        expect(reply).toEqual(
          version === '1.6'
            ? undefined
            : expect.objectContaining({ id: '-1', code: 'RpcFrameworkError' }),
        );
      }
    }
  });

  it.each(versions)(
    '%s: nesting as the message type, the id, the action and the payload',
    (version) => {
      const deep = deepArray(10_000);
      const v2 = version !== '1.6';
      // No id to answer: the frame as a whole is unreadable.
      for (const text of [`[${deep},"a1","Heartbeat",{}]`, `[2,${deep},"Heartbeat",{}]`]) {
        const read = readFrame(text, version) as { ok: false; reply?: { id: string } };
        expect(read.ok).toBe(false);
        expect(read.reply?.id).toBe(v2 ? '-1' : undefined);
      }
      // The id can be read: the CALL is answered with it.
      for (const text of [`[2,"a1",${deep},{}]`, `[2,"a1","Heartbeat",{"x":${deep}}]`]) {
        const read = readFrame(text, version) as { reply?: { id: string; code: string } };
        expect(read.reply).toEqual(
          expect.objectContaining({
            id: 'a1',
            code: v2 ? 'FormatViolation' : 'FormationViolation',
          }),
        );
      }
    },
  );

  it('a too-deep reply names its id, so the pending call can fail at once', () => {
    const deep = deepObject(100);
    expect(readFrame(`[3,"r1",${deep}]`, '2.0.1')).toEqual(
      expect.objectContaining({ ok: false, answers: { type: 3, id: 'r1' } }),
    );
    expect(readFrame(`[4,"r2","GenericError","",${deep}]`, '1.6')).toEqual(
      expect.objectContaining({ ok: false, answers: { type: 4, id: 'r2' } }),
    );
    expect(readFrame(`[5,"r3","GenericError","",${deep}]`, '2.1')).toEqual(
      expect.objectContaining({ ok: false, answers: { type: 5, id: 'r3' } }),
    );
    // 5 is no message type of 2.0.1: refused as such, with its id.
    expect(readFrame(`[5,"r3","GenericError","",${deep}]`, '2.0.1')).toEqual(
      expect.objectContaining({
        reply: expect.objectContaining({ id: 'r3', code: 'MessageTypeNotSupported' }),
      }),
    );
  });

  it('brackets inside strings, escaped quotes and backslashes do not count as nesting', () => {
    const data = JSON.stringify(`${'['.repeat(500)}\\"${'{'.repeat(500)}\\\\`);
    const text = `[2,"a1","DataTransfer",{"vendorId":"v","data":${data}}]`;
    expect(Array.isArray(readFrame(text, '2.0.1'))).toBe(true);
    expect(Array.isArray(readFrame(text, '1.6', 2))).toBe(true);
    expect(Array.isArray(readFrame(text, '1.6', 1))).toBe(false);
  });

  it('the limit is the frame depth: at the limit accepted, one more refused', () => {
    // The frame array is level 1, so 63 more levels fit the default of 64.
    const at = `[2,"a1","DataTransfer",{"vendorId":"v","data":${deepArray(62)}}]`;
    const over = `[2,"a1","DataTransfer",{"vendorId":"v","data":${deepArray(63)}}]`;
    expect(Array.isArray(readFrame(at, '2.1'))).toBe(true);
    expect(readFrame(over, '2.1')).toEqual(
      expect.objectContaining({
        reply: expect.objectContaining({ id: 'a1', code: 'FormatViolation' }),
      }),
    );
  });

  it.each(versions)(
    '%s: any value as message type gives a bounded reason, never a throw',
    (version) => {
      const odd = [
        '1e400',
        '-0',
        '"x"',
        `"${'y'.repeat(100_000)}"`,
        'true',
        'null',
        '{}',
        '[1]',
        '2.5',
        '7',
      ];
      for (const type of odd) {
        const read = readFrame(`[${type},"a1","Heartbeat",{}]`, version) as {
          ok: false;
          reason: string;
          reply?: { description: string };
        };
        expect(read.ok).toBe(false);
        expect(read.reason.length).toBeLessThan(120);
        if (read.reply !== undefined) expect(read.reply.description.length).toBeLessThan(120);
      }
    },
  );
});

describe('over-long message ids: echoed up to 80 characters, never beyond', () => {
  const versions: OcppVersion[] = ['1.6', '2.0.1', '2.1'];
  const huge = 'x'.repeat(900_000);

  it.each(versions)(
    '%s: a CALL with a 900 KB id is answered as one without a readable id',
    (version) => {
      const read = readFrame(`[2,"${huge}","Heartbeat",{}]`, version) as FrameRefusal;
      expect(read.ok).toBe(false);
      expect(read.reply).toEqual(
        version === '1.6'
          ? undefined
          : expect.objectContaining({ id: '-1', code: 'RpcFrameworkError' }),
      );
      expect(read.reason.length).toBeLessThan(120);
    },
  );

  it('2.0.1: an unknown message type with a 900 KB id is answered with id "-1"', () => {
    const read = readFrame(`[7,"${huge}","Heartbeat",{}]`, '2.0.1') as FrameRefusal;
    expect(read.reply).toEqual(
      expect.objectContaining({ id: '-1', code: 'MessageTypeNotSupported' }),
    );
  });

  it('an id of 80 characters is echoed in the answer, one of 81 is not', () => {
    const at = 'y'.repeat(80);
    expect((readFrame(`[2,"${at}","Heartbeat",{}]`, '1.6') as FrameRefusal).reply).toEqual(
      expect.objectContaining({ id: at, code: 'ProtocolError' }),
    );
    expect((readFrame(`[2,"${at}z","Heartbeat",{}]`, '2.1') as FrameRefusal).reply).toEqual(
      expect.objectContaining({ id: '-1', code: 'RpcFrameworkError' }),
    );
  });

  // A frame too deep to parse is judged by its head exactly as a shallow one with the same head.
  const deepPayload = `{"x":${'['.repeat(100)}${']'.repeat(100)}}`;
  const ids = [37, 80, 81, 480, 900_000].map((n) => 'i'.repeat(n));
  const heads = [
    (id: string) => `2,"${id}","Heartbeat"`,
    (id: string) => `3,"${id}"`,
    (id: string) => `4,"${id}","GenericError",""`,
    (id: string) => `5,"${id}","GenericError",""`,
    (id: string) => `6,"${id}","NotifyPeriodicEventStream"`,
    (id: string) => `7,"${id}","Heartbeat"`,
  ];
  it.each(versions)(
    "%s: a too-deep frame with an over-long id gets the shallow frame's answer",
    (version) => {
      for (const id of [...ids, 'a\\u0041'.padEnd(50, 'b')]) {
        for (const head of heads) {
          const shallow = readFrame(`[${head(id)},{}]`, version) as FrameRefusal;
          const deep = readFrame(`[${head(id)},${deepPayload}]`, version) as FrameRefusal;
          expect(shallow.ok, head(id).slice(0, 60)).toBe(false);
          const answer = (r: FrameRefusal) =>
            r.reply === undefined ? undefined : { id: r.reply.id, code: r.reply.code };
          expect(answer(deep), `${version} ${head(id).slice(0, 60)}`).toEqual(answer(shallow));
          expect(deep.answers).toBeUndefined();
        }
      }
    },
  );
});
