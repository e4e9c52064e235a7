import { useState } from 'react';
import { useFlowServices } from '../screens/flow-services.js';

const STATE_TEXT = {
  active: 'Active',
  paused: 'Paused: no run starts until it is resumed',
  missing: 'Missing in Temporal: publish again to recreate it',
  unknown: 'Unknown: the workflow service did not answer',
} as const;

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The published version's schedule (not the draft's): its state, its next run times, and Pause/Resume
 * (POST /api/flows/:id/schedule/pause|resume; the state stays across later publishes).
 */
export function ScheduleStatus() {
  const services = useFlowServices();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const schedule = services?.schedule;
  if (!services || !schedule) return null;
  const { api, flowId, refreshFlow } = services;
  const canToggle = schedule.state === 'active' || schedule.state === 'paused';

  async function toggle(paused: boolean) {
    setBusy(true);
    setError(null);
    try {
      await api.setSchedulePaused(flowId, paused);
      await refreshFlow();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="schedule-status" aria-label="Published schedule">
      <strong>Published schedule</strong>
      <span data-testid="schedule-state" data-state={schedule.state}>
        {STATE_TEXT[schedule.state]}
      </span>
      {schedule.nextRunAt.length > 0 && (
        <>
          <span className="muted">Next runs:</span>
          <ol aria-label="Next runs">
            {schedule.nextRunAt.slice(0, 3).map((t) => (
              <li key={t}>
                <time dateTime={t}>{when(t)}</time>
              </li>
            ))}
          </ol>
        </>
      )}
      {canToggle && (
        <div className="row">
          {schedule.state === 'active' ? (
            <button type="button" disabled={busy} onClick={() => void toggle(true)}>
              Pause schedule
            </button>
          ) : (
            <button type="button" className="primary" disabled={busy} onClick={() => void toggle(false)}>
              Resume schedule
            </button>
          )}
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
