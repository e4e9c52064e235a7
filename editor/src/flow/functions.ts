// The data functions for the editor (connectors/flow/functions/catalog.ts, plain data: no implementation, no
// json-logic-js in the bundle): the data picker's "Functions" list inserts a template pipe, the condition builder
// applies one to a row's value. Pure helpers, unit-tested.
import {
  FUNCTION_GROUPS,
  FUNCTIONS,
  FUNCTIONS_BY_NAME,
  type FunctionGroup,
  type FunctionSpec,
} from '../../../connectors/flow/functions/catalog.js';
import type { JsonValue } from './model.js';

export { FUNCTION_GROUPS, FUNCTIONS, FUNCTIONS_BY_NAME, type FunctionGroup, type FunctionSpec };

/** The functions by group, in catalog order. */
export function functionsByGroup(): Array<{ group: FunctionGroup; label: string; functions: FunctionSpec[] }> {
  return (Object.keys(FUNCTION_GROUPS) as FunctionGroup[]).map((group) => ({
    group,
    label: FUNCTION_GROUPS[group],
    functions: FUNCTIONS.filter((f) => f.group === group),
  }));
}

/** The arguments after the first of a function's example: the placeholders a new call starts with. */
export function exampleArgs(fn: FunctionSpec): JsonValue[] {
  const args = (fn.example.call[fn.name] ?? []) as JsonValue[];
  return fn.args.length === 0 ? [] : args.slice(1);
}

/** A pipe step as a template writes it: `text.lower`, `date.format: "yyyy-MM-dd", "Europe/Paris"`. */
export function pipeStep(fn: FunctionSpec, args: JsonValue[] = exampleArgs(fn)): string {
  const literal = args.filter((a) => a === null || typeof a !== 'object');
  return literal.length > 0 ? `${fn.name}: ${literal.map((a) => JSON.stringify(a)).join(', ')}` : fn.name;
}

/**
 * `text` with function `fn` applied at `caret`: piped into the placeholder the caret is in (or the last one before
 * it) as ` | fn: args`, else a new placeholder (`{{ date.now }}`, or `{{ trigger.body | fn }}` to complete). Returns
 * the new text and where the caret goes (just after the inserted step).
 */
export function applyFunctionAt(text: string, caret: number, fn: FunctionSpec): { text: string; caret: number } {
  const step = pipeStep(fn);
  let target: { start: number; end: number } | undefined;
  for (const m of text.matchAll(/\{\{[^{}\n]*?\}\}/g)) {
    const start = m.index;
    const end = start + m[0].length;
    if (start < caret) target = { start, end };
  }
  if (target && fn.args.length > 0) {
    const inner = text.slice(target.start + 2, target.end - 2).trimEnd();
    const piece = `${inner} | ${step} `;
    const next = text.slice(0, target.start + 2) + piece + text.slice(target.end - 2);
    return { text: next, caret: target.start + 2 + piece.length - 1 };
  }
  const inserted = fn.args.length === 0 ? `{{ ${step} }}` : `{{ trigger.body | ${step} }}`;
  const at = Math.min(caret, text.length);
  return { text: text.slice(0, at) + inserted + text.slice(at), caret: at + inserted.length };
}

/** A condition row's value with a function applied: `{ "text.lower": [{ "var": path }, ...args] }`. */
export function callOn(path: string, fn: FunctionSpec, args: JsonValue[] = exampleArgs(fn)): JsonValue {
  return { [fn.name]: [{ var: path }, ...args] };
}

/** One line for a tooltip: `text.pad(text, length, [fill], [side]) → text: Pads ...`. */
export function signature(fn: FunctionSpec): string {
  const args = fn.args.map((a) => (a.optional ? `[${a.name}]` : a.rest ? `${a.name}...` : a.name)).join(', ');
  return `${fn.name}(${args}) → ${fn.returns}`;
}
