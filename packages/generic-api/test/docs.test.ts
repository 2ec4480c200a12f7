import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CsmsHandlers, GenericStation, StationHandle, StationHandlers } from '../src/index.js';
import { CONFIGURATION_KEY_MAP } from '../src/index.js';

const doc = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'docs', 'generic-api.md'),
  'utf8',
);

// Every neutral operation, listed through the types so a new one cannot be forgotten here.
const handleOps = {
  remoteStart: 1,
  remoteStop: 1,
  reset: 1,
  changeAvailability: 1,
  unlockConnector: 1,
  triggerMessage: 1,
  getConfiguration: 1,
  setConfiguration: 1,
  dataTransfer: 1,
  updateFirmware: 1,
  getLog: 1,
  setChargingProfile: 1,
  clearChargingProfile: 1,
  getCompositeSchedule: 1,
  reserveNow: 1,
  cancelReservation: 1,
  sendLocalList: 1,
  getLocalListVersion: 1,
  clearCache: 1,
} satisfies Record<
  Exclude<keyof StationHandle, 'identity' | 'version' | 'session' | 'transactions'>,
  1
>;

const stationOps = {
  boot: 1,
  heartbeat: 1,
  authorize: 1,
  statusNotification: 1,
  meterValues: 1,
  startTransaction: 1,
  updateTransaction: 1,
  stopTransaction: 1,
  dataTransfer: 1,
  firmwareStatusNotification: 1,
  logStatusNotification: 1,
} satisfies Record<
  Exclude<
    keyof GenericStation,
    'identity' | 'version' | 'offered' | 'session' | 'transactions' | 'start' | 'close'
  >,
  1
>;

const csmsHandlers = {
  onBoot: 1,
  onHeartbeat: 1,
  onAuthorize: 1,
  onStatus: 1,
  onMeterValues: 1,
  onTransaction: 1,
  onDataTransfer: 1,
  onFirmwareStatus: 1,
  onLogStatus: 1,
} satisfies Record<keyof CsmsHandlers, 1>;

const stationHandlers = {
  onRemoteStart: 1,
  onRemoteStop: 1,
  onReset: 1,
  onChangeAvailability: 1,
  onUnlockConnector: 1,
  onTriggerMessage: 1,
  onGetConfiguration: 1,
  onSetConfiguration: 1,
  onDataTransfer: 1,
  onUpdateFirmware: 1,
  onGetLog: 1,
  onSetChargingProfile: 1,
  onClearChargingProfile: 1,
  onGetCompositeSchedule: 1,
  onReserveNow: 1,
  onCancelReservation: 1,
  onSendLocalList: 1,
  onGetLocalListVersion: 1,
  onClearCache: 1,
} satisfies Record<keyof StationHandlers, 1>;

describe('docs/generic-api.md', () => {
  const glance = doc.slice(doc.indexOf('## Operations at a glance'), doc.indexOf('Not covered by'));
  const cells = (row: string) => row.split('|').map((c) => c.trim());
  const rows = glance
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .map(cells);

  it('maps every operation for 1.6, 2.0.1 and 2.1', () => {
    expect(rows[0]).toEqual(['', 'neutral operation', 'direction', '1.6', '2.0.1', '2.1', '']);
    for (const row of rows) {
      expect(row.length, row.join('|')).toBe(7);
      for (const cell of row.slice(1, 6)) expect(cell, row.join('|')).not.toBe('');
    }
    const firstCells = rows.map((r) => r[1]!);
    for (const op of [...Object.keys(handleOps), ...Object.keys(stationOps)]) {
      expect(
        firstCells.some((c) => c.includes(op)),
        `${op} in the table`,
      ).toBe(true);
      expect(doc, `${op} has a section`).toMatch(new RegExp(`^## .*\`${op}\``, 'm'));
    }
    for (const h of [...Object.keys(csmsHandlers), ...Object.keys(stationHandlers)]) {
      expect(doc, `${h} has a section`).toMatch(new RegExp(`^## .*\`${h}\``, 'm'));
    }
  });

  it('lists every mapped configuration key', () => {
    const table = new Set(
      doc
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .map((l) =>
          l
            .split('|')
            .map((c) => c.trim())
            .join('|'),
        ),
    );
    for (const [key16, key2] of Object.entries(CONFIGURATION_KEY_MAP)) {
      expect(table.has(`|${key16}|${key2}|`), key16).toBe(true);
    }
  });
});
