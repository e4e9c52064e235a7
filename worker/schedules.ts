// The Temporal Schedules behind flows with a schedule trigger (README.md "Schedules"): one per flow, id
// `flow-schedule:<flowId>`, whose action starts `runFlow` on the flow's latest published version, the way
// worker/client.ts starts every other run (same workflow, input shape and search attributes). Kept with the version:
// publish creates or updates it (a paused schedule stays paused), publishing another trigger or deleting the flow
// deletes it, and the server brings every schedule in line with the stored versions at start (`reconcile`). Every
// call has the Temporal deadline (worker/temporal-deadline.ts). Node only, like client.ts.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
} from '@temporalio/client';
import { cronList } from '../connectors/flow/schedule.js';
import type { FlowDefinition, ScheduleOverlap, ScheduleTrigger } from '../connectors/flow/types.js';
import { RUN_ID_PREFIX, runSearchAttributes, type RunFlowInput } from './contract.js';
import { DEFAULT_TEMPORAL_DEADLINE_MS, withinDeadline } from './temporal-deadline.js';
import { parseDuration } from '../connectors/flow/duration.js';
import { runFlow } from './workflows/run-flow.js';

export const SCHEDULE_ID_PREFIX = 'flow-schedule:';
export const scheduleIdFor = (flowId: string) => `${SCHEDULE_ID_PREFIX}${flowId}`;

/**
 * The workflow id of a scheduled run before Temporal appends `-<scheduled time>`: a run id (`run_` + `sched_` + flow),
 * so the runs API lists and shows it like any other, and one tick of one flow is one execution.
 */
export const scheduledRunIdFor = (flowId: string) => `${RUN_ID_PREFIX}sched_${flowId}`;

/**
 * Missed ticks (Temporal itself down or behind) still taken when it comes back, if they are at most this late. With
 * overlap `skip` the first caught-up tick starts one run and the others are skipped while it is open; a worker that was
 * down (Temporal up) leaves one run waiting in the queue, and every later tick skipped, for the same reason. So an
 * outage costs one late run, not one per missed tick.
 */
export const SCHEDULE_CATCHUP_WINDOW = '1 day';

const OVERLAP = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
} as const satisfies Record<ScheduleOverlap, string>;

/** What a flow's schedule looks like from the API: paused or not, and the next times it fires. */
export interface FlowScheduleState {
  state: 'active' | 'paused';
  /** The next few scheduled times (ISO), soonest first; none while paused. */
  nextRunAt: string[];
}

export interface PublishedScheduleFlow {
  workspaceId: string;
  flowId: string;
  version: number;
  definition: FlowDefinition;
}

export interface FlowSchedulesOptions {
  client: Client;
  taskQueue: string;
  deadlineMs?: number;
}

const isSchedule = (def: FlowDefinition): boolean => def.trigger.type === 'schedule';

/** The schedule's spec, action and policies for a flow version with a schedule trigger. */
export function scheduleOptions(flow: PublishedScheduleFlow, taskQueue: string): Omit<ScheduleOptions, 'scheduleId'> {
  const t = flow.definition.trigger as ScheduleTrigger;
  const { cron: _c, every: _e, timezone: _z, overlap: _o, sample: _s, ...rest } = t;
  const input: RunFlowInput = {
    workspaceId: flow.workspaceId,
    flowId: flow.flowId,
    version: flow.version,
    definition: flow.definition,
    // The time is the tick's, filled in by the run (worker/schedule-trigger.ts); startedAt with it.
    trigger: {
      ...rest,
      scheduleId: scheduleIdFor(flow.flowId),
      ...(t.cron !== undefined && { cron: t.cron }),
      ...(t.every !== undefined && { every: t.every }),
      timezone: t.timezone ?? 'UTC',
    },
    startedAt: '',
  };
  return {
    spec:
      t.every !== undefined
        ? { intervals: [{ every: parseDuration(t.every) }] }
        : { cronExpressions: cronList(t), timezone: t.timezone ?? 'UTC' },
    action: {
      type: 'startWorkflow',
      workflowType: runFlow,
      workflowId: scheduledRunIdFor(flow.flowId),
      taskQueue,
      args: [input],
      typedSearchAttributes: runSearchAttributes(input),
    },
    policies: { overlap: OVERLAP[t.overlap ?? 'skip'], catchupWindow: SCHEDULE_CATCHUP_WINDOW },
  };
}

