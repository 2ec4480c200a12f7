/**
 * Realistic hot-path payloads shared by the benchmarks: a 1.6 `MeterValues` request and a 2.x
 * `TransactionEvent` request, each with ten sampled values, and the boot requests a station sends
 * first.
 */

const MEASURANDS = [
  ['Energy.Active.Import.Register', 'Wh', undefined],
  ['Power.Active.Import', 'W', undefined],
  ['Current.Import', 'A', 'L1'],
  ['Current.Import', 'A', 'L2'],
  ['Current.Import', 'A', 'L3'],
  ['Voltage', 'V', 'L1-N'],
  ['Voltage', 'V', 'L2-N'],
  ['Voltage', 'V', 'L3-N'],
  ['SoC', 'Percent', undefined],
  ['Temperature', 'Celsius', undefined],
] as const;

/** A 1.6 `MeterValues.req` with ten sampled values of one meter reading. */
export function meterValues16() {
  return {
    connectorId: 1,
    transactionId: 184467,
    meterValue: [
      {
        timestamp: '2025-03-14T09:26:53.589Z',
        sampledValue: MEASURANDS.map(([measurand, unit, phase], i) => ({
          value: (1234.5 + i * 17).toFixed(1),
          context: 'Sample.Periodic',
          format: 'Raw',
          measurand,
          ...(phase !== undefined && { phase }),
          location: measurand === 'Temperature' ? 'Body' : 'Outlet',
          unit,
        })),
      },
    ],
  };
}

/** A 2.0.1 / 2.1 `TransactionEventRequest` (`Updated`, periodic meter values) with ten sampled values. */
export function transactionEvent2() {
  return {
    eventType: 'Updated',
    timestamp: '2025-03-14T09:26:53.589Z',
    triggerReason: 'MeterValuePeriodic',
    seqNo: 12,
    transactionInfo: {
      transactionId: 'f3b1c2d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
      chargingState: 'Charging',
    },
    evse: { id: 1, connectorId: 1 },
    meterValue: [
      {
        timestamp: '2025-03-14T09:26:53.589Z',
        sampledValue: MEASURANDS.map(([m, u, phase], i) => {
          // 2.x has no Temperature measurand; Frequency takes its place.
          const [measurand, unit] = m === 'Temperature' ? ['Frequency', 'Hz'] : [m, u];
          return {
            value: 1234.5 + i * 17,
            context: 'Sample.Periodic',
            measurand,
            ...(phase !== undefined && { phase }),
            location: 'Outlet',
            unitOfMeasure: { unit, multiplier: 0 },
          };
        }),
      },
    ],
  };
}

/** A 1.6 `BootNotification.req`. */
export function bootNotification16() {
  return {
    chargePointVendor: 'Acme',
    chargePointModel: 'Bench-22',
    chargePointSerialNumber: 'SN-000184467',
    firmwareVersion: '1.4.2',
  };
}

/** A 2.0.1 / 2.1 `BootNotificationRequest`. */
export function bootNotification2() {
  return {
    reason: 'PowerUp',
    chargingStation: {
      model: 'Bench-22',
      vendorName: 'Acme',
      serialNumber: 'SN-000184467',
      firmwareVersion: '1.4.2',
    },
  };
}
