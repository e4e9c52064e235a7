import { describe, expect, it } from 'vitest';
import { withLoopSteps } from './loop.js';
import type { FlowDefinition, StepState } from './model.js';
import { referencesFor } from './references.js';

const def: FlowDefinition = {
  schemaVersion: 1,
  trigger: { type: 'webhook', sample: { body: { orders: [{ id: 'o1', total: 3 }] } } },
  nodes: [
    { id: 'each', type: 'loop', items: '{{ trigger.body.orders }}' },
    { id: 'keep', type: 'set', values: { id: '{{ loop.item.id }}' } },
    { id: 'after', type: 'set', values: {} },
  ],
  edges: [
    { from: 'trigger', to: 'each' },
    { from: 'each', to: 'keep', branch: 'item' },
    { from: 'each', to: 'after', branch: 'done' },
  ],
};
const paths = (nodeId: string) => referencesFor(def, nodeId, new Map()).map((r) => r.path);

describe('loops in the editor', () => {
  it("offers the item (with the sample's fields) and its index inside the body, the results after the loop", () => {
    expect(paths('keep')).toEqual(
      expect.arrayContaining(['loop.item', 'loop.item.id', 'loop.item.total', 'loop.index']),
    );
    expect(paths('keep')).not.toContain('steps.each.output.results');
    expect(paths('after')).toEqual(expect.arrayContaining(['steps.each.output.results', 'steps.each.output.failed']));
    expect(paths('after').filter((p) => p.startsWith('loop.'))).toEqual([]);
  });

  it("shows a body's steps on the canvas as the loop's latest (running first) iteration has them", () => {
    const body = (status: StepState['status']): StepState[] => [{ nodeId: 'keep', type: 'set', status }];
    const steps: StepState[] = [
      {
        nodeId: 'each',
        type: 'loop',
        status: 'running',
        loop: {
          total: 3,
          completed: 1,
          failed: 0,
          iterations: [
            { index: 0, status: 'completed', steps: body('completed') },
            { index: 1, status: 'running', steps: body('running') },
            { index: 2, status: 'completed', steps: body('failed') },
          ],
        },
      },
    ];
    expect(withLoopSteps(steps).map((s) => [s.nodeId, s.status])).toEqual([
      ['each', 'running'],
      ['keep', 'running'],
    ]);
    expect(withLoopSteps([{ nodeId: 'after', type: 'set', status: 'pending' }])).toHaveLength(1);
  });
});
