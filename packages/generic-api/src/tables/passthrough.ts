/**
 * The operations the neutral model carries as the 2.x messages themselves: the device model,
 * monitoring, display messages, smart charging reports, ISO 15118 certificates, and 2.1's new
 * blocks. 1.6 has no equivalent of any of them, and 2.0.1 and 2.1 send the same message, so the
 * neutral parameters and results are the 2.1 wire types (2.1 is the superset; a 2.0.1 payload
 * is lifted as it is). Stamped for 2.0.1, a value only 2.1 can carry is refused before sending
 * with `UNSUPPORTED_BY_VERSION`, naming the field.
 *
 * Each table maps a neutral name to its action; the handler of an inbound one is `on` and the
 * capitalised name (`onGetBaseReport`). The multi-part reports a station sends back
 * (NotifyReport, ...) are not here: the CSMS assembles them (`../reports.ts`).
 */
import type { CallOptions } from '@ocpp/rpc';
import { isOcppSdkError, OcppSdkError } from '@ocpp/runtime';
import { type V21ActionMap, v21Protocol } from '@ocpp/v21-core';
import type { MaybePromise } from '../api.js';
import { type Inbound, namedRoute, type UntypedOutbound, type UntypedSession } from '../engine.js';

/** CSMS → station operations of 2.0.1 and 2.1. */
export const CSMS_TO_STATION_2X = {
  /** B07: asks for a predefined report of the device model (NotifyReport parts follow). */
  getBaseReport: 'GetBaseReport',
  /** B08: asks for a report of chosen components and variables (NotifyReport parts follow). */
  getReport: 'GetReport',
  /** B06: reads variables of the device model (all of the request's entries). */
  getVariables: 'GetVariables',
  /** B05: writes variables of the device model (all of the request's entries). */
  setVariables: 'SetVariables',
  /** B09: sets a network connection profile. */
  setNetworkProfile: 'SetNetworkProfile',
  /** E14: asks whether a transaction is still known and has messages waiting. */
  getTransactionStatus: 'GetTransactionStatus',
  /** I02: the running cost of a transaction. */
  costUpdated: 'CostUpdated',
  /** K09: asks for the installed charging profiles (ReportChargingProfiles follow). */
  getChargingProfiles: 'GetChargingProfiles',
  /** L03: asks a local controller to publish a firmware file. */
  publishFirmware: 'PublishFirmware',
  /** L04: stops publishing a firmware file. */
  unpublishFirmware: 'UnpublishFirmware',
  /** N04: installs monitors on variables. */
  setVariableMonitoring: 'SetVariableMonitoring',
  /** N03: activates a predefined set of monitors. */
  setMonitoringBase: 'SetMonitoringBase',
  /** N05: the severity above which events are reported. */
  setMonitoringLevel: 'SetMonitoringLevel',
  /** N02: asks for the installed monitors (NotifyMonitoringReport parts follow). */
  getMonitoringReport: 'GetMonitoringReport',
  /** N06: removes monitors. */
  clearVariableMonitoring: 'ClearVariableMonitoring',
  /** N09, N10: asks for (NotifyCustomerInformation parts follow) or clears customer data. */
  customerInformation: 'CustomerInformation',
  /** O01: shows a message on the station's display. */
  setDisplayMessage: 'SetDisplayMessage',
  /** O04: asks for the display messages (NotifyDisplayMessages parts follow). */
  getDisplayMessages: 'GetDisplayMessages',
  /** O05: removes a display message. */
  clearDisplayMessage: 'ClearDisplayMessage',
} as const;

/** CSMS → station operations only 2.1 has. */
export const CSMS_TO_STATION_21 = {
  /** R04: an aFRR (frequency restoration) signal for V2X. */
  afrrSignal: 'AFRRSignal',
  /** N: changes a periodic event stream. */
  adjustPeriodicEventStream: 'AdjustPeriodicEventStream',
  /** I: changes the tariff of a running transaction. */
  changeTransactionTariff: 'ChangeTransactionTariff',
  /** R: removes DER controls. */
  clearDERControl: 'ClearDERControl',
  /** I: removes tariffs. */
  clearTariffs: 'ClearTariffs',
  /** R: asks for DER controls (ReportDERControl follows). */
  getDERControl: 'GetDERControl',
  /** N: asks for the open periodic event streams. */
  getPeriodicEventStream: 'GetPeriodicEventStream',
  /** I: asks for the installed tariffs. */
  getTariffs: 'GetTariffs',
  /** Q: which energy transfer modes the EV may use. */
  notifyAllowedEnergyTransfer: 'NotifyAllowedEnergyTransfer',
  /** C: an ad hoc web payment started. */
  notifyWebPaymentStarted: 'NotifyWebPaymentStarted',
  /** battery swap: asks the station to swap a battery. */
  requestBatterySwap: 'RequestBatterySwap',
  /** R: installs a DER control. */
  setDERControl: 'SetDERControl',
  /** I: installs the default tariff. */
  setDefaultTariff: 'SetDefaultTariff',
  /** K: updates a dynamic charging schedule. */
  updateDynamicSchedule: 'UpdateDynamicSchedule',
  /** K: asks for priority charging. */
  usePriorityCharging: 'UsePriorityCharging',
} as const;

