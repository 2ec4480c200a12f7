import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('package boundaries', () => {
  it('src imports no Node built-in and no ws (it runs in browsers and edge runtimes)', () => {
    const files = sources(src);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map(
        (m) => m[1]!,
      );
      for (const s of specifiers) {
        expect(
          s.startsWith('node:') || s === 'ws' || s === '@ocpp/transport-ws',
          `${file}: ${s}`,
        ).toBe(false);
      }
    }
  });

  it('the public entry exports names explicitly (no export *)', () => {
    const index = readFileSync(join(src, 'index.ts'), 'utf8');
    expect(index).not.toMatch(/export \*/);
    expect(index).toContain('createGenericCsms');
    expect(index).toContain('createGenericStation');
  });
});
