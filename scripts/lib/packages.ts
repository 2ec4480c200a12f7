import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root directory. */
export const root = join(import.meta.dirname, '..', '..');

/** The fields of a package.json the repository tests read. */
export interface Manifest {
  name: string;
  version?: string;
  private?: boolean;
  license?: string;
  engines?: { node?: string };
  sideEffects?: boolean;
  files?: string[];
  main?: string;
  types?: string;
  typings?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  publishConfig?: { exports?: unknown };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** The directories of the packages under `packages/` that are published (not `private`). */
export const publicPackageDirs = (): string[] =>
  readdirSync(join(root, 'packages'))
    .map((d) => join(root, 'packages', d))
    .filter((d) => existsSync(join(d, 'package.json')) && readManifest(d).private !== true);

/** The workspace's export condition that points at TypeScript sources (`src/`), for dev only. */
export const SOURCE_CONDITION = '@ocpp/source';

/** `exports` without the source condition: what a published manifest must carry. */
export function withoutSourceCondition(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== SOURCE_CONDITION)
      .map(([key, v]) => [key, withoutSourceCondition(v)]),
  );
}
