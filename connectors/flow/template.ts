// Templates in node inputs: `{{ path }}` placeholders in strings and `{ "$logic": rule }` values (README.md "The flow
// definition"). Pure and deterministic: safe in the workflow sandbox and the editor. Resolved values are data, never
// re-scanned for placeholders, so a trigger payload cannot inject templates.
import { isPipeline, parsePipeline, pipelinePaths, type PipeOperand } from './functions/pipes.js';
import { applyFunction, evaluateRule, ownValue, withRuleBudget, type EvaluateOptions } from './logic.js';
import type { JsonValue } from './types.js';

/** The roots a reference may start with (the run context's keys). */
export const TEMPLATE_ROOTS = ['trigger', 'steps', 'run', 'contact'] as const;

// Dot segments may hold `-` (header names such as `x-signature`) and digits (`items.0`); `[n]` indexes arrays.
const PATH_RE = /^[A-Za-z_$][\w$-]*(?:\.[\w$-]+|\[\d+\])*$/;
const SEGMENT_RE = /\.([\w$-]+)|\[(\d+)\]/g;
const EXACT_RE = /^\{\{(.*?)\}\}$/;
const LINE_BREAK_RE = /[\n\r\u2028\u2029]/g;

interface Placeholder {
  /** Offsets of `{{` and just past `}}`. */
  start: number;
  end: number;
  inner: string;
}

/**
 * Every `{{ … }}` in `s`, left to right, as the lazy pattern `/\{\{(.*?)\}\}/g` would find them (a placeholder never
 * spans a line break), and where the first `{{` without its `}}` is. Linear in the length of `s`: a regular
 * expression with a lazy group retries from every `{{`, which is quadratic on a string of unclosed ones.
 */
function scanPlaceholders(s: string): { placeholders: Placeholder[]; unclosedAt: number | null } {
  const placeholders: Placeholder[] = [];
  let unclosedAt: number | null = null;
  let lineStart = 0;
  const lineEnds = [...s.matchAll(LINE_BREAK_RE)].map((m) => m.index);
  lineEnds.push(s.length);
  for (const lineEnd of lineEnds) {
    let pos = lineStart;
    for (;;) {
      const open = s.indexOf('{{', pos);
      if (open < 0 || open >= lineEnd) break;
      const close = s.indexOf('}}', open + 2);
      if (close < 0 || close + 2 > lineEnd) {
        unclosedAt ??= open;
        break;
      }
      placeholders.push({ start: open, end: close + 2, inner: s.slice(open + 2, close) });
      pos = close + 2;
    }
    lineStart = lineEnd + 1;
  }
  return { placeholders, unclosedAt };
}

/** The text inside each well-closed `{{ … }}` of `s` (linear: see scanPlaceholders). */
export function placeholderTexts(s: string): string[] {
  return scanPlaceholders(s).placeholders.map((p) => p.inner);
}

/** A long string shortened for an error message. */
const excerpt = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);

/** Splits `a.b[0].c` into `['a', 'b', 0, 'c']`; null when it is not a path. */
export function parsePath(path: string): Array<string | number> | null {
  const p = path.trim();
  if (!PATH_RE.test(p)) return null;
  const first = /^[A-Za-z_$][\w$-]*/.exec(p)![0];
  const out: Array<string | number> = [first];
  for (const m of p.slice(first.length).matchAll(SEGMENT_RE)) out.push(m[1] ?? Number(m[2]));
  return out;
}

/** The value at `path` in `ctx`; null when any segment is missing. Own properties only (no `constructor` etc.). */
export function resolvePath(ctx: object, path: string): JsonValue {
  const segments = parsePath(path);
  if (!segments) return null;
  let cur: unknown = ctx;
  for (const seg of segments) {
    cur = ownValue(cur, seg);
    if (cur === undefined) return null;
  }
  return cur as JsonValue;
}

function isLogicObject(value: unknown): value is { $logic: JsonValue } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    '$logic' in value
  );
}

function stringify(value: JsonValue): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Whether `inner` is a well-formed placeholder (a path, or a pipeline of data functions). */
const isPlaceholder = (inner: string) =>
  isPipeline(inner) ? typeof parsePipeline(inner) !== 'string' : !!parsePath(inner);

/** The value of a well-formed placeholder: a path's value, or its pipeline's result (functions/pipes.ts). */
function placeholderValue(inner: string, ctx: object): JsonValue {
  if (!isPipeline(inner)) return resolvePath(ctx, inner);
  const pipeline = parsePipeline(inner);
  if (typeof pipeline === 'string') return null; // not reached: callers check isPlaceholder
  const value = (o: PipeOperand): unknown => ('path' in o ? resolvePath(ctx, o.path) : o.value);
  let cur: unknown = pipeline.head === undefined ? undefined : value(pipeline.head);
  pipeline.calls.forEach((call, i) => {
    const args = call.args.map(value);
    cur = applyFunction(call.name, i === 0 && pipeline.head === undefined ? args : [cur, ...args]);
  });
  return cur as JsonValue;
}

