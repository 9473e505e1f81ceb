import { defineConfig } from 'vitest/config';

// One run covers every package: unit tests sit beside the code (src/**/*.test.ts),
// integration, contract and conformance suites live in packages/*/test.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    globalSetup: ['packages/server/test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores here: more workers only fight over them.
    maxWorkers: 2,
  },
});
