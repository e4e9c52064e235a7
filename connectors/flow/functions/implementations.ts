// The data functions themselves (catalog.ts says what each takes and does). Pure and deterministic: no I/O, no
// clock (`date.now` reads the time the caller passes in), no randomness, no Node built-ins, so they run in the
// Temporal workflow sandbox and the browser alike. logic.ts registers them as json-logic operations, checking the
// arguments against the catalog first; here an argument is known to fit its schema.
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { checkEmail, checkPhone } from '../../contacts/identity.js';
import { compileRegex, parseDateDuration, toEpochMs, type DateDuration } from './checks.js';
import { addCalendar, formatInstant, monthsBetween, parseInstant } from './time.js';
import type { CountryCode } from 'libphonenumber-js/max';

/** A data function that cannot do what it was asked; the message names the function and, when one is at fault, the argument. */
export class FunctionError extends Error {
  override readonly name = 'FunctionError';
  constructor(
    readonly fn: string,
    message: string,
    /** Index (from 0) of the argument at fault. */
    readonly argIndex?: number,
  ) {
    super(message);
  }
}

/** What a function may use of its evaluation: the operation budget and the run's clock. */
export interface FunctionEnv {
  /** Counts `n` operations against the rule's budget (throws past it). */
  charge(n: number): void;
  /** The run's time in milliseconds since 1970 (throws when the evaluation has none). */
  now(): number;
  /** The longest string and list a rule may make (RULE_BUDGET). */
  stringLength: number;
  arrayLength: number;
}

type Impl = (args: unknown[], env: FunctionEnv) => unknown;

/** One operation per 1,000 characters of text a function reads or writes. */
const textCost = (s: string) => Math.ceil(s.length / 1000);

/** Own-property lookup of a dot path (`customer.email`), as `var` reads: null where missing. */
function at(value: unknown, path: string): unknown {
  let cur = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return null;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur === undefined ? null : cur;
}

/**
 * Characters of `value`'s JSON, roughly (strings and keys counted, punctuation not), stopping past `limit`: tells that
 * a value is too big to stringify before stringifying it (a list can hold one long text many times over).
 */
function sizeOver(value: unknown, limit: number): boolean {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') size += v.length + 2;
    else if (Array.isArray(v)) {
      size += v.length + 2;
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        size += k.length + 4;
        stack.push(item);
      }
    } else size += 8;
    if (size > limit) return true;
  }
  return false;
}

const tooLong = (fn: string, env: FunctionEnv) =>
  new FunctionError(fn, `${fn}: the result would be longer than ${env.stringLength} characters`);

const regexOf = (fn: string, pattern: string, flags: string | undefined): RegExp => {
  const re = compileRegex(pattern, flags ?? '');
  if (typeof re === 'string') throw new FunctionError(fn, `${fn}: argument 2 (pattern) ${re}`, 1);
  return re;
};

const dateArg = (fn: string, value: unknown, index: number, name: string): number => {
  const ms = toEpochMs(value);
  if (ms === null) throw new FunctionError(fn, `${fn}: argument ${index + 1} (${name}) is not a date`, index);
  return ms;
};

const iso = (fn: string, ms: number): string => {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new FunctionError(fn, `${fn}: the date is out of range`);
  return new Date(ms).toISOString();
};

