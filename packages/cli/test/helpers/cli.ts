import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** The `ocpp` binary as users run it: `bin/ocpp.js` over the compiled `dist/`. */
export const BIN = fileURLToPath(new URL('../../bin/ocpp.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

function assertBuilt(): void {
  if (!existsSync(DIST)) {
    throw new Error(
      'packages/cli/dist is missing: the end-to-end tests spawn the built binary; run `pnpm --filter @ocpp/cli... build` (turbo does it before `test`)',
    );
  }
}

/** The outcome of a finished `ocpp` process. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

/**
 * `args` with `--db :memory:` after `csms` unless they choose a database: a test's CSMS leaves
 * no `ocpp-csms.db` in the working directory.
 */
export function inMemory(args: readonly string[]): readonly string[] {
  if (args[0] !== 'csms' || args.includes('--db')) return args;
  return ['csms', '--db', ':memory:', ...args.slice(1)];
}

afterEach(async () => {
  await Promise.all([...running].map((child) => stopChild(child)));
});

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      running.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs `ocpp ...args` to completion (killed after `timeoutMs`) and collects its output; `ocpp
 * csms` gets `--db :memory:` unless `args` name a database.
 * `input` is written to its standard input, which is then closed.
 */
export function runCli(
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...inMemory(args)], {
      env: { ...process.env, ...options.env, FORCE_COLOR: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running `ocpp` process (a CSMS) with helpers to wait for its output. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the first match of `pattern` in stdout (past or future); rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `ocpp ...args` in the background (`ocpp csms` with `--db :memory:` unless `args` name a
 * database); stopped after the test if still running.
 */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, ...inMemory(args)], {
    env: { ...process.env, ...env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.on('exit', () => {
    for (const w of waiters) w();
  });
  return {
    child,
    output: () => ({ stdout, stderr }),
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = stdout.match(pattern);
          if (m !== null) {
            done();
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(
              new Error(
                `ocpp exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`no ${pattern} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      await stopChild(child);
      return child.exitCode;
    },
  };
}

/** A running `ocpp csms` started for a test, with its endpoints. */
export interface TestCsms extends CliProcess {
  readonly url: string;
  /** The admin listener (`http://127.0.0.1:PORT/`). */
  readonly adminUrl: string;
  /** The admin API's bearer token (printed at start, or the one the test gave). */
  readonly adminToken: string;
  /** The web page with the token in its fragment, as `ocpp csms` prints it. */
  readonly pageUrl: string;
  /** GET or POST on the admin API with the token; resolves with the status and the parsed JSON body. */
  // biome-ignore lint/suspicious/noExplicitAny: test code reads the JSON it asserts on
  api(path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/**
 * Starts `ocpp csms --port 0 ...args` (the port `args` give, if any) and waits until it listens. `adminToken` is passed in
 * `OCPP_CSMS_ADMIN_TOKEN`; without it the CSMS generates one and the helper reads it from the
 * output.
 */
export async function startTestCsms(
  args: readonly string[] = [],
  options: { adminToken?: string; env?: Record<string, string> } = {},
): Promise<TestCsms> {
  const proc = startCli(['csms', ...(args.includes('--port') ? [] : ['--port', '0']), ...args], {
    ...options.env,
    ...(options.adminToken === undefined ? {} : { OCPP_CSMS_ADMIN_TOKEN: options.adminToken }),
  });
  let url: string | undefined;
  let adminUrl: string | undefined;
  let adminToken = options.adminToken;
  if (args.includes('json')) {
    const [, u, a] = await proc.waitFor(/"type":"listening","url":"([^"]+)","admin":"([^"]+)"/);
    url = u;
    adminUrl = a;
    if (adminToken === undefined) [, adminToken] = await proc.waitFor(/"adminToken":"([^"]+)"/);
  } else {
    [, url] = await proc.waitFor(/listening on (wss?:\/\/[^/\s]+)\/<identity>/);
    [, adminUrl] = await proc.waitFor(/web page and admin API: (https?:\/\/\S+\/)/);
    if (adminToken === undefined) [, adminToken] = await proc.waitFor(/admin token: (\S+) \(/);
  }
  const token = adminToken!;
  return {
    ...proc,
    url: url!,
    adminUrl: adminUrl!,
    adminToken: token,
    pageUrl: `${adminUrl}#token=${encodeURIComponent(token)}`,
    async api(path, body) {
      const res = await fetch(new URL(path, adminUrl), {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

/** Polls `check` every 50 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A station as `GET /api/stations` lists it (what the fleet helpers read). */
export interface ListedStation {
  identity: string;
  protocol: string;
  connectors: { evseId: number; status: string }[];
}

/**
 * Runs `ocpp simulate` with `stations` idle stations (one version after another: 1.6, 2.0.1, 2.1)
 * against `csms` for `durationSeconds`, and resolves with them once every one is booted with its
 * first connector Available. `extra` adds flags (`--protocol`, ...).
 */
export async function idleFleet(
  csms: TestCsms,
  stations = 3,
  extra: readonly string[] = [],
  durationSeconds = 40,
): Promise<ListedStation[]> {
  startCli([
    'simulate',
    '--url',
    csms.url,
    '--stations',
    String(stations),
    '--scenario',
    'idle',
    '--duration',
    String(durationSeconds),
    '--json',
    ...extra,
  ]);
  return eventually(`${stations} stations booted`, async () => {
    const { body } = (await csms.api('/api/stations')) as { body: ListedStation[] };
    return body.length === stations && body.every((s) => s.connectors[0]?.status === 'Available')
      ? body
      : undefined;
  });
}

/** A neutral operation through the admin API; resolves with its result, rejects unless HTTP 200. */
export async function operation(
  csms: TestCsms,
  identity: string,
  name: string,
  params: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: test code reads the JSON it asserts on
): Promise<any> {
  const res = await csms.api(`/api/stations/${identity}/${name}`, params);
  if (res.status !== 200)
    throw new Error(`${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.result;
}
