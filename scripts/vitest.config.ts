import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Repository-level tests: the spec import and errata (specs/test) and the repo's own files
// such as changesets (scripts/test).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['specs/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
  },
});
