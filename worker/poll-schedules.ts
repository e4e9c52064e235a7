// The Temporal Schedules behind flows with a poll trigger (README.md "Poll triggers"): one per flow, id
// `flow-poll:<flowId>`, every `trigger.every`, overlap skip (a poll still running when the next is due makes that one
// a no-op: the running poll takes its items), whose action starts `pollTrigger` on the flow's latest published version.
// Kept with the version as worker/schedules.ts keeps schedule triggers': publish creates or updates it, another trigger
// or deleting the flow deletes it, and the server brings every poll schedule in line with the stored versions at
// start (`reconcile`). Every call has the Temporal deadline. Node only.
import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { parseDuration } from '../connectors/flow/duration.js';
import type { FlowDefinition, PollTrigger } from '../connectors/flow/types.js';
import type { Logger } from '../connectors/sdk/types.js';
import type { PrismaClient } from '../prisma/client.js';
import { createFlowPollStore } from '../prisma/flow-polls.js';
import { createFlowScheduleKeeper } from './schedules.js';
import { pollTrigger, type PollTriggerInput } from './workflows/poll-trigger.js';

export const POLL_SCHEDULE_ID_PREFIX = 'flow-poll:';
export const pollScheduleIdFor = (flowId: string) => `${POLL_SCHEDULE_ID_PREFIX}${flowId}`;
/** The workflow id of one poll before Temporal appends `-<scheduled time>` (not a run: no `run_` prefix). */
export const pollWorkflowIdFor = (flowId: string) => `poll-flow_${flowId}`;

/**
 * Missed polls (Temporal down) are not worth catching up one by one: one poll takes everything new. A short window
 * lets the first tick after a short outage through; the next regular tick covers a longer one.
 */
export const POLL_CATCHUP_WINDOW = '1 minute';

export interface FlowPollScheduleState {
  state: 'active' | 'paused';
  nextPollAt: string | null;
}

export interface PublishedPollFlow {
  workspaceId: string;
  flowId: string;
  version: number;
  definition: FlowDefinition;
}

const isPoll = (def: FlowDefinition): boolean => def.trigger.type === 'poll';

export function pollScheduleOptions(flow: PublishedPollFlow, taskQueue: string): Omit<ScheduleOptions, 'scheduleId'> {
  const t = flow.definition.trigger as PollTrigger;
  const input: PollTriggerInput = {
    workspaceId: flow.workspaceId,
    flowId: flow.flowId,
    version: flow.version,
    definition: flow.definition,
  };
  return {
    spec: { intervals: [{ every: parseDuration(t.every) }] },
    action: {
      type: 'startWorkflow',
      workflowType: pollTrigger,
      workflowId: pollWorkflowIdFor(flow.flowId),
      taskQueue,
      args: [input],
      // A poll is short: one that cannot finish in this long (a worker gone for good) makes room for the next tick.
      workflowExecutionTimeout: '15 minutes',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: POLL_CATCHUP_WINDOW },
  };
}

export function createFlowPollSchedules({
  client,
  taskQueue,
  deadlineMs,
}: {
  client: Client;
  taskQueue: string;
  deadlineMs?: number;
}) {
  const keeper = createFlowScheduleKeeper<PublishedPollFlow>({
    client,
    deadlineMs,
    idFor: pollScheduleIdFor,
    wants: isPoll,
    options: (flow) => pollScheduleOptions(flow, taskQueue),
  });
  return {
    ...keeper,
    /** The schedule's state; undefined when Temporal has none for the flow. */
    state: async (flowId: string): Promise<FlowPollScheduleState | undefined> => {
      const d = await keeper.describe(flowId);
      if (!d) return undefined;
      return {
        state: d.state.paused ? 'paused' : 'active',
        nextPollAt: d.state.paused ? null : (d.info.nextActionTimes[0]?.toISOString() ?? null),
      };
    },

    /** A poll now, besides the interval's (tests; the schedule's own overlap policy applies). */
    pollNow: (flowId: string) => keeper.bounded(() => keeper.handle(flowId).trigger()),
  };
}

export type FlowPollSchedules = ReturnType<typeof createFlowPollSchedules>;

/** At server start, in the background: every poll schedule in line with the stored versions (logged, never thrown). */
export async function reconcilePollSchedules(
  prisma: PrismaClient,
  temporal: { client: Client; taskQueue: string },
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<void> {
  try {
    const flows = await createFlowPollStore(prisma).pollFlows();
    const { synced, failed } = await createFlowPollSchedules(temporal).reconcile(flows);
    if (synced || failed.length) log.info({ synced, failed }, 'flow poll schedules reconciled');
  } catch (err) {
    log.warn({ err }, 'flow poll schedules not reconciled');
  }
}
