// subflowIssues over an in-memory set of published versions (the lookup the publish transaction passes in; the same
// checks through the real store and route: server/subflows.worker.test.ts).
import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../../connectors/flow/types.js';
import type { PublishedLookup } from '../../prisma/flows.js';
import { subflowIssues } from './flow-checks.js';

const calling = (...refs: Array<string | { flow: string; version: number }>): FlowDefinition => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: refs.map((r, i) => ({ id: `n${i}`, type: 'subflow', ...(typeof r === 'string' ? { flow: r } : r) })),
  edges: refs.map((_, i) => ({ from: 'trigger', to: `n${i}` })),
});

/** Published versions by flow id, oldest first; what `publishedLookup` reads from the database. */
function lookup(versions: Record<string, FlowDefinition[]>): PublishedLookup {
  return async (flowId, version) => {
    const list = versions[flowId] ?? [];
    const v = version ?? list.length;
    return v >= 1 && v <= list.length ? { version: v, definition: list[v - 1]! } : null;
  };
}
const codes = async (published: PublishedLookup, flowId: string, def: FlowDefinition) =>
  (await subflowIssues(published, flowId, def)).map((i) => `${i.code} ${i.path} @${i.nodeId}`);

describe('subflowIssues', () => {
  it('accepts a chain A → B → C', async () => {
    const published = lookup({ B: [calling('C')], C: [calling()] });
    expect(await codes(published, 'A', calling('B'))).toEqual([]);
  });

  it('refuses A → B → A, and says the chain', async () => {
    const published = lookup({ B: [calling('A')] });
    const [issue] = await subflowIssues(published, 'A', calling('B'));
    expect(issue).toEqual({
      path: '/nodes/0/flow',
      code: 'subflow_cycle',
      nodeId: 'n0',
      message: 'calling "B" would recurse: A → B → A',
    });
  });

  it('refuses a longer cycle, through pinned versions too, and not through versions left behind', async () => {
    const published = lookup({ B: [calling('C'), calling()], C: [calling('A')] });
    expect(await codes(published, 'A', calling({ flow: 'B', version: 1 }))).toEqual([
      'subflow_cycle /nodes/0/flow @n0',
    ]);
    // B's latest (2) calls nothing: fine.
    expect(await codes(published, 'A', calling('B'))).toEqual([]);
  });

  it('refuses a flow calling itself', async () => {
    expect(await codes(lookup({}), 'A', calling('B', 'A'))).toEqual([
      'unknown_subflow /nodes/0/flow @n0',
      'subflow_cycle /nodes/1/flow @n1',
    ]);
  });

  it('refuses a missing or unpublished flow on flow, a missing version on version', async () => {
    // The lookup answers only the workspace's published flows: an unpublished draft and another workspace's flow are
    // both absent from it.
    const published = lookup({ B: [calling()] });
    expect(await codes(published, 'A', calling('nope', { flow: 'B', version: 2 }, { flow: 'B', version: 1 }))).toEqual([
      'unknown_subflow /nodes/0/flow @n0',
      'unknown_subflow /nodes/1/version @n1',
    ]);
  });

  it('ends on cycles that do not involve the flow published', async () => {
    const published = lookup({ B: [calling('C')], C: [calling('B')] });
    expect(await codes(published, 'A', calling('B'))).toEqual([]);
  });
});
