import { describe, expect, it } from 'vitest';
import { hasContact as validatorHasContact, validateFlow as validate } from '../../../connectors/flow/validate.js';
import type { FlowDefinition } from './model.js';
import { CONTACT_EVENT_TYPES } from './model.js';
import {
  attributeKeyProblem,
  DEFAULT_CRON,
  filterStart,
  patchScheduleTrigger,
  hasContact,
  patchChannelTrigger,
  patchContactTrigger,
  SAMPLE_CONTACT_EVENTS,
  SAMPLE_MESSAGE,
  SAMPLE_REQUEST,
  starterVar,
  startingSample,
  switchTrigger,
  toggled,
  toggledField,
  TRIGGER_LABELS,
  TRIGGER_TYPES,
  triggerSummary,
  withSample,
} from './trigger.js';

const validateFlow = (def: FlowDefinition) => validate(def, { actions: {} });

const empty = (trigger: FlowDefinition['trigger']): FlowDefinition => ({
  schemaVersion: 1,
  trigger,
  nodes: [],
  edges: [],
});

describe('trigger edits', () => {
  it('switches between webhook and channel message, dropping what the other kind cannot use', () => {
    const web = empty({ type: 'webhook', sample: { body: { a: 1 } } });
    const ch = switchTrigger(web, 'channel.message');
    expect(ch.trigger).toEqual({ type: 'channel.message' });
    expect(switchTrigger(ch, 'channel.message')).toBe(ch);
    expect(switchTrigger(ch, 'webhook').trigger).toEqual({ type: 'webhook' });
  });

  it('sets channels, accounts and filter in schema order, removing empty ones', () => {
    let d = empty({ type: 'channel.message' });
    d = patchChannelTrigger(d, { filter: { '==': [{ var: 'trigger.message.text' }, 'hi'] } });
    d = patchChannelTrigger(d, { accounts: ['acc_1'] });
    d = patchChannelTrigger(d, { channels: ['sms'] });
    expect(JSON.stringify(d.trigger)).toBe(
      '{"type":"channel.message","channels":["sms"],"accounts":["acc_1"],"filter":{"==":[{"var":"trigger.message.text"},"hi"]}}',
    );
    d = patchChannelTrigger(d, { channels: [], filter: undefined });
    expect(d.trigger).toEqual({ type: 'channel.message', accounts: ['acc_1'] });
    // a webhook trigger has none of these
    const web = empty({ type: 'webhook' });
    expect(patchChannelTrigger(web, { channels: ['sms'] })).toBe(web);
  });

  it('toggles list members in the order of the known list, keeping unknown ones', () => {
    const all = ['sms', 'telegram', 'whatsapp'];
    expect(toggled(undefined, 'whatsapp', true, all)).toEqual(['whatsapp']);
    expect(toggled(['whatsapp', 'gone'], 'sms', true, all)).toEqual(['sms', 'whatsapp', 'gone']);
    expect(toggled(['sms', 'whatsapp'], 'sms', false, all)).toEqual(['whatsapp']);
  });
});

