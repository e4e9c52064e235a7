import { useId, useMemo } from 'react';
import type { ScheduleTrigger, ValidationIssue } from '../flow/model.js';
import { SCHEDULE_OVERLAPS } from '../flow/model.js';
import { patchScheduleTrigger, type ScheduleTriggerPatch } from '../flow/trigger.js';
import { flowStore } from '../store/flow-store.js';
import { DurationInput } from './DurationInput.js';
import { ScheduleStatus } from './ScheduleStatus.js';

const OVERLAP_LABELS: Record<(typeof SCHEDULE_OVERLAPS)[number], string> = {
  skip: 'Skip that time (default)',
  buffer_one: 'Run once when the previous run ends',
  allow_all: 'Run anyway, alongside it',
};

/** The problems of one schedule field (issues on `/trigger/<key>` and below). */
function FieldIssues({ issues, field }: { issues: readonly ValidationIssue[]; field: string }) {
  const mine = issues.filter((i) => i.path === `/trigger/${field}` || i.path.startsWith(`/trigger/${field}/`));
  if (mine.length === 0) return null;
  return (
    <ul className="issues" aria-label={`Problems with ${field}`}>
      {mine.map((i, k) => (
        <li key={k} className="error">
          {i.message}
        </li>
      ))}
    </ul>
  );
}

/** A schedule trigger: a cron expression (or several) or a fixed interval, the time zone, and what overlap does. */
export function ScheduleFields({ trigger, issues }: { trigger: ScheduleTrigger; issues: readonly ValidationIssue[] }) {
  const id = useId();
  const zones = useMemo(() => ['UTC', ...Intl.supportedValuesOf('timeZone')], []);
  const mode = trigger.every !== undefined ? 'every' : 'cron';
  const patch = (p: ScheduleTriggerPatch, key?: string) =>
    flowStore.getState().change((d) => patchScheduleTrigger(d, p), key);
  const cronText = [trigger.cron ?? ''].flat().join('\n');
  return (
    <>
      <p className="muted">
        The flow starts at the times below, on the wall clock of the time zone. On the day clocks go forward, a time in
        the skipped hour does not fire; on the day they go back, a time in the repeated hour fires twice.
      </p>
      <ScheduleStatus />
      <fieldset className="field" role="radiogroup">
        <legend>Repeat</legend>
        <div className="row">
          <label className="check">
            <input
              type="radio"
              name={`${id}-mode`}
              checked={mode === 'cron'}
              onChange={() => patch({ mode: 'cron' })}
            />{' '}
            On a cron schedule
          </label>
          <label className="check">
            <input
              type="radio"
              name={`${id}-mode`}
              checked={mode === 'every'}
              onChange={() => patch({ mode: 'every' })}
            />{' '}
            At a fixed interval
          </label>
        </div>
      </fieldset>
      {mode === 'cron' ? (
        <div className="field">
          <label htmlFor={`${id}-cron`}>Cron expression</label>
          <textarea
            id={`${id}-cron`}
            rows={Math.max(1, cronText.split('\n').length)}
            spellCheck={false}
            value={cronText}
            onChange={(e) => {
              const lines = e.target.value.split('\n');
              patch({ cron: lines.length === 1 ? lines[0]! : lines }, 'trigger/cron');
            }}
          />
          <small className="muted">
            minute hour day-of-month month day-of-week, e.g. <code>0 9 * * 1-5</code> (weekdays at 9:00) or{' '}
            <code>@daily</code>; one per line for several.
          </small>
          <FieldIssues issues={issues} field="cron" />
        </div>
      ) : (
        <div className="field">
          <DurationInput
            label="Every"
            value={trigger.every ?? 'PT1H'}
            onChange={(every) => patch({ every }, 'trigger/every')}
          />
          <small className="muted">At least a minute. Intervals count from midnight UTC, 1 January 1970.</small>
          <FieldIssues issues={issues} field="every" />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-tz`}>Time zone</label>
        <input
          id={`${id}-tz`}
          list={`${id}-zones`}
          placeholder="UTC"
          value={trigger.timezone ?? ''}
          onChange={(e) => patch({ timezone: e.target.value || undefined }, 'trigger/timezone')}
        />
        <datalist id={`${id}-zones`}>
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <FieldIssues issues={issues} field="timezone" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-overlap`}>When the previous run is still going</label>
        <select
          id={`${id}-overlap`}
          value={trigger.overlap ?? 'skip'}
          onChange={(e) => patch({ overlap: e.target.value as ScheduleTrigger['overlap'] })}
        >
          {SCHEDULE_OVERLAPS.map((o) => (
            <option key={o} value={o}>
              {OVERLAP_LABELS[o]}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}