/** Calendar parts (years ... days) in the time zone's wall clock, then the clock parts as exact milliseconds. */
function shift(ms: number, d: DateDuration, sign: 1 | -1, tz: string): number {
  if (Math.abs(ms) > 8.64e15 - 1e12) return NaN;
  const calendar =
    d.years || d.months || d.weeks || d.days
      ? addCalendar(ms, { years: sign * d.years, months: sign * d.months, days: sign * (d.weeks * 7 + d.days) }, tz)
      : ms;
  return calendar + sign * Math.round(((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000);
}

const durationArg = (fn: string, s: string): DateDuration => {
  const d = parseDateDuration(s);
  if (!d)
    throw new FunctionError(fn, `${fn}: argument 2 (duration) ${JSON.stringify(s)} is not an ISO 8601 duration`, 1);
  return d;
};

/** Numbers first (by value), then texts (by code unit), then the rest (booleans, null, lists, objects: as they came). */
const rank = (v: unknown) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
function compare(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  if (ra === 1) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  return 0;
}

function roundHalfAway(n: number, digits: number): number {
  const abs = Math.abs(n);
  const text = String(abs);
  // Shifting the decimal point in the text avoids binary artefacts (2.345 * 100 is 234.49999999999997).
  const rounded = text.includes('e')
    ? Math.round(abs * 10 ** digits) / 10 ** digits
    : Number(`${Math.round(Number(`${text}e${digits}`))}e-${digits}`);
  return Math.sign(n) * rounded || 0;
}

const separators = new Map<string, { group: string; decimal: string }>();
function localeSeparators(locale: string) {
  let s = separators.get(locale);
  if (!s) {
    const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
    s = {
      group: parts.find((p) => p.type === 'group')?.value ?? ',',
      decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
    };
    if (separators.size < 100) separators.set(locale, s);
  }
  return s;
}

/** `$$`, `$&`, `$1`..`$99` and `$<name>` in a replacement, as String.prototype.replace expands them. */
function expandReplacement(tpl: string, groups: Array<string | undefined>, named?: Record<string, string | undefined>) {
  return tpl.replace(/\$(\$|&|\d{1,2}|<([^>]*)>)/g, (all, token: string, name: string | undefined) => {
    if (token === '$') return '$';
    if (token === '&') return groups[0] ?? '';
    if (name !== undefined) return named ? (named[name] ?? '') : all;
    const i = Number(token);
    return i > 0 && i < groups.length ? (groups[i] ?? '') : all;
  });
}

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export const IMPLEMENTATIONS: Record<string, Impl> = {
  'text.lower': ([s], env) => (env.charge(textCost(s as string)), (s as string).toLowerCase()),
  'text.upper': ([s], env) => (env.charge(textCost(s as string)), (s as string).toUpperCase()),
  'text.trim': ([s], env) => (env.charge(textCost(s as string)), (s as string).trim()),
  'text.replace': ([s, search, replacement], env) => {
    const text = s as string;
    env.charge(textCost(text));
    const parts = text.split(search as string);
    if (
      text.length + (parts.length - 1) * ((replacement as string).length - (search as string).length) >
      env.stringLength
    )
      throw tooLong('text.replace', env);
    return parts.join(replacement as string);
  },
  'text.replaceRegex': ([s, pattern, replacement, flags], env) => {
    const text = s as string;
    env.charge(textCost(text));
    const re = regexOf('text.replaceRegex', pattern as string, flags as string | undefined);
    let grown = 0;
    const result = text.replace(re, (...m: unknown[]) => {
      // The callback gets (match, group1, ..., offset, text[, groups]).
      const named =
        typeof m[m.length - 1] === 'object' ? (m[m.length - 1] as Record<string, string | undefined>) : undefined;
      const groups = m.slice(0, named ? -3 : -2) as Array<string | undefined>;
      const out = expandReplacement(replacement as string, groups, named);
      grown += out.length - groups[0]!.length;
      if (text.length + grown > env.stringLength) throw tooLong('text.replaceRegex', env);
      return out;
    });
    return result;
  },
  'text.split': ([s, separator, limit], env) => {
    const text = s as string;
    env.charge(textCost(text));
    const parts = separator === '' ? Array.from(text) : text.split(separator as string);
    env.charge(parts.length);
    return limit === undefined ? parts : parts.slice(0, limit as number);
  },
  'text.join': ([list, separator], env) => {
    const items = list as unknown[];
    env.charge(items.length);
    const sep = (separator as string | undefined) ?? ', ';
    const texts = items.map((v) => (v === null || v === undefined ? '' : typeof v === 'object' ? null : String(v)));
    const bad = texts.indexOf(null);
    if (bad >= 0)
      throw new FunctionError(
        'text.join',
        `text.join: argument 1 (list) item ${bad} is a list or an object, not text`,
        0,
      );
    const length = (texts as string[]).reduce((n, t) => n + t.length, 0) + sep.length * Math.max(0, texts.length - 1);
    if (length > env.stringLength) throw tooLong('text.join', env);
    env.charge(Math.ceil(length / 1000));
    return texts.join(sep);
  },
  'text.pad': ([s, length, fill, side], env) => {
    if ((length as number) > env.stringLength) throw tooLong('text.pad', env);
    env.charge(Math.ceil((length as number) / 1000));
    const f = (fill as string | undefined) ?? ' ';
    return side === 'end' ? (s as string).padEnd(length as number, f) : (s as string).padStart(length as number, f);
  },
  'text.slugify': ([s], env) => {
    env.charge(textCost(s as string));
    return (s as string)
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '');
  },
  'text.test': ([s, pattern, flags], env) => {
    env.charge(textCost(s as string));
    const re = regexOf('text.test', pattern as string, (flags as string | undefined)?.replace('g', ''));
    return re.test(s as string);
  },
  'text.match': ([s, pattern, flags], env) => {
    env.charge(textCost(s as string));
    const re = regexOf('text.match', pattern as string, flags as string | undefined);
    if (re.global) {
      const all = (s as string).match(re);
      if (all) env.charge(all.length);
      return all ?? null;
    }
    const m = re.exec(s as string);
    return m ? m.map((g) => g ?? null) : null;
  },

  'number.round': ([n, digits]) => roundHalfAway(n as number, (digits as number | undefined) ?? 0),
  'number.format': ([n, locale, options]) => {
    try {
      return new Intl.NumberFormat(
        (locale as string | undefined) ?? 'en-US',
        options as Intl.NumberFormatOptions,
      ).format(n as number);
    } catch (err) {
      throw new FunctionError('number.format', `number.format: argument 3 (options) ${(err as Error).message}`, 2);
    }
  },
  'number.parse': ([s, locale], env) => {
    const text = s as string;
    env.charge(textCost(text));
    const { group, decimal } = localeSeparators((locale as string | undefined) ?? 'en-US');
    // Group separators (and, where they are a kind of space, any space), then the decimal mark as `.`; currency
    // symbols and `%` around the number are dropped.
    const spaced = /\s/.test(group);
    let t = text.split(group).join('');
    if (spaced) t = t.replace(/\s/g, '');
    t = t.split(decimal).join('.');
    t = t.trim().replace(/^[^\d+.-]+|[^\d.]+$/gu, '');
    return NUMBER_RE.test(t) ? Number(t) : null;
  },

  'date.now': (_args, env) => new Date(env.now()).toISOString(),
  'date.parse': ([s, fmt, tz]) => {
    const text = (s as string).trim();
    if (fmt === undefined) {
      const ms = toEpochMs(text);
      if (ms === null)
        throw new FunctionError(
          'date.parse',
          `date.parse: argument 1 (text) ${JSON.stringify(text)} is not an ISO 8601 date`,
          0,
        );
      return new Date(ms).toISOString();
    }
    let ms: number | null;
    try {
      ms = parseInstant(text, fmt as string, (tz as string | undefined) ?? 'UTC');
    } catch (err) {
      throw new FunctionError('date.parse', `date.parse: argument 2 (format) ${(err as Error).message}`, 1);
    }
    if (ms === null)
      throw new FunctionError(
        'date.parse',
        `date.parse: argument 1 (text) ${JSON.stringify(text)} does not match the format ${JSON.stringify(fmt)}`,
        0,
      );
    return iso('date.parse', ms);
  },
  'date.format': ([date, fmt, tz]) => {
    const ms = dateArg('date.format', date, 0, 'date');
    try {
      return formatInstant(ms, fmt as string, (tz as string | undefined) ?? 'UTC');
    } catch (err) {
      throw new FunctionError('date.format', `date.format: argument 2 (format) ${(err as Error).message}`, 1);
    }
  },
  'date.add': ([date, duration, tz]) =>
    iso(
      'date.add',
      shift(
        dateArg('date.add', date, 0, 'date'),
        durationArg('date.add', duration as string),
        1,
        (tz as string | undefined) ?? 'UTC',
      ),
    ),
  'date.subtract': ([date, duration, tz]) =>
    iso(
      'date.subtract',
      shift(
        dateArg('date.subtract', date, 0, 'date'),
        durationArg('date.subtract', duration as string),
        -1,
        (tz as string | undefined) ?? 'UTC',
      ),
    ),
  'date.diff': ([from, to, unit]) => {
    const a = dateArg('date.diff', from, 0, 'from');
    const b = dateArg('date.diff', to, 1, 'to');
    const ms = b - a;
    const whole = (n: number) => Math.trunc(n) || 0;
    switch (unit) {
      case 'milliseconds':
        return ms;
      case 'seconds':
        return whole(ms / 1000);
      case 'minutes':
        return whole(ms / 60_000);
      case 'hours':
        return whole(ms / 3_600_000);
      case 'days':
        return whole(ms / 86_400_000);
      case 'weeks':
        return whole(ms / (7 * 86_400_000));
      case 'months':
        return monthsBetween(a, b);
      default:
        return whole(monthsBetween(a, b) / 12);
    }
  },

  'list.length': ([v], env) => {
    if (typeof v === 'string') {
      // Characters as text.split counts them: a surrogate pair (an emoji) is one.
      env.charge(textCost(v));
      let n = v.length;
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < v.length) {
          const d = v.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            n--;
            i++;
          }
        }
      }
      return n;
    }
    if (Array.isArray(v)) return v.length;
    const keys = Object.keys(v as object);
    env.charge(keys.length);
    return keys.length;
  },
  'list.first': ([l]) => (l as unknown[])[0] ?? null,
  'list.last': ([l]) => (l as unknown[])[(l as unknown[]).length - 1] ?? null,
  'list.pluck': ([l, key], env) => {
    env.charge((l as unknown[]).length);
    return (l as unknown[]).map((item) => at(item, key as string));
  },
  'list.unique': ([l], env) => {
    const items = l as unknown[];
    env.charge(items.length);
    if (sizeOver(items, env.stringLength))
      throw new FunctionError(
        'list.unique',
        `list.unique: argument 1 (list) is over ${env.stringLength} characters of JSON`,
        0,
      );
    const seen = new Set<string>();
    return items.filter((item) => {
      const key = typeof item === 'string' ? `s${item}` : `j${JSON.stringify(item)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
  'list.sortBy': ([l, key, order], env) => {
    const items = l as unknown[];
    env.charge(items.length * Math.max(1, Math.ceil(Math.log2(items.length + 1))));
    const keyed = items.map((item, i) => ({
      item,
      i,
      k: key === undefined || key === null ? item : at(item, key as string),
    }));
    const dir = order === 'desc' ? -1 : 1;
    keyed.sort((a, b) => dir * compare(a.k, b.k) || a.i - b.i);
    return keyed.map((k) => k.item);
  },
  'list.groupBy': ([l, key], env) => {
    env.charge((l as unknown[]).length);
    const out: Record<string, unknown[]> = {};
    for (const item of l as unknown[]) {
      const k = at(item, key as string);
      const name = typeof k === 'string' ? k : k !== null && typeof k === 'object' ? JSON.stringify(k) : String(k);
      if (!Object.hasOwn(out, name))
        Object.defineProperty(out, name, { value: [], enumerable: true, writable: true, configurable: true });
      out[name]!.push(item);
    }
    return out;
  },

  'object.keys': ([o], env) => {
    const keys = Object.keys(o as object);
    env.charge(keys.length);
    return keys;
  },
  'object.merge': (objects, env) => {
    const out: Record<string, unknown> = {};
    for (const o of objects) {
      const entries = Object.entries(o as object);
      env.charge(entries.length);
      // defineProperty: a `__proto__` key in the data stays a plain key.
      for (const [k, v] of entries)
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  },
  'object.pick': ([o, keys], env) => {
    env.charge((keys as string[]).length);
    const out: Record<string, unknown> = {};
    for (const k of keys as string[])
      if (Object.hasOwn(o as object, k))
        Object.defineProperty(out, k, {
          value: (o as Record<string, unknown>)[k],
          enumerable: true,
          writable: true,
          configurable: true,
        });
    return out;
  },

  'phone.e164': ([s, country]) => {
    const checked = checkPhone(s as string, country as CountryCode | undefined);
    return checked.ok ? checked.value : null;
  },
  'email.normalize': ([s]) => {
    const checked = checkEmail(s as string);
    return checked.ok ? checked.value : null;
  },
  'email.domain': ([s]) => {
    const checked = checkEmail(s as string);
    return checked.ok ? checked.value.slice(checked.value.lastIndexOf('@') + 1) : null;
  },

  'json.parse': ([s], env) => {
    env.charge(textCost(s as string));
    try {
      return JSON.parse(s as string) as unknown;
    } catch (err) {
      throw new FunctionError('json.parse', `json.parse: argument 1 (text) is not JSON: ${(err as Error).message}`, 0);
    }
  },
  'json.stringify': ([v], env) => {
    if (sizeOver(v, env.stringLength)) throw tooLong('json.stringify', env);
    const text = JSON.stringify(v ?? null);
    env.charge(textCost(text));
    return text;
  },

  'hash.sha256': ([s], env) => (env.charge(textCost(s as string)), bytesToHex(sha256(utf8ToBytes(s as string)))),
  'hash.hmac': ([s, key, algorithm], env) => {
    env.charge(textCost(s as string));
    const hash = algorithm === 'sha512' ? sha512 : algorithm === 'sha1' ? sha1 : sha256;
    return bytesToHex(hmac(hash, utf8ToBytes(key as string), utf8ToBytes(s as string)));
  },
};
