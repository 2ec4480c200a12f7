import { CsmsServer, createRouter, OcppSession, silentLogger } from '@ocpp/rpc';
import { createWsClient, createWsServer, safeEqual } from '@ocpp/transport-ws';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { describe, expect, it } from 'vitest';

/** The examples of packages/rpc/README.md, run for real. */
describe('README: a three-version CSMS with Basic auth, and a station', () => {
  it('accepts 1.6, 2.0.1 and 2.1 stations with the right password, refuses a wrong one, calls a station', async () => {
    const passwords = new Map([
      ['CS16', 'sixteen-chars-16'],
      ['CS001', 'a-16-char-secret'],
      ['CS21', 'sixteen-chars-21'],
    ]);
    const now = () => new Date().toISOString();
    const boot = () => ({ status: 'Accepted', currentTime: now(), interval: 300 }) as const;
    const listener = createWsServer({
      host: '127.0.0.1',
      port: 0,
      securityProfile: 1,
      authenticate: ({ identity, password }) =>
        password !== undefined && safeEqual(password, passwords.get(identity) ?? ''),
    });
    const csms = new CsmsServer({
      listener,
      logger: silentLogger,
      routers: [
        createRouter(v21Protocol, 'csms')
          .handle('BootNotification', boot)
          .handle('Heartbeat', () => ({ currentTime: now() })),
        createRouter(v201Protocol, 'csms')
          .handle('BootNotification', boot)
          .handle('Heartbeat', () => ({ currentTime: now() })),
        createRouter(v16Protocol, 'csms')
          .handle('BootNotification', boot)
          .handle('Heartbeat', () => ({ currentTime: now() })),
      ],
    });
    const url = `ws://127.0.0.1:${await listener.listen()}`;
    try {
      const station = new OcppSession({
        protocol: v201Protocol,
        role: 'station',
        identity: 'CS001',
        logger: silentLogger,
        transport: createWsClient({
          url,
          identity: 'CS001',
          protocols: ['ocpp2.0.1'],
          password: 'a-16-char-secret',
          reconnect: false,
        }),
        router: createRouter(v201Protocol, 'station').handle('RequestStartTransaction', () => ({
          status: 'Accepted',
        })),
      });
      await station.start();
      const { interval } = await station.call('BootNotification', {
        reason: 'PowerUp',
        chargingStation: { model: 'X', vendorName: 'Acme' },
      });
      expect(interval).toBe(300);
      await station.call('Heartbeat', {});

      const s = csms.get('CS001');
      expect(s?.protocol).toBe('ocpp2.0.1');
      if (s?.protocol === 'ocpp2.0.1') {
        await expect(
          s.call('RequestStartTransaction', {
            remoteStartId: 1,
            idToken: { idToken: 'A1', type: 'Central' },
          }),
        ).resolves.toEqual({ status: 'Accepted' });
      }

      for (const [identity, protocol, password] of [
        ['CS16', v16Protocol, 'sixteen-chars-16'],
        ['CS21', v21Protocol, 'sixteen-chars-21'],
      ] as const) {
        const other = new OcppSession({
          protocol: protocol as typeof v16Protocol,
          role: 'station',
          identity,
          logger: silentLogger,
          transport: createWsClient({
            url,
            identity,
            protocols: [protocol.subprotocol],
            password,
            reconnect: false,
          }),
        });
        await other.start();
        await expect(other.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
        await other.close();
      }

      const intruder = createWsClient({
        url,
        identity: 'CS16',
        protocols: ['ocpp1.6'],
        password: 'wrong-password-16',
        reconnect: false,
      });
      intruder.bind({ message: () => {}, open: () => {}, close: () => {}, error: () => {} });
      await expect(intruder.start()).rejects.toMatchObject({
        code: 'HANDSHAKE_REJECTED',
        status: 401,
      });
      await station.close();
    } finally {
      await csms.close();
    }
  });
});
