import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { v21Actions, v21Protocol, v21Schemas } from '../src/index.js';

/** The actions specs/ holds for a version: one per request (or SEND) schema file. */
function specActions(version: string): string[] {
  const dir = fileURLToPath(new URL(`../../../specs/${version}/`, import.meta.url));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('Response.json'))
    .map((f) => f.replace(/(Request)?\.json$/, ''))
    .sort();
}

describe('OCPP 2.1 protocol descriptor', () => {
  it('declares subprotocol, version and the 12 error codes', () => {
    expect(v21Protocol.subprotocol).toBe('ocpp2.1');
    expect(v21Protocol.version).toBe('2.1');
    expect(Object.keys(v21Protocol.errorCodes)).toHaveLength(12);
  });

  it('holds every action specs/ has for OCPP 2.1: the CALLs and the SEND NotifyPeriodicEventStream', () => {
    const all = Object.values(v21Actions);
    expect(Object.keys(v21Actions).sort()).toEqual(specActions('ocpp2.1'));
    expect(all.filter((a) => a.kind === 'SEND')).toHaveLength(1);
    expect(v21Actions.NotifyPeriodicEventStream).toMatchObject({
      kind: 'SEND',
      direction: 'StationToCsms',
      response: undefined,
    });
    expect(v21Schemas.NotifyPeriodicEventStream).not.toHaveProperty('response');
    const count = (d: string) => all.filter((a) => a.direction === d).length;
    expect(count('StationToCsms') + count('CsmsToStation') + count('Both')).toBe(all.length);
    expect(count('Both')).toBe(1); // DataTransfer
  });

  it('validates a SEND payload as a request and refuses to look up its response', () => {
    const send = {
      id: 3,
      pending: 0,
      basetime: '2025-03-14T09:26:53Z',
      data: [{ t: 0.5, v: '230.4' }],
    };
    expect(v21Protocol.validate('NotifyPeriodicEventStream', 'request', send)).toEqual({
      success: true,
      data: send,
    });
    // The Part 4 example gives t as a timestamp (the schema says a number offset) and omits basetime.
    const example = { id: 3, pending: 0, data: [{ t: '2024-08-27T12:30:40Z', v: '230.4' }] };
    expect(v21Protocol.validate('NotifyPeriodicEventStream', 'request', example)).toMatchObject({
      success: false,
      errorCode: 'TypeConstraintViolation',
      issues: [{ path: '/data/0/t', keyword: 'type' }],
    });
    const { basetime: _, ...withoutBasetime } = send;
    expect(
      v21Protocol.validate('NotifyPeriodicEventStream', 'request', withoutBasetime),
    ).toMatchObject({
      success: false,
      errorCode: 'OccurrenceConstraintViolation',
      issues: [{ path: '/basetime', keyword: 'required' }],
    });
    expect(() => v21Protocol.validate('NotifyPeriodicEventStream', 'response', {})).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_ACTION' }),
    );
  });

  it('knows the 2.1 additions with their directions', () => {
    expect(v21Actions.BatterySwap.direction).toBe('StationToCsms');
    expect(v21Actions.SetDefaultTariff.direction).toBe('CsmsToStation');
    expect(v21Actions.AFRRSignal.direction).toBe('CsmsToStation');
  });
});
