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

describe('planNext: switch', () => {
  // trigger → sw ─gold→ g ; ─case1→ s ; ─default→ d ; g, s, d → after (join all)
  const sw: FlowNode = {
    id: 'sw',
    type: 'switch',
    cases: [{ id: 'gold', rule: true }, { rule: true }],
  };
  const f = flow(
    [sw, act('g'), act('s'), act('d'), act('after')],
    [
      { from: 'trigger', to: 'sw' },
      { from: 'sw', to: 'g', branch: 'gold' },
      { from: 'sw', to: 's', branch: 'case1' },
      { from: 'sw', to: 'd', branch: 'default' },
      { from: 'g', to: 'after' },
      { from: 's', to: 'after' },
      { from: 'd', to: 'after' },
    ],
  );

  it('follows the branch the switch took (a case id, `case<index>`, or default) and skips the others', () => {
    expect(ids(planNext(f, {}))).toEqual(['sw']);
    expect(planNext(f, steps(st('sw', 'running'))).ready).toEqual([]);
    const gold = planNext(f, steps(st('sw', 'completed', 'gold')));
    expect([ids(gold), gold.skip]).toEqual([['g'], ['s', 'd']]);
    const second = planNext(f, steps(st('sw', 'completed', 'case1')));
    expect([ids(second), second.skip]).toEqual([['s'], ['g', 'd']]);
    const dflt = planNext(f, steps(st('sw', 'completed', 'default')));
    expect([ids(dflt), dflt.skip]).toEqual([['d'], ['g', 's']]);
  });

  it('runs the join after a switch once its taken branch is done (join all)', () => {
    const mid = steps(st('sw', 'completed', 'default'), st('d', 'running'));
    expect(ids(planNext(f, mid))).toEqual([]);
    const end = steps(st('sw', 'completed', 'default'), st('d', 'completed'));
    expect(ids(planNext(f, end))).toEqual(['after']);
  });

  it('blocks (not skips) every branch behind a switch that failed', () => {
    expect(planNext(f, steps(st('sw', 'failed')))).toEqual({ ready: [], skip: [], done: true });
  });
});

describe('planNext: error branch', () => {
  // trigger → a ─→ ok ; a ─error→ recover
  const f = (extra: Partial<FlowNode> = {}) =>
    flow(
      [act('a', extra), act('ok'), act('recover')],
      [
        { from: 'trigger', to: 'a' },
        { from: 'a', to: 'ok' },
        { from: 'a', to: 'recover', branch: 'error' },
      ],
    );

  it('takes the error branch of an action that failed into it, and kills its normal edges', () => {
    const p = planNext(f(), steps(st('a', 'failed', 'error')));
    expect([ids(p), p.skip]).toEqual([['recover'], ['ok']]);
    // onError continue does not change that: the error edge wins.
    const c = planNext(f({ onError: 'continue' }), steps(st('a', 'failed', 'error')));
    expect([ids(c), c.skip]).toEqual([['recover'], ['ok']]);
  });

  it('kills the error edge of an action that succeeded', () => {
    const p = planNext(f(), steps(st('a', 'completed')));
    expect([ids(p), p.skip]).toEqual([['ok'], ['recover']]);
  });

  it('blocks both when the failure was not routed (e.g. cancelled), as a hard failure does', () => {
    expect(planNext(f(), steps(st('a', 'failed')))).toEqual({ ready: [], skip: [], done: true });
  });

  it('leaves actions without an error edge as before (onError continue routes the normal edges)', () => {
    const c = flow(
      [act('a', { onError: 'continue' }), act('b')],
      [
        { from: 'trigger', to: 'a' },
        { from: 'a', to: 'b' },
      ],
    );
    expect(ids(planNext(c, steps(st('a', 'failed', 'error'))))).toEqual(['b']);
  });
});