describe('contact event triggers', () => {
  it('switches to and between every trigger type with a fresh trigger, each a valid definition', () => {
    let d = empty({ type: 'channel.message', channels: ['sms'], sample: { text: 'hi' } });
    for (const type of TRIGGER_TYPES) {
      d = switchTrigger(d, type);
      expect(d.trigger).toEqual(
        type === 'schedule'
          ? { type, cron: DEFAULT_CRON }
          : type === 'poll'
            ? { type, source: 'http.poll', input: {}, every: 'PT5M' }
            : { type },
      );
      expect(switchTrigger(d, type)).toBe(d);
      expect(validateFlow(d).filter((i) => i.path.startsWith('/trigger'))).toEqual([]);
    }
    expect(TRIGGER_TYPES).toEqual([
      'webhook',
      'channel.message',
      'schedule',
      'poll',
      ...CONTACT_EVENT_TYPES,
      'conversation.opened',
      'conversation.closed',
      'message.failed',
      'run.failed',
    ]);
    expect(CONTACT_EVENT_TYPES.map((t) => TRIGGER_LABELS[t])).toEqual([
      'Contact created',
      'Contact updated',
      'Contacts merged',
      'Merge undone',
      'Identity added',
    ]);
  });

  it('sets fields, kinds and filter in schema order, removing empty ones and what the type has not', () => {
    const rule = { '!=': [{ var: 'contact.name' }, ''] };
    let d = empty({ type: 'contact.updated', sample: { event: 'contact.updated' } });
    d = patchContactTrigger(d, { filter: rule });
    d = patchContactTrigger(d, { fields: ['name', 'attributes.plan'], kinds: ['email'] });
    expect(JSON.stringify(d.trigger)).toBe(
      '{"type":"contact.updated","fields":["name","attributes.plan"],"filter":{"!=":[{"var":"contact.name"},""]},"sample":{"event":"contact.updated"}}',
    );
    d = patchContactTrigger(d, { fields: [], filter: undefined });
    expect(d.trigger).toEqual({ type: 'contact.updated', sample: { event: 'contact.updated' } });

    let i = empty({ type: 'identity.added' });
    i = patchContactTrigger(i, { kinds: ['phone', 'email'], fields: ['name'], filter: rule });
    expect(JSON.stringify(i.trigger)).toBe(
      '{"type":"identity.added","kinds":["phone","email"],"filter":{"!=":[{"var":"contact.name"},""]}}',
    );
    expect(validateFlow(i)).toEqual([]);
    expect(patchContactTrigger(i, { kinds: [] }).trigger).toEqual({ type: 'identity.added', filter: rule });
    expect(patchContactTrigger(empty({ type: 'contact.merged' }), { fields: ['name'] }).trigger).toEqual({
      type: 'contact.merged',
    });
    // Neither a webhook nor a channel trigger has these; a contact trigger has no channels.
    const web = empty({ type: 'webhook' });
    expect(patchContactTrigger(web, { kinds: ['email'] })).toBe(web);
    const created = empty({ type: 'contact.created' });
    expect(patchChannelTrigger(created, { channels: ['sms'] })).toBe(created);
  });

  it('keeps contact.updated fields with the name first and attribute keys the schema accepts', () => {
    expect(toggledField(undefined, 'attributes.plan', true)).toEqual(['attributes.plan']);
    expect(toggledField(['attributes.plan'], 'name', true)).toEqual(['name', 'attributes.plan']);
    expect(toggledField(['attributes.plan', 'name'], 'tags', true)).toEqual(['name', 'tags', 'attributes.plan']);
    expect(toggledField(['name', 'attributes.plan', 'attributes.tier'], 'attributes.plan', false)).toEqual([
      'name',
      'attributes.tier',
    ]);
    expect(attributeKeyProblem('plan')).toBeNull();
    expect(attributeKeyProblem('')).toMatch(/Type an attribute key/);
    expect(attributeKeyProblem('a.b')).toMatch(/no dots or spaces/);
    expect(attributeKeyProblem('a b')).toMatch(/no dots or spaces/);
    expect(attributeKeyProblem('plan', ['attributes.plan'])).toMatch(/listed already/);
    // What the helpers accept, the schema does.
    const d = empty({ type: 'contact.updated', fields: toggledField(['name'], 'attributes.vip-level_2', true) });
    expect(validateFlow(d)).toEqual([]);
    expect(validateFlow(empty({ type: 'contact.updated', fields: ['attributes.a.b'] }))).not.toEqual([]);
  });

  it('says which triggers give a run a contact of its own, as the validator does', () => {
    for (const type of [...TRIGGER_TYPES, 'other', undefined]) expect(hasContact(type)).toBe(validatorHasContact(type));
    expect(TRIGGER_TYPES.filter(hasContact)).toEqual([
      'channel.message',
      ...CONTACT_EVENT_TYPES,
      'conversation.opened',
      'conversation.closed',
      'message.failed',
    ]);
    // So a wait under a contact trigger needs no contact, as under a channel trigger.
    const wait = (type: (typeof TRIGGER_TYPES)[number]): FlowDefinition => ({
      schemaVersion: 1,
      trigger: { type } as FlowDefinition['trigger'],
      nodes: [{ id: 'wait', type: 'wait', for: 'reply', timeout: 'P1D' }],
      edges: [{ from: 'trigger', to: 'wait' }],
    });
    expect(validateFlow(wait('contact.created'))).toEqual([]);
    expect(validateFlow(wait('webhook')).map((i) => i.code)).toEqual(['wait_contact']);
  });

  it('starts conditions and filters from a field the event has, and a new filter lets every event through', () => {
    expect(starterVar(empty({ type: 'webhook' }))).toBe('trigger.body.x');
    expect(starterVar(empty({ type: 'channel.message' }))).toBe('trigger.message.text');
    expect(starterVar(empty({ type: 'identity.added' }))).toBe('trigger.identity.kind');
    for (const type of ['contact.created', 'contact.updated', 'contact.merged', 'contact.unmerged'] as const)
      expect(starterVar(empty({ type }))).toBe('contact.name');
    expect(filterStart(empty({ type: 'channel.message' }))).toEqual({ in: ['', { var: 'trigger.message.text' }] });
    expect(filterStart(empty({ type: 'identity.added' }))).toEqual({ '!=': [{ var: 'trigger.identity.kind' }, ''] });
    const d = patchContactTrigger(empty({ type: 'contact.created' }), {
      filter: filterStart(empty({ type: 'contact.created' })),
    });
    expect(validateFlow(d)).toEqual([]);
  });

  it('offers a sample event per type, in the shape the relay gives a run, unless the trigger has its own', () => {
    for (const type of CONTACT_EVENT_TYPES) {
      const sample = SAMPLE_CONTACT_EVENTS[type];
      expect(sample).toMatchObject({ event: type, eventId: expect.any(String), contactId: expect.any(String) });
      expect(Date.parse(sample.occurredAt as string)).not.toBeNaN();
      expect(startingSample({ type })).toBe(sample);
    }
    expect(SAMPLE_CONTACT_EVENTS['contact.updated']).toMatchObject({ fields: ['name', 'attributes.plan'] });
    expect(SAMPLE_CONTACT_EVENTS['identity.added']).toMatchObject({ identity: { kind: 'email' } });
    expect(SAMPLE_CONTACT_EVENTS['contact.merged']).toMatchObject({ mergedContactId: expect.any(String) });
    expect(SAMPLE_CONTACT_EVENTS['contact.unmerged']).toMatchObject({ restoredContactId: expect.any(String) });
    expect(startingSample({ type: 'webhook' })).toBe(SAMPLE_REQUEST);
    expect(startingSample({ type: 'channel.message' })).toBe(SAMPLE_MESSAGE);
    expect(startingSample({ type: 'contact.created', sample: { event: 'mine' } })).toEqual({ event: 'mine' });
  });

  it('sets and removes a sample, keeping it last', () => {
    const d = withSample(empty({ type: 'identity.added', kinds: ['email'] }), { event: 'identity.added' });
    expect(JSON.stringify(d.trigger)).toBe(
      '{"type":"identity.added","kinds":["email"],"sample":{"event":"identity.added"}}',
    );
    expect(withSample(d, undefined).trigger).toEqual({ type: 'identity.added', kinds: ['email'] });
  });

  it('summarises each trigger on its node', () => {
    expect(triggerSummary({ type: 'webhook' })).toEqual({ title: 'Webhook trigger', sub: 'when a request arrives' });
    expect(triggerSummary({ type: 'channel.message', channels: ['sms'], accounts: ['a'], filter: true }).sub).toBe(
      'sms · 1 account · filtered',
    );
    expect(triggerSummary({ type: 'contact.created' })).toEqual({
      title: 'Contact created',
      sub: 'when a contact is created',
    });
    expect(triggerSummary({ type: 'contact.updated' }).sub).toBe('any change');
    expect(triggerSummary({ type: 'contact.updated', fields: ['name', 'attributes.plan'], filter: true }).sub).toBe(
      'name, plan changed · filtered',
    );
    expect(triggerSummary({ type: 'identity.added', kinds: ['email', 'phone'] })).toEqual({
      title: 'Identity added',
      sub: 'email, phone',
    });
    expect(triggerSummary({ type: 'contact.unmerged' }).title).toBe('Merge undone');
  });
});

