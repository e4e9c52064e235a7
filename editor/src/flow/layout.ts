// Auto-layout with dagre, top to bottom. Returns a position for every node (trigger included).
import dagre from '@dagrejs/dagre';
import type { FlowDefinition, FlowEdge } from './model.js';
import { requiredBranches, TRIGGER_ID } from './model.js';

const SIZE = { width: 220, height: 70 };

type Positions = Map<string, { x: number; y: number }>;

function run(def: FlowDefinition, edges: readonly FlowEdge[]): Positions {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 50, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  g.setNode(TRIGGER_ID, { ...SIZE });
  for (const n of def.nodes) g.setNode(n.id, { ...SIZE });
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const out: Positions = new Map();
  for (const id of g.nodes()) {
    const n = g.node(id);
    out.set(id, { x: Math.round(n.x - SIZE.width / 2), y: Math.round(n.y - SIZE.height / 2) });
  }
  return out;
}

/** Branch edges whose targets are drawn in the other order than the node's handles (true left of false, ...). */
function crossedBranches(def: FlowDefinition, pos: Positions): number {
  let crossed = 0;
  for (const n of def.nodes) {
    const branches = requiredBranches(n);
    if (!branches) continue;
    const xs = branches.flatMap((b) =>
      def.edges.filter((e) => e.from === n.id && e.branch === b).map((e) => pos.get(e.to)?.x ?? 0),
    );
    for (let i = 1; i < xs.length; i++) if (xs[i]! < xs[i - 1]!) crossed++;
  }
  return crossed;
}

/**
 * dagre knows nothing of handles: a condition's "true" child may land right of its "false" child, crossing the edges
 * under the node. The layout is made with the edges in definition order and with each branching node's edges in the
 * reverse order, and the one with fewer such crossings wins.
 */
export function autoLayout(def: FlowDefinition): Positions {
  const first = run(def, def.edges);
  const crossed = crossedBranches(def, first);
  if (crossed === 0) return first;
  const isBranch = (e: FlowEdge) => e.branch !== undefined;
  const edges = [...def.edges.filter((e) => !isBranch(e)), ...def.edges.filter(isBranch).reverse()];
  const second = run(def, edges);
  return crossedBranches(def, second) < crossed ? second : first;
}
