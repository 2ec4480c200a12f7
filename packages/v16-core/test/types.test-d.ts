import type { ActionsSentBy, SnakeCased } from '@ocpp/runtime';
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  ChargePointStatus,
  IdTagInfo,
  MeterValuesRequest,
  MeterValuesRequestSchema,
  StartTransactionRequest,
  StatusNotificationRequest,
  V16ActionMap,
  V16Response,
} from '../src/index.js';

describe('OCPP 1.6 types', () => {
  it('inline 1.6 types get the spec names', () => {
    expectTypeOf<V16Response<'StartTransaction'>['idTagInfo']>().toEqualTypeOf<IdTagInfo>();
    expectTypeOf<StatusNotificationRequest['status']>().toEqualTypeOf<ChargePointStatus>();
    expectTypeOf<z.output<typeof MeterValuesRequestSchema>>().toEqualTypeOf<MeterValuesRequest>();
  });

  it('a station may not send CSMS-initiated actions and vice versa', () => {
    expectTypeOf<'RemoteStartTransaction'>().not.toExtend<ActionsSentBy<V16ActionMap, 'station'>>();
    expectTypeOf<'RemoteStartTransaction'>().toExtend<ActionsSentBy<V16ActionMap, 'csms'>>();
    expectTypeOf<'StartTransaction'>().not.toExtend<ActionsSentBy<V16ActionMap, 'csms'>>();
  });

  it('snake_case types follow the key tables', () => {
    expectTypeOf<SnakeCased<StartTransactionRequest>>().toEqualTypeOf<{
      connector_id: number;
      id_tag: string;
      meter_start: number;
      reservation_id?: number;
      timestamp: string;
    }>();
  });

  it('wrong payloads do not compile', () => {
    const s: StatusNotificationRequest = {
      connectorId: 1,
      errorCode: 'NoError',
      // @ts-expect-error 'Charging2' is not a ChargePointStatus
      status: 'Charging2',
    };
    // @ts-expect-error idTag is a string
    const t: StartTransactionRequest = { connectorId: 1, idTag: 7, meterStart: 0, timestamp: '' };
    void [s, t];
  });
});
