import {
  createMemoryTransportPair,
  type IncomingConnection,
  type TransportServer,
} from '@ocpp/transport';
import { v16Protocol } from '@ocpp/v16-core';
import { v201Protocol } from '@ocpp/v201-core';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { createRouter } from '../src/router.js';
import { CsmsServer } from '../src/server.js';
import { OcppSession } from '../src/session.js';

const now = '2025-03-14T09:26:53Z';

/** A TransportServer over in-memory pairs: `connect()` plays a station arriving. */
class FakeListener implements TransportServer {
  private listener: ((c: IncomingConnection) => void) | undefined;
  private readonly open = new Set<{ close(code?: number, reason?: string): Promise<void> }>();

  onConnection(listener: (c: IncomingConnection) => void): void {
    this.listener = listener;
  }

  connect(identity: string, protocol: string) {
    const [station, server] = createMemoryTransportPair({ protocol });
    this.open.add(server);
    this.listener?.({ identity, protocol, transport: server });
    return station;
  }

  async close(code = 1001, reason = ''): Promise<void> {
    await Promise.all([...this.open].map((t) => t.close(code, reason)));
  }
}

function csms() {
  const listener = new FakeListener();
  const r16 = createRouter(v16Protocol, 'csms').handle('BootNotification', () => ({
    status: 'Accepted',
    currentTime: now,
    interval: 300,
  }));
  const r201 = createRouter(v201Protocol, 'csms')
    .handle('BootNotification', () => ({ status: 'Accepted', currentTime: now, interval: 300 }))
    .handle('Heartbeat', () => ({ currentTime: now }));
  const server = new CsmsServer({ listener, routers: [r16, r201], logger: silentLogger });
  return { listener, server };
}

describe('CsmsServer', () => {
  it('serves 1.6 and 2.0.1 stations at once, each with the router of its version', async () => {
    const { listener, server } = csms();
    const s16 = new OcppSession({
      protocol: v16Protocol,
      role: 'station',
      identity: 'A',
      logger: silentLogger,
      transport: listener.connect('A', 'ocpp1.6'),
    });
    const s201 = new OcppSession({
      protocol: v201Protocol,
      role: 'station',
      identity: 'B',
      logger: silentLogger,
      transport: listener.connect('B', 'ocpp2.0.1'),
    });
    await s16.start();
    await s201.start();
    await expect(
      s16.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'M' }),
    ).resolves.toMatchObject({ status: 'Accepted' });
    await expect(s201.call('Heartbeat', {})).resolves.toEqual({ currentTime: now });
    expect(server.size).toBe(2);
    expect(server.get('A')?.protocol).toBe('ocpp1.6');
    expect(server.get('B')?.protocol).toBe('ocpp2.0.1');
  });

  it('finds a station by identity so application code can call it', async () => {
    const { listener, server } = csms();
    const router = createRouter(v201Protocol, 'station').handle(
      'RequestStartTransaction',
      (req) => ({
        status: req.remoteStartId > 0 ? 'Accepted' : 'Rejected',
      }),
    );
    const station = new OcppSession({
      protocol: v201Protocol,
      role: 'station',
      identity: 'CS9',
      router,
      logger: silentLogger,
      transport: listener.connect('CS9', 'ocpp2.0.1'),
    });
    await station.start();
    await vi.waitFor(() => expect(server.get('CS9')).toBeDefined());
    const session = server.get('CS9')!;
    if (session.protocol !== 'ocpp2.0.1') throw new Error('expected a 2.0.1 session');
    await expect(
      session.call('RequestStartTransaction', {
        remoteStartId: 7,
        idToken: { idToken: 'T', type: 'Central' },
      }),
    ).resolves.toEqual({ status: 'Accepted' });
  });

  it('a connection of a version without a router is closed', async () => {
    const { listener, server } = csms();
    const t = listener.connect('C', 'ocpp2.1');
    const closed = vi.fn();
    t.bind({ message: () => {}, open: () => {}, close: closed, error: () => {} });
    await t.start();
    await vi.waitFor(() =>
      expect(closed).toHaveBeenCalledWith(expect.objectContaining({ code: 1002 })),
    );
    expect(server.size).toBe(0);
  });

  it('a reconnecting station replaces its old session; shutdown closes everyone with 1001', async () => {
    const { listener, server } = csms();
    const disconnects: number[] = [];
    server.on('disconnect', (_s, info) => disconnects.push(info.code));
    const first = new OcppSession({
      protocol: v201Protocol,
      role: 'station',
      identity: 'D',
      logger: silentLogger,
      transport: listener.connect('D', 'ocpp2.0.1'),
    });
    await first.start();
    await vi.waitFor(() => expect(server.size).toBe(1));
    const old = server.get('D');
    const second = new OcppSession({
      protocol: v201Protocol,
      role: 'station',
      identity: 'D',
      logger: silentLogger,
      transport: listener.connect('D', 'ocpp2.0.1'),
    });
    await second.start();
    await vi.waitFor(() => expect(server.get('D')).not.toBe(old));
    expect(server.size).toBe(1);
    const stationSaw: number[] = [];
    second.on('close', (info) => stationSaw.push(info.code));
    await server.close();
    await vi.waitFor(() => expect(server.size).toBe(0));
    expect(disconnects).toEqual([1000, 1001]);
    expect(stationSaw).toEqual([1001]);
    await expect(second.call('Heartbeat', {})).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });
});

describe('CsmsServer session bookkeeping', () => {
  it('reports a disconnect before the session closes for its own listeners, then forgets it', async () => {
    const { listener, server } = csms();
    const order: string[] = [];
    server.on('session', (session) => {
      session.on('close', () => order.push(`session close, size ${server.size}`));
    });
    server.on('disconnect', () => order.push(`disconnect, size ${server.size}`));
    const station = new OcppSession({
      protocol: v16Protocol,
      role: 'station',
      identity: 'E',
      logger: silentLogger,
      transport: listener.connect('E', 'ocpp1.6'),
    });
    await station.start();
    await vi.waitFor(() => expect(server.size).toBe(1));
    await station.close();
    await vi.waitFor(() => expect(order).toHaveLength(2));
    expect(order).toEqual(['disconnect, size 0', 'session close, size 0']);
  });

  it('applies per-connection settings chosen by a function', async () => {
    const listener = new FakeListener();
    const router = createRouter(v201Protocol, 'csms').handle('Heartbeat', () => ({
      currentTime: 'not a date-time',
    }));
    const server = new CsmsServer({
      listener,
      routers: [router],
      logger: silentLogger,
      session: (connection) =>
        connection.identity === 'LAX' ? { validation: { outbound: 'off' } } : {},
    });
    const open = (identity: string) =>
      new OcppSession({
        protocol: v201Protocol,
        role: 'station',
        identity,
        logger: silentLogger,
        validation: { inbound: 'off' },
        transport: listener.connect(identity, 'ocpp2.0.1'),
      });
    const lax = open('LAX');
    const strict = open('STRICT');
    await Promise.all([lax.start(), strict.start()]);
    await vi.waitFor(() => expect(server.size).toBe(2));
    expect(await lax.call('Heartbeat', {})).toEqual({ currentTime: 'not a date-time' });
    await expect(strict.call('Heartbeat', {})).rejects.toMatchObject({ code: 'InternalError' });
  });
});
