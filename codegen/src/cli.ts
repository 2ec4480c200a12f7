import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSIONS } from './versions.js';
import { regenerate } from './write.js';

const USAGE = `Usage: pnpm codegen [--check] [--version ocpp1.6|ocpp2.0.1|ocpp2.1]

Generates packages/{v16,v201,v21}-core/src/gen/ from specs/: every version in memory first, then
written all or nothing (a failure in any version writes no file of any version).
  --check     write nothing; exit 1 if any generated file is missing, stale or extra
  --version   only this version`;

function main(argv: readonly string[]): number {
  let check = false;
  let only: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') check = true;
    else if (a === '--version') {
      only = argv[++i];
      if (only === undefined) {
        console.error('codegen: --version needs a value');
        return 2;
      }
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else {
      console.error(`codegen: unknown argument "${a}"\n${USAGE}`);
      return 2;
    }
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const versions = VERSIONS.filter((v) => only === undefined || v.id === only);
  if (versions.length === 0) {
    console.error(`codegen: unknown version "${only}"`);
    return 2;
  }
  const { summaries, stale } = regenerate(root, versions, { check });
  for (const line of summaries) console.log(line);
  if (check && stale.length > 0) {
    console.error(
      `codegen --check: generated code is stale; run \`pnpm codegen\` and commit:\n  ${stale.join('\n  ')}`,
    );
    return 1;
  }
  if (check) console.log('codegen --check: generated code is up to date');
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`codegen: ${(e as Error).message}`);
  process.exitCode = 1;
}
