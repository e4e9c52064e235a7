import { describe, expect, it } from 'vitest';
import { bodyGraph, checkLoopItems, itemResult, loopBodies, mainGraph } from './loop.js';
import { loopItemsProblem } from './loop-checks.js';
import { planNext } from './plan.js';
import type { FlowDefinition, StepState } from './types.js';
import { validateFlow } from './validate.js';

const actions = {
  'http.request': {
    input: { type: 'object', required: ['url'], properties: { url: { type: 'string' }, body: {} } },
  },
};

/** trigger → each (loop) ─item→ post → keep;  each ─done→ after. */
const loopFlow = (over: Record<string, unknown> = {}): FlowDefinition =>
  ({
    schemaVersion: 1,
    trigger: { type: 'webhook' },
    nodes: [
      { id: 'each', type: 'loop', items: '{{ trigger.body.orders }}', concurrency: 5, ...over },
      {
        id: 'post',
        type: 'action',
        action: 'http.request',
        input: { url: 'http://sink.test/{{ loop.index }}', body: '{{ loop.item }}' },
      },
      { id: 'keep', type: 'set', values: { status: '{{ steps.post.output.status }}', n: '{{ loop.index }}' } },
      { id: 'after', type: 'set', values: { count: '{{ steps.each.output.failed }}' } },
    ],
    edges: [
      { from: 'trigger', to: 'each' },
      { from: 'each', to: 'post', branch: 'item' },
      { from: 'post', to: 'keep' },
      { from: 'each', to: 'after', branch: 'done' },
    ],
  }) as FlowDefinition;

const codes = (def: unknown) =>
  validateFlow(def, { actions }).map((i) => `${i.code} ${i.path}${i.nodeId ? ` @${i.nodeId}` : ''}`);

describe('loop graphs', () => {
  it('finds the body from the item edge, and splits the run graph from the body graph', () => {
    const def = loopFlow();
    expect([...loopBodies(def).get('each')!].sort()).toEqual(['keep', 'post']);
    const main = mainGraph(def);
    expect(main.nodes.map((n) => n.id)).toEqual(['each', 'after']);
    expect(main.edges).toEqual([
      { from: 'trigger', to: 'each' },
      { from: 'each', to: 'after', branch: 'done' },
    ]);
    const body = bodyGraph(def, 'each');
    expect(body.nodes.map((n) => n.id)).toEqual(['post', 'keep']);
    expect(body.edges).toEqual([
      { from: 'trigger', to: 'post' },
      { from: 'post', to: 'keep' },
    ]);
  });

  it('plans the step after a loop on its done branch only once the loop completed', () => {
    const main = mainGraph(loopFlow());
    const step = (nodeId: string, status: StepState['status'], branch?: string): StepState => ({
      nodeId,
      type: nodeId === 'each' ? 'loop' : 'set',
      status,
      ...(branch && { branch }),
    });
    expect(planNext(main, {}).ready.map((n) => n.id)).toEqual(['each']);
    expect(planNext(main, { each: step('each', 'running') }).ready).toEqual([]);
    expect(planNext(main, { each: step('each', 'failed') })).toMatchObject({ ready: [], done: true });
    expect(planNext(main, { each: step('each', 'completed', 'done') }).ready.map((n) => n.id)).toEqual(['after']);
  });

  it("takes an item's result from its body's last step, or null when nothing completed", () => {
    const body = bodyGraph(loopFlow(), 'each');
    const st = (nodeId: string, status: StepState['status'], output?: unknown) =>
      ({ nodeId, type: 'set', status, ...(output !== undefined && { output }) }) as StepState;
    expect(itemResult(body, [st('post', 'completed', { status: 200 }), st('keep', 'completed', { ok: 1 })])).toEqual({
      ok: 1,
    });
    expect(itemResult(body, [st('post', 'completed', { status: 200 }), st('keep', 'skipped')])).toEqual({
      status: 200,
    });
    expect(itemResult(body, [st('post', 'skipped'), st('keep', 'skipped')])).toBeNull();
  });

  it('checks resolved items: an array within maxItems, else a failure naming the field or the bound', () => {
    expect(checkLoopItems({ id: 'each' }, [1, 2])).toEqual({ items: [1, 2] });
    expect(checkLoopItems({ id: 'each' }, { a: 1 })).toMatchObject({
      code: 'LOOP_ITEMS',
      message: expect.stringContaining('"items" field) gave an object, not an array'),
    });
    expect(checkLoopItems({ id: 'each' }, null)).toMatchObject({ code: 'LOOP_ITEMS' });
    expect(checkLoopItems({ id: 'each', maxItems: 2 }, [1, 2, 3])).toMatchObject({
      code: 'LOOP_TOO_MANY_ITEMS',
      message: 'loop "each" got 3 items, more than its maxItems of 2',
    });
    expect(checkLoopItems({ id: 'each' }, new Array(1001).fill(0))).toMatchObject({
      code: 'LOOP_TOO_MANY_ITEMS',
      message: expect.stringContaining('maxItems of 1000 (the default; at most 10000)'),
    });
  });
});

