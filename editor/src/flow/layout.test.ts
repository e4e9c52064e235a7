import { describe, expect, it } from 'vitest';
import { autoLayout } from './layout.js';
import type { FlowDefinition } from './model.js';

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
