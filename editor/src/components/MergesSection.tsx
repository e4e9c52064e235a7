// The contact page's merges (`GET /api/contacts/:id/merges`): who merged what and when, newest first, and "Undo merge"
// (confirmed) on each not undone yet; after an undo both contacts are as they were, the restored one linked.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../api/client.js';
import type { Contact, ContactMerge, UndoResult } from '../api/types.js';
import { mergeByText, mergeNames } from '../contacts/merge.js';
import { contactName } from '../contacts/view.js';
import { useAction } from '../screens/use-action.js';
import { go } from './TopBar.js';

export function MergesSection({
  api,
  contact,
  refresh,
  onUndone,
}: {
  api: Api;
  contact: Contact;
  /** Changing it reads the merges again (a merge made on the page). */
  refresh: number;
  /** A merge undone (the page reads the contact again). */
  onUndone: (result: UndoResult) => void;
}) {
  const [merges, setMerges] = useState<ContactMerge[] | null>(null);
  const { busy, error, setError, run } = useAction();
  const [restored, setRestored] = useState<Contact | null>(null);

  const load = useCallback(
    () =>
      api.listMerges(contact.id).then(
        (r) => setMerges(r.items),
        (e: Error) => setError(e.message),
      ),
    [api, contact.id],
  );
  useEffect(() => {
    void load();
  }, [load, refresh]);

  // Names seen on this page (the contact, its members, a contact restored by an undo): an undone merge's contact is
  // no longer among the members, and is still shown by its name.
  const seen = useRef<Pick<Contact, 'id' | 'name'>[]>([]);
  seen.current = [contact, ...(contact.members ?? []), ...(restored ? [restored] : []), ...seen.current].slice(0, 200);
  const name = mergeNames(seen.current);
  const undo = async (m: ContactMerge) => {
    if (!window.confirm(`Undo this merge? ${name(m.mergedId)} becomes a contact of its own again, with what it had.`))
      return;
    await run(async () => {
      const result = await api.undoMerge(m.id);
      setRestored(result.contacts[1]!);
      onUndone(result);
      await load();
    });
  };

  // Nothing to show on a contact never merged (nor while finding out).
  if ((merges === null || merges.length === 0) && !restored && !error) return null;
  const link = (id: string, text: string) => (
    <a href={`/contacts/${encodeURIComponent(id)}`} onClick={go(`/contacts/${encodeURIComponent(id)}`)}>
      {text}
    </a>
  );
  return (
    <section aria-labelledby="merges-title">
      <h2 id="merges-title">Merges</h2>
      {restored && (
        <p role="status" className="banner">
          Merge undone: {link(restored.id, contactName(restored))} is a contact of its own again.
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {merges && merges.length > 0 && (
        <ul className="merge-list" aria-label="Merges">
          {merges.map((m) => (
            <li key={m.id} data-undone={m.undoneAt ? 'true' : undefined}>
              {link(m.mergedId, name(m.mergedId))} merged into {link(m.survivorId, name(m.survivorId))}{' '}
              <span className="muted">
                {mergeByText(m.by)}, {new Date(m.createdAt).toLocaleString()}
                {m.members.length > 1 && ` (with ${m.members.length - 1} merged into it before)`}
              </span>{' '}
              {m.undoneAt ? (
                <span className="badge">undone {new Date(m.undoneAt).toLocaleString()}</span>
              ) : (
                <button
                  type="button"
                  className="link"
                  disabled={busy}
                  aria-label={`Undo merge of ${name(m.mergedId)}`}
                  onClick={() => void undo(m)}
                >
                  Undo merge
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
