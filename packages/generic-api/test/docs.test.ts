import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CsmsHandlers, GenericStation, StationHandle, StationHandlers } from '../src/index.js';
import { CONFIGURATION_KEY_MAP } from '../src/index.js';
import { csms16, csms21, csms201 } from '../src/tables/csms.js';
import { station16, station21, station201 } from '../src/tables/station.js';

/** Each version's two codecs, in the table's column order. */
const CODECS = [
  { version: 'ocpp1.6', csms: csms16, station: station16 },
  { version: 'ocpp2.0.1', csms: csms201, station: station201 },
  { version: 'ocpp2.1', csms: csms21, station: station21 },
] as const;

/** The actions of one side's outbound table for an operation (empty: not in this version). */
function outboundActions(table: object, op: string): string[] {
  const entry = (table as Record<string, { actions: readonly string[] } | undefined>)[op];
  return [...(entry?.actions ?? [])].sort();
}

/** The actions a codec routes to a neutral handler. */
function inboundActions(
  routes: readonly { action: string; needs: readonly string[] }[],
  h: string,
) {
  return routes.filter((r) => r.needs.includes(h)).map((r) => r.action);
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'generic-api.md'), 'utf8');

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
  getVariables: 1,
  setVariables: 1,
  setNetworkProfile: 1,
  getTransactionStatus: 1,
  costUpdated: 1,
  publishFirmware: 1,
  unpublishFirmware: 1,
  setVariableMonitoring: 1,
  setMonitoringBase: 1,
  setMonitoringLevel: 1,
  clearVariableMonitoring: 1,
  setDisplayMessage: 1,
  clearDisplayMessage: 1,
  afrrSignal: 1,
  adjustPeriodicEventStream: 1,
  changeTransactionTariff: 1,
  clearDERControl: 1,
  clearTariffs: 1,
  getDERControl: 1,
  getPeriodicEventStream: 1,
  getTariffs: 1,
  notifyAllowedEnergyTransfer: 1,
  notifyWebPaymentStarted: 1,
  requestBatterySwap: 1,
  setDERControl: 1,
  setDefaultTariff: 1,
  updateDynamicSchedule: 1,
  usePriorityCharging: 1,
  certificateSigned: 1,
  installCertificate: 1,
  deleteCertificate: 1,
  getInstalledCertificateIds: 1,
  getBaseReport: 1,
  getReport: 1,
  getMonitoringReport: 1,
  getChargingProfiles: 1,
  getDisplayMessages: 1,
  customerInformation: 1,
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
  notifyChargingLimit: 1,
  clearedChargingLimit: 1,
  notifyEVChargingNeeds: 1,
  notifyEVChargingSchedule: 1,
  reservationStatusUpdate: 1,
  publishFirmwareStatusNotification: 1,
  get15118EVCertificate: 1,
  getCertificateStatus: 1,
  notifyReport: 1,
  notifyMonitoringReport: 1,
  notifyEvent: 1,
  notifyDisplayMessages: 1,
  notifyCustomerInformation: 1,
  reportChargingProfiles: 1,
  signCertificate: 1,
  securityEventNotification: 1,
  batterySwap: 1,
  closePeriodicEventStream: 1,
  getCertificateChainStatus: 1,
  notifyDERAlarm: 1,
  notifyDERStartStop: 1,
  notifyPriorityCharging: 1,
  notifySettlement: 1,
  openPeriodicEventStream: 1,
  pullDynamicScheduleUpdate: 1,
  reportDERControl: 1,
  vatNumberValidation: 1,
  notifyPeriodicEventStream: 1,
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
  onSecurityEvent: 1,
  onSignCertificate: 1,
  onReport: 1,
  onMonitoringReport: 1,
  onChargingProfiles: 1,
  onDisplayMessages: 1,
  onCustomerInformation: 1,
  onEvent: 1,
  onNotifyPeriodicEventStream: 1,
  onNotifyChargingLimit: 1,
  onClearedChargingLimit: 1,
  onNotifyEVChargingNeeds: 1,
  onNotifyEVChargingSchedule: 1,
  onReservationStatusUpdate: 1,
  onPublishFirmwareStatusNotification: 1,
  onGet15118EVCertificate: 1,
  onGetCertificateStatus: 1,
  onBatterySwap: 1,
  onClosePeriodicEventStream: 1,
  onGetCertificateChainStatus: 1,
  onNotifyDERAlarm: 1,
  onNotifyDERStartStop: 1,
  onNotifyPriorityCharging: 1,
  onNotifySettlement: 1,
  onOpenPeriodicEventStream: 1,
  onPullDynamicScheduleUpdate: 1,
  onReportDERControl: 1,
  onVatNumberValidation: 1,
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
  onGetVariables: 1,
  onSetVariables: 1,
  onSetNetworkProfile: 1,
  onGetTransactionStatus: 1,
  onCostUpdated: 1,
  onPublishFirmware: 1,
  onUnpublishFirmware: 1,
  onSetVariableMonitoring: 1,
  onSetMonitoringBase: 1,
  onSetMonitoringLevel: 1,
  onClearVariableMonitoring: 1,
  onSetDisplayMessage: 1,
  onClearDisplayMessage: 1,
  onAfrrSignal: 1,
  onAdjustPeriodicEventStream: 1,
  onChangeTransactionTariff: 1,
  onClearDERControl: 1,
  onClearTariffs: 1,
  onGetDERControl: 1,
  onGetPeriodicEventStream: 1,
  onGetTariffs: 1,
  onNotifyAllowedEnergyTransfer: 1,
  onNotifyWebPaymentStarted: 1,
  onRequestBatterySwap: 1,
  onSetDERControl: 1,
  onSetDefaultTariff: 1,
  onUpdateDynamicSchedule: 1,
  onUsePriorityCharging: 1,
  onCertificateSigned: 1,
  onInstallCertificate: 1,
  onDeleteCertificate: 1,
  onGetInstalledCertificateIds: 1,
  onGetBaseReport: 1,
  onGetReport: 1,
  onGetMonitoringReport: 1,
  onGetChargingProfiles: 1,
  onGetDisplayMessages: 1,
  onCustomerInformation: 1,
} satisfies Record<keyof StationHandlers, 1>;

