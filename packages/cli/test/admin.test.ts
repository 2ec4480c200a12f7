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
        sessions: { remote: number; completed: number; failed: number };
        messages: { received: Record<string, number> };
      };
    };
    expect(report.result.sessions.remote).toBe(3);
    expect(report.result.sessions.completed).toBe(3);
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
