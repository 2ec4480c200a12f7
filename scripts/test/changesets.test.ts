import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import parse from '@changesets/parse';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, '.changeset');
const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');

function workspacePackages(): Set<string> {
  const names = new Set<string>();
  for (const base of ['packages', 'codegen', 'bench']) {
    const path = join(root, base);
    const dirs = base === 'packages' ? readdirSync(path).map((d) => join(path, d)) : [path];
    for (const d of dirs) {
      try {
        names.add(JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name);
      } catch {
        // not a package directory
      }
    }
  }
  return names;
}

describe('changesets', () => {
  const packages = workspacePackages();

  it('there is at least one to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${file} parses and names only workspace packages`, () => {
      const { releases, summary } = parse(readFileSync(join(dir, file), 'utf8'));
      expect(releases.length).toBeGreaterThan(0);
      expect(summary.length).toBeGreaterThan(20);
      for (const release of releases) {
        expect(packages).toContain(release.name);
        expect(['major', 'minor', 'patch']).toContain(release.type);
      }
    });
  }
});
