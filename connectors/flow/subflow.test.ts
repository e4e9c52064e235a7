// The sub-flow node in the flow model (README.md "Sub-flows"): its schema, its static checks and how the planner routes
// its failure. Whether the called flow exists, and cycles, need the workspace: server/services/flow-checks.ts.
import { describe, expect, it } from 'vitest';
import { planNext } from './plan.js';
import type { FlowDefinition, StepState, SubflowNode } from './types.js';
import { validateFlow } from './validate.js';

const def = (node: object, edges: object[] = [{ from: 'trigger', to: 'call' }], more: object[] = []) => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [{ id: 'call', type: 'subflow', ...node }, ...more],
  edges,
});
const issues = (d: unknown) => validateFlow(d, { actions: {} }).map((i) => `${i.code} ${i.path}`);

describe('the subflow node', () => {
  it('accepts a flow id with an optional version, templated input, timeout and onError', () => {
    const node = {
      flow: 'flow_abc',
      version: 3,
      input: { email: '{{ trigger.body.email }}', n: { $logic: { '+': [1, 2] } } },
      timeout: 'PT10M',
      onError: 'continue',
    } satisfies Omit<SubflowNode, 'id' | 'type'>;
    expect(issues(def(node))).toEqual([]);
    expect(issues(def({ flow: 'flow_abc' }))).toEqual([]);
  });

  it('needs a flow id, a positive integer version and a valid timeout', () => {
    expect(issues(def({}))).toEqual(['schema /nodes/0/flow']);
    expect(issues(def({ flow: '' }))).toEqual(['schema /nodes/0/flow']);
    expect(issues(def({ flow: 'f', version: 0 }))).toEqual(['schema /nodes/0/version']);
    expect(issues(def({ flow: 'f', version: 1.5 }))).toEqual(['schema /nodes/0/version']);
    expect(issues(def({ flow: 'f', timeout: 'soon' }))).toEqual(['invalid_duration /nodes/0/timeout']);
    // Zero would be no limit at all to Temporal: a sub-flow's timeout is at least a second.
    expect(issues(def({ flow: 'f', timeout: 'PT0S' }))).toEqual(['invalid_duration /nodes/0/timeout']);
    expect(validateFlow(def({ flow: 'f', timeout: 'PT0H' }), { actions: {} })[0]!.message).toBe(
      'timeout "PT0H" is out of range: a sub-flow timeout goes from PT1S to P366D',
    );
    expect(issues(def({ flow: 'f', timeout: 'PT1S' }))).toEqual([]);
    expect(issues(def({ flow: 'f', action: 'http.request' }))).toEqual(['schema /nodes/0/action']);
  });

  it("checks its input's templates like an action's", () => {
    expect(issues(def({ flow: 'f', input: { a: '{{ steps.nope.output }}' } }))).toEqual([
      'invalid_template /nodes/0/input/a',
    ]);
    expect(issues(def({ flow: 'f', input: { a: '{{ trigger.body' } }))).toEqual(['invalid_template /nodes/0/input/a']);
  });

  it('may have an error branch, and no other', () => {
    const more = [{ id: 'after', type: 'set', values: {} }];
    const edges = (branch?: string) => [
      { from: 'trigger', to: 'call' },
      { from: 'call', to: 'after', ...(branch !== undefined && { branch }) },
    ];
    expect(issues(def({ flow: 'f' }, edges('error'), more))).toEqual([]);
    expect(issues(def({ flow: 'f' }, edges(), more))).toEqual([]);
    expect(issues(def({ flow: 'f' }, edges('true'), more))).toEqual(['condition_branch /edges/1/branch']);
  });

  it('routes a failure with branch error into the error edge only (planner)', () => {
    const d = def(
      { flow: 'f' },
      [
        { from: 'trigger', to: 'call' },
        { from: 'call', to: 'ok' },
        { from: 'call', to: 'recover', branch: 'error' },
      ],
      [
        { id: 'ok', type: 'set', values: {} },
        { id: 'recover', type: 'set', values: {} },
      ],
    ) as FlowDefinition;
    const steps = (call: Partial<StepState>): Record<string, StepState> => ({
      call: { nodeId: 'call', type: 'subflow', status: 'completed', ...call },
      ok: { nodeId: 'ok', type: 'set', status: 'pending' },
      recover: { nodeId: 'recover', type: 'set', status: 'pending' },
    });
    const failed = planNext(d, steps({ status: 'failed', branch: 'error' }));
    expect([failed.ready.map((n) => n.id), failed.skip]).toEqual([['recover'], ['ok']]);
    const done = planNext(d, steps({}));
    expect([done.ready.map((n) => n.id), done.skip]).toEqual([['ok'], ['recover']]);
    // Failed for good without an error branch taken: its downstream waits (a retry of the run can revive it).
    const hard = planNext(d, steps({ status: 'failed' }));
    expect([hard.ready, hard.skip, hard.done]).toEqual([[], [], true]);
  });
});
