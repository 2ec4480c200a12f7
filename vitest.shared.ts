import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares: sources resolved through the `@ocpp/source` export
 * condition (no build needed to test), tests in `test/`. Type tests (`test/*.test-d.ts`,
 * `expectTypeOf`) are checked by each package's `typecheck` task (`tsc` over `src` and `test`,
 * part of `pnpm verify`), where a wrong type fails the compile: vitest's own typecheck mode would
 * run them a second time and print its experimental-feature warning once per package.
 */

export default defineConfig({
  resolve: { conditions: ['@ocpp/source'] },
  ssr: { resolve: { conditions: ['@ocpp/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // CI runs every package's suite at once on two cores; tests that open sockets or import
    // freshly written modules can take longer than vitest's 5 s default there without being stuck.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
