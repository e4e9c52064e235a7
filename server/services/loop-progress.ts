// A running loop step's progress lives in its child workflow (worker/workflows/run-loop.ts), which the run's own steps
// query cannot see: the run view asks the child (`loopProgress`) for each loop step still running. A loop that
// finished put its final progress into its step already.
import type { StepState } from '../../connectors/flow/types.js';
import { withinDeadline } from '../../worker/temporal-deadline.js';
import { loopProgressQuery, loopRunId } from '../../worker/contract.js';
import type { TemporalDeps } from '../types.js';

/** How long one loop's progress may take to come back; past it the step shows what the run itself knows. */
const LOOP_QUERY_WAIT_MS = 2_000;

export async function withLoopProgress(t: TemporalDeps, runId: string, steps: StepState[]): Promise<StepState[]> {
  if (!steps.some((s) => s.type === 'loop' && s.status === 'running')) return steps;
  return Promise.all(
    steps.map(async (s) => {
      if (s.type !== 'loop' || s.status !== 'running') return s;
      try {
        const loop = await withinDeadline(t.client, LOOP_QUERY_WAIT_MS, () =>
          t.client.workflow.getHandle(loopRunId(runId, s.nodeId)).query(loopProgressQuery),
        );
        return { ...s, loop };
      } catch {
        return s; // not started yet, or no worker answered soon
      }
    }),
  );
}
