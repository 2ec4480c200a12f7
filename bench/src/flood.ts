/**
 * `pnpm bench:flood` (and the last part of `pnpm bench`): what a flooding station costs its
 * neighbours. Twenty well-behaved 1.6 stations make a Heartbeat call every 50 ms each (the next
 * one only after the answer) and record each round trip; meanwhile 0, 1 or 4 flooding stations (another process) pipeline Heartbeats as
 * fast as the server takes them. Each server (raw `ws`, ours with default options, ours with a
 * 100 calls/s limit per station) gets every phase; the figures are the neighbours' p50 and p99,
 * read against the same server's unflooded figure of the same run.
 *
 * Flags: `--quick` shortens every window (a smoke test, not a measurement).
 */
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { FloodResult } from './flood/flood-process.js';
import { Child } from './rpc/ipc.js';
import { num, percentile, printTable, ratio } from './rpc/report.js';
import type { ServerKind } from './rpc/servers.js';

const here = import.meta.dirname;
const quick = process.argv.includes('--quick');
const SERVER_SCRIPT = join(here, 'rpc/server-process.ts');
const FLOOD_SCRIPT = join(here, 'flood/flood-process.ts');
const NEIGHBOURS = 20;
const PHASE_MS = quick ? 500 : 3000;
const WARMUP_MS = quick ? 200 : 1000;
const FLOODERS = [0, 1, 4] as const;
const WINDOW = 256;
/** A neighbour's pace: one call per this many ms, as a station with work to report. */
const NEIGHBOUR_INTERVAL_MS = 50;
const KINDS: readonly ServerKind[] = ['raw', 'ours', 'ours-limited'];
const LABEL: Record<string, string> = {
  raw: 'raw ws (baseline)',
  ours: '@ocpp/rpc + transport-ws',
  'ours-limited': 'ours, 100 calls/s per station',
};
const LIFETIME_MS = 120_000;

const watchdog = setTimeout(() => {
  console.error('\nbench:flood: the run took longer than 4 minutes; stopping.');
  process.exit(3);
}, 4 * 60_000);
watchdog.unref();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A neighbour: sequential Heartbeats, each round trip recorded in ms. */
class Neighbour {
  private seq = 0;
  private sentAt = 0;
  private recording = false;
  readonly samples: number[] = [];
  private running = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', () => {
      const took = performance.now() - this.sentAt;
      if (this.recording) this.samples.push(took);
      if (this.running) setTimeout(() => this.next(), Math.max(0, NEIGHBOUR_INTERVAL_MS - took));
    });
  }

  static connect(port: number, i: number): Promise<Neighbour> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/NEIGHBOUR${i}`, ['ocpp1.6'], {
        perMessageDeflate: false,
      });
      ws.once('error', reject);
      ws.once('open', () =>
        ws.send('[2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]'),
      );
      ws.once('message', () => resolve(new Neighbour(ws)));
    });
  }

  run(recording: boolean): void {
    this.recording = recording;
    if (this.running) return;
    this.running = true;
    this.next();
  }

  stop(): void {
    this.running = false;
    this.recording = false;
  }

  close(): void {
    this.ws.terminate();
  }

  private next(): void {
    if (!this.running) return;
    this.seq++;
    this.sentAt = performance.now();
    this.ws.send(`[2,"n${this.seq}","Heartbeat",{}]`);
  }
}

interface PhaseResult {
  readonly kind: ServerKind;
  readonly flooders: number;
  readonly p50: number;
  readonly p99: number;
  readonly neighbourCalls: number;
  readonly flood: FloodResult | undefined;
  readonly rssMiB: number;
}

async function phase(
  kind: ServerKind,
  server: Child,
  port: number,
  flooders: number,
): Promise<PhaseResult> {
  const neighbours = await Promise.all(
    Array.from({ length: NEIGHBOURS }, (_, i) => Neighbour.connect(port, i)),
  );
  let flood: Child | undefined;
  if (flooders > 0) {
    flood = await Child.start('flooders', FLOOD_SCRIPT, [String(LIFETIME_MS)]);
    await flood.request('start', { port, count: flooders, window: WINDOW });
  }
  for (const n of neighbours) n.run(false);
  await sleep(WARMUP_MS);
  for (const n of neighbours) n.run(true);
  await sleep(PHASE_MS);
  for (const n of neighbours) n.stop();
  const floodResult = flood === undefined ? undefined : await flood.request<FloodResult>('stop');
  await flood?.stop();
  const memory = await server.request<{ rss: number }>('memory');
  for (const n of neighbours) n.close();
  const all = neighbours.flatMap((n) => n.samples).sort((a, b) => a - b);
  return {
    kind,
    flooders,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    neighbourCalls: all.length,
    flood: floodResult,
    rssMiB: memory.rss / 1024 / 1024,
  };
}

async function main(): Promise<void> {
  console.log(
    `Flood benchmark: ${NEIGHBOURS} neighbours making a Heartbeat every ${NEIGHBOUR_INTERVAL_MS} ms, against 0, 1 and 4 stations pipelining Heartbeats (up to ${WINDOW} unanswered each); ${PHASE_MS} ms measured per phase after ${WARMUP_MS} ms of warm-up`,
  );
  const results: PhaseResult[] = [];
  for (const kind of KINDS) {
    const server = await Child.start(`server ${kind}`, SERVER_SCRIPT, [kind, String(LIFETIME_MS)]);
    const port = (server.info as { port: number }).port;
    for (const flooders of FLOODERS) results.push(await phase(kind, server, port, flooders));
    await server.stop();
  }
  const rows = results.map((r) => {
    const calm = results.find((c) => c.kind === r.kind && c.flooders === 0)!;
    const seconds = PHASE_MS / 1000 + WARMUP_MS / 1000;
    return [
      LABEL[r.kind] ?? r.kind,
      String(r.flooders),
      num(r.p50, 2),
      ratio(r.p50 / calm.p50),
      num(r.p99, 2),
      ratio(r.p99 / calm.p99),
      num(r.neighbourCalls / (PHASE_MS / 1000)),
      r.flood === undefined ? '—' : num(r.flood.answered / seconds),
      r.flood === undefined ? '—' : num(r.flood.refused),
      num(r.rssMiB, 1),
    ];
  });
  printTable(
    'Neighbour latency while stations flood (ratios: against the same server unflooded)',
    [
      'server',
      'flooders',
      'p50 ms',
      'p50 vs calm',
      'p99 ms',
      'p99 vs calm',
      'neighbour calls/s',
      'flood answers/s',
      'flood refused',
      'server RSS MiB',
    ],
    rows,
  );
  console.log(
    '  flood answers/s: answers the flooders read per second of their run; flood refused: answers that were not CALLRESULTs.',
  );
}

await main();
process.exit(0);
