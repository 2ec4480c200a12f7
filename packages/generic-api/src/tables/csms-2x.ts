/**
 * The CSMS's rows beyond the core operations: security and certificates (every version), the
 * 2.x operations carried as they are, the reports the CSMS asks for and assembles, and 2.1's
 * own blocks. `tables/csms.ts` spreads them into each version's codec.
 */
import type { CallOptions } from '@ocpp/rpc';
import type * as V16 from '@ocpp/v16-core';
import type { CsmsContext, MaybePromise } from '../api.js';
import * as sec from '../codec/security.js';
import { andThen } from '../codec/util.js';
import { type Inbound, namedRoute, type UntypedOutbound, type UntypedSession } from '../engine.js';
import {
  type ChargingProfilesReport,
  type CustomerInformationReport,
  chargingProfilesReport,
  customerInformationReport,
  type DeviceModelReport,
  type DisplayMessagesReport,
  deviceModelReport,
  displayMessagesReport,
  type EventReport,
  eventReport,
  type MonitoringReport,
  monitoringReport,
  type Part,
  type ReportedMonitoringData,
  type ReportGatherer,
  type ReportKind,
  type WithReport,
} from '../reports.js';
import {
  CSMS_TO_STATION_2X,
  CSMS_TO_STATION_21,
  type CsmsPassOperations,
  explain201,
  type PassHandlers,
  passInbound,
  passOutbound,
  type Request21,
  type Response21,
  SEND_21,
  STATION_TO_CSMS_2X,
  STATION_TO_CSMS_21,
  type WithOptionalRequestId,
} from './passthrough.js';

/** An operation that asks for a report: its request, and its answer with the report. */
type Asks<
  A extends
    | 'GetBaseReport'
    | 'GetReport'
    | 'GetMonitoringReport'
    | 'GetChargingProfiles'
    | 'GetDisplayMessages'
    | 'CustomerInformation',
  Report,
> = readonly [WithOptionalRequestId<Request21<A>>, WithReport<Response21<A>, Report>];

/** The reports a CSMS asks for: the answer, and the report once all its parts came. */
export interface CsmsReportOperations {
  readonly getBaseReport: Asks<'GetBaseReport', DeviceModelReport>;
  readonly getReport: Asks<'GetReport', DeviceModelReport>;
  readonly getMonitoringReport: Asks<'GetMonitoringReport', MonitoringReport>;
  readonly getChargingProfiles: Asks<'GetChargingProfiles', ChargingProfilesReport>;
  readonly getDisplayMessages: Asks<'GetDisplayMessages', DisplayMessagesReport>;
  /** With `report: true`, the customer information once all of it came. */
  readonly customerInformation: Asks<'CustomerInformation', CustomerInformationReport>;
}

/** Certificate management the CSMS sends, in every version (1.6: the security whitepaper). */
export interface CsmsSecurityOperations {
  readonly certificateSigned: readonly [sec.CertificateSignedParams, sec.CertificateSignedResult];
  readonly installCertificate: readonly [
    sec.InstallCertificateParams,
    sec.InstallCertificateResult,
  ];
  readonly deleteCertificate: readonly [sec.DeleteCertificateParams, sec.DeleteCertificateResult];
  readonly getInstalledCertificateIds: readonly [
    sec.GetInstalledCertificateIdsParams | undefined,
    sec.GetInstalledCertificateIdsResult,
  ];
}

const REPORT_NAMES = [
  'getBaseReport',
  'getReport',
  'getMonitoringReport',
  'getChargingProfiles',
  'getDisplayMessages',
  'customerInformation',
] as const;

type ReportName = (typeof REPORT_NAMES)[number];
type Plain2x = Omit<typeof CSMS_TO_STATION_2X, ReportName>;

const PLAIN_2X = Object.fromEntries(
  Object.entries(CSMS_TO_STATION_2X).filter(
    ([k]) => !(REPORT_NAMES as readonly string[]).includes(k),
  ),
) as Plain2x;

/** Every CSMS operation beyond the core ones (2.0.1 lacks the 2.1 block: `UNSUPPORTED_BY_VERSION`). */
export type CsmsMoreOperations = CsmsReportOperations &
  CsmsSecurityOperations &
  CsmsPassOperations<Plain2x> &
  CsmsPassOperations<typeof CSMS_TO_STATION_21>;

