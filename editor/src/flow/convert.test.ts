import { describe, expect, it } from 'vitest';
import { fromDefinition, toDefinition } from './convert.js';
import type { FlowDefinition } from './model.js';

const reference: FlowDefinition = {
  schemaVersion: 1,
  trigger: { type: 'webhook', sample: { body: { tier: 'vip', email: 'a@b.c' } } },
  nodes: [
    {
      id: 'vip',
      type: 'condition',
      rule: { '==': [{ var: 'trigger.body.tier' }, 'vip'] },
      position: { x: 10, y: 120 },
    },
    { id: 'save', type: 'action', action: 'contacts.upsert', input: { email: '{{ trigger.body.email }}' } },
    { id: 'pause', type: 'delay', duration: 'PT2S', name: 'Wait a bit' },
    {
      id: 'notify',
      type: 'action',
      action: 'http.request',
      input: { method: 'POST', url: '{{ trigger.body.callback }}', body: { contact: '{{ steps.save.output.id }}' } },
    },
  ],
  edges: [
    { from: 'trigger', to: 'vip' },
    { from: 'vip', to: 'save', branch: 'true' },
    { from: 'save', to: 'pause' },
    { from: 'pause', to: 'notify' },
  ],
};

describe('fromDefinition / toDefinition', () => {
  it('round-trips the reference flow exactly (same JSON, same key order)', () => {
    const { nodes, edges } = fromDefinition(reference);
    const back = toDefinition(nodes, edges);
    expect(JSON.stringify(back)).toBe(JSON.stringify(reference));
  });

  it('draws a trigger node plus one node per flow node, keeping stored positions', () => {
    const { nodes } = fromDefinition(reference);
    expect(nodes.map((n) => [n.id, n.type])).toEqual([
      ['trigger', 'trigger'],
      ['vip', 'condition'],
      ['save', 'action'],
      ['pause', 'delay'],
      ['notify', 'action'],
    ]);
    expect(nodes[1]!.position).toEqual({ x: 10, y: 120 });
    // unpositioned nodes are placed below their parent, display only
    expect(nodes[2]!.position.y).toBeGreaterThan(120);
    expect(nodes[2]!.data).toEqual({ kind: 'step', node: reference.nodes[1] });
  });

  it('carries branches as source handles and labels', () => {
    const { edges } = fromDefinition(reference);
    expect(edges[1]).toMatchObject({ source: 'vip', target: 'save', sourceHandle: 'true', label: 'true' });
    expect(edges[0]).toMatchObject({ source: 'trigger', target: 'vip', sourceHandle: null });
    expect(edges[0]).not.toHaveProperty('label');
  });

  it('reads edges drawn on the canvas (no data) from source handles', () => {
    const { nodes } = fromDefinition(reference);
    const def = toDefinition(nodes, [
      { id: 'a', source: 'vip', target: 'save', sourceHandle: 'false' },
      { id: 'b', source: 'trigger', target: 'vip', sourceHandle: null },
    ]);
    expect(def.edges).toEqual([
      { from: 'vip', to: 'save', branch: 'false' },
      { from: 'trigger', to: 'vip' },
    ]);
  });

  it('marks selection and measured sizes without touching the definition', () => {
    const { nodes, edges } = fromDefinition(reference, {
      selected: new Set(['save']),
      measured: new Map([['save', { width: 200, height: 60 }]]),
    });
    expect(nodes.find((n) => n.id === 'save')).toMatchObject({ selected: true, measured: { width: 200, height: 60 } });
    expect(toDefinition(nodes, edges)).toEqual(reference);
  });

  it('gives unmeasured nodes initial handles (React Flow culls only nodes with handle bounds), measured ones none', () => {
    const { nodes } = fromDefinition(reference, { measured: new Map([['save', { width: 200, height: 60 }]]) });
    const handles = (id: string) =>
      nodes.find((n) => n.id === id)!.handles?.map((h) => [h.type, h.id ?? null, h.position]);
    expect(handles('trigger')).toEqual([['source', null, 'bottom']]);
    expect(handles('vip')).toEqual([
      ['target', null, 'top'],
      ['source', 'true', 'bottom'],
      ['source', 'false', 'bottom'],
    ]);
    expect(handles('pause')).toEqual([
      ['target', null, 'top'],
      ['source', null, 'bottom'],
    ]);
    expect(handles('save')).toBeUndefined();
  });

  it("draws a switch's cases and default, and an action's normal and error outputs, as source handles", () => {
    const def: FlowDefinition = {
      ...reference,
      nodes: [...reference.nodes, { id: 'sw', type: 'switch', cases: [{ id: 'gold', rule: true }, { rule: false }] }],
    };
    const { nodes } = fromDefinition(def);
    const sources = (id: string) =>
      nodes
        .find((n) => n.id === id)!
        .handles!.filter((h) => h.type === 'source')
        .map((h) => h.id ?? null);
    expect(sources('sw')).toEqual(['gold', 'case1', 'default']);
    expect(sources('save')).toEqual([null, 'error']);
  });
});

