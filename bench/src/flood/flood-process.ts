/**
 * Child process: flooding stations. Each connects as a 1.6 station, boots, then pipelines
 * Heartbeat CALLs without waiting for their answers (what OCPP forbids), keeping up to `window`
 * unanswered, and counts the answers it reads. It reads everything, so what it measures is how the
 * server shares itself, not a peer that does not read.
 *
 * argv: lifetime in ms.
 */
import { type RawData, WebSocket } from 'ws';
import { serveCommands } from '../rpc/ipc.js';

/** Arguments of `start`. */
export interface FloodArgs {
  readonly port: number;
  readonly count: number;
  /** CALLs each flooder keeps unanswered at most. */
  readonly window: number;
}

/** What `stop` reports. */
export interface FloodResult {
  readonly sent: number;
  readonly answered: number;
  /** Answers that were not CALLRESULTs (CALLERRORs for calls over the server's queue, ...). */
  readonly refused: number;
  readonly closed: number;
}

const lifetimeMs = Number(process.argv[2] ?? 120_000);
const OPTIONS = { perMessageDeflate: false, skipUTF8Validation: true } as const;

interface Flooder {
  readonly ws: WebSocket;
  seq: number;
  unanswered: number;
}

let flooders: Flooder[] = [];
let running = false;
let sent = 0;
let answered = 0;
let refused = 0;
let closed = 0;
let window = 0;

function fill(f: Flooder): void {
  if (!running || f.ws.readyState !== WebSocket.OPEN) return;
  // Tops the window up; refilled once half of it is answered, so the flooder keeps reading.
  while (f.unanswered < window) {
    f.seq++;
    f.unanswered++;
    sent++;
    f.ws.send(`[2,"f${f.seq}","Heartbeat",{}]`);
  }
}

function connect(port: number, index: number): Promise<Flooder> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/FLOOD${index}`, ['ocpp1.6'], OPTIONS);
    ws.once('error', (e) => reject(e));
    ws.once('open', () =>
      ws.send('[2,"boot","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]'),
    );
    ws.once('message', () => {
      const f: Flooder = { ws, seq: 0, unanswered: 0 };
      ws.on('message', (data: RawData) => {
        answered++;
        f.unanswered = Math.max(0, f.unanswered - 1);
        if ((data as Buffer)[1] !== 0x33) refused++;
        if (f.unanswered <= window / 2) setImmediate(() => fill(f));
      });
      ws.on('close', () => closed++);
      resolve(f);
    });
  });
}

serveCommands(
  {
    start: async (args: FloodArgs) => {
      window = args.window;
      flooders = await Promise.all(
        Array.from({ length: args.count }, (_, i) => connect(args.port, i)),
      );
      running = true;
      for (const f of flooders) fill(f);
      return { flooders: flooders.length };
    },
    stop: (): FloodResult => {
      running = false;
      for (const f of flooders) f.ws.terminate();
      flooders = [];
      const result = { sent, answered, refused, closed };
      sent = answered = refused = closed = 0;
      return result;
    },
  },
  {},
  lifetimeMs,
);
