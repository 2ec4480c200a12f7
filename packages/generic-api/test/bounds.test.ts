import { OcppSession, silentLogger } from '@ocpp/rpc';
import { v16Protocol } from '@ocpp/v16-core';
import { v201Protocol } from '@ocpp/v201-core';
import { describe, expect, it } from 'vitest';
import { createGenericCsms, type GenericCsms } from '../src/index.js';
import { memoryListener } from './helpers.js';

function csmsWith(limits: {
  maxOpenTransactionsPerStation?: number;
  maxDisconnectedStations?: number;
}) {
  const { server, connect } = memoryListener();
  const warnings: string[] = [];
  const csms: GenericCsms = createGenericCsms({
    listener: server,
    logger: { ...silentLogger, warn: (m) => warnings.push(m) },
    handlers: { onTransaction: () => undefined },
    ...limits,
  });
  return { csms, connect, warnings };
}

const tx201 = (id: string, seqNo: number) => ({
  eventType: 'Started' as const,
  timestamp: '2026-12-07T10:00:00Z',
  triggerReason: 'Authorized' as const,
  seqNo,
  transactionInfo: { transactionId: id },
  evse: { id: 1, connectorId: 1 },
});

describe('the generic CSMS keeps bounded state whatever a station sends', () => {
  it('a 2.0.1 station naming 200 transactions leaves at most maxOpenTransactionsPerStation open', async () => {
    const { csms, connect, warnings } = csmsWith({ maxOpenTransactionsPerStation: 5 });
    const session = new OcppSession({
      protocol: v201Protocol,
      role: 'station',
      identity: 'CS1',
      transport: connect('CS1', 'ocpp2.0.1'),
      logger: silentLogger,
    });
    await session.start();
    for (let i = 0; i < 200; i++) await session.call('TransactionEvent', tx201(`T${i}`, 0));
    const open = csms.station('CS1')?.transactions;
    expect([...(open?.keys() ?? [])]).toEqual(['T195', 'T196', 'T197', 'T198', 'T199']);
    expect(warnings.length).toBe(195);
    expect(warnings[0]).toContain('forgot the oldest, T0');
  });

  it('a 1.6 station sending meter values for 100 unknown transaction ids: the same bound', async () => {
    const { csms, connect } = csmsWith({ maxOpenTransactionsPerStation: 3 });
    const session = new OcppSession({
      protocol: v16Protocol,
      role: 'station',
      identity: 'CP1',
      transport: connect('CP1', 'ocpp1.6'),
      logger: silentLogger,
    });
    await session.start();
    for (let i = 1; i <= 100; i++) {
      await session.call('MeterValues', {
        connectorId: 1,
        transactionId: i,
        meterValue: [{ timestamp: '2026-12-07T10:00:00Z', sampledValue: [{ value: '1' }] }],
      });
    }
    expect([...(csms.station('CP1')?.transactions.keys() ?? [])]).toEqual(['98', '99', '100']);
  });

  it('disconnected stations with open transactions are kept up to maxDisconnectedStations', async () => {
    const { csms, connect, warnings } = csmsWith({ maxDisconnectedStations: 2 });
    let gone = 0;
    const allGone = new Promise<void>((resolve) => {
      csms.on('disconnect', () => {
        if (++gone === 3) resolve();
      });
    });
    for (const identity of ['A', 'B', 'C']) {
      const session = new OcppSession({
        protocol: v201Protocol,
        role: 'station',
        identity,
        transport: connect(identity, 'ocpp2.0.1'),
        logger: silentLogger,
      });
      await session.start();
      await session.call('TransactionEvent', tx201(`${identity}-1`, 0));
      await session.close();
    }
    await allGone;
    expect(warnings).toEqual([expect.stringMatching(/^A: more than 2 disconnected stations/)]);
    // B's transaction is still known when it comes back; A's was forgotten.
    for (const [identity, expected] of [
      ['B', ['B-1']],
      ['A', []],
    ] as const) {
      const session = new OcppSession({
        protocol: v201Protocol,
        role: 'station',
        identity,
        transport: connect(identity, 'ocpp2.0.1'),
        logger: silentLogger,
      });
      await session.start();
      expect([...(csms.station(identity)?.transactions.keys() ?? [])]).toEqual(expected);
    }
  });

  it('an end resent on a new connection, after the station went away, is not handled again', async () => {
    const { server, connect } = memoryListener();
    const handled: string[] = [];
    const duplicates: number[] = [];
    const csms = createGenericCsms({
      listener: server,
      logger: silentLogger,
      handlers: {
        onTransaction: (e) => {
          handled.push(`${e.eventType}:${e.seqNo}`);
          return undefined;
        },
      },
    });
    csms.on('transactionReport', (_s, r) => {
      if (r.kind === 'duplicate') duplicates.push(r.seqNo);
    });
    const ended = {
      ...tx201('T1', 1),
      eventType: 'Ended' as const,
      triggerReason: 'StopAuthorized' as const,
    };
    const gone = () =>
      new Promise<void>((resolve) => {
        const off = csms.on('disconnect', () => {
          off();
          resolve();
        });
      });
    for (const frames of [[tx201('T1', 0), ended], [ended]]) {
      const session = new OcppSession({
        protocol: v201Protocol,
        role: 'station',
        identity: 'KILLED',
        transport: connect('KILLED', 'ocpp2.0.1'),
        logger: silentLogger,
      });
      await session.start();
      for (const frame of frames) await session.call('TransactionEvent', frame);
      // The station is gone (killed before it knew the end was answered) and comes back.
      const disconnected = gone();
      await session.close();
      await disconnected;
    }
    expect(handled).toEqual(['Started:0', 'Ended:1']);
    expect(duplicates).toEqual([1]);
  });

  it('refuses limits that cannot work', () => {
    const invalid = expect.objectContaining({ name: 'OcppSdkError', code: 'INVALID_ARGUMENT' });
    expect(() => csmsWith({ maxOpenTransactionsPerStation: 0 })).toThrow(invalid);
    expect(() => csmsWith({ maxDisconnectedStations: -1 })).toThrow(invalid);
  });
});