function resolveString(s: string, ctx: object): JsonValue {
  const exact = EXACT_RE.exec(s);
  // One whole placeholder keeps the value's type (an object stays an object, a number a number).
  if (exact && isPlaceholder(exact[1]!)) return placeholderValue(exact[1]!, ctx);
  // A malformed placeholder is left as written: validation reports it, and the runtime must not throw on it.
  let out = '';
  let last = 0;
  for (const { start, end, inner } of scanPlaceholders(s).placeholders) {
    if (!isPlaceholder(inner)) continue;
    out += s.slice(last, start) + stringify(placeholderValue(inner, ctx));
    last = end;
  }
  return out + s.slice(last);
}

/**
 * Resolves every placeholder and `$logic` value in `value` against `ctx` (a RunContext or anything shaped like it).
 * Missing paths become null (empty text inside a longer string). Throws if a `$logic` rule has an unknown operator,
 * a data function fails (FunctionError) or the functions go over RULE_BUDGET. `opts.now` is the run's clock
 * (`date.now`).
 */
export function resolveTemplates(value: JsonValue, ctx: object, opts: EvaluateOptions = {}): JsonValue {
  return withRuleBudget(opts, () => resolveValue(value, ctx));
}

function resolveValue(value: JsonValue, ctx: object): JsonValue {
  if (typeof value === 'string') return value.includes('{{') ? resolveString(value, ctx) : value;
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  if (isLogicObject(value)) return evaluateRule(value.$logic, ctx);
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value)) out[k] = resolveValue(v, ctx);
  return out;
}

/** True for a string holding a placeholder or a `{ "$logic": rule }` object: a value only known at run time. */
export function isTemplated(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{') && scanPlaceholders(value).placeholders.length > 0;
  return isLogicObject(value);
}

/** Why a string's placeholders are malformed (unclosed `{{`, or not a path), or null when they are fine. */
export function templateSyntaxError(s: string): string | null {
  if (!s.includes('{{')) return null;
  const { placeholders, unclosedAt } = scanPlaceholders(s);
  for (const { start, inner } of placeholders) {
    if (unclosedAt !== null && unclosedAt < start) break;
    if (isPipeline(inner)) {
      const pipeline = parsePipeline(inner);
      if (typeof pipeline === 'string') return `${excerpt(`{{${inner}}}`)}: ${pipeline}`;
    } else if (!parsePath(inner)) return `${excerpt(`{{${inner}}}`)} is not a path like trigger.body.items[0].sku`;
  }
  return unclosedAt === null ? null : `unclosed "{{" in ${excerpt(s)}`;
}

/** A reference found in a value: `pointer` is the JSON Pointer (relative to the value) of the string or `$logic`. */
export interface TemplateRef {
  pointer: string;
  path: string;
}

// json-logic operators whose later arguments are evaluated against each array item, not the run context.
const SCOPED_OPS = new Set(['map', 'filter', 'reduce', 'all', 'none', 'some']);

/** The context paths a json-logic rule reads with `var` (item-scoped vars inside map/filter/... excluded). */
export function ruleRefs(rule: unknown, out: string[] = []): string[] {
  if (Array.isArray(rule)) {
    for (const r of rule) ruleRefs(r, out);
  } else if (rule !== null && typeof rule === 'object') {
    const [op, args] = Object.entries(rule)[0] ?? [];
    if (op === undefined) return out;
    const list = Array.isArray(args) ? args : [args];
    if (op === 'var') {
      const name: unknown = list[0];
      if ((typeof name === 'string' && name !== '') || typeof name === 'number') out.push(String(name));
      else ruleRefs(name, out);
      ruleRefs(list.slice(1), out);
    } else {
      ruleRefs(SCOPED_OPS.has(op) ? list.slice(0, 1) : list, out);
    }
  }
  return out;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every reference in `value` with where it sits; placeholders in strings and `var`s in `$logic` rules. */
export function templateRefsAt(value: unknown, pointer = ''): TemplateRef[] {
  const out: TemplateRef[] = [];
  const walk = (v: unknown, at: string): void => {
    if (typeof v === 'string') {
      if (!v.includes('{{')) return;
      for (const { inner } of scanPlaceholders(v).placeholders) {
        if (isPipeline(inner)) {
          const pipeline = parsePipeline(inner);
          if (typeof pipeline !== 'string') for (const path of pipelinePaths(pipeline)) out.push({ pointer: at, path });
        } else if (parsePath(inner)) out.push({ pointer: at, path: inner.trim() });
      }
    } else if (isLogicObject(v)) {
      for (const path of ruleRefs(v.$logic)) out.push({ pointer: at, path });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${at}/${i}`));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) walk(item, `${at}/${escapePointer(k)}`);
    }
  };
  walk(value, pointer);
  return out;
}

/**
 * All distinct context paths `value` references, in order of appearance. A test oracle: only the tests call it, to
 * state what `templateRefsAt` finds in a readable form (validation calls `templateRefsAt` itself, for the pointers).
 */
export function templateRefs(value: unknown): string[] {
  return [...new Set(templateRefsAt(value).map((r) => r.path))];
}
