/**
 * The type oracle: for every message schema of every version, the TypeScript type that
 * json-schema-to-typescript derives from it, written to `scripts/type-oracle/gen/<version>.ts`
 * (not committed; `pnpm typecheck:scripts` regenerates it before `tsc`). `check.ts` asserts that
 * each oracle type and the type the SDK's own generator emitted are identical, so a generator
 * change that loosens or tightens a message type fails the type check.
 *
 * The schemas are read with the generator's own loader (`codegen/src/load.ts`), which applies
 * `specs/errata/`, so both sides see the same errata-applied schemas. The ways this file departs
 * from json-schema-to-typescript's defaults are listed in `ORACLE_OPTIONS` and `prepare`, each
 * with its reason; nothing else is filtered.
 *
 * Usage: tsx scripts/type-oracle/generate.ts (run by `pnpm typecheck:scripts`)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type Options } from 'json-schema-to-typescript';
import { loadVersion } from '../../codegen/src/load.js';
import { VERSIONS } from '../../codegen/src/versions.js';
import { root } from '../lib/packages.js';

export const GEN_DIR = join(root, 'scripts', 'type-oracle', 'gen');

/**
 * Options given to json-schema-to-typescript. The known, legitimate differences between its
 * defaults and the SDK's types:
 */
export const ORACLE_OPTIONS: Partial<Options> = {
  // `minItems`/`maxItems` would become tuple types (`[T, ...T[]]`, or a union of tuples of each
  // allowed length). The SDK types arrays as `T[]` on purpose and checks item counts at run time
  // (validators and zod schemas), as it does every other constraint a type cannot carry
  // (`maxLength`, `format`, `pattern`, `minimum`, ...), which json-schema-to-typescript ignores
  // too. So: compared as `T[]`.
  ignoreMinAndMaxItems: true,
  // Stated for clarity; these are the defaults and the SDK does the same: an object whose schema
  // does not say `additionalProperties: false` (2.x `customData`, a few 1.6 and 2.0.1 objects)
  // gets `[k: string]: unknown`, and a schema without a type becomes `unknown`.
  additionalProperties: true,
  unknownAny: true,
  strictIndexSignatures: false,
  // Every referenced definition is declared; the text is not pretty-printed (it is compared by
  // the compiler, not read), which keeps the run to about a second.
  declareExternallyReferenced: true,
  format: false,
  bannerComment: '',
};

/**
 * A copy of an errata-applied schema ready for json-schema-to-typescript. Only names and
 * documentation change, never a type:
 * - the root `title` and `$id` are dropped so the root type is named after the message (1.6
 *   titles and 2.x `$id`s do not always match the SDK's message names, e.g. 1.6 `Authorize.json`
 *   is titled `AuthorizeRequest` but the SDK also names responses `<Action>Response`);
 * - `description` strings are dropped: they would become JSDoc the compiler ignores, and
 *   dropping them makes the output a fraction of the size.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON schema documents
export function prepare(schema: Record<string, any>): Record<string, any> {
  // biome-ignore lint/suspicious/noExplicitAny: JSON schema documents
  const strip = (node: any): any => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k, v]) => !(k === 'description' && typeof v === 'string'))
        .map(([k, v]) => [k, strip(v)]),
    );
  };
  const { title: _title, $id: _id, ...rest } = schema;
  return strip(rest);
}

/** The oracle file of every version: path relative to `GEN_DIR` → content. */
export async function generateOracle(): Promise<Map<string, string>> {
  const version = (
    JSON.parse(
      readFileSync(join(root, 'node_modules', 'json-schema-to-typescript', 'package.json'), 'utf8'),
    ) as { version: string }
  ).version;
  const out = new Map<string, string>();
  for (const config of VERSIONS) {
    const { files } = loadVersion(join(root, 'specs'), config);
    const blocks: string[] = [];
    const oracle: string[] = [];
    const generated: string[] = [];
    for (const [file, schema] of files) {
      const id = config.identify(file);
      if (id === undefined) throw new Error(`specs/${config.id}/${file}: names no message`);
      const ts = await compile(prepare(schema), id.message, ORACLE_OPTIONS);
      if (!new RegExp(`^export (interface|type) ${id.message}\\b`, 'm').test(ts)) {
        throw new Error(
          `specs/${config.id}/${file}: no root type named ${id.message} in the output`,
        );
      }
      const ns = file.replace(/\.json$/, '');
      blocks.push(
        `/** specs/${config.id}/${file} */\nexport declare namespace ${ns} {\n${ts.trim()}\n}\n`,
      );
      oracle.push(`  ${id.message}: ${ns}.${id.message};\n`);
      generated.push(`  ${id.message}: G.${id.message};\n`);
    }
    out.set(
      `${config.id}.ts`,
      `// @generated by scripts/type-oracle/generate.ts with json-schema-to-typescript ${version}\n` +
        `// from specs/${config.id}/ with specs/errata/${config.id}/ applied. Not committed; do not edit.\n\n` +
        // The generated package's types.ts, not its barrel: the barrel would bring the zod
        // schemas and validators into the program and make the type check several times slower.
        `import type * as G from '../../../${config.packageDir}/src/gen/types.js';\n\n` +
        blocks.join('\n') +
        `\n/** Every message of OCPP ${config.version} as json-schema-to-typescript types it. */\n` +
        `export interface Oracle {\n${oracle.join('')}}\n` +
        `\n/** The same messages as the SDK's generator types them. */\n` +
        `export interface Generated {\n${generated.join('')}}\n`,
    );
  }
  return out;
}

const started = performance.now();
const files = await generateOracle();
mkdirSync(GEN_DIR, { recursive: true });
for (const [name, content] of files) {
  const path = join(GEN_DIR, name);
  if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileSync(path, content);
}
console.log(
  `type-oracle: ${[...files.keys()].join(', ')} in scripts/type-oracle/gen/ (${Math.round(performance.now() - started)} ms)`,
);
