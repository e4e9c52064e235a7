// Argument checks for the data functions, sandbox-safe (no ajv: it generates code): the JSON Schema subset of
// catalog.ts's ArgSchema, plus the checks a schema cannot state (`x-check`). The workflow runs them before each call;
// validate.ts runs ajv on the same schemas at publish, then these `x-check`s.
import { isSupportedCountry } from 'libphonenumber-js/max';
import safeRegex from 'safe-regex2';
import type { ArgSchema, CheckName } from './catalog.js';
import { parseIso, tokenize } from './time.js';

const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number' && Number.isInteger(v)
        ? 'integer'
        : typeof v;

const describe = (v: unknown): string => {
  const t = typeOf(v);
  if (t === 'string')
    return `the text ${JSON.stringify((v as string).length > 40 ? `${(v as string).slice(0, 37)}...` : v)}`;
  if (t === 'integer' || t === 'number' || t === 'boolean') return `${t === 'integer' ? 'number' : t} ${String(v)}`;
  return t === 'undefined' ? 'nothing' : t === 'null' ? 'null' : `an ${t === 'array' ? 'array (list)' : 'object'}`;
};

const matchesType = (v: unknown, type: string) => {
  const t = typeOf(v);
  return t === type || (type === 'number' && t === 'integer');
};

/** Why `value` does not fit `schema` (the catalog's subset of JSON Schema and its `x-check`s), or null. */
export function checkArgument(schema: ArgSchema, value: unknown): string | null {
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t)))
      return `must be ${types.map((t) => (t === 'array' ? 'a list' : t === 'object' ? 'an object' : `a ${t === 'integer' ? 'whole number' : t}`)).join(' or ')}, got ${describe(value)}`;
  }
  if (schema.enum && !schema.enum.some((e) => e === value))
    return `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${describe(value)}`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `must be a finite number, got ${String(value)}`;
    if (schema.minimum !== undefined && value < schema.minimum)
      return `must be at least ${schema.minimum}, got ${value}`;
    if (schema.maximum !== undefined && value > schema.maximum)
      return `must be at most ${schema.maximum}, got ${value}`;
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return schema.minLength === 1 ? 'must not be empty' : `must have at least ${schema.minLength} characters`;
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      return `must have at most ${schema.maxLength} characters`;
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const problem = checkArgument(schema.items, value[i]);
      if (problem) return `item ${i} ${problem}`;
    }
  }
  if (schema.properties && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties[k];
      if (!sub) {
        if (schema.additionalProperties === false)
          return `has an unknown property "${k}" (known: ${Object.keys(schema.properties).join(', ')})`;
        continue;
      }
      const problem = checkArgument(sub, v);
      if (problem) return `property "${k}" ${problem}`;
    }
  }
  const check = schema['x-check'];
  return check ? CHECKS[check](value) : null;
}

/** Why `value` fails its schema's `x-check` (the part of an argument check ajv cannot do), or null. */
export function xCheckProblem(schema: ArgSchema, value: unknown): string | null {
  const check = schema['x-check'];
  return check ? CHECKS[check](value) : null;
}

/** Flags a regular expression of a function may have: no `y` or `d`, each once. */
const FLAGS_RE = /^(?!.*(.).*\1)[gimsu]*$/;

/** The RegExp a function argument names, or why it cannot be one (syntax, or exponential backtracking). */
export function compileRegex(pattern: string, flags = ''): RegExp | string {
  if (!FLAGS_RE.test(flags)) return `flags ${JSON.stringify(flags)}: only g, i, m, s and u, each once`;
  let re: RegExp;
  try {
    re = new RegExp(pattern, flags);
  } catch (err) {
    return `is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  // Nested quantifiers such as (a+)+ can take exponential time on a crafted text, in workflow code where nothing
  // can stop them.
  if (!safeRegex(re)) return `${JSON.stringify(pattern)} may take exponential time (nested repetition such as (a+)+)`;
  return re;
}

const timeZones = new Map<string, boolean>();
/** True for an IANA time zone name the runtime's Intl knows (UTC included). */
export function isTimeZone(tz: string): boolean {
  let ok = timeZones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (timeZones.size < 1000) timeZones.set(tz, ok);
  }
  return ok;
}

/** ISO 8601 durations for date arithmetic: years, months, weeks, days, hours, minutes, seconds (calendar units too). */
const DATE_DURATION_RE =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

export interface DateDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** The parts of an ISO 8601 duration, or null when `s` is none. */
export function parseDateDuration(s: string): DateDuration | null {
  const m = DATE_DURATION_RE.exec(s);
  if (!m) return null;
  const n = (i: number) => Number((m[i] ?? '0').replace(',', '.'));
  const d = { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
  return Object.values(d).every((v) => Number.isFinite(v) && v <= 1e9) ? d : null;
}

/** Milliseconds since 1970 of a date argument (ISO 8601 text or a number of milliseconds), or null when invalid. */
export function toEpochMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= 8.64e15 ? value : null;
  return typeof value === 'string' ? parseIso(value) : null;
}

/** Why a date format is unusable, or null. */
function dateFormatProblem(fmt: string): string | null {
  const tokens = tokenize(fmt);
  return typeof tokens === 'string' ? `is not a date format: it ${tokens}` : null;
}

const CHECKS: Record<CheckName, (value: unknown) => string | null> = {
  regex: (v) => {
    const re = typeof v === 'string' ? compileRegex(v) : null;
    return typeof re === 'string' ? re : null;
  },
  regexFlags: (v) =>
    typeof v === 'string' && !FLAGS_RE.test(v) ? 'may hold only the flags g, i, m, s and u, each once' : null,
  timeZone: (v) =>
    typeof v === 'string' && !isTimeZone(v)
      ? `${JSON.stringify(v)} is not an IANA time zone (e.g. Europe/Paris, UTC)`
      : null,
  locale: (v) => {
    if (typeof v !== 'string') return null;
    try {
      Intl.getCanonicalLocales(v);
      return null;
    } catch {
      return `${JSON.stringify(v)} is not a locale (e.g. en-US, de-DE)`;
    }
  },
  country: (v) =>
    typeof v === 'string' && !isSupportedCountry(v)
      ? `${JSON.stringify(v)} is not a country code (ISO 3166 alpha-2, e.g. FR, US)`
      : null,
  duration: (v) =>
    typeof v === 'string' && !parseDateDuration(v)
      ? `${JSON.stringify(v)} is not an ISO 8601 duration (e.g. P1D, PT2H30M, P1M)`
      : null,
  dateFormat: (v) => (typeof v === 'string' ? dateFormatProblem(v) : null),
  date: (v) =>
    (typeof v === 'string' || typeof v === 'number') && toEpochMs(v) === null
      ? `${describe(v)} is not a date (ISO 8601, e.g. 2026-03-29T14:00:00Z, or milliseconds since 1970)`
      : null,
};
