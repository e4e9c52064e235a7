// The poll trigger's own checks and rules (README.md "Poll triggers"): the source must be a poll trigger a connector
// declares, its `input` plain JSON (a poll has no run context to fill templates from) that passes the source's input
// schema, and the interval at least PT1M. validate.ts adds the issues to a definition's, so a poll that cannot run is a
// 422 at publish, never a Temporal Schedule whose every poll fails. Also the pure helpers the worker's poll uses:
// dotted paths into an answer, the budget of a poll. Uses ajv: never imported by workflow code.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { createAjv } from './ajv.js';
import { parseDuration } from './duration.js';
import { isTemplated } from './template.js';
import type { JsonValue, ValidationIssue } from './types.js';

/** The shortest interval between two polls of a flow: PT1M, as the schedule trigger's (providers' rate limits). */
export const POLL_MIN_INTERVAL_MS = 60_000;

/** The budget of one poll: at most this many new items (runs) each; the rest wait for the next poll. */
export const POLL_MAX_ITEMS = 100;
/** ...and at most this many bytes of item data in all (the items go through workflow history). */
export const POLL_MAX_BYTES = 1024 * 1024;
/** One item's data over this is not run (it could not be a run's input): it is recorded as seen and reported. */
export const POLL_MAX_ITEM_BYTES = 256 * 1024;
/** Longest dedupe key a source may give. */
export const POLL_MAX_KEY_LENGTH = 512;

/** The generic HTTP poll's id (the http connector's `poll` trigger). */
export const HTTP_POLL_SOURCE = 'http.poll';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const ajv = createAjv();
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/** Why `every` is not a poll interval (an ISO-8601 duration of at least PT1M), or null. */
export function pollIntervalProblem(every: string): string | null {
  let ms: number;
  try {
    ms = parseDuration(every);
  } catch {
    return 'is not an ISO-8601 duration (e.g. PT5M, PT1H)';
  }
  return ms < POLL_MIN_INTERVAL_MS ? 'is shorter than the shortest poll interval, PT1M' : null;
}

/** Pointers (under `at`) of every templated value in a value. */
function templatedAt(value: unknown, at: string): string[] {
  if (isTemplated(value)) return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => templatedAt(v, `${at}/${i}`));
  if (isObj(value)) return Object.entries(value).flatMap(([k, v]) => templatedAt(v, `${at}/${escapePointer(k)}`));
  return [];
}

const pointerOf = (e: ErrorObject): string => {
  const p = e.params as { missingProperty?: string; additionalProperty?: string };
  const child = e.keyword === 'required' ? p.missingProperty : p.additionalProperty;
  return child === undefined ? e.instancePath : `${e.instancePath}/${escapePointer(child)}`;
};

/**
 * Every issue of a poll trigger (its shape already went through the flow schema), on the trigger's field paths.
 * `sources`: input schema per poll trigger id; absent, the source is not checked (nothing to check it against).
 */
export function pollIssues(t: Obj, sources: Record<string, { input: object }> | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, code: string, message: string) => issues.push({ path, code, message });
  if (typeof t.every === 'string') {
    const problem = pollIntervalProblem(t.every);
    if (problem) add('/trigger/every', 'invalid_interval', `every "${t.every}" ${problem}`);
  }
  const input = t.input ?? {};
  const templated = templatedAt(input, '/trigger/input');
  for (const at of templated)
    add(
      at,
      'poll_template',
      'a poll trigger\'s input is plain JSON: there is no run yet to fill "{{ }}" or $logic from',
    );
  if (typeof t.source !== 'string' || !sources) return issues;
  const source = sources[t.source];
  if (!source) {
    const known = Object.keys(sources);
    add(
      '/trigger/source',
      'unknown_source',
      `no connector provides poll trigger "${t.source}" (installed: ${known.join(', ') || 'none'})`,
    );
    return issues;
  }
  if (!isObj(input)) return issues; // the flow schema reports it
  let validate = compiled.get(source.input);
  if (!validate) compiled.set(source.input, (validate = ajv.compile(source.input)));
  if (!validate(input))
    for (const e of validate.errors ?? []) {
      const at = `/trigger/input${pointerOf(e)}`;
      if (templated.some((p) => at === p || at.startsWith(`${p}/`))) continue;
      const where = at.replace(/^\/trigger\//, '').replace(/\//g, '.');
      const message =
        e.keyword === 'additionalProperties'
          ? `${where}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`
          : `${where} ${e.message ?? 'is invalid'}`;
      add(at, 'poll_input', message);
    }
  return issues;
}

/**
 * The value at a dotted path (`data.items`, `results.0.id`; `$` or empty: the value itself; a leading `$.` is
 * allowed, as JSONPath writes it). Undefined when a step is missing. Keys with dots in them cannot be named.
 */
export function valueAtPath(value: JsonValue, path: string): JsonValue | undefined {
  const trimmed = path.trim().replace(/^\$\.?/, '');
  if (trimmed === '') return value;
  let at: JsonValue | undefined = value;
  for (const step of trimmed.split('.')) {
    if (at === undefined || at === null || typeof at !== 'object') return undefined;
    if (Array.isArray(at)) {
      if (!/^\d+$/.test(step)) return undefined;
      at = at[Number(step)];
    } else at = Object.prototype.hasOwnProperty.call(at, step) ? at[step] : undefined;
  }
  return at;
}

/** Why `path` is not a dotted path `valueAtPath` reads, or null. */
export function pathProblem(path: string): string | null {
  const trimmed = path.trim().replace(/^\$\.?/, '');
  if (trimmed === '') return null;
  return trimmed.split('.').every((s) => s !== '') ? null : 'has an empty step (two dots, or a dot at an end)';
}
