// pollTrigger: one poll of a flow's poll trigger, started by the flow's Temporal Schedule (worker/poll-schedules.ts) on
// its interval, overlap skip. Polls the source (an activity), starts one run per new item (ids derived from the item's
// key, so a run started by a poll that crashed before its commit is a duplicate now, and not started twice), then
// commits the keys and the cursor. A failed source ends the poll quietly (recorded on the flow's poll state): the next
// tick is the retry.
import { ParentClosePolicy, WorkflowIdReusePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { FlowDefinition, PollTrigger } from '../../connectors/flow/types.js';
import { runSearchAttributes } from '../contract.js';
import type { PollActivities, PollRun } from '../poll-trigger.js';
import { runFlow } from './run-flow.js';

const { pollSource } = proxyActivities<PollActivities>({
  // The source's own failures come back as an outcome; these retries are for the worker and the database.
  startToCloseTimeout: '2m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 3 },
});
const { commitPoll } = proxyActivities<PollActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

export interface PollTriggerInput {
  workspaceId: string;
  flowId: string;
  /** The published version the poll's runs are pinned to (the schedule is updated with every publish). */
  version: number;
  definition: FlowDefinition;
}

export interface PollTriggerResult {
  outcome: 'failed' | 'baseline' | 'runs';
  started: string[];
  duplicates: number;
}

export async function pollTrigger(input: PollTriggerInput): Promise<PollTriggerResult> {
  const trigger = input.definition.trigger as PollTrigger;
  const polled = await pollSource({
    workspaceId: input.workspaceId,
    flowId: input.flowId,
    version: input.version,
    trigger,
  });
  if (polled.kind !== 'runs') return { outcome: polled.kind, started: [], duplicates: 0 };
  // All starts in one workflow task (see pollChannel); in the source's order, oldest first, as Temporal takes them.
  const started = await Promise.all(polled.runs.map((run) => startRun(input, run)));
  const ids = polled.runs.filter((_, i) => started[i]).map((r) => r.runId);
  await commitPoll({
    flowId: input.flowId,
    sourceKey: polled.sourceKey,
    ...(polled.cursor !== undefined && { cursor: polled.cursor }),
    seen: [
      ...polled.runs.map((r) => ({ key: r.key, runId: r.runId })),
      ...polled.skipped.map((key) => ({ key, runId: null })),
    ],
    runsStarted: ids.length,
    ...(polled.warning && { warning: polled.warning }),
  });
  return { outcome: 'runs', started: ids, duplicates: polled.runs.length - ids.length };
}

/** Starts one item's run; false when it exists already (started by a poll that did not get to its commit). */
async function startRun(input: PollTriggerInput, run: PollRun): Promise<boolean> {
  const args = {
    workspaceId: input.workspaceId,
    flowId: input.flowId,
    version: input.version,
    definition: input.definition,
    trigger: run.trigger,
    startedAt: run.trigger.polledAt as string,
  };
  try {
    await startChild(runFlow, {
      workflowId: run.runId,
      args: [args],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: runSearchAttributes(args),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
