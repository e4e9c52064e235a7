// The references the data picker offers: `trigger.…` from the trigger's sample event (webhook), the message event
// (channel message) or the contact event of the trigger's type, `contact.…` for runs that have a contact of their own,
// and `steps.<id>.output.…` from the output schemas of the steps that run before the selected one.
import type { ActionManifest, ConnectorManifest } from '../api/types.js';
import { upstreamOf } from './edit.js';
import { loopReferences } from './loop.js';
import type { ContactEventTrigger, ContactEventType, FlowDefinition, JsonValue } from './model.js';
import { canFail, ERROR_BRANCH, TRIGGER_ID } from './model.js';
import { isPlatformTrigger, SAMPLE_PLATFORM_EVENTS } from './platform-trigger.js';
import { isChannelTrigger, isContactTrigger } from './trigger.js';

export interface Reference {
  path: string;
  /** A short hint: the sample value or the schema type. */
  hint: string;
  /** `sample`: from the output a "Test step" kept on the step (its value is the hint). */
  from?: 'sample';
}

const MAX_DEPTH = 4;

const str = (description?: string) => ({ type: 'string', ...(description && { description }) });
const identity = { type: 'object', properties: { kind: str(), value: str() } };

/**
 * The message event a channel-triggered run sees as `trigger` (and a wait's output on `received`), for when no
 * installed connector's manifest carries it: the server's MESSAGE_EVENT_SCHEMA, trimmed to what a picker shows.
 */
export const MESSAGE_EVENT_FALLBACK = {
  type: 'object',
  properties: {
    channel: str('sms, whatsapp, telegram, email, …'),
    accountId: str(),
    message: {
      type: 'object',
      properties: {
        id: str(),
        providerMessageId: str(),
        text: str(),
        attachments: { type: 'array' },
        timestamp: str(),
      },
    },
    sender: { type: 'object', properties: { identity, name: str() } },
    replyTo: identity,
    contactId: str(),
    conversationId: str(),
    receivedAt: str(),
  },
};

/** The message event's schema as the connectors publish it (the output of any `<channel>.message` trigger). */
export function messageEventSchema(connectors: readonly ConnectorManifest[]): Record<string, unknown> {
  for (const c of connectors) {
    const t = c.channel && c.triggers?.find((x) => x.id === `${c.id}.message`);
    if (t?.output) return t.output;
  }
  return MESSAGE_EVENT_FALLBACK;
}

/** What a channel-triggered run knows about its contact (the sender). */
const CONTACT: Reference[] = [
  { path: 'contact.id', hint: 'string' },
  { path: 'contact.name', hint: 'string' },
];

const strings = { type: 'array', items: str() };
const fromTo = { type: 'object', properties: { from: { description: 'before' }, to: { description: 'after' } } };

/**
 * The contact event each contact trigger type's run sees as `trigger` (README.md "Contact events"). `changes` is keyed
 * by field; only `name` can be reached by a path (`attributes.<key>` has a dot in it: read `contact.attributes.<key>`).
 */
export function contactEventSchema(type: ContactEventType): Record<string, unknown> {
  const only: Record<ContactEventType, Record<string, unknown>> = {
    'contact.created': {},
    'contact.updated': {
      fields: { ...strings, description: 'what changed: name, attributes.<key>' },
      changes: { type: 'object', properties: { name: fromTo } },
    },
    'contact.merged': {
      mergeId: str(),
      mergedContactId: str('the contact merged into this one'),
      members: { ...strings, description: 'the contacts merged in' },
    },
    'contact.unmerged': {
      mergeId: str(),
      restoredContactId: str('the contact taken out again'),
      members: { ...strings, description: 'the contacts taken out' },
    },
    'identity.added': {
      identity: {
        type: 'object',
        properties: {
          kind: str('email, phone, whatsapp, …'),
          value: str(),
          valid: { type: 'boolean' },
          verified: { type: 'boolean' },
          shared: { type: 'boolean' },
        },
      },
    },
  };
  return {
    type: 'object',
    properties: {
      event: str(type),
      eventId: str(),
      contactId: str('the event’s contact (the run’s contact)'),
      occurredAt: str(),
      by: { type: 'object', properties: { type: str('message, run, api, person, crm') } },
      ...only[type],
    },
  };
}

/** The contact record a contact event's run has as `contact`, with the attributes its trigger names. */
function contactRecord(t: ContactEventTrigger): Reference[] {
  const keys = (t.fields ?? []).flatMap((f) => (f.startsWith('attributes.') ? [f] : []));
  return [
    ...CONTACT,
    { path: 'contact.attributes', hint: 'object' },
    ...keys.map((k) => ({ path: `contact.${k}`, hint: 'value' })),
    { path: 'contact.identities', hint: 'array' },
    { path: 'contact.createdAt', hint: 'string' },
    { path: 'contact.updatedAt', hint: 'string' },
  ];
}

