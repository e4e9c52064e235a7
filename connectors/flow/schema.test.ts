import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { draftShapeSchema, flowSchema, NODE_TYPES } from './schema.js';
import type { ChannelMessageTrigger, FlowDefinition, FlowNode, NodeType, SwitchNode, WaitNode } from './types.js';

const ajv = new Ajv2020({ strict: true, allErrors: true });
const flow = ajv.compile(flowSchema);
const draft = ajv.compile(draftShapeSchema);

// The reference flow of README.md "The flow definition" (with every optional node field and a set node).
const example = {
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    { id: 'vip', type: 'condition', rule: { '==': [{ var: 'trigger.body.tier' }, 'vip'] } },
    {
      id: 'save',
      type: 'action',
      action: 'contacts.upsert',
      input: { email: '{{ trigger.body.email }}', name: '{{ trigger.body.name }}' },
    },
    { id: 'pause', type: 'delay', duration: 'PT2S', name: 'Pause', position: { x: 1, y: 2.5 } },
    {
      id: 'notify',
      type: 'action',
      action: 'http.request',
      retry: { maxAttempts: 3, initialInterval: 'PT1S' },
      timeout: 'PT10S',
      onError: 'continue',
      input: { method: 'POST', url: '{{ trigger.body.callback }}', body: { contact: '{{ steps.save.output.id }}' } },
    },
    { id: 'vals', type: 'set', values: { a: 1 } },
  ],
  edges: [
    { from: 'trigger', to: 'vip' },
    { from: 'vip', to: 'save', branch: 'true' },
    { from: 'save', to: 'pause' },
    { from: 'pause', to: 'notify' },
  ],
} satisfies FlowDefinition;

const errorsFor = (def: unknown) =>
  flow(def) ? [] : flow.errors!.filter((e) => e.keyword !== 'if').map((e) => `${e.instancePath} ${e.keyword}`);
const withNode = (node: object) => ({ ...example, nodes: [node] });

