// Test harness for the worker side: a real runFlow worker (one bundle) on a TestApp's task queue, for tests that need
// runs to execute. Kept apart from test-app.ts so tests without a worker do not load the worker's native core.
import { NativeConnection } from '@temporalio/worker';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry } from '../connectors/sdk/index.js';
import { temporalAddress } from '../test/env.js';
import { createWorkerDeps } from '../worker/deps.js';
import { bundleWorkflows, createWorker } from '../worker/worker.js';
import { PUBLIC_URL, type TestApp } from './test-app.js';

export interface TestWorkerOptions {
  /** Default: the test run's dev server. */
  address?: string;
  /** Default: the built-in connectors. */
  connectors?: Parameters<typeof createRegistry>[0];
  secretKey?: Buffer;
  publicUrl?: string;
}

export interface TestWorker {
  /** Shuts the worker down, waits for it, and closes its connection. */
  stop(): Promise<void>;
}

export async function startTestWorker(t: TestApp, opts: TestWorkerOptions = {}): Promise<TestWorker> {
  const connection = await NativeConnection.connect({ address: opts.address ?? temporalAddress() });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: t.taskQueue,
    deps: createWorkerDeps({
      prisma: t.prisma,
      registry: createRegistry(opts.connectors ?? builtinConnectors()),
      logger: silent,
      ...(opts.secretKey && { secretKey: opts.secretKey }),
      publicUrl: opts.publicUrl ?? PUBLIC_URL,
    }),
    workflowBundle: await bundleWorkflows(),
  });
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
