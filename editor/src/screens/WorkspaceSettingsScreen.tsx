// The workspace settings (`/settings`): what applies to the whole workspace, today its error flow (README.md "Platform
// events"). Changing it needs a builder key; a lesser key sees it and is told so when it tries.
import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { FlowSummary, WorkspaceSettings } from '../api/types.js';
import { ErrorFlowForm } from '../components/ErrorFlowForm.js';
import { TopBar } from '../components/TopBar.js';

export function WorkspaceSettingsScreen({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const [settings, setSettings] = useState<WorkspaceSettings | null>(null);
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([api.workspaceSettings(), api.listFlows()]).then(
      ([s, f]) => {
        if (!live) return;
        setSettings(s);
        setFlows(f.items);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api]);

  return (
    <div className="page">
      <TopBar current="settings" onSignOut={onSignOut} />
      <main className="contacts workspace-settings">
        <h1>Workspace settings</h1>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {!settings && !error && <p className="muted">Loading…</p>}
        {settings && flows && <ErrorFlowForm api={api} settings={settings} flows={flows} onSaved={setSettings} />}
      </main>
    </div>
  );
}
