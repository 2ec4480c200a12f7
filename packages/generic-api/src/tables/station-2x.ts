/**
 * The station's rows beyond the core operations: security and certificates (every version),
 * the 2.x messages carried as they are (device model, monitoring, display messages, reports,
 * ISO 15118) and 2.1's own blocks. `tables/station.ts` spreads them into each version's codec.
 */
import type { CallOptions } from '@ocpp/rpc';
import type * as V16 from '@ocpp/v16-core';
import type { StationContext } from '../api.js';
import * as sec from '../codec/security.js';
import { andThen } from '../codec/util.js';
import { type Inbound, namedRoute, type UntypedOutbound, type UntypedSession } from '../engine.js';
import {
  CSMS_TO_STATION_2X,
  CSMS_TO_STATION_21,
  explain201,
  type PassHandlers,
  passInbound,
  passOutbound,
  type Request21,
  SEND_21,
  STATION_REPORTS_2X,
  STATION_TO_CSMS_2X,
  STATION_TO_CSMS_21,
  type StationPassOperations,
  sendOutbound,
} from './passthrough.js';

/** Every station operation beyond the core ones (2.0.1 lacks the 2.1 block). */
export type StationMoreOperations = StationPassOperations<typeof STATION_TO_CSMS_2X> &
  StationPassOperations<typeof STATION_REPORTS_2X> &
  StationPassOperations<typeof STATION_TO_CSMS_21> & {
    /** SecurityEventNotification (1.6 security extension, 2.x); `timestamp` defaults to now. */
    readonly securityEventNotification: readonly [sec.SecurityEventParams, undefined];
    /** SignCertificate: a CSR for the CSMS to sign (the chain comes as CertificateSigned). */
    readonly signCertificate: readonly [sec.SignCertificateParams, sec.SignCertificateResult];
    /** 2.1 NotifyPeriodicEventStream, a SEND: resolves once handed to the connection. */
    readonly notifyPeriodicEventStream: readonly [
      Request21<'NotifyPeriodicEventStream'>,
      undefined,
    ];
  };

const SECURITY_IN_2X = {
  certificateSigned: 'CertificateSigned',
  installCertificate: 'InstallCertificate',
  deleteCertificate: 'DeleteCertificate',
  getInstalledCertificateIds: 'GetInstalledCertificateIds',
} as const;

/** The station handlers beyond the core ones: every CSMS-initiated 2.x and 2.1 operation. */
export interface StationMoreHandlers<D>
  extends PassHandlers<typeof CSMS_TO_STATION_2X, StationContext<D>>,
    PassHandlers<typeof CSMS_TO_STATION_21, StationContext<D>>,
    PassHandlers<typeof SECURITY_IN_2X, StationContext<D>> {}

/** SecurityEventNotification: the same three fields in every version, answered `{}`. */
function securityEvent(version: 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1'): UntypedOutbound {
  return {
    actions: ['SecurityEventNotification'],
    send: (async (
      session: UntypedSession,
      p: sec.SecurityEventParams,
      _end: unknown,
      o: CallOptions | undefined,
    ) => {
      const request = sec.stampSecurityEvent(p);
      try {
        await session.call('SecurityEventNotification', request, o);
      } catch (e) {
        throw version === 'ocpp2.0.1' ? explain201('SecurityEventNotification', request, e) : e;
      }
      return undefined;
    }) as UntypedOutbound['send'],
  };
}

/** The station's further outbound rows of a 2.x version, typed as the codec wants them. */
export function stationMoreOutbound2x<T>(version: 'ocpp2.0.1' | 'ocpp2.1'): T {
  return {
    ...passOutbound(STATION_TO_CSMS_2X, version),
    ...passOutbound(STATION_REPORTS_2X, version),
    ...passOutbound({ signCertificate: 'SignCertificate' }, version),
    securityEventNotification: securityEvent(version),
    ...(version === 'ocpp2.1'
      ? {
          ...passOutbound(STATION_TO_CSMS_21, version),
          notifyPeriodicEventStream: sendOutbound(SEND_21.notifyPeriodicEventStream),
        }
      : {}),
  } as T;
}

/** The station's further outbound rows of 1.6: the security whitepaper's two messages. */
export function stationMoreOutbound16<T>(): T {
  return {
    securityEventNotification: securityEvent('ocpp1.6'),
    signCertificate: {
      actions: ['SignCertificate'],
      send: (async (
        session: UntypedSession,
        p: sec.SignCertificateParams,
        _end: unknown,
        o: CallOptions | undefined,
      ) =>
        sec.statusOnly(
          (await session.call('SignCertificate', sec.stampSignCertificate16(p), o)) as {
            status: 'Accepted' | 'Rejected';
          },
        )) as UntypedOutbound['send'],
    },
  } as T;
}

/** The station's further inbound routes of a 2.x version. */
export function stationMoreInbound2x<Rtr, H extends object, Ctx>(
  version: 'ocpp2.0.1' | 'ocpp2.1',
): Inbound<Rtr, H, Ctx>[] {
  const { getVariables: _get, setVariables: _set, ...rest } = CSMS_TO_STATION_2X;
  return [
    ...passInbound<Rtr, H, Ctx>(rest),
    ...passInbound<Rtr, H, Ctx>(SECURITY_IN_2X),
    ...(version === 'ocpp2.1' ? passInbound<Rtr, H, Ctx>(CSMS_TO_STATION_21) : []),
  ];
}

/** A 1.6 route: the request lifted for the neutral handler, its answer stamped back. */
function route16<Rtr, H extends object, Ctx, A extends keyof V16.V16ActionMap>(
  action: A,
  handler: string,
  lift: (request: V16.V16ActionMap[A]['request']) => unknown,
  stamp: (result: never) => V16.V16ActionMap[A]['response'],
): Inbound<Rtr, H, Ctx> {
  return namedRoute<Rtr, H, Ctx>(action, handler, (request, context, h) =>
    andThen(
      h?.(lift(request as V16.V16ActionMap[A]['request']), context),
      stamp as (result: unknown) => unknown,
    ),
  );
}

/** The station's further inbound routes of 1.6: certificates through the security whitepaper. */
export function stationMoreInbound16<Rtr, H extends object, Ctx>(): Inbound<Rtr, H, Ctx>[] {
  return [
    route16<Rtr, H, Ctx, 'CertificateSigned'>(
      'CertificateSigned',
      'onCertificateSigned',
      sec.liftCertificateSigned16,
      sec.statusOnly,
    ),
    route16<Rtr, H, Ctx, 'InstallCertificate'>(
      'InstallCertificate',
      'onInstallCertificate',
      sec.liftInstallCertificate16,
      sec.statusOnly,
    ),
    route16<Rtr, H, Ctx, 'DeleteCertificate'>(
      'DeleteCertificate',
      'onDeleteCertificate',
      (r) => r,
      sec.statusOnly,
    ),
    route16<Rtr, H, Ctx, 'GetInstalledCertificateIds'>(
      'GetInstalledCertificateIds',
      'onGetInstalledCertificateIds',
      sec.liftGetInstalledCertificateIds16,
      sec.stampInstalledCertificateIds16,
    ),
  ];
}
