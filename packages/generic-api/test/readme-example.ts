import { createGenericCsms } from '@ocpp/generic-api';
import { createWsServer } from '@ocpp/transport-ws';

const known = new Set(['TAG1', 'APP1']); // your authorisation store
const meterStart = new Map<string, number>(); // Wh at the start of each transaction

const listener = createWsServer({ port: 9000 }); // offers ocpp2.1, ocpp2.0.1 and ocpp1.6
const csms = createGenericCsms({
  listener,
  handlers: {
    onBoot: ({ vendorName, model }, { identity, version }) => {
      console.log(`${identity} booted: ${vendorName} ${model} over ${version}`);
      return { status: 'Accepted', interval: 300 };
    },
    onAuthorize: ({ idToken }) => ({
      idTokenInfo: { status: known.has(idToken.idToken) ? 'Accepted' : 'Invalid' },
    }),
    onStatus: ({ evseId, status }, { identity }) => {
      console.log(`${identity} EVSE ${evseId}: ${status}`);
    },
    onTransaction: (tx, { identity }) => {
      if (tx.eventType === 'Started') meterStart.set(tx.transactionId, tx.meterStart ?? 0);
      if (tx.eventType === 'Ended') {
        const wh = (tx.meterStop ?? 0) - (meterStart.get(tx.transactionId) ?? 0);
        console.log(`${identity} transaction ${tx.transactionId}: ${wh} Wh`);
      }
      const ok = tx.idToken === undefined || known.has(tx.idToken.idToken);
      return { idTokenInfo: { status: ok ? 'Accepted' : 'Invalid' } };
    },
  },
});
await listener.listen();

/** Stops every running transaction of a station, whatever version it speaks. */
export async function stopAll(identity: string): Promise<void> {
  const station = csms.station(identity);
  for (const transactionId of [...(station?.transactions.keys() ?? [])]) {
    await station?.remoteStop({ transactionId });
  }
}
