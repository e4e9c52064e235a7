// Pure edits of the flow's trigger: a webhook, a channel message (which channels and accounts, and a filter), a
// contact event (which fields or identity kinds, and a filter), or a schedule (cron or interval, zone, overlap).
import type {
  ChannelMessageTrigger,
  ContactEventTrigger,
  ContactEventType,
  FlowDefinition,
  JsonObject,
  JsonValue,
  PlatformEventTrigger,
  ScheduleTrigger,
  TriggerDef,
} from './model.js';
import { CONTACT_EVENT_TYPES, PLATFORM_EVENT_TYPES } from './model.js';
import {
  isPlatformEventType,
  isPlatformTrigger,
  PLATFORM_EVENT_LABELS,
  platformStarterVar,
  platformSummary,
  SAMPLE_PLATFORM_EVENTS,
} from './platform-trigger.js';
import { isPollTrigger, newPollTrigger, pollSummary, samplePollEvent } from './poll-trigger.js';

export type TriggerType = TriggerDef['type'];

/** Every trigger type, in the order the trigger picker offers them. */
export const TRIGGER_TYPES: readonly TriggerType[] = [
  'webhook',
  'channel.message',
  'schedule',
  'poll',
  ...CONTACT_EVENT_TYPES,
  ...PLATFORM_EVENT_TYPES,
];

/** What each trigger type is called on screen. */
export const TRIGGER_LABELS: Record<TriggerType, string> = {
  webhook: 'Webhook',
  'channel.message': 'Channel message',
  schedule: 'Schedule',
  poll: 'Poll',
  'contact.created': 'Contact created',
  'contact.updated': 'Contact updated',
  'contact.merged': 'Contacts merged',
  'contact.unmerged': 'Merge undone',
  'identity.added': 'Identity added',
  ...PLATFORM_EVENT_LABELS,
};

/** Identity kinds an identity.added trigger offers (besides the installed channels' address kinds). */
export const IDENTITY_KINDS = ['email', 'phone', 'whatsapp', 'telegram', 'messenger', 'instagram', 'slack', 'webchat'];

export const isChannelTrigger = (t: TriggerDef): t is ChannelMessageTrigger => t.type === 'channel.message';

export const isContactEventType = (type: unknown): type is ContactEventType =>
  (CONTACT_EVENT_TYPES as readonly unknown[]).includes(type);

export const isContactTrigger = (t: TriggerDef): t is ContactEventTrigger => isContactEventType(t.type);

export const isScheduleTrigger = (t: TriggerDef): t is ScheduleTrigger => t.type === 'schedule';

/** Whether runs of this trigger can be filtered (channel messages and contact events). */
export const hasFilter = (t: TriggerDef): t is ChannelMessageTrigger | ContactEventTrigger | PlatformEventTrigger =>
  isChannelTrigger(t) || isContactTrigger(t) || isPlatformTrigger(t);

/**
 * Whether runs of this trigger type have a contact of their own (`contact` in templates, a wait's default): the same
 * answer as `hasContact` of connectors/flow/validate.ts (trigger.test.ts checks it), which the editor cannot import
 * without bundling ajv.
 */
export const hasContact = (type: unknown): boolean =>
  type === 'channel.message' || isContactEventType(type) || (isPlatformEventType(type) && type !== 'run.failed');

/** The value a new condition row starts from: a field the trigger's events really have. */
export function starterVar(def: Pick<FlowDefinition, 'trigger'>): string {
  const { type } = def.trigger;
  if (type === 'webhook') return 'trigger.body.x';
  if (type === 'channel.message') return 'trigger.message.text';
  if (type === 'identity.added') return 'trigger.identity.kind';
  if (type === 'schedule') return 'trigger.scheduledAt';
  if (type === 'poll') return 'trigger.key';
  if (isPlatformEventType(type)) return platformStarterVar(type);
  return 'contact.name';
}

/**
 * A trigger filter's first rule: one that lets every event through (channel: the text contains ""; contact event: the
 * starter field is not ""), so a filter just added changes nothing until its value is filled in.
 */
export function filterStart(def: Pick<FlowDefinition, 'trigger'>): JsonValue {
  const v = { var: starterVar(def) };
  return isChannelTrigger(def.trigger) ? { in: ['', v] } : { '!=': [v, ''] };
}

/**
 * The definition with a fresh trigger of `type` (the old one's channels, fields, filter and sample mean nothing to
 * another kind; undo brings them back). The same definition when the type does not change.
 */
