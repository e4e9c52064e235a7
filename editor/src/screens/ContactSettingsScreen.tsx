// The contact settings (`/contacts/settings`): the workspace's custom attribute definitions and its merge rules.
// Changing them needs an admin key; a lesser key sees them and is told so when it tries.
import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { AttributeDefinition, ContactSettings } from '../api/types.js';
import { AttributeDefinitions } from '../components/AttributeDefinitions.js';
import { MergeSettingsForm } from '../components/MergeSettingsForm.js';
import { go, TopBar } from '../components/TopBar.js';

export function ContactSettingsScreen({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const [defs, setDefs] = useState<AttributeDefinition[] | null>(null);
  const [settings, setSettings] = useState<ContactSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [changed, setChanged] = useState(0);

  useEffect(() => {
    let live = true;
    api.listAttributes().then(
      (r) => live && setDefs(r.items),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, changed]);
  useEffect(() => {
    let live = true;
    api.contactSettings().then(
      (s) => live && setSettings(s),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api]);

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
        {defs === null && !error && <p className="muted">Loading…</p>}
        {defs && <AttributeDefinitions api={api} defs={defs} onChanged={() => setChanged((n) => n + 1)} />}
        {settings && <MergeSettingsForm api={api} settings={settings} onSaved={setSettings} />}
      </main>
    </div>
  );
}
