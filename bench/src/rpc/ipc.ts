/**
 * Request/reply over the IPC channel of a forked child, and the bookkeeping that makes every child
 * end: each child exits when its parent goes away or its lifetime runs out, and the parent kills
 * every child it forked when it exits.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';

/** A command sent to a child. */
export interface IpcRequest {
  readonly id: number;
  readonly cmd: string;
  readonly args: unknown;
}

/** A child's answer to one command. */
export interface IpcReply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

/** What a child announces once it is ready for commands. */
export interface IpcReady {
  readonly ready: true;
  readonly info: unknown;
}

type Handler = (args: never) => unknown;

/**
 * Child side: answers commands with `handlers`, announces `ready` with `info`, and exits when the
 * parent disconnects or after `lifetimeMs`, whichever comes first.
 */
export function serveCommands(
  handlers: Record<string, Handler>,
  info: unknown,
  lifetimeMs: number,
): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('this module runs as a forked child process');
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => {
    console.error(`[${process.argv[2] ?? 'child'}] lifetime of ${lifetimeMs} ms is over; exiting`);
    process.exit(2);
  }, lifetimeMs).unref();
  process.on('message', (message: IpcRequest) => {
    const handler = handlers[message.cmd];
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`unknown command ${message.cmd}`);
        return (handler as (args: unknown) => unknown)(message.args);
      })
      .then(
        (result) => send({ id: message.id, ok: true, result } satisfies IpcReply),
        (error: unknown) =>
          send({
            id: message.id,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          } satisfies IpcReply),
      );
  });
  send({ ready: true, info } satisfies IpcReady);
}

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Parent side: a forked child that takes commands. */
export class Child {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
    readonly info: unknown,
  ) {
    proc.on('message', (message: IpcReply) => {
      const entry = this.waiting.get(message.id);
      if (entry === undefined) return;
      this.waiting.delete(message.id);
      if (message.ok) entry.resolve(message.result);
      else entry.reject(new Error(`${name}: ${message.error}`));
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      children.delete(proc);
      for (const entry of this.waiting.values()) {
        entry.reject(new Error(`${name} exited (${signal ?? code}) before answering`));
      }
      this.waiting.clear();
    });
  }

  /**
   * Forks `script` (TypeScript, loaded through tsx; the workspace packages it imports resolve to
   * their compiled `dist`) and resolves once it has announced `ready`, or rejects after
   * `readyTimeoutMs`.
   */
  static start(
    name: string,
    script: string,
    args: readonly string[],
    nodeFlags: readonly string[] = [],
    readyTimeoutMs = 30_000,
  ): Promise<Child> {
    const child = fork(script, [...args], {
      execArgv: ['--import', 'tsx', ...nodeFlags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return Child.attach(name, child, readyTimeoutMs);
  }

  /**
   * Runs `script` under another program (a profiler such as `valgrind`): `wrapper` with
   * `wrapperArgs`, then node with `nodeFlags`, the tsx loader, `script` and `args`. The IPC channel
   * reaches node through the wrapper, which must keep file descriptors and the environment.
   */
  static wrapped(
    name: string,
    wrapper: string,
    wrapperArgs: readonly string[],
    script: string,
    args: readonly string[],
    nodeFlags: readonly string[] = [],
    readyTimeoutMs = 30_000,
  ): Promise<Child> {
    const child = spawn(
      wrapper,
      [...wrapperArgs, process.execPath, ...nodeFlags, '--import', 'tsx', script, ...args],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    return Child.attach(name, child, readyTimeoutMs);
  }

  private static async attach(
    name: string,
    child: ChildProcess,
    readyTimeoutMs: number,
  ): Promise<Child> {
    children.add(child);
    const info = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} was not ready within ${readyTimeoutMs} ms`));
      }, readyTimeoutMs);
      const onMessage = (message: IpcReady): void => {
        if (message.ready !== true) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message.info);
      };
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before it was ready`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    return new Child(name, child, info);
  }

  /** Sends a command and resolves with the child's result; rejects after `timeoutMs`. */
  request<T>(cmd: string, args: unknown = {}, timeoutMs = 60_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no answer to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.proc.send({ id, cmd, args } satisfies IpcRequest);
    });
  }

  /** Asks the child to exit and waits for it; kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.disconnect();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
