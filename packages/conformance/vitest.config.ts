import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@ocpp/source'] },
  ssr: { resolve: { conditions: ['@ocpp/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    // The fuzzer is one file per role so that both roles run at once, next to the corpus (which
    // mostly waits on timers). Vitest's default, a worker fewer than the cores, would give CI's two
    // cores one worker and run the files one after the other.
    maxWorkers: Math.max(3, availableParallelism() - 1),
  },
});
