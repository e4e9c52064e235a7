// The contact settings (`/contacts/settings`): the workspace's custom attribute definitions and its merge rules.
// Changing them needs an admin key; a lesser key sees them and is told so when it tries.
import { useState } from 'react';
import type { Api } from '../api/client.js';
import { AttributeDefinitions } from '../components/AttributeDefinitions.js';
import { MergeSettingsForm } from '../components/MergeSettingsForm.js';
import { go, TopBar } from '../components/TopBar.js';
import { useLoaded } from './use-loaded.js';

export function ContactSettingsScreen({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const [changed, setChanged] = useState(0);
  const defs = useLoaded(async () => (await api.listAttributes()).items, [api, changed]);
  const settings = useLoaded(() => api.contactSettings(), [api]);
  const error = defs.error ?? settings.error;

  return (
    <div className="page">
      <TopBar current="contacts" onSignOut={onSignOut} />
      <main className="contacts contact-settings">
        <p>
          <a href="/contacts" onClick={go('/contacts')}>
            ← Contacts
          </a>
        </p>
        <h1>Contact settings</h1>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {defs.value === null && !error && <p className="muted">Loading…</p>}
        {defs.value && <AttributeDefinitions api={api} defs={defs.value} onChanged={() => setChanged((n) => n + 1)} />}
        {settings.value && <MergeSettingsForm api={api} settings={settings.value} onSaved={settings.set} />}
      </main>
    </div>
  );
}
