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
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
