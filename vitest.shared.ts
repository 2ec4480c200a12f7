import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares: sources resolved through the `@ocpp/source` export
 * condition (no build needed to test), tests in `test/`, type tests in `.test-d.ts` files.
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
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
