import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('core packages run in browsers and edge runtimes', () => {
  for (const pkg of ['runtime', 'v16-core', 'v201-core', 'v21-core']) {
    it(`@ocpp/${pkg} imports no Node built-in, no ws, nothing outside its declared dependencies`, () => {
      const manifest = JSON.parse(
        readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'),
      );
      const allowed = new Set(Object.keys(manifest.dependencies ?? {}));
      const files = sources(join(root, 'packages', pkg, 'src'));
      expect(files.length).toBeGreaterThan(0);
      let seen = 0;
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        const specifiers = [
          ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'/gms),
          ...text.matchAll(/^\s*import\s*'([^']+)'/gm),
          ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
        ];
        seen += specifiers.length;
        for (const m of specifiers) {
          const spec = m[1]!;
          if (spec.startsWith('.')) continue;
          const name = spec.startsWith('@')
            ? spec.split('/').slice(0, 2).join('/')
            : spec.split('/')[0]!;
          expect(spec.startsWith('node:'), `${file} imports ${spec}`).toBe(false);
          expect(
            allowed.has(name),
            `${file} imports ${spec}, not a dependency of @ocpp/${pkg}`,
          ).toBe(true);
        }
        const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
        expect(/\brequire\(|\bprocess\.|\bBuffer\b/.test(code), `${file} uses a Node global`).toBe(
          false,
        );
      }
      expect(seen, 'the scan found the import statements').toBeGreaterThan(0);
    });
  }
});
