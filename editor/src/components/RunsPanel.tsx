import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Api } from '../api/client.js';
import type { RunSummary } from '../api/types.js';
import { useRunWatch } from '../screens/use-run-watch.js';
import { RunSteps } from './RunSteps.js';

const STATUSES = ['', 'running', 'waiting', 'completed', 'failed', 'cancelled'];

/** The runs of the flow, filterable by status; opening one shows it over the version it ran. */
export function RunsPanel({
  api,
  flowId,
  onOpen,
  initialRun,
}: {
  api: Api;
  flowId: string;
  onOpen: (run: RunSummary) => Promise<void>;
  /** A run to open at once (a link to it), whether or not it is on the list's first page. */
  initialRun?: string | null;
}) {
  const id = useId();
  const [status, setStatus] = useState('');
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(initialRun ?? null);
  const watch = useRunWatch(api, open);
  // The linked run is shown over the version it ran once its detail is here (it carries what onOpen needs).
  const linkedShown = useRef(false);
  useEffect(() => {
    if (linkedShown.current || !initialRun || watch.run?.id !== initialRun || watch.run.flowId !== flowId) return;
    linkedShown.current = true;
    void onOpen(watch.run);
  }, [initialRun, watch.run, flowId, onOpen]);

  const load = useCallback(() => {
    api.listRuns(flowId, status || undefined).then(
      (r) => (setRuns(r.items), setError(null)),
      (e: Error) => setError(e.message),
    );
  }, [api, flowId, status]);
  useEffect(load, [load]);
  // The list is eventually consistent: refresh it when the opened run ends.
  const ended = watch.run && watch.run.status !== 'running' && watch.run.status !== 'waiting';
  useEffect(() => {
    if (ended) load();
  }, [ended, load]);

  return (
    <div className="panel">
      <h2>Runs</h2>
      <div className="row">
        <label htmlFor={id}>Status</label>
        <select id={id} value={status} onChange={(e) => setStatus(e.target.value)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s || 'any'}
            </option>
          ))}
        </select>
        <button type="button" onClick={load}>
          Refresh
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {runs?.length === 0 && (
        <p className="empty">No runs yet. Publish the flow to have its trigger start runs, or start a test run.</p>
      )}
      <ul className="runs" aria-label="Runs">
        {runs?.map((r) => (
          <li key={r.id}>
            <button
              type="button"
              className="link"
              aria-current={open === r.id}
              onClick={() => {
                setOpen(r.id);
                void onOpen(r);
              }}
            >
              {new Date(r.startedAt).toLocaleString()}
            </button>{' '}
            <span className={`status status-${r.status}`}>{r.status}</span>{' '}
            <span className="muted">{r.version ? `v${r.version}` : 'test'}</span>
          </li>
        ))}
      </ul>
      {watch.run && <RunSteps run={watch.run} />}
    </div>
  );
}
