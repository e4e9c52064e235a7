// The interpreter's pure step function (README.md "The flow definition": branches, skipped nodes): given the
// definition and what each step has done, say what to start and what to skip. Dead-path elimination over a DAG; no
// I/O, no clock, no randomness, so the workflow can call it on every turn and stay deterministic. Joins: a node waits
// for every incoming edge to be decided (`join: 'all'`, the default) or for the first taken one (`join: 'first'`).
import { canFail, ERROR_BRANCH, requiredBranches } from './branches.js';
import { TRIGGER_ID, type FlowDefinition, type FlowNode, type Plan, type StepState } from './types.js';

type EdgeState = 'taken' | 'dead' | 'open';

export function planNext(def: FlowDefinition, steps: Record<string, StepState>): Plan {
  const nodes = new Map<string, FlowNode>();
  for (const n of def.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
  const incoming = new Map<string, FlowDefinition['edges']>();
  for (const e of def.edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e]);
  // Actions with an error edge: their failure for good follows it instead of failing the run.
  const errorRouted = new Set(
    def.edges.filter((e) => e.branch === ERROR_BRANCH && canFail(nodes.get(e.from)?.type)).map((e) => e.from),
  );

  const skipped = new Set<string>();
  const ready = new Set<string>();

  const status = (id: string) => (skipped.has(id) ? 'skipped' : steps[id]?.status);
  const undecided = (id: string) => {
    const s = status(id);
    return !ready.has(id) && (s === undefined || s === 'pending');
  };

  const edgeState = (e: FlowDefinition['edges'][number]): EdgeState => {
    if (e.from === TRIGGER_ID) return e.branch === undefined ? 'taken' : 'dead';
    const src = nodes.get(e.from);
    if (!src) return 'dead'; // an edge from nothing can never fire (validation reports it)
    const s = status(e.from);
    if (s === 'skipped') return 'dead';
    if (src.type === 'action' || src.type === 'subflow') {
      // A failed action with an error edge takes it, and only it; a completed one takes every edge but it. The
      // interpreter marks a failure for good (after retries, not a cancellation) with branch `error`.
      if (s === 'failed' && errorRouted.has(src.id) && steps[src.id]?.branch === ERROR_BRANCH)
        return e.branch === ERROR_BRANCH ? 'taken' : 'dead';
      if (s === 'completed' || (s === 'failed' && src.onError === 'continue'))
        return e.branch === undefined ? 'taken' : 'dead';
      // Running, waiting, not started, or failed for good: undecided. A hard failure blocks its downstream (a retry
      // of the run can revive it) rather than skipping it.
      return 'open';
    }
    if (s !== 'completed') return 'open';
    if (e.branch === undefined) return 'taken';
    return requiredBranches(src) !== undefined && steps[e.from]?.branch === e.branch ? 'taken' : 'dead';
  };

  // Skipping a node kills its out-edges, which can decide more nodes: iterate to a fixed point.
  for (let changed = true; changed;) {
    changed = false;
    for (const id of nodes.keys()) {
      if (!undecided(id)) continue;
      const states = (incoming.get(id) ?? []).map(edgeState);
      const first = nodes.get(id)!.join === 'first';
      if (states.includes('open') && !(first && states.includes('taken'))) continue;
      // No incoming edge at all means unreachable: skipped, like an all-dead join.
      (states.includes('taken') ? ready : skipped).add(id);
      changed = true;
    }
  }

  const active = Object.values(steps).some((s) => s.status === 'running' || s.status === 'waiting');
  return {
    ready: [...nodes.values()].filter((n) => ready.has(n.id)),
    skip: [...nodes.keys()].filter((id) => skipped.has(id)),
    // Progress only comes from starting a ready node or a running/waiting one finishing; with neither, the run is
    // over (anything left undecided sits behind a hard failure).
    done: ready.size === 0 && !active,
  };
}
