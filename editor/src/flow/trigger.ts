// Pure edits of the flow's trigger: a webhook, or a channel message (which channels and accounts, and a filter).
import type { ChannelMessageTrigger, FlowDefinition, JsonValue, TriggerDef } from './model.js';

export type TriggerType = TriggerDef['type'];

export const isChannelTrigger = (t: TriggerDef): t is ChannelMessageTrigger => t.type === 'channel.message';

/** The value a new condition row starts from: a field the trigger's events really have. */
export const starterVar = (def: FlowDefinition) =>
  isChannelTrigger(def.trigger) ? 'trigger.message.text' : 'trigger.body.x';

/**
 * The definition with a fresh trigger of `type` (the old one's channels, filter and sample mean nothing to the other
 * kind; undo brings them back). The same definition when the type does not change.
 */
export function switchTrigger(def: FlowDefinition, type: TriggerType): FlowDefinition {
  if (def.trigger.type === type) return def;
  return { ...def, trigger: type === 'webhook' ? { type: 'webhook' } : { type: 'channel.message' } };
}

export interface ChannelTriggerPatch {
  channels?: string[] | undefined;
  accounts?: string[] | undefined;
  filter?: JsonValue | undefined;
}

/**
 * Sets channels, accounts or the filter of a channel trigger. An empty list or an undefined value removes the key
 * (absent means "every channel", "every account", "no filter"); keys keep the schema's order.
 */
export function patchChannelTrigger(def: FlowDefinition, patch: ChannelTriggerPatch): FlowDefinition {
  const t = def.trigger;
  if (!isChannelTrigger(t)) return def;
  const merged = { ...t, ...patch };
  const next: ChannelMessageTrigger = { type: 'channel.message' };
  if (merged.channels?.length) next.channels = merged.channels;
  if (merged.accounts?.length) next.accounts = merged.accounts;
  if (merged.filter !== undefined) next.filter = merged.filter;
  if (merged.sample !== undefined) next.sample = merged.sample;
  return { ...def, trigger: next };
}

/** A toggled member of a list, in the order of `all` (so the JSON does not depend on click order). */
export function toggled(
  list: readonly string[] | undefined,
  item: string,
  on: boolean,
  all: readonly string[],
): string[] {
  const set = new Set(list ?? []);
  if (on) set.add(item);
  else set.delete(item);
  const known = all.filter((x) => set.has(x));
  return [...known, ...[...set].filter((x) => !all.includes(x))];
}

/** A message event as a channel-triggered run gets it (the test panel's starting point when the trigger has no sample). */
export const SAMPLE_MESSAGE = {
  type: 'message.received',
  channel: 'sms',
  accountId: 'acc_sample',
  message: { id: 'msg_sample', providerMessageId: 'SM0001', text: 'Hello', timestamp: '2026-01-01T09:00:00.000Z' },
  sender: { identity: { kind: 'phone', value: '+14155550123' }, name: 'Ann' },
  contactId: 'c_sample',
  conversationId: 'cnv_sample',
  receivedAt: '2026-01-01T09:00:00.000Z',
};
