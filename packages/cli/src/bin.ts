import { messageOf } from './cli/errors.js';
import { processIo } from './cli/io.js';
import { run } from './main.js';

/** Entry point of `bin/ocpp.js`: runs the command line and exits with its code. */
export function main(): void {
  const io = processIo();
  run(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      // Whatever a command left behind (sockets, timers) must not keep the process alive.
      setTimeout(() => process.exit(code), 200).unref();
    },
    (e: unknown) => {
      process.stderr.write(`ocpp: ${messageOf(e)}\n`);
      process.exit(1);
    },
  );
}