describe('flowSchema', () => {
  it('is strict-mode clean and accepts the reference flow of README.md', () => {
    expect(errorsFor(example)).toEqual([]);
    expect(flowSchema.$id).toBe('https://confluo.dev/schemas/flow.json');
  });

  it('rejects bad node ids, including "trigger"', () => {
    expect(errorsFor(withNode({ id: 'trigger', type: 'delay', duration: 'PT1S' }))).toEqual(['/nodes/0/id not']);
    expect(errorsFor(withNode({ id: '1abc', type: 'delay', duration: 'PT1S' }))).toEqual(['/nodes/0/id pattern']);
    expect(errorsFor(withNode({ id: 'a'.repeat(65), type: 'delay', duration: 'PT1S' }))).toEqual([
      '/nodes/0/id pattern',
    ]);
  });

  it('checks per-type fields and nothing else', () => {
    expect(errorsFor(withNode({ id: 'a', type: 'action', action: 'Http.request' }))).toEqual([
      '/nodes/0/action pattern',
    ]);
    expect(errorsFor(withNode({ id: 'a', type: 'action' }))).toEqual(['/nodes/0 required']);
    expect(errorsFor(withNode({ id: 'a', type: 'delay', duration: 'PT1S', rule: true }))).toEqual([
      '/nodes/0 additionalProperties',
    ]);
    expect(errorsFor(withNode({ id: 'a', type: 'wait' }))).toEqual(['/nodes/0 required', '/nodes/0 required']);
    expect(errorsFor(withNode({ id: 'a', type: 'wait', for: 'event', timeout: 'P1D' }))).toEqual([
      '/nodes/0/for const',
    ]);
    expect(
      errorsFor(
        withNode({
          id: 'a',
          type: 'wait',
          for: 'reply',
          timeout: 'P1D',
          contact: '{{ steps.s.output.id }}',
        } satisfies WaitNode),
      ),
    ).toEqual([]);
    expect(errorsFor(withNode({ id: 'a', type: 'repeat' }))).toEqual(['/nodes/0/type enum']);
    expect(errorsFor(withNode({ id: 'a', type: 'delay', duration: 'P1M' }))).toEqual(['/nodes/0/duration pattern']);
    expect(errorsFor(withNode({ id: 'a', type: 'set', values: [] }))).toEqual(['/nodes/0/values type']);
  });

  it('bounds retries and onError', () => {
    expect(
      errorsFor(
        withNode({ id: 'a', type: 'action', action: 'http.request', retry: { maxAttempts: 21 }, onError: 'ignore' }),
      ),
    ).toEqual(['/nodes/0/retry/maxAttempts maximum', '/nodes/0/onError enum']);
    expect(errorsFor(withNode({ id: 'a', type: 'action', action: 'http.request', retry: { maxAttempts: 0 } }))).toEqual(
      ['/nodes/0/retry/maxAttempts minimum'],
    );
  });

  it('takes a switch with ordered cases, and refuses one without cases or with a case without a rule', () => {
    const sw = {
      id: 'tier',
      type: 'switch',
      join: 'first',
      cases: [{ id: 'gold', name: 'Gold', rule: { '==': [{ var: 'trigger.body.tier' }, 'gold'] } }, { rule: true }],
    } satisfies SwitchNode;
    expect(errorsFor(withNode(sw))).toEqual([]);
    expect(errorsFor(withNode({ id: 'a', type: 'switch' }))).toEqual(['/nodes/0 required']);
    expect(errorsFor(withNode({ id: 'a', type: 'switch', cases: [] }))).toEqual(['/nodes/0/cases minItems']);
    expect(errorsFor(withNode({ id: 'a', type: 'switch', cases: [{ id: 'x' }] }))).toEqual([
      '/nodes/0/cases/0 required',
    ]);
    expect(errorsFor(withNode({ id: 'a', type: 'switch', cases: [{ rule: true, when: 1 }] }))).toEqual([
      '/nodes/0/cases/0 additionalProperties',
    ]);
    // `default` is the switch's own branch; a case id is a branch name, so it follows the node id pattern.
    expect(errorsFor(withNode({ id: 'a', type: 'switch', cases: [{ id: 'default', rule: true }] }))).toEqual([
      '/nodes/0/cases/0/id not',
    ]);
    expect(errorsFor(withNode({ id: 'a', type: 'switch', cases: [{ id: 'a b', rule: true }] }))).toEqual([
      '/nodes/0/cases/0/id pattern',
    ]);
  });

  it('takes join all/first on any node and an error edge, nothing else', () => {
    expect(errorsFor(withNode({ id: 'a', type: 'delay', duration: 'PT1S', join: 'all' }))).toEqual([]);
    expect(errorsFor(withNode({ id: 'a', type: 'set', values: {}, join: 'first' }))).toEqual([]);
    expect(errorsFor(withNode({ id: 'a', type: 'set', values: {}, join: 'any' }))).toEqual(['/nodes/0/join enum']);
    const withError = { ...example, edges: [...example.edges, { from: 'save', to: 'vals', branch: 'error' }] };
    expect(errorsFor(withError)).toEqual([]);
  });

  it('requires the top-level v1 shape', () => {
    expect(
      errorsFor({ schemaVersion: 2, trigger: { type: 'cron' }, nodes: [], edges: [{ from: 'a' }], extra: 1 }),
    ).toEqual([' additionalProperties', '/schemaVersion const', '/trigger/type enum', '/edges/0 required']);
  });

  it('takes a channel.message trigger with channels, accounts and a filter, and nothing else', () => {
    const withTrigger = (trigger: object) => ({ schemaVersion: 1, trigger, nodes: [], edges: [] });
    expect(errorsFor(withTrigger({ type: 'channel.message' } satisfies ChannelMessageTrigger))).toEqual([]);
    expect(
      errorsFor(
        withTrigger({
          type: 'channel.message',
          channels: ['sms', 'whatsapp'],
          accounts: ['cha_1'],
          filter: { '==': [1, 1] },
        } satisfies ChannelMessageTrigger),
      ),
    ).toEqual([]);
    expect(errorsFor(withTrigger({ type: 'channel.message', channels: 'sms', sample: {} }))).toEqual([
      '/trigger/channels type',
    ]);
    expect(errorsFor(withTrigger({ type: 'channel.message', channels: ['sms', 'sms'] }))).toEqual([
      '/trigger/channels uniqueItems',
    ]);
    expect(errorsFor(withTrigger({ type: 'webhook', channels: ['sms'] }))).toEqual(['/trigger additionalProperties']);
  });
});

// The schema is written by hand (its if/then per node type names the real problem in errors); these keep it and
// types.ts from drifting apart. The accepted examples above are checked against the types with `satisfies` (by
// `npm run typecheck`); the node types are compared here, as types and at run time.
describe('flowSchema and types.ts', () => {
  it('has NODE_TYPES equal to the FlowNode type union', () => {
    expectTypeOf<(typeof NODE_TYPES)[number]>().toEqualTypeOf<FlowNode['type']>();
    // A key missing from or added to this record fails the typecheck, so its keys are the union at run time.
    const everyType: Record<NodeType, true> = {
      action: true,
      condition: true,
      switch: true,
      delay: true,
      set: true,
      wait: true,
      subflow: true,
      loop: true,
      respond: true,
    };
    expect([...NODE_TYPES].sort()).toEqual(Object.keys(everyType).sort());
  });

  it('accepts a channel flow written as a FlowDefinition', () => {
    const channelFlow = {
      schemaVersion: 1,
      trigger: { type: 'channel.message', channels: ['sms'], filter: { '==': [1, 1] } },
      nodes: [{ id: 'a', type: 'wait', for: 'reply', timeout: 'P1D', contact: '{{ steps.s.output.id }}' }],
      edges: [{ from: 'trigger', to: 'a' }],
    } satisfies FlowDefinition;
    expect(errorsFor(channelFlow)).toEqual([]);
  });
});

describe('draftShapeSchema', () => {
  it('accepts incomplete drafts but not other shapes', () => {
    expect(draft({ schemaVersion: 1, trigger: {}, nodes: [{ id: 'half' }], edges: [{}] })).toBe(true);
    expect(draft({ schemaVersion: 1, trigger: {}, nodes: {}, edges: [] })).toBe(false);
    expect(draft([])).toBe(false);
    expect(draft({ schemaVersion: 1, trigger: {}, nodes: [] })).toBe(false);
  });
});
