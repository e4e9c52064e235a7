// What a run started by a flow's Temporal Schedule sees as its `trigger` (README.md "Schedules"). The schedule's action
// is fixed when the version is published, so its input carries `{ type: 'schedule', ... }` without a time; the time
// is the tick's nominal (scheduled) time, which Temporal records on every execution a schedule starts: as the
// TemporalScheduledStartTime search attribute and as the suffix of the workflow id. Both are in the start event, so the
// workflow (on replay too) and the server's run view derive the same `scheduledAt`. Sandbox-safe: workflow code
// imports it.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { JsonObject, JsonValue } from '../connectors/flow/types.js';

/** Set by Temporal on every execution a schedule starts: the tick's nominal time (a manual trigger: the time of it). */
export const SA_SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** The workflow id suffix Temporal appends to a scheduled action's id: `-<RFC 3339 time, seconds, UTC>`. */
const ID_TIME = /-(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a run's input trigger is a schedule's (fixed at publish, without its time). */
export const isScheduleTrigger = (trigger: unknown): trigger is JsonObject =>
  isObject(trigger) && trigger.type === 'schedule';

export interface ScheduledTimeSources {
  /** The typed TemporalScheduledStartTime, when the SDK decoded it. */
  scheduledStart?: Date | undefined;
  /** The untyped search attributes, where older servers leave it (a Date, an ISO string, or a list of one). */
  searchAttributes?: Record<string, unknown> | undefined;
  workflowId: string;
  /** Used only when neither names the tick (an execution not started by a schedule). */
  startedAt: Date;
}

/** The tick's scheduled time (ISO), from the first source that has it. */
export function scheduledAtOf(s: ScheduledTimeSources): string {
  if (s.scheduledStart instanceof Date && !Number.isNaN(s.scheduledStart.getTime()))
    return s.scheduledStart.toISOString();
  let raw = s.searchAttributes?.[SA_SCHEDULED_START.name];
  if (Array.isArray(raw)) raw = raw[0];
  const fromAttr = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : undefined;
  if (fromAttr && !Number.isNaN(fromAttr.getTime())) return fromAttr.toISOString();
  const m = ID_TIME.exec(s.workflowId);
  if (m) return new Date(m[1]!).toISOString();
  return s.startedAt.toISOString();
}

/** The trigger a scheduled run sees: the schedule's fixed fields plus `scheduledAt`; any other trigger unchanged. */
export function scheduledTrigger(trigger: JsonValue, scheduledAt: string): JsonValue {
  if (!isScheduleTrigger(trigger) || typeof trigger.scheduledAt === 'string') return trigger;
  return { ...trigger, scheduledAt };
}
