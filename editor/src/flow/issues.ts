// Validation issues mapped onto the canvas: by node id, and by field path inside a node (`/nodes/2/input/email` →
// node 2, field `input/email`).
import type { FlowDefinition, ValidationIssue } from './model.js';

export function issuesByNode(def: FlowDefinition, issues: readonly ValidationIssue[]): Map<string, ValidationIssue[]> {
  const out = new Map<string, ValidationIssue[]>();
  for (const i of issues) {
    const id = i.nodeId ?? nodeIdOfPath(def, i.path) ?? (i.path.startsWith('/trigger') ? 'trigger' : undefined);
    if (!id) continue;
    out.set(id, [...(out.get(id) ?? []), i]);
  }
  return out;
}

function nodeIdOfPath(def: FlowDefinition, path: string): string | undefined {
  const m = /^\/nodes\/(\d+)(?:\/|$)/.exec(path);
  return m ? def.nodes[Number(m[1])]?.id : undefined;
}

/** The part of an issue's path inside its node (`input/email`), or '' for the node itself. */
export function fieldOf(path: string): string {
  const m = /^\/nodes\/\d+\/?(.*)$/.exec(path);
  return m ? m[1]! : '';
}

/** Issues not tied to a node (graph-wide). */
export function flowLevelIssues(def: FlowDefinition, issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.filter((i) => !i.nodeId && !nodeIdOfPath(def, i.path) && !i.path.startsWith('/trigger'));
}

/** rjsf extraErrors for an action's input from field issues (`input/email` → { email: { __errors: [...] } }). */
export function inputErrorSchema(issues: readonly ValidationIssue[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const i of issues) {
    const f = fieldOf(i.path);
    if (!f.startsWith('input')) continue;
    const parts = f.split('/').slice(1).filter(Boolean);
    let at = root as Record<string, unknown>;
    for (const p of parts) at = (at[p] ??= {}) as Record<string, unknown>;
    ((at.__errors ??= []) as string[]).push(i.message);
  }
  return root;
}

const ANY_OF = / must match a schema in anyOf$/;
const REQUIRED = / must have required property '([^']+)'$/;

/**
 * JSON Schema `anyOf` failures arrive as one issue per alternative ("must have required property 'email'", "… 'phone'",
 * …) plus the anyOf itself; shown as such, every alternative looks mandatory. They become one issue: "fill in one of".
 * `alternatives` names the fields an anyOf's alternatives require (from the action's schema), so that a field the
 * schema requires outright, reported in the same words, stays an issue of its own; unknown: every such field merges.
 */
export function friendlyIssues(
  issues: readonly ValidationIssue[],
  alternatives?: (anyOf: ValidationIssue) => readonly string[] | undefined,
): ValidationIssue[] {
  const anyOf = issues.filter((i) => ANY_OF.test(i.message));
  if (!anyOf.length) return [...issues];
  const merged = new Map<ValidationIssue, string[]>(anyOf.map((a) => [a, []]));
  const rest: ValidationIssue[] = [];
  for (const i of issues) {
    if (merged.has(i)) continue;
    const m = REQUIRED.exec(i.message);
    const parent =
      m &&
      anyOf.find(
        (a) => a.nodeId === i.nodeId && i.path === `${a.path}/${m[1]}` && (alternatives?.(a)?.includes(m[1]!) ?? true),
      );
    if (parent && m) merged.get(parent)!.push(m[1]!);
    else rest.push(i);
  }
  const out = [...merged].map(([a, fields]) =>
    fields.length ? { ...a, message: `fill in at least one of: ${fields.join(', ')}` } : a,
  );
  return [...out, ...rest];
}

/** The fields the root `anyOf` alternatives of an action node's input schema require (for `friendlyIssues`). */
export function anyOfFields(def: FlowDefinition, actions: ReadonlyMap<string, { input: Record<string, unknown> }>) {
  return (issue: ValidationIssue): string[] | undefined => {
    const m = /^\/nodes\/(\d+)\/input$/.exec(issue.path);
    const node = m ? def.nodes[Number(m[1])] : undefined;
    const alternatives = node?.type === 'action' ? actions.get(node.action)?.input.anyOf : undefined;
    if (!Array.isArray(alternatives)) return undefined;
    return alternatives.flatMap((a) => {
      const required = (a as { required?: unknown } | null)?.required;
      return Array.isArray(required) ? required.filter((r): r is string => typeof r === 'string') : [];
    });
  };
}
