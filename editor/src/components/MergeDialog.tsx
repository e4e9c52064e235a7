// "Merge with…" (the contact page, the duplicates queue): find the other contact (the contacts search), choose which
// one survives, see both side by side and the result (`GET /api/contacts/:id/merge-preview`: per field the side it
// comes from and what is set aside, notes, messages, what the CRM sync does), then merge. `other`: the pair is given
// (a duplicate suggestion), no search; `merge`: how to merge (default `POST /api/contacts/:id/merge`).
import { useEffect, useState, type FormEvent } from 'react';
import type { Api } from '../api/client.js';
import type { Contact, MergePreview, MergeResult } from '../api/types.js';
import { crmPlanText, mergeCandidates, sideText } from '../contacts/merge.js';
import { attributeText, contactName, kindLabel } from '../contacts/view.js';

type Side = MergePreview['survivor'];

export function MergeDialog({
  api,
  contact,
  other: given,
  merge,
  onMerged,
  onCancel,
}: {
  api: Api;
  contact: Contact;
  other?: Contact;
  merge?: (survivorId: string, mergedId: string) => Promise<MergeResult>;
  onMerged: (result: MergeResult) => void;
  onCancel: () => void;
}) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Contact[] | null>(null);
  const [other, setOther] = useState<Contact | null>(given ?? null);
  const [keepThis, setKeepThis] = useState(true);
  const [preview, setPreview] = useState<MergePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const [survivorId, mergedId] = other ? (keepThis ? [contact.id, other.id] : [other.id, contact.id]) : [null, null];
  useEffect(() => {
    if (!survivorId || !mergedId) return;
    let live = true;
    setPreview(null);
    setError(null);
    api.mergePreview(survivorId, mergedId).then(
      (p) => live && setPreview(p),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, survivorId, mergedId]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    if (!query.trim()) return;
    setError(null);
    api.listContacts({ q: query, limit: 10 }).then(
      (r) => setFound(mergeCandidates(r.items, contact)),
      (err: Error) => setError(err.message),
    );
  };

  const confirm = async () => {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      onMerged(await (merge ?? api.mergeContacts)(preview.survivorId, preview.mergedId));
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  const names = preview && {
    survivor: contactName(preview.survivor.contact),
    merged: contactName(preview.merged.contact),
  };
  return (
    <section className="card merge-dialog" role="dialog" aria-label="Merge contacts">
      <h2>Merge {contactName(contact)} with another contact</h2>
      {!given && (
        <form className="row" onSubmit={search} role="search">
          <input
            aria-label="Find a contact"
            placeholder="Name, email or phone"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          <button type="submit">Search</button>
        </form>
      )}
      {found && !other && (
        <>
          {found.length === 0 && <p className="empty">No other contact found.</p>}
          <ul className="merge-candidates" aria-label="Contacts found">
            {found.map((c) => (
              <li key={c.id}>
                <button type="button" className="link" onClick={() => setOther(c)}>
                  {contactName(c)}
                </button>{' '}
                <span className="muted">{c.identities.map((i) => `${kindLabel(i.kind)}: ${i.value}`).join(', ')}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {other && (
        <fieldset className="merge-direction">
          <legend>Which contact survives?</legend>
          {[true, false].map((k) => (
            <label key={String(k)} className="check">
              <input type="radio" name="survivor" checked={keepThis === k} onChange={() => setKeepThis(k)} /> Keep{' '}
              {contactName(k ? contact : other)}, merge {contactName(k ? other : contact)} into it
            </label>
          ))}
          {!given && (
            <button type="button" className="link" onClick={() => (setOther(null), setPreview(null))}>
              Choose another contact
            </button>
          )}
        </fieldset>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {other && !preview && !error && <p className="muted">Loading the preview…</p>}
      {preview && names && (
        <div className="merge-preview" aria-label="Merge preview">
          <SideColumn title={`${names.survivor} (survives)`} side={preview.survivor} />
          <SideColumn title={`${names.merged} (merged into it)`} side={preview.merged} />
          <ResultColumn preview={preview} names={names} />
        </div>
      )}
      <div className="row">
        <button type="button" className="primary" disabled={!preview || busy} onClick={() => void confirm()}>
          {preview && names ? `Merge ${names.merged} into ${names.survivor}` : 'Merge'}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function Counts({ of }: { of: Pick<Side, 'notes' | 'messages' | 'conversations'> }) {
  return (
    <p className="muted merge-counts">
      {of.notes} notes, {of.messages} messages in {of.conversations} conversations
    </p>
  );
}

function SideColumn({ title, side }: { title: string; side: Side }) {
  const c = side.contact;
  const attributes = Object.entries(c.attributes as Record<string, unknown>);
  return (
    <div className="merge-column" aria-label={title}>
      <h3>{title}</h3>
      <p className="merge-name">{contactName(c)}</p>
      <ul aria-label="Identities">
        {c.identities.map((i) => (
          <li key={i.id}>
            <span className="muted">{kindLabel(i.kind)}:</span> {i.value}
          </li>
        ))}
      </ul>
      {attributes.length > 0 && (
        <dl className="attributes" aria-label="Attributes">
          {attributes.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{attributeText(v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {c.tags.length > 0 && <p aria-label="Tags">{c.tags.join(', ')}</p>}
      <Counts of={side} />
      {side.crm.map((r) => (
        <p key={`${r.accountId}:${r.recordId}`} className="muted">
          {r.accountName} record {r.recordId}
        </p>
      ))}
    </div>
  );
}

function ResultColumn({ preview, names }: { preview: MergePreview; names: { survivor: string; merged: string } }) {
  const r = preview.result;
  return (
    <div className="merge-column merge-result" aria-label="Result">
      <h3>Result</h3>
      <p className="merge-name">
        {r.name.value ?? 'Unnamed'} <span className="muted">{sideText(r.name.from, names)}</span>
        {r.name.setAside.map((s) => (
          <del key={s.from} className="muted set-aside" title="set aside: kept on its contact, back after an undo">
            {s.value}
          </del>
        ))}
      </p>
      <ul aria-label="Identities">
        {r.identities.map(({ identity: i, from, conflict }) => (
          <li key={i.id} data-from={from}>
            <span className="muted">{kindLabel(i.kind)}:</span> {i.value}{' '}
            <span className="flag">{from === 'both' ? 'on both' : sideText(from, names)}</span>
            {conflict && (
              <span className="flag flag-invalid" title="another record of the same CRM account is on the other side">
                {' '}
                conflict
              </span>
            )}
          </li>
        ))}
      </ul>
      {r.attributes.length > 0 && (
        <dl className="attributes" aria-label="Attributes">
          {r.attributes.map((a) => (
            <div key={a.key} data-from={a.from}>
              <dt>{a.key}</dt>
              <dd>
                {attributeText(a.value)} <span className="muted">{sideText(a.from, names)}</span>
                {a.setAside.map((s) => (
                  <del
                    key={s.from}
                    className="muted set-aside"
                    title="set aside: kept on its contact, back after an undo"
                  >
                    {attributeText(s.value)}
                  </del>
                ))}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {r.tags.length > 0 && <p aria-label="Tags">{r.tags.map((t) => t.tag).join(', ')}</p>}
      <Counts of={r} />
      {r.crm.length > 0 && (
        <ul aria-label="CRM after the merge">
          {r.crm.map((c) => (
            <li key={c.accountId}>{crmPlanText(c)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
