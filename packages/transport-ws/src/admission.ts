import { isIP, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * The key per-address limits count under: an IPv4 address as it is (also when IPv4-mapped, as
 * `::ffff:192.0.2.1`), an IPv6 address by its /64 prefix, since one host usually holds a whole
 * /64 and could otherwise take a fresh address for every connection.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return '';
  // IPv4, the common case.
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  const bare = address.split('%', 1)[0]!.toLowerCase();
  const [head = '', tail] = bare.split('::', 2);
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined && groups.length < 4) {
    const rest = tail === '' ? [] : tail.split(':');
    const zeros = 8 - groups.length - rest.length;
    groups.push(...new Array<string>(Math.max(0, zeros)).fill('0'), ...rest);
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * True for loopback addresses (127.0.0.0/8, `::1`, IPv4-mapped loopback): connections from this
 * machine, such as a local reverse proxy or load test, whose address does not tell hosts apart.
 */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || /^::ffff:127\./i.test(address);
}

/**
 * The TCP socket under `socket`: for a TLS socket of a Node server, the socket it wraps (Node's
 * `_parent`), otherwise the socket itself.
 */
export function rawSocket(socket: Duplex): Duplex {
  const parent = (socket as { _parent?: unknown })._parent;
  return parent instanceof Socket ? parent : socket;
}

/** The limits of {@link Admission}. */
export interface AdmissionLimits {
  /** Milliseconds from connecting to the completed upgrade; 0 for no limit. */
  readonly handshakeTimeoutMs: number;
  /** Sockets in all, handshakes and WebSockets. */
  readonly maxConnections: number;
  /** Sockets still in their handshake per address key. */
  readonly maxHandshakesPerAddress: number;
  /** Addresses `maxHandshakesPerAddress` does not apply to. */
  readonly exempt: (address: string) => boolean;
}

/** A socket refused or cut off before its upgrade, with no HTTP answer. */
export interface AdmissionRefusal {
  readonly stage: 'connection' | 'tls';
  readonly reason: string;
  readonly identity: string | undefined;
  readonly remoteAddress: string | undefined;
}

/** A socket that has not completed its WebSocket upgrade yet. */
interface Handshake {
  readonly key: string;
  readonly remoteAddress: string | undefined;
  /** On the `performance.now()` clock. */
  readonly deadline: number;
  /** The identity of its upgrade request, once one came. */
  identity: string | undefined;
  /** An HTTP answer (a refusal) went out: the socket only waits to go. */
  answered: boolean;
}

const TLS_REASONS: Readonly<Record<string, string>> = {
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 'no client certificate',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'TLS version not supported',
  ERR_SSL_NO_SHARED_CIPHER: 'no shared cipher suite',
  ERR_SSL_WRONG_CURVE: 'client certificate on an unsupported curve',
  ERR_SSL_HTTP_REQUEST: 'plain HTTP sent to a TLS port',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'TLS handshake timeout',
};

/** Why a TLS handshake failed, in a few words, from the error and the socket's verdict. */
function tlsReason(error: Error, authorizationError: unknown): string {
  if (typeof authorizationError === 'string' || authorizationError instanceof Error) {
    const code =
      typeof authorizationError === 'string'
        ? authorizationError
        : ((authorizationError as { code?: string }).code ?? authorizationError.message);
    return `TLS handshake failed: client certificate not trusted (${code})`;
  }
  const code = (error as { code?: unknown }).code;
  const name = typeof code === 'string' ? code : undefined;
  const known = name === undefined ? undefined : TLS_REASONS[name];
  if (known !== undefined) return `TLS handshake failed: ${known} (${name})`;
  return `TLS handshake failed: ${name ?? error.message.split('\n', 1)[0]!.slice(0, 120)}`;
}

/**
 * Keeps count of a server's sockets from their TCP connection on: refuses sockets over the total
 * or per-address limit at once, destroys sockets that have not completed their WebSocket upgrade
 * within the handshake timeout, and reports both. One timer serves every handshake: deadlines
 * are all "connected + timeout", so the oldest handshake is always the next one due.
 */
export class Admission {
  private live = 0;
  private readonly handshakes = new Map<Duplex, Handshake>();
  private readonly perAddress = new Map<string, number>();
  /**
   * Handshakes whose socket closed unanswered: Node may report why the TLS handshake failed only
   * after the TCP socket under it has closed.
   */
  private readonly ended = new WeakMap<Duplex, Handshake>();
  private timer: NodeJS.Timeout | undefined;
  private readonly limits: AdmissionLimits;
  private readonly report: (refusal: AdmissionRefusal) => void;
  /** One `close` listener for every socket (`this` is the socket). */
  private readonly onClose: (this: Duplex) => void;

  constructor(limits: AdmissionLimits, report: (refusal: AdmissionRefusal) => void) {
    this.limits = limits;
    this.report = report;
    const admission = this;
    this.onClose = function (this: Duplex) {
      admission.gone(this);
    };
  }

  /** Sockets counted: handshakes and WebSockets. */
  get connections(): number {
    return this.live;
  }

  /** Sockets still in their handshake. */
  get pendingHandshakes(): number {
    return this.handshakes.size;
  }

