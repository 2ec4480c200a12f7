/**
 * `pnpm demo`: builds sample OCPP-J frames of every version, runs each through the generated
 * validators and prints the verdict a receiver would send: accepted, or the version-correct
 * CALLERROR code with the offending field; then runs a CSMS and one station per version through a
 * charging session over real WebSockets. Exits non-zero if any verdict or session is wrong.
 */
import { MessageType, type Protocol } from '@ocpp/runtime';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { runLiveDemo } from './demo-live.js';

// biome-ignore lint/suspicious/noExplicitAny: three versions in one table
type AnyProtocol = Protocol<any, any>;

interface Sample {
  readonly protocol: AnyProtocol;
  readonly title: string;
  readonly frame: string;
  /** For a CALLRESULT, the action of the CALL it answers (the frame does not say). */
  readonly answers?: string;
  readonly expect: string;
}

const now = '2025-03-14T09:26:53Z';
const id = (n: number) => `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;
const call = (n: number, action: string, payload: unknown) =>
  JSON.stringify([2, id(n), action, payload]);

const samples: Sample[] = [
  // OCPP 1.6
  {
    protocol: v16Protocol,
    title: 'BootNotification',
    expect: 'accepted',
    frame: call(1, 'BootNotification', {
      chargePointVendor: 'Acme',
      chargePointModel: 'Wallbox 16',
    }),
  },
  {
    protocol: v16Protocol,
    title: 'BootNotification result',
    answers: 'BootNotification',
    expect: 'accepted',
    frame: JSON.stringify([3, id(1), { status: 'Accepted', currentTime: now, interval: 300 }]),
  },
  {
    protocol: v16Protocol,
    title: 'BootNotification without model',
    expect: 'OccurenceConstraintViolation',
    frame: call(2, 'BootNotification', { chargePointVendor: 'Acme' }),
  },
  {
    protocol: v16Protocol,
    title: 'MeterValues in "Celcius" (kept by erratum)',
    expect: 'accepted',
    frame: call(3, 'MeterValues', {
      connectorId: 1,
      meterValue: [
        {
          timestamp: now,
          sampledValue: [{ value: '21.5', measurand: 'Temperature', unit: 'Celcius' }],
        },
      ],
    }),
  },
  {
    protocol: v16Protocol,
    title: 'StatusNotification with unknown status',
    expect: 'PropertyConstraintViolation',
    frame: call(4, 'StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Charging2',
    }),
  },
  {
    protocol: v16Protocol,
    title: 'StartTransaction with extra field',
    expect: 'FormationViolation',
    frame: call(5, 'StartTransaction', {
      connectorId: 1,
      idTag: 'TAG1',
      meterStart: 0,
      timestamp: now,
      vehicle: 'EV',
    }),
  },
  {
    protocol: v16Protocol,
    title: 'Unknown action',
    expect: 'NotImplemented',
    frame: call(6, 'TransactionEvent', {}),
  },
  // OCPP 2.0.1
  {
    protocol: v201Protocol,
    title: 'BootNotification',
    expect: 'accepted',
    frame: call(11, 'BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'Wallbox 201', vendorName: 'Acme' },
    }),
  },
  {
    protocol: v201Protocol,
    title: 'TransactionEvent with string seqNo',
    expect: 'TypeConstraintViolation',
    frame: call(12, 'TransactionEvent', {
      eventType: 'Started',
      timestamp: now,
      triggerReason: 'Authorized',
      seqNo: '0',
      transactionInfo: { transactionId: 'tx-1' },
    }),
  },
  {
    protocol: v201Protocol,
    title: 'Authorize with extra field',
    expect: 'FormatViolation',
    frame: call(13, 'Authorize', { idToken: { idToken: 'TAG1', type: 'ISO14443' }, pin: '1234' }),
  },
  {
    protocol: v201Protocol,
    title: 'Heartbeat result without currentTime',
    answers: 'Heartbeat',
    expect: 'OccurrenceConstraintViolation',
    frame: JSON.stringify([3, id(14), {}]),
  },
  {
    protocol: v201Protocol,
    title: 'Not JSON',
    expect: 'RpcFrameworkError',
    frame: '[2, "abc", "Heartbeat", {',
  },
  // OCPP 2.1
  {
    protocol: v21Protocol,
    title: 'BatterySwap',
    expect: 'accepted',
    frame: call(21, 'BatterySwap', {
      eventType: 'BatteryIn',
      requestId: 7,
      idToken: { idToken: 'TAG1', type: 'ISO14443' },
      batteryData: [{ evseId: 1, serialNumber: 'B-1', soC: 80, soH: 95 }],
    }),
  },
  {
    protocol: v21Protocol,
    title: 'NotifyPeriodicEventStream (SEND)',
    expect: 'accepted',
    frame: JSON.stringify([
      6,
      id(22),
      'NotifyPeriodicEventStream',
      { id: 1, pending: 0, basetime: now, data: [{ t: 0, v: '230.4' }] },
    ]),
  },
  {
    protocol: v21Protocol,
    title: 'SetDefaultTariff with a too long tariff id',
    expect: 'PropertyConstraintViolation',
    frame: call(23, 'SetDefaultTariff', {
      evseId: 0,
      tariff: { tariffId: 'T'.repeat(61), currency: 'EUR' },
    }),
  },
];

/** The verdict a receiver gives a frame: `accepted`, or a CALLERROR code and where it applies. */
function verdict(
  protocol: AnyProtocol,
  frame: string,
  answers?: string,
): { code: string; where: string } {
  const notRpc = protocol.version === '1.6' ? 'FormationViolation' : 'RpcFrameworkError';
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return { code: notRpc, where: 'frame is not valid JSON' };
  }
  if (!Array.isArray(parsed) || typeof parsed[1] !== 'string')
    return { code: notRpc, where: 'not an OCPP-J frame' };
  const [type, , third, fourth] = parsed as [number, string, unknown, unknown];
  let action: string;
  let part: 'request' | 'response';
  let payload: unknown;
  if (type === MessageType.CALL || type === MessageType.SEND) {
    action = String(third);
    part = 'request';
    payload = fourth;
  } else if (type === MessageType.CALLRESULT && answers !== undefined) {
    action = answers;
    part = 'response';
    payload = third;
  } else {
    return { code: notRpc, where: `message type ${type} is not handled by this demo` };
  }
  if (!protocol.isAction(action)) return { code: 'NotImplemented', where: `action "${action}"` };
  const result = protocol.validate(action, part, payload);
  if (result.success) return { code: 'accepted', where: '' };
  const issue = result.issues[0]!;
  return { code: result.errorCode, where: `${issue.path || '/'}: ${issue.message}` };
}

let failures = 0;
let last = '';
for (const s of samples) {
  if (s.protocol.subprotocol !== last) {
    last = s.protocol.subprotocol;
    console.log(`\n${last}`);
  }
  const v = verdict(s.protocol, s.frame, s.answers);
  const ok = v.code === s.expect;
  if (!ok) failures++;
  const mark = ok ? 'ok ' : 'BAD';
  const detail = v.where === '' ? '' : `  (${v.where})`;
  console.log(
    `  ${mark} ${s.title.padEnd(45)} → ${v.code}${detail}${ok ? '' : `, expected ${s.expect}`}`,
  );
}
console.log(`\n${samples.length - failures} of ${samples.length} frames got the expected verdict.`);
const failedSessions = await runLiveDemo();
process.exitCode = failures === 0 && failedSessions === 0 ? 0 : 1;
