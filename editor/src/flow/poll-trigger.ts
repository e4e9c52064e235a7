// Pure edits of a poll trigger (README.md "Poll triggers"): which source (a connector's declared poll trigger, the
// generic HTTP poll among them), its settings, the interval and what the first poll does; the sources the installed
// connectors offer; the trigger node's line and the sample a test run starts from.
import type { ConnectorManifest, TriggerManifest } from '../api/types.js';
import type { FlowDefinition, JsonObject, PollTrigger, TriggerDef } from './model.js';

/** The generic HTTP poll, offered first. */
export const HTTP_POLL = 'http.poll';
/** The interval a new poll trigger starts with. */
export const DEFAULT_POLL_EVERY = 'PT5M';

export const isPollTrigger = (t: TriggerDef): t is PollTrigger => t.type === 'poll';

/** The poll sources of the installed connectors (manifest triggers marked `poll`), the HTTP poll first. */
export function pollSources(connectors: readonly ConnectorManifest[]): TriggerManifest[] {
  const all = connectors.flatMap((c) => c.triggers.filter((t) => t.poll === true));
  return [...all.filter((t) => t.id === HTTP_POLL), ...all.filter((t) => t.id !== HTTP_POLL)];
}

/** A new poll trigger: the HTTP poll every five minutes, its form to fill in. */
export const newPollTrigger = (): PollTrigger => ({
  type: 'poll',
  source: HTTP_POLL,
  input: {},
  every: DEFAULT_POLL_EVERY,
});

export interface PollTriggerPatch {
  /** Another source: its settings start empty (the old ones belong to the old source's schema). */
  source?: string;
  input?: JsonObject;
  every?: string;
  /** `run` starts a run per item of the first poll; `baseline` (the default) removes the key. */
  firstPoll?: PollTrigger['firstPoll'];
}

/** Sets the source, settings, interval or first-poll rule of a poll trigger; keys keep the schema's order. */
export function patchPollTrigger(def: FlowDefinition, patch: PollTriggerPatch): FlowDefinition {
  const t = def.trigger;
  if (!isPollTrigger(t)) return def;
  const sourceChanged = patch.source !== undefined && patch.source !== t.source;
  const merged = { ...t, ...patch };
  const next: PollTrigger = {
    type: 'poll',
    source: merged.source,
    ...(!sourceChanged && t.connection !== undefined && { connection: t.connection }),
    input: sourceChanged ? (patch.input ?? {}) : (merged.input ?? {}),
    every: merged.every,
  };
  if (merged.firstPoll === 'run') next.firstPoll = 'run';
  if (merged.sample !== undefined && !sourceChanged) next.sample = merged.sample;
  return { ...def, trigger: next };
}

/** What an item's run gets as `trigger` (the test panel's starting point when the trigger has no sample). */
export const samplePollEvent = (t: PollTrigger) => ({
  type: 'poll',
  source: t.source,
  key: '42',
  item: { id: 42, title: 'A new item' },
  polledAt: '2026-01-01T09:00:00.000Z',
});

/** The trigger node's line: the source and the interval. */
export const pollSummary = (t: PollTrigger, sources: readonly TriggerManifest[] = []) =>
  `${sources.find((s) => s.id === t.source)?.name ?? t.source} · every ${t.every}`;
