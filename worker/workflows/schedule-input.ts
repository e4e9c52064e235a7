// A scheduled run's input with its tick's time filled in (worker/schedule-trigger.ts): `trigger.scheduledAt` and
// `startedAt` are the tick's nominal time, read from the start event, so replay sees the same values.
import { workflowInfo } from '@temporalio/workflow';
import type { RunFlowInput } from '../contract.js';
import { isScheduleTrigger, SA_SCHEDULED_START, scheduledAtOf, scheduledTrigger } from '../schedule-trigger.js';

export function withScheduleTime(input: RunFlowInput): RunFlowInput {
  if (!isScheduleTrigger(input.trigger) || typeof input.trigger.scheduledAt === 'string') return input;
  const info = workflowInfo();
  const scheduledAt = scheduledAtOf({
    scheduledStart: info.typedSearchAttributes.get(SA_SCHEDULED_START),
    // Deprecated, but where older servers leave it (untyped only).
    searchAttributes: info.searchAttributes as Record<string, unknown>,
    workflowId: info.workflowId,
    startedAt: info.startTime,
  });
  return { ...input, trigger: scheduledTrigger(input.trigger, scheduledAt), startedAt: scheduledAt };
}
