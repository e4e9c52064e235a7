// The branch names a node's out-edges may carry: fixed for conditions and waits (`BRANCHES`), one per case plus
// `default` for a switch, and the optional `error` branch of an action. Pure, import-free apart from types.ts: the
// planner, the validator and the editor all read branches from here.
import { BRANCHES, type FlowNode, type SwitchCase } from './types.js';

/** The branch an action's failure follows, when the action has an edge with it. */
export const ERROR_BRANCH = 'error';
/** The branch a switch takes when no case matches. */
export const DEFAULT_BRANCH = 'default';

/** A switch case's branch: its `id`, else `case<index>` (0-based). */
export const caseBranch = (c: Pick<SwitchCase, 'id'> | undefined, index: number): string =>
  typeof c?.id === 'string' && c.id !== '' ? c.id : `case${index}`;

/**
 * The branches every out-edge of `node` must name one of (condition, wait, switch), or undefined when its out-edges
 * carry none (action: except `error`, see `optionalBranches`; set; delay). A switch's cases come first, in order.
 */
export function requiredBranches(node: Pick<FlowNode, 'type'> & { cases?: unknown }): readonly string[] | undefined {
  if (node.type === 'switch') {
    const cases = Array.isArray(node.cases) ? (node.cases as Array<SwitchCase | undefined>) : [];
    return [...cases.map((c, i) => caseBranch(c, i)), DEFAULT_BRANCH];
  }
  return BRANCHES[node.type];
}

/** Node types whose failure can be routed (an `error` edge, `onError: 'continue'`): actions and sub-flows. */
export const canFail = (type: unknown): type is 'action' | 'subflow' => type === 'action' || type === 'subflow';

/** Branches an out-edge of `node` may name besides unbranched edges: `error` for actions and sub-flows. */
export const optionalBranches = (node: Pick<FlowNode, 'type'>): readonly string[] =>
  canFail(node.type) ? [ERROR_BRANCH] : [];

/** Every source handle a node has, in drawing order: `null` is the unbranched one. */
export function outHandles(node: Pick<FlowNode, 'type'> & { cases?: unknown }): ReadonlyArray<string | null> {
  return requiredBranches(node) ?? [null, ...optionalBranches(node)];
}
