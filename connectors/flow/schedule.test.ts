import { describe, expect, it } from 'vitest';
import { cronProblem, intervalProblem, scheduleIssues, timeZoneProblem } from './schedule.js';
import { validateFlow } from './validate.js';

const flow = (trigger: Record<string, unknown>) => ({ schemaVersion: 1, trigger, nodes: [], edges: [] });
const issuesOf = (trigger: Record<string, unknown>) =>
  validateFlow(flow({ type: 'schedule', ...trigger }), { actions: {} }).map(({ path, code }) => ({ path, code }));

describe('cron expressions', () => {
  it('accepts five fields and the shorthands Temporal knows', () => {
    for (const c of ['0 9 * * 1-5', '*/15 * * * *', '30 2 1,15 * *', '0 0 * JAN MON', '@daily', '@hourly', '@weekly'])
      expect(cronProblem(c), c).toBeNull();
  });

  it('refuses bad fields, other field counts, zones and @every inside the expression', () => {
    expect(cronProblem('61 * * * *')).toMatch(/minute/);
    expect(cronProblem('0 25 * * *')).toMatch(/hour/);
    expect(cronProblem('every monday')).toMatch(/2 fields/);
    expect(cronProblem('0 0 9 * * 1')).toMatch(/6 fields.*five/);
    expect(cronProblem('CRON_TZ=Europe/Paris 0 9 * * *')).toMatch(/timezone/);
    expect(cronProblem('@every 5m')).toMatch(/"every"/);
    expect(cronProblem('@sometimes')).toMatch(/shorthand/);
    expect(cronProblem('  ')).toBe('is empty');
  });
});

describe('time zones', () => {
  it('accepts IANA names, UTC and aliases as spelled', () => {
    for (const z of ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'US/Pacific', 'Etc/GMT+5'])
      expect(timeZoneProblem(z), z).toBeNull();
  });

  it('refuses unknown names, offsets and another letter case', () => {
    for (const z of ['Mars/Olympus_Mons', '+02:00', 'europe/paris', 'Local', ''])
      expect(timeZoneProblem(z), z).toMatch(/IANA/);
  });
});

describe('intervals', () => {
  it('takes ISO-8601 durations of a minute or more', () => {
    expect(intervalProblem('PT1M')).toBeNull();
    expect(intervalProblem('PT15M')).toBeNull();
    expect(intervalProblem('P1D')).toBeNull();
    expect(intervalProblem('PT59S')).toMatch(/PT1M/);
    expect(intervalProblem('PT0S')).toMatch(/PT1M/);
    expect(intervalProblem('15 minutes')).toMatch(/ISO-8601/);
  });
});

describe('validateFlow with a schedule trigger', () => {
  it('accepts a cron in a zone, a list of crons, and an interval', () => {
    expect(issuesOf({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris' })).toEqual([]);
    expect(issuesOf({ cron: ['0 9 * * 1-5', '0 12 * * 6'], overlap: 'buffer_one' })).toEqual([]);
    expect(issuesOf({ every: 'PT15M', overlap: 'allow_all', sample: { note: 'x' } })).toEqual([]);
  });

  it("puts each problem on the trigger's field", () => {
    expect(issuesOf({ cron: '0 9 * *', timezone: 'Europe/Pariss' })).toEqual([
      { path: '/trigger/cron', code: 'invalid_cron' },
      { path: '/trigger/timezone', code: 'invalid_timezone' },
    ]);
    expect(issuesOf({ cron: ['0 9 * * *', '99 * * * *'] })).toEqual([
      { path: '/trigger/cron/1', code: 'invalid_cron' },
    ]);
    expect(issuesOf({ every: 'PT30S' })).toEqual([{ path: '/trigger/every', code: 'invalid_interval' }]);
  });

  it('needs exactly one of cron and every', () => {
    expect(issuesOf({})).toEqual([{ path: '/trigger/cron', code: 'schedule_spec' }]);
    expect(issuesOf({ cron: '@daily', every: 'PT1H' })).toEqual([{ path: '/trigger/every', code: 'schedule_spec' }]);
  });

  it('leaves shapes to the schema: unknown keys, an unknown overlap, a filter', () => {
    const paths = issuesOf({ cron: '@daily', overlap: 'sometimes', filter: true, cronn: 'x' }).map((i) => i.path);
    expect(paths.sort()).toEqual(['/trigger/cronn', '/trigger/filter', '/trigger/overlap']);
  });

  it('scheduleIssues messages name the value and the fix', () => {
    const [cron] = scheduleIssues({ type: 'schedule', cron: '0 9 * * 8' });
    expect(cron?.message).toMatch(/^cron "0 9 \* \* 8" is not valid: .*dayOfWeek/);
  });
});
