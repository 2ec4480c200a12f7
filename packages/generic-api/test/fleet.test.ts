import { silentLogger } from '@ocpp/rpc';
import { describe, expect, it } from 'vitest';
import {
  createGenericCsms,
  createGenericStation,
  type GenericStation,
  PROTOCOL_VERSIONS,
  type StationHandlers,
} from '../src/index.js';
import { routerFor } from '../src/station.js';
import { memoryListener } from './helpers.js';

describe('a simulated fleet in one process', () => {
  it('900 stations of the three versions share one handlers object and three routers', async () => {
    const { server, connect } = memoryListener();
    let ended = 0;
    const csms = createGenericCsms({
      listener: server,
      logger: silentLogger,
      handlers: {
        onBoot: () => ({ status: 'Accepted', interval: 300 }),
        onTransaction: (e) => {
          if (e.eventType === 'Ended') ended++;
          return undefined;
        },
      },
    });
    const handlers: StationHandlers = { onReset: () => ({ status: 'Accepted' }) };
    const stations: GenericStation[] = [];
    for (let i = 0; i < 900; i++) {
      const protocol = PROTOCOL_VERSIONS[i % 3]!;
      const identity = `SIM-${i}`;
      stations.push(
        createGenericStation({
          protocol,
          identity,
          transport: connect(identity, protocol),
          handlers,
          session: { logger: silentLogger },
        }),
      );
    }
    await Promise.all(stations.map((s) => s.start()));
    const boots = await Promise.all(stations.map((s) => s.boot({ vendorName: 'V', model: 'M' })));
    expect(boots.every((b) => b.status === 'Accepted')).toBe(true);
    await Promise.all(
      stations.map(async (s) => {
        const tag = { idToken: 'T', type: 'ISO14443' } as const;
        const { transactionId } = await s.startTransaction({
          evseId: 1,
          idToken: tag,
          meterStart: 0,
        });
        await s.stopTransaction({ transactionId, meterStop: 10 });
      }),
    );
    expect(ended).toBe(900);
    expect(csms.size).toBe(900);
    const resets = await Promise.all([...csms.stations()].map((h) => h.reset({ type: 'OnIdle' })));
    expect(resets.every((r) => r.status === 'Accepted')).toBe(true);

    // One router per version for the whole fleet.
    const routing = (h: typeof handlers) => ({
      handlers: h,
      versioned: undefined,
      versionedAfter: undefined,
      after: undefined,
      services: undefined,
      deps: undefined,
    });
    const routers = new Set(stations.map((s) => routerFor(routing(handlers), s.version)));
    expect(routers.size).toBe(3);
    expect(routerFor(routing(handlers), 'ocpp2.1')).toBe(routerFor(routing(handlers), 'ocpp2.1'));
    expect(routerFor(routing({ ...handlers }), 'ocpp2.1')).not.toBe(
      routerFor(routing(handlers), 'ocpp2.1'),
    );
    // Idle stations hold no transaction map of their own.
    expect(new Set(stations.map((s) => s.transactions)).size).toBe(1);
    await csms.close();
  });
});
