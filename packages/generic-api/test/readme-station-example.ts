import { createGenericStation } from '@ocpp/generic-api';
import { createWsClient } from '@ocpp/transport-ws';

const protocol = 'ocpp1.6'; // or 'ocpp2.0.1', 'ocpp2.1': nothing else changes
const station = createGenericStation({
  protocol,
  identity: 'CS001',
  transport: createWsClient({
    url: 'ws://localhost:9000',
    identity: 'CS001',
    protocols: [protocol],
  }),
  handlers: {
    onRemoteStop: () => ({ status: 'Accepted' }),
    onReset: () => ({ status: 'Accepted' }),
  },
  after: {
    // Runs once the answer is on the wire: the stop follows the accepted request.
    onRemoteStop: async ({ transactionId }, { status }, { station }) => {
      if (status === 'Accepted')
        await station.stopTransaction({ transactionId, meterStop: 1800, stoppedReason: 'Remote' });
    },
  },
});
// Rejects at once on a wrong password (HTTP 401) or no version in common; other failures are
// retried with the back-off, the first of each kind logged (station.session.on('connectFailed')).
await station.start();
await station.boot({ vendorName: 'Acme', model: 'Sim-1' });
const tag = { idToken: 'TAG1', type: 'ISO14443' } as const;
const { transactionId } = await station.startTransaction({
  evseId: 1,
  idToken: tag,
  meterStart: 0,
});
await station.updateTransaction({
  transactionId,
  meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: 900, unit: 'Wh' }] }],
});
