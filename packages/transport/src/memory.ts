import type { Transport, TransportCloseInfo, TransportHandlers } from './transport.js';

/** Options of {@link createMemoryTransportPair}. */
export interface MemoryTransportOptions {
  /**
   * The subprotocol both ends report.
   * @default 'ocpp2.0.1'
   */
  readonly protocol?: string;
}

class MemoryTransport implements Transport {
  peer!: MemoryTransport;
  protocol = '';
  isOpen = false;
  private handlers: TransportHandlers | undefined;
  private closed = false;
  private paused = false;
  /** Frames that arrived while paused, delivered in order on `resume()`. */
  private held: string[] | undefined;

  constructor(private readonly subprotocol: string) {}

  bind(handlers: TransportHandlers): void {
    if (this.handlers !== undefined) throw new Error('transport is already bound to a session');
    this.handlers = handlers;
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('transport is closed');
    if (this.isOpen) return;
    this.isOpen = true;
    this.protocol = this.subprotocol;
    this.handlers?.open({ protocol: this.protocol });
  }

  send(text: string): void {
    if (!this.isOpen) throw new Error('transport is not open');
    const peer = this.peer;
    // Deliver asynchronously, in order, as a socket would.
    queueMicrotask(() => peer.deliver(text));
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.held !== undefined) queueMicrotask(() => this.drain());
  }

  private deliver(text: string): void {
    if (!this.isOpen) return;
    if (this.paused || this.held !== undefined) {
      this.held ??= [];
      this.held.push(text);
      return;
    }
    this.handlers?.message(text);
  }

  private drain(): void {
    const held = this.held;
    if (held === undefined) return;
    while (held.length > 0 && !this.paused && this.isOpen) this.handlers?.message(held.shift()!);
    if (held.length === 0 || !this.isOpen) this.held = undefined;
  }

  async close(code = 1000, reason = ''): Promise<void> {
    if (this.closed) return;
    this.shut({ code, reason, reconnecting: false });
    const peer = this.peer;
    queueMicrotask(() => peer.shut({ code, reason, reconnecting: false }));
  }

  private shut(info: TransportCloseInfo): void {
    if (this.closed) return;
    this.closed = true;
    const wasOpen = this.isOpen;
    this.isOpen = false;
    if (wasOpen) this.handlers?.close(info);
  }
}

/**
 * Two connected in-memory transports, `[station, csms]`: what one sends the other receives, in
 * order, on a later microtask (held while the receiving end is paused). Closing either closes
 * both. For tests and examples.
 */
export function createMemoryTransportPair(
  options: MemoryTransportOptions = {},
): [Transport, Transport] {
  const protocol = options.protocol ?? 'ocpp2.0.1';
  const a = new MemoryTransport(protocol);
  const b = new MemoryTransport(protocol);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
