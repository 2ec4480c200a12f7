import { describe, expect, it } from 'vitest';
import { eventually, idleFleet, operation, startTestCsms, type TestCsms } from './helpers/cli.js';

// biome-ignore lint/suspicious/noExplicitAny: test code reads the JSON it asserts on
type Json = any;

/** A neutral operation through the admin API: `{ status, body }`. */
async function op(csms: TestCsms, identity: string, name: string, params: unknown) {
  const res = (await csms.api(`/api/stations/${identity}/${name}`, params)) as {
    status: number;
    body: Json;
  };
  return res;
}

const variable = (component: Json, name: string, instance?: string) => ({
  component,
  variable: instance === undefined ? { name } : { name, instance },
});

describe('the simulated 2.x device model, display messages and monitors', () => {
  it('answers with the spec statuses, reports in parts, and triggers NotifyEvent', async () => {
    const csms = await startTestCsms(['--quiet']);
    const stations = await idleFleet(csms);
    const comm = { name: 'OCPPCommCtrlr' };
    for (const s of stations.filter((x) => x.protocol !== 'ocpp1.6')) {
      const id = s.identity;
      // A base report: the whole model, in parts of 20, assembled by the CSMS.
      const full = await operation(csms, id, 'getBaseReport', { reportBase: 'FullInventory' });
      expect(full.status).toBe('Accepted');
      const data = full.report.reportData as Json[];
      expect(data.length).toBeGreaterThan(40);
      const heartbeat = data.find(
        (d) => d.component.name === 'OCPPCommCtrlr' && d.variable.name === 'HeartbeatInterval',
      );
      expect(heartbeat.variableAttribute[0]).toMatchObject({
        type: 'Actual',
        mutability: 'ReadWrite',
      });
      expect(heartbeat.variableCharacteristics).toMatchObject({ dataType: 'integer', unit: 's' });
      for (const name of [
        'SecurityCtrlr',
        'TxCtrlr',
        'SampledDataCtrlr',
        'AuthCtrlr',
        'DeviceDataCtrlr',
        'ChargingStation',
        'EVSE',
        'Connector',
      ])
        expect(
          data.some((d) => d.component.name === name),
          name,
        ).toBe(true);
      const config = await operation(csms, id, 'getBaseReport', {
        reportBase: 'ConfigurationInventory',
      });
      expect(
        (config.report.reportData as Json[]).every(
          (d) => d.variableAttribute[0].mutability !== 'ReadOnly',
        ),
      ).toBe(true);
      const chosen = await operation(csms, id, 'getReport', {
        componentVariable: [{ component: { name: 'TxCtrlr' } }],
      });
      expect(new Set(chosen.report.reportData.map((d: Json) => d.component.name))).toEqual(
        new Set(['TxCtrlr']),
      );
      await expect(
        operation(csms, id, 'getReport', {
          componentVariable: [{ component: { name: 'NoSuchCtrlr' } }],
        }),
      ).resolves.toMatchObject({ status: 'EmptyResultSet' });

      // GetVariables and SetVariables, with the spec's statuses.
      const got = await operation(csms, id, 'getVariables', {
        getVariableData: [
          variable(comm, 'HeartbeatInterval'),
          variable({ name: 'NoSuchCtrlr' }, 'X'),
          variable(comm, 'NoSuchVariable'),
          { ...variable(comm, 'HeartbeatInterval'), attributeType: 'Target' },
          variable({ name: 'SecurityCtrlr' }, 'BasicAuthPassword'),
          variable({ name: 'OCPPCommCtrlr' }, 'MessageAttempts', 'TransactionEvent'),
        ],
      });
      expect(got.getVariableResult.map((r: Json) => r.attributeStatus)).toEqual([
        'Accepted',
        'UnknownComponent',
        'UnknownVariable',
        'NotSupportedAttributeType',
        'Rejected',
        'Accepted',
      ]);
      const set = await operation(csms, id, 'setVariables', {
        setVariableData: [
          { ...variable(comm, 'HeartbeatInterval'), attributeValue: '77' },
          { ...variable({ name: 'SecurityCtrlr' }, 'SecurityProfile'), attributeValue: '3' },
          { ...variable(comm, 'WebSocketPingInterval'), attributeValue: '30' },
          { ...variable(comm, 'OfflineThreshold'), attributeValue: 'soon' },
        ],
      });
      expect(set.setVariableResult.map((r: Json) => r.attributeStatus)).toEqual([
        'Accepted',
        'Rejected',
        'RebootRequired',
        'Rejected',
      ]);
      // The station acts on the value: its configuration (the 1.6 view) says so too.
      const read = await operation(csms, id, 'getConfiguration', { keys: ['HeartbeatInterval'] });
      expect(read.values).toMatchObject([{ key: 'HeartbeatInterval', value: '77' }]);

      // Display messages: set, listed, cleared.
      const message = {
        id: 3,
        priority: 'NormalCycle',
        message: { format: 'UTF8', content: 'Welkom' },
      };
      await expect(operation(csms, id, 'setDisplayMessage', { message })).resolves.toEqual({
        status: 'Accepted',
      });
      const listed = await operation(csms, id, 'getDisplayMessages', {});
      expect(listed.report.messageInfo).toEqual([message]);
      await expect(operation(csms, id, 'clearDisplayMessage', { id: 3 })).resolves.toEqual({
        status: 'Accepted',
      });
      await expect(operation(csms, id, 'getDisplayMessages', {})).resolves.toMatchObject({
        status: 'Unknown',
      });

      // A monitor on the EVSE's power, crossed at once (an idle EVSE draws 0 W > -1 W).
      const power = variable({ name: 'EVSE', evse: { id: 1 } }, 'Power');
      const monitored = await operation(csms, id, 'setVariableMonitoring', {
        setMonitoringData: [{ ...power, value: -1, type: 'UpperThreshold', severity: 4 }],
      });
      expect(monitored.setMonitoringResult[0].status).toBe('Accepted');
      const unknown = await operation(csms, id, 'setVariableMonitoring', {
        setMonitoringData: [
          {
            ...variable({ name: 'NoSuchCtrlr' }, 'X'),
            value: 1,
            type: 'UpperThreshold',
            severity: 4,
          },
        ],
      });
      expect(unknown.setMonitoringResult[0].status).toBe('UnknownComponent');
      const event = await eventually('a NotifyEvent', async () => {
        const { body } = (await csms.api(`/api/frames?limit=200&station=${id}`)) as {
          body: { frame: string }[];
        };
        return body
          .map((f) => JSON.parse(f.frame) as Json[])
          .find((f) => f[0] === 2 && f[2] === 'NotifyEvent');
      });
      expect(event[3].eventData[0]).toMatchObject({
        trigger: 'Alerting',
        variableMonitoringId: monitored.setMonitoringResult[0].id,
        component: { name: 'EVSE', evse: { id: 1 } },
      });
      const monitors = await operation(csms, id, 'getMonitoringReport', {});
      expect(monitors.report.monitor).toHaveLength(1);
    }
    // 1.6 has no device model: refused before anything is sent.
    const v16 = stations.find((x) => x.protocol === 'ocpp1.6')!;
    const refused = await op(csms, v16.identity, 'getBaseReport', { reportBase: 'FullInventory' });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('UNSUPPORTED_BY_VERSION');
  });

  it('a CSMS with --boot-status pending provisions every version, then accepts', async () => {
    const csms = await startTestCsms(['--quiet', '--boot-status', 'pending']);
    const stations = await idleFleet(csms);
    for (const s of stations) {
      const { body } = (await csms.api(`/api/frames?limit=200&station=${s.identity}`)) as {
        body: { frame: string }[];
      };
      const frames = body.map((f) => JSON.parse(f.frame) as Json[]);
      const calls = new Map(frames.filter((f) => f[0] === 2).map((f) => [f[1], f[2]]));
      // What the CSMS answered each boot, in order; and what it asked in between.
      const boots = frames
        .filter((f) => f[0] === 3 && calls.get(f[1]) === 'BootNotification')
        .map((f) => f[2].status);
      expect(boots[0], s.identity).toBe('Pending');
      expect(boots.at(-1), s.identity).toBe('Accepted');
      const asked = s.protocol === 'ocpp1.6' ? 'GetConfiguration' : 'GetBaseReport';
      expect([...calls.values()], s.identity).toContain(asked);
      if (s.protocol !== 'ocpp1.6') expect([...calls.values()]).toContain('NotifyReport');
      // What the CSMS keeps of it, shown by the admin API (and the web page).
      const kept = (await csms.api(`/api/stations/${s.identity}`)) as { body: Json };
      const model = kept.body.provisioning.deviceModel;
      expect(model.variables).toBeGreaterThan(s.protocol === 'ocpp1.6' ? 3 : 40);
      expect(
        model.values[
          s.protocol === 'ocpp1.6' ? 'HeartbeatInterval' : 'OCPPCommCtrlr.HeartbeatInterval'
        ],
      ).toMatch(/^\d+$/);
    }
  });

  it('charging profiles are reported, cost and customer data answered, 2.1 operations refused as the spec allows', async () => {
    const csms = await startTestCsms(['--quiet']);
    const stations = await idleFleet(csms);
    for (const s of stations.filter((x) => x.protocol !== 'ocpp1.6')) {
      const id = s.identity;
      await expect(
        operation(csms, id, 'setChargingProfile', {
          evseId: 1,
          chargingProfile: {
            id: 7,
            stackLevel: 1,
            chargingProfilePurpose: 'TxDefaultProfile',
            chargingProfileKind: 'Relative',
            chargingSchedule: [
              { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
            ],
          },
        }),
      ).resolves.toMatchObject({ status: 'Accepted' });
      const profiles = await operation(csms, id, 'getChargingProfiles', {
        chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile' },
      });
      expect(profiles.status).toBe('Accepted');
      expect(profiles.report.profiles).toMatchObject([
        { evseId: 1, chargingLimitSource: 'CSO', chargingProfile: [{ id: 7, stackLevel: 1 }] },
      ]);
      await expect(
        operation(csms, id, 'getChargingProfiles', { chargingProfile: { stackLevel: 5 } }),
      ).resolves.toMatchObject({ status: 'NoProfiles' });
      await expect(
        operation(csms, id, 'costUpdated', { totalCost: 1.5, transactionId: 'nope' }),
      ).resolves.toEqual({});
      await expect(
        operation(csms, id, 'getTransactionStatus', { transactionId: 'nope' }),
      ).resolves.toEqual({
        ongoingIndicator: false,
        messagesInQueue: false,
      });
      const customer = await operation(csms, id, 'customerInformation', {
        report: true,
        clear: false,
        customerIdentifier: 'someone',
      });
      expect(customer.report.data).toBe('no data for this customer');
      await expect(
        operation(csms, id, 'customerInformation', { report: true, clear: false }),
      ).resolves.toMatchObject({ status: 'Invalid' });
      const tariffs = (await csms.api(`/api/stations/${id}/getTariffs`, { evseId: 1 })) as {
        status: number;
        body: Json;
      };
      if (s.protocol === 'ocpp2.1') expect(tariffs.body.result).toEqual({ status: 'NoTariff' });
      else expect(tariffs.body.code).toBe('UNSUPPORTED_BY_VERSION');
    }
  });
});
