import { describe, expect, it } from 'vitest';
import type { ConnectorManifest } from '../api/types.js';
import { sampleFlow } from './test-support.js';
import type { FlowDefinition } from './model.js';
import { CONTACT_EVENT_TYPES } from './model.js';
import { MESSAGE_EVENT_FALLBACK, messageEventSchema, referencesFor } from './references.js';

const def = sampleFlow;

describe('data picker references', () => {
  it('offers the trigger sample and the output of upstream steps only', () => {
    const actions = new Map([
      [
        'contacts.upsert',
        {
          id: 'contacts.upsert',
          name: 'Upsert',
          description: 'Creates or updates a contact',
          input: {},
          output: { type: 'object', properties: { id: { type: 'string' } } },
        },
      ],
    ]);
    const paths = referencesFor(def, 'notify', actions).map((r) => r.path);
    expect(paths).toEqual(['trigger.body.email', 'trigger.body.tier', 'steps.save.output', 'steps.save.output.id']);
    expect(referencesFor(def, 'save', actions).map((r) => r.path)).not.toContain('steps.save.output.id');
  });
});

describe('data picker references with a channel trigger and a wait', () => {
  const def: FlowDefinition = {
    schemaVersion: 1,
    trigger: { type: 'channel.message', channels: ['sms'] },
    nodes: [
      { id: 'wait', type: 'wait', for: 'reply', timeout: 'P1D' },
      { id: 'reply', type: 'action', action: 'conversations.reply', input: {} },
    ],
    edges: [
      { from: 'trigger', to: 'wait' },
      { from: 'wait', to: 'reply', branch: 'received' },
    ],
  };
  const actions = new Map();

  it('offers the message event, the contact and, after a wait, its message or timedOut', () => {
    const paths = referencesFor(def, 'reply', actions).map((r) => r.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'trigger.channel',
        'trigger.message.text',
        'trigger.sender.name',
        'trigger.sender.identity.value',
        'trigger.contactId',
        'contact.id',
        'contact.name',
      ]),
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'steps.wait.output',
        'steps.wait.output.message.text',
        'steps.wait.output.sender.name',
        'steps.wait.output.timedOut',
      ]),
    );
    expect(paths).not.toContain('trigger.body');
    expect(paths).not.toContain('trigger'); // the event itself is not a useful value
  });

  it('offers only trigger and contact to the trigger filter, and no wait output before the wait', () => {
    const filter = referencesFor(def, 'trigger', actions).map((r) => r.path);
    expect(filter.every((p) => p.startsWith('trigger.') || p.startsWith('contact.'))).toBe(true);
    expect(
      referencesFor(def, 'wait', actions)
        .map((r) => r.path)
        .some((p) => p.startsWith('steps.')),
    ).toBe(false);
  });

  it('keeps webhook flows as they were: sample fields, no contact', () => {
    const paths = referencesFor(
      { ...def, trigger: { type: 'webhook', sample: { body: { name: 'Ann' } } } },
      'reply',
      actions,
    ).map((r) => r.path);
    expect(paths.slice(0, 1)).toEqual(['trigger.body.name']);
    expect(paths).not.toContain('contact.id');
  });

  it('reads the message event from the channel connectors’ manifests, with a fallback', () => {
    const schema = { type: 'object', properties: { channel: { type: 'string' }, custom: { type: 'string' } } };
    const connectors: ConnectorManifest[] = [
      { id: 'http', name: 'HTTP', version: '1.0.0', actions: [], triggers: [] },
      {
        id: 'sms',
        name: 'SMS',
        version: '1.0.0',
        actions: [],
        triggers: [{ id: 'sms.message', name: 'SMS message', description: 'An inbound SMS', output: schema }],
        channel: { name: 'sms', addressKinds: ['phone'], inbound: 'webhook', handshake: false },
      },
    ];
    expect(messageEventSchema(connectors)).toBe(schema);
    expect(messageEventSchema(connectors.slice(0, 1))).toBe(MESSAGE_EVENT_FALLBACK);
    expect(referencesFor(def, 'reply', actions, schema).map((r) => r.path)).toContain('steps.wait.output.custom');
  });
});

