import { CSMS_OPERATIONS, handlerName } from '@ocpp/generic-api';
import { describe, expect, it } from 'vitest';
import { FleetMetrics } from '../src/metrics/fleet-metrics.js';
import { fleetHandlers } from '../src/sim/station.js';

describe('ocpp simulate answers every CSMS operation', () => {
  it('has a handler for each neutral operation a CSMS sends, in every version', () => {
    const handlers = fleetHandlers(() => undefined, new FleetMetrics(1)) as Record<string, unknown>;
    const missing = CSMS_OPERATIONS.map(handlerName).filter(
      (name) => typeof handlers[name] !== 'function',
    );
    expect(missing).toEqual([]);
  });
});