/** Station → CSMS messages of 2.0.1 and 2.1 sent one for one (the reports are assembled). */
export const STATION_TO_CSMS_2X = {
  /** K12: a charging limit set by an external system. */
  notifyChargingLimit: 'NotifyChargingLimit',
  /** K13: that limit was cleared. */
  clearedChargingLimit: 'ClearedChargingLimit',
  /** K15: what the EV needs (ISO 15118). */
  notifyEVChargingNeeds: 'NotifyEVChargingNeeds',
  /** K17: the schedule the EV chose. */
  notifyEVChargingSchedule: 'NotifyEVChargingSchedule',
  /** H: a reservation expired or was taken away. */
  reservationStatusUpdate: 'ReservationStatusUpdate',
  /** L03: the progress of publishing firmware. */
  publishFirmwareStatusNotification: 'PublishFirmwareStatusNotification',
  /** M02, M03: an ISO 15118 contract certificate for the EV. */
  get15118EVCertificate: 'Get15118EVCertificate',
  /** M06: the OCSP status of a certificate. */
  getCertificateStatus: 'GetCertificateStatus',
} as const;

/** Station → CSMS messages only 2.1 has. */
export const STATION_TO_CSMS_21 = {
  /** battery swap: a battery was swapped. */
  batterySwap: 'BatterySwap',
  /** N: closes a periodic event stream. */
  closePeriodicEventStream: 'ClosePeriodicEventStream',
  /** M: the status of a certificate chain. */
  getCertificateChainStatus: 'GetCertificateChainStatus',
  /** R: a DER alarm. */
  notifyDERAlarm: 'NotifyDERAlarm',
  /** R: a DER control started or stopped. */
  notifyDERStartStop: 'NotifyDERStartStop',
  /** K: priority charging started or stopped. */
  notifyPriorityCharging: 'NotifyPriorityCharging',
  /** C: a payment was settled. */
  notifySettlement: 'NotifySettlement',
  /** N: opens a periodic event stream. */
  openPeriodicEventStream: 'OpenPeriodicEventStream',
  /** K: asks for an update of a dynamic schedule. */
  pullDynamicScheduleUpdate: 'PullDynamicScheduleUpdate',
  /** R: the DER controls asked for by GetDERControl. */
  reportDERControl: 'ReportDERControl',
  /** C: checks a VAT number. */
  vatNumberValidation: 'VatNumberValidation',
} as const;

/** The one 2.1 SEND (no answer): a value of a periodic event stream. */
export const SEND_21 = { notifyPeriodicEventStream: 'NotifyPeriodicEventStream' } as const;

/** CSMS → station requests whose `requestId` is allocated when left out. */
const ALLOCATED = new Set<string>([
  'GetBaseReport',
  'GetReport',
  'GetChargingProfiles',
  'PublishFirmware',
  'GetMonitoringReport',
  'CustomerInformation',
  'GetDisplayMessages',
  'GetDERControl',
  'RequestBatterySwap',
]);

/** The handler name of an inbound neutral operation: `on` and its name, capitalised. */
export function handlerName(operation: string): string {
  return `on${operation[0]?.toUpperCase()}${operation.slice(1)}`;
}

/** What the outbound entries read of their end: request ids, on the CSMS side. */
interface IdSource {
  nextRequestId?(): number;
}

/**
 * Outbound entries for `table` in one version: each sends its action with the neutral params as
 * they are (`requestId` allocated where the CSMS may leave it out). For 2.0.1, a payload the
 * session's validation refuses but 2.1 accepts is a 2.1-only value: `UNSUPPORTED_BY_VERSION`.
 */
export function passOutbound(
  table: Readonly<Record<string, string>>,
  version: 'ocpp2.0.1' | 'ocpp2.1',
): Record<string, UntypedOutbound> {
  const entries: Record<string, UntypedOutbound> = {};
  for (const [operation, action] of Object.entries(table)) {
    const allocate = ALLOCATED.has(action);
    entries[operation] = {
      actions: [action],
      send: (async (
        session: UntypedSession,
        params: unknown,
        end: IdSource,
        options: CallOptions | undefined,
      ) => {
        const p = params as { requestId?: number } | undefined;
        const request =
          allocate && p?.requestId === undefined && end.nextRequestId !== undefined
            ? { ...p, requestId: end.nextRequestId() }
            : (params ?? {});
        if (version === 'ocpp2.1') return session.call(action, request, options);
        try {
          return await session.call(action, request, options);
        } catch (e) {
          throw explain201(action, request, e);
        }
      }) as UntypedOutbound['send'],
    };
  }
  return entries;
}

