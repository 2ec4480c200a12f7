import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, type JsonPatchOperation, parseOperations } from './json-patch.js';
import type { VersionConfig } from './versions.js';

/** One erratum: a reasoned JSON Patch against one vendored schema file. */
export interface Erratum {
  /** File name under `specs/errata/<version>/`. */
  readonly name: string;
  readonly file: string;
  readonly reason: string;
  readonly reference: string;
  readonly patch: readonly JsonPatchOperation[];
}

/** The name every erratum file must have: `NNN-kebab-case-slug.json`. */
export const ERRATUM_NAME = /^[0-9]{3}-[a-z0-9]+(-[a-z0-9]+)*\.json$/;

/** Code-unit order, independent of the locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses a vendored schema file; tolerates (but reports) a UTF-8 byte order mark. */
export function parseSchemaBytes(bytes: Uint8Array): { value: unknown; bom: boolean } {
  let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  return { value: JSON.parse(text), bom };
}

/** Reads and shape-checks every erratum of a version, in application (file name) order. */
export function readErrata(version: string, specsDir: string): Erratum[] {
  const dir = join(specsDir, 'errata', version);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort(compareNames)
    .map((name) => {
      const where = `specs/errata/${version}/${name}`;
      try {
        const raw = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
        for (const key of ['file', 'reason', 'reference'] as const) {
          if (typeof raw[key] !== 'string' || raw[key] === '') {
            throw new Error(`"${key}" must be a non-empty string`);
          }
        }
        return {
          name,
          file: raw.file as string,
          reason: raw.reason as string,
          reference: raw.reference as string,
          patch: parseOperations(raw.patch),
        };
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
    });
}

/** The leading `test` operations of a patch: the assertions about the file as OCA shipped it. */
export function leadingTests(patch: readonly JsonPatchOperation[]): JsonPatchOperation[] {
  const end = patch.findIndex((op) => op.op !== 'test');
  return patch.slice(0, end === -1 ? patch.length : end);
}

/**
 * Applies errata to parsed files (name → schema), in order, with strict adds: an `add` never
 * overwrites, so an erratum fails loudly once OCA ships the member itself. Throws naming the
 * erratum on the first failure.
 */
export function applyErrata<T>(
  errata: readonly Erratum[],
  files: ReadonlyMap<string, T>,
): Map<string, T> {
  const out = new Map(files);
  for (const e of errata) {
    if (!out.has(e.file)) throw new Error(`${e.name}: targets ${e.file}, which does not exist`);
    try {
      out.set(e.file, applyPatch(out.get(e.file)!, e.patch, { strictAdd: true }));
    } catch (err) {
      throw new Error(
        `${e.name} (${e.file}) no longer applies: ${err instanceof Error ? err.message : String(err)}; if OCA fixed the file, delete the erratum`,
      );
    }
  }
  return out;
}

/** A version's schema files after the errata are applied. */
export interface LoadedVersion {
  // biome-ignore lint/suspicious/noExplicitAny: JSON schema documents
  readonly files: ReadonlyMap<string, Record<string, any>>;
  readonly errata: readonly Erratum[];
}

/** Reads `specs/<version>/` and applies `specs/errata/<version>/` to it. */
export function loadVersion(specsDir: string, config: VersionConfig): LoadedVersion {
  const dir = join(specsDir, config.id);
  // biome-ignore lint/suspicious/noExplicitAny: JSON schema documents
  const files = new Map<string, Record<string, any>>();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort(compareNames)) {
    try {
      // biome-ignore lint/suspicious/noExplicitAny: JSON schema documents
      files.set(name, parseSchemaBytes(readFileSync(join(dir, name))).value as Record<string, any>);
    } catch (e) {
      throw new Error(`specs/${config.id}/${name}: ${(e as Error).message}`);
    }
  }
  const errata = readErrata(config.id, specsDir);
  return { files: applyErrata(errata, files), errata };
}
