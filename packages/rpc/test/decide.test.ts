import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { describe, expect, it } from 'vitest';
import { decideCall } from '../src/decide.js';
import { createRouter } from '../src/router.js';
import type { AnyProtocol } from '../src/types.js';
import { withRawPeer } from './helpers.js';

const v16 = v16Protocol as unknown as AnyProtocol;
const v201 = v201Protocol as unknown as AnyProtocol;
const v21 = v21Protocol as unknown as AnyProtocol;

describe('decideCall: what a receiver answers to a CALL or SEND', () => {
  it('refuses in the spec order, with each version’s code', () => {
    expect(decideCall(v201, { action: 'Hearbeat', kind: 'CALL', payload: {} })).toMatchObject({
      verdict: 'refuse',
      reason: 'unknown-action',
      code: 'NotImplemented',
      description: 'Action Hearbeat is not known in OCPP 2.0.1',
    });
    // A SEND action sent as a CALL (2.1).
    expect(
      decideCall(v21, { action: 'NotifyPeriodicEventStream', kind: 'CALL', payload: {} }),
    ).toMatchObject({ reason: 'wrong-kind', code: 'NotSupported' });
    // Reset goes to the station: a CSMS receiving one refuses it, a station does not.
    const reset = { action: 'Reset', kind: 'CALL', payload: { type: 'Immediate' } } as const;
    expect(decideCall(v201, { ...reset, receiver: 'csms' })).toMatchObject({
      reason: 'wrong-direction',
      code: 'NotSupported',
      description: 'Reset is not sent to the CSMS',
    });
    expect(decideCall(v201, { ...reset, receiver: 'station' })).toEqual({ verdict: 'accept' });
    expect(
      decideCall(v201, { ...reset, receiver: 'station', handles: (a) => a === 'Heartbeat' }),
    ).toMatchObject({ reason: 'no-handler', code: 'NotSupported' });
    // The payload last, with the version's spelling of the code.
    const bad = { action: 'Heartbeat', kind: 'CALL', payload: { extra: 1 } } as const;
    expect(decideCall(v201, { ...bad, receiver: 'csms' })).toMatchObject({
      reason: 'invalid-payload',
      code: 'FormatViolation',
      path: '/extra',
    });
    expect(decideCall(v16, { ...bad, receiver: 'csms' })).toMatchObject({
      reason: 'invalid-payload',
      code: 'FormationViolation',
    });
    expect(decideCall(v16, { ...bad, validate: false })).toEqual({ verdict: 'accept' });
    const typed = decideCall(v201, {
      action: 'BootNotification',
      kind: 'CALL',
      payload: { reason: 'PowerUp', chargingStation: { model: 1, vendorName: 'v' } },
    });
    expect(typed).toMatchObject({
      code: 'TypeConstraintViolation',
      path: '/chargingStation/model',
      keyword: 'type',
    });
  });

  it('is what OcppSession answers: the same code and description on the wire', async () => {
    const router = createRouter(v201Protocol, 'csms').handle('Heartbeat', () => ({
      currentTime: new Date(0).toISOString(),
    }));
    const { peer } = await withRawPeer(v201Protocol, 'csms', router);
    const frames: [string, string, unknown][] = [
      ['Hearbeat', 'CALL', {}],
      ['Reset', 'CALL', { type: 'Immediate' }],
      ['StatusNotification', 'CALL', {}],
      ['Heartbeat', 'CALL', { extra: 1 }],
    ];
    for (const [i, [action, , payload]] of frames.entries()) {
      peer.send([2, `m${i}`, action, payload]);
      const answer = await peer.frame(i);
      const decision = decideCall(v201, {
        action,
        kind: 'CALL',
        payload,
        receiver: 'csms',
        handles: (a) => a === 'Heartbeat',
      });
      expect(decision.verdict).toBe('refuse');
      if (decision.verdict !== 'refuse') continue;
      expect(answer.slice(0, 4)).toEqual([4, `m${i}`, decision.code, decision.description]);
    }
  });
});