/** The CSMS handlers beyond the core ones: reports assembled, security, 2.x and 2.1 messages. */
export interface CsmsMoreHandlers<D>
  extends PassHandlers<typeof STATION_TO_CSMS_2X, CsmsContext<D>>,
    PassHandlers<typeof STATION_TO_CSMS_21, CsmsContext<D>> {
  /** SecurityEventNotification (1.6 security extension, 2.x). Answered even without a handler. */
  readonly onSecurityEvent?: (
    params: sec.SecurityEventParams,
    context: CsmsContext<D>,
  ) => MaybePromise<void>;
  /** SignCertificate: a CSR to sign; send the chain later with `station.certificateSigned`. */
  readonly onSignCertificate?: (
    params: sec.SignCertificateParams,
    context: CsmsContext<D>,
  ) => MaybePromise<sec.SignCertificateResult>;
  /** A device model report (NotifyReport parts), once complete; asked for or not. */
  readonly onReport?: (report: DeviceModelReport, context: CsmsContext<D>) => MaybePromise<void>;
  /** A monitoring report (NotifyMonitoringReport parts), once complete. */
  readonly onMonitoringReport?: (
    report: MonitoringReport,
    context: CsmsContext<D>,
  ) => MaybePromise<void>;
  /** A charging profiles report (ReportChargingProfiles parts), once complete. */
  readonly onChargingProfiles?: (
    report: ChargingProfilesReport,
    context: CsmsContext<D>,
  ) => MaybePromise<void>;
  /** A display messages report (NotifyDisplayMessages parts), once complete. */
  readonly onDisplayMessages?: (
    report: DisplayMessagesReport,
    context: CsmsContext<D>,
  ) => MaybePromise<void>;
  /** Customer information (NotifyCustomerInformation parts), once complete. */
  readonly onCustomerInformation?: (
    report: CustomerInformationReport,
    context: CsmsContext<D>,
  ) => MaybePromise<void>;
  /** Events (NotifyEvent parts: monitors that triggered, problems), once complete. */
  readonly onEvent?: (report: EventReport, context: CsmsContext<D>) => MaybePromise<void>;
  /** 2.1 NotifyPeriodicEventStream (a SEND: nothing is answered). */
  readonly onNotifyPeriodicEventStream?: (
    params: Request21<'NotifyPeriodicEventStream'>,
    context: CsmsContext<D>,
  ) => MaybePromise<void>;
}

/** What these rows read of a station: request ids and its reports in progress. */
export interface ReportEnd {
  nextRequestId(): number;
  readonly reports: ReportGatherer;
}

/** One report operation: sends the request, then waits for its parts when the station accepted. */
function reportOutbound(
  action: string,
  kind: ReportKind,
  assemble: (requestId: number, parts: readonly Part[]) => unknown,
  version: 'ocpp2.0.1' | 'ocpp2.1',
  follows: (request: Record<string, unknown>, status: string) => boolean,
): UntypedOutbound {
  return {
    actions: [action],
    send: (async (
      session: UntypedSession,
      params: { requestId?: number },
      end: ReportEnd,
      options: CallOptions | undefined,
    ) => {
      const requestId = params.requestId ?? end.nextRequestId();
      const request = { ...params, requestId };
      const wait = end.reports.expect(kind, requestId);
      let response: { status: string };
      try {
        response = (await session.call(action, request, options)) as { status: string };
      } catch (e) {
        wait.cancel();
        throw version === 'ocpp2.0.1' ? explain201(action, request, e) : e;
      }
      if (!follows(request, response.status)) {
        wait.cancel();
        return { ...response, requestId };
      }
      wait.start();
      const parts = await wait.promise;
      return { ...response, requestId, report: assemble(requestId, parts) };
    }) as UntypedOutbound['send'],
  };
}

const accepted = (_request: unknown, status: string) => status === 'Accepted';

/** The report operations of a 2.x version. */
function reportsOutbound(version: 'ocpp2.0.1' | 'ocpp2.1') {
  return {
    getBaseReport: reportOutbound('GetBaseReport', 'report', deviceModelReport, version, accepted),
    getReport: reportOutbound('GetReport', 'report', deviceModelReport, version, accepted),
    getMonitoringReport: reportOutbound(
      'GetMonitoringReport',
      'monitoringReport',
      monitoringReport,
      version,
      accepted,
    ),
    getChargingProfiles: reportOutbound(
      'GetChargingProfiles',
      'chargingProfiles',
      chargingProfilesReport,
      version,
      accepted,
    ),
    getDisplayMessages: reportOutbound(
      'GetDisplayMessages',
      'displayMessages',
      displayMessagesReport,
      version,
      accepted,
    ),
    customerInformation: reportOutbound(
      'CustomerInformation',
      'customerInformation',
      customerInformationReport,
      version,
      (request, status) => status === 'Accepted' && request.report === true,
    ),
  };
}

const SECURITY_2X = {
  certificateSigned: 'CertificateSigned',
  installCertificate: 'InstallCertificate',
  deleteCertificate: 'DeleteCertificate',
  getInstalledCertificateIds: 'GetInstalledCertificateIds',
} as const;

/** The CSMS's further outbound rows of a 2.x version, typed as the codec wants them. */
export function csmsMoreOutbound2x<T>(version: 'ocpp2.0.1' | 'ocpp2.1'): T {
  return {
    ...passOutbound(PLAIN_2X, version),
    ...(version === 'ocpp2.1' ? passOutbound(CSMS_TO_STATION_21, version) : {}),
    ...passOutbound(SECURITY_2X, version),
    ...reportsOutbound(version),
  } as T;
}

interface Session16 {
  call<A extends keyof V16.V16ActionMap>(
    action: A,
    payload: V16.V16ActionMap[A]['request'],
    options: CallOptions | undefined,
  ): Promise<V16.V16ActionMap[A]['response']>;
}

