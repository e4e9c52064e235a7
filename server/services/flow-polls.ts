// What /api/flows does for poll triggers (README.md "Poll triggers"): keeps the flow's poll Schedule with the published
// version (worker/poll-schedules.ts) and reads its state for the flow's detail, beside the schedule trigger's.
import type { FlowDefinition, PollTrigger } from '../../connectors/flow/types.js';
import { createFlowPollStore, pollSourceKey } from '../../prisma/flow-polls.js';
import type { FlowRecord, FlowStore } from '../../prisma/flows.js';
import { createFlowPollSchedules, type PublishedPollFlow } from '../../worker/poll-schedules.js';
import { isTemporalUnavailable } from '../../worker/temporal-deadline.js';
import type { FlowPoll } from '../schemas/flow-polls.js';
import type { FastifyInstance } from 'fastify';

/** Polls failed in a row from which the flow shows `failing`. */
export const POLL_FAILING_AFTER = 3;

export function createFlowPollService(app: FastifyInstance, flows: FlowStore) {
  const store = createFlowPollStore(app.prisma);
  const schedules = createFlowPollSchedules({
    client: app.temporal.client,
    taskQueue: app.temporal.taskQueue,
    ...(app.temporal.deadlineMs !== undefined && { deadlineMs: app.temporal.deadlineMs }),
  });

  /** The poll trigger of the flow's latest published version, if it has one. */
  async function pollTriggerOf(f: Pick<FlowRecord, 'id' | 'latestVersion'>): Promise<PollTrigger | undefined> {
    if (f.latestVersion === 0) return undefined;
    const v = await flows.version(f.id, f.latestVersion);
    const trigger = (v?.definition as unknown as FlowDefinition | undefined)?.trigger;
    return trigger?.type === 'poll' ? trigger : undefined;
  }

  return {
    pollTriggerOf,

    /** For publish, inside its transaction: a poll version creates or updates the schedule, another deletes it. */
    async sync(flow: PublishedPollFlow, hadPoll: boolean): Promise<void> {
      if (flow.definition.trigger.type === 'poll' || hadPoll) await schedules.sync(flow);
    },

    remove: (flowId: string) => schedules.remove(flowId),

    /** Pauses or resumes the flow's polls; false when it has no poll schedule. */
    setPaused: (flowId: string, paused: boolean) =>
      schedules.setPaused(flowId, paused, `${paused ? 'paused' : 'resumed'} through the API`),

    /** The poll's state for the flow's detail; undefined when its published version does not poll. */
    async stateOf(f: FlowRecord): Promise<FlowPoll | undefined> {
      const trigger = await pollTriggerOf(f);
      if (!trigger) return undefined;
      const health = await store.state(f.id, pollSourceKey(trigger));
      let schedule: Awaited<ReturnType<typeof schedules.state>> | 'unknown';
      try {
        schedule = await schedules.state(f.id);
      } catch (err) {
        if (!isTemporalUnavailable(err)) throw err;
        schedule = 'unknown';
      }
      const failures = health?.failures ?? 0;
      const state =
        schedule === 'unknown'
          ? 'unknown'
          : !schedule
            ? 'missing'
            : schedule.state === 'paused'
              ? 'paused'
              : failures >= POLL_FAILING_AFTER
                ? 'failing'
                : 'active';
      return {
        state,
        source: trigger.source,
        every: trigger.every,
        nextPollAt: schedule && schedule !== 'unknown' ? schedule.nextPollAt : null,
        lastPolledAt: health?.lastPolledAt ?? null,
        lastError: health?.lastError ?? null,
        failures,
        runsStarted: health?.runsStarted ?? 0,
      };
    },
  };
}
