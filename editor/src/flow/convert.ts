// Flow JSON ⇄ React Flow nodes and edges. Pure: the flow definition stays the source of truth, React Flow nodes carry
// the original flow node untouched, so a round trip gives back exactly the definition it started from.
import type { Edge, Node, NodeHandle, Position as Side } from '@xyflow/react';
import type { FlowDefinition, FlowEdge, FlowNode } from './model.js';
import { outHandles, TRIGGER_ID } from './model.js';

export interface TriggerData extends Record<string, unknown> {
  kind: 'trigger';
  trigger: FlowDefinition['trigger'];
}
export interface StepData extends Record<string, unknown> {
  kind: 'step';
  node: FlowNode;
}
export type CanvasNode = Node<TriggerData, 'trigger'> | Node<StepData, FlowNode['type']>;
export type CanvasEdge = Edge<{ edge: FlowEdge }>;

export type Size = { width: number; height: number };
export type Position = { x: number; y: number };

export const NODE_GAP = { x: 260, y: 130 };

/** Stable edge id: one edge per (from, branch, to). */
export const edgeId = (e: FlowEdge) => `${e.from}:${e.branch ?? ''}->${e.to}`;

/**
 * Where a node without a stored position is drawn: below its first parent, or in a column at the left.
 * Positions computed here are display-only; they are written back only when the user moves the node.
 */
export function displayPositions(def: FlowDefinition, triggerPosition?: Position): Map<string, Position> {
  const pos = new Map<string, Position>();
  pos.set(TRIGGER_ID, triggerPosition ?? { x: 0, y: 0 });
  const parents = new Map<string, string>();
  for (const e of def.edges) if (!parents.has(e.to)) parents.set(e.to, e.from);
  const children = new Map<string, number>();
  def.nodes.forEach((n, i) => {
    if (n.position) {
      pos.set(n.id, n.position);
      return;
    }
    const parent = parents.get(n.id);
    const p = parent ? pos.get(parent) : undefined;
    if (p && parent) {
      const k = children.get(parent) ?? 0;
      children.set(parent, k + 1);
      pos.set(n.id, { x: p.x + k * NODE_GAP.x, y: p.y + NODE_GAP.y });
    } else pos.set(n.id, { x: 0, y: (i + 1) * NODE_GAP.y });
  });
  return pos;
}

export interface FromOptions {
  triggerPosition?: Position;
  selected?: ReadonlySet<string>;
  measured?: ReadonlyMap<string, Size>;
  /**
   * Canvas nodes and edges of the previous call, by the flow node / edge they drew: reused when nothing about them
   * changed, so React Flow and the memoized node components skip them (a 1,000-node flow stays fast).
   */
  cache?: WeakMap<object, CanvasNode | CanvasEdge>;
}

const samePos = (a: Position, b: Position) => a.x === b.x && a.y === b.y;

/** The size a node is drawn at before it is measured (`.node` is 200px wide), and its handles' (10px squares). */
const INITIAL = { width: 200, height: 70 };
const HANDLE = 10;

/**
 * Where a node's handles are before it is measured: the target centred on the top edge, the sources spread along the
 * bottom (as StepNode draws them). React Flow renders every node that has no handle bounds, visible or not; with
 * these it renders only the visible ones of a big flow from the first frame, and measures the real ones when drawn.
 */
function initialHandles(node: FlowNode | typeof TRIGGER_ID): NodeHandle[] {
  const { width, height } = INITIAL;
  const at = (id: string | null, fraction: number, side: 'top' | 'bottom'): NodeHandle => ({
    id,
    type: side === 'top' ? 'target' : 'source',
    position: side as Side,
    x: width * fraction - HANDLE / 2,
    y: side === 'top' ? -HANDLE / 2 : height - HANDLE / 2,
    width: HANDLE,
    height: HANDLE,
  });
  if (node === TRIGGER_ID) return [at(null, 0.5, 'bottom')];
  const handles = outHandles(node);
  const sources = handles.map((b, i) => at(b, (i + 1) / (handles.length + 1), 'bottom'));
  return [at(null, 0.5, 'top'), ...sources];
}

export function fromDefinition(
  def: FlowDefinition,
  opts: FromOptions = {},
): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const pos = displayPositions(def, opts.triggerPosition);
  const extra = (
    id: string,
    node: FlowNode | typeof TRIGGER_ID,
  ): Pick<Node, 'selected' | 'initialWidth' | 'initialHeight' | 'measured' | 'handles'> => {
    const m = opts.measured?.get(id);
    // A size (and handles) before measuring lets React Flow fit the view and cull off-screen nodes from the first render.
    return {
      selected: opts.selected?.has(id) ?? false,
      initialWidth: INITIAL.width,
      initialHeight: INITIAL.height,
      ...(m ? { measured: m } : { handles: initialHandles(node) }),
    };
  };
  const trigger: CanvasNode = {
    id: TRIGGER_ID,
    type: 'trigger',
    position: pos.get(TRIGGER_ID)!,
    deletable: false,
    data: { kind: 'trigger', trigger: def.trigger },
    ...extra(TRIGGER_ID, TRIGGER_ID),
  };
  const cache = opts.cache;
  const nodes: CanvasNode[] = [
    trigger,
    ...def.nodes.map((n): CanvasNode => {
      const position = pos.get(n.id)!;
      const x = extra(n.id, n);
      const hit = cache?.get(n) as CanvasNode | undefined;
      if (hit && samePos(hit.position, position) && hit.selected === x.selected && hit.measured === x.measured)
        return hit;
      const made: CanvasNode = { id: n.id, type: n.type, position, data: { kind: 'step', node: n }, ...x };
      cache?.set(n, made);
      return made;
    }),
  ];
  const edges: CanvasEdge[] = def.edges.map((e) => {
    const hit = cache?.get(e) as CanvasEdge | undefined;
    if (hit) return hit;
    const made = makeEdge(e);
    cache?.set(e, made);
    return made;
  });
  return { nodes, edges };
}

function makeEdge(e: FlowEdge): CanvasEdge {
  return {
    id: edgeId(e),
    source: e.from,
    target: e.to,
    sourceHandle: e.branch ?? null,
    ...(e.branch !== undefined && { label: e.branch }),
    data: { edge: e },
  };
}

/**
 * The definition drawn by these nodes and edges (the trigger node gives the trigger, the others the flow nodes). A test
 * oracle: only the tests call it, to prove `fromDefinition` loses nothing; the editor never reads a definition back
 * from the canvas, it edits the definition (`edit.ts`) and redraws.
 */
export function toDefinition(nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): FlowDefinition {
  let trigger: FlowDefinition['trigger'] = { type: 'webhook' };
  const flowNodes: FlowNode[] = [];
  for (const n of nodes) {
    if (n.data.kind === 'trigger') trigger = n.data.trigger;
    else flowNodes.push(n.data.node);
  }
  const flowEdges = edges.map((e): FlowEdge => {
    if (e.data?.edge) return e.data.edge;
    return { from: e.source, to: e.target, ...(e.sourceHandle ? { branch: e.sourceHandle } : {}) };
  });
  return { schemaVersion: 1, trigger, nodes: flowNodes, edges: flowEdges };
}