function fromValue(prefix: string, v: JsonValue | undefined, out: Reference[], depth = 0) {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < MAX_DEPTH) {
    for (const [k, child] of Object.entries(v)) fromValue(`${prefix}.${k}`, child, out, depth + 1);
    return;
  }
  out.push({ path: prefix, hint: v === undefined ? '' : JSON.stringify(v).slice(0, 40) });
}

function fromSchema(prefix: string, schema: unknown, out: Reference[], depth = 0, withRoot = true) {
  const s = (schema ?? {}) as { type?: unknown; properties?: Record<string, unknown> };
  if (withRoot) out.push({ path: prefix, hint: typeof s.type === 'string' ? s.type : 'value' });
  if (s.properties && depth < MAX_DEPTH)
    for (const [k, child] of Object.entries(s.properties)) fromSchema(`${prefix}.${k}`, child, out, depth + 1);
}

/** A wait's output: the message on `received`, `{ timedOut: true }` on `timeout`. */
const waitOutput = (event: Record<string, unknown>) => ({
  type: 'object',
  properties: { ...(event.properties as Record<string, unknown> | undefined), timedOut: { type: 'boolean' } },
});

export function referencesFor(
  def: FlowDefinition,
  nodeId: string,
  actions: ReadonlyMap<string, ActionManifest>,
  messageEvent: Record<string, unknown> = MESSAGE_EVENT_FALLBACK,
): Reference[] {
  const out: Reference[] = [];
  if (isChannelTrigger(def.trigger)) {
    fromSchema('trigger', messageEvent, out, 0, false);
    out.push(...CONTACT);
  } else if (isContactTrigger(def.trigger)) {
    fromSchema('trigger', contactEventSchema(def.trigger.type), out, 0, false);
    out.push(...contactRecord(def.trigger));
  } else if (isPlatformTrigger(def.trigger)) {
    // A platform event's fields, from its sample (or the type's sample event); its contact, when it has one.
    const sample = def.trigger.sample;
    const event = sample && typeof sample === 'object' && !Array.isArray(sample) ? sample : undefined;
    fromValue('trigger', event ?? SAMPLE_PLATFORM_EVENTS[def.trigger.type], out);
    if (def.trigger.type !== 'run.failed') out.push(...CONTACT);
  } else {
    const sample = def.trigger.sample;
    if (sample && typeof sample === 'object' && !Array.isArray(sample)) fromValue('trigger', sample, out);
    else out.push({ path: 'trigger.body', hint: 'the webhook body' });
  }
  // A trigger filter sees the event and the contact only.
  if (nodeId === TRIGGER_ID) return out;
  for (const id of upstreamOf(def, nodeId)) {
    const n = def.nodes.find((x) => x.id === id)!;
    if (n.type === 'action') actionOutput(`steps.${id}.output`, n.sample, actions.get(n.action)?.output, out);
    else if (n.type === 'switch') out.push({ path: `steps.${id}.output`, hint: 'the branch the switch took' });
    else if (n.type === 'set') fromValue(`steps.${id}.output`, n.values, out);
    else if (n.type === 'wait') fromSchema(`steps.${id}.output`, waitOutput(messageEvent), out);
    else if (n.type === 'loop') loopReferences(def, n, nodeId, out);
    else if (n.type === 'respond')
      out.push(
        { path: `steps.${id}.output.sent`, hint: 'whether this answered the waiting caller' },
        { path: `steps.${id}.output.reason`, hint: 'why not, when it did not' },
        { path: `steps.${id}.output.status`, hint: 'number' },
        { path: `steps.${id}.output.headers`, hint: 'object' },
        { path: `steps.${id}.output.body`, hint: 'value' },
      );
    else if (n.type === 'subflow')
      out.push(
        { path: `steps.${id}.output.steps`, hint: "the called flow's step outputs, by step id" },
        { path: `steps.${id}.output.runId`, hint: 'the sub-flow run' },
      );
    // An action's or a sub-flow's error, for the steps on its error branch.
    if (canFail(n.type) && def.edges.some((e) => e.from === id && e.branch === ERROR_BRANCH))
      out.push(
        { path: `steps.${id}.output.error.message`, hint: 'the error, on its error branch' },
        { path: `steps.${id}.output.error.code`, hint: 'the error code, on its error branch' },
      );
  }
  return out;
}

/** An action's output: the fields of its kept sample first (marked), then what its schema adds. */
function actionOutput(prefix: string, sample: JsonValue | undefined, schema: unknown, out: Reference[]) {
  const own: Reference[] = [];
  if (sample !== undefined) fromValue(prefix, sample, own);
  const seen = new Set(own.map((r) => r.path));
  out.push(...own.map((r) => ({ ...r, from: 'sample' as const })));
  const typed: Reference[] = [];
  fromSchema(prefix, schema, typed);
  out.push(...typed.filter((r) => !seen.has(r.path)));
}

export const placeholder = (path: string) => `{{ ${path} }}`;
