// Pure edits and words of the platform event triggers (README.md "Platform events"): a conversation opened or closed
// and a message that failed (narrowed by channels), a run that failed (narrowed by flows); each with a filter.
import type {
  FlowDefinition,
  JsonObject,
  JsonValue,
  PlatformEventTrigger,
  PlatformEventType,
  TriggerDef,
} from './model.js';
import { PLATFORM_EVENT_TYPES } from './model.js';

export const isPlatformEventType = (type: unknown): type is PlatformEventType =>
  (PLATFORM_EVENT_TYPES as readonly unknown[]).includes(type);

export const isPlatformTrigger = (t: TriggerDef): t is PlatformEventTrigger => isPlatformEventType(t.type);

/** What each platform event type is called on screen. */
export const PLATFORM_EVENT_LABELS: Record<PlatformEventType, string> = {
  'conversation.opened': 'Conversation opened',
  'conversation.closed': 'Conversation closed',
  'message.failed': 'Message failed',
  'run.failed': 'Run failed',
};

/** What starts the flow, in words (the inspector's first line). */
export const PLATFORM_EVENT_TEXT: Record<PlatformEventType, string> = {
  'conversation.opened':
    'The flow starts each time a conversation opens: its first message, a customer writing again after it was closed, or someone reopening it. The run’s contact is the customer.',
  'conversation.closed':
    'The flow starts each time a conversation is closed (resolved). The run’s contact is the customer; sending to them does not reopen it.',
  'message.failed':
    'The flow starts once for each outbound message that fails: the provider refused it, or a delivery status said so. The run’s contact is the recipient.',
  'run.failed':
    'The flow starts each time a run of the chosen flows fails (any flow’s when none is chosen), with the run, the failed step and the error. Its own failures never start it again.',
};

/** Whether the type is narrowed by channels (conversation and message events) rather than by flows (run.failed). */
export const narrowsByChannel = (type: PlatformEventType) => type !== 'run.failed';

export interface PlatformTriggerPatch {
  channels?: string[] | undefined;
  flows?: string[] | undefined;
  filter?: JsonValue | undefined;
}

/**
 * Sets the channels (conversation and message events), the flows (run.failed) or the filter of a platform event
 * trigger. An empty list or an undefined value removes the key (absent: any); keys keep the schema's order; a list the
 * type does not have is dropped.
 */
export function patchPlatformTrigger(def: FlowDefinition, patch: PlatformTriggerPatch): FlowDefinition {
  const t = def.trigger;
  if (!isPlatformTrigger(t)) return def;
  const merged = { channels: undefined, flows: undefined, ...t, ...patch } as PlatformTriggerPatch & {
    sample?: JsonValue;
  };
  const next = { type: t.type } as PlatformEventTrigger & { channels?: string[]; flows?: string[] };
  if (narrowsByChannel(t.type) && merged.channels?.length) next.channels = merged.channels;
  if (!narrowsByChannel(t.type) && merged.flows?.length) next.flows = merged.flows;
  if (merged.filter !== undefined) next.filter = merged.filter;
  if (merged.sample !== undefined) next.sample = merged.sample;
  return { ...def, trigger: next };
}

const base = (event: PlatformEventType, contact: boolean): JsonObject => ({
  event,
  eventId: '1',
  ...(contact && { contactId: 'ct_sample' }),
  occurredAt: '2026-01-01T09:00:00.000Z',
});

/** Each platform event as a run gets it as `trigger` (the test panel's start when the trigger has no sample). */
export const SAMPLE_PLATFORM_EVENTS: Record<PlatformEventType, JsonObject> = {
  'conversation.opened': {
    ...base('conversation.opened', true),
    conversationId: 'cnv_sample',
    channel: 'sms',
    accountId: 'cha_sample',
    reason: 'created',
    messageId: 'msg_sample',
    by: { type: 'message', messageId: 'msg_sample', accountId: 'cha_sample' },
  },
  'conversation.closed': {
    ...base('conversation.closed', true),
    conversationId: 'cnv_sample',
    channel: 'sms',
    accountId: 'cha_sample',
    closedAt: '2026-01-01T09:00:00.000Z',
    by: { type: 'api' },
  },
  'message.failed': {
    ...base('message.failed', true),
    messageId: 'msg_sample',
    conversationId: 'cnv_sample',
    channel: 'sms',
    accountId: 'cha_sample',
    to: { kind: 'phone', value: '+14155550123' },
    text: 'Your order has shipped',
    providerMessageId: 'SM0001',
    source: 'run:run_sample:notify',
    error: { message: 'Twilio error 30003: Unreachable destination handset', code: null },
  },
  'run.failed': {
    ...base('run.failed', false),
    run: {
      id: 'run_sample',
      flowId: 'flw_sample',
      flowName: 'Order sync',
      version: 3,
      startedAt: '2026-01-01T08:59:58.000Z',
      trigger: 'webhook',
    },
    step: { id: 'call', type: 'action', name: 'Call the shop', attempts: 5 },
    error: { message: 'HTTP 503 from shop.example.com', code: 'HTTP_503' },
    by: { type: 'run', runId: 'run_sample', flowId: 'flw_sample' },
  },
};

/** The trigger node's one line on what starts the flow. */
export function platformSummary(t: PlatformEventTrigger): string {
  const list = 'flows' in t ? t.flows : 'channels' in t ? t.channels : undefined;
  const first = list?.length
    ? 'flows' in t
      ? `${list.length} flow${list.length === 1 ? '' : 's'}`
      : list.join(', ')
    : t.type === 'run.failed'
      ? 'any flow'
      : 'any channel';
  return t.filter !== undefined ? `${first} · filtered` : first;
}

/** The field a new filter row starts from. */
export const platformStarterVar = (type: PlatformEventType) =>
  type === 'run.failed' ? 'trigger.run.flowName' : 'trigger.channel';
