import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{server,worker,connectors,prisma,test,bench}/**/*.test.ts', 'editor/{src,e2e}/**/*.test.{ts,tsx}'],
    environment: 'node',
    // As an operator running the providers' fakes on loopback would: provider base URLs (Telegram, Slack, Graph API,
    // Twilio) and their connections may point at 127.0.0.1 (connectors/sdk/guard.ts). Tests of the guard set their own.
    env: { CONFLUO_HTTP_ALLOWLIST: '127.0.0.1,localhost' },
    globalSetup: ['test/global-setup.ts'],
    // Forks, not threads: the Temporal worker's native core is happiest in its own process.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
