import type { Transport, TransportHandlers } from '@ocpp/transport';

/**
 * A transport for the fuzzer: `deliver()` hands a frame to the session synchronously, so a
 * synchronous throw surfaces in the caller and is pinned to the frame that caused it, and what the
 * session sends is collected in `sent` without a microtask hop per frame.
 */
export class LoopbackTransport implements Transport {
  readonly sent: string[] = [];
  isOpen = false;
  protocol = '';
  private handlers: TransportHandlers | undefined;

  constructor(private readonly subprotocol: string) {}

  bind(handlers: TransportHandlers): void {
    if (this.handlers !== undefined) throw new Error('transport is already bound to a session');
    this.handlers = handlers;
  }

  async start(): Promise<void> {
    this.isOpen = true;
    this.protocol = this.subprotocol;
    this.handlers?.open({ protocol: this.protocol });
  }

  send(text: string): void {
    if (!this.isOpen) throw new Error('transport is not open');
    this.sent.push(text);
  }

  /** Gives the session one frame from the peer, synchronously. */
  deliver(text: string): void {
    this.handlers?.message(text);
  }

  async close(code = 1000, reason = ''): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.handlers?.close({ code, reason, reconnecting: false });
  }
}