describe('docs/generic-api.md', () => {
  const glance = doc.slice(doc.indexOf('## Operations at a glance'), doc.indexOf('## Boot'));
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
      expect(doc, `${op} has a section`).toMatch(new RegExp(`^###? .*\`${op}\``, 'm'));
    }
    // A handler is named in its section's heading, or (the handlers of the operations carried
    // as their 2.x message, `on` + the operation) in its section's text.
    for (const h of [...Object.keys(csmsHandlers), ...Object.keys(stationHandlers)]) {
      expect(doc, `${h} is documented`).toMatch(new RegExp(`\`${h}\``));
    }
  });

  it('names, per version, exactly the actions the codecs send and route', () => {
    const actionsIn = (cell: string) =>
      cell.replace(/`[^`]*`/g, '').match(/\b[A-Z][A-Za-z0-9]+\b/g) ?? [];
    const byHandler = new Map<string, string[][]>();
    for (const row of rows.slice(1)) {
      const [op, ...rest] = row[1]!.split(' / ');
      const handler = rest[0]?.split(' ')[0];
      for (const [i, codec] of CODECS.entries()) {
        const cell = actionsIn(row[3 + i]!);
        const sent = sorted([
          ...outboundActions(codec.csms.outbound, op!),
          ...outboundActions(codec.station.outbound, op!),
        ]);
        expect(sorted(cell), `${op} in ${codec.version}`).toEqual(sent);
        // The station answers the CSMS operations through on<Operation>.
        const answering = `on${op![0]!.toUpperCase()}${op!.slice(1)}`;
        if (row[2] === 'CSMS → station')
          expect(sorted(inboundActions(codec.station.inbound, answering)), answering).toEqual(sent);
        if (handler !== undefined) {
          const lists = byHandler.get(`${handler}|${i}`) ?? [];
          lists.push(cell);
          byHandler.set(`${handler}|${i}`, lists);
        }
      }
    }
    // A CSMS handler's rows together name every action routed to it.
    for (const [key, lists] of byHandler) {
      const [handler, i] = key.split('|') as [string, string];
      const codec = CODECS[Number(i)]!;
      expect(sorted(lists.flat()), `${handler} in ${codec.version}`).toEqual(
        sorted(inboundActions(codec.csms.inbound, handler)),
      );
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

/** How many parameters a handler takes. */
type Arity<F> = F extends (...args: infer A) => unknown ? A['length'] : never;
/** The handlers of `H` that get the context alone. */
type ContextOnly<H> = {
  [K in keyof H]-?: Arity<NonNullable<H[K]>> extends 1 ? K : never;
}[keyof H];

/** The README names these; the compiler checks they are exactly the handlers of one parameter. */
const CONTEXT_ONLY = [
  'onHeartbeat',
  'onClearCache',
  'onGetLocalListVersion',
] as const satisfies readonly (
  | ContextOnly<CsmsHandlers<unknown>>
  | ContextOnly<StationHandlers<unknown>>
)[];
type Unnamed = Exclude<
  ContextOnly<CsmsHandlers<unknown>> | ContextOnly<StationHandlers<unknown>>,
  (typeof CONTEXT_ONLY)[number]
>;
const everyOneNamed: [Unnamed] extends [never] ? true : Unnamed = true;

describe('README: handler parameters', () => {
  it('names the handlers that get (context) alone; every other one gets (params, context)', () => {
    expect(everyOneNamed).toBe(true);
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8').replace(
      /\s+/g,
      ' ',
    );
    const sentence = /get `\(params, context\)`, except those [^;]*?, which get `\(context\)`/.exec(
      readme,
    )?.[0];
    expect(sentence).toBeDefined();
    const named = [...(sentence ?? '').matchAll(/`(on\w+)`/g)].map((m) => m[1]);
    expect(sorted(named as string[])).toEqual(sorted(CONTEXT_ONLY));
  });
});