  /** A new TCP connection: counted and timed, or destroyed at once when over a limit. */
  admit(socket: Duplex): void {
    const remoteAddress = (socket as Socket).remoteAddress;
    let reason: string | undefined;
    const key = addressKey(remoteAddress);
    if (this.live >= this.limits.maxConnections) {
      reason = `too many connections: ${this.limits.maxConnections} open or opening`;
    } else if (
      (this.perAddress.get(key) ?? 0) >= this.limits.maxHandshakesPerAddress &&
      !(remoteAddress !== undefined && this.limits.exempt(remoteAddress))
    ) {
      reason = `too many handshakes from this address: ${this.limits.maxHandshakesPerAddress} under way`;
    }
    if (reason !== undefined) {
      socket.on('error', swallow);
      socket.destroy();
      this.report({ stage: 'connection', reason, identity: undefined, remoteAddress });
      return;
    }
    this.count(socket, key, remoteAddress);
  }

  /**
   * An upgrade request: records its identity, and takes on a socket not seen connecting (one
   * that connected before the server attached, or that made a plain request first).
   */
  upgrading(socket: Duplex, identity: string | undefined): void {
    const raw = rawSocket(socket);
    let handshake = this.handshakes.get(raw);
    if (handshake === undefined && !raw.destroyed) {
      const remoteAddress = (raw as Socket).remoteAddress;
      if (!raw.listeners('close').includes(this.onClose)) {
        this.live += 1;
        raw.on('close', this.onClose);
      }
      handshake = this.time(raw, addressKey(remoteAddress), remoteAddress);
    }
    if (handshake !== undefined) handshake.identity = identity;
  }

  /** An HTTP answer went out on `socket`: its timeout, should it come, is not reported again. */
  answered(socket: Duplex): void {
    const handshake = this.handshakes.get(rawSocket(socket));
    if (handshake !== undefined) handshake.answered = true;
  }

  /** The upgrade completed: the socket is a WebSocket now, still counted, no longer timed. */
  upgraded(socket: Duplex): void {
    this.untime(rawSocket(socket));
  }

  /** A plain HTTP request on an attached server: that socket is the server owner's business. */
  release(socket: Duplex): void {
    const raw = rawSocket(socket);
    this.untime(raw);
    if (raw.listeners('close').includes(this.onClose)) {
      raw.off('close', this.onClose);
      this.live -= 1;
    }
  }

  /** A TLS handshake failed: reported once, with the reason, unless it was already cut off. */
  tlsFailed(error: Error, tlsSocket: Duplex): void {
    const raw = rawSocket(tlsSocket);
    const handshake = this.handshakes.get(raw) ?? this.ended.get(raw);
    if (handshake === undefined || handshake.answered) return;
    handshake.answered = true;
    this.untime(raw);
    this.ended.delete(raw);
    const verdict = (tlsSocket as { authorizationError?: unknown }).authorizationError;
    this.report({
      stage: 'tls',
      reason: tlsReason(error, verdict),
      identity: undefined,
      remoteAddress: handshake.remoteAddress,
    });
  }

  /**
   * Stops timing. With `destroy: 'all'`, every socket still in its handshake is destroyed; with
   * `'upgrading'`, only those that sent an upgrade request (the others may be an attached
   * server's own).
   */
  stop(destroy: 'all' | 'upgrading'): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [socket, handshake] of [...this.handshakes]) {
      if (destroy === 'all' || handshake.identity !== undefined) socket.destroy();
      this.untime(socket);
    }
  }

  private count(socket: Duplex, key: string, remoteAddress: string | undefined): void {
    this.live += 1;
    socket.on('close', this.onClose);
    this.time(socket, key, remoteAddress);
  }

  private time(socket: Duplex, key: string, remoteAddress: string | undefined): Handshake {
    const handshake: Handshake = {
      key,
      remoteAddress,
      deadline: performance.now() + this.limits.handshakeTimeoutMs,
      identity: undefined,
      answered: false,
    };
    this.handshakes.set(socket, handshake);
    this.perAddress.set(key, (this.perAddress.get(key) ?? 0) + 1);
    this.arm();
    return handshake;
  }

  private untime(socket: Duplex): void {
    const handshake = this.handshakes.get(socket);
    if (handshake === undefined) return;
    this.handshakes.delete(socket);
    const left = (this.perAddress.get(handshake.key) ?? 1) - 1;
    if (left === 0) this.perAddress.delete(handshake.key);
    else this.perAddress.set(handshake.key, left);
  }

  private gone(socket: Duplex): void {
    socket.off('close', this.onClose);
    this.live -= 1;
    const handshake = this.handshakes.get(socket);
    if (handshake !== undefined && !handshake.answered) this.ended.set(socket, handshake);
    this.untime(socket);
  }

  private arm(): void {
    if (this.timer !== undefined || this.limits.handshakeTimeoutMs === 0) return;
    const first = this.handshakes.values().next();
    if (first.done === true) return;
    const wait = Math.max(1, Math.ceil(first.value.deadline - performance.now()));
    this.timer = setTimeout(this.expire, wait);
    this.timer.unref();
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (const [socket, handshake] of this.handshakes) {
      if (handshake.deadline > now) break;
      this.untime(socket);
      socket.on('error', swallow);
      socket.destroy();
      if (!handshake.answered) {
        this.report({
          stage: 'connection',
          reason: `handshake timeout: no WebSocket upgrade within ${this.limits.handshakeTimeoutMs} ms`,
          identity: handshake.identity,
          remoteAddress: handshake.remoteAddress,
        });
      }
    }
    this.arm();
  };
}

function swallow(): void {}
