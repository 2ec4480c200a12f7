/**
 * The live half of `pnpm demo`: a CSMS on a free loopback port serving OCPP 1.6, 2.0.1 and 2.1,
 * and one simulated station per version doing a full charging session over real WebSockets:
 * boot, status, authorize, start, meter values, stop. Returns the number of failed sessions.
 */
import { CsmsServer, createRouter, OcppSession, silentLogger } from '@ocpp/rpc';
import { createWsClient, createWsServer } from '@ocpp/transport-ws';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';

const iso = () => new Date().toISOString();

/** What the CSMS learned, per station. */
interface Ledger {
  boots: number;
  energyWh: number;
  transactions: Map<string, { started: boolean; stopped: boolean; meterValues: number }>;
}

function csmsRouters(ledger: Map<string, Ledger>) {
  const book = (identity: string): Ledger => {
    let l = ledger.get(identity);
    if (l === undefined) {
      l = { boots: 0, energyWh: 0, transactions: new Map() };
      ledger.set(identity, l);
    }
    return l;
  };
  let nextTx = 1000;
  const v16 = createRouter(v16Protocol, 'csms')
    .handle('BootNotification', (_r, { identity }) => {
      book(identity).boots++;
      return { status: 'Accepted', currentTime: iso(), interval: 300 };
    })
    .handle('StatusNotification', () => ({}))
    .handle('Authorize', () => ({ idTagInfo: { status: 'Accepted' } }))
    .handle('StartTransaction', (_r, { identity }) => {
      const id = nextTx++;
      book(identity).transactions.set(String(id), {
        started: true,
        stopped: false,
        meterValues: 0,
      });
      return { transactionId: id, idTagInfo: { status: 'Accepted' } };
    })
    .handle('MeterValues', (r, { identity }) => {
      const tx = book(identity).transactions.get(String(r.transactionId));
      if (tx !== undefined) tx.meterValues++;
      return {};
    })
    .handle('StopTransaction', (r, { identity }) => {
      const l = book(identity);
      const tx = l.transactions.get(String(r.transactionId));
      if (tx !== undefined) tx.stopped = true;
      l.energyWh += r.meterStop;
      return { idTagInfo: { status: 'Accepted' } };
    });
  const v2 = <P extends typeof v201Protocol | typeof v21Protocol>(protocol: P) =>
    createRouter(protocol as typeof v201Protocol, 'csms')
      .handle('BootNotification', (_r, { identity }) => {
        book(identity).boots++;
        return { status: 'Accepted', currentTime: iso(), interval: 300 };
      })
      .handle('StatusNotification', () => ({}))
      .handle('Authorize', () => ({ idTokenInfo: { status: 'Accepted' } }))
      .handle('TransactionEvent', (r, { identity }) => {
        const l = book(identity);
        const id = r.transactionInfo.transactionId;
        const tx = l.transactions.get(id) ?? { started: false, stopped: false, meterValues: 0 };
        if (r.eventType === 'Started') tx.started = true;
        if (r.eventType === 'Updated') tx.meterValues++;
        if (r.eventType === 'Ended') {
          tx.stopped = true;
          l.energyWh += r.meterValue?.[0]?.sampledValue[0]?.value ?? 0;
        }
        l.transactions.set(id, tx);
        return r.eventType === 'Started' ? { idTokenInfo: { status: 'Accepted' } } : {};
      });
  return [v16, v2(v201Protocol), v2(v21Protocol) as unknown as ReturnType<typeof v2>];
}

async function station16(url: string) {
  const s = new OcppSession({
    protocol: v16Protocol,
    role: 'station',
    identity: 'DEMO-16',
    logger: silentLogger,
    transport: createWsClient({
      url,
      identity: 'DEMO-16',
      protocols: ['ocpp1.6'],
      reconnect: false,
    }),
  });
  await s.start();
  await s.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Wallbox 16' });
  await s.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  await s.call('Authorize', { idTag: 'TAG-16' });
  const { transactionId } = await s.call('StartTransaction', {
    connectorId: 1,
    idTag: 'TAG-16',
    meterStart: 0,
    timestamp: iso(),
  });
  for (let i = 1; i <= 3; i++) {
    await s.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [
        {
          timestamp: iso(),
          sampledValue: [
            { value: String(i * 1200), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          ],
        },
      ],
    });
  }
  await s.call('StopTransaction', {
    transactionId,
    meterStop: 3600,
    timestamp: iso(),
    reason: 'Local',
  });
  await s.close();
}

