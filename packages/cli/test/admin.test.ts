import { describe, expect, it } from 'vitest';
import { eventually, startCli, startTestCsms } from './helpers/cli.js';
import { BOOT_16, connectStation } from './helpers/station.js';

interface Station {
  identity: string;
  protocol: string;
  connected: boolean;
  boot?: { reason?: string; model: string; at: string };
  connectors: { evseId: number; status: string }[];
}

interface Transaction {
  id: string;
  identity: string;
  idToken?: string;
  active: boolean;
  stationConnected: boolean;
  stopReason?: string;
}

describe('the admin API of ocpp csms drives simulated stations', () => {
  it('remote start, configuration, trigger, availability, raw call, remote stop and reset, on every version', async () => {
    const csms = await startTestCsms(['--quiet', '--heartbeat-interval', '30']);
    const fleet = startCli([
      'simulate',
      '--url',
      csms.url,
      '--stations',
      '3',
      '--scenario',
      'idle',
      '--duration',
      '12',
      '--session-duration',
      '30',
      '--meter-interval',
      '0.2',
      '--json',
    ]);
    const stations = await eventually('three stations with an available connector', async () => {
      const { body } = (await csms.api('/api/stations')) as { body: Station[] };
      return body.length === 3 && body.every((s) => s.connectors[0]?.status === 'Available')
        ? body
        : undefined;
    });
    expect(stations.map((s) => s.protocol).sort()).toEqual(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']);

    for (const s of stations) {
      const start = await csms.api(`/api/stations/${s.identity}/remote-start`, {
        idToken: `ADMIN-${s.protocol}`,
        evseId: 1,
      });
      expect(start).toEqual({
        status: 200,
        body: { station: s.identity, operation: 'remote-start', result: { status: 'Accepted' } },
      });
    }
    // Each station honours it: a transaction with the CSMS's idToken starts.
    const running = await eventually('three remote-started transactions', async () => {
      const { body } = (await csms.api('/api/transactions?active=true')) as { body: Transaction[] };
      return body.filter((t) => t.idToken?.startsWith('ADMIN-')).length === 3 ? body : undefined;
    });

    const [v16, v201] = ['ocpp1.6', 'ocpp2.0.1'].map(
      (p) => stations.find((s) => s.protocol === p)!,
    );
    const config = await csms.api(`/api/stations/${v201!.identity}/get-configuration`, {
      keys: ['HeartbeatInterval', 'NoSuchKey'],
    });
    expect(config.status).toBe(200);
    expect(config.body.result.values).toEqual([
      expect.objectContaining({ key: 'HeartbeatInterval', value: '30' }),
    ]);
    expect(config.body.result.unknownKeys).toEqual(['NoSuchKey']);
    const set = await csms.api(`/api/stations/${v16!.identity}/set-configuration`, {
      key: 'HeartbeatInterval',
      value: '45',
    });
    expect(set.body.result.status).toBe('Accepted');
    const readBack = await csms.api(`/api/stations/${v16!.identity}/call`, {
      action: 'GetConfiguration',
      payload: { key: ['HeartbeatInterval'] },
    });
    expect(readBack.body.result.configurationKey).toEqual([
      { key: 'HeartbeatInterval', value: '45', readonly: false },
    ]);
    const trigger = await csms.api(`/api/stations/${v201!.identity}/trigger-message`, {
      message: 'Heartbeat',
    });
    expect(trigger.body.result.status).toBe('Accepted');
    const data = await csms.api(`/api/stations/${v201!.identity}/data-transfer`, {
      vendorId: 'org.ocpp-sdk.simulator',
      data: { ping: 1 },
    });
    expect(data.body.result).toEqual({ status: 'Accepted', data: { ping: 1 } });

    // Remote stop of the 2.0.1 transaction: it ends with reason Remote.
    const tx201 = running.find((t) => t.identity === v201!.identity)!;
    const stop = await csms.api(`/api/stations/${v201!.identity}/remote-stop`, {
      transactionId: tx201.id,
    });
    expect(stop.body.result.status).toBe('Accepted');
    await eventually('the stopped transaction', async () => {
      const { body } = (await csms.api(`/api/stations/${v201!.identity}`)) as {
        body: Station & { transactions: Transaction[] };
      };
      const t = body.transactions.find((x) => x.id === tx201.id);
      return t !== undefined && !t.active && t.stopReason === 'Remote' ? t : undefined;
    });
    // The station is done with the session once it has reported the connector free again; a
    // change of availability before that is answered Scheduled, as OCPP asks.
    await eventually('the connector available again', async () => {
      const { body } = (await csms.api(`/api/stations/${v201!.identity}`)) as { body: Station };
      return body.connectors[0]?.status === 'Available' ? true : undefined;
    });

    // Availability: connector goes Unavailable once the station reports it.
    const avail = await csms.api(`/api/stations/${v201!.identity}/change-availability`, {
      operative: false,
      evseId: 1,
    });
    expect(avail.body.result.status).toBe('Accepted');
    await eventually('an unavailable connector', async () => {
      const { body } = (await csms.api(`/api/stations/${v201!.identity}`)) as { body: Station };
      return body.connectors[0]?.status === 'Unavailable' ? true : undefined;
    });

    // Reset: the 1.6 station ends its transaction, reconnects and boots again.
    const before = (await csms.api(`/api/stations/${v16!.identity}`)).body as Station;
    const reset = await csms.api(`/api/stations/${v16!.identity}/reset`, { type: 'Immediate' });
    expect(reset.body.result.status).toBe('Accepted');
    await eventually('the reset station back', async () => {
      const { body } = (await csms.api(`/api/stations/${v16!.identity}`)) as {
        body: Station & { transactions: Transaction[] };
      };
      return body.connected &&
        body.boot !== undefined &&
        body.boot.at > before.boot!.at &&
        body.transactions.every((t) => !t.active && t.stopReason === 'HardReset')
        ? body
        : undefined;
    });

    // Errors are JSON with a status that says what went wrong.
    expect((await csms.api('/api/stations/NOPE/reset', {})).status).toBe(404);
    expect((await csms.api(`/api/stations/${v16!.identity}/remote-stop`, {})).body).toEqual({
      error: '"transactionId" is required',
    });
    const noValue = await csms.api(`/api/stations/${v16!.identity}/set-configuration`, {
      key: 'HeartbeatInterval',
    });
    expect(noValue).toMatchObject({
      status: 400,
      body: { error: '"value" (a string, number or boolean) is required' },
    });
    const badCall = await csms.api(`/api/stations/${v16!.identity}/call`, {
      action: 'BootNotification',
      payload: {},
    });
    expect(badCall.status).toBe(400);
    const invalid = await csms.api(`/api/stations/${v201!.identity}/call`, {
      action: 'Reset',
      payload: { type: 'Sideways' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    expect((await csms.api('/api/nothing')).status).toBe(404);

    // The fleet's own account: it received the CSMS's calls and completed the remote sessions.
    await fleet.waitFor(/"ok": (true|false)/, 30_000);
    const report = JSON.parse(fleet.output().stdout) as {
      result: {
        sessions: { remote: number; completed: number; cutShort: number; failed: number };
        messages: { received: Record<string, number> };
      };
    };
    expect(report.result.sessions.remote).toBe(3);
    // 2.0.1 stopped remotely, 1.6 by its reset; the 2.1 one (30 s long) by the run's end (12 s).
    expect(report.result.sessions.completed).toBe(2);
    expect(report.result.sessions.cutShort).toBe(1);
    expect(report.result.messages.received).toMatchObject({
      RemoteStartTransaction: 1,
      RequestStartTransaction: 2,
      RequestStopTransaction: 1,
      Reset: 1,
      ChangeConfiguration: 1,
      GetConfiguration: 1,
      GetVariables: 1,
      TriggerMessage: 1,
      DataTransfer: 1,
      ChangeAvailability: 1,
    });
  }, 60_000);

  it('marks an open transaction whose station went away as such, until the station is back', async () => {
    const csms = await startTestCsms(['--quiet']);
    const station = await connectStation(csms.url, 'GONE-1');
    await station.call('BootNotification', BOOT_16);
    const { transactionId } = (await station.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG',
      meterStart: 100,
      timestamp: new Date().toISOString(),
    })) as { transactionId: number };
    const open = (await csms.api('/api/transactions?active=true')).body as Transaction[];
    expect(open).toEqual([
      expect.objectContaining({ id: String(transactionId), active: true, stationConnected: true }),
    ]);

    // The station dies with its transaction open: still active (no end was heard of), but marked.
    await station.close();
    const gone = await eventually('the transaction marked', async () => {
      const { body } = (await csms.api('/api/transactions?active=true')) as { body: Transaction[] };
      return body[0]?.stationConnected === false ? body[0] : undefined;
    });
    expect(gone).toMatchObject({ id: String(transactionId), active: true, identity: 'GONE-1' });
    const { body: s } = await csms.api('/api/stations/GONE-1');
    expect(s).toMatchObject({ connected: false });
    expect(s.transactions[0]).toMatchObject({ active: true, stationConnected: false });

    const back = await connectStation(csms.url, 'GONE-1');
    await eventually('the transaction linked again', async () => {
      const { body } = (await csms.api('/api/transactions?active=true')) as { body: Transaction[] };
      return body[0]?.stationConnected === true ? true : undefined;
    });
    await back.close();
  });
});

describe('the admin API sends every neutral operation', () => {
  it('a base report is asked for and assembled; what a version lacks is refused; every message is answered', async () => {
    const csms = await startTestCsms(['--quiet']);
    const station = await connectStation(csms.url, 'DM-1', 'ocpp2.0.1');
    await station.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { vendorName: 'V', model: 'M' },
    });
    const asked = csms.api('/api/stations/DM-1/getBaseReport', { reportBase: 'FullInventory' });
    const request = await eventually('the GetBaseReport', async () =>
      station.received.find(([action]) => action === 'GetBaseReport'),
    );
    const requestId = (request[1] as { requestId: number }).requestId;
    const part = (seqNo: number, tbc: boolean) => ({
      requestId,
      generatedAt: '2026-01-01T00:00:00Z',
      seqNo,
      tbc,
      reportData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: `V${seqNo}` },
          variableAttribute: [{ value: '1' }],
        },
      ],
    });
    await station.call('NotifyReport', part(0, true));
    await station.call('NotifyReport', part(1, false));
    const { status, body } = (await asked) as {
      status: number;
      body: { result: { status: string; report: { reportData: unknown[] } } };
    };
    expect(status).toBe(200);
    expect(body.result.status).toBe('Accepted');
    expect(body.result.report.reportData).toHaveLength(2);
    // A message the CSMS has no business logic for is still answered, not refused.
    await expect(
      station.call('NotifyChargingLimit', { chargingLimit: { chargingLimitSource: 'EMS' } }),
    ).resolves.toEqual({});
    await expect(
      station.call('SecurityEventNotification', {
        type: 'StartupOfTheDevice',
        timestamp: '2026-01-01T00:00:00Z',
      }),
    ).resolves.toEqual({});

    const v16 = await connectStation(csms.url, 'DM-16', 'ocpp1.6');
    await eventually('DM-16 connected', async () =>
      ((await csms.api('/api/stations/DM-16')) as { status: number }).status === 200
        ? true
        : undefined,
    );
    const refused = (await csms.api('/api/stations/DM-16/getBaseReport', {
      reportBase: 'FullInventory',
    })) as { status: number; body: { code: string } };
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('UNSUPPORTED_BY_VERSION');
    await station.close();
    await v16.close();
    await csms.stop();
  });
});
