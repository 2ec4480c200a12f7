import { describe, expect, it } from 'vitest';
import { eventually, startCli, startTestCsms, type TestCsms } from './helpers/cli.js';

type Version = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';
const VERSIONS: readonly Version[] = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'];

interface Station {
  identity: string;
  protocol: Version;
  connectors: { evseId: number; status: string }[];
}

// biome-ignore lint/suspicious/noExplicitAny: test code reads the JSON it asserts on
type Json = any;

/** A CALL the CSMS received from a station, with when it was logged. */
interface SeenCall {
  time: string;
  action: string;
  payload: Json;
}

/** A CSMS and three idle simulated stations (one per version, two EVSEs each). */
async function fleetOfThree(): Promise<{ csms: TestCsms; stations: Record<Version, Station> }> {
  const csms = await startTestCsms(['--quiet']);
  startCli([
    'simulate',
    '--url',
    csms.url,
    '--stations',
    '3',
    '--connectors',
    '2',
    '--scenario',
    'idle',
    '--duration',
    '40',
    '--session-duration',
    '30',
    '--meter-interval',
    '0.5',
    '--json',
  ]);
  const list = await eventually('three stations with available connectors', async () => {
    const { body } = (await csms.api('/api/stations')) as { body: Station[] };
    return body.length === 3 &&
      body.every(
        (s) => s.connectors.length === 2 && s.connectors.every((c) => c.status === 'Available'),
      )
      ? body
      : undefined;
  });
  const stations = Object.fromEntries(list.map((s) => [s.protocol, s])) as Record<Version, Station>;
  return { csms, stations };
}

