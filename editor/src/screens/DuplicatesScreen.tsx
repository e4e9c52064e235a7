// The duplicates queue (`/contacts/duplicates`): pairs of contacts that may be one person, with the reasons and a
// score, to merge (keeping the older; undoable from here) or dismiss as not the same person.
import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { Duplicate } from '../api/types.js';
import { contactName, kindLabel, reasonText } from '../contacts/view.js';
import { MergeDialog } from '../components/MergeDialog.js';
import { go, TopBar } from '../components/TopBar.js';

const PAGE = 20;

export function DuplicatesScreen({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const [items, setItems] = useState<Duplicate[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<{ text: string; mergeId?: string } | null>(null);
  const [changed, setChanged] = useState(0);
  const [previewing, setPreviewing] = useState<Duplicate | null>(null);

  useEffect(() => {
    let live = true;
    api.listDuplicates({ limit: PAGE }).then(
      (r) => live && setItems(r.items),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, changed]);

  const act = async (id: string, fn: () => Promise<{ text: string; mergeId?: string }>) => {
    setBusy(id);
    setError(null);
    try {
      setDone(await fn());
      setChanged((n) => n + 1);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const merge = (d: Duplicate) =>
    act(d.id, async () => {
      const { merge } = await api.mergeDuplicate(d.id);
      return {
        text: `Merged ${contactName(d.contacts[1]!)} into ${contactName(d.contacts[0]!)}.`,
        mergeId: merge.id,
      };
    });
  const dismiss = (d: Duplicate) =>
    act(d.id, async () => {
      await api.dismissDuplicate(d.id);
      return { text: `Kept ${contactName(d.contacts[0]!)} and ${contactName(d.contacts[1]!)} apart.` };
    });
  const undo = (mergeId: string) =>
    act(mergeId, async () => {
      await api.undoMerge(mergeId);
      return { text: 'Merge undone: both contacts are as they were.' };
    });

  return (
    <div className="page">
      <TopBar current="contacts" onSignOut={onSignOut} />
      <main className="contacts duplicates">
        <a href="/contacts" onClick={go('/contacts')}>
          ← Contacts
        </a>
        <h1>Possible duplicates</h1>
        {done && (
          <p role="status" className="banner">
            {done.text}{' '}
            {done.mergeId && (
              <button type="button" className="link" disabled={busy !== null} onClick={() => void undo(done.mergeId!)}>
                Undo
              </button>
            )}
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {items === null && !error && <p className="muted">Loading…</p>}
        {items?.length === 0 && <p className="empty">No possible duplicates.</p>}
        {items && items.length > 0 && (
          <ul className="duplicate-list" aria-label="Possible duplicates">
            {items.map((d) => {
              const [a, b] = [d.contacts[0]!, d.contacts[1]!];
              return (
                <li key={d.id} aria-label={`${contactName(a)} and ${contactName(b)}`}>
                  <div className="duplicate-pair">
                    {[a, b].map((c) => (
                      <a
                        key={c.id}
                        href={`/contacts/${encodeURIComponent(c.id)}`}
                        onClick={go(`/contacts/${encodeURIComponent(c.id)}`)}
                      >
                        <span className="contact-name">{contactName(c)}</span>
                        <span className="contact-identities">
                          {c.identities.map((i) => (
                            <span key={i.id}>
                              <span className="muted">{kindLabel(i.kind)}:</span> {i.value}
                            </span>
                          ))}
                        </span>
                      </a>
                    ))}
                  </div>
                  <ul className="reasons" aria-label="Reasons">
                    {d.reasons.map((r, n) => (
                      <li key={n}>{reasonText(r)}</li>
                    ))}
                  </ul>
                  <p className="muted">Score {d.score} of 100</p>
                  <button
                    type="button"
                    className="primary"
                    disabled={busy !== null}
                    onClick={() => void merge(d)}
                  >{`Merge into ${contactName(a)}`}</button>{' '}
                  <button type="button" disabled={busy !== null} onClick={() => setPreviewing(d)}>
                    Preview merge…
                  </button>{' '}
                  <button type="button" disabled={busy !== null} onClick={() => void dismiss(d)}>
                    Not the same person
                  </button>
                  {previewing?.id === d.id && (
                    <MergeDialog
                      api={api}
                      contact={a}
                      other={b}
                      merge={(survivorId) => api.mergeDuplicate(d.id, survivorId)}
                      onCancel={() => setPreviewing(null)}
                      onMerged={(r) => {
                        setPreviewing(null);
                        const gone = r.merge.mergedId === a.id ? a : b;
                        setDone({
                          text: `Merged ${contactName(gone)} into ${contactName(r.contact)}.`,
                          mergeId: r.merge.id,
                        });
                        setChanged((n) => n + 1);
                      }}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </main>
    </div>
  );
}
