import { describe, expect, it } from 'vitest';
import {
  CONFIGURATION_KEY_MAP,
  fromVariable,
  parseVariableKey,
  toKey16,
  toVariable,
} from '../src/index.js';

describe('configuration keys', () => {
  it('maps HeartbeatInterval to OCPPCommCtrlr.HeartbeatInterval and back', () => {
    expect(toVariable('HeartbeatInterval')).toEqual({
      component: 'OCPPCommCtrlr',
      variable: 'HeartbeatInterval',
    });
    expect(fromVariable({ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' })).toBe(
      'HeartbeatInterval',
    );
    expect(toKey16('OCPPCommCtrlr.HeartbeatInterval')).toBe('HeartbeatInterval');
  });

  it('parses instances and refuses keys that are not Component.Variable', () => {
    expect(parseVariableKey('OCPPCommCtrlr.MessageAttempts[TransactionEvent]')).toEqual({
      component: 'OCPPCommCtrlr',
      variable: 'MessageAttempts',
      variableInstance: 'TransactionEvent',
    });
    expect(parseVariableKey('EVSE[2].Power')).toEqual({
      component: 'EVSE',
      componentInstance: '2',
      variable: 'Power',
    });
    expect(parseVariableKey('BlinkRepeat')).toBeUndefined();
    expect(toVariable('BlinkRepeat')).toBeUndefined();
    expect(toKey16('VendorKey')).toBe('VendorKey');
  });

  it('every mapped key round-trips', () => {
    for (const [key16, key2] of Object.entries(CONFIGURATION_KEY_MAP)) {
      const ref = toVariable(key16);
      expect(ref, key16).toBeDefined();
      expect(fromVariable(ref!)).toBe(key16);
      expect(toKey16(key2)).toBe(key16);
    }
  });
});