/** The 2.1 SEND as an outbound entry: resolves once handed to the transport. */
export function sendOutbound(action: string): {
  actions: readonly string[];
  send: (...args: never[]) => Promise<unknown>;
} {
  return {
    actions: [action],
    send: (async (session: UntypedSession, params: unknown) => {
      session.send?.(action, params);
    }) as UntypedOutbound['send'],
  };
}

/**
 * A 2.0.1 refusal explained: a request the 2.0.1 schema refuses and the 2.1 schema accepts
 * carries a value only 2.1 has.
 */
export function explain201(action: string, request: unknown, error: unknown): unknown {
  if (!isOcppSdkError(error) || error.code !== 'VALIDATION_FAILED') return error;
  if (!v21Protocol.isAction(action) || v21Protocol.check(action, 'request', request) !== undefined)
    return error;
  const detail = error.message.replace(/^[^:]*: /, '');
  const path = /^(\/[^:\s]*):/.exec(detail)?.[1];
  const value = path === undefined ? undefined : at(request, path);
  const shown =
    typeof value === 'string' || typeof value === 'number' ? ` (${JSON.stringify(value)})` : '';
  return new OcppSdkError(
    'UNSUPPORTED_BY_VERSION',
    `${action}: ${detail}${shown}: a value of OCPP 2.1 that ocpp2.0.1 cannot carry`,
    { cause: error },
  );
}

/** The value at a JSON pointer (`/a/0/b`) of `value`, if any. */
function at(value: unknown, pointer: string): unknown {
  let v = value;
  for (const key of pointer.split('/').slice(1)) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

/**
 * Inbound routes for `table`: each answers its action from the neutral handler of the same name,
 * the request given as it is (a SEND's handler answers nothing).
 */
export function passInbound<Rtr, H extends object, Ctx>(
  table: Readonly<Record<string, string>>,
  kind: 'CALL' | 'SEND' = 'CALL',
): Inbound<Rtr, H, Ctx>[] {
  return Object.entries(table).map(([operation, action]) =>
    namedRoute<Rtr, H, Ctx>(action, handlerName(operation), (request, context, handle) =>
      kind === 'SEND' ? void handle?.(request, context) : handle?.(request, context),
    ),
  );
}

/** Station → CSMS report parts, sent one for one by the station (the CSMS assembles them). */
export const STATION_REPORTS_2X = {
  /** B07, B08: a part of a device model report. */
  notifyReport: 'NotifyReport',
  /** N02: a part of a monitoring report. */
  notifyMonitoringReport: 'NotifyMonitoringReport',
  /** N07, N08: events (a monitor triggered, a problem), possibly in parts. */
  notifyEvent: 'NotifyEvent',
  /** O04: a part of the display messages report. */
  notifyDisplayMessages: 'NotifyDisplayMessages',
  /** N09: a part of the customer information asked for. */
  notifyCustomerInformation: 'NotifyCustomerInformation',
  /** K09: the charging profiles of one EVSE and limit source. */
  reportChargingProfiles: 'ReportChargingProfiles',
} as const;

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

type Action21 = keyof V21ActionMap;
/** The 2.1 request of an action. */
export type Request21<A extends Action21> = V21ActionMap[A]['request'];
/** The 2.1 response of an action. */
export type Response21<A extends Action21> = V21ActionMap[A]['response'];
/** A request whose `requestId` the CSMS allocates when left out. */
export type WithOptionalRequestId<T> = T extends { requestId: number }
  ? Omit<T, 'requestId'> & { readonly requestId?: number }
  : T;

/** Neutral `[params, result]` of the operations of a table the CSMS sends. */
export type CsmsPassOperations<T extends Readonly<Record<string, Action21>>> = {
  readonly [K in keyof T]: readonly [WithOptionalRequestId<Request21<T[K]>>, Response21<T[K]>];
};

/** Neutral `[params, result]` of the operations of a table the station sends. */
export type StationPassOperations<T extends Readonly<Record<string, Action21>>> = {
  readonly [K in keyof T]: readonly [Request21<T[K]>, Response21<T[K]>];
};

/** The handlers of a table's inbound operations: `on` + the capitalised name. */
export type PassHandlers<T extends Readonly<Record<string, Action21>>, Ctx> = {
  readonly [K in keyof T as `on${Capitalize<K & string>}`]?: (
    params: Request21<T[K]>,
    context: Ctx,
  ) => MaybePromise<Response21<T[K]>>;
};

/** The methods of neutral operations: `name(params, options)`. */
export type OperationMethods<Ops> = {
  readonly [K in keyof Ops]: Ops[K] extends readonly [infer P, infer R]
    ? undefined extends P
      ? (params?: P, options?: CallOptions) => Promise<R>
      : (params: P, options?: CallOptions) => Promise<R>
    : never;
};
