// The schedule trigger's own checks (README.md "Schedules"): cron syntax, the IANA time zone, the interval's floor and
// "exactly one of cron and every". validate.ts adds them to a definition's issues, so a bad schedule is a 422 at
// publish, never a Temporal Schedule that cannot fire. Uses croner (no dependencies) for cron syntax, and Intl for
// zones; no ajv, so the editor may import it.
import { Cron } from 'croner';
import { parseDuration } from './duration.js';
import type { ScheduleTrigger, ValidationIssue } from './types.js';

/** The shortest interval (and the closest cron ticks are a minute apart too): PT1M. */
export const SCHEDULE_MIN_INTERVAL_MS = 60_000;

/** The shorthands Temporal's cron parser accepts besides five fields (`@every` is the `every` field instead). */
export const CRON_SHORTHANDS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Why `expr` is not a cron expression a schedule takes, or null. */
export function cronProblem(expr: string): string | null {
  const text = expr.trim();
  if (text === '') return 'is empty';
  if (/^(CRON_)?TZ=/.test(text)) return 'names its time zone in the expression; use the trigger\'s "timezone" instead';
  if (text.startsWith('@every')) return 'uses @every; use the trigger\'s "every" (an ISO-8601 duration) instead';
  if (text.startsWith('@')) {
    // Temporal knows these; croner knows the same ones but @midnight, which is @daily.
    return CRON_SHORTHANDS.includes(text) ? null : `is not a known shorthand (${CRON_SHORTHANDS.join(', ')})`;
  }
  const fields = text.split(/\s+/);
  // Six and seven fields mean different things to cron libraries (a leading second) and to Temporal (a trailing year).
  if (fields.length !== 5)
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron expression has five: minute hour day-of-month month day-of-week`;
  try {
    // Temporal does not have cron's "day of month OR day of week" rule: domAndDow matches both (AND), as it does.
    new Cron(text, { paused: true, domAndDow: true });
    return null;
  } catch (err) {
    return `is not valid: ${(err as Error).message.replace(/^CronPattern: /, '')}`;
  }
}

let zones: Set<string> | undefined;

/** Why `tz` is not an IANA time zone name (as Temporal loads them: exact names, aliases such as US/Pacific too), or null. */
export function timeZoneProblem(tz: string): string | null {
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (tz === 'UTC' || zones.has(tz)) return null;
  // Intl also takes aliases (US/Pacific, Asia/Calcutta), but any letter case and offsets (+05:00): Temporal's zone
  // database wants the name as spelled.
  const named = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)*$/.test(tz);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    if (named) return null;
  } catch {
    // not a zone
  }
  return 'is not an IANA time zone name (e.g. Europe/Paris, America/New_York, UTC)';
}

/** Why `every` is not an interval a schedule takes (an ISO-8601 duration of at least PT1M), or null. */
export function intervalProblem(every: string): string | null {
  let ms: number;
  try {
    ms = parseDuration(every);
  } catch {
    return 'is not an ISO-8601 duration (e.g. PT15M, PT1H, P1D)';
  }
  return ms < SCHEDULE_MIN_INTERVAL_MS ? 'is shorter than the shortest interval, PT1M' : null;
}

/** The cron expressions of a schedule trigger, as a list (absent: none). */
export const cronList = (t: Pick<ScheduleTrigger, 'cron'>): string[] =>
  t.cron === undefined ? [] : Array.isArray(t.cron) ? t.cron : [t.cron];

/** Every issue of a schedule trigger (its shape already passed the schema), on the trigger's field paths. */
export function scheduleIssues(t: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, code: string, message: string) => issues.push({ path, code, message });
  const hasCron = t.cron !== undefined;
  const hasEvery = t.every !== undefined;
  if (hasCron === hasEvery)
    add(
      hasCron ? '/trigger/every' : '/trigger/cron',
      'schedule_spec',
      hasCron
        ? 'a schedule has either "cron" or "every", not both'
        : 'a schedule needs "cron" (e.g. "0 9 * * 1-5") or "every" (e.g. "PT15M")',
    );
  if (typeof t.cron === 'string') {
    const problem = cronProblem(t.cron);
    if (problem) add('/trigger/cron', 'invalid_cron', `cron "${t.cron}" ${problem}`);
  } else if (Array.isArray(t.cron)) {
    t.cron.forEach((c, i) => {
      const problem = typeof c === 'string' ? cronProblem(c) : null;
      if (problem) add(`/trigger/cron/${i}`, 'invalid_cron', `cron "${c}" ${problem}`);
    });
  }
  if (typeof t.every === 'string') {
    const problem = intervalProblem(t.every);
    if (problem) add('/trigger/every', 'invalid_interval', `every "${t.every}" ${problem}`);
  }
  if (typeof t.timezone === 'string') {
    const problem = timeZoneProblem(t.timezone);
    if (problem) add('/trigger/timezone', 'invalid_timezone', `timezone "${t.timezone}" ${problem}`);
  }
  return issues;
}
