import { describe, expect, it } from 'vitest';
import { makeNode } from './edit.js';
import type { FlowDefinition } from './model.js';
import { outHandles } from './model.js';
import { referencesFor } from './references.js';

const empty: FlowDefinition = { schemaVersion: 1, trigger: { type: 'webhook' }, nodes: [], edges: [] };

describe('sub-flow nodes in the editor', () => {
  it('starts without a flow (an issue until one is chosen), with an unbranched and an error output', () => {
    const node = makeNode(empty, { type: 'subflow' }, { x: 10.4, y: 20 });
    expect(node).toEqual({ id: 'subflow', type: 'subflow', flow: '', input: {}, position: { x: 10, y: 20 } });
    expect(outHandles(node)).toEqual([null, 'error']);
  });

  it("offers the called flow's step outputs to the steps after it", () => {
    const def: FlowDefinition = {
      ...empty,
      nodes: [
        { id: 'call', type: 'subflow', flow: 'flow_x' },
        { id: 'after', type: 'set', values: {} },
      ],
      edges: [
        { from: 'trigger', to: 'call' },
        { from: 'call', to: 'after' },
      ],
    };
    const paths = referencesFor(def, 'after', new Map()).map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['steps.call.output.steps', 'steps.call.output.runId']));
    expect(referencesFor(def, 'call', new Map()).map((r) => r.path)).not.toContain('steps.call.output.steps');
  });

  it("offers the sub-flow's error to the steps on its error branch, as an action's", () => {
    const def: FlowDefinition = {
      ...empty,
      nodes: [
        { id: 'call', type: 'subflow', flow: 'flow_x' },
        { id: 'recover', type: 'set', values: {} },
      ],
      edges: [
        { from: 'trigger', to: 'call' },
        { from: 'call', to: 'recover', branch: 'error' },
      ],
    };
    const paths = referencesFor(def, 'recover', new Map()).map((r) => r.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'steps.call.output.steps',
        'steps.call.output.error.message',
        'steps.call.output.error.code',
      ]),
    );
    // Without an error edge there is no error to read.
    const plain = { ...def, edges: [def.edges[0]!, { from: 'call', to: 'recover' }] };
    expect(referencesFor(plain, 'recover', new Map()).map((r) => r.path)).not.toContain('steps.call.output.error.code');
  });
});