describe('planNext: join', () => {
  // trigger → slow ─→ j ; trigger → fast ─→ j
  const fan = (join?: 'all' | 'first') =>
    flow(
      [act('slow'), act('fast'), act('j', join ? { join } : {})],
      [
        { from: 'trigger', to: 'slow' },
        { from: 'trigger', to: 'fast' },
        { from: 'slow', to: 'j' },
        { from: 'fast', to: 'j' },
      ],
    );

  it("first: starts on the first taken edge while the other is still open; 'all' (and no join) waits", () => {
    const one = steps(st('slow', 'running'), st('fast', 'completed'));
    expect(ids(planNext(fan('first'), one))).toEqual(['j']);
    expect(ids(planNext(fan('all'), one))).toEqual([]);
    expect(ids(planNext(fan(), one))).toEqual([]);
    expect(ids(planNext(fan('all'), steps(st('slow', 'completed'), st('fast', 'completed'))))).toEqual(['j']);
  });

  it('first: never starts again once started, whatever is taken later', () => {
    const later = steps(st('slow', 'completed'), st('fast', 'completed'), st('j', 'running'));
    expect(planNext(fan('first'), later).ready).toEqual([]);
    const done = steps(st('slow', 'completed'), st('fast', 'completed'), st('j', 'completed'));
    expect(planNext(fan('first'), done)).toEqual({ ready: [], skip: [], done: true });
  });

  it('first: skipped when every incoming edge is dead, like all', () => {
    const f = flow(
      [cond('c'), act('l'), act('r'), act('j', { join: 'first' })],
      [
        { from: 'trigger', to: 'c' },
        { from: 'c', to: 'l', branch: 'true' },
        { from: 'c', to: 'r', branch: 'true' },
        { from: 'l', to: 'j' },
        { from: 'r', to: 'j' },
      ],
    );
    expect(planNext(f, steps(st('c', 'completed', 'false')))).toEqual({
      ready: [],
      skip: ['l', 'r', 'j'],
      done: true,
    });
  });

  it('first after a condition: the taken branch starts it, the dead one does not matter', () => {
    // trigger → c ─true→ l ─→ j ; c ─false→ r ─→ j ; c ─true→ j (a shortcut, taken at once)
    const f = flow(
      [cond('c'), act('l'), act('r'), act('j', { join: 'first' })],
      [
        { from: 'trigger', to: 'c' },
        { from: 'c', to: 'l', branch: 'true' },
        { from: 'c', to: 'r', branch: 'false' },
        { from: 'l', to: 'j' },
        { from: 'r', to: 'j' },
        { from: 'c', to: 'j', branch: 'true' },
      ],
    );
    const p = planNext(f, steps(st('c', 'completed', 'true')));
    expect([ids(p), p.skip]).toEqual([['l', 'j'], ['r']]);
    // With join all the shortcut alone is not enough: l is still open.
    const all = { ...f, nodes: f.nodes.map((n) => (n.id === 'j' ? act('j') : n)) };
    expect(ids(planNext(all, steps(st('c', 'completed', 'true'))))).toEqual(['l']);
  });

  it('first after a switch: the switch branch that finishes first starts it, a slower branch does not hold it', () => {
    // trigger → sw ─a→ x ─→ j ; trigger → slow ─→ j
    const f = flow(
      [
        { id: 'sw', type: 'switch', cases: [{ id: 'a', rule: true }] },
        act('x'),
        act('slow'),
        act('j', { join: 'first' }),
      ],
      [
        { from: 'trigger', to: 'sw' },
        { from: 'trigger', to: 'slow' },
        { from: 'sw', to: 'x', branch: 'a' },
        { from: 'x', to: 'j' },
        { from: 'slow', to: 'j' },
      ],
    );
    const s = steps(st('sw', 'completed', 'a'), st('slow', 'running'), st('x', 'completed'));
    expect(ids(planNext(f, s))).toEqual(['j']);
    const all = { ...f, nodes: f.nodes.map((n) => (n.id === 'j' ? act('j') : n)) };
    expect(ids(planNext(all, s))).toEqual([]);
  });
});