async function station2(
  url: string,
  protocol: typeof v201Protocol | typeof v21Protocol,
  identity: string,
) {
  const s = new OcppSession({
    protocol: protocol as typeof v201Protocol,
    role: 'station',
    identity,
    logger: silentLogger,
    transport: createWsClient({
      url,
      identity,
      protocols: [protocol.subprotocol],
      reconnect: false,
    }),
  });
  await s.start();
  await s.call('BootNotification', {
    reason: 'PowerUp',
    chargingStation: { model: `Wallbox ${protocol.version}`, vendorName: 'Acme' },
  });
  await s.call('StatusNotification', {
    timestamp: iso(),
    connectorStatus: 'Available',
    evseId: 1,
    connectorId: 1,
  });
  const idToken = { idToken: `TAG-${protocol.version}`, type: 'ISO14443' } as const;
  await s.call('Authorize', { idToken });
  const transactionId = globalThis.crypto.randomUUID();
  const event = (eventType: 'Started' | 'Updated' | 'Ended', seqNo: number, wh: number) =>
    s.call('TransactionEvent', {
      eventType,
      timestamp: iso(),
      triggerReason:
        eventType === 'Started'
          ? 'Authorized'
          : eventType === 'Ended'
            ? 'StopAuthorized'
            : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: {
        transactionId,
        ...(eventType === 'Ended' && { stoppedReason: 'Local' as const }),
      },
      evse: { id: 1, connectorId: 1 },
      ...(eventType === 'Started' && { idToken }),
      meterValue: [
        {
          timestamp: iso(),
          sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }],
        },
      ],
    });
  await event('Started', 0, 0);
  for (let i = 1; i <= 3; i++) await event('Updated', i, i * 1200);
  await event('Ended', 4, 3600);
  await s.close();
}

/** Runs the live demo; returns the number of stations whose session did not complete. */
export async function runLiveDemo(): Promise<number> {
  const ledger = new Map<string, Ledger>();
  const ws = createWsServer({
    host: '127.0.0.1',
    port: 0,
    protocols: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'],
  });
  const csms = new CsmsServer({ listener: ws, routers: csmsRouters(ledger), logger: silentLogger });
  const frames = { in: 0, out: 0 };
  csms.on('session', (session) => session.on('frame', (dir) => frames[dir]++));
  const port = await ws.listen();
  const url = `ws://127.0.0.1:${port}`;
  console.log(
    `\nlive: CSMS on ${url} serving ocpp2.1, ocpp2.0.1, ocpp1.6; one station per version`,
  );
  const started = Date.now();
  const outcomes = await Promise.allSettled([
    station16(url),
    station2(url, v201Protocol, 'DEMO-201'),
    station2(url, v21Protocol, 'DEMO-21'),
  ]);
  await csms.close();
  let failed = 0;
  for (const [i, identity] of ['DEMO-16', 'DEMO-201', 'DEMO-21'].entries()) {
    const outcome = outcomes[i]!;
    const l = ledger.get(identity);
    const txs = [...(l?.transactions.values() ?? [])];
    const complete =
      outcome.status === 'fulfilled' &&
      l?.boots === 1 &&
      txs.length === 1 &&
      txs[0]!.started &&
      txs[0]!.stopped &&
      txs[0]!.meterValues === 3;
    if (!complete) failed++;
    const why = outcome.status === 'rejected' ? ` (${String(outcome.reason)})` : '';
    console.log(
      `  ${complete ? 'ok ' : 'BAD'} ${identity.padEnd(9)} boot, status, authorize, start, 3 meter values, stop → ${l?.energyWh ?? 0} Wh${why}`,
    );
  }
  console.log(
    `  ${frames.in + frames.out} frames over real WebSockets in ${Date.now() - started} ms; ${3 - failed} of 3 sessions completed.`,
  );
  return failed;
}
