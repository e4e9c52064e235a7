// Dates for the data functions, in any IANA time zone, through Intl only. Never the process's local time zone (a
// worker's TZ must not change a run), and no Date subclass: the Temporal workflow sandbox replaces the global `Date`
// with a function, so a class extending Date (such as @date-fns/tz's TZDate) silently loses its methods there.
// Pure and deterministic given the runtime's time zone data.

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A wall-clock time: month 1–12, weekday 0 (Sunday)–6, offset from UTC in minutes. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  weekday: number;
  offset: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    if (formatters.size < 500) formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock of instant `ms` in `timeZone`. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(ms)) parts[p.type] = p.value;
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year);
  const millisecond = ((ms % 1000) + 1000) % 1000;
  const fields = {
    year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond,
  };
  const asUtc = utc(fields);
  return { ...fields, weekday: new Date(asUtc).getUTCDay(), offset: Math.round((asUtc - ms) / 60_000) };
}

type Fields = Omit<WallClock, 'weekday' | 'offset'>;

/** The instant whose UTC wall clock is `f` (years 0–99 kept as such). */
function utc(f: Fields): number {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, f.millisecond);
  return d.getTime();
}

/**
 * The instant a wall clock in `timeZone` names. Fields may overflow (month 13, day 32: they carry over). A time
 * skipped by a move to summer time is read with the offset before the move (02:30 becomes 03:30).
 */
export function fromWallClock(f: Fields, timeZone: string): number {
  const guess = utc(f);
  const first = guess - wallClock(guess, timeZone).offset * 60_000;
  const second = guess - wallClock(first, timeZone).offset * 60_000;
  return wallClock(second, timeZone).offset === wallClock(first, timeZone).offset ? second : Math.max(first, second);
}

/** Adds calendar parts on the wall clock of `timeZone`; a day past the end of the month is its last (Jan 31 + P1M). */
export function addCalendar(
  ms: number,
  parts: { years: number; months: number; days: number },
  timeZone: string,
): number {
  const w = wallClock(ms, timeZone);
  const monthIndex = w.year * 12 + (w.month - 1) + parts.years * 12 + parts.months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  const lastDay = new Date(
    utc({ year, month: month + 1, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 }),
  ).getUTCDate();
  return fromWallClock({ ...w, year, month, day: Math.min(w.day, lastDay) + parts.days }, timeZone);
}

/**
 * Whole months from `a` to `b` (UTC calendar), toward zero, consistent with addCalendar: Jan 31 to Feb 27 is 0, to
 * Feb 28 is 1 (Jan 31 plus a month).
 */
export function monthsBetween(a: number, b: number): number {
  if (b < a) return -monthsBetween(b, a);
  const x = wallClock(a, 'UTC');
  const y = wallClock(b, 'UTC');
  let months = (y.year - x.year) * 12 + (y.month - x.month);
  if (months > 0 && addCalendar(a, { years: 0, months, days: 0 }, 'UTC') > b) months--;
  return months;
}

type Token = { letter: string; width: number } | { text: string };
const TOKENS: Record<string, number[]> = {
  y: [2, 4],
  M: [1, 2, 3, 4],
  d: [1, 2],
  E: [3, 4],
  H: [1, 2],
  h: [1, 2],
  m: [1, 2],
  s: [1, 2],
  S: [3],
  a: [1],
  X: [3],
  x: [3],
};
/** The tokens of a format, as the catalog documents them. */
export const DATE_TOKENS = 'yyyy yy MMMM MMM MM M dd d EEEE EEE HH H hh h mm m ss s SSS a XXX xxx';

