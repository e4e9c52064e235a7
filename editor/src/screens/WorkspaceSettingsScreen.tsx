// The workspace settings (`/settings`): what applies to the whole workspace, today its error flow (README.md "Platform
// events"). Changing it needs a builder key; a lesser key sees it and is told so when it tries.
import type { Api } from '../api/client.js';
import { ErrorFlowForm } from '../components/ErrorFlowForm.js';
import { TopBar } from '../components/TopBar.js';
import { useLoaded } from './use-loaded.js';

export function WorkspaceSettingsScreen({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const settings = useLoaded(() => api.workspaceSettings(), [api]);
  const flows = useLoaded(async () => (await api.listFlows()).items, [api]);
  const error = settings.error ?? flows.error;

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
        {!(settings.value && flows.value) && !error && <p className="muted">Loading…</p>}
        {settings.value && flows.value && (
          <ErrorFlowForm api={api} settings={settings.value} flows={flows.value} onSaved={settings.set} />
        )}
      </main>
    </div>
  );
}
