import { describe, expect, it } from 'vitest';
import { createFlowStore, emptyDefinition } from './flow-store.js';

describe('flow store', () => {
  it('adds nodes with readable unique ids and selects them', () => {
    const s = createFlowStore();
    const a = s.getState().addNode({ type: 'action', action: 'contacts.upsert' }, { x: 1.4, y: 2.6 });
    const b = s.getState().addNode({ type: 'action', action: 'contacts.upsert' });
    expect([a, b]).toEqual(['upsert', 'upsert_2']);
    expect(s.getState().definition.nodes[0]).toEqual({
      id: 'upsert',
      type: 'action',
      action: 'contacts.upsert',
      input: {},
      position: { x: 1, y: 3 },
    });
    expect(s.getState().selected).toBe('upsert_2');
  });

  it('undoes and redoes changes, and a new change clears redo', () => {
    const s = createFlowStore();
    s.getState().addNode({ type: 'delay' });
    s.getState().connect('trigger', 'delay');
    expect(s.getState().definition.edges).toEqual([{ from: 'trigger', to: 'delay' }]);
    s.getState().undo();
    expect(s.getState().definition.edges).toEqual([]);
    s.getState().undo();
    expect(s.getState().definition).toEqual(emptyDefinition());
    s.getState().undo(); // nothing left: no-op
    s.getState().redo();
    expect(s.getState().definition.nodes.map((n) => n.id)).toEqual(['delay']);
    s.getState().addNode({ type: 'set' });
    s.getState().redo();
    expect(s.getState().future).toEqual([]);
    expect(s.getState().definition.nodes.map((n) => n.id)).toEqual(['delay', 'set']);
  });

  it('makes one undo step of a drag (checkpoint + quiet changes)', () => {
    const s = createFlowStore();
    s.getState().addNode({ type: 'set' }, { x: 0, y: 0 });
    s.getState().checkpoint();
    for (let x = 1; x <= 5; x++)
      s.getState().changeQuietly((d) => ({ ...d, nodes: d.nodes.map((n) => ({ ...n, position: { x, y: 0 } })) }));
    expect(s.getState().definition.nodes[0]!.position).toEqual({ x: 5, y: 0 });
    s.getState().undo();
    expect(s.getState().definition.nodes[0]!.position).toEqual({ x: 0, y: 0 });
  });

  it('requires a branch from a condition, one edge per branch', () => {
    const s = createFlowStore();
    s.getState().addNode({ type: 'condition' });
    s.getState().addNode({ type: 'set' });
    s.getState().addNode({ type: 'delay' });
    s.getState().connect('condition', 'set');
    expect(s.getState().definition.edges).toEqual([]);
    s.getState().connect('condition', 'set', 'true');
    s.getState().connect('condition', 'delay', 'true');
    s.getState().connect('condition', 'set', 'false');
    expect(s.getState().definition.edges).toEqual([
      { from: 'condition', to: 'delay', branch: 'true' },
      { from: 'condition', to: 'set', branch: 'false' },
    ]);
  });

  it('deletes a node with its edges, duplicates, renames', () => {
    const s = createFlowStore();
    s.getState().addNode({ type: 'set' });
    s.getState().connect('trigger', 'set');
    s.getState().duplicate('set');
    expect(s.getState().selected).toBe('set_2');
    expect(s.getState().definition.edges).toEqual([{ from: 'trigger', to: 'set' }]);
    s.getState().renameNode('set', 'greet');
    expect(s.getState().definition.edges).toEqual([{ from: 'trigger', to: 'greet' }]);
    s.getState().renameNode('greet', 'set_2'); // taken: refused
    expect(s.getState().definition.nodes.map((n) => n.id)).toEqual(['greet', 'set_2']);
    s.getState().select('greet');
    s.getState().removeSelected();
    expect(s.getState().definition).toMatchObject({ nodes: [{ id: 'set_2' }], edges: [] });
    expect(s.getState().selected).toBeNull();
  });

  it('lays out every node and is read-only on a published version', () => {
    const s = createFlowStore();
    s.getState().addNode({ type: 'set' });
    s.getState().connect('trigger', 'set');
    s.getState().layout();
    const p = s.getState().definition.nodes[0]!.position!;
    expect(p.y).toBeGreaterThan(s.getState().triggerPosition.y);
    s.getState().load(emptyDefinition(), { readOnlyVersion: 3 });
    s.getState().addNode({ type: 'set' });
    expect(s.getState().definition.nodes).toEqual([]);
  });

  it('keeps the run overlay a watcher set while the version loaded, and clears it on a plain load', () => {
    const s = createFlowStore();
    const overlay = { runId: 'r1', status: 'completed', steps: [] };
    // The run's watcher answers before the version does: the overlay is set first, then the version arrives.
    s.getState().setOverlay(overlay);
    s.getState().load(emptyDefinition(), { readOnlyVersion: 1, keepOverlay: true });
    expect(s.getState().overlay).toBe(overlay);
    s.getState().load(emptyDefinition());
    expect(s.getState().overlay).toBeNull();
  });
});

