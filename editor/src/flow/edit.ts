// Pure edits of a flow definition. Each returns a new definition and never mutates its argument.
import type { FlowDefinition, FlowEdge, FlowNode, SwitchCase, SwitchNode } from './model.js';
import { caseBranch, optionalBranches, requiredBranches, TRIGGER_ID } from './model.js';
import { starterVar } from './trigger.js';

export type NewNode =
  | { type: 'action'; action: string }
  | { type: 'condition' }
  | { type: 'switch' }
  | { type: 'delay' }
  | { type: 'set' }
  | { type: 'wait' }
  | { type: 'subflow' }
  | { type: 'loop' }
  | { type: 'respond' };

/** A readable id not yet used: `save`, `save_2`, … */
export function uniqueId(def: FlowDefinition, base: string): string {
  const clean =
    base
      .replace(/[^A-Za-z0-9_]/g, '_')
      .replace(/^_+|_+$/g, '')
      .toLowerCase() || 'step';
  const taken = new Set([TRIGGER_ID, ...def.nodes.map((n) => n.id)]);
  if (!taken.has(clean)) return clean;
  for (let i = 2; ; i++) if (!taken.has(`${clean}_${i}`)) return `${clean}_${i}`;
}

export function makeNode(def: FlowDefinition, spec: NewNode, position?: { x: number; y: number }): FlowNode {
  const at = position && { position: { x: Math.round(position.x), y: Math.round(position.y) } };
  switch (spec.type) {
    case 'action':
      return {
        id: uniqueId(def, spec.action.split('.').pop() ?? 'action'),
        type: 'action',
        action: spec.action,
        input: {},
        ...at,
      };
    case 'condition':
      return {
        id: uniqueId(def, 'condition'),
        type: 'condition',
        rule: { '==': [{ var: starterVar(def) }, ''] },
        ...at,
      };
    case 'switch':
      return {
        id: uniqueId(def, 'switch'),
        type: 'switch',
        cases: [newCase([], starterVar(def))],
        ...at,
      };
    case 'delay':
      return { id: uniqueId(def, 'delay'), type: 'delay', duration: 'PT1M', ...at };
    case 'set':
      return { id: uniqueId(def, 'set'), type: 'set', values: {}, ...at };
    case 'wait':
      return { id: uniqueId(def, 'wait'), type: 'wait', for: 'reply', timeout: 'P1D', ...at };
    case 'subflow':
      // No flow chosen yet: validation says so until the Inspector picks one.
      return { id: uniqueId(def, 'subflow'), type: 'subflow', flow: '', input: {}, ...at };
    case 'loop':
      // Items from the webhook body's first guess; the body is what the user connects to its "item" handle.
      return { id: uniqueId(def, 'loop'), type: 'loop', items: '{{ trigger.body.items }}', ...at };
    case 'respond':
      // The webhook's answer; the run id lets the caller find the run later.
      return {
        id: uniqueId(def, 'respond'),
        type: 'respond',
        status: 200,
        body: { ok: true, runId: '{{ run.id }}' },
        ...at,
      };
  }
}

export const addNode = (def: FlowDefinition, node: FlowNode): FlowDefinition => ({
  ...def,
  nodes: [...def.nodes, node],
});

export function updateNode(def: FlowDefinition, id: string, update: (n: FlowNode) => FlowNode): FlowDefinition {
  return { ...def, nodes: def.nodes.map((n) => (n.id === id ? update(n) : n)) };
}

/** Renames a node and the edges that name it. References in templates are left to the user (validation shows them). */
export function renameNode(def: FlowDefinition, id: string, next: string): FlowDefinition {
  const at = (s: string) => (s === id ? next : s);
  return {
    ...def,
    nodes: def.nodes.map((n) => (n.id === id ? { ...n, id: next } : n)),
    edges: def.edges.map((e) => (e.from === id || e.to === id ? { ...e, from: at(e.from), to: at(e.to) } : e)),
  };
}

export function removeNodes(def: FlowDefinition, ids: readonly string[]): FlowDefinition {
  const gone = new Set(ids.filter((i) => i !== TRIGGER_ID));
  if (!def.nodes.some((n) => gone.has(n.id))) return def;
  return {
    ...def,
    nodes: def.nodes.filter((n) => !gone.has(n.id)),
    edges: def.edges.filter((e) => !gone.has(e.from) && !gone.has(e.to)),
  };
}

