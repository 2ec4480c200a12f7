import type { ActionsSentBy } from '@ocpp/runtime';
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  NotifyPeriodicEventStream,
  NotifyPeriodicEventStreamSchema,
  V21ActionMap,
  V21Request,
  V21Response,
} from '../src/index.js';

describe('OCPP 2.1 types', () => {
  it('the SEND action has a request type and no response', () => {
    expectTypeOf<
      V21Request<'NotifyPeriodicEventStream'>
    >().toEqualTypeOf<NotifyPeriodicEventStream>();
    expectTypeOf<V21Response<'NotifyPeriodicEventStream'>>().toBeNever();
    expectTypeOf<V21ActionMap['NotifyPeriodicEventStream']['kind']>().toEqualTypeOf<'SEND'>();
    expectTypeOf<
      z.output<typeof NotifyPeriodicEventStreamSchema>
    >().toEqualTypeOf<NotifyPeriodicEventStream>();
  });

  it('role helpers include the 2.1 actions on the right side', () => {
    expectTypeOf<'SetDefaultTariff'>().toExtend<ActionsSentBy<V21ActionMap, 'csms'>>();
    expectTypeOf<'SetDefaultTariff'>().not.toExtend<ActionsSentBy<V21ActionMap, 'station'>>();
    expectTypeOf<'NotifyPeriodicEventStream'>().toExtend<ActionsSentBy<V21ActionMap, 'station'>>();
  });

  it('a wrong payload does not compile', () => {
    const bad: NotifyPeriodicEventStream = {
      id: 1,
      pending: 0,
      basetime: 'x',
      // @ts-expect-error t is a number offset from basetime, not a timestamp
      data: [{ t: 'now', v: '1' }],
    };
    void bad;
  });
});