/**
 * One Temporal Schedule per flow, kept with its published version: what the schedule trigger's schedules and the poll
 * trigger's (poll-schedules.ts) share. `wants` says whether a version needs one, `options` what it is; every call has
 * the Temporal deadline.
 */
export function createFlowScheduleKeeper<F extends { flowId: string; definition: FlowDefinition }>({
  client,
  deadlineMs = DEFAULT_TEMPORAL_DEADLINE_MS,
  idFor,
  wants,
  options,
}: {
  client: Client;
  deadlineMs?: number | undefined;
  idFor: (flowId: string) => string;
  wants: (def: FlowDefinition) => boolean;
  options: (flow: F) => Omit<ScheduleOptions, 'scheduleId'>;
}) {
  const bounded = <T>(fn: () => Promise<T>) => withinDeadline(client, deadlineMs, fn);
  const handle = (flowId: string) => client.schedule.getHandle(idFor(flowId));
  /** `fn`'s answer, or `missing` when the flow has no schedule. */
  const ifFound = async <T>(fn: () => Promise<T>, missing: T): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return missing;
      throw err;
    }
  };
  const removeNow = (flowId: string) =>
    ifFound(
      () =>
        handle(flowId)
          .delete()
          .then(() => true),
      false,
    );

  async function upsertNow(flow: F): Promise<void> {
    const opts = options(flow);
    try {
      await client.schedule.create({ scheduleId: idFor(flow.flowId), ...opts });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      // A new version: same schedule, new spec and action; its paused state is the user's.
      await handle(flow.flowId).update((prev) => ({ ...prev, ...opts, state: prev.state }));
    }
  }
  const syncNow = async (flow: F) => (wants(flow.definition) ? upsertNow(flow) : void (await removeNow(flow.flowId)));

  return {
    bounded,
    handle,
    /** Makes the flow's schedule match this published version: created, updated, or (another trigger) deleted. */
    sync: (flow: F) => bounded(() => syncNow(flow)),

    /** Deletes the flow's schedule, if it has one. */
    remove: (flowId: string) => bounded(() => removeNow(flowId)),

    /** Pauses (or resumes) the flow's schedule; false when the flow has none. Kept across publishes. */
    setPaused: (flowId: string, paused: boolean, note: string) =>
      bounded(() =>
        ifFound(() => (paused ? handle(flowId).pause(note) : handle(flowId).unpause(note)).then(() => true), false),
      ),

    /** The flow's schedule as Temporal describes it; undefined when it has none. */
    describe: (flowId: string) =>
      bounded(() => ifFound<ScheduleDescription | undefined>(() => handle(flowId).describe(), undefined)),

    /**
     * Brings the schedules of these flows (each one's latest published version) in line: one for each that wants one,
     * none for the others. Idempotent; what a publish could not finish is finished here.
     */
    async reconcile(flows: F[]): Promise<{ synced: number; failed: string[] }> {
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

export function createFlowSchedules({ client, taskQueue, deadlineMs }: FlowSchedulesOptions) {
  const keeper = createFlowScheduleKeeper<PublishedScheduleFlow>({
    client,
    deadlineMs,
    idFor: scheduleIdFor,
    wants: isSchedule,
    options: (flow) => scheduleOptions(flow, taskQueue),
  });
  return {
    ...keeper,
    /** The flow's schedule as the API shows it; undefined when it has none. */
    state: async (flowId: string): Promise<FlowScheduleState | undefined> => {
      const d = await keeper.describe(flowId);
      if (!d) return undefined;
      return {
        state: d.state.paused ? 'paused' : 'active',
        nextRunAt: d.state.paused ? [] : d.info.nextActionTimes.slice(0, 5).map((t) => t.toISOString()),
      };
    },
  };
}

export type FlowSchedules = ReturnType<typeof createFlowSchedules>;
