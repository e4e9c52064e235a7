// A failed run's run.failed event (README.md "Platform events"): recorded by an activity on the workflow's failure path,
// in a scope that cannot be cancelled, just before runFlow throws its STEP_FAILED. Whatever happens to it (the database
// down past its few attempts), the run still fails with its own error: this never changes the run's result. Whether a
// run records one at all (not a test run, not a sub-flow's child, not a run a run.failed started) is decided by the
// activity (worker/run-failed-activities.ts). Deterministic: the workflow SDK, types and the contract only.
import { CancellationScope, log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { StepError, StepState } from '../../connectors/flow/types.js';
import type { Activities } from '../activities.js';
import type { RunFlowInput } from '../contract.js';

const { recordRunFailed } = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  // A worker without the activity (tests with their own activities) fails it at once instead of retrying.
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumAttempts: 3,
    nonRetryableErrorTypes: ['NotFoundError'],
  },
});

export async function reportRunFailed(input: RunFlowInput, step: StepState, name?: string): Promise<void> {
  // Runs that failed before this existed replay without it (a query on a closed run replays its history).
  if (!patched('run-failed-event')) return;
  const error: StepError = step.error ?? { message: 'failed' };
  try {
    await CancellationScope.nonCancellable(() =>
      recordRunFailed({
        workspaceId: input.workspaceId,
        runId: workflowInfo().workflowId,
        flowId: input.flowId,
        version: input.version,
        startedAt: input.startedAt,
        trigger: input.trigger,
        ...(input.contact !== undefined && { contact: input.contact }),
        step: {
          id: step.nodeId,
          type: step.type,
          ...(name !== undefined && { name }),
          ...(step.attempts !== undefined && { attempts: step.attempts }),
        },
        error: { message: error.message, code: error.code ?? null },
      }),
    );
  } catch (err) {
    log.warn('run.failed event not recorded', { error: err instanceof Error ? err.message : String(err) });
  }
}
