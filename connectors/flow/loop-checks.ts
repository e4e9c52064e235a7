// The publish-time checks of loop nodes (README.md "Loops"), called by validate.ts: `items` must be able to give an
// array, a loop needs a body, a body holds only the node types a loop can run, and it is closed (nothing outside it
// leads into it but its loop's `item` edge). Also which loop's body a node is in, for the `loop.*` reference checks.
import { isTemplated, placeholderTexts } from './template.js';
import { ITEM_BRANCH, LOOP_BODY_TYPES, isLoopBodyType, loopBodies } from './loop.js';
import type { ValidationIssue } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `items` can never be an array, or null when it is one or may give one at run time. */
export function loopItemsProblem(items: unknown): string | null {
  if (Array.isArray(items)) return null;
  if (typeof items === 'string') {
    // Only a string that is exactly one placeholder keeps its value's type; any other string stays a string.
    if (isTemplated(items) && /^\{\{[\s\S]*\}\}$/.test(items) && placeholderTexts(items).length === 1) return null;
    return `must give an array: ${JSON.stringify(items.length > 60 ? `${items.slice(0, 57)}...` : items)} is ${
      isTemplated(items) ? 'text around a placeholder, which always gives a string' : 'a string'
    } (write exactly one placeholder, e.g. "{{ trigger.body.items }}")`;
  }
  if (isTemplated(items)) return null; // { "$logic": rule }
  return `must give an array, not ${items === null ? 'null' : isObj(items) ? 'an object' : `a ${typeof items}`}`;
}

/** Which loop's body each node is in (the first loop in definition order, when a node is in two: an issue anyway). */
export function enclosingLoops(nodes: unknown[], edges: unknown[]): Map<string, string> {
  const bodies = loopBodies(graphOf(nodes, edges));
  const inLoop = new Map<string, string>();
  for (const [loopId, body] of bodies) for (const id of body) if (!inLoop.has(id)) inLoop.set(id, loopId);
  return inLoop;
}

function graphOf(nodes: unknown[], edges: unknown[]) {
  return {
    nodes: nodes.flatMap((n) =>
      isObj(n) && typeof n.id === 'string' && typeof n.type === 'string' ? [{ id: n.id, type: n.type }] : [],
    ),
    edges: edges.flatMap((e) =>
      isObj(e) && typeof e.from === 'string' && typeof e.to === 'string'
        ? [{ from: e.from, to: e.to, ...(typeof e.branch === 'string' && { branch: e.branch }) }]
        : [],
    ),
  };
}

/** Every loop problem of a definition's nodes and edges (the schema and the branch checks cover the rest). */
export function loopIssues(nodes: unknown[], edges: unknown[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const graph = graphOf(nodes, edges);
  const bodies = loopBodies(graph);
  if (bodies.size === 0) return issues;
  const indexOf = new Map<string, number>();
  nodes.forEach((n, i) => isObj(n) && typeof n.id === 'string' && !indexOf.has(n.id) && indexOf.set(n.id, i));
  const typeOf = new Map(graph.nodes.map((n) => [n.id, n.type]));

  for (const [loopId, body] of bodies) {
    const at = `/nodes/${indexOf.get(loopId)}`;
    const node = nodes[indexOf.get(loopId)!] as Obj;
    if (node.items !== undefined) {
      const problem = loopItemsProblem(node.items);
      if (problem)
        issues.push({ path: `${at}/items`, code: 'loop_items', message: `items ${problem}`, nodeId: loopId });
    }
    if (!graph.edges.some((e) => e.from === loopId && e.branch === ITEM_BRANCH))
      issues.push({
        path: at,
        code: 'loop_body',
        message: `loop "${loopId}" has no body: connect its "${ITEM_BRANCH}" branch to the step to run for each item`,
        nodeId: loopId,
      });
    for (const id of body) {
      const type = typeOf.get(id);
      if (type !== undefined && !isLoopBodyType(type))
        issues.push({
          path: `/nodes/${indexOf.get(id)}/type`,
          code: 'loop_body_type',
          message: `"${id}" is a ${type} inside the body of loop "${loopId}"; a loop's body may hold only ${LOOP_BODY_TYPES.join(', ')}`,
          nodeId: id,
        });
    }
    graph.edges.forEach((e, i) => {
      if (!body.has(e.to) || body.has(e.from) || (e.from === loopId && e.branch === ITEM_BRANCH)) return;
      issues.push({
        path: `/edges/${edgeIndex(edges, i)}`,
        code: 'loop_body_exit',
        message: `"${e.to}" is in the body of loop "${loopId}" (it follows its "${ITEM_BRANCH}" branch), so nothing outside the body may lead to it, and "${e.from}" does; connect what runs after the items to the loop's "done" branch`,
        nodeId: e.to,
      });
    });
  }
  return issues;
}

/** The index in the raw edge list of the i-th well-formed edge. */
function edgeIndex(edges: unknown[], i: number): number {
  let seen = -1;
  for (const [j, e] of edges.entries())
    if (isObj(e) && typeof e.from === 'string' && typeof e.to === 'string' && ++seen === i) return j;
  return i;
}
