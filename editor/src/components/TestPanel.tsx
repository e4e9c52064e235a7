import { useId, useState } from 'react';
import type { Api } from '../api/client.js';
import { useRunWatch } from '../screens/use-run-watch.js';
import { startingSample } from '../flow/trigger.js';
import { flowStore, useFlow } from '../store/flow-store.js';
import { RunSteps } from './RunSteps.js';

/** "Test run": runs the saved draft once on a sample event and watches it. */
export function TestPanel({
  api,
  flowId,
  flush,
  blocked,
}: {
  api: Api;
  flowId: string;
  flush: () => Promise<boolean>;
  blocked: string | null;
}) {
  const id = useId();
  const trigger = useFlow((s) => s.definition.trigger);
  const [text, setText] = useState(() => JSON.stringify(startingSample(trigger), null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const watch = useRunWatch(api, runId);

  function onText(v: string) {
    setText(v);
    try {
      JSON.parse(v);
      setParseError(null);
    } catch (err) {
      setParseError(`Not valid JSON: ${(err as Error).message}`);
    }
  }

  async function start() {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      return; // shown inline; nothing is sent
    }
    setBusy(true);
    setError(null);
    try {
      if (!(await flush())) throw new Error('The draft could not be saved; the test run needs the saved draft.');
      flowStore.getState().setOverlay(null);
      const r = await api.testRun(flowId, event);
      setRunId(r.runId);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="panel">
      <h2>Test run</h2>
      <div className="field">
        <label htmlFor={id}>Sample event</label>
        <small className="muted">
          {trigger.type === 'webhook'
            ? '{ "body": …, "headers": …, "query": … } as the webhook would receive it.'
            : trigger.type === 'channel.message'
              ? 'A message event, as the channel trigger gets it.'
              : 'A contact event, as the trigger gets it.'}
        </small>
        <textarea
          id={id}
          className="mono"
          rows={8}
          spellCheck={false}
          value={text}
          onChange={(e) => onText(e.target.value)}
          aria-invalid={!!parseError}
          aria-describedby={parseError ? `${id}-err` : undefined}
        />
        {parseError && (
          <p id={`${id}-err`} role="alert" className="error">
            {parseError}
          </p>
        )}
      </div>
      <button type="button" className="primary" disabled={!!parseError || busy || !!blocked} onClick={start}>
        {busy ? 'Starting…' : 'Run test'}
      </button>
      {blocked && <p className="muted">{blocked}</p>}
      {(error ?? watch.error) && (
        <p role="alert" className="error">
          {error ?? watch.error}
        </p>
      )}
      {watch.run && <RunSteps run={watch.run} />}
    </div>
  );
}
