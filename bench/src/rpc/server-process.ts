/**
 * Child process: runs one server (argv[2] = raw | ours | ocpp-rpc) and answers the orchestrator's
 * measurement commands, so CPU, memory and profiles are the server's alone.
 *
 * argv: kind, lifetime in ms. Start node with `--expose-gc` for `memory` to collect first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { serveCommands } from './ipc.js';
import { type ServerKind, startServer } from './servers.js';

/** What `mark` reports: cumulative figures, to subtract between two marks. */
export interface ServerMark {
  /** process.cpuUsage(), µs. */
  readonly user: number;
  readonly system: number;
  /** Calls answered so far. */
  readonly calls: number;
  /** performance.now() at the mark, ms. */
  readonly at: number;
}

/** What `memory` reports, after a full collection when gc is exposed. */
export interface ServerMemory {
  readonly rss: number;
  /** Anonymous resident memory (heap, malloc, stacks): what connections can add to. */
  readonly rssAnon: number;
  /** File-backed and shared resident memory (the node binary's pages as they are first run). */
  readonly rssFile: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly gc: boolean;
}

const kind = process.argv[2] as ServerKind;
const lifetimeMs = Number(process.argv[3] ?? 180_000);
const server = await startServer(kind);
let profiler: Session | undefined;

const gc = (globalThis as { gc?: () => void }).gc;

/** Resident memory by kind, from /proc/self/status (zeros where there is none). */
function residentParts(): { anon: number; file: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (key: string): number =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { anon: kib('RssAnon'), file: kib('RssFile') + kib('RssShmem') };
  } catch {
    return { anon: 0, file: 0 };
  }
}

serveCommands(
  {
    mark: (): ServerMark => {
      const cpu = process.cpuUsage();
      return { user: cpu.user, system: cpu.system, calls: server.calls(), at: performance.now() };
    },
    memory: async (): Promise<ServerMemory> => {
      if (gc !== undefined) {
        // A few rounds with turns of the event loop between them, so finalisers and weak
        // references settle before the reading.
        for (let i = 0; i < 4; i++) {
          gc();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const m = process.memoryUsage();
      const parts = residentParts();
      return {
        rss: m.rss,
        rssAnon: parts.anon,
        rssFile: parts.file,
        heapUsed: m.heapUsed,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        gc: gc !== undefined,
      };
    },
    heapSnapshot: ({ path }: { path: string }): string => writeHeapSnapshot(path),
    profileStart: async ({ intervalUs }: { intervalUs: number }): Promise<void> => {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: intervalUs });
      await profiler.post('Profiler.start');
    },
    profileStop: async ({ path }: { path: string }): Promise<void> => {
      if (profiler === undefined) throw new Error('no profile running');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      writeFileSync(path, JSON.stringify(profile));
    },
  },
  { port: server.port, pid: process.pid },
  lifetimeMs,
);
