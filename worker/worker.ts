// Builds the Temporal worker: the four workflows of worker/workflows (runFlow, ingest, pollChannel, sendMessage) plus
// the activities over the connector registry. Stopping it is the caller's: `shutdown()` once, then await `run()`.
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type Activities, type ActivityDeps } from './activities.js';
import { ensureWorkflowBundle } from './bundle.js';

export { bundleWorkflows, ensureWorkflowBundle, WORKFLOWS_PATH } from './bundle.js';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** What the activities run with: connector registry, services lent to actions, logger. */
  deps: ActivityDeps;
  /** A prebuilt bundle (from `bundleWorkflows`, or written to disk); without one, `ensureWorkflowBundle` makes one. */
  workflowBundle?: { codePath: string } | { code: string };
  /** Another workflow entry point (the benchmarks add a hand-written workflow); default worker/workflows. */
  workflowsPath?: string;
  maxConcurrentActivityTaskExecutions?: number;
  /**
   * Stand-ins for some activities, given the real ones (tests: an activity that fails on cue), and more beside them
   * (the benchmarks' ceiling step).
   */
  activities?: (real: Activities) => Partial<Activities> & Record<string, (...args: never[]) => Promise<unknown>>;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  const activities = createActivities(opts.deps);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? { codePath: await ensureWorkflowBundle(opts.workflowsPath) },
    activities: { ...activities, ...opts.activities?.(activities) },
    ...(opts.maxConcurrentActivityTaskExecutions !== undefined && {
      maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions,
    }),
  });
}
