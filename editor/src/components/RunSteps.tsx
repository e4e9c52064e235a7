import type { RunDetail } from '../api/types.js';
import { flowStore } from '../store/flow-store.js';

const show = (v: unknown) => JSON.stringify(v, null, 2);

/** Each step of a run: status, attempts, input, output, error. */
export function RunSteps({ run }: { run: RunDetail }) {
  return (
    <div className="run-steps" aria-live="polite">
      <p>
        Run <code>{run.id}</code> {run.version ? `of version ${run.version}` : '(test of the draft)'}:{' '}
        <strong className={`status status-${run.status}`} data-testid="run-status">
          {run.status}
        </strong>
      </p>
      {run.error && (
        <p className="error">
          {run.error.failedStep ? `Step “${run.error.failedStep}” failed: ` : ''}
          {run.error.message}
        </p>
      )}
      {run.steps.length === 0 && <p className="muted">No step has run yet.</p>}
      <ol>
        {run.steps.map((s) => (
          <li key={s.nodeId}>
            <details open={s.status === 'failed'}>
              <summary>
                <button type="button" className="link" onClick={() => flowStore.getState().select(s.nodeId)}>
                  {s.nodeId}
                </button>{' '}
                <span className={`status status-${s.status}`}>{s.status}</span>
                {s.branch && <span className="muted"> → {s.branch}</span>}
                {s.attempts !== undefined && (
                  <span className="muted">
                    {' '}
                    · {s.attempts} attempt{s.attempts === 1 ? '' : 's'}
                  </span>
                )}
              </summary>
              {s.error && (
                <p className="error">
                  {s.error.code ? `${s.error.code}: ` : ''}
                  {s.error.message}
                </p>
              )}
              {s.input !== undefined && (
                <>
                  <h4>Input</h4>
                  <pre>{show(s.input)}</pre>
                </>
              )}
              {s.output !== undefined && (
                <>
                  <h4>Output</h4>
                  <pre>{show(s.output)}</pre>
                </>
              )}
            </details>
          </li>
        ))}
      </ol>
    </div>
  );
}