export function switchTrigger(def: FlowDefinition, type: TriggerType): FlowDefinition {
  if (def.trigger.type === type) return def;
  // A schedule starts from a real one (weekdays at 9:00 UTC), so the form has something to change.
  const trigger: TriggerDef =
    type === 'schedule' ? { type, cron: DEFAULT_CRON } : type === 'poll' ? newPollTrigger() : ({ type } as TriggerDef);
  return { ...def, trigger };
}

/** The cron a new schedule trigger starts with: weekdays at 9:00. */
export const DEFAULT_CRON = '0 9 * * 1-5';

export interface ScheduleTriggerPatch {
  /** `cron` or `every`: switching keeps nothing of the other (absent fields are Temporal's defaults). */
  mode?: 'cron' | 'every';
  cron?: string | string[];
  every?: string;
  timezone?: string | undefined;
  overlap?: ScheduleTrigger['overlap'] | undefined;
}

/**
 * Sets the cron or the interval, the time zone or the overlap of a schedule trigger. `mode` switches between cron and
 * interval (a fresh default for the new one); an empty zone or the default overlap (`skip`) removes the key; keys keep
 * the schema's order.
 */
export function patchScheduleTrigger(def: FlowDefinition, patch: ScheduleTriggerPatch): FlowDefinition {
  const t = def.trigger;
  if (!isScheduleTrigger(t)) return def;
  const mode = patch.mode ?? (t.every !== undefined ? 'every' : 'cron');
  const merged = { ...t, ...patch };
  const next: ScheduleTrigger = { type: 'schedule' };
  if (mode === 'cron') next.cron = patch.mode && t.cron === undefined ? DEFAULT_CRON : (merged.cron ?? DEFAULT_CRON);
  else next.every = patch.mode && t.every === undefined ? 'PT1H' : (merged.every ?? 'PT1H');
  if (merged.timezone) next.timezone = merged.timezone;
  if (merged.overlap && merged.overlap !== 'skip') next.overlap = merged.overlap;
  if (merged.sample !== undefined) next.sample = merged.sample;
  return { ...def, trigger: next };
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

export interface ContactTriggerPatch {
  fields?: string[] | undefined;
  kinds?: string[] | undefined;
  filter?: JsonValue | undefined;
}

/**
 * Sets the fields (contact.updated only), the identity kinds (identity.added only) or the filter of a contact event
 * trigger. An empty list or an undefined value removes the key (absent means "any change", "any kind", "no filter");
 * keys keep the schema's order. Fields and kinds given to a type that has none are dropped.
 */
export function patchContactTrigger(def: FlowDefinition, patch: ContactTriggerPatch): FlowDefinition {
  const t = def.trigger;
  if (!isContactTrigger(t)) return def;
  const merged = { ...t, ...patch };
  const next: ContactEventTrigger = { type: t.type };
  if (t.type === 'contact.updated' && merged.fields?.length) next.fields = merged.fields;
  if (t.type === 'identity.added' && merged.kinds?.length) next.kinds = merged.kinds;
  if (merged.filter !== undefined) next.filter = merged.filter;
  if (merged.sample !== undefined) next.sample = merged.sample;
  return { ...def, trigger: next };
}

/** The trigger with this sample, or without one when it is undefined (the sample stays last, as in the schema). */
export function withSample(def: FlowDefinition, sample: JsonValue | undefined): FlowDefinition {
  const { sample: _old, ...rest } = def.trigger;
  return { ...def, trigger: (sample === undefined ? rest : { ...rest, sample }) as TriggerDef };
}

/** A contact.updated field for an attribute key (`attributes.<key>`). */
export const attributeField = (key: string) => `attributes.${key}`;

/** Why an attribute key cannot be a contact.updated field (the schema's `attributes.[^.\s]+`), or null. */
export function attributeKeyProblem(key: string, fields: readonly string[] = []): string | null {
  if (key === '') return 'Type an attribute key.';
  if (/[.\s]/.test(key)) return 'An attribute key has no dots or spaces.';
  if (fields.includes(attributeField(key))) return 'This attribute is listed already.';
  return null;
}

/** The contact.updated fields that are not attributes, in the order the trigger lists them. */
export const WHOLE_FIELDS = ['name', 'tags'];

/** contact.updated fields with one added or removed: `name`, `tags` first, attributes in the order they were added. */
export const toggledField = (fields: readonly string[] | undefined, field: string, on: boolean) =>
  toggled(fields, field, on, WHOLE_FIELDS);

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

const eventBase = (event: ContactEventType, by: JsonObject = { type: 'api' }): JsonObject => ({
  event,
  eventId: '1',
  contactId: 'ct_sample',
  occurredAt: '2026-01-01T09:00:00.000Z',
  by,
});

/**
 * A contact event of each type as a run gets it as `trigger` (the test panel's starting point when the trigger has no
 * sample). `contactId` is the event's contact: the survivor of a merge, the contact a merge was undone on.
 */
export const SAMPLE_CONTACT_EVENTS: Record<ContactEventType, JsonObject> = {
  'contact.created': eventBase('contact.created', {
    type: 'message',
    accountId: 'acc_sample',
    providerMessageId: 'SM0001',
  }),
  'contact.updated': {
    ...eventBase('contact.updated'),
    fields: ['name', 'attributes.plan'],
    changes: { name: { from: 'Ann', to: 'Ann Lee' }, 'attributes.plan': { from: 'free', to: 'pro' } },
  },
  'contact.merged': {
    ...eventBase('contact.merged', { type: 'person' }),
    mergeId: 'mrg_sample',
    mergedContactId: 'ct_sample2',
    members: ['ct_sample2'],
  },
  'contact.unmerged': {
    ...eventBase('contact.unmerged', { type: 'person' }),
    mergeId: 'mrg_sample',
    restoredContactId: 'ct_sample2',
    members: ['ct_sample2'],
  },
  'identity.added': {
    ...eventBase('identity.added'),
    identity: { kind: 'email', value: 'ann@example.com', valid: true, verified: false, shared: false },
  },
};

/** What a scheduled run gets as `trigger` (the test panel's starting point when the trigger has no sample). */
export const SAMPLE_SCHEDULE_EVENT = { type: 'schedule', timezone: 'UTC', scheduledAt: '2026-01-01T09:00:00.000Z' };

/** The webhook request the test panel starts from when a webhook trigger has no sample. */
export const SAMPLE_REQUEST = { body: { tier: 'vip', email: 'ann@example.com', name: 'Ann' } };

/** What a test run of this trigger starts from: its own sample, else the sample event of its type. */
export function startingSample(t: TriggerDef): JsonValue {
  if (t.sample !== undefined) return t.sample;
  if (t.type === 'webhook') return SAMPLE_REQUEST;
  if (t.type === 'channel.message') return SAMPLE_MESSAGE;
  if (t.type === 'schedule') return SAMPLE_SCHEDULE_EVENT;
  if (isPollTrigger(t)) return samplePollEvent(t);
  if (isPlatformTrigger(t)) return SAMPLE_PLATFORM_EVENTS[t.type];
  return SAMPLE_CONTACT_EVENTS[t.type];
}

const CONTACT_EVENT_SUB: Record<ContactEventType, string> = {
  'contact.created': 'when a contact is created',
  'contact.updated': 'any change',
  'contact.merged': 'when two contacts are merged',
  'contact.unmerged': 'when a merge is undone',
  'identity.added': 'any kind',
};

/** The trigger node's title and one line on what starts the flow. */
export function triggerSummary(t: TriggerDef): { title: string; sub: string } {
  if (t.type === 'webhook') return { title: 'Webhook trigger', sub: 'when a request arrives' };
  if (isChannelTrigger(t)) {
    const parts = [t.channels?.length ? t.channels.join(', ') : 'any channel'];
    if (t.accounts?.length) parts.push(`${t.accounts.length} account${t.accounts.length === 1 ? '' : 's'}`);
    if (t.filter !== undefined) parts.push('filtered');
    return { title: 'Channel message', sub: parts.join(' · ') };
  }
  if (isScheduleTrigger(t)) {
    const when = t.every !== undefined ? `every ${t.every}` : [t.cron ?? ''].flat().join(' | ');
    return { title: 'Schedule', sub: `${when} · ${t.timezone ?? 'UTC'}` };
  }
  if (isPlatformTrigger(t)) return { title: TRIGGER_LABELS[t.type], sub: platformSummary(t) };
  if (isPollTrigger(t)) return { title: 'Poll', sub: pollSummary(t) };
  let first = CONTACT_EVENT_SUB[t.type];
  if (t.type === 'contact.updated' && t.fields?.length)
    first = `${t.fields.map((f) => f.replace(/^attributes\./, '')).join(', ')} changed`;
  if (t.type === 'identity.added' && t.kinds?.length) first = t.kinds.join(', ');
  return { title: TRIGGER_LABELS[t.type], sub: t.filter !== undefined ? `${first} · filtered` : first };
}
