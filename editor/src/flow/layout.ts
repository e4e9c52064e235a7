// Auto-layout with dagre, top to bottom. Returns a position for every node (trigger included).
import dagre from '@dagrejs/dagre';
import type { FlowDefinition } from './model.js';
import { TRIGGER_ID } from './model.js';

const SIZE = { width: 220, height: 70 };

export function autoLayout(def: FlowDefinition): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 50, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  g.setNode(TRIGGER_ID, { ...SIZE });
  for (const n of def.nodes) g.setNode(n.id, { ...SIZE });
  for (const e of def.edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const id of g.nodes()) {
    const n = g.node(id);
    out.set(id, { x: Math.round(n.x - SIZE.width / 2), y: Math.round(n.y - SIZE.height / 2) });
  }
  return out;
}
