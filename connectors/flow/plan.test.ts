import { describe, expect, it } from 'vitest';
import { planNext } from './plan.js';
import type { FlowDefinition, FlowEdge, FlowNode, StepState, StepStatus } from './types.js';

const act = (id: string, extra: Partial<FlowNode> = {}): FlowNode =>
  ({ id, type: 'action', action: 'http.request', ...extra }) as FlowNode;
const cond = (id: string): FlowNode => ({ id, type: 'condition', rule: true });
const flow = (nodes: FlowNode[], edges: FlowEdge[]): FlowDefinition => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes,
  edges,
});
const st = (nodeId: string, status: StepStatus, branch?: string): StepState => ({
  nodeId,
  type: 'action',
  status,
  ...(branch ? { branch } : {}),
});
const steps = (...list: StepState[]) => Object.fromEntries(list.map((s) => [s.nodeId, s]));
const ids = (p: { ready: FlowNode[] }) => p.ready.map((n) => n.id);

describe('planNext', () => {
  const linear = flow(
    [act('a'), act('b')],
    [
      { from: 'trigger', to: 'a' },
      { from: 'a', to: 'b' },
    ],
  );

  it('walks a linear flow one step at a time', () => {
    expect(planNext(linear, {})).toEqual({ ready: [linear.nodes[0]], skip: [], done: false });
    const running = planNext(linear, steps(st('a', 'running')));
    expect(running).toEqual({ ready: [], skip: [], done: false });
    expect(ids(planNext(linear, steps(st('a', 'completed'))))).toEqual(['b']);
    expect(planNext(linear, steps(st('a', 'completed'), st('b', 'completed')))).toEqual({
      ready: [],
      skip: [],
      done: true,
    });
  });

  it('treats a step entry with status pending like no entry', () => {
    expect(ids(planNext(linear, steps(st('a', 'pending'))))).toEqual(['a']);
  });

  // trigger → vip ─true→ save → notify ; vip ─false→ other
  const branching = flow(
    [cond('vip'), act('save'), act('notify'), act('other')],
    [
      { from: 'trigger', to: 'vip' },
      { from: 'vip', to: 'save', branch: 'true' },
      { from: 'save', to: 'notify' },
      { from: 'vip', to: 'other', branch: 'false' },
    ],
  );

  it('runs the true branch and skips the false one', () => {
    const p = planNext(branching, steps(st('vip', 'completed', 'true')));
    expect(ids(p)).toEqual(['save']);
    expect(p.skip).toEqual(['other']);
    expect(p.done).toBe(false);
  });

  it('propagates skips down the dead branch to a fixed point and reports done', () => {
    const p = planNext(branching, steps(st('vip', 'completed', 'false')));
    expect(ids(p)).toEqual(['other']);
    expect(p.skip).toEqual(['save', 'notify']);
    const end = planNext(branching, steps(st('vip', 'completed', 'false'), st('other', 'completed')));
    // save/notify still have no entry: skipped again, and done in the same call.
    expect(end).toEqual({ ready: [], skip: ['save', 'notify'], done: true });
  });

  // trigger → c ─true→ l ─┐
  //             ─false→ r ─┴→ join
  const diamond = flow(
    [cond('c'), act('l'), act('r'), act('join')],
    [
      { from: 'trigger', to: 'c' },
      { from: 'c', to: 'l', branch: 'true' },
      { from: 'c', to: 'r', branch: 'false' },
      { from: 'l', to: 'join' },
      { from: 'r', to: 'join' },
    ],
  );

  it('runs a join when either input is taken and the other is dead', () => {
    const p1 = planNext(diamond, steps(st('c', 'completed', 'true')));
    expect(ids(p1)).toEqual(['l']);
    expect(p1.skip).toEqual(['r']);
    const p2 = planNext(diamond, steps(st('c', 'completed', 'true'), st('l', 'completed'), st('r', 'skipped')));
    expect(ids(p2)).toEqual(['join']);
  });

  it('waits for every input of a join to be decided', () => {
    const fan = flow(
      [act('l'), act('r'), act('join')],
      [
        { from: 'trigger', to: 'l' },
        { from: 'trigger', to: 'r' },
        { from: 'l', to: 'join' },
        { from: 'r', to: 'join' },
      ],
    );
    expect(ids(planNext(fan, {}))).toEqual(['l', 'r']); // fan-out: both at once, in definition order
    expect(planNext(fan, steps(st('l', 'completed'), st('r', 'running')))).toEqual({
      ready: [],
      skip: [],
      done: false,
    });
    expect(ids(planNext(fan, steps(st('l', 'completed'), st('r', 'completed'))))).toEqual(['join']);
  });

  it('skips a join whose inputs are all dead', () => {
    const both = flow(
      [cond('c'), act('l'), act('r'), act('join'), act('after')],
      [
        { from: 'trigger', to: 'c' },
        { from: 'c', to: 'l', branch: 'true' },
        { from: 'c', to: 'r', branch: 'true' },
        { from: 'l', to: 'join' },
        { from: 'r', to: 'join' },
        { from: 'join', to: 'after' },
      ],
    );
    expect(planNext(both, steps(st('c', 'completed', 'false')))).toEqual({
      ready: [],
      skip: ['l', 'r', 'join', 'after'],
      done: true,
    });
  });

  it('routes a failed onError:continue action like a completed one', () => {
    const f = flow(
      [act('a', { onError: 'continue' }), act('b')],
      [
        { from: 'trigger', to: 'a' },
        { from: 'a', to: 'b' },
      ],
    );
    expect(ids(planNext(f, steps(st('a', 'failed'))))).toEqual(['b']);
  });

  it('blocks (not skips) the downstream of a hard failure, and is done', () => {
    expect(planNext(linear, steps(st('a', 'failed')))).toEqual({ ready: [], skip: [], done: true });
  });

  it('is not done while a step waits', () => {
    expect(planNext(linear, steps(st('a', 'waiting'))).done).toBe(false);
  });

  it('skips nodes without incoming edges and tolerates edges from unknown nodes', () => {
    const f = flow(
      [act('a'), act('orphan'), act('b')],
      [
        { from: 'trigger', to: 'a' },
        { from: 'ghost', to: 'b' },
      ],
    );
    const p = planNext(f, {});
    expect(ids(p)).toEqual(['a']);
    expect(p.skip).toEqual(['orphan', 'b']);
  });

  it('does not hang on a cycle (validation rejects them)', () => {
    const f = flow(
      [act('a'), act('b')],
      [
        { from: 'trigger', to: 'a' },
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    );
    expect(planNext(f, {})).toEqual({ ready: [], skip: [], done: true });
  });
});
