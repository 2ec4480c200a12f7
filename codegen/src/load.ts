import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, type PatchOperation } from './json-patch.js';
import type { VersionConfig } from './versions.js';

/** One erratum: a reasoned JSON Patch against one vendored schema file. */
export interface Erratum {
  readonly id: string;
  readonly file: string;
  readonly reason: string;
  readonly reference: string;
  readonly patch: readonly PatchOperation[];
}

/** A version's schema files after the errata are applied. */
export interface LoadedVersion {
  // biome-ignore lint/suspicious/noExplicitAny: JSON schema documents
  readonly files: ReadonlyMap<string, Record<string, any>>;
  readonly errata: readonly Erratum[];
}

function readJson(path: string): unknown {
  let text = readFileSync(path, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

/** Reads the errata of a version, in file-name order. */
export function readErrata(specsDir: string, config: VersionConfig): Erratum[] {
  const dir = join(specsDir, 'errata', config.id);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const e = readJson(join(dir, name)) as Partial<Erratum>;
    for (const key of ['file', 'reason', 'reference'] as const) {
      if (typeof e[key] !== 'string' || e[key] === '')
        throw new Error(`${dir}/${name}: "${key}" is missing`);
    }
    if (!Array.isArray(e.patch) || e.patch.length === 0)
      throw new Error(`${dir}/${name}: "patch" is empty`);
    return { ...(e as Erratum), id: name.replace(/\.json$/, '') };
  });
}

/** Reads `specs/<version>/` and applies `specs/errata/<version>/` to it. */
export function loadVersion(specsDir: string, config: VersionConfig): LoadedVersion {
  const dir = join(specsDir, config.id);
  // biome-ignore lint/suspicious/noExplicitAny: JSON schema documents
  const files = new Map<string, Record<string, any>>();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    // biome-ignore lint/suspicious/noExplicitAny: JSON schema documents
    files.set(name, readJson(join(dir, name)) as Record<string, any>);
  }
  const errata = readErrata(specsDir, config);
  for (const e of errata) {
    const doc = files.get(e.file);
    if (doc === undefined)
      throw new Error(`erratum ${config.id}/${e.id} targets missing file ${e.file}`);
    try {
      files.set(e.file, applyPatch(doc, e.patch));
    } catch (err) {
      throw new Error(
        `erratum ${config.id}/${e.id} no longer applies to ${e.file} (${(err as Error).message}); if OCA fixed the file, delete the erratum`,
      );
    }
  }
  return { files, errata };
}
