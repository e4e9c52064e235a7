import type { RunDetail } from '../api/types.js';
import { runHref } from '../inbox/customer.js';
import { flowStore } from '../store/flow-store.js';
import { LoopRun } from './LoopRun.js';
import { go } from './TopBar.js';

const show = (v: unknown) => JSON.stringify(v, null, 2);

/** The flow a sub-flow step called (its input's `flow`), where its child run is listed. */
const childFlow = (input: unknown): string => {
  const flow = (input as { flow?: unknown } | null)?.flow;
  return typeof flow === 'string' ? flow : '';
};

/** Each step of a run: status, attempts, a sub-flow's child run (a link to it), input, output, error. */
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
                {s.loop && (
                  <span className="muted" data-testid={`loop-progress-${s.nodeId}`}>
                    {' '}
                    · {s.loop.completed}/{s.loop.total} items{s.loop.failed > 0 && `, ${s.loop.failed} failed`}
                  </span>
                )}
                {s.childRunId !== undefined && (
                  <span className="muted">
                    {' '}
                    · sub-flow run{' '}
                    <a
                      data-testid="child-run"
                      style={{ overflowWrap: 'anywhere' }}
                      href={runHref({ id: s.childRunId, flowId: childFlow(s.input) })}
                      onClick={go(runHref({ id: s.childRunId, flowId: childFlow(s.input) }))}
                    >
                      {s.childRunId}
                    </a>
                  </span>
                )}
              </summary>
              {s.loop && <LoopRun loop={s.loop} />}
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
