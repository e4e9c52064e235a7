// Data functions in templates: `{{ trigger.email | text.lower }}`, `{{ run.startedAt | date.format: "yyyy-MM-dd",
// "Europe/Paris" }}`, `{{ date.now | date.add: "P1D" }}`. The value before a `|` is the next function's first
// argument; the arguments after `:` are JSON literals (strings in double or single quotes, numbers, true, false,
// null) or paths. A placeholder may start with a path, a function (called with no value) or a literal. Parsed by hand
// (no eval), pure: used by template.ts, validate.ts and the editor.
import { FUNCTIONS_BY_NAME } from './catalog.js';

/** A path (`trigger.body.email`) or a literal value. */
export type PipeOperand = { path: string } | { value: unknown };

export interface PipeCall {
  name: string;
  args: PipeOperand[];
}

export interface Pipeline {
  /** The starting value; absent when the placeholder starts with a function call (then `calls[0]` gets no value). */
  head?: PipeOperand;
  calls: PipeCall[];
}

// Mirrors template.ts's path grammar (a root, `.segments`, `[n]` indexes).
const PATH_RE = /^[A-Za-z_$][\w$-]*(?:\.[\w$-]+|\[\d+\])*$/;
const NAME_RE = /^[a-z]+\.[A-Za-z0-9]+$/;
const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Splits `s` at top-level `sep` characters (outside quoted strings); null on an unterminated string. */
function splitOutsideQuotes(s: string, sep: string, max = Infinity): string[] | null {
  const parts: string[] = [];
  let start = 0;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === sep && parts.length < max - 1) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (quote) return null;
  parts.push(s.slice(start));
  return parts;
}

const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', n: '\n', t: '\t', r: '\r', '/': '/' };

/**
 * A quoted string's text: `\"`, `\'`, `\\`, `\n`, `\t`, `\r` and `\uXXXX` as in JSON; any other backslash stays, so a
 * pattern reads as written (`"#(\d+)"` is `#(\d+)`, as is `"#(\\d+)"`).
 */
function unescape(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (all, c: string) =>
    c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (ESCAPES[c] ?? all),
  );
}

/** A literal or a path, or why it is neither. */
function operand(raw: string): PipeOperand | string {
  const t = raw.trim();
  if (t === '') return 'an empty argument';
  if (t.startsWith('"') || t.startsWith("'")) {
    const q = t[0]!;
    const body = t.slice(1, -1);
    // Closed by the same quote, with no unescaped one inside (splitOutsideQuotes already found the string's end).
    if (t.length < 2 || !t.endsWith(q) || new RegExp(`(^|[^\\\\])(\\\\\\\\)*${q}`).test(body))
      return `${t} is not a string in ${q === '"' ? 'double' : 'single'} quotes`;
    return { value: unescape(body) };
  }
  if (t === 'true' || t === 'false') return { value: t === 'true' };
  if (t === 'null') return { value: null };
  if (NUMBER_RE.test(t)) return { value: Number(t) };
  if (PATH_RE.test(t)) return { path: t };
  return `${t} is neither a value ("text", 12, true, null) nor a path`;
}

/** True when `inner` (the text between `{{` and `}}`) uses the function syntax (a `|`, or starts with a function). */
export function isPipeline(inner: string): boolean {
  const t = inner.trim();
  return t.includes('|') || FUNCTIONS_BY_NAME.has(t.split(/[\s:]/, 1)[0]!);
}

/** The pipeline in a placeholder's text, or why it is not one. */
export function parsePipeline(inner: string): Pipeline | string {
  const stages = splitOutsideQuotes(inner, '|');
  if (!stages) return 'a quoted string is not closed';
  const calls: PipeCall[] = [];
  let head: PipeOperand | undefined;
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i]!.trim();
    const [nameText, argText] = splitOutsideQuotes(stage, ':', 2) ?? [stage];
    const name = nameText!.trim();
    if (i === 0 && !FUNCTIONS_BY_NAME.has(name)) {
      if (argText !== undefined && !stage.startsWith('"') && !stage.startsWith("'"))
        return `${JSON.stringify(name)} is not a function (see the functions list)`;
      const h = operand(stage);
      if (typeof h === 'string') return h;
      head = h;
      continue;
    }
    if (stage === '') return 'an empty step between "|"';
    if (!NAME_RE.test(name) || !FUNCTIONS_BY_NAME.has(name))
      return `${JSON.stringify(name)} is not a function (see the functions list)`;
    const args: PipeOperand[] = [];
    if (argText !== undefined) {
      for (const raw of splitOutsideQuotes(argText, ',') ?? []) {
        const a = operand(raw);
        if (typeof a === 'string') return `${name}: ${a}`;
        args.push(a);
      }
    }
    calls.push({ name, args });
  }
  if (calls.length === 0) return 'no function after "|"';
  return head === undefined ? { calls } : { head, calls };
}

/** The paths a pipeline reads (its head and path arguments). */
export function pipelinePaths(p: Pipeline): string[] {
  const out: string[] = [];
  for (const o of [p.head, ...p.calls.flatMap((c) => c.args)]) if (o && 'path' in o) out.push(o.path);
  return out;
}

/**
 * Each call's arguments as the function receives them: the piped value first (undefined where it is only known at
 * run time), then the literals (undefined for paths). For publish-time checks.
 */
export function pipelineCalls(p: Pipeline): Array<{ name: string; args: Array<{ known: boolean; value?: unknown }> }> {
  return p.calls.map((c, i) => {
    const piped =
      i === 0 && p.head === undefined
        ? []
        : [i === 0 && p.head && 'value' in p.head ? { known: true, value: p.head.value } : { known: false }];
    return {
      name: c.name,
      args: [...piped, ...c.args.map((a) => ('value' in a ? { known: true, value: a.value } : { known: false }))],
    };
  });
}
