import type {
  IncomingConnection,
  Transport,
  TransportCloseInfo,
  TransportHandlers,
} from '@ocpp/transport';
import { type RawData, WebSocket } from 'ws';
import { WsTransportError } from './errors.js';
import { fromWsError, wsErrorCloseCode } from './ws-errors.js';

/** The server's view of its host: what a connection reports back to. */
interface ConnectionHost {
  readonly pingMs: number;
  readonly pongMs: number;
  readonly closeTimeoutMs: number;
  forget(connection: WsServerConnection): void;
  unlist(connection: WsServerConnection): void;
}

/** A server-side socket that knows its connection, so every socket shares one set of listeners. */
export class OcppSocket extends WebSocket {
  connection: WsServerConnection | undefined = undefined;
}

// Shared listeners: `this` is the socket, so 5,000 connections do not mean 20,000 closures.
function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as OcppSocket).connection?.receive(data, isBinary);
}

function onSocketPong(this: WebSocket): void {
  const connection = (this as OcppSocket).connection;
  if (connection !== undefined) connection.pongDeadline = 0;
}

function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
  (this as OcppSocket).connection?.socketClosed(code, reason.toString('utf8'));
}

function onSocketError(this: WebSocket, error: Error): void {
  (this as OcppSocket).connection?.socketError(error);
}

/**
 * One accepted station connection: the server-side {@link Transport}. It is open from the moment
 * it is handed over; `start()` reports `open` and lets inbound frames flow.
 */
export class WsServerConnection implements Transport {
  readonly identity: string;
  readonly protocol: string;
  /** What `onConnection` receives. */
  readonly incoming: IncomingConnection;
  /** @internal performance.now() at which the next ping is due. */
  nextPingAt: number;
  /** @internal performance.now() by which a pong must have arrived; 0 when none is awaited. */
  pongDeadline = 0;
  private readonly host: ConnectionHost;
  private readonly socket: OcppSocket;
  private handlers: TransportHandlers | undefined;
  private started = false;
  /** Close already reported to the session. */
  private reported = false;
  /** The socket has closed. */
  private ended = false;
  /** What we sent when we closed it ourselves; reported instead of what the socket saw. */
  private closeInfo: { code: number; reason: string } | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> | undefined;

  constructor(
    host: ConnectionHost,
    socket: OcppSocket,
    identity: string,
    protocol: string,
    auth: unknown,
    remoteAddress: string | undefined,
  ) {
    this.host = host;
    this.socket = socket;
    this.identity = identity;
    this.protocol = protocol;
    this.nextPingAt = performance.now() + host.pingMs;
    const incoming: {
      identity: string;
      protocol: string;
      transport: Transport;
      auth?: unknown;
      remoteAddress?: string;
    } = { identity, protocol, transport: this };
    if (auth !== undefined) incoming.auth = auth;
    if (remoteAddress !== undefined) incoming.remoteAddress = remoteAddress;
    this.incoming = incoming;
    socket.connection = this;
    socket.on('message', onSocketMessage);
    socket.on('pong', onSocketPong);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    // Hold inbound frames until a session has bound and started.
    socket.pause();
  }

  get isOpen(): boolean {
    return (
      !this.reported && this.closeInfo === undefined && this.socket.readyState === WebSocket.OPEN
    );
  }

  bind(handlers: TransportHandlers): void {
    if (this.handlers !== undefined) throw new Error('transport is already bound to a session');
    this.handlers = handlers;
  }

  async start(): Promise<void> {
    if (this.started) return;
    if (this.reported || this.ended) throw new WsTransportError('CLOSED', 'connection is closed');
    this.started = true;
    this.handlers?.open({ protocol: this.protocol });
    this.socket.resume();
  }

  send(text: string): void {
    if (!this.isOpen) throw new WsTransportError('NOT_OPEN', 'connection is not open');
    this.socket.send(text);
  }

  close(code = 1000, reason = ''): Promise<void> {
    if (this.ended) return Promise.resolve();
    if (this.closeInfo === undefined) {
      try {
        this.shut(code, reason);
      } catch (error) {
        // An invalid close code or an over-long reason: nothing was sent.
        return Promise.reject(error);
      }
      this.closeInfo = { code, reason };
    }
    return new Promise((resolve) => {
      if (this.waiters === undefined) this.waiters = [];
      this.waiters.push(resolve);
    });
  }

  /** @internal The same identity connected again: report the close now and let the socket go. */
  replace(): void {
    const reason = 'replaced by a new connection';
    if (this.closeInfo === undefined) {
      this.closeInfo = { code: 1000, reason };
      this.shut(1000, reason);
    }
    this.host.unlist(this);
    this.report({ code: 1000, reason, reconnecting: false });
  }

  /** @internal Ping sweep step. */
  keepAlive(now: number): void {
    if (this.closeInfo !== undefined || this.socket.readyState !== WebSocket.OPEN) return;
    if (this.pongDeadline !== 0) {
      if (now >= this.pongDeadline) this.pongTimedOut();
    } else if (now >= this.nextPingAt) {
      this.pongDeadline = now + this.host.pongMs;
      this.nextPingAt = now + this.host.pingMs;
      this.socket.ping();
    }
  }

  /** @internal */
  receive(data: RawData, isBinary: boolean): void {
    if (this.reported || !this.started) return;
    if (isBinary) {
      this.handlers?.error(
        new WsTransportError('BINARY_FRAME', 'received a binary frame; OCPP-J uses text frames'),
      );
      if (this.closeInfo === undefined) {
        this.closeInfo = { code: 1003, reason: 'binary frames are not supported' };
        this.shut(1003, this.closeInfo.reason);
      }
      return;
    }
    // `ws` hands text frames over as one Buffer; decode it once.
    this.handlers?.message((data as Buffer).toString('utf8'));
  }

  /** @internal */
  socketError(error: Error): void {
    const code = wsErrorCloseCode(error);
    if (code !== undefined && this.closeInfo === undefined) {
      this.closeInfo = { code, reason: error.message };
    }
    if (!this.reported) this.handlers?.error(fromWsError(error));
  }

  /** @internal */
  socketClosed(code: number, reason: string): void {
    this.ended = true;
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.socket.connection = undefined;
    this.host.forget(this);
    const info = this.closeInfo ?? { code, reason };
    this.report({ code: info.code, reason: info.reason, reconnecting: false });
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  private pongTimedOut(): void {
    const reason = `pong timeout: no pong within ${this.host.pongMs / 1000} s`;
    this.closeInfo = { code: 1006, reason };
    this.handlers?.error(new WsTransportError('PONG_TIMEOUT', reason));
    this.socket.terminate();
  }

  /** Starts the close handshake, bounded by the host's close timeout. */
  private shut(code: number, reason: string): void {
    this.socket.close(code, reason);
    // A paused socket would never read the peer's close frame.
    this.socket.resume();
    const socket = this.socket;
    this.closeTimer = setTimeout(() => socket.terminate(), this.host.closeTimeoutMs);
    this.closeTimer.unref();
  }

  private report(info: TransportCloseInfo): void {
    if (this.reported) return;
    this.reported = true;
    this.handlers?.close(info);
  }
}