/** The raw, versioned CALL through the admin API; resolves with the station's CALLRESULT payload. */
async function call(
  csms: TestCsms,
  identity: string,
  action: string,
  payload: unknown,
): Promise<Json> {
  const res = await csms.api(`/api/stations/${identity}/call`, { action, payload });
  if (res.status !== 200)
    throw new Error(`${action}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.result;
}

/** The CALLs a station sent the CSMS, oldest first (`actions` filters them). */
async function callsFrom(
  csms: TestCsms,
  identity: string,
  ...actions: string[]
): Promise<SeenCall[]> {
  const { body } = (await csms.api(`/api/frames?limit=500&station=${identity}`)) as {
    body: { time: string; from: string; frame: string }[];
  };
  const out: SeenCall[] = [];
  for (const f of body) {
    if (f.from !== 'station') continue;
    const frame = JSON.parse(f.frame) as unknown[];
    if (frame[0] !== 2 || !actions.includes(frame[2] as string)) continue;
    out.push({ time: f.time, action: frame[2] as string, payload: frame[3] });
  }
  return out;
}

/** Status notifications a station sent for one EVSE, as the neutral status (1.6 connector status). */
async function statusesOf(csms: TestCsms, s: Station, evseId: number): Promise<string[]> {
  const calls = await callsFrom(csms, s.identity, 'StatusNotification');
  return calls
    .filter(
      (c) =>
        (c.payload.connectorId === evseId && s.protocol === 'ocpp1.6') ||
        c.payload.evseId === evseId,
    )
    .map((c) => (s.protocol === 'ocpp1.6' ? c.payload.status : c.payload.connectorStatus));
}

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('simulated stations answer the CSMS like real ones, on every version', () => {
  it('firmware updates go Downloading → Downloaded → Installing → Installed, after a near retrieve date', async () => {
    const { csms, stations } = await fleetOfThree();
    const v16 = stations['ocpp1.6'].identity;
    const v201 = stations['ocpp2.0.1'].identity;
    const v21 = stations['ocpp2.1'].identity;
    const location = 'https://firmware.invalid/sim-2.0.0.bin';

    // 1.6 plain UpdateFirmware: an empty answer, then the plain notifications (no request id).
    expect(await call(csms, v16, 'UpdateFirmware', { location, retrieveDate: inMs(0) })).toEqual(
      {},
    );
    // 2.0.1: a retrieve date 1 s ahead is waited for, and reported as scheduled meanwhile.
    const retrieveAt = inMs(1000);
    expect(
      await call(csms, v201, 'UpdateFirmware', {
        requestId: 7,
        firmware: { location, retrieveDateTime: retrieveAt },
      }),
    ).toEqual({ status: 'Accepted' });
    // 2.1: an update a day ahead stays scheduled; a new one replaces it (AcceptedCanceled).
    expect(
      await call(csms, v21, 'UpdateFirmware', {
        requestId: 1,
        firmware: { location, retrieveDateTime: inMs(86_400_000) },
      }),
    ).toEqual({ status: 'Accepted' });
    await eventually('the far-future update scheduled', async () =>
      (await callsFrom(csms, v21, 'FirmwareStatusNotification')).length === 1 ? true : undefined,
    );
    expect(
      await call(csms, v21, 'UpdateFirmware', {
        requestId: 2,
        firmware: { location, retrieveDateTime: inMs(0) },
      }),
    ).toEqual({ status: 'AcceptedCanceled' });

    const installed = (identity: string, action: string) =>
      eventually(`${identity} installed`, async () => {
        const seen = await callsFrom(csms, identity, action);
        return seen.at(-1)?.payload.status === 'Installed' ? seen : undefined;
      });
    const plain = await installed(v16, 'FirmwareStatusNotification');
    expect(plain.map((c) => c.payload)).toEqual([
      { status: 'Downloading' },
      { status: 'Downloaded' },
      { status: 'Installing' },
      { status: 'Installed' },
    ]);
    const scheduled = await installed(v201, 'FirmwareStatusNotification');
    expect(scheduled.map((c) => c.payload)).toEqual(
      ['DownloadScheduled', 'Downloading', 'Downloaded', 'Installing', 'Installed'].map(
        (status) => ({ status, requestId: 7 }),
      ),
    );
    expect(Date.parse(scheduled[1]!.time)).toBeGreaterThanOrEqual(Date.parse(retrieveAt) - 50);
    const replaced = await installed(v21, 'FirmwareStatusNotification');
    expect(replaced.map((c) => [c.payload.requestId, c.payload.status])).toEqual([
      [1, 'DownloadScheduled'],
      [2, 'Downloading'],
      [2, 'Downloaded'],
      [2, 'Installing'],
      [2, 'Installed'],
    ]);
  }, 40_000);

  it('log requests are accepted with a file name, then Uploading → Uploaded; a newer one cancels', async () => {
    const { csms, stations } = await fleetOfThree();
    const remoteLocation = 'https://logs.invalid/upload';
    const uploaded = (identity: string, action: string, requestId?: number) =>
      eventually(`${identity} uploaded`, async () => {
        const seen = (await callsFrom(csms, identity, action)).filter(
          (c) => c.payload.requestId === requestId,
        );
        return seen.at(-1)?.payload.status === 'Uploaded' ? seen.map((c) => c.payload) : undefined;
      });

    const v16 = stations['ocpp1.6'].identity;
    const diagnostics = await call(csms, v16, 'GetDiagnostics', { location: remoteLocation });
    expect(diagnostics.fileName).toMatch(
      new RegExp(`^${v16}-DiagnosticsLog-\\d{8}T\\d{6}Z\\.log$`),
    );
    expect(await uploaded(v16, 'DiagnosticsStatusNotification')).toEqual([
      { status: 'Uploading' },
      { status: 'Uploaded' },
    ]);
    // The 1.6 security extension's GetLog carries a request id: LogStatusNotification.
    const security = await call(csms, v16, 'GetLog', {
      logType: 'SecurityLog',
      requestId: 5,
      log: { remoteLocation },
    });
    expect(security).toMatchObject({
      status: 'Accepted',
      filename: expect.stringContaining('SecurityLog'),
    });
    expect(await uploaded(v16, 'LogStatusNotification', 5)).toEqual([
      { status: 'Uploading', requestId: 5 },
      { status: 'Uploaded', requestId: 5 },
    ]);

    for (const version of ['ocpp2.0.1', 'ocpp2.1'] as const) {
      const id = stations[version].identity;
      const getLog = (requestId: number) =>
        call(csms, id, 'GetLog', { logType: 'DiagnosticsLog', requestId, log: { remoteLocation } });
      expect(await getLog(8)).toMatchObject({
        status: 'Accepted',
        filename: expect.stringMatching(/\.log$/),
      });
      expect((await getLog(9)).status).toBe('AcceptedCanceled');
      expect(await uploaded(id, 'LogStatusNotification', 9)).toEqual([
        { status: 'Uploading', requestId: 9 },
        { status: 'Uploaded', requestId: 9 },
      ]);
      const first = (await callsFrom(csms, id, 'LogStatusNotification')).filter(
        (c) => c.payload.requestId === 8,
      );
      expect(first.map((c) => c.payload.status).at(-1)).toBe('AcceptedCanceled');
    }
  }, 40_000);

  it('charging profiles are kept per EVSE, cleared by id or criteria, and make the composite schedule', async () => {
    const { csms, stations } = await fleetOfThree();
    for (const version of VERSIONS) {
      const id = stations[version].identity;
      const v16 = version === 'ocpp1.6';
      const start = new Date(Date.now() - 1000).toISOString();
      const purpose16: Record<string, string> = {
        ChargingStationMaxProfile: 'ChargePointMaxProfile',
      };
      const setProfile = (
        evseId: number,
        profileId: number,
        purpose: string,
        limits: [number, number][],
        stackLevel = 0,
      ) => {
        const periods = limits.map(([startPeriod, limit]) => ({ startPeriod, limit }));
        return call(
          csms,
          id,
          'SetChargingProfile',
          v16
            ? {
                connectorId: evseId,
                csChargingProfiles: {
                  chargingProfileId: profileId,
                  stackLevel,
                  chargingProfilePurpose: purpose16[purpose] ?? purpose,
                  chargingProfileKind: 'Absolute',
                  chargingSchedule: {
                    startSchedule: start,
                    chargingRateUnit: 'W',
                    chargingSchedulePeriod: periods,
                  },
                },
              }
            : {
                evseId,
                chargingProfile: {
                  id: profileId,
                  stackLevel,
                  chargingProfilePurpose: purpose,
                  chargingProfileKind: 'Absolute',
                  chargingSchedule: [
                    {
                      id: 1,
                      startSchedule: start,
                      chargingRateUnit: 'W',
                      chargingSchedulePeriod: periods,
                    },
                  ],
                },
              },
        );
      };
      const composite = async (evseId: number) => {
        const r = await call(
          csms,
          id,
          'GetCompositeSchedule',
          v16
            ? { connectorId: evseId, duration: 300, chargingRateUnit: 'W' }
            : { evseId, duration: 300, chargingRateUnit: 'W' },
        );
        if (r.status !== 'Accepted') return r.status as string;
        const s = v16 ? r.chargingSchedule : r.schedule;
        // The change 61 s after `start` comes 60 s after the request, less the time gone since.
        return (s.chargingSchedulePeriod as { startPeriod: number; limit: number }[]).map(
          (p) =>
            [p.startPeriod >= 55 && p.startPeriod <= 60 ? 60 : p.startPeriod, p.limit] as const,
        );
      };
      const clear = (criteria: { id?: number; evseId?: number; purpose?: string }) =>
        call(
          csms,
          id,
          'ClearChargingProfile',
          v16
            ? {
                ...(criteria.id === undefined ? {} : { id: criteria.id }),
                ...(criteria.evseId === undefined ? {} : { connectorId: criteria.evseId }),
                ...(criteria.purpose === undefined
                  ? {}
                  : { chargingProfilePurpose: purpose16[criteria.purpose] ?? criteria.purpose }),
              }
            : criteria.id !== undefined
              ? { chargingProfileId: criteria.id }
              : {
                  chargingProfileCriteria: {
                    ...(criteria.evseId === undefined ? {} : { evseId: criteria.evseId }),
                    ...(criteria.purpose === undefined
                      ? {}
                      : { chargingProfilePurpose: criteria.purpose }),
                  },
                },
        );

      expect(await composite(1), version).toBe('Rejected');
      // The station limit (6 kW, 4 kW after 60 s since `start`) and a 5 kW default for EVSE 1.
      expect(
        (
          await setProfile(0, 1, 'ChargingStationMaxProfile', [
            [0, 6000],
            [61, 4000],
          ])
        ).status,
      ).toBe('Accepted');
      expect((await setProfile(1, 2, 'TxDefaultProfile', [[0, 5000]])).status).toBe('Accepted');
      // Refused: a station maximum on an EVSE, a transaction profile without a transaction, an EVSE
      // the station does not have.
      expect((await setProfile(1, 3, 'ChargingStationMaxProfile', [[0, 1000]])).status).toBe(
        'Rejected',
      );
      expect((await setProfile(1, 4, 'TxProfile', [[0, 1000]])).status).toBe('Rejected');
      expect((await setProfile(9, 5, 'TxDefaultProfile', [[0, 1000]])).status).toBe('Rejected');
      if (!v16) {
        // 2.x: one profile per EVSE, purpose and stack level.
        expect((await setProfile(1, 6, 'TxDefaultProfile', [[0, 1000]])).status).toBe('Rejected');
      }

      expect(await composite(1), version).toEqual([
        [0, 5000],
        [60, 4000],
      ]);
      expect(await composite(2), version).toEqual([
        [0, 6000],
        [60, 4000],
      ]);
      expect(await composite(7), version).toBe('Rejected');

      expect((await clear({ id: 99 })).status).toBe('Unknown');
      expect((await clear({ id: 2 })).status).toBe('Accepted');
      expect(await composite(1), version).toEqual([
        [0, 6000],
        [60, 4000],
      ]);
      expect((await clear({ evseId: 1 })).status).toBe('Unknown');
      expect((await clear({ purpose: 'ChargingStationMaxProfile' })).status).toBe('Accepted');
      expect(await composite(1), version).toBe('Rejected');

      // A 2 kW station limit holds a session's power under it; a TxProfile for the running
      // transaction is accepted, and the composite schedule follows the lower of the two.
      expect((await setProfile(0, 10, 'ChargingStationMaxProfile', [[0, 2000]])).status).toBe(
        'Accepted',
      );
      const started = await csms.api(`/api/stations/${id}/remote-start`, {
        idToken: `CAP-${version}`,
        evseId: 1,
      });
      expect(started.body.result.status).toBe('Accepted');
      const tx = await eventually(`${version} a metered session`, async () => {
        const { body } = (await csms.api(`/api/transactions?active=true&station=${id}`)) as {
          body: { id: string; powerW?: number }[];
        };
        return body.find((t) => t.powerW !== undefined);
      });
      expect(tx.powerW).toBeGreaterThan(0);
      expect(tx.powerW).toBeLessThanOrEqual(2000);
      const txProfile = await call(
        csms,
        id,
        'SetChargingProfile',
        v16
          ? {
              connectorId: 1,
              csChargingProfiles: {
                chargingProfileId: 11,
                transactionId: Number(tx.id),
                stackLevel: 0,
                chargingProfilePurpose: 'TxProfile',
                chargingProfileKind: 'Relative',
                chargingSchedule: {
                  chargingRateUnit: 'W',
                  chargingSchedulePeriod: [{ startPeriod: 0, limit: 1500 }],
                },
              },
            }
          : {
              evseId: 1,
              chargingProfile: {
                id: 11,
                transactionId: tx.id,
                stackLevel: 0,
                chargingProfilePurpose: 'TxProfile',
                chargingProfileKind: 'Relative',
                chargingSchedule: [
                  {
                    id: 1,
                    chargingRateUnit: 'W',
                    chargingSchedulePeriod: [{ startPeriod: 0, limit: 1500 }],
                  },
                ],
              },
            },
      );
      expect(txProfile.status, version).toBe('Accepted');
      expect(await composite(1), version).toEqual([[0, 1500]]);
    }
  }, 40_000);

  it('reservations: Reserved by StatusNotification, Occupied/Unavailable, cancel, expiry, use by the matching idToken', async () => {
    const { csms, stations } = await fleetOfThree();
    await Promise.all(
      VERSIONS.map(async (version) => {
        const s = stations[version];
        const id = s.identity;
        const v16 = version === 'ocpp1.6';
        const reserve = (
          reservationId: number,
          evseId: number,
          token: string,
          expiresInMs: number,
        ) =>
          call(
            csms,
            id,
            'ReserveNow',
            v16
              ? { reservationId, connectorId: evseId, idTag: token, expiryDate: inMs(expiresInMs) }
              : {
                  id: reservationId,
                  evseId,
                  idToken: { idToken: token, type: 'ISO14443' },
                  expiryDateTime: inMs(expiresInMs),
                },
          );
        const cancel = (reservationId: number) =>
          call(csms, id, 'CancelReservation', { reservationId });
        const connector = (evseId: number, status: string) =>
          eventually(`${version} EVSE ${evseId} ${status}`, async () => {
            const { body } = (await csms.api(`/api/stations/${id}`)) as { body: Station };
            return body.connectors.find((c) => c.evseId === evseId)?.status === status
              ? true
              : undefined;
          });

        // A short reservation on EVSE 1: Reserved, then Available again when it expires.
        expect((await reserve(1, 1, 'RESV-1', 1500)).status).toBe('Accepted');
        await connector(1, 'Reserved');
        await connector(1, 'Available');
        expect(await statusesOf(csms, s, 1)).toEqual(['Available', 'Reserved', 'Available']);

        // EVSE 2 reserved for RESV-2: another id token cannot start there; cancelling frees it.
        expect((await reserve(2, 2, 'RESV-2', 60_000)).status).toBe('Accepted');
        await connector(2, 'Reserved');
        expect((await reserve(3, 2, 'OTHER', 60_000)).status).toBe('Occupied');
        const other = await csms.api(`/api/stations/${id}/remote-start`, {
          idToken: 'OTHER',
          evseId: 2,
        });
        expect(other.body.result.status).toBe('Rejected');
        expect((await cancel(2)).status).toBe('Accepted');
        expect((await cancel(2)).status).toBe('Rejected');
        await connector(2, 'Available');

        // Reserved for RESV-3, then used by RESV-3: the transaction names the reservation.
        expect((await reserve(4, 2, 'RESV-3', 60_000)).status).toBe('Accepted');
        await connector(2, 'Reserved');
        const mine = await csms.api(`/api/stations/${id}/remote-start`, {
          idToken: 'RESV-3',
          evseId: 2,
        });
        expect(mine.body.result.status).toBe('Accepted');
        const start = await eventually(`${version} the reserved transaction`, async () => {
          const calls = await callsFrom(csms, id, v16 ? 'StartTransaction' : 'TransactionEvent');
          return calls.find((c) => v16 || c.payload.eventType === 'Started');
        });
        expect(start.payload.reservationId).toBe(4);
        // Busy now: Occupied. Inoperative: Unavailable.
        expect((await reserve(5, 2, 'RESV-5', 60_000)).status).toBe('Occupied');
        const off = await csms.api(`/api/stations/${id}/change-availability`, {
          operative: false,
          evseId: 1,
        });
        expect(off.body.result.status).toBe('Accepted');
        expect((await reserve(6, 1, 'RESV-6', 60_000)).status).toBe('Unavailable');
      }),
    );
  }, 40_000);

  it('the local list keeps its version (Full replaces, Differential must be newer), and ClearCache is accepted', async () => {
    const { csms, stations } = await fleetOfThree();
    for (const version of VERSIONS) {
      const id = stations[version].identity;
      const v16 = version === 'ocpp1.6';
      const entry = (token: string, status?: string) =>
        v16
          ? { idTag: token, ...(status === undefined ? {} : { idTagInfo: { status } }) }
          : {
              idToken: { idToken: token, type: 'ISO14443' },
              ...(status === undefined ? {} : { idTokenInfo: { status } }),
            };
      const send = (versionNumber: number, updateType: string, entries: unknown[]) => {
        // An empty list is sent without the field (the schemas want at least one entry).
        const list = entries.length === 0 ? {} : { localAuthorizationList: entries };
        return call(
          csms,
          id,
          'SendLocalList',
          v16
            ? { listVersion: versionNumber, updateType, ...list }
            : { versionNumber, updateType, ...list },
        );
      };
      const listVersion = async () => {
        const r = await call(csms, id, 'GetLocalListVersion', {});
        return v16 ? r.listVersion : r.versionNumber;
      };

      expect(await listVersion(), version).toBe(0);
      expect(
        (await send(3, 'Full', [entry('TAG-A', 'Accepted'), entry('TAG-B', 'Blocked')])).status,
      ).toBe('Accepted');
      expect(await listVersion()).toBe(3);
      expect((await send(3, 'Differential', [entry('TAG-C', 'Accepted')])).status).toBe(
        'VersionMismatch',
      );
      expect((await send(2, 'Differential', [entry('TAG-C', 'Accepted')])).status).toBe(
        'VersionMismatch',
      );
      expect(await listVersion()).toBe(3);
      expect(
        (await send(4, 'Differential', [entry('TAG-C', 'Accepted'), entry('TAG-A')])).status,
      ).toBe('Accepted');
      expect(await listVersion()).toBe(4);
      // A full list may go back to a lower version: it replaces everything.
      expect((await send(1, 'Full', [])).status).toBe('Accepted');
      expect(await listVersion()).toBe(1);
      expect(await call(csms, id, 'ClearCache', {})).toEqual({ status: 'Accepted' });
    }
  }, 40_000);
});
