import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Manifest,
  publicPackageDirs,
  readManifest,
  root,
  SOURCE_CONDITION,
  withoutSourceCondition,
} from '../lib/packages.js';

/**
 * What every public package must carry to be installed and type-checked outside this workspace:
 * the licence text its `license` field names, the Node versions it runs on, the files it ships,
 * and, for every package its sources import, types that come with the installation (a
 * `devDependency` is not installed for a user: `@types/ws` once was one, and every `.d.ts` of
 * transport-ws that imports `ws` failed with TS7016 under `skipLibCheck: false`). What the packed
 * tarballs hold, and that they install and type-check, is `pack.test.ts`.
 */

const license = readFileSync(join(root, 'LICENSE'), 'utf8');
const manifest = (dir: string): Manifest => readManifest(dir);
const publicPackages = publicPackageDirs();

/** The README's `## Module format` section, up to the next heading or link definitions. */
function moduleFormatSection(dir: string): string | undefined {
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  return /\n## Module format\n\n([\s\S]*?)(?=\n#|\n\[[^\]]+\]: |$)/.exec(readme)?.[1]?.trim();
}

/** Bare specifiers (package names) the sources of `dir` import, type imports included. */
function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(
          /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^'.][^']*)'/g,
        )) {
          const spec = m[1] as string;
          if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
          const parts = spec.split('/');
          names.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string));
        }
      }
    }
  };
  walk(join(dir, 'src'));
  return names;
}

/** Whether an installed package `name` brings its own types. */
function shipsTypes(name: string, from: string): boolean {
  const dir = join(from, 'node_modules', name);
  const m = manifest(dir);
  return (
    m.types !== undefined ||
    m.typings !== undefined ||
    existsSync(join(dir, 'index.d.ts')) ||
    JSON.stringify(m.exports ?? {}).includes('"types"')
  );
}

describe('public packages', () => {
  it('there are some', () => {
    expect(publicPackages.length).toBeGreaterThanOrEqual(10);
  });

  for (const dir of publicPackages) {
    const m = manifest(dir);
    it(`${m.name}: Apache-2.0 with its text, engines, sideEffects and files`, () => {
      expect(m.license).toBe('Apache-2.0');
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(license);
      expect(m.engines?.node).toMatch(/^>=20(\.\d+)?$/);
      expect(m.files).toContain('dist');
      // A command's entry point runs code on import; a library's modules do not.
      if (m.name !== '@ocpp/cli') expect(m.sideEffects).toBe(false);
    });

    it(`${m.name}: its published exports are its exports without the source condition`, () => {
      // pnpm pack and pnpm publish replace `exports` with `publishConfig.exports`: the source
      // condition points at `src/`, which is not shipped, and serves only this workspace.
      expect(JSON.stringify(m.exports)).toContain(`"${SOURCE_CONDITION}"`);
      expect(m.publishConfig?.exports).toEqual(withoutSourceCondition(m.exports));
    });

    it(`${m.name}: its README says it is ESM only, in the words every package uses`, () => {
      const section = moduleFormatSection(dir);
      expect(section).toMatch(/^ESM only\./);
      expect(section).toContain('Node 20.19+, 22.12+');
      expect(section).toBe(moduleFormatSection(publicPackages[0] as string));
    });

    it(`${m.name}: every package it imports is a dependency, with its types`, () => {
      const deps = { ...m.dependencies, ...m.peerDependencies };
      const problems: string[] = [];
      for (const name of importedPackages(dir)) {
        if (name === m.name) continue;
        if (deps[name] === undefined) problems.push(`${name} is not a dependency`);
        else if (!shipsTypes(name, dir) && deps[`@types/${name}`] === undefined)
          problems.push(`${name} has no types: @types/${name} must be a dependency`);
      }
      expect(problems).toEqual([]);
    });
  }
});
