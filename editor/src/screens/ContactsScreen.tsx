// The Contacts screen (`/contacts`, `/contacts?tag=vip`): one debounced search box (a phone in any format, an email,
// or any text), a tag filter (kept in the address, so a contact page's tag chip opens it) and the list, newest first,
// paged by "Load more".
import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { Contact } from '../api/types.js';
import { MAX_TAG_LENGTH, normalTag, tagFromSearch, tagHref } from '../contacts/tags.js';
import { contactName, kindLabel } from '../contacts/view.js';
import { go, TopBar } from '../components/TopBar.js';
import { AttributeFilter } from '../components/AttributeFilter.js';
import { attributeQuery } from '../contacts/attributes.js';
import { useAttributeDefinitions } from './use-attribute-definitions.js';

const PAGE = 50;
/** Typing pauses this long before the search goes out. */
const DEBOUNCE_MS = 300;

export function ContactsScreen({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [tagText, setTagText] = useState(() => tagFromSearch(location.search));
  const [tag, setTag] = useState(() => tagFromSearch(location.search));
  const [items, setItems] = useState<Contact[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const defs = useAttributeDefinitions(api);
  const [attrKey, setAttrKey] = useState('');
  const [attrText, setAttrText] = useState('');
  const [attrValue, setAttrValue] = useState('');
  const attrs = attributeQuery(attrKey, attrValue);
  const attrsKey = JSON.stringify(attrs);

  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [q]);
  useEffect(() => {
    const t = setTimeout(() => setTag(normalTag(tagText)), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [tagText]);
  useEffect(() => {
    const t = setTimeout(() => setAttrValue(attrText), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [attrText]);
  // The filter lives in the address too (reload, back, a shared link).
  useEffect(() => {
    if (location.pathname + location.search !== tagHref(tag)) history.replaceState(null, '', tagHref(tag));
  }, [tag]);

  useEffect(() => {
    let live = true;
    setItems(null);
    setError(null);
    api.listContacts({ q: query, tag, attrs: JSON.parse(attrsKey) as Record<string, string>, limit: PAGE }).then(
      (r) => {
        if (!live) return;
        setItems(r.items);
        setCursor(r.nextCursor);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, query, tag, attrsKey]);

  const loadMore = async () => {
    setLoadingMore(true);
    try {
      const r = await api.listContacts({ q: query, tag, attrs, limit: PAGE, cursor });
      setItems((prev) => [...(prev ?? []), ...r.items.filter((c) => !prev?.some((p) => p.id === c.id))]);
      setCursor(r.nextCursor);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <div className="page">
      <TopBar current="contacts" onSignOut={onSignOut} />
      <main className="contacts">
        <h1>Contacts</h1>
        <p>
          <a href="/contacts/duplicates" onClick={go('/contacts/duplicates')}>
            Possible duplicates
          </a>
          {' · '}
          <a href="/contacts/settings" onClick={go('/contacts/settings')}>
            Contact settings
          </a>
        </p>
        <input
          type="search"
          aria-label="Search contacts"
          placeholder="Name, phone (any format), email or any identity"
          value={q}
          maxLength={200}
          onChange={(e) => setQ(e.target.value)}
        />
        <div className="row">
          <input
            type="search"
            aria-label="Filter by tag"
            placeholder="Tag"
            value={tagText}
            maxLength={MAX_TAG_LENGTH}
            onChange={(e) => setTagText(e.target.value)}
          />
          {tag && (
            <button
              type="button"
              className="link"
              onClick={() => {
                setTagText('');
                setTag('');
              }}
            >
              Clear tag filter
            </button>
          )}
        </div>
        {defs && defs.length > 0 && (
          <AttributeFilter
            defs={defs}
            attrKey={attrKey}
            text={attrText}
            onKey={(k) => {
              setAttrKey(k);
              setAttrValue('');
            }}
            onText={setAttrText}
          />
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {items === null && !error && <p className="muted">Loading…</p>}
        {items?.length === 0 && (
          <p className="empty">
            {query || tag || attrsKey !== '{}'
              ? `No contact matches${query ? ` “${query}”` : ''}${tag ? ` with tag “${tag}”` : ''}.`
              : 'No contacts yet.'}
          </p>
        )}
        {items && items.length > 0 && (
          <ul className="contact-list" aria-label="Contacts">
            {items.map((c) => (
              <li key={c.id}>
                <a href={`/contacts/${encodeURIComponent(c.id)}`} onClick={go(`/contacts/${encodeURIComponent(c.id)}`)}>
                  <span className="contact-name">{contactName(c)}</span>
                  <span className="contact-identities">
                    {c.identities.map((i) => (
                      <span key={`${i.kind}:${i.value}`}>
                        <span className="muted">{kindLabel(i.kind)}:</span> {i.value}
                      </span>
                    ))}
                  </span>
                  {c.tags.length > 0 && (
                    <span className="contact-tags" aria-label="Tags">
                      {c.tags.map((t) => (
                        <span key={t} className="badge tag">
                          {t}
                        </span>
                      ))}
                    </span>
                  )}
                  <time className="muted" dateTime={c.createdAt}>
                    {new Date(c.createdAt).toLocaleDateString()}
                  </time>
                </a>
              </li>
            ))}
          </ul>
        )}
        {cursor && items && (
          <button onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </main>
    </div>
  );
}
