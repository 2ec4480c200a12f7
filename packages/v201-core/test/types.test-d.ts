import type { ActionsSentBy } from '@ocpp/runtime';
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  type BootNotificationRequest,
  type BootNotificationRequestSchema,
  BootReasonEnumType,
  type CustomDataType,
  type TransactionEventRequest,
  type TransactionEventRequestSchema,
  type V201Action,
  type V201ActionMap,
  type V201Request,
  type V201Response,
  v201Protocol,
} from '../src/index.js';

describe('OCPP 2.0.1 types', () => {
  it('request and response lookups resolve to the spec-named types', () => {
    expectTypeOf<V201Request<'BootNotification'>>().toEqualTypeOf<BootNotificationRequest>();
    expectTypeOf<V201Response<'Heartbeat'>['currentTime']>().toEqualTypeOf<string>();
  });

  it('zod schemas infer exactly the generated types', () => {
    expectTypeOf<
      z.output<typeof BootNotificationRequestSchema>
    >().toEqualTypeOf<BootNotificationRequest>();
    expectTypeOf<
      z.output<typeof TransactionEventRequestSchema>
    >().toEqualTypeOf<TransactionEventRequest>();
  });

  it('enums are const objects with a same-named union', () => {
    expectTypeOf(BootReasonEnumType.PowerUp).toEqualTypeOf<'PowerUp'>();
    expectTypeOf<BootReasonEnumType>().toExtend<string>();
  });

  it('a wrong field or enum value does not compile', () => {
    const ok: BootNotificationRequest = {
      reason: 'PowerUp',
      chargingStation: { model: 'M', vendorName: 'V' },
    };
    const wrongField: BootNotificationRequest = {
      reason: 'PowerUp',
      // @ts-expect-error serialNo is not a ChargingStationType field (serialNumber is)
      chargingStation: { model: 'M', vendorName: 'V', serialNo: '1' },
    };
    const wrongEnum: BootNotificationRequest = {
      // @ts-expect-error 'Restart' is not a BootReasonEnumType value
      reason: 'Restart',
      chargingStation: { model: 'M', vendorName: 'V' },
    };
    // @ts-expect-error chargingStation is required
    const missing: BootNotificationRequest = { reason: 'PowerUp' };
    expectTypeOf(ok).not.toBeAny();
    void [wrongField, wrongEnum, missing];
  });

  it('customData stays open for vendor keys', () => {
    expectTypeOf<{ vendorId: 'acme'; anything: 1 }>().toExtend<CustomDataType>();
  });

  it('the action map knows directions and the role helpers split them', () => {
    expectTypeOf<V201ActionMap['TransactionEvent']['direction']>().toEqualTypeOf<'StationToCsms'>();
    expectTypeOf<'RequestStartTransaction'>().toExtend<ActionsSentBy<V201ActionMap, 'csms'>>();
    expectTypeOf<'BootNotification'>().not.toExtend<ActionsSentBy<V201ActionMap, 'csms'>>();
    expectTypeOf<'DataTransfer'>().toExtend<ActionsSentBy<V201ActionMap, 'station'>>();
    expectTypeOf<'NotifyPeriodicEventStream'>().not.toExtend<V201Action>();
  });

  it('validate narrows the payload to the action and part', () => {
    const r = v201Protocol.validate('Heartbeat', 'response', {});
    if (r.success) expectTypeOf(r.data).toEqualTypeOf<V201Response<'Heartbeat'>>();
    else
      expectTypeOf(r.errorCode).toExtend<
        'FormatViolation' | 'TypeConstraintViolation' | 'GenericError' | string
      >();
    // @ts-expect-error not an OCPP 2.0.1 action
    v201Protocol.validate('StartTransaction', 'request', {});
  });
});
