import { describe, expect, it } from 'vitest';
import { connect, editCases, makeNode, newCase } from './edit.js';
import type { FlowDefinition, SwitchNode } from './model.js';

const empty = (trigger: FlowDefinition['trigger']): FlowDefinition => ({
  schemaVersion: 1,
  trigger,
  nodes: [],
  edges: [],
});

describe('new nodes', () => {
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
  });
});

describe('branches in edits', () => {
  const base = (): FlowDefinition => ({
    schemaVersion: 1,
    trigger: { type: 'webhook' },
    nodes: [
      { id: 'a', type: 'action', action: 'http.request' },
      { id: 'sw', type: 'switch', cases: [{ rule: true }, { id: 'vip', rule: false }] },
      { id: 'x', type: 'set', values: {} },
      { id: 'y', type: 'set', values: {} },
    ],
    edges: [{ from: 'trigger', to: 'a' }],
  });

  it("connects an action's error branch beside its normal edge, and nothing else as a branch", () => {
    let d = connect(base(), 'a', 'x');
    d = connect(d, 'a', 'x', 'error');
    expect(d.edges.slice(1)).toEqual([
      { from: 'a', to: 'x' },
      { from: 'a', to: 'x', branch: 'error' },
    ]);
    // The error edge moves to a new target (one edge per branch); the normal one stays.
    d = connect(d, 'a', 'y', 'error');
    expect(d.edges.slice(1)).toEqual([
      { from: 'a', to: 'x' },
      { from: 'a', to: 'y', branch: 'error' },
    ]);
    expect(connect(base(), 'a', 'x', 'true').edges.at(-1)).toEqual({ from: 'a', to: 'x' });
  });

  it('connects a switch only by one of its branches (a case id, case<index>, default)', () => {
    const d = ['case0', 'vip', 'default'].reduce((acc, b) => connect(acc, 'sw', 'x', b), base());
    expect(d.edges.slice(1).map((e) => e.branch)).toEqual(['case0', 'vip', 'default']);
    expect(connect(base(), 'sw', 'x')).toEqual(base());
    expect(connect(base(), 'sw', 'x', 'case9')).toEqual(base());
  });

  it('pins case ids before moving or removing a case, and drops the edges of a removed case', () => {
    let d = connect(connect(base(), 'sw', 'x', 'case0'), 'sw', 'y', 'vip');
    d = editCases(d, 'sw', (cases) => [cases[1]!, cases[0]!]); // move vip up: case0 keeps its edge
    expect((d.nodes[1] as SwitchNode).cases).toEqual([
      { id: 'vip', rule: false },
      { id: 'case0', rule: true },
    ]);
    expect(d.edges.slice(1)).toEqual([
      { from: 'sw', to: 'x', branch: 'case0' },
      { from: 'sw', to: 'y', branch: 'vip' },
    ]);
    d = editCases(d, 'sw', (cases) => cases.filter((c) => c.id !== 'vip'));
    expect(d.edges.slice(1)).toEqual([{ from: 'sw', to: 'x', branch: 'case0' }]);
    expect(newCase((d.nodes[1] as SwitchNode).cases, 'trigger.body.x')).toEqual({
      id: 'case_2',
      rule: { '==': [{ var: 'trigger.body.x' }, ''] },
    });
  });

  it('starts a new switch with one case and the default', () => {
    expect(makeNode(base(), { type: 'switch' })).toEqual({
      id: 'switch',
      type: 'switch',
      cases: [{ id: 'case_1', rule: { '==': [{ var: 'trigger.body.x' }, ''] } }],
    });
  });
});
