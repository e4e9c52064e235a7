// The activity behind a failed run's run.failed event (worker/workflows/run-failed.ts): the rule for which failures are
// events, and the event itself in the platform-event outbox (prisma/contact-events.ts), which the relay turns into runs
// of run.failed flows and of the workspace's error flow.
import { ApplicationFailure } from '@temporalio/common';
import type { JsonObject, JsonValue } from '../connectors/flow/types.js';
import type { ContactEventStore } from '../prisma/contact-events.js';
import type { FlowStore } from '../prisma/flows.js';
import { runContactId } from './contract.js';

export interface RecordRunFailedInput {
  workspaceId: string;
  runId: string;
  flowId: string;
  version: number;
  startedAt: string;
  trigger: JsonValue;
  contact?: JsonValue;
  step: { id: string; type: string; name?: string; attempts?: number };
  error: { message: string; code: string | null };
}

/**
 * Whether a failed run is a run.failed event. Not a test run of a draft (version 0); not a sub-flow's child (its
 * failure is its parent's step error: the parent's failure, if the parent fails, is the event); not a run that a
 * run.failed event started, a run.failed flow's or the error flow's (so a failing error flow never starts itself, and
 * failures do not cascade).
 */
export function isRunFailedEvent(input: Pick<RecordRunFailedInput, 'version' | 'trigger'>): boolean {
  if (input.version === 0) return false;
  const t = input.trigger;
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return true;
  return t.type !== 'subflow' && t.event !== 'run.failed';
}

export interface RunFailedDeps {
  events: Pick<ContactEventStore, 'record'>;
  flows: Pick<FlowStore, 'get'>;
}

export function createRunFailedActivities(deps: RunFailedDeps | undefined) {
  return {
    /** Records the run's run.failed (once per run: its dedupe key); resolves to whether it was one. */
    async recordRunFailed(input: RecordRunFailedInput): Promise<boolean> {
      if (!isRunFailedEvent(input)) return false;
      if (!deps) throw ApplicationFailure.nonRetryable('run.failed events need the database', 'CONFIG');
      const flow = await deps.flows.get(input.workspaceId, input.flowId);
      const triggerType =
        input.trigger && typeof input.trigger === 'object' && !Array.isArray(input.trigger)
          ? (input.trigger.event ?? input.trigger.type ?? null)
          : null;
      const data: JsonObject = {
        run: {
          id: input.runId,
          flowId: input.flowId,
          flowName: flow?.name ?? null,
          version: input.version,
          startedAt: input.startedAt,
          trigger: triggerType,
        },
        step: input.step as JsonObject,
        error: input.error,
      };
      await deps.events.record(
        input.workspaceId,
        [
          {
            type: 'run.failed',
            contactId: runContactId(input.contact) ?? null,
            data,
            dedupeKey: `run.failed:${input.runId}`,
          },
        ],
        { type: 'run', runId: input.runId, flowId: input.flowId },
      );
      return true;
    },
  };
}
