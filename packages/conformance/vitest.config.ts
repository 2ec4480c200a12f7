import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@ocpp/source'] },
  ssr: { resolve: { conditions: ['@ocpp/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