/** channel message (sms, filtered) → wait for reply (received / timeout) → replies. */
const channelFlow: FlowDefinition = {
  schemaVersion: 1,
  trigger: {
    type: 'channel.message',
    channels: ['sms', 'whatsapp'],
    accounts: ['acc_1'],
    filter: { in: ['order', { var: 'trigger.message.text' }] },
    sample: { channel: 'sms', message: { text: 'my order' } },
  },
  nodes: [
    {
      id: 'ask',
      type: 'action',
      action: 'conversations.reply',
      input: { contact: '{{ contact.id }}', text: 'Which order?' },
    },
    { id: 'wait', type: 'wait', for: 'reply', timeout: 'P1D', position: { x: 0, y: 260 } },
    {
      id: 'thanks',
      type: 'action',
      action: 'conversations.reply',
      input: { contact: '{{ contact.id }}', text: 'Got {{ steps.wait.output.message.text }}' },
    },
    {
      id: 'later',
      type: 'wait',
      name: 'Other contact',
      for: 'reply',
      timeout: 'PT2H',
      contact: '{{ steps.ask.output.contactId }}',
    },
  ],
  edges: [
    { from: 'trigger', to: 'ask' },
    { from: 'ask', to: 'wait' },
    { from: 'wait', to: 'thanks', branch: 'received' },
    { from: 'wait', to: 'later', branch: 'timeout' },
  ],
};

describe('channel trigger and wait', () => {
  it('round-trips exactly (same JSON, same key order), the trigger untouched', () => {
    const { nodes, edges } = fromDefinition(channelFlow);
    expect(JSON.stringify(toDefinition(nodes, edges))).toBe(JSON.stringify(channelFlow));
    expect(nodes[0]!.data).toEqual({ kind: 'trigger', trigger: channelFlow.trigger });
    expect(nodes.map((n) => n.type)).toEqual(['trigger', 'action', 'wait', 'action', 'wait']);
  });

  it('round-trips a bare channel trigger and a webhook trigger without a sample', () => {
    for (const trigger of [{ type: 'channel.message' as const }, { type: 'webhook' as const }]) {
      const def: FlowDefinition = { schemaVersion: 1, trigger, nodes: [], edges: [] };
      const { nodes, edges } = fromDefinition(def);
      expect(JSON.stringify(toDefinition(nodes, edges))).toBe(JSON.stringify(def));
    }
  });

  it('draws a wait with received/timeout source handles, its branches as handles and labels', () => {
    const { nodes, edges } = fromDefinition(channelFlow);
    const wait = nodes.find((n) => n.id === 'wait')!;
    expect(wait.handles?.map((h) => [h.type, h.id ?? null])).toEqual([
      ['target', null],
      ['source', 'received'],
      ['source', 'timeout'],
    ]);
    expect(edges.slice(2)).toMatchObject([
      { source: 'wait', target: 'thanks', sourceHandle: 'received', label: 'received' },
      { source: 'wait', target: 'later', sourceHandle: 'timeout', label: 'timeout' },
    ]);
    // an edge drawn from the timeout handle becomes a timeout branch
    expect(toDefinition(nodes, [{ id: 'x', source: 'wait', target: 'later', sourceHandle: 'timeout' }]).edges).toEqual([
      { from: 'wait', to: 'later', branch: 'timeout' },
    ]);
  });
});

describe('fromDefinition cache', () => {
  it('reuses canvas nodes and edges whose flow node, position, selection and size did not change', () => {
    const cache = new WeakMap<object, never>();
    const first = fromDefinition(reference, { cache });
    const moved = {
      ...reference,
      nodes: reference.nodes.map((n) => (n.id === 'notify' ? { ...n, position: { x: 5, y: 5 } } : n)),
    };
    const second = fromDefinition(moved, { cache, selected: new Set(['pause']) });
    const same = second.nodes.map((n, i) => n === first.nodes[i]);
    expect(same).toEqual([false, true, true, false, false]); // trigger is rebuilt; pause selected; notify moved
    expect(second.edges.every((e, i) => e === first.edges[i])).toBe(true);
  });
});
