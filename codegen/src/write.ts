import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type GeneratedVersion, generateVersion } from './generate.js';
import type { VersionConfig } from './versions.js';

/** What one run of the generator did, or (with `check`) would do. */
export interface RegenerateResult {
  /** One line per version: its counts of actions, messages, datatypes and enums. */
  readonly summaries: readonly string[];
  /** Generated files that differ from what is on disk (missing, stale or extra), repo-relative. */
  readonly stale: readonly string[];
}

function summary(config: VersionConfig, { model }: GeneratedVersion): string {
  const enums = [...model.defs.values()].filter((d) => d.kind === 'enum').length;
  const datatypes = model.defs.size - model.messages.length - enums;
  return `${config.id}: ${model.actions.length} actions, ${model.messages.length} messages, ${datatypes} datatypes, ${enums} enums`;
}

/** The generated folder of a version, repo-relative: `packages/v201-core/src/gen`. */
function genDirOf(config: VersionConfig): string {
  return `${config.packageDir}/src/gen`;
}

/** The files of `genDir` on disk that differ from `files` (missing, stale, or not generated). */
function differences(
  root: string,
  genDir: string,
  files: ReadonlyMap<string, string>,
): { path: string; why: string }[] {
  const out: { path: string; why: string }[] = [];
  const abs = join(root, genDir);
  const existing = existsSync(abs) ? readdirSync(abs).map((f) => `${genDir}/${f}`) : [];
  for (const extra of existing.filter((f) => !files.has(f)))
    out.push({ path: extra, why: 'not generated any more' });
  for (const [path, content] of files) {
    const file = join(root, path);
    if (!existsSync(file)) out.push({ path, why: 'missing' });
    else if (readFileSync(file, 'utf8') !== content) out.push({ path, why: 'stale' });
  }
  return out;
}

/**
 * Generates `versions` from `root/specs/` and, unless `check`, writes them, all or nothing:
 *
 * 1. every version is generated in memory first; the first failure throws (naming the version
 *    and the file) before anything is written;
 * 2. each version whose output differs from what is on disk is written, complete, into a fresh
 *    folder beside its package (`packages/v201-core/.gen-XXXXXX`, outside `src/`, so no compiler
 *    or test run sees it half-written);
 * 3. only when every such folder is complete is each renamed into place (the old `src/gen`
 *    renamed away first, then removed). A failure in step 2 removes the new folders and leaves
 *    every `src/gen` as it was.
 *
 * With `check`, nothing is written and `stale` lists what writing would change.
 */
export function regenerate(
  root: string,
  versions: readonly VersionConfig[],
  options: { readonly check?: boolean } = {},
): RegenerateResult {
  const generated = versions.map((config) => ({ config, out: generateVersion(root, config) }));
  const summaries = generated.map(({ config, out }) => summary(config, out));
  const changed = generated
    .map(({ config, out }) => ({
      config,
      out,
      diff: differences(root, genDirOf(config), out.files),
    }))
    .filter((v) => v.diff.length > 0);
  const stale = changed.flatMap((v) => v.diff.map((d) => `${d.path} (${d.why})`));
  if (options.check || changed.length === 0) return { summaries, stale };

  const staged: { tmp: string; target: string }[] = [];
  try {
    for (const { config, out } of changed) {
      const target = join(root, genDirOf(config));
      const tmp = mkdtempSync(join(root, config.packageDir, '.gen-'));
      staged.push({ tmp, target });
      for (const [path, content] of out.files) {
        const file = join(tmp, relative(target, join(root, path)));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
  } catch (e) {
    for (const { tmp } of staged) rmSync(tmp, { recursive: true, force: true });
    throw new Error(`nothing written: ${(e as Error).message}`, { cause: e });
  }
  for (const { tmp, target } of staged) {
    const old = existsSync(target) ? `${tmp}.old` : undefined;
    if (old !== undefined) renameSync(target, old);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(tmp, target);
    if (old !== undefined) rmSync(old, { recursive: true, force: true });
  }
  return { summaries, stale };
}
