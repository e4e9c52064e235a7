// A contact's page (`/contacts/<id>`): name, tags (chips: add, remove, filter the Contacts screen), identities by kind
// with where each came from and its flag, attributes (Edit: the name and attributes in a form), notes, each connected
// CRM's record and sync state, and one timeline across every channel (notes too) with a channel filter.
import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { Contact, TimelineEvent } from '../api/types.js';
import {
  attributeText,
  contactName,
  eventTitle,
  filterTimeline,
  groupIdentities,
  identityFlag,
  provenanceText,
  timelineChannels,
} from '../contacts/view.js';
import { ContactEditForm } from '../components/ContactEditForm.js';
import { CrmSection } from '../components/CrmSection.js';
import { NotesSection } from '../components/NotesSection.js';
import { TagsSection } from '../components/TagsSection.js';
import { go, TopBar } from '../components/TopBar.js';

export function ContactScreen({ api, contactId, onSignOut }: { api: Api; contactId: string; onSignOut: () => void }) {
  const [contact, setContact] = useState<Contact | null>(null);
  const [timeline, setTimeline] = useState<TimelineEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [accounts, setAccounts] = useState<Map<string, string>>(new Map());
  const [channel, setChannel] = useState('');
  const [changed, setChanged] = useState(0);
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    let live = true;
    Promise.all([api.getContact(contactId), api.contactTimeline(contactId)]).then(
      ([c, t]) => {
        if (!live) return;
        setContact(c);
        setTimeline(t.items);
      },
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
  const attributes = Object.entries((contact?.attributes ?? {}) as Record<string, unknown>);
  const shown = timeline ? filterTimeline(timeline, channel) : [];
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
            </div>
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
                    {attributes.map(([k, v]) => (
                      <div key={k}>
                        <dt>{k}</dt>
                        <dd>{attributeText(v)}</dd>
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
            <section aria-labelledby="timeline-title">
              <h2 id="timeline-title">Timeline</h2>
              <label>
                Channel{' '}
                <select value={channel} onChange={(e) => setChannel(e.target.value)} aria-label="Channel">
                  <option value="">All channels</option>
                  {timelineChannels(timeline ?? []).map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
              {shown.length === 0 && <p className="empty">Nothing on this timeline.</p>}
              <ol className="timeline" aria-label="Timeline">
                {shown.map((e, n) => (
                  <li
                    key={`${e.type}:${e.message?.id ?? e.note?.id ?? n}`}
                    data-type={e.type}
                    data-channel={e.message?.channel}
                  >
                    <span className="event-title">{eventTitle(e)}</span>{' '}
                    {e.message && (
                      <>
                        <span className="event-text">{e.message.text ?? '(no text)'}</span>{' '}
                        <span className="badge">{e.message.status}</span>{' '}
                      </>
                    )}
                    {e.note && <span className="event-text">{e.note.text}</span>}{' '}
                    {e.runId && (
                      <span className="muted">
                        run {e.runId}, step {e.nodeId}{' '}
                      </span>
                    )}
                    <time className="muted" dateTime={e.at}>
                      {new Date(e.at).toLocaleString()}
                    </time>
                  </li>
                ))}
              </ol>
            </section>
          </>
        )}
      </main>
    </div>
  );
}