describe('flow store typing', () => {
  it('coalesces edits with the same key into one undo step', () => {
    const s = createFlowStore();
    s.getState().addNode({ type: 'delay' });
    for (const d of ['PT1S', 'PT10S', 'PT10M'])
      s.getState().updateNode('delay', (n) => ({ ...n, duration: d }) as typeof n, 'delay/duration');
    expect(s.getState().definition.nodes[0]).toMatchObject({ duration: 'PT10M' });
    s.getState().undo();
    expect(s.getState().definition.nodes[0]).toMatchObject({ duration: 'PT1M' });
  });
});

describe('addNodeAfter', () => {
  it('adds and connects in one undo step, using the first free branch of a condition', () => {
    const s = createFlowStore();
    s.getState().addNodeAfter('trigger', { type: 'condition' });
    s.getState().addNodeAfter('condition', { type: 'set' });
    s.getState().addNodeAfter('condition', { type: 'delay' });
    expect(s.getState().definition.edges).toEqual([
      { from: 'trigger', to: 'condition' },
      { from: 'condition', to: 'set', branch: 'true' },
      { from: 'condition', to: 'delay', branch: 'false' },
    ]);
    s.getState().undo();
    expect(s.getState().definition.nodes.map((n) => n.id)).toEqual(['condition', 'set']);
    expect(s.getState().definition.edges).toHaveLength(2);
  });
});

describe('no-op edits', () => {
  it('adds no undo step when removing what is not there', () => {
    const s = createFlowStore();
    s.getState().addNode({ type: 'set' });
    const past = s.getState().past.length;
    s.getState().removeEdges([{ from: 'trigger', to: 'set' }]);
    s.getState().removeNodes(['nope']);
    expect(s.getState().past).toHaveLength(past);
  });
});

describe('wait for reply and the channel trigger', () => {
  it('adds a wait after the trigger and fills its received, then timeout branch', () => {
    const s = createFlowStore();
    s.getState().addNodeAfter('trigger', { type: 'wait' });
    s.getState().addNodeAfter('wait', { type: 'action', action: 'conversations.reply' });
    s.getState().addNodeAfter('wait', { type: 'set' });
    s.getState().addNodeAfter('wait', { type: 'delay' }); // both branches taken: added, unconnected
    expect(s.getState().definition.nodes[0]).toEqual({ id: 'wait', type: 'wait', for: 'reply', timeout: 'P1D' });
    expect(s.getState().definition.edges).toEqual([
      { from: 'trigger', to: 'wait' },
      { from: 'wait', to: 'reply', branch: 'received' },
      { from: 'wait', to: 'set', branch: 'timeout' },
    ]);
  });

  it('connects from a wait only with a received or timeout branch', () => {
    const s = createFlowStore();
    s.getState().addNode({ type: 'wait' });
    s.getState().addNode({ type: 'set' });
    s.getState().connect('wait', 'set');
    s.getState().connect('wait', 'set', 'true');
    expect(s.getState().definition.edges).toEqual([]);
    s.getState().connect('wait', 'set', 'timeout');
    expect(s.getState().definition.edges).toEqual([{ from: 'wait', to: 'set', branch: 'timeout' }]);
  });

  it('switches the trigger as one undo step and coalesces typing in the wait', async () => {
    const { switchTrigger, patchChannelTrigger } = await import('../flow/trigger.js');
    const s = createFlowStore();
    s.getState().change((d) => switchTrigger(d, 'channel.message'));
    s.getState().change((d) => patchChannelTrigger(d, { channels: ['sms'] }));
    expect(s.getState().definition.trigger).toEqual({ type: 'channel.message', channels: ['sms'] });
    s.getState().undo();
    expect(s.getState().definition.trigger).toEqual({ type: 'channel.message' });
    s.getState().undo();
    expect(s.getState().definition.trigger).toEqual({ type: 'webhook' });
    s.getState().addNode({ type: 'wait' });
    for (const c of ['{', '{{ contact', '{{ contact.id }}'])
      s.getState().updateNode('wait', (n) => ({ ...n, contact: c }) as typeof n, 'wait/contact');
    expect(s.getState().definition.nodes[0]).toMatchObject({ contact: '{{ contact.id }}' });
    s.getState().undo();
    expect(s.getState().definition.nodes[0]).not.toHaveProperty('contact');
  });
});
