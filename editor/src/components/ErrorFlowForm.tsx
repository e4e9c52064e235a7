// The workspace's error flow: a published flow started on every failed run of the workspace with `{ run, step, error }`
// as its trigger. Its own failures never start it again.
import { useState, type FormEvent } from 'react';
import type { Api } from '../api/client.js';
import type { FlowSummary, WorkspaceSettings } from '../api/types.js';
import { SaveFooter, useSave } from './SaveFooter.js';

export function ErrorFlowForm({
  api,
  settings,
  flows,
  onSaved,
}: {
  api: Api;
  settings: WorkspaceSettings;
  flows: readonly FlowSummary[];
  onSaved: (s: WorkspaceSettings) => void;
}) {
  const [chosen, setChosen] = useState(settings.errorFlowId ?? '');
  const saveState = useSave();
  const published = flows.filter((f) => f.latestVersion > 0);
  const stray = chosen !== '' && !published.some((f) => f.id === chosen);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    await saveState.run(async () =>
      onSaved(await api.updateWorkspaceSettings({ errorFlowId: chosen === '' ? null : chosen })),
    );
  };

  return (
    <form className="merge-settings" aria-label="Error flow" onSubmit={(e) => void save(e)}>
      <h2>Error flow</h2>
      <label htmlFor="error-flow">Run this flow when any run fails</label>
      <select
        id="error-flow"
        value={chosen}
        onChange={(e) => {
          setChosen(e.target.value);
          saveState.setStatus(null);
        }}
      >
        <option value="">None</option>
        {stray && <option value={chosen}>{chosen} (not published)</option>}
        {published.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </select>
      <p className="muted">
        Its run gets the failed run, the step that failed and the error as its trigger (<code>trigger.run</code>,{' '}
        <code>trigger.step</code>, <code>trigger.error</code>). A failure of the error flow itself never starts it
        again. Only published flows can be chosen.
      </p>
      <SaveFooter state={saveState} label="Save error flow" />
    </form>
  );
}
