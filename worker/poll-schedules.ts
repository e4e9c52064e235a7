// The Temporal Schedules behind flows with a poll trigger (README.md "Poll triggers"): one per flow, id
// `flow-poll:<flowId>`, every `trigger.every`, overlap skip (a poll still running when the next is due makes that one
// a no-op: the running poll takes its items), whose action starts `pollTrigger` on the flow's latest published version.
// Kept with the version as worker/schedules.ts keeps schedule triggers': publish creates or updates it, another trigger
// or deleting the flow deletes it, and the server brings every poll schedule in line with the stored versions at
// start (`reconcile`). Every call has the Temporal deadline. Node only.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import { parseDuration } from '../connectors/flow/duration.js';
import type { FlowDefinition, PollTrigger } from '../connectors/flow/types.js';
import type { Logger } from '../connectors/sdk/types.js';
import type { PrismaClient } from '../prisma/client.js';
import { createFlowPollStore } from '../prisma/flow-polls.js';
import { DEFAULT_TEMPORAL_DEADLINE_MS, withinDeadline } from './temporal-deadline.js';
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
  deadlineMs = DEFAULT_TEMPORAL_DEADLINE_MS,
}: {
  client: Client;
  taskQueue: string;
  deadlineMs?: number;
}) {
  const bounded = <T>(fn: () => Promise<T>) => withinDeadline(client, deadlineMs, fn);
  const handle = (flowId: string) => client.schedule.getHandle(pollScheduleIdFor(flowId));

  async function removeNow(flowId: string): Promise<boolean> {
    try {
      await handle(flowId).delete();
      return true;
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return false;
      throw err;
    }
  }

  async function upsertNow(flow: PublishedPollFlow): Promise<void> {
    const options = pollScheduleOptions(flow, taskQueue);
    try {
      await client.schedule.create({ scheduleId: pollScheduleIdFor(flow.flowId), ...options });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await handle(flow.flowId).update((prev) => ({ ...prev, ...options, state: prev.state }));
    }
  }

  const syncNow = (flow: PublishedPollFlow) =>
    isPoll(flow.definition) ? upsertNow(flow) : removeNow(flow.flowId).then(() => undefined);

  return {
    /** Makes the flow's poll schedule match this published version: created, updated, or (another trigger) deleted. */
    sync: (flow: PublishedPollFlow) => bounded(() => syncNow(flow)),

    /** Deletes the flow's poll schedule, if it has one. */
    remove: (flowId: string) => bounded(() => removeNow(flowId)),

    /** The schedule's state; undefined when Temporal has none for the flow. */
    state: (flowId: string): Promise<FlowPollScheduleState | undefined> =>
      bounded(async () => {
        try {
          const d = await handle(flowId).describe();
          return {
            state: d.state.paused ? 'paused' : 'active',
            nextPollAt: d.state.paused ? null : (d.info.nextActionTimes[0]?.toISOString() ?? null),
          };
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) return undefined;
          throw err;
        }
      }),

    /** Pauses (or resumes) the flow's polls; false when the flow has no poll schedule. Kept across publishes. */
    setPaused: (flowId: string, paused: boolean, note: string) =>
      bounded(async () => {
        try {
          if (paused) await handle(flowId).pause(note);
          else await handle(flowId).unpause(note);
          return true;
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) return false;
          throw err;
        }
      }),

    /** A poll now, besides the interval's (tests; the schedule's own overlap policy applies). */
    pollNow: (flowId: string) => bounded(() => handle(flowId).trigger()),

    /** Brings the poll schedules of these flows in line (idempotent): one for each with a poll trigger, none else. */
    async reconcile(flows: PublishedPollFlow[]): Promise<{ synced: number; failed: string[] }> {
      const failed: string[] = [];
      for (const flow of flows) {
        try {
          await bounded(() => syncNow(flow));
        } catch {
          failed.push(flow.flowId);
        }
      }
      return { synced: flows.length - failed.length, failed };
    },
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
