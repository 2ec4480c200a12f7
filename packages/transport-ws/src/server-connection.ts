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
  /** The most a peer may leave unread before it is cut off. */
  readonly maxBufferedBytes: number;
  /** Whole milliseconds on the host's keep-alive clock. */
  now(): number;
  forget(connection: WsServerConnection): void;
  unlist(connection: WsServerConnection): void;
}

/**
 * A server-side socket that hands its events straight to its connection: no listener per event
 * per socket (thousands of idle stations), and no event-emitter dispatch per message. Errors are
 * never thrown for want of a listener: a socket without a connection has nobody to tell. Every
 * other event goes the usual way.
 */
export class OcppSocket extends WebSocket {
  connection: WsServerConnection | undefined = undefined;

  // `ws` emits its events with at most two arguments; a fixed arity keeps the hot path free of
  // rest arrays.
  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    switch (event) {
      case 'message':
        this.connection?.receive(a as RawData, b as boolean);
        return true;
      case 'pong':
        this.connection?.ponged();
        return true;
      case 'ping':
        this.connection?.pinged(a as Buffer);
        return true;
      case 'close':
        this.connection?.socketClosed(a as number, (b as Buffer).toString('utf8'));
        return true;
      case 'error':
        this.connection?.socketError(a as Error);
        return true;
      default:
        return super.emit(event, a, b);
    }
  }
}

/** `state` bits. `start()` was called. */
const STARTED = 1;
/** Close already reported to the session. */
const REPORTED = 2;
/** The socket has closed. */
const ENDED = 4;
/** We are closing (or cut the connection off): `closing` holds what to report. */
const CLOSING = 8;
/** A ping is out and its pong not back yet: `due` is the pong deadline, not the next ping. */
const AWAITING_PONG = 16;
/** Reading is held until the transport is started. */
const HELD = 32;
/** The session paused reading (`pause()`). Independent of `HELD`: either one keeps the socket paused. */
const PAUSED = 64;
/** A drain of `held` frames is scheduled. */
const DRAINING = 128;

/** A held binary frame: reported (and the connection closed with 1003) when its turn comes. */
const BINARY = null;
type HeldFrame = string | typeof BINARY;

/** What only a closing connection needs. */
interface Closing {
  /** What we sent when we closed it ourselves; reported instead of what the socket saw. */
  info: { code: number; reason: string };
  timer: NodeJS.Timeout | undefined;
  waiters: Array<() => void> | undefined;
}

/**
 * One accepted station connection: the server-side {@link Transport}, and the
 * {@link IncomingConnection} that describes it (it is its own `transport`). It is open from the
 * moment it is handed over; `start()` reports `open` and lets inbound frames flow.
 */
