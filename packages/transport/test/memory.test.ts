import { describe, expect, it } from 'vitest';
import { createMemoryTransportPair } from '../src/memory.js';
import type { TransportCloseInfo } from '../src/transport.js';

function record() {
  const events: string[] = [];
  const closes: TransportCloseInfo[] = [];
  return {
    events,
    closes,
    handlers: {
      message: (t: string) => events.push(`message ${t}`),
      open: (i: { protocol: string }) => events.push(`open ${i.protocol}`),
      close: (i: TransportCloseInfo) => closes.push(i),
      error: (e: Error) => events.push(`error ${e.message}`),
    },
  };
}

describe('in-memory transport pair', () => {
  it('delivers frames in order, asynchronously, in both directions', async () => {
    const [a, b] = createMemoryTransportPair({ protocol: 'ocpp1.6' });
    const ra = record();
    const rb = record();
    a.bind(ra.handlers);
    b.bind(rb.handlers);
    await a.start();
    await b.start();
    a.send('1');
    a.send('2');
    b.send('x');
    expect(rb.events).toEqual(['open ocpp1.6']);
    await Promise.resolve();
    expect(rb.events).toEqual(['open ocpp1.6', 'message 1', 'message 2']);
    expect(ra.events).toEqual(['open ocpp1.6', 'message x']);
    expect(a.protocol).toBe('ocpp1.6');
  });

  it('closing one end closes both, and sending afterwards throws', async () => {
    const [a, b] = createMemoryTransportPair();
    const ra = record();
    const rb = record();
    a.bind(ra.handlers);
    b.bind(rb.handlers);
    await a.start();
    await b.start();
    await a.close(1001, 'going away');
    await Promise.resolve();
    expect(ra.closes).toEqual([{ code: 1001, reason: 'going away', reconnecting: false }]);
    expect(rb.closes).toEqual([{ code: 1001, reason: 'going away', reconnecting: false }]);
    expect(() => b.send('late')).toThrow(/not open/);
    await expect(a.start()).rejects.toThrow(/closed/);
  });

  it('holds frames while paused and delivers them in order on resume', async () => {
    const [a, b] = createMemoryTransportPair();
    const rb = record();
    a.bind(record().handlers);
    b.bind(rb.handlers);
    await a.start();
    await b.start();
    b.pause?.();
    a.send('1');
    a.send('2');
    await Promise.resolve();
    await Promise.resolve();
    expect(rb.events).toEqual(['open ocpp2.0.1']);
    b.resume?.();
    a.send('3');
    await Promise.resolve();
    await Promise.resolve();
    expect(rb.events).toEqual(['open ocpp2.0.1', 'message 1', 'message 2', 'message 3']);
  });

  it('accepts one binding only', () => {
    const [a] = createMemoryTransportPair();
    a.bind(record().handlers);
    expect(() => a.bind(record().handlers)).toThrow(/already bound/);
  });
});
