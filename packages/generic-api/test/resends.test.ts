import { OcppSession, silentLogger } from '@ocpp/rpc';
import { v16Protocol } from '@ocpp/v16-core';
import { v201Protocol } from '@ocpp/v201-core';
import { describe, expect, it } from 'vitest';
import {
  createGenericCsms,
  createGenericStation,
  type TransactionEvent,
  type TransactionReport,
} from '../src/index.js';
import { memoryListener } from './helpers.js';

const NOW = '2026-12-07T12:00:00.000Z';

/** A generic CSMS on an in-memory listener, recording what reaches onTransaction and the reports. */
async function csmsRecording() {
  const { server, connect } = memoryListener();
  const handled: string[] = [];
  const reports: TransactionReport[] = [];
  const csms = createGenericCsms({
    listener: server,
    logger: silentLogger,
    handlers: {
      onTransaction: (e: TransactionEvent) => {
        handled.push(`${e.eventType}:${e.seqNo}`);
        return undefined;
      },
    },
  });
  csms.on('transactionReport', (_station, report) => reports.push(report));
  return { csms, connect, handled, reports };
}

describe('the generic CSMS recognises resent and missing transaction messages', () => {
  it('2.x: a seqNo seen before is answered and reported, not handled twice; a skipped one is a gap', async () => {
    const { connect, handled, reports } = await csmsRecording();
    const station = new OcppSession({
      protocol: v201Protocol,
      role: 'station',
      transport: connect('CS-RESEND', 'ocpp2.0.1'),
      identity: 'CS-RESEND',
      logger: silentLogger,
    });
    await station.start();
    const event = (seqNo: number, eventType: 'Started' | 'Updated' | 'Ended') => ({
      eventType,
      timestamp: NOW,
      triggerReason: 'MeterValuePeriodic' as const,
      seqNo,
      transactionInfo: { transactionId: 'T-1' },
      evse: { id: 1, connectorId: 1 },
    });
    await station.call('TransactionEvent', event(0, 'Started'));
    await station.call('TransactionEvent', event(1, 'Updated'));
    // A resend after a lost answer: same seqNo, new message id.
    await station.call('TransactionEvent', event(1, 'Updated'));
    await station.call('TransactionEvent', event(3, 'Updated'));
    await station.call('TransactionEvent', event(4, 'Ended'));
    await station.call('TransactionEvent', event(4, 'Ended'));
    expect(handled).toEqual(['Started:0', 'Updated:1', 'Updated:3', 'Ended:4']);
    expect(reports).toEqual([
      { kind: 'duplicate', transactionId: 'T-1', seqNo: 1 },
      { kind: 'gap', transactionId: 'T-1', expected: 2, received: 3 },
      { kind: 'duplicate', transactionId: 'T-1', seqNo: 4 },
    ]);
  });

  it('1.6: a repeated StartTransaction gets the same id; a repeated stop is answered again', async () => {
    const { connect, handled, reports } = await csmsRecording();
    const station = new OcppSession({
      protocol: v16Protocol,
      role: 'station',
      transport: connect('CS16-RESEND', 'ocpp1.6'),
      identity: 'CS16-RESEND',
      logger: silentLogger,
    });
    await station.start();
    const start = { connectorId: 1, idTag: 'TAG', meterStart: 100, timestamp: NOW };
    const first = await station.call('StartTransaction', start);
    const again = await station.call('StartTransaction', start);
    expect(again.transactionId).toBe(first.transactionId);
    const other = await station.call('StartTransaction', { ...start, meterStart: 200 });
    expect(other.transactionId).not.toBe(first.transactionId);
    const stop = { transactionId: first.transactionId, meterStop: 500, timestamp: NOW };
    await station.call('StopTransaction', stop);
    await station.call('StopTransaction', stop);
    expect(handled).toEqual(['Started:0', 'Started:0', 'Ended:1']);
    expect(reports).toEqual([
      {
        kind: 'possible-duplicate',
        action: 'StartTransaction',
        transactionId: String(first.transactionId),
      },
      {
        kind: 'possible-duplicate',
        action: 'StopTransaction',
        transactionId: String(first.transactionId),
      },
    ]);
  });
});

describe('the generic station marks events made offline', () => {
  it('2.x: a transaction started and stopped while disconnected is sent with offline: true', async () => {
    const { connect } = await csmsRecording();
    const transport = connect('CS-OFFLINE', 'ocpp2.0.1');
    const station = createGenericStation({
      protocol: 'ocpp2.0.1',
      identity: 'CS-OFFLINE',
      transport,
      session: { logger: silentLogger },
    });
    const sent: unknown[] = [];
    station.session.on('frame', (direction, text) => {
      if (direction === 'out') sent.push((JSON.parse(text) as unknown[])[3]);
    });
    const idToken = { idToken: 'TAG', type: 'ISO14443' } as const;
    // Not connected yet: the calls wait in the session's queue.
    const started = station.startTransaction({ evseId: 1, idToken, meterStart: 0 });
    await station.start();
    const { transactionId } = await started;
    await station.stopTransaction({ transactionId, meterStop: 10 });
    expect(sent).toMatchObject([{ eventType: 'Started', offline: true }, { eventType: 'Ended' }]);
    expect((sent[1] as { offline?: boolean }).offline).toBeUndefined();
  });
});
