import { isOcppSdkError } from '@ocpp/runtime';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CsmsHandlers,
  type DeviceModelReport,
  type EventReport,
  isUnsupportedByVersion,
  type ProtocolVersion,
  type StationHandle,
  type StationHandlers,
} from '../src/index.js';
import { csms16, csms21, csms201 } from '../src/tables/csms.js';
import { station16, station21, station201 } from '../src/tables/station.js';
import { startCsms, startStation } from './helpers.js';

const T0 = '2026-01-02T03:04:05.000Z';

/** What station handlers send after answering: run after the answer, awaited by the test. */
const pending: Promise<unknown>[] = [];
function later(send: () => Promise<unknown>): void {
  pending.push(new Promise((resolve) => setTimeout(resolve, 0)).then(send));
}
afterEach(async () => {
  await Promise.all(pending.splice(0));
});

async function connect(
  version: ProtocolVersion,
  handlers: StationHandlers,
  csmsHandlers: CsmsHandlers = {},
  reports?: { timeoutMs: number },
) {
  const { csms, url } = await startCsms(csmsHandlers, reports === undefined ? {} : { reports });
  const identity = `COV-${version}`;
  const { station, frames } = await startStation(url, version, identity, handlers);
  await vi.waitFor(() => expect(csms.station(identity)).toBeDefined());
  return { csms, station, frames, handle: csms.station(identity) as StationHandle };
}

// ---------------------------------------------------------------------------------------------
// Every action of every version is reachable, on the side that sends it and the side that gets it
// ---------------------------------------------------------------------------------------------

const VERSIONS = [
  { version: 'ocpp1.6', protocol: v16Protocol, csms: csms16, station: station16 },
  { version: 'ocpp2.0.1', protocol: v201Protocol, csms: csms201, station: station201 },
  { version: 'ocpp2.1', protocol: v21Protocol, csms: csms21, station: station21 },
] as const;

/** The actions a codec's outbound table may send, and those its inbound routes answer. */
function reach(codec: { outbound: object; inbound: readonly { action: string }[] }): {
  sends: Set<string>;
  answers: Set<string>;
} {
  const sends = new Set<string>();
  for (const entry of Object.values(codec.outbound) as { actions: readonly string[] }[])
    for (const a of entry.actions) sends.add(a);
  return { sends, answers: new Set(codec.inbound.map((r) => r.action)) };
}

