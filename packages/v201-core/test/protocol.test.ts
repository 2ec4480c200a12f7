import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BootNotificationRequestSchema,
  v201Actions,
  v201Protocol,
  v201Schemas,
} from '../src/index.js';

/** The actions specs/ holds for a version: one per request (or SEND) schema file. */
function specActions(version: string): string[] {
  const dir = fileURLToPath(new URL(`../../../specs/${version}/`, import.meta.url));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('Response.json'))
    .map((f) => f.replace(/(Request)?\.json$/, ''))
    .sort();
}

const boot = {
  reason: 'PowerUp',
  chargingStation: { model: 'Wallbox X', vendorName: 'Acme', serialNumber: 'S-1' },
};

describe('OCPP 2.0.1 protocol descriptor', () => {
  it('declares subprotocol, version and the 12 error codes', () => {
    expect(v201Protocol.subprotocol).toBe('ocpp2.0.1');
    expect(v201Protocol.version).toBe('2.0.1');
    expect(Object.keys(v201Protocol.errorCodes)).toHaveLength(12);
  });

  it('holds every action specs/ has for OCPP 2.0.1, each with a direction', () => {
    const all = Object.values(v201Actions);
    expect(Object.keys(v201Actions).sort()).toEqual(specActions('ocpp2.0.1'));
    const count = (d: string) => all.filter((a) => a.direction === d).length;
    expect(count('StationToCsms') + count('CsmsToStation') + count('Both')).toBe(all.length);
    expect(count('Both')).toBe(1); // DataTransfer
    expect(all.every((a) => a.kind === 'CALL' && a.response !== undefined)).toBe(true);
    expect(v201Actions.TransactionEvent.direction).toBe('StationToCsms');
    expect(v201Actions.RequestStartTransaction.direction).toBe('CsmsToStation');
  });

  it('every registry entry names its messages and carries validator, key table and zod schema', () => {
    for (const [name, a] of Object.entries(v201Actions)) {
      expect(a.name).toBe(name);
      expect(a.request.name).toBe(`${name}Request`);
      expect(a.response?.name).toBe(`${name}Response`);
      expect(a.request.schema).toBe(v201Schemas[name as keyof typeof v201Schemas].request);
    }
    expect(v201Actions.BootNotification.request.schema).toBe(BootNotificationRequestSchema);
  });

  it('validate returns the data on success and the 2.x-spelled code on failure', () => {
    expect(v201Protocol.validate('BootNotification', 'request', boot)).toEqual({
      success: true,
      data: boot,
    });
    expect(v201Protocol.validate('BootNotification', 'request', { reason: 'PowerUp' })).toEqual({
      success: false,
      errorCode: 'OccurrenceConstraintViolation',
      issues: [
        {
          path: '/chargingStation',
          keyword: 'required',
          kind: 'occurrence',
          message: 'required property is missing',
        },
      ],
    });
    const extra = v201Protocol.validate('BootNotification', 'request', { ...boot, extra: 1 });
    expect(extra).toMatchObject({
      success: false,
      errorCode: 'FormatViolation',
      issues: [{ path: '/extra' }],
    });
    const nested = v201Protocol.validate('BootNotification', 'request', {
      ...boot,
      chargingStation: { ...boot.chargingStation, model: 'M'.repeat(21) },
    });
    expect(nested).toMatchObject({
      success: false,
      errorCode: 'PropertyConstraintViolation',
      issues: [{ path: '/chargingStation/model', keyword: 'maxLength' }],
    });
  });

  it('isAction tells actions of this version apart', () => {
    expect(v201Protocol.isAction('TransactionEvent')).toBe(true);
    expect(v201Protocol.isAction('StartTransaction')).toBe(false);
    expect(v201Protocol.isAction('__proto__')).toBe(false);
  });

  it('an unknown action is a typed SDK error, not a silent pass', () => {
    expect(() => v201Protocol.validate('NoSuchAction' as 'Heartbeat', 'request', {})).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_ACTION' }),
    );
  });

  it('maps keys to snake_case and back', () => {
    const snake = v201Protocol.toSnakeCase('BootNotification', 'request', boot);
    expect(snake).toEqual({
      reason: 'PowerUp',
      charging_station: { model: 'Wallbox X', vendor_name: 'Acme', serial_number: 'S-1' },
    });
    expect(v201Protocol.toCamelCase('BootNotification', 'request', snake)).toEqual(boot);
  });
});
