import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnitOfMeasure, v16Actions, v16Protocol } from '../src/index.js';

/** The actions specs/ holds for a version: one per request (or SEND) schema file. */
function specActions(version: string): string[] {
  const dir = fileURLToPath(new URL(`../../../specs/${version}/`, import.meta.url));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('Response.json'))
    .map((f) => f.replace(/(Request)?\.json$/, ''))
    .sort();
}

describe('OCPP 1.6 protocol descriptor', () => {
  it('declares subprotocol, version and the 10 error codes with the 1.6 spellings', () => {
    expect(v16Protocol.subprotocol).toBe('ocpp1.6');
    expect(Object.keys(v16Protocol.errorCodes)).toHaveLength(10);
    expect(v16Protocol.errorCodes).toHaveProperty('FormationViolation');
    expect(v16Protocol.errorCodes).toHaveProperty('OccurenceConstraintViolation');
  });

  it('holds every action specs/ has (OCPP-J 1.6 and the security whitepaper), each with a direction', () => {
    const all = Object.values(v16Actions);
    expect(Object.keys(v16Actions).sort()).toEqual(specActions('ocpp1.6'));
    const count = (d: string) => all.filter((a) => a.direction === d).length;
    expect(count('StationToCsms') + count('CsmsToStation') + count('Both')).toBe(all.length);
    expect(count('Both')).toBe(1); // DataTransfer
    expect(v16Actions.SignedUpdateFirmware.direction).toBe('CsmsToStation');
    expect(v16Actions.SecurityEventNotification.direction).toBe('StationToCsms');
  });

  it('uses the 1.6 message names for both parts', () => {
    expect(v16Actions.Authorize.request.name).toBe('AuthorizeRequest');
    expect(v16Actions.Authorize.response.name).toBe('AuthorizeResponse');
  });

  it('applies the schema errata', () => {
    // Erratum: "Celsius" added next to the misspelt "Celcius", which chargers still send.
    expect(UnitOfMeasure.Celsius).toBe('Celsius');
    expect(UnitOfMeasure.Celcius).toBe('Celcius');
    // Erratum: BootNotificationResponse.interval is an integer.
    expect(
      v16Protocol.validate('BootNotification', 'response', {
        status: 'Accepted',
        currentTime: '2025-01-01T00:00:00Z',
        interval: 1.5,
      }),
    ).toMatchObject({
      success: false,
      errorCode: 'TypeConstraintViolation',
      issues: [{ path: '/interval' }],
    });
    // Erratum: SendLocalList idTagInfo carries expiryDate and parentIdTag as properties.
    const list = {
      listVersion: 2,
      updateType: 'Full',
      localAuthorizationList: [
        {
          idTag: 'TAG1',
          idTagInfo: { status: 'Accepted', expiryDate: '2026-01-01T00:00:00Z', parentIdTag: 'P' },
        },
      ],
    };
    expect(v16Protocol.validate('SendLocalList', 'request', list)).toEqual({
      success: true,
      data: list,
    });
    // Erratum: inner objects are closed.
    expect(
      v16Protocol.validate('Authorize', 'response', {
        idTagInfo: { status: 'Accepted', colour: 'green' },
      }),
    ).toMatchObject({
      success: false,
      errorCode: 'FormationViolation',
      issues: [{ path: '/idTagInfo/colour' }],
    });
  });

  it('validates multipleOf 0.1 on decimal values', () => {
    const profile = (limit: number) => ({
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 1,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: {
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [{ startPeriod: 0, limit }],
        },
      },
    });
    expect(v16Protocol.validate('SetChargingProfile', 'request', profile(16.3)).success).toBe(true);
    expect(v16Protocol.validate('SetChargingProfile', 'request', profile(16.35))).toMatchObject({
      success: false,
      errorCode: 'PropertyConstraintViolation',
      issues: [
        {
          path: '/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit',
          keyword: 'multipleOf',
        },
      ],
    });
  });

  it('maps keys to snake_case and back', () => {
    const start = {
      connectorId: 1,
      idTag: 'TAG1',
      meterStart: 0,
      timestamp: '2025-01-01T00:00:00Z',
    };
    const snake = v16Protocol.toSnakeCase('StartTransaction', 'request', start);
    expect(snake).toEqual({
      connector_id: 1,
      id_tag: 'TAG1',
      meter_start: 0,
      timestamp: '2025-01-01T00:00:00Z',
    });
    expect(v16Protocol.toCamelCase('StartTransaction', 'request', snake)).toEqual(start);
  });
});