describe('the registry of every version', () => {
  it.each(VERSIONS)('$version: each action is a neutral operation on both sides', (v) => {
    const descriptor = v.protocol as unknown as {
      actions: Record<string, { direction: string }>;
      isAction(a: string): boolean;
    };
    const station = reach(v.station);
    const csms = reach(v.csms);
    const missing: string[] = [];
    for (const [action, entry] of Object.entries(descriptor.actions)) {
      const { direction } = entry as { direction: string };
      if (direction !== 'CsmsToStation' && !(station.sends.has(action) && csms.answers.has(action)))
        missing.push(`${action} (station → CSMS)`);
      if (direction !== 'StationToCsms' && !(csms.sends.has(action) && station.answers.has(action)))
        missing.push(`${action} (CSMS → station)`);
    }
    expect(missing).toEqual([]);
    // And nothing names an action the version does not have.
    for (const a of [...station.sends, ...csms.sends, ...station.answers, ...csms.answers])
      expect(descriptor.isAction(a), a).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Certificates, in every version
// ---------------------------------------------------------------------------------------------

const HASH = {
  hashAlgorithm: 'SHA256',
  issuerNameHash: 'a1b2',
  issuerKeyHash: 'c3d4',
  serialNumber: '01',
} as const;

describe.each(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const)('certificates: %s', (version) => {
  it('a CSR is signed, the chain installed and listed, a root installed and deleted', async () => {
    const installed: { type: string; pem: string }[] = [];
    const signed: string[] = [];
    const events: string[] = [];
    const { station, handle, frames } = await connect(
      version,
      {
        onCertificateSigned: (p) => {
          signed.push(p.certificateChain);
          return { status: 'Accepted' };
        },
        onInstallCertificate: (p) => {
          installed.push({ type: p.certificateType, pem: p.certificate });
          return { status: 'Accepted' };
        },
        onGetInstalledCertificateIds: (p) => ({
          status: 'Accepted',
          certificateHashDataChain: installed
            .filter((c) => p.certificateType?.includes(c.type as never) ?? true)
            .map((c) => ({
              certificateType: c.type as 'CSMSRootCertificate',
              certificateHashData: HASH,
            })),
        }),
        onDeleteCertificate: (p) => ({
          status: p.certificateHashData.serialNumber === '01' ? 'Accepted' : 'NotFound',
        }),
      },
      {
        onSignCertificate: (p, c) => {
          // Sign after answering, as a CSMS does.
          later(async () => {
            await c.station.certificateSigned({ certificateChain: `SIGNED(${p.csr})` });
          });
          return { status: 'Accepted' };
        },
        onSecurityEvent: (p) => {
          events.push(p.type);
        },
      },
    );
    await expect(station.signCertificate({ csr: 'CSR-1' })).resolves.toEqual({
      status: 'Accepted',
    });
    await vi.waitFor(() => expect(signed).toEqual(['SIGNED(CSR-1)']));
    await expect(
      handle.installCertificate({ certificateType: 'CSMSRootCertificate', certificate: 'PEM-R' }),
    ).resolves.toEqual({ status: 'Accepted' });
    expect(installed).toEqual([{ type: 'CSMSRootCertificate', pem: 'PEM-R' }]);
    const listed = await handle.getInstalledCertificateIds({
      certificateType: ['CSMSRootCertificate'],
    });
    expect(listed).toEqual({
      status: 'Accepted',
      certificateHashDataChain: [
        { certificateType: 'CSMSRootCertificate', certificateHashData: HASH },
      ],
    });
    await expect(
      handle.deleteCertificate({ certificateHashData: { ...HASH, serialNumber: '02' } }),
    ).resolves.toEqual({ status: 'NotFound' });
    await station.securityEventNotification({ type: 'SettingSystemTime', timestamp: T0 });
    await vi.waitFor(() => expect(events).toEqual(['SettingSystemTime']));

    const actions = frames.filter((f) => f[1] === 2).map((f) => f[2]);
    if (version === 'ocpp1.6') {
      // 1.6 names the CSMS root certificate as the whitepaper does.
      const install = frames.find((f) => f[2] === 'InstallCertificate');
      expect(install?.[3]).toEqual({
        certificateType: 'CentralSystemRootCertificate',
        certificate: 'PEM-R',
      });
    }
    expect(actions).toEqual([
      'SignCertificate',
      'CertificateSigned',
      'InstallCertificate',
      'GetInstalledCertificateIds',
      'DeleteCertificate',
      'SecurityEventNotification',
    ]);
  });

  it('a trigger for the station certificate reaches onTriggerMessage', async () => {
    const seen: string[] = [];
    const { handle, frames } = await connect(version, {
      onTriggerMessage: (p) => {
        seen.push(p.requestedMessage);
        return { status: 'Accepted' };
      },
    });
    await expect(
      handle.triggerMessage({ requestedMessage: 'SignChargingStationCertificate' }),
    ).resolves.toMatchObject({ status: 'Accepted' });
    expect(seen).toEqual(['SignChargingStationCertificate']);
    const sent = frames.find((f) => f[1] === 2);
    expect(sent?.[2]).toBe(version === 'ocpp1.6' ? 'ExtendedTriggerMessage' : 'TriggerMessage');
  });

  it('what the version cannot carry is refused before sending', async () => {
    const { handle, frames } = await connect(version, {});
    const before = frames.length;
    const v2g = handle.installCertificate({
      certificateType: 'OEMRootCertificate',
      certificate: 'PEM',
    });
    if (version === 'ocpp2.1') {
      // Sent, and answered NotSupported: no handler.
      await expect(v2g).rejects.toMatchObject({ code: 'NotSupported' });
      return;
    }
    const e = await v2g.catch((x: unknown) => x);
    expect(isUnsupportedByVersion(e), String(e)).toBe(true);
    expect(String((e as Error).message)).toContain('OEMRootCertificate');
    expect(frames.length).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------
// The device model and the reports, in 2.0.1 and 2.1
// ---------------------------------------------------------------------------------------------

const component = { name: 'OCPPCommCtrlr' };
const reportData = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    component,
    variable: { name: `Var${i}` },
    variableAttribute: [
      { type: 'Actual' as const, value: String(i), mutability: 'ReadOnly' as const },
    ],
  }));

describe.each(['ocpp2.0.1', 'ocpp2.1'] as const)('reports: %s', (version) => {
  it('a base report in three parts is assembled for the asker and for onReport', async () => {
    const reports: DeviceModelReport[] = [];
    const { station, handle } = await connect(
      version,
      {
        onGetBaseReport: (p, c) => {
          // The parts follow the answer.
          later(async () => {
            const data = reportData(5);
            // Sent out of order: assembled by seqNo.
            await c.station.notifyReport({
              requestId: p.requestId,
              generatedAt: T0,
              seqNo: 1,
              tbc: true,
              reportData: data.slice(2, 4),
            });
            await c.station.notifyReport({
              requestId: p.requestId,
              generatedAt: T0,
              seqNo: 0,
              tbc: true,
              reportData: data.slice(0, 2),
            });
            await c.station.notifyReport({
              requestId: p.requestId,
              generatedAt: T0,
              seqNo: 2,
              reportData: data.slice(4),
            });
          });
          return { status: 'Accepted' };
        },
      },
      { onReport: (r) => void reports.push(r) },
    );
    expect(station).toBeDefined();
    const answer = await handle.getBaseReport({ reportBase: 'FullInventory' });
    expect(answer.status).toBe('Accepted');
    expect(answer.report?.reportData.map((d) => d.variable.name)).toEqual([
      'Var0',
      'Var1',
      'Var2',
      'Var3',
      'Var4',
    ]);
    expect(answer.report?.requestId).toBe(answer.requestId);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.reportData).toHaveLength(5);
  });

  it('a refused report resolves at once, without one', async () => {
    const { handle } = await connect(version, {
      onGetReport: () => ({ status: 'EmptyResultSet' }),
    });
    const answer = await handle.getReport({ requestId: 77, componentVariable: [{ component }] });
    expect(answer).toEqual({ status: 'EmptyResultSet', requestId: 77 });
  });

  it('a report that stops arriving rejects with TIMEOUT, and an unasked one is reported', async () => {
    const incomplete: unknown[] = [];
    const { handle, csms, station } = await connect(
      version,
      {
        onGetMonitoringReport: (p, c) => {
          later(async () => {
            await c.station.notifyMonitoringReport({
              requestId: p.requestId,
              generatedAt: T0,
              seqNo: 0,
              tbc: true,
            });
          });
          return { status: 'Accepted' };
        },
      },
      { onMonitoringReport: () => {} },
      { timeoutMs: 50 },
    );
    csms.on('reportIncomplete', (_s, r) => incomplete.push(r));
    const e = await handle.getMonitoringReport({}).catch((x: unknown) => x);
    expect(isOcppSdkError(e) && e.code).toBe('TIMEOUT');
    expect(String((e as Error).message)).toContain('1 part(s) received');
    // Nobody asked for report 9: given up and told to the listeners.
    await station.notifyMonitoringReport({ requestId: 9, generatedAt: T0, seqNo: 0, tbc: true });
    await vi.waitFor(() =>
      expect(incomplete).toEqual([
        { kind: 'monitoringReport', requestId: 9, parts: 1, reason: 'timeout' },
      ]),
    );
  });

  it('display messages are set, listed and cleared', async () => {
    const messages = new Map<number, unknown>();
    const { handle } = await connect(version, {
      onSetDisplayMessage: (p) => {
        messages.set(p.message.id, p.message);
        return { status: 'Accepted' };
      },
      onGetDisplayMessages: (p, c) => {
        if (messages.size === 0) return { status: 'Unknown' };
        const messageInfo = [...messages.values()] as never;
        later(() => c.station.notifyDisplayMessages({ requestId: p.requestId, messageInfo }));
        return { status: 'Accepted' };
      },
      onClearDisplayMessage: (p) => ({
        status: messages.delete(p.id) ? 'Accepted' : 'Unknown',
      }),
    });
    const message = {
      id: 4,
      priority: 'NormalCycle' as const,
      message: { format: 'UTF8' as const, content: 'Welcome' },
    };
    await expect(handle.setDisplayMessage({ message })).resolves.toEqual({ status: 'Accepted' });
    const listed = await handle.getDisplayMessages({});
    expect(listed.report?.messageInfo).toEqual([message]);
    await expect(handle.clearDisplayMessage({ id: 4 })).resolves.toEqual({ status: 'Accepted' });
    await expect(handle.getDisplayMessages({})).resolves.toMatchObject({ status: 'Unknown' });
  });

  it('a monitor set on a variable triggers NotifyEvent, assembled for onEvent', async () => {
    const events: EventReport[] = [];
    const { handle } = await connect(
      version,
      {
        onSetVariableMonitoring: (p, c) => {
          later(async () => {
            const base = {
              eventId: 1,
              timestamp: T0,
              trigger: 'Alerting' as const,
              actualValue: '41',
              eventNotificationType: 'CustomMonitor' as const,
              component: p.setMonitoringData[0]!.component,
              variable: p.setMonitoringData[0]!.variable,
            };
            await c.station
              .notifyEvent({ generatedAt: T0, seqNo: 0, tbc: true, eventData: [base] })
              .then(() =>
                c.station.notifyEvent({
                  generatedAt: T0,
                  seqNo: 1,
                  eventData: [{ ...base, eventId: 2, actualValue: '42' }],
                }),
              );
          });
          return {
            setMonitoringResult: p.setMonitoringData.map((d) => ({
              id: 1,
              status: 'Accepted' as const,
              type: d.type,
              severity: d.severity,
              component: d.component,
              variable: d.variable,
            })),
          };
        },
      },
      { onEvent: (r) => void events.push(r) },
    );
    const result = await handle.setVariableMonitoring({
      setMonitoringData: [
        {
          value: 40,
          type: 'UpperThreshold',
          severity: 5,
          component: { name: 'EVSE', evse: { id: 1 } },
          variable: { name: 'Power' },
        },
      ],
    });
    expect(result.setMonitoringResult[0]?.status).toBe('Accepted');
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(events[0]?.eventData.map((e) => e.actualValue)).toEqual(['41', '42']);
  });

  it('GetChargingProfiles is reported per EVSE', async () => {
    const profile = {
      id: 1,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile' as const,
      chargingProfileKind: 'Absolute' as const,
      chargingSchedule: [
        {
          id: 1,
          startSchedule: T0,
          chargingRateUnit: 'A' as const,
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }],
        },
      ],
    };
    const { handle } = await connect(version, {
      onGetChargingProfiles: (p, c) => {
        later(async () => {
          for (const evseId of [1, 2])
            await c.station.reportChargingProfiles({
              requestId: p.requestId,
              chargingLimitSource: 'CSO',
              evseId,
              chargingProfile: [profile],
              tbc: evseId === 1,
            });
        });
        return { status: 'Accepted' };
      },
    });
    const answer = await handle.getChargingProfiles({
      chargingProfile: { chargingLimitSource: ['CSO'] },
    });
    expect(answer.report?.profiles.map((p) => p.evseId)).toEqual([1, 2]);
    expect(answer.report?.profiles[0]?.chargingProfile[0]?.id).toBe(1);
  });

  it('CostUpdated reaches the station', async () => {
    const costs: number[] = [];
    const { handle } = await connect(version, {
      onCostUpdated: (p) => {
        costs.push(p.totalCost);
        return {};
      },
    });
    await handle.costUpdated({ totalCost: 12.5, transactionId: 'T-1' });
    expect(costs).toEqual([12.5]);
  });

  it('a provisioning CSMS: boot Pending, base report, then Accepted', async () => {
    const provisioned = new Set<string>();
    const { station, handle } = await connect(
      version,
      {
        onGetBaseReport: (p, c) => {
          later(async () => {
            await c.station.notifyReport({
              requestId: p.requestId,
              generatedAt: T0,
              seqNo: 0,
              reportData: reportData(2),
            });
          });
          return { status: 'Accepted' };
        },
      },
      {
        onBoot: (_p, c) => ({
          status: provisioned.has(c.identity) ? 'Accepted' : 'Pending',
          interval: 1,
        }),
      },
    );
    const boot = { vendorName: 'V', model: 'M' };
    await expect(station.boot(boot)).resolves.toMatchObject({ status: 'Pending' });
    const answer = await handle.getBaseReport({ reportBase: 'ConfigurationInventory' });
    expect(answer.report?.reportData).toHaveLength(2);
    provisioned.add(handle.identity);
    await expect(station.boot(boot)).resolves.toMatchObject({ status: 'Accepted' });
  });
});

// ---------------------------------------------------------------------------------------------
// The cost fields of a TransactionEvent answer, and the ISO 15118 fields of Authorize (2.x)
// ---------------------------------------------------------------------------------------------

describe.each(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const)('cost and C07: %s', (version) => {
  const OCSP = {
    hashAlgorithm: 'SHA256' as const,
    issuerNameHash: 'aa',
    issuerKeyHash: 'bb',
    serialNumber: '01',
    responderURL: 'http://ocsp.example.com',
  };
  it('totalCost, chargingPriority and the personal message reach the station (2.x)', async () => {
    const seen: unknown[] = [];
    const { station } = await connect(
      version,
      {},
      {
        onTransaction: () => ({
          idTokenInfo: { status: 'Accepted' },
          totalCost: 3.25,
          chargingPriority: 2,
          updatedPersonalMessage: { format: 'UTF8', content: '€3.25 so far' },
        }),
        onAuthorize: (p) => {
          seen.push(p);
          return { idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' };
        },
      },
    );
    const started = await station.startTransaction({
      evseId: 1,
      idToken: { idToken: 'TAG1', type: 'ISO14443' },
      meterStart: 0,
      timestamp: T0,
    });
    if (version === 'ocpp1.6') expect(started).not.toHaveProperty('totalCost');
    else
      expect(started).toMatchObject({
        totalCost: 3.25,
        chargingPriority: 2,
        updatedPersonalMessage: { format: 'UTF8', content: '€3.25 so far' },
      });
    const authorize = station.authorize({
      idToken: { idToken: 'EMAID1', type: 'eMAID' },
      certificate: 'PEM',
      iso15118CertificateHashData: [OCSP],
    });
    if (version === 'ocpp1.6') {
      await expect(authorize).rejects.toSatisfy(isUnsupportedByVersion);
      return;
    }
    await expect(authorize).resolves.toMatchObject({ certificateStatus: 'Accepted' });
    expect(seen).toEqual([
      {
        idToken: { idToken: 'EMAID1', type: 'eMAID' },
        certificate: 'PEM',
        iso15118CertificateHashData: [OCSP],
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2.1-only operations
// ---------------------------------------------------------------------------------------------

describe('2.1-only operations', () => {
  it('are refused for 2.0.1 before sending, and sent for 2.1', async () => {
    for (const version of ['ocpp2.0.1', 'ocpp2.1'] as const) {
      const { handle, frames } = await connect(version, {
        onGetTariffs: () => ({ status: 'NoTariff' }),
      });
      const answer = handle.getTariffs({ evseId: 1 });
      if (version === 'ocpp2.0.1') {
        await expect(answer).rejects.toSatisfy(isUnsupportedByVersion);
        expect(frames.some((f) => f[2] === 'GetTariffs')).toBe(false);
      } else await expect(answer).resolves.toEqual({ status: 'NoTariff' });
    }
  });

  it('the 2.1 SEND NotifyPeriodicEventStream reaches its handler, unanswered', async () => {
    const streams: number[] = [];
    const { station, frames } = await connect(
      'ocpp2.1',
      {},
      { onNotifyPeriodicEventStream: (p) => void streams.push(p.id) },
    );
    await station.notifyPeriodicEventStream({
      id: 3,
      pending: 0,
      basetime: T0,
      data: [{ t: 0, v: '42' }],
    });
    await vi.waitFor(() => expect(streams).toEqual([3]));
    // A SEND (type 6) went out, and nothing came back for it.
    expect(frames.filter((f) => f[0] === 'out').map((f) => f[1])).toEqual([6]);
    expect(frames.filter((f) => f[0] === 'in')).toEqual([]);
  });

  it('a 2.1-only value is refused for 2.0.1, naming it', async () => {
    const { handle, frames } = await connect('ocpp2.0.1', {});
    const e = await handle
      .setDisplayMessage({
        message: {
          id: 1,
          priority: 'AlwaysFront',
          message: { format: 'UTF8', content: 'Hi' },
          messageExtra: [{ format: 'UTF8', content: 'Hallo', language: 'nl' }],
        },
      })
      .catch((x: unknown) => x);
    expect(isUnsupportedByVersion(e), String(e)).toBe(true);
    expect(String((e as Error).message)).toContain('messageExtra');
    expect(frames.some((f) => f[2] === 'SetDisplayMessage')).toBe(false);
  });
});