export class WsServerConnection implements Transport, IncomingConnection {
  readonly identity: string;
  readonly protocol: string;
  // Declared only: set when there is one, absent otherwise (as on a plain object).
  declare readonly auth?: unknown;
  declare readonly remoteAddress?: string;
  /**
   * @internal On the host's keep-alive clock: when the next ping is due, or, while a pong is
   * awaited, the pong deadline. Whole milliseconds, so it stays a small integer.
   */
  due: number;
  private readonly host: ConnectionHost;
  private readonly socket: OcppSocket;
  private handlers: TransportHandlers | undefined;
  private state = 0;
  private closing: Closing | undefined;
  /**
   * Frames `ws` had already read when reading stopped (before `start()`, or after `pause()`),
   * delivered in order once the session may have them. Bounded by what one socket read brings:
   * the socket itself is paused meanwhile.
   */
  private held: HeldFrame[] | undefined;
  /** The next frame of `held` to deliver. */
  private heldAt = 0;

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
    this.due = host.now() + host.pingMs;
    if (auth !== undefined) (this as { auth?: unknown }).auth = auth;
    if (remoteAddress !== undefined)
      (this as { remoteAddress?: string }).remoteAddress = remoteAddress;
    socket.connection = this;
  }

  /**
   * @internal Called by the server once `onConnection` has returned: a connection not started by
   * then holds its inbound frames until it is. (No frame can arrive while `onConnection` runs, and
   * most listeners start the session at once, so most connections never pause.) A connection
   * already closing stays unpaused: it must read the peer's close frame.
   */
  holdUntilStarted(): void {
    if ((this.state & (STARTED | HELD | CLOSING)) !== 0) return;
    this.state |= HELD;
    this.syncReading();
  }

  /** This connection (an accepted connection is its own transport). */
  get transport(): Transport {
    return this;
  }

  get isOpen(): boolean {
    return (this.state & (REPORTED | CLOSING)) === 0 && this.socket.readyState === WebSocket.OPEN;
  }

  bind(handlers: TransportHandlers): void {
    if (this.handlers !== undefined) throw new Error('transport is already bound to a session');
    this.handlers = handlers;
  }

  async start(): Promise<void> {
    if ((this.state & STARTED) !== 0) return;
    if ((this.state & (REPORTED | ENDED)) !== 0)
      throw new WsTransportError('CLOSED', 'connection is closed');
    this.state |= STARTED;
    this.handlers?.open({ protocol: this.protocol });
    if ((this.state & HELD) !== 0) {
      this.state &= ~HELD;
      this.syncReading();
    }
    this.scheduleDrain();
  }

  /**
   * Stops reading inbound frames until {@link resume}: the socket is paused, so a peer that keeps
   * sending is held back by TCP. Frames `ws` had already read are kept and delivered after
   * `resume()`, so none arrives while paused. While paused, the keep-alive neither pings nor cuts
   * the peer off (its pong could not be read). A closing connection keeps reading, to see the
   * peer's close frame; frames that arrive then, while paused, are dropped.
   */
  pause(): void {
    if ((this.state & PAUSED) !== 0) return;
    this.state |= PAUSED;
    this.syncReading();
  }

  /** Reads inbound frames again after {@link pause}, frames kept meanwhile first. */
  resume(): void {
    if ((this.state & PAUSED) === 0) return;
    this.state &= ~PAUSED;
    this.syncReading();
    this.scheduleDrain();
  }

  /**
   * Sends one text frame. Throws `NOT_OPEN` when the connection is not open, and
   * `SEND_BUFFER_FULL` when the frame would leave more than the server's `maxBufferedBytes`
   * queued for a peer that does not read: the connection is then cut off and its close reported
   * with code 1008.
   */
  send(text: string): void {
    if (!this.isOpen) throw new WsTransportError('NOT_OPEN', 'connection is not open');
    const socket = this.socket;
    const queued = socket.bufferedAmount;
    const limit = this.host.maxBufferedBytes;
    // Three bytes per UTF-16 unit bound the UTF-8 size: count exactly only near the limit.
    if (queued + text.length * 3 > limit && queued + Buffer.byteLength(text) > limit) {
      throw this.cutOff(queued);
    }
    socket.send(text);
  }

  close(code = 1000, reason = ''): Promise<void> {
    if ((this.state & ENDED) !== 0) return Promise.resolve();
    if (this.closing === undefined) {
      try {
        this.shut(code, reason);
      } catch (error) {
        // An invalid close code or an over-long reason: nothing was sent.
        return Promise.reject(error);
      }
    }
    const closing = this.closing!;
    return new Promise((resolve) => {
      closing.waiters ??= [];
      closing.waiters.push(resolve);
    });
  }

  /** @internal The same identity connected again: report the close now and let the socket go. */
  replace(): void {
    const reason = 'replaced by a new connection';
    if (this.closing === undefined) this.shut(1000, reason);
    this.host.unlist(this);
    this.report({ code: 1000, reason, reconnecting: false });
  }

  /** @internal Keep-alive sweep step: send a due ping, cut off a peer whose pong is overdue. */
  keepAlive(now: number): void {
    if ((this.state & CLOSING) !== 0 || this.socket.readyState !== WebSocket.OPEN) return;
    if (now < this.due) return;
    if ((this.state & PAUSED) !== 0) {
      // The session stopped reading, so a pong could not be seen: judge the peer after resume().
      this.due = now + ((this.state & AWAITING_PONG) !== 0 ? this.host.pongMs : this.host.pingMs);
      return;
    }
    if ((this.state & AWAITING_PONG) !== 0) {
      this.pongTimedOut();
    } else {
      this.state |= AWAITING_PONG;
      this.due = now + this.host.pongMs;
      this.socket.ping();
    }
  }

  /** @internal A pong arrived: the next ping is due one interval after the last one. */
  ponged(): void {
    if ((this.state & AWAITING_PONG) === 0) return;
    this.state &= ~AWAITING_PONG;
    this.due += this.host.pingMs - this.host.pongMs;
  }

  /**
   * @internal A ping arrived: answered here rather than by `ws`, so that a peer that pings without
   * reading cannot pile up pongs past `maxBufferedBytes` either.
   */
  pinged(data: Buffer): void {
    const socket = this.socket;
    if ((this.state & CLOSING) !== 0 || socket.readyState !== WebSocket.OPEN) return;
    const queued = socket.bufferedAmount;
    if (queued + data.length + 2 > this.host.maxBufferedBytes) {
      const error = this.cutOff(queued);
      if ((this.state & REPORTED) === 0) this.handlers?.error(error);
      return;
    }
    socket.pong(data);
  }

  /** @internal */
  receive(data: RawData, isBinary: boolean): void {
    const state = this.state;
    if ((state & REPORTED) !== 0) return;
    // `ws` hands text frames over as one Buffer; decode it once.
    const frame = isBinary ? BINARY : (data as Buffer).toString('utf8');
    if ((state & (STARTED | PAUSED)) !== STARTED || this.held !== undefined) {
      // Not started, paused, or earlier frames still wait: keep it, in order. A closing
      // connection reads on only to see the close frame; what else arrives is not kept.
      if ((state & CLOSING) !== 0 && (state & (STARTED | PAUSED)) !== STARTED) return;
      this.held ??= [];
      this.held.push(frame);
      return;
    }
    this.deliver(frame);
  }

  /** @internal */
  socketError(error: Error): void {
    const code = wsErrorCloseCode(error);
    if (code !== undefined && this.closing === undefined) {
      this.state |= CLOSING;
      this.closing = {
        info: { code, reason: error.message },
        timer: undefined,
        waiters: undefined,
      };
    }
    if ((this.state & REPORTED) === 0) this.handlers?.error(fromWsError(error));
  }

  /** @internal */
  socketClosed(code: number, reason: string): void {
    this.state |= ENDED;
    const closing = this.closing;
    if (closing?.timer !== undefined) clearTimeout(closing.timer);
    this.socket.connection = undefined;
    this.host.forget(this);
    const info = closing?.info ?? { code, reason };
    this.report({ code: info.code, reason: info.reason, reconnecting: false });
    const waiters = closing?.waiters;
    if (closing !== undefined) closing.waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  private deliver(frame: HeldFrame): void {
    if (frame !== BINARY) {
      this.handlers?.message(frame);
      return;
    }
    this.handlers?.error(
      new WsTransportError('BINARY_FRAME', 'received a binary frame; OCPP-J uses text frames'),
    );
    if (this.closing === undefined) this.shut(1003, 'binary frames are not supported');
  }

  /** Delivers kept frames on a later microtask (never from inside `resume()` or `start()`). */
  private scheduleDrain(): void {
    if (this.held === undefined || (this.state & DRAINING) !== 0) return;
    this.state |= DRAINING;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.state &= ~DRAINING;
    const held = this.held;
    if (held === undefined) return;
    while (this.heldAt < held.length && (this.state & (STARTED | PAUSED | REPORTED)) === STARTED) {
      const frame = held[this.heldAt]!;
      this.heldAt += 1;
      this.deliver(frame);
    }
    if (this.heldAt >= held.length || (this.state & REPORTED) !== 0) this.dropHeld();
  }

  private dropHeld(): void {
    this.held = undefined;
    this.heldAt = 0;
  }

  /**
   * Pauses or resumes the socket for the two reasons to hold inbound frames (not started yet,
   * paused by the session); a closing connection always reads, or it would never see the peer's
   * close frame.
   */
  private syncReading(): void {
    const socket = this.socket;
    const hold = (this.state & (HELD | PAUSED)) !== 0 && (this.state & CLOSING) === 0;
    if (hold) {
      if (!socket.isPaused) socket.pause();
    } else if (socket.isPaused) {
      socket.resume();
    }
  }

  /**
   * Cuts off a peer that does not read what we send: destroyed at once (it would not read a close
   * frame either), reported to the session as 1008.
   */
  private cutOff(queued: number): WsTransportError {
    const reason = `send buffer full: the peer does not read (${queued} bytes queued)`;
    if (this.closing === undefined) {
      this.state |= CLOSING;
      this.closing = { info: { code: 1008, reason }, timer: undefined, waiters: undefined };
      this.socket.terminate();
    }
    return new WsTransportError('SEND_BUFFER_FULL', reason);
  }

  private pongTimedOut(): void {
    const reason = `pong timeout: no pong within ${this.host.pongMs / 1000} s`;
    this.state |= CLOSING;
    this.closing = { info: { code: 1006, reason }, timer: undefined, waiters: undefined };
    this.handlers?.error(new WsTransportError('PONG_TIMEOUT', reason));
    this.socket.terminate();
  }

  /**
   * Starts the close handshake, bounded by the host's close timeout; what we sent is what the
   * session will be told.
   */
  private shut(code: number, reason: string): void {
    this.socket.close(code, reason);
    const socket = this.socket;
    const timer = setTimeout(() => socket.terminate(), this.host.closeTimeoutMs);
    timer.unref();
    this.state |= CLOSING;
    this.closing = { info: { code, reason }, timer, waiters: undefined };
    // A paused socket would never read the peer's close frame.
    this.syncReading();
  }

  private report(info: TransportCloseInfo): void {
    if ((this.state & REPORTED) !== 0) return;
    this.state |= REPORTED;
    // Frames of a closed connection can no longer be answered.
    this.dropHeld();
    this.handlers?.close(info);
  }
}
