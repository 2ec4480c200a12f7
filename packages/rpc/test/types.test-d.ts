import { createMemoryTransportPair } from '@ocpp/transport';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { describe, expectTypeOf, it } from 'vitest';
import { createRouter } from '../src/router.js';
import { CsmsServer } from '../src/server.js';
import { OcppSession } from '../src/session.js';

const [t] = createMemoryTransportPair();

describe('role- and version-typed sessions', () => {
  it('a CSMS can only call CSMS→station actions; a station only station→CSMS ones', () => {
    const csms = new OcppSession({
      protocol: v201Protocol,
      role: 'csms',
      transport: t,
      identity: 'X',
    });
    const station = new OcppSession({
      protocol: v201Protocol,
      role: 'station',
      transport: t,
      identity: 'X',
    });
    expectTypeOf(csms.call('Reset', { type: 'Immediate' })).resolves.toEqualTypeOf<{
      status: 'Accepted' | 'Rejected' | 'Scheduled';
      statusInfo?: import('@ocpp/v201-core').StatusInfoType;
      customData?: import('@ocpp/v201-core').CustomDataType;
    }>();
    // @ts-expect-error BootNotification is sent by the station, not the CSMS
    void csms.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'M', vendorName: 'V' },
    });
    // @ts-expect-error RequestStartTransaction is sent by the CSMS
    void station.call('RequestStartTransaction', {
      remoteStartId: 1,
      idToken: { idToken: 'T', type: 'Central' },
    });
    // @ts-expect-error a wrong payload field
    void station.call('Heartbeat', { at: 'now' });
    // DataTransfer goes both ways.
    void csms.call('DataTransfer', { vendorId: 'acme' });
    void station.call('DataTransfer', { vendorId: 'acme' });
  });

  it('SEND is only for SEND actions, and only on 2.1', () => {
    const station = new OcppSession({
      protocol: v21Protocol,
      role: 'station',
      transport: t,
      identity: 'X',
    });
    station.send('NotifyPeriodicEventStream', {
      id: 1,
      pending: 0,
      basetime: '',
      data: [{ t: 0, v: '1' }],
    });
    // @ts-expect-error NotifyPeriodicEventStream is not a CALL
    void station.call('NotifyPeriodicEventStream', { id: 1, pending: 0, basetime: '', data: [] });
    // @ts-expect-error Heartbeat is not a SEND
    station.send('Heartbeat', {});
  });

  it('handlers are typed by action, and only for actions the peer sends', () => {
    createRouter(v16Protocol, 'csms').handle('StartTransaction', (req) => {
      expectTypeOf(req.idTag).toEqualTypeOf<string>();
      return { transactionId: 1, idTagInfo: { status: 'Accepted' } };
    });
    // @ts-expect-error a CSMS does not handle RemoteStartTransaction
    createRouter(v16Protocol, 'csms').handle('RemoteStartTransaction', () => ({
      status: 'Accepted',
    }));
    // @ts-expect-error the response must match the schema type
    createRouter(v16Protocol, 'csms').handle('Heartbeat', () => ({ time: 'now' }));
  });

  it('a multi-version CSMS session narrows by negotiated protocol', () => {
    const server = new CsmsServer({
      listener: { onConnection() {}, close: async () => {} },
      routers: [createRouter(v16Protocol, 'csms'), createRouter(v201Protocol, 'csms')],
    });
    const s = server.get('CS1');
    if (s === undefined) return;
    // @ts-expect-error not every version has RequestStartTransaction
    void s.call('RequestStartTransaction', {
      remoteStartId: 1,
      idToken: { idToken: 'T', type: 'Central' },
    });
    if (s.protocol === 'ocpp2.0.1') {
      void s.call('RequestStartTransaction', {
        remoteStartId: 1,
        idToken: { idToken: 'T', type: 'Central' },
      });
    } else {
      expectTypeOf(s.protocol).toEqualTypeOf<'ocpp1.6'>();
      void s.call('RemoteStartTransaction', { idTag: 'T' });
    }
  });
});