const tokenCache = new Map<string, Token[] | string>();
/** A format's tokens, or why it is not a format (an unknown letter, an unclosed quote). */
export function tokenize(format: string): Token[] | string {
  const cached = tokenCache.get(format);
  if (cached) return cached;
  const out: Token[] = [];
  let problem: string | undefined;
  for (let i = 0; i < format.length && !problem;) {
    const c = format[i]!;
    if (c === "'") {
      if (format[i + 1] === "'") {
        out.push({ text: "'" });
        i += 2;
        continue;
      }
      const end = format.indexOf("'", i + 1);
      if (end < 0) problem = `has a quote at ${i + 1} that is not closed`;
      else out.push({ text: format.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (format[j] === c) j++;
      const width = j - i;
      if (!TOKENS[c]?.includes(width))
        problem = `has "${c.repeat(width)}", which is not a token (tokens: ${DATE_TOKENS}; put text in 'quotes')`;
      out.push({ letter: c, width });
      i = j;
    } else {
      out.push({ text: c });
      i++;
    }
  }
  const result = problem ?? out;
  if (tokenCache.size < 500) tokenCache.set(format, result);
  return result;
}

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');
const offsetText = (minutes: number, zulu: boolean) =>
  zulu && minutes === 0
    ? 'Z'
    : `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(minutes) / 60), 2)}:${pad(Math.abs(minutes) % 60, 2)}`;

/** Formats instant `ms` as seen in `timeZone`. Throws (with the reason) on a bad format. */
export function formatInstant(ms: number, format: string, timeZone: string): string {
  const tokens = tokenize(format);
  if (typeof tokens === 'string') throw new Error(tokens);
  const w = wallClock(ms, timeZone);
  const hour12 = w.hour % 12 || 12;
  return tokens
    .map((t) => {
      if ('text' in t) return t.text;
      const { letter, width } = t;
      switch (letter) {
        case 'y':
          return width === 2 ? pad(w.year % 100, 2) : `${w.year < 0 ? '-' : ''}${pad(w.year, 4)}`;
        case 'M':
          return width === 4
            ? MONTHS[w.month - 1]
            : width === 3
              ? MONTHS[w.month - 1]!.slice(0, 3)
              : pad(w.month, width);
        case 'd':
          return pad(w.day, width);
        case 'E':
          return width === 4 ? DAYS[w.weekday] : DAYS[w.weekday]!.slice(0, 3);
        case 'H':
          return pad(w.hour, width);
        case 'h':
          return pad(hour12, width);
        case 'm':
          return pad(w.minute, width);
        case 's':
          return pad(w.second, width);
        case 'S':
          return pad(w.millisecond, 3);
        case 'a':
          return w.hour < 12 ? 'AM' : 'PM';
        default:
          return offsetText(w.offset, letter === 'X');
      }
    })
    .join('');
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NAME_RE = (names: string[], short: boolean) => `(${names.map((n) => (short ? n.slice(0, 3) : n)).join('|')})`;

/** The instant `text` names, read with `format` in `timeZone` (an offset in the text wins); null when it does not match. */
export function parseInstant(text: string, format: string, timeZone: string): number | null {
  const tokens = tokenize(format);
  if (typeof tokens === 'string') throw new Error(tokens);
  const readers: Array<(v: string, f: Fields & { pm?: boolean; offset?: number }) => void> = [];
  let re = '^';
  for (const t of tokens) {
    if ('text' in t) {
      re += escapeRe(t.text);
      continue;
    }
    const { letter, width } = t;
    const num = (min: number, max: number) => `(\\d{${min},${max}})`;
    switch (letter) {
      case 'y':
        re += width === 2 ? num(2, 2) : num(4, 4);
        readers.push((v, f) => (f.year = width === 2 ? 2000 + Number(v) : Number(v)));
        break;
      case 'M':
        re += width >= 3 ? NAME_RE(MONTHS, width === 3) : num(width, 2);
        readers.push(
          (v, f) =>
            (f.month =
              width >= 3 ? MONTHS.findIndex((m) => m.toLowerCase().startsWith(v.toLowerCase())) + 1 : Number(v)),
        );
        break;
      case 'E':
        re += NAME_RE(DAYS, width === 3);
        readers.push(() => undefined);
        break;
      case 'a':
        re += '(AM|PM|am|pm)';
        readers.push((v, f) => (f.pm = v.toUpperCase() === 'PM'));
        break;
      case 'X':
      case 'x':
        re += '(Z|[+-]\\d{2}(?::?\\d{2})?)';
        readers.push((v, f) => {
          const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(v);
          f.offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
        });
        break;
      case 'S':
        re += num(3, 3);
        readers.push((v, f) => (f.millisecond = Number(v)));
        break;
      default: {
        re += num(width, 2);
        const key = ({ d: 'day', H: 'hour', h: 'hour', m: 'minute', s: 'second' } as const)[letter as 'd']!;
        readers.push((v, f) => (f[key] = Number(v)));
      }
    }
  }
  const m = new RegExp(`${re}$`, 'i').exec(text);
  if (!m) return null;
  const f: Fields & { pm?: boolean; offset?: number } = {
    year: 1970,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    millisecond: 0,
  };
  readers.forEach((read, i) => read(m[i + 1]!, f));
  if (f.pm !== undefined) f.hour = (f.hour % 12) + (f.pm ? 12 : 0);
  const { pm: _pm, offset, ...fields } = f;
  if (
    fields.month < 1 ||
    fields.month > 12 ||
    fields.day < 1 ||
    fields.day > 31 ||
    fields.hour > 23 ||
    fields.minute > 59 ||
    fields.second > 59
  )
    return null;
  // A day the month does not have (30 February) is no date.
  const check = new Date(utc(fields));
  if (check.getUTCDate() !== fields.day) return null;
  return offset === undefined ? fromWallClock(fields, timeZone) : utc(fields) - offset * 60_000;
}

const ISO_RE =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds of an ISO 8601 date or date-time (UTC when it has no offset), or null. */
export function parseIso(text: string): number | null {
  const m = ISO_RE.exec(text.trim());
  if (!m) return null;
  const fields: Fields = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millisecond: Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0')),
  };
  if (
    fields.month < 1 ||
    fields.month > 12 ||
    fields.day < 1 ||
    fields.hour > 24 ||
    fields.minute > 59 ||
    fields.second > 60
  )
    return null;
  const ms = utc(fields);
  if (new Date(ms).getUTCDate() !== fields.day && fields.hour < 24) return null;
  const zone = m[8];
  const om = zone && /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  const offset = om ? (om[1] === '-' ? -1 : 1) * (Number(om[2]) * 60 + Number(om[3] ?? 0)) : 0;
  const out = ms - offset * 60_000;
  return Number.isFinite(out) && Math.abs(out) <= 8.64e15 ? out : null;
}
