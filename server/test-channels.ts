// Test harness for channel tests: the real app listening on a local port (providers' fakes POST to it and signatures
// cover its public URL), a real worker with the platform's channel runtime on the same task queue, and helpers to
// publish flows and watch their runs.
import { randomBytes } from 'node:crypto';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { expect } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry } from '../connectors/sdk/index.js';
import type { Connector } from '../connectors/sdk/types.js';
import { temporalAddress } from '../test/env.js';
import { freePort } from '../test/ports.js';
import { createWorkerDeps, type WorkerDepsOptions } from '../worker/deps.js';
import type { ActivityDeps } from '../worker/activities.js';
import { bundleWorkflows, createWorker } from '../worker/worker.js';
import { eventually, startTestApp, type TestApp } from './test-app.js';

export interface ChannelHarness {
  t: TestApp;
  /** `http://127.0.0.1:<port>`: the public URL and the listening address. */
  base: string;
  /** POST /api/channel-accounts; expects 201 and returns the account. */
  createAccount(body: object): Promise<{ id: string; inboundUrl: string }>;
  /** Creates and publishes a flow; returns its id. */
  publish(definition: object): Promise<string>;
  /** The flow's runs, once there are at least `want`. */
  runsOf(flowId: string, want: number): Promise<{ id: string; status: string }[]>;
  /** The run detail once `until(status)` holds. */
  run(runId: string, until: (status: string) => boolean): Promise<any>;
  contactBy(kind: string, value: string): Promise<any>;
  /** The worker's activity dependencies (the same stores, keys and registry), for calling an activity directly. */
  workerDeps: ActivityDeps;
  close(): Promise<void>;
}

export async function startChannelHarness(
  opts: { connectors?: Connector[]; crmSync?: WorkerDepsOptions['crmSync'] } = {},
): Promise<ChannelHarness> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const secretKey = randomBytes(32);
  const registry = createRegistry(opts.connectors ?? builtinConnectors());
  const t = await startTestApp({ secretKey, publicUrl: base, connectors: [...registry.connectors] });
  await t.app.listen({ port, host: '127.0.0.1' });
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const workerDeps = createWorkerDeps({
    prisma: t.prisma,
    registry,
    logger: silent,
    secretKey,
    publicUrl: base,
    // Short rounds, so a test's worker shuts down promptly; the debounce as deployed.
    crmSync: { roundMs: 2000, ...opts.crmSync },
  });
  const worker: Worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: t.taskQueue,
    deps: workerDeps,
    workflowBundle: await bundleWorkflows(),
  });
  const running = worker.run();

  return {
    t,
    base,
    workerDeps,
    async createAccount(body) {
      const res = await t.api({ method: 'POST', url: '/api/channel-accounts', payload: body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    },
    async publish(definition) {
      const flow = (
        await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'channel flow', definition } })
      ).json();
      const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
      expect(res.statusCode, res.body).toBe(201);
      return flow.id;
    },
    runsOf: (flowId, want) =>
      eventually(async () => {
        const items = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}` })).json().items as {
          id: string;
          status: string;
        }[];
        return items.length >= want ? items : undefined;
      }, 30_000),
    run: (runId, until) =>
      eventually(async () => {
        const body = (await t.api({ method: 'GET', url: `/api/runs/${runId}` })).json();
        return until(body.status) ? body : undefined;
      }, 30_000),
    contactBy: async (kind, value) =>
      (await t.api({ method: 'GET', url: `/api/contacts?identity=${encodeURIComponent(`${kind}:${value}`)}` })).json()
        .items[0],
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await t.close();
    },
  };
}

export const settledStatus = (s: string) => s === 'completed' || s === 'failed' || s === 'cancelled';