/** A copy of a node, offset a little, unconnected. */
export function duplicateNode(
  def: FlowDefinition,
  id: string,
  displayed?: { x: number; y: number },
): { def: FlowDefinition; id?: string } {
  const src = def.nodes.find((n) => n.id === id);
  if (!src) return { def };
  const base = src.position ?? displayed ?? { x: 0, y: 0 };
  const copy = {
    ...structuredClone(src),
    id: uniqueId(def, src.id.replace(/_\d+$/, '')),
    position: { x: base.x + 40, y: base.y + 40 },
  } as FlowNode;
  return { def: addNode(def, copy), id: copy.id };
}

/**
 * Connects `from` to `to`. A branching source needs a branch; a branch already used is moved to the new target
 * (one edge per branch), and duplicates or self-loops are ignored.
 */
export function connect(def: FlowDefinition, from: string, to: string, branch?: string | null): FlowDefinition {
  if (from === to || to === TRIGGER_ID) return def;
  const source = def.nodes.find((n) => n.id === from);
  const branches = source ? requiredBranches(source) : undefined;
  const b = branch ?? undefined;
  if (branches && (!b || !branches.includes(b))) return def;
  if (!branches && b && !(source && optionalBranches(source).includes(b))) return connect(def, from, to, null);
  const edge: FlowEdge = b ? { from, to, branch: b } : { from, to };
  const rest = def.edges.filter(
    (e) => !(e.from === from && (b ? e.branch === b : e.to === to && e.branch === undefined)),
  );
  return { ...def, edges: [...rest, edge] };
}

/** A new switch case with an id no case of `cases` has (`case_1`, `case_2`, …), and a rule to start from. */
export function newCase(cases: readonly SwitchCase[], startVar: string): SwitchCase {
  const taken = new Set(cases.map((c, i) => caseBranch(c, i)));
  let k = cases.length + 1;
  while (taken.has(`case_${k}`)) k++;
  return { id: `case_${k}`, rule: { '==': [{ var: startVar }, ''] } };
}

/**
 * Edits a switch's cases with `change` (add, remove, move). Cases without an id first get their current branch name
 * as id, so moving or removing one never hands another case's edges to it; edges of a branch that is gone go too.
 */
export function editCases(
  def: FlowDefinition,
  id: string,
  change: (cases: SwitchCase[]) => SwitchCase[],
): FlowDefinition {
  const node = def.nodes.find((n): n is SwitchNode => n.id === id && n.type === 'switch');
  if (!node) return def;
  const pinned = node.cases.map((c, i) => ({ ...c, id: caseBranch(c, i) }));
  const cases = change(pinned);
  const next = { ...node, cases };
  const kept = new Set(requiredBranches(next));
  return {
    ...def,
    nodes: def.nodes.map((n) => (n === node ? next : n)),
    edges: def.edges.filter((e) => e.from !== id || e.branch === undefined || kept.has(e.branch)),
  };
}

export function removeEdges(def: FlowDefinition, edges: readonly FlowEdge[]): FlowDefinition {
  const drop = (e: FlowEdge) => edges.some((x) => x.from === e.from && x.to === e.to && x.branch === e.branch);
  const kept = def.edges.filter((e) => !drop(e));
  return kept.length === def.edges.length ? def : { ...def, edges: kept };
}

export function moveNodes(def: FlowDefinition, moves: ReadonlyMap<string, { x: number; y: number }>): FlowDefinition {
  return {
    ...def,
    nodes: def.nodes.map((n) => {
      const p = moves.get(n.id);
      return p ? { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } } : n;
    }),
  };
}

/** Ids of the nodes that run before `id` (its ancestors), in definition order: the steps whose output it may use. */
export function upstreamOf(def: FlowDefinition, id: string): string[] {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    for (const e of def.edges) {
      if (e.to !== cur || seen.has(e.from)) continue;
      seen.add(e.from);
      stack.push(e.from);
    }
  }
  return def.nodes.filter((n) => seen.has(n.id)).map((n) => n.id);
}
