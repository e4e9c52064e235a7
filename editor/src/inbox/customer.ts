// Pure helpers of the inbox's customer panel: what of the contact is shown beside the conversation (a few attributes,
// the recent events the thread does not already show, the open runs) and where a run opens in the editor.
import type { RunSummary, TimelineEvent } from '../api/types.js';
import { attributeText } from '../contacts/view.js';

/** How many attributes and recent events the panel shows; the contact page has them all. */
export const PANEL_ATTRIBUTES = 6;
export const PANEL_EVENTS = 5;

/** The first `max` attributes, as shown (text as it is, anything else as JSON), and how many were left out. */
export function keyAttributes(
  attributes: unknown,
  max = PANEL_ATTRIBUTES,
): { items: { key: string; value: string }[]; more: number } {
  const entries =
    attributes !== null && typeof attributes === 'object' && !Array.isArray(attributes)
      ? Object.entries(attributes as Record<string, unknown>)
      : [];
  return {
    items: entries.slice(0, max).map(([key, v]) => ({ key, value: attributeText(v) })),
    more: Math.max(0, entries.length - max),
  };
}

/**
 * The newest `max` timeline events the thread beside the panel does not show: every message of the contact is in
 * its one conversation (every channel), so messages are left out and the rest stays (notes, identities added,
 * merges, CRM changes, …), newest first as the timeline gives them.
 */
export const recentEvents = (events: readonly TimelineEvent[], max = PANEL_EVENTS): TimelineEvent[] =>
  events.filter((e) => !e.message && !e.type.startsWith('message.')).slice(0, max);

/** A contact's open runs from the `running` and `waiting` lists: each once, newest first. */
export function openRuns(...lists: readonly (readonly RunSummary[])[]): RunSummary[] {
  const byId = new Map<string, RunSummary>();
  for (const list of lists)
    for (const r of list) if (r.status === 'running' || r.status === 'waiting') byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id));
}

/** The run in the editor: its flow, with the run opened in the Runs tab. */
export const runHref = (run: Pick<RunSummary, 'id' | 'flowId'>) =>
  `/flows/${encodeURIComponent(run.flowId)}?run=${encodeURIComponent(run.id)}`;

/** The run a `/flows/<id>?run=<runId>` link opens, from the location's query. */
export const linkedRunId = (search: string): string | null => new URLSearchParams(search).get('run') || null;
