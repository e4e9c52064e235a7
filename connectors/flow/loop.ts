// Loop nodes as graphs (README.md "Loops"): a loop's body is every node reached from its `item` edge. The parent run
// walks the definition without the bodies (`mainGraph`); each item walks its loop's body on its own (`bodyGraph`, the
// `item` edges as edges from the trigger). Pure and import-free apart from types.ts: the planner's callers, the
// validator, the workflows and the editor all read loops from here.
import { TRIGGER_ID, type FlowDefinition, type FlowNode, type JsonValue, type StepState } from './types.js';

/** The branch of a loop's per-item body, and of what runs after every item. */
export const ITEM_BRANCH = 'item';
export const DONE_BRANCH = 'done';

export const LOOP_LIMITS = {
  /** Items at the same time. */
  defaultConcurrency: 1,
  maxConcurrency: 50,
  /** Items one loop step may take: `maxItems` defaults to the first, and may be at most the second. */
  defaultMaxItems: 1_000,
  maxItems: 10_000,
} as const;

/** Node types a loop's body may hold (no waits, sub-flows or nested loops: one history holds every item's steps). */
export const LOOP_BODY_TYPES = ['action', 'set', 'condition', 'switch', 'delay'] as const;
export type LoopBodyType = (typeof LOOP_BODY_TYPES)[number];
export const isLoopBodyType = (type: unknown): type is LoopBodyType =>
  (LOOP_BODY_TYPES as readonly unknown[]).includes(type);

type Edge = { from: string; to: string; branch?: string | undefined };

/**
 * Each loop's body: the ids of the nodes reached from its `item` edges (following every edge), by loop id. A node in
 * two bodies (or a loop in a body) is the validator's to report; here it simply belongs to both.
 */
export function loopBodies(def: { nodes: ReadonlyArray<{ id: string; type: string }>; edges: readonly Edge[] }) {
  const out = new Map<string, string[]>();
  for (const e of def.edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const bodies = new Map<string, Set<string>>();
  for (const n of def.nodes) {
    if (n.type !== 'loop' || bodies.has(n.id)) continue;
    const body = new Set<string>();
    const stack = def.edges.filter((e) => e.from === n.id && e.branch === ITEM_BRANCH).map((e) => e.to);
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (body.has(id) || id === n.id) continue;
      body.add(id);
      stack.push(...(out.get(id) ?? []));
    }
    bodies.set(n.id, body);
  }
  return bodies;
}

/** The ids of every node inside some loop's body. */
export function bodyNodeIds(def: FlowDefinition): Set<string> {
  const all = new Set<string>();
  for (const body of loopBodies(def).values()) for (const id of body) all.add(id);
  return all;
}

/** The definition the run itself walks: without the loops' bodies (and the edges into and out of them). */
export function mainGraph(def: FlowDefinition): FlowDefinition {
  const inBody = bodyNodeIds(def);
  if (inBody.size === 0) return def;
  return {
    ...def,
    nodes: def.nodes.filter((n) => !inBody.has(n.id)),
    edges: def.edges.filter((e) => !inBody.has(e.from) && !inBody.has(e.to)),
  };
}

/** One item's definition: the loop's body, entered from the trigger where the loop's `item` edges enter it. */
export function bodyGraph(def: FlowDefinition, loopId: string): FlowDefinition {
  const body = loopBodies(def).get(loopId) ?? new Set<string>();
  return {
    schemaVersion: 1,
    trigger: def.trigger,
    nodes: def.nodes.filter((n) => body.has(n.id)),
    edges: def.edges.flatMap((e) =>
      e.from === loopId && e.branch === ITEM_BRANCH && body.has(e.to)
        ? [{ from: TRIGGER_ID, to: e.to }]
        : body.has(e.from) && body.has(e.to)
          ? [e]
          : [],
    ),
  };
}

/**
 * An item's result from its body's steps: the output of its last step, that is the last completed (or continued past)
 * node without out-edges in definition order, else the last completed one at all; null when none completed.
 */
export function itemResult(body: FlowDefinition, steps: readonly StepState[]): JsonValue {
  const hasOut = new Set(body.edges.map((e) => e.from));
  const done = (s: StepState) => s.status === 'completed' || (s.status === 'failed' && s.output !== undefined);
  const byId = new Map(steps.map((s) => [s.nodeId, s]));
  const ordered = body.nodes.map((n: FlowNode) => byId.get(n.id)).filter((s): s is StepState => !!s && done(s));
  const last = ordered.filter((s) => !hasOut.has(s.nodeId)).at(-1) ?? ordered.at(-1);
  return last?.output ?? null;
}

/**
 * A loop's resolved `items` as the array it runs over, or why it cannot run: not an array (LOOP_ITEMS, naming the
 * field), or more items than its `maxItems` (LOOP_TOO_MANY_ITEMS, naming the bound).
 */
export function checkLoopItems(
  node: { id: string; maxItems?: number },
  value: JsonValue,
): { items: JsonValue[] } | { code: 'LOOP_ITEMS' | 'LOOP_TOO_MANY_ITEMS'; message: string } {
  if (!Array.isArray(value))
    return {
      code: 'LOOP_ITEMS',
      message: `the items of loop "${node.id}" (its "items" field) gave ${describe(value)}, not an array`,
    };
  const max = Math.min(node.maxItems ?? LOOP_LIMITS.defaultMaxItems, LOOP_LIMITS.maxItems);
  if (value.length > max)
    return {
      code: 'LOOP_TOO_MANY_ITEMS',
      message: `loop "${node.id}" got ${value.length} items, more than its maxItems of ${max}${
        node.maxItems === undefined ? ` (the default; at most ${LOOP_LIMITS.maxItems})` : ''
      }`,
    };
  return { items: value };
}

const describe = (v: JsonValue): string =>
  v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v} (${JSON.stringify(v).slice(0, 40)})`;
