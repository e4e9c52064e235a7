// Test harness for the worker side: a real runFlow worker (one bundle) on a TestApp's task queue, for tests that need
// runs to execute, and the usual set-up of a worker test file (`withAppAndWorker`). Kept apart from test-app.ts so tests
// without a worker do not load the worker's native core.
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry } from '../connectors/sdk/index.js';
import { temporalAddress } from '../test/env.js';
import { createWorkerDeps } from '../worker/deps.js';
import { bundleWorkflows, createWorker, type CreateWorkerOptions } from '../worker/worker.js';
import { PUBLIC_URL, startTestApp, type TestApp, type TestAppOptions } from './test-app.js';

export interface TestWorkerOptions {
  /** Default: the test run's dev server. */
  address?: string;
  /** Default: the built-in connectors. */
  connectors?: Parameters<typeof createRegistry>[0];
  secretKey?: Buffer;
  publicUrl?: string;
  /** Stand-ins for some activities, given the real ones. */
  activities?: CreateWorkerOptions['activities'];
}

export interface TestWorker {
  /** Shuts the worker down, waits for it, and closes its connection. */
  stop(): Promise<void>;
}

// One bundle per test file: a worker started again (or a second one) reuses it.
let bundle: ReturnType<typeof bundleWorkflows> | undefined;

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
    workflowBundle: await (bundle ??= bundleWorkflows()),
    ...(opts.activities && { activities: opts.activities }),
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

/**
 * A worker test file's app and worker: started in beforeAll (the app with `opts.app`, then a worker on its task queue
 * with `opts.worker`), stopped in afterAll. `started` gets the app once both run.
 */
export function withAppAndWorker(
  started: (t: TestApp) => void,
  opts: { app?: TestAppOptions; worker?: TestWorkerOptions } = {},
): void {
  let t: TestApp | undefined;
  let worker: TestWorker | undefined;
  beforeAll(async () => {
    t = await startTestApp(opts.app);
    worker = await startTestWorker(t, opts.worker);
    started(t);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });
}
