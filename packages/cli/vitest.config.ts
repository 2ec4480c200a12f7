import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The tests spawn the built binary, CSMS processes and Chromium: give each test room on a busy
// 2-core CI machine (every wait inside a test has its own, shorter bound).
export default mergeConfig(
  shared,
  defineConfig({ test: { testTimeout: 30_000, hookTimeout: 30_000 } }),
);
