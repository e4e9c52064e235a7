// A contact's page (`/contacts/<id>`): name, tags (chips: add, remove, filter the Contacts screen), identities by kind
// with where each came from and its flag, attributes (Edit: the name and attributes in a form), notes, each connected
// CRM's record and sync state, and one timeline across every channel (components/TimelineSection.tsx).
import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { Contact } from '../api/types.js';
import { attributeRows } from '../contacts/attributes.js';
import { attributeText, contactName, groupIdentities, identityFlag, provenanceText } from '../contacts/view.js';
import { ContactEditForm } from '../components/ContactEditForm.js';
import { MergeDialog } from '../components/MergeDialog.js';
import { MergesSection } from '../components/MergesSection.js';
import { CrmSection } from '../components/CrmSection.js';
import { NotesSection } from '../components/NotesSection.js';
import { TagsSection } from '../components/TagsSection.js';
import { TimelineSection } from '../components/TimelineSection.js';
import { go, TopBar } from '../components/TopBar.js';
import { navigate } from '../session.js';
import { useAttributeDefinitions } from './use-attribute-definitions.js';

export function ContactScreen({ api, contactId, onSignOut }: { api: Api; contactId: string; onSignOut: () => void }) {
  const [contact, setContact] = useState<Contact | null>(null);
  // Defined attributes are listed first, under their labels.
  const definitions = useAttributeDefinitions(api);
  const [error, setError] = useState<string | null>(null);
  const [accounts, setAccounts] = useState<Map<string, string>>(new Map());
  const [changed, setChanged] = useState(0);
  const [editing, setEditing] = useState(false);
  const [merging, setMerging] = useState(false);

  useEffect(() => {
    let live = true;
    api.getContact(contactId).then(
      (c) => live && setContact(c),
      (e: Error & { status?: number }) =>
        live && setError(e.status === 404 ? 'This contact does not exist (or is not in this workspace).' : e.message),
    );
    // Account names only make provenance readable: without them the ids are shown.
    api.channelAccounts().then(
      (list) => live && setAccounts(new Map(list.map((a) => [a.id, `${a.name} (${a.connector})`]))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, contactId, changed]);

  const detach = (identityId: string, label: string) => {
    if (!window.confirm(`Detach ${label} from this contact? It stays in the timeline and matches nobody here again.`))
      return;
    api.detachIdentity(contactId, identityId).then(
      () => setChanged((n) => n + 1),
      (e: Error) => setError(e.message),
    );
  };

  const saved = (c: Contact) => {
    setContact(c);
    setEditing(false);
    // The timeline and the CRM section (now syncing the change) are read again.
    setChanged((n) => n + 1);
  };

  const accountName = (id: string) => accounts.get(id);
  const attributes = attributeRows(contact?.attributes, definitions);
  return (
    <div className="page">
      <TopBar current="contacts" onSignOut={onSignOut} />
      <main className="contact-page">
        <a href="/contacts" onClick={go('/contacts')}>
          ← Contacts
        </a>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {!contact && !error && <p className="muted">Loading…</p>}
        {contact && (
          <>
            <div className="row contact-head">
              <h1 className="grow">{contactName(contact)}</h1>
              {!editing && !contact.mergedInto && (
                <button type="button" onClick={() => setEditing(true)}>
                  Edit
                </button>
              )}
              {!merging && !contact.mergedInto && (
                <button type="button" onClick={() => setMerging(true)}>
                  Merge with…
                </button>
              )}
            </div>
            {merging && (
              <MergeDialog
                api={api}
                contact={contact}
                onCancel={() => setMerging(false)}
                onMerged={(r) => {
                  setMerging(false);
                  // The other contact survived: its page shows the result.
                  if (r.contact.id === contactId) saved(r.contact);
                  else navigate(`/contacts/${encodeURIComponent(r.contact.id)}`);
                }}
              />
            )}
            {editing && (
              <ContactEditForm api={api} contact={contact} onSaved={saved} onCancel={() => setEditing(false)} />
            )}
            {contact.mergedInto && (
              <p className="banner" role="status">
                Merged into{' '}
                <a
                  href={`/contacts/${encodeURIComponent(contact.mergedInto)}`}
                  onClick={go(`/contacts/${encodeURIComponent(contact.mergedInto)}`)}
                >
                  {contact.mergedInto}
                </a>
              </p>
            )}
            <TagsSection api={api} contact={contact} editable={!contact.mergedInto} onSaved={saved} />
            <section aria-labelledby="identities-title">
              <h2 id="identities-title">Identities</h2>
              {contact.identities.length === 0 && <p className="empty">No identities.</p>}
              {groupIdentities(contact.identities).map((g) => (
                <div key={g.kind} className="identity-group">
                  <h3>{g.label}</h3>
                  <ul aria-label={g.label}>
                    {g.items.map((i) => (
                      <li key={i.id}>
                        <span className="identity-value">{i.value}</span>{' '}
                        <span className={`flag flag-${identityFlag(i)}`}>{identityFlag(i)}</span>{' '}
                        {i.shared && (
                          <span className="flag flag-shared" title="Another contact uses it too (a household)">
                            shared
                          </span>
                        )}{' '}
                        <span className="muted provenance">
                          from {provenanceText(i.source, accountName)}, {new Date(i.addedAt).toLocaleString()}
                        </span>{' '}
                        <button
                          type="button"
                          className="link"
                          aria-label={`Detach ${i.value}`}
                          onClick={() => detach(i.id, i.value)}
                        >
                          Detach
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </section>
            {!editing && (
              <section aria-labelledby="attributes-title">
                <h2 id="attributes-title">Attributes</h2>
                {attributes.length === 0 ? (
                  <p className="empty">No attributes.</p>
                ) : (
                  <dl className="attributes" aria-labelledby="attributes-title">
                    {attributes.map((a) => (
                      <div key={a.key}>
                        <dt title={a.label === a.key ? undefined : a.key}>{a.label}</dt>
                        <dd>{attributeText(a.value)}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </section>
            )}
            <NotesSection
              api={api}
              contactId={contactId}
              refresh={changed}
              onChanged={() => setChanged((n) => n + 1)}
            />
            <CrmSection api={api} contactId={contactId} refresh={changed} />
            <MergesSection api={api} contact={contact} refresh={changed} onUndone={() => setChanged((n) => n + 1)} />
            <TimelineSection api={api} contactId={contactId} refresh={changed} accountName={accountName} />
          </>
        )}
      </main>
    </div>
  );
}
