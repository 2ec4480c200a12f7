import type { ActionMapShape, OcppVersion, Protocol } from '@ocpp/runtime';
import { createMemoryTransportPair, type Transport, type TransportHandlers } from '@ocpp/transport';
import { silentLogger } from '../src/logger.js';
import type { Router } from '../src/router.js';
import { OcppSession, type SessionOptions } from '../src/session.js';
import type { Role } from '../src/types.js';

/** A peer driven by hand: records every frame it receives and sends raw text. */
export class RawPeer {
  readonly received: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly transport: Transport) {
    transport.bind({
      message: (t) => {
        this.received.push(t);
        for (const w of this.waiters.splice(0)) w();
      },
      open: () => {},
      close: () => {},
      error: () => {},
    });
  }

  send(frame: unknown): void {
    this.transport.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the n-th received frame (parsed), waiting for it if needed. */
  async frame(n: number): Promise<unknown[]> {
    while (this.received.length <= n) await new Promise<void>((r) => this.waiters.push(r));
    return JSON.parse(this.received[n]!) as unknown[];
  }

  /** Lets queued microtasks and a macrotask run, then returns how many frames arrived. */
  async settle(): Promise<number> {
    await new Promise((r) => setTimeout(r, 5));
    return this.received.length;
  }
}

/** A session of `role` wired to a raw peer over an in-memory pair. */
export async function withRawPeer<
  V extends OcppVersion,
  M extends ActionMapShape<M>,
  R extends Role,
>(
  protocol: Protocol<V, M>,
  role: R,
  // biome-ignore lint/suspicious/noExplicitAny: any dependency set
  router?: Router<V, M, R, any>,
  options: Partial<SessionOptions<V, M, R>> = {},
) {
  const [a, b] = createMemoryTransportPair({ protocol: protocol.subprotocol });
  const peer = new RawPeer(b);
  const session = new OcppSession({
    protocol,
    role,
    transport: a,
    identity: 'CS001',
    logger: silentLogger,
    ...(router !== undefined && { router }),
    ...options,
  });
  await session.start();
  await b.start();
  return { session, peer };
}

/** A station session and a CSMS session talking over an in-memory pair. */
export async function pair<V extends OcppVersion, M extends ActionMapShape<M>>(
  protocol: Protocol<V, M>,
  routers: {
    // biome-ignore lint/suspicious/noExplicitAny: any dependency set
    station?: Router<V, M, 'station', any>;
    // biome-ignore lint/suspicious/noExplicitAny: any dependency set
    csms?: Router<V, M, 'csms', any>;
  },
  options: Partial<SessionOptions<V, M, Role>> = {},
) {
  const [a, b] = createMemoryTransportPair({ protocol: protocol.subprotocol });
  const common = { protocol, identity: 'CS001', logger: silentLogger, ...options };
  const station = new OcppSession({
    ...common,
    role: 'station',
    transport: a,
    ...(routers.station !== undefined && { router: routers.station }),
  } as SessionOptions<V, M, 'station'>);
  const csms = new OcppSession({
    ...common,
    role: 'csms',
    transport: b,
    ...(routers.csms !== undefined && { router: routers.csms }),
  } as SessionOptions<V, M, 'csms'>);
  await station.start();
  await csms.start();
  return { station, csms };
}

/** A transport driven by hand that can drop and come back, as a reconnecting client does. */
export class HandTransport implements Transport {
  isOpen = false;
  protocol = '';
  readonly sent: string[] = [];
  private handlers: TransportHandlers | undefined;

  constructor(private readonly subprotocol = 'ocpp2.0.1') {}

  bind(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }
  async start(): Promise<void> {
    this.up();
  }
  send(text: string): void {
    if (!this.isOpen) throw new Error('not open');
    this.sent.push(text);
  }
  async close(code = 1000, reason = ''): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.handlers?.close({ code, reason, reconnecting: false });
  }
  /** The connection comes (back) up. */
  up(): void {
    this.isOpen = true;
    this.protocol = this.subprotocol;
    this.handlers?.open({ protocol: this.protocol });
  }
  /** The connection drops; `reconnecting` as a client with reconnect on reports it. */
  drop(reconnecting: boolean, code = 1006): void {
    this.isOpen = false;
    this.handlers?.close({ code, reason: '', reconnecting });
  }
  deliver(frame: unknown): void {
    this.handlers?.message(JSON.stringify(frame));
  }
  frames(): unknown[][] {
    return this.sent.map((t) => JSON.parse(t) as unknown[]);
  }
}