describe('data picker references with a contact event trigger', () => {
  const flow = (trigger: FlowDefinition['trigger']): FlowDefinition => ({
    schemaVersion: 1,
    trigger,
    nodes: [{ id: 'note', type: 'set', values: { who: '{{ contact.name }}' } }],
    edges: [{ from: 'trigger', to: 'note' }],
  });
  const paths = (trigger: FlowDefinition['trigger'], nodeId = 'note') =>
    referencesFor(flow(trigger), nodeId, new Map()).map((r) => r.path);

  it('offers the event every contact trigger has and the contact record', () => {
    for (const type of CONTACT_EVENT_TYPES) {
      const p = paths({ type });
      expect(p).toEqual(
        expect.arrayContaining([
          'trigger.event',
          'trigger.eventId',
          'trigger.contactId',
          'trigger.occurredAt',
          'trigger.by.type',
          'contact.id',
          'contact.name',
          'contact.attributes',
          'contact.identities',
          'contact.createdAt',
          'contact.updatedAt',
        ]),
      );
      expect(p).not.toContain('trigger.body');
      expect(p).not.toContain('trigger.message.text');
    }
  });

  it('offers each type’s own fields, and the attributes a contact.updated trigger names', () => {
    expect(paths({ type: 'identity.added' })).toEqual(
      expect.arrayContaining(['trigger.identity.kind', 'trigger.identity.value', 'trigger.identity.verified']),
    );
    expect(paths({ type: 'contact.created' }).some((p) => p.startsWith('trigger.identity'))).toBe(false);
    expect(paths({ type: 'contact.merged' })).toEqual(
      expect.arrayContaining(['trigger.mergeId', 'trigger.mergedContactId', 'trigger.members']),
    );
    expect(paths({ type: 'contact.unmerged' })).toEqual(
      expect.arrayContaining(['trigger.mergeId', 'trigger.restoredContactId', 'trigger.members']),
    );
    const updated = paths({ type: 'contact.updated', fields: ['name', 'attributes.plan'] });
    expect(updated).toEqual(
      expect.arrayContaining(['trigger.fields', 'trigger.changes.name.from', 'trigger.changes.name.to']),
    );
    expect(updated).toContain('contact.attributes.plan');
    expect(updated).not.toContain('contact.name.plan');
  });

  it('offers only trigger and contact to the filter', () => {
    const filter = paths({ type: 'identity.added', kinds: ['email'] }, 'trigger');
    expect(filter.length).toBeGreaterThan(0);
    expect(filter.every((p) => p.startsWith('trigger.') || p.startsWith('contact.'))).toBe(true);
  });
});

describe('data picker references from a step’s kept sample', () => {
  it('offers the sample’s fields first, marked, then what the output schema adds', () => {
    const actions = new Map([
      [
        'contacts.upsert',
        {
          id: 'contacts.upsert',
          name: 'Upsert',
          description: '',
          input: {},
          output: { type: 'object', properties: { id: { type: 'string' }, created: { type: 'boolean' } } },
        },
      ],
    ]);
    const withSample: FlowDefinition = {
      ...def,
      nodes: def.nodes.map((n) =>
        n.id === 'save' ? { ...n, sample: { id: 'ct_1', extra: { plan: 'pro' } } } : n,
      ) as FlowDefinition['nodes'],
    };
    const refs = referencesFor(withSample, 'notify', actions).filter((r) => r.path.startsWith('steps.save'));
    expect(refs).toEqual([
      { path: 'steps.save.output.id', hint: '"ct_1"', from: 'sample' },
      { path: 'steps.save.output.extra.plan', hint: '"pro"', from: 'sample' },
      { path: 'steps.save.output', hint: 'object' },
      { path: 'steps.save.output.created', hint: 'boolean' },
    ]);
  });
});

describe('data picker references after a respond node', () => {
  it('offers what the respond step answered and whether it reached the caller', () => {
    const def: FlowDefinition = {
      schemaVersion: 1,
      trigger: { type: 'webhook', sample: { email: 'a@example.com' } },
      nodes: [
        { id: 'answer', type: 'respond', status: 201 },
        { id: 'save', type: 'action', action: 'contacts.upsert', input: {} },
      ],
      edges: [
        { from: 'trigger', to: 'answer' },
        { from: 'answer', to: 'save' },
      ],
    };
    const paths = referencesFor(def, 'save', new Map()).map((r) => r.path);
    expect(paths).toEqual([
      'trigger.email',
      'steps.answer.output.sent',
      'steps.answer.output.reason',
      'steps.answer.output.status',
      'steps.answer.output.headers',
      'steps.answer.output.body',
    ]);
    expect(referencesFor(def, 'answer', new Map()).map((r) => r.path)).toEqual(['trigger.email']);
  });
});