function out16<A extends keyof V16.V16ActionMap, P, R>(
  action: A,
  stamp: (params: P) => V16.V16ActionMap[A]['request'],
  lift: (response: V16.V16ActionMap[A]['response'], params: P) => R,
): UntypedOutbound {
  return {
    actions: [action],
    send: (async (session: Session16, params: P, _end: unknown, options: CallOptions | undefined) =>
      lift(await session.call(action, stamp(params), options), params)) as UntypedOutbound['send'],
  };
}

/** The CSMS's further outbound rows of 1.6: certificates through the security whitepaper. */
export function csmsMoreOutbound16<T>(): T {
  return {
    certificateSigned: out16('CertificateSigned', sec.stampCertificateSigned16, sec.statusOnly),
    installCertificate: out16('InstallCertificate', sec.stampInstallCertificate16, sec.statusOnly),
    deleteCertificate: out16('DeleteCertificate', sec.stampDeleteCertificate16, sec.statusOnly),
    getInstalledCertificateIds: out16(
      'GetInstalledCertificateIds',
      (p: sec.GetInstalledCertificateIdsParams | undefined) =>
        sec.stampGetInstalledCertificateIds16(p ?? {}),
      (r, p) => sec.liftInstalledCertificateIds16(r, p ?? {}),
    ),
  } as T;
}

// ---------------------------------------------------------------------------------------------
// Inbound
// ---------------------------------------------------------------------------------------------

const empty = () => ({});

/** A report part: answered at once; the report, once complete, to the handler and the asker. */
function reportRoute<Rtr, H extends object, Ctx extends { readonly end: ReportEnd }>(
  action: string,
  kind: ReportKind,
  handler: string,
  assemble: (requestId: number, parts: readonly Part[]) => unknown,
): Inbound<Rtr, H, Ctx> {
  return namedRoute<Rtr, H, Ctx>(
    action,
    handler,
    (raw, context, h) => {
      const request = raw as Record<string, unknown>;
      const requestId = request.requestId as number | undefined;
      const parts = context.end.reports.part(
        kind,
        requestId,
        request.seqNo as number | undefined,
        request.tbc === true,
        request as Part,
        h !== undefined,
      );
      if (parts === undefined || h === undefined) return {};
      return andThen(h(assemble(requestId ?? 0, parts), context), empty);
    },
    true,
  );
}

/** The CSMS's further inbound routes of a 2.x version. */
export function csmsMoreInbound2x<Rtr, H extends object, Ctx extends { readonly end: ReportEnd }>(
  version: 'ocpp2.0.1' | 'ocpp2.1',
): Inbound<Rtr, H, Ctx>[] {
  return [
    ...securityInbound<Rtr, H, Ctx>(false),
    reportRoute('NotifyReport', 'report', 'onReport', deviceModelReport),
    reportRoute('NotifyMonitoringReport', 'monitoringReport', 'onMonitoringReport', (id, parts) =>
      monitoringReport(id, parts as Part[]),
    ),
    reportRoute(
      'ReportChargingProfiles',
      'chargingProfiles',
      'onChargingProfiles',
      chargingProfilesReport,
    ),
    reportRoute(
      'NotifyDisplayMessages',
      'displayMessages',
      'onDisplayMessages',
      displayMessagesReport,
    ),
    reportRoute(
      'NotifyCustomerInformation',
      'customerInformation',
      'onCustomerInformation',
      customerInformationReport,
    ),
    reportRoute('NotifyEvent', 'event', 'onEvent', (_id, parts) => eventReport(parts)),
    ...passInbound<Rtr, H, Ctx>(STATION_TO_CSMS_2X),
    ...(version === 'ocpp2.1'
      ? [
          ...passInbound<Rtr, H, Ctx>(STATION_TO_CSMS_21),
          ...passInbound<Rtr, H, Ctx>(SEND_21, 'SEND'),
        ]
      : []),
  ];
}

/** SecurityEventNotification and SignCertificate: the same neutral routes in every version. */
function securityInbound<Rtr, H extends object, Ctx>(v16: boolean): Inbound<Rtr, H, Ctx>[] {
  return [
    namedRoute<Rtr, H, Ctx>(
      'SecurityEventNotification',
      'onSecurityEvent',
      (request, context, h) =>
        h === undefined
          ? {}
          : andThen(
              h(sec.liftSecurityEvent(request as V16.SecurityEventNotificationRequest), context),
              empty,
            ),
      true,
    ),
    namedRoute<Rtr, H, Ctx>('SignCertificate', 'onSignCertificate', (request, context, h) => {
      const q = request as V16.SignCertificateRequest;
      const answer = h?.(v16 ? sec.liftSignCertificate16(q) : q, context);
      return v16 ? andThen(answer as sec.SignCertificateResult, sec.statusOnly) : answer;
    }),
  ];
}

/** The CSMS's further inbound routes of 1.6. */
export function csmsMoreInbound16<Rtr, H extends object, Ctx>(): Inbound<Rtr, H, Ctx>[] {
  return securityInbound<Rtr, H, Ctx>(true);
}

export type { ReportedMonitoringData };
