// testStep: one action node run once on its own, for the editor's "Test step" (README.md "Testing one step"). The
// server resolved the input already; this calls the same executeStep activity runs use (so credentials, channel
// pacing and connector code run where they run for runs), with one attempt and the node's limit, and hands back the
// output or the error as data: a failing action is the answer, not a failed workflow.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities.js';
import { STEP_TIMEOUT_MARGIN_MS, type TestStepInput, type TestStepResult } from '../contract.js';
import { stepError } from './run-flow.js';

export async function testStep(input: TestStepInput): Promise<TestStepResult> {
  const { executeStep } = proxyActivities<Activities>({
    activityId: input.nodeId,
    // As for runs: the activity aborts the action at its limit (STEP_TIMEOUT), a margin before Temporal would.
    startToCloseTimeout: input.timeoutMs + STEP_TIMEOUT_MARGIN_MS,
    // Waiting for a worker is bounded too, so a test nobody picks up ends by itself.
    scheduleToCloseTimeout: input.timeoutMs + 2 * STEP_TIMEOUT_MARGIN_MS,
    retry: { maximumAttempts: 1 },
  });
  try {
    const { output } = await executeStep({
      workspaceId: input.workspaceId,
      flowId: input.flowId,
      // The test's own id: the action's idempotency key is `<id>:<node>`, new for every test.
      runId: workflowInfo().workflowId,
      nodeId: input.nodeId,
      action: input.action,
      input: input.input,
      ...(input.connection !== undefined && { connection: input.connection }),
    });
    return { output };
  } catch (err) {
    return { error: stepError(err) };
  }
}
