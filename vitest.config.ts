import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{server,worker,connectors,prisma,test}/**/*.test.ts', 'editor/{src,e2e}/**/*.test.{ts,tsx}'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    // Forks, not threads: the Temporal worker's native core is happiest in its own process.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
