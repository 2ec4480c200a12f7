import type { Transport } from '@ocpp/transport';

/** The other end of a session, driven by hand: sends raw text and records every frame it gets. */
export class RawPeer {
  /** Every frame received, as text, in order. */
  readonly received: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly transport: Transport) {
    transport.bind({
      message: (text) => {
        this.received.push(text);
        for (const w of this.waiters.splice(0)) w();
      },
      open: () => {},
      close: () => {},
      error: () => {},
    });
  }

  /** Sends one frame exactly as given. */
  send(text: string): void {
    this.transport.send(text);
  }

  /**
   * Resolves once `count` frames have arrived (true), or after `timeoutMs` without them (false).
   */
  async waitFor(count: number, timeoutMs: number): Promise<boolean> {
    if (this.received.length >= count) return true;
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    return true;
  }

  /** Waits `ms` milliseconds (a macrotask boundary: every queued microtask has run by then). */
  quiet(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
