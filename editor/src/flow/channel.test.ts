import { describe, expect, it } from 'vitest';
import type { ConnectorManifest } from '../api/types.js';
import { durationText } from './duration.js';
import { makeNode } from './edit.js';
import { formSchema } from './form-schema.js';
import { autoLayout } from './layout.js';
import { fromLogic, toLogic } from './logic-builder.js';
import type { FlowDefinition } from './model.js';
import { MESSAGE_EVENT_FALLBACK, messageEventSchema, referencesFor } from './references.js';
import { patchChannelTrigger, switchTrigger, toggled } from './trigger.js';

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

  it('starts new conditions and waits from what the trigger gives', () => {
    expect(makeNode(empty({ type: 'channel.message' }), { type: 'condition' })).toMatchObject({
      rule: { '==': [{ var: 'trigger.message.text' }, ''] },
    });
    expect(makeNode(empty({ type: 'webhook' }), { type: 'condition' })).toMatchObject({
      rule: { '==': [{ var: 'trigger.body.x' }, ''] },
    });
    expect(makeNode(empty({ type: 'webhook' }), { type: 'wait' }, { x: 1.2, y: 2 })).toEqual({
      id: 'wait',
      type: 'wait',
      for: 'reply',
      timeout: 'P1D',
      position: { x: 1, y: 2 },
    });
    expect([durationText('P1D'), durationText('PT2H'), durationText('PT90M'), durationText('bad')]).toEqual([
      '1 day',
      '2 hours',
      '90 minutes',
      'bad',
    ]);
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

describe('condition builder: contains', () => {
  it('writes and reads json-logic `in` with the value first', () => {
    const b = {
      join: 'and' as const,
      rows: [{ var: 'trigger.message.text', op: 'contains' as const, value: 'order' }],
    };
    expect(toLogic(b)).toEqual({ in: ['order', { var: 'trigger.message.text' }] });
    expect(fromLogic(toLogic(b))).toEqual(b);
    expect(fromLogic({ in: [{ var: 'x' }, ['a', 'b']] })).toEqual({
      join: 'and',
      rows: [{ var: 'x', op: 'in', value: ['a', 'b'] }],
    });
    expect(fromLogic({ in: [{ var: 'a' }, { var: 'b' }] })).toBeUndefined();
    expect(fromLogic({ contains: [{ var: 'a' }, 'b'] })).toBeUndefined();
  });
});

describe('action form schema', () => {
  it('turns x-ui widgets into rjsf widgets and drops formats and hints from the schema', () => {
    const input = {
      type: 'object',
      required: ['account', 'to'],
      anyOf: [{ required: ['body'] }, { required: ['mediaUrls'] }],
      properties: {
        account: { type: 'string', minLength: 1, title: 'Channel account', 'x-ui': { widget: 'channel-account' } },
        to: { type: 'string', format: 'uri' },
        body: { type: 'string', title: 'Message', 'x-ui': { widget: 'textarea' } },
        mediaUrls: { type: 'array', items: { type: 'string' } },
        odd: { type: 'string', 'x-ui': { widget: 'unknown-widget' } },
      },
    };
    const { schema, ui } = formSchema(input);
    expect(schema).toEqual({
      type: 'object',
      required: ['account', 'to'],
      properties: {
        account: { type: 'string', minLength: 1, title: 'Channel account' },
        to: { type: 'string' },
        body: { type: 'string', title: 'Message' },
        mediaUrls: { type: 'array', items: { type: 'string' } },
        odd: { type: 'string' },
      },
    });
    expect(ui).toEqual({
      'ui:submitButtonOptions': { norender: true },
      account: { 'ui:widget': 'channelAccount' },
      body: { 'ui:widget': 'textarea', 'ui:options': { rows: 4 } },
      mediaUrls: { 'ui:field': 'json' },
    });
  });
});

describe('auto-layout of branches', () => {
  it('puts branch targets in the order of the handles (true left of false, received left of timeout)', () => {
    const set = (id: string) => ({ id, type: 'set' as const, values: {} });
    for (const [node, a, b] of [
      [{ id: 'n', type: 'wait' as const, for: 'reply' as const, timeout: 'P1D' }, 'received', 'timeout'],
      [{ id: 'n', type: 'condition' as const, rule: true }, 'true', 'false'],
    ] as const) {
      for (const edges of [
        [
          { from: 'n', to: 'a', branch: a },
          { from: 'n', to: 'b', branch: b },
        ],
        [
          { from: 'n', to: 'b', branch: b },
          { from: 'n', to: 'a', branch: a },
        ],
      ]) {
        const def: FlowDefinition = {
          schemaVersion: 1,
          trigger: { type: 'webhook' },
          nodes: [node, set('a'), set('b'), set('c')],
          edges: [{ from: 'trigger', to: 'n' }, ...edges, { from: 'b', to: 'c' }],
        };
        const pos = autoLayout(def);
        expect(pos.get('a')!.x, `${node.type} ${edges[0]!.branch} first`).toBeLessThan(pos.get('b')!.x);
        expect(pos.get('a')!.y).toBe(pos.get('b')!.y);
      }
    }
  });
});
