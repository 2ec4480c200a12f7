import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWsClient } from '@ocpp/transport-ws';
import { describe, expect, it } from 'vitest';
import { runCli, startTestCsms } from './helpers/cli.js';

/**
 * `ocpp csms --script` as the counterpart of a scenario-based suite: boot answers per station,
 * authorisation answers per id token, and CSMS-initiated calls on events, with no one at the
 * web page. The README's example file is the one these tests run.
 */

const EXAMPLE = fileURLToPath(new URL('../docs/csms-script.json', import.meta.url));

interface Report {
  result: {
    stations: { connected: number; failed: number; failures: Record<string, number> };
    sessions: { started: number; completed: number; failed: number };
    messages: { received: Record<string, number> };
  };
}

const simulate = (url: string, protocol: string) =>
  runCli(
    [
      'simulate',
      '--url',
      url,
      '--stations',
      '5',
      '--protocol',
      protocol,
      '--scenario',
      'charge-session',
      // Long sessions: the script's remote stop one second after each start ends them.
      '--session-duration',
      '60',
      '--meter-interval',
      '0.5',
      '--connect-attempts',
      '2',
      '--json',
    ],
    { timeoutMs: 60_000 },
  );

describe('ocpp csms --script (the README example)', () => {
  for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
    it(`${protocol}: Pending then Accepted, Rejected, Blocked and Expired tokens, remote stops`, async () => {
      const csms = await startTestCsms(['--script', EXAMPLE, '--protocols', protocol]);
      await csms.waitFor(/script: .*csms-script\.json \(3 boot rules, 4 id tokens, 5 calls\)/);
      const r = await simulate(csms.url, protocol);
      expect(r.code).toBe(1);
      const { result } = JSON.parse(r.stdout) as Report;
      // SIM-0003 is Rejected on both tries; SIM-0002 is Pending once, then Accepted.
      expect(result.stations.connected).toBe(4);
      expect(result.stations.failed).toBe(1);
      expect(result.stations.failures).toEqual({ 'boot Rejected': 1 });
      // T0000004 is Blocked and T0000005 Expired: no session; the other two stopped remotely.
      expect(result.sessions.started).toBe(4);
      expect(result.sessions.failed).toBe(2);
      expect(result.sessions.completed).toBe(2);
      const stop = protocol === 'ocpp1.6' ? 'RemoteStopTransaction' : 'RequestStopTransaction';
      expect(result.messages.received[stop]).toBe(2);
      const { stdout } = csms.output();
      const pendingCall = protocol === 'ocpp1.6' ? 'GetConfiguration' : 'GetBaseReport';
      expect(stdout).toMatch(
        new RegExp(`SIM-0002  ${protocol}  script \\(pending\\): ${pendingCall} → \\{`),
      );
      expect(stdout).toMatch(
        new RegExp(
          `SIM-0001  ${protocol}  script \\(transactionStarted\\): ${stop} → \\{"status":"Accepted"\\}`,
        ),
      );
      if (protocol === 'ocpp2.0.1') {
        expect(stdout).toMatch(/SIM-0001 {2}ocpp2\.0\.1 {2}script \(boot\): TriggerMessage → /);
      }
      expect(stdout).not.toContain('failed:');
      await csms.stop();
    });
  }

  it('answers an id token with its group, in each version’s words', async () => {
    const csms = await startTestCsms(['--script', EXAMPLE, '--quiet']);
    const answers: Record<string, unknown> = {};
    for (const [protocol, payload] of [
      ['ocpp1.6', { idTag: 'T0000001' }],
      ['ocpp2.0.1', { idToken: { idToken: 'T0000001', type: 'ISO14443' } }],
    ] as const) {
      answers[protocol] = await rawCall(
        csms.url,
        protocol,
        'Authorize',
        payload,
        protocol === 'ocpp1.6' ? undefined : { chargingStation: { model: 'm', vendorName: 'v' } },
      );
    }
    expect(answers['ocpp1.6']).toEqual({
      idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET-A' },
    });
    expect(answers['ocpp2.0.1']).toEqual({
      idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET-A', type: 'Central' } },
    });
  });

  it('refuses a script with a mistake, naming the place, before it listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-script-'));
    const bad = (name: string, content: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(content));
      return path;
    };
    const cases = [
      [
        bad('status.json', { boot: { CS1: 'Maybe' } }),
        'boot["CS1"].status: must be Accepted, Pending or Rejected',
      ],
      [
        bad('action.json', { calls: [{ on: 'boot', action: 'BootNotification' }] }),
        'calls[0].action: BootNotification is not a call the CSMS sends in ocpp2.1, ocpp2.0.1, ocpp1.6',
      ],
      [
        bad('version.json', {
          calls: [{ on: 'boot', action: 'RemoteStopTransaction', versions: ['ocpp2.0.1'] }],
        }),
        'calls[0].action: RemoteStopTransaction is not a call the CSMS sends in ocpp2.0.1',
      ],
      [
        bad('event.json', { calls: [{ on: 'later', action: 'Reset' }] }),
        'calls[0].on: must be one of',
      ],
      [bad('key.json', { boots: {} }), 'boots: unknown key (expected boot, idTokens, calls)'],
    ] as const;
    const results = await Promise.all(cases.map(([file]) => runCli(['csms', '--script', file])));
    results.forEach((r, i) => {
      const [file, message] = cases[i]!;
      expect(r.code).toBe(1);
      expect(r.stderr.startsWith(`ocpp csms: --script ${file}: ${message}`), r.stderr).toBe(true);
      expect(r.stdout).toBe('');
    });
  });
});

/** Boots a raw station (answers checked only as JSON), sends one CALL, returns its answer. */
async function rawCall(
  url: string,
  protocol: 'ocpp1.6' | 'ocpp2.0.1',
  action: string,
  payload: unknown,
  boot2x?: unknown,
): Promise<unknown> {
  const client = createWsClient({
    url,
    identity: `RAW-${protocol.replace(/\W/g, '')}`,
    protocols: [protocol],
    reconnect: false,
  });
  const answers = new Map<string, (payload: unknown) => void>();
  client.bind({
    message(text) {
      const frame = JSON.parse(text) as unknown[];
      if (frame[0] === 3) answers.get(frame[1] as string)?.(frame[2]);
      if (frame[0] === 4) answers.get(frame[1] as string)?.({ error: frame[2] });
    },
    open() {},
    close() {},
    error() {},
  });
  await client.start();
  const call = (id: string, name: string, body: unknown) =>
    new Promise<unknown>((resolve) => {
      answers.set(id, resolve);
      client.send(JSON.stringify([2, id, name, body]));
    });
  await call(
    'b',
    'BootNotification',
    boot2x === undefined
      ? { chargePointVendor: 'v', chargePointModel: 'm' }
      : { reason: 'PowerUp', ...(boot2x as object) },
  );
  const answer = await call('a', action, payload);
  await client.close();
  return answer;
}
