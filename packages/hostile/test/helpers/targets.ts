import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The `ocpp` binary as users run it (compiled `dist/`; turbo builds it before this suite). */
export const OCPP_BIN = fileURLToPath(import.meta.resolve('@ocpp/cli/package.json')).replace(
  /package\.json$/,
  'bin/ocpp.js',
);
const LIBRARY_SERVER = fileURLToPath(new URL('../fixtures/library-server.mjs', import.meta.url));

/** A process under attack. */
export interface Target {
  readonly name: string;
  readonly pid: number;
  /** The OCPP endpoint, without the identity. */
  readonly url: string;
  /** True while the process runs. */
  alive(): boolean;
  /** Its resident memory, in MiB (from /proc). */
  rssMiB(): number;
  /** Ends it (by pid) and waits for it. */
  stop(): Promise<void>;
  /** `ocpp csms` only: `GET` of its admin API (path under `/api`), with its token. */
  admin(path: string): Promise<unknown>;
}

/** The kinds of CSMS the suite attacks. */
export type TargetKind = 'ocpp csms' | 'library server';

/** The resident memory of a process, in MiB. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/**
 * Starts a target and resolves once it listens: `ocpp csms` on a free port (JSON log, frames not
 * logged), or a library user's CSMS (`CsmsServer` over `createWsServer`, default options). Its
 * output is drained and, apart from the first lines, dropped.
 */
export async function startTarget(kind: TargetKind, args: readonly string[] = []): Promise<Target> {
  const child =
    kind === 'ocpp csms'
      ? spawn(
          process.execPath,
          [
            OCPP_BIN,
            'csms',
            '--port',
            '0',
            '--admin-port',
            '0',
            '--log-format',
            'json',
            '--quiet',
            ...args,
          ],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        )
      : spawn(process.execPath, [LIBRARY_SERVER, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const { url, admin, token } = await listening(kind, child);
  const pid = child.pid!;
  let exited = child.exitCode !== null;
  const gone = new Promise<void>((resolve) => {
    if (exited) resolve();
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  return {
    name: kind,
    pid,
    url,
    alive: () => !exited && child.exitCode === null && child.signalCode === null,
    rssMiB: () => rssOf(pid),
    stop: async () => {
      if (!exited) child.kill('SIGKILL');
      await gone;
    },
    admin: async (path) => {
      if (admin === undefined || token === undefined) throw new Error(`${kind} has no admin API`);
      const response = await fetch(new URL(`api${path}`, admin), {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!response.ok) throw new Error(`GET /api${path}: HTTP ${response.status}`);
      return response.json();
    },
  };
}

interface Listening {
  readonly url: string;
  readonly admin?: string;
  readonly token?: string;
}

function listening(kind: TargetKind, child: ChildProcess): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind} did not start listening within 15 s`));
    }, 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited (${code}) before listening`));
    });
    lines.on('line', (line) => {
      let record: {
        type?: string;
        url?: string;
        port?: number;
        admin?: string;
        adminToken?: string;
      };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        return;
      }
      const url =
        record.type === 'listening' && record.url !== undefined
          ? record.url
          : record.port !== undefined
            ? `ws://127.0.0.1:${record.port}`
            : undefined;
      if (url === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      // Keep draining: a full pipe would block the target's log.
      lines.removeAllListeners('line');
      lines.on('line', () => {});
      resolve({
        url,
        ...(record.admin === undefined ? {} : { admin: record.admin }),
        ...(record.adminToken === undefined ? {} : { token: record.adminToken }),
      });
    });
  });
}