describe('loop validation', () => {
  it('accepts a loop with a body, loop.item and loop.index inside it, and its output after it', () => {
    expect(codes(loopFlow())).toEqual([]);
    expect(codes(loopFlow({ items: { $logic: { var: 'trigger.body.orders' } } }))).toEqual([]);
    expect(codes(loopFlow({ items: [1, 2, 3] }))).toEqual([]);
  });

  it('refuses items that can never be an array, on the node and its items field', () => {
    for (const items of [42, 'orders', 'ids: {{ trigger.body.ids }}', { a: 1 }, null, true])
      expect(codes(loopFlow({ items }))).toEqual(['loop_items /nodes/0/items @each']);
    expect(loopItemsProblem('x {{ trigger.body.ids }}')).toContain('always gives a string');
  });

  it('checks concurrency and maxItems bounds in the schema', () => {
    expect(codes(loopFlow({ concurrency: 51 }))).toEqual(['schema /nodes/0/concurrency @each']);
    expect(codes(loopFlow({ concurrency: 0 }))).toEqual(['schema /nodes/0/concurrency @each']);
    expect(codes(loopFlow({ maxItems: 10_001 }))).toEqual(['schema /nodes/0/maxItems @each']);
    expect(codes(loopFlow({ items: undefined }))).toEqual(['schema /nodes/0/items @each']);
  });

  it('needs a body, and edges out of a loop name item or done', () => {
    const def = loopFlow();
    def.edges = def.edges.filter((e) => e.branch !== 'item');
    def.edges.push({ from: 'each', to: 'post' });
    // Without a body, its steps' loop.* references are outside any loop's body too.
    expect(codes(def)).toEqual([
      'condition_branch /edges/3/branch @each',
      'loop_body /nodes/0 @each',
      'invalid_template /nodes/1/input/url @post',
      'invalid_template /nodes/1/input/body @post',
      'invalid_template /nodes/2/values/n @keep',
    ]);
  });

  it('refuses a body node of a type a loop cannot run, and an edge into the body from outside it', () => {
    const def = loopFlow();
    def.nodes.push({ id: 'hold', type: 'wait', for: 'reply', timeout: 'PT1H', contact: 'c1' });
    def.edges.push({ from: 'keep', to: 'hold' });
    def.edges.push({ from: 'after', to: 'keep' });
    expect(codes(def)).toEqual(['loop_body_type /nodes/4/type @hold', 'loop_body_exit /edges/5 @keep']);
  });

  it('refuses loop.* outside a body, and a body reading its own loop’s output', () => {
    const def = loopFlow();
    (def.nodes[3] as { values: object }).values = { x: '{{ loop.item }}' };
    (def.nodes[2] as { values: object }).values = { y: '{{ steps.each.output }}', z: '{{ loop.other }}' };
    expect(codes(def)).toEqual([
      'invalid_template /nodes/2/values/y @keep',
      'invalid_template /nodes/2/values/z @keep',
      'invalid_template /nodes/3/values/x @after',
    ]);
  });
});
