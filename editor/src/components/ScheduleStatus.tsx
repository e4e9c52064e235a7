import { useFlowServices } from '../screens/flow-services.js';
import { PauseToggle, when } from './PauseToggle.js';

const STATE_TEXT = {
  active: 'Active',
  paused: 'Paused: no run starts until it is resumed',
  missing: 'Missing in Temporal: publish again to recreate it',
  unknown: 'Unknown: the workflow service did not answer',
} as const;

/**
 * The published version's schedule (not the draft's): its state, its next run times, and Pause/Resume
 * (POST /api/flows/:id/schedule/pause|resume; the state stays across later publishes).
 */
export function ScheduleStatus() {
  const services = useFlowServices();
  const schedule = services?.schedule;
  if (!services || !schedule) return null;
  const { api, flowId, refreshFlow } = services;
  const canToggle = schedule.state === 'active' || schedule.state === 'paused';

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
        <PauseToggle
          paused={schedule.state === 'paused'}
          labels={{ pause: 'Pause schedule', resume: 'Resume schedule' }}
          setPaused={(paused) => api.setSchedulePaused(flowId, paused).then(() => refreshFlow())}
        />
      )}
    </section>
  );
}
