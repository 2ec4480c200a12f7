import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Every test starts a real process and attacks it over loopback: give each room on a busy 2-core
// CI machine (every wait inside a test has its own, shorter bound). Files run one after another,
// so one file's attack does not slow another's target.
export default mergeConfig(
  shared,
  defineConfig({ test: { testTimeout: 60_000, hookTimeout: 30_000, fileParallelism: false } }),
);