describe('schedule triggers', () => {
  const scheduled = () => switchTrigger(empty({ type: 'webhook' }), 'schedule');

  it('switches between cron and interval, each with a fresh default, and keeps zone and overlap', () => {
    let d = patchScheduleTrigger(scheduled(), { timezone: 'Europe/Paris', overlap: 'buffer_one' });
    expect(d.trigger).toEqual({
      type: 'schedule',
      cron: DEFAULT_CRON,
      timezone: 'Europe/Paris',
      overlap: 'buffer_one',
    });
    d = patchScheduleTrigger(d, { mode: 'every' });
    expect(d.trigger).toEqual({ type: 'schedule', every: 'PT1H', timezone: 'Europe/Paris', overlap: 'buffer_one' });
    d = patchScheduleTrigger(d, { every: 'PT15M', overlap: 'skip', timezone: undefined });
    expect(d.trigger).toEqual({ type: 'schedule', every: 'PT15M' });
    d = patchScheduleTrigger(d, { mode: 'cron' });
    expect(d.trigger).toEqual({ type: 'schedule', cron: DEFAULT_CRON });
    expect(patchScheduleTrigger(d, { cron: ['@daily', '0 12 * * 6'] }).trigger).toEqual({
      type: 'schedule',
      cron: ['@daily', '0 12 * * 6'],
    });
    expect(validateFlow(d).filter((i) => i.path.startsWith('/trigger'))).toEqual([]);
  });

  it('summarizes the schedule and leaves other triggers alone', () => {
    expect(triggerSummary(scheduled().trigger)).toEqual({ title: 'Schedule', sub: `${DEFAULT_CRON} · UTC` });
    const every = patchScheduleTrigger(scheduled(), { mode: 'every', timezone: 'Asia/Tokyo' });
    expect(triggerSummary(every.trigger).sub).toBe('every PT1H · Asia/Tokyo');
    const hook = empty({ type: 'webhook' });
    expect(patchScheduleTrigger(hook, { every: 'PT1M' })).toBe(hook);
    expect(starterVar(scheduled())).toBe('trigger.scheduledAt');
    expect(startingSample(scheduled().trigger)).toMatchObject({ type: 'schedule', scheduledAt: expect.any(String) });
  });
});
