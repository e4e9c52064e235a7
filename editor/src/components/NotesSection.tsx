// The contact page's notes (`/api/contacts/:id/notes`): newest first with "Load more", a box to write one, and a
// confirmed Delete. A contact with merged ones shows theirs too; a note written here stays on this contact.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Api } from '../api/client.js';
import type { ContactNote } from '../api/types.js';
import { useAction } from '../screens/use-action.js';
import { NOTE_MAX_LENGTH } from '../../../prisma/contact-limits.js';

const PAGE = 20;

export function NotesSection({
  api,
  contactId,
  refresh,
  onChanged,
}: {
  api: Api;
  contactId: string;
  /** Changing it reads the notes again (a merge or an edit elsewhere on the page). */
  refresh: number;
  /** A note added or deleted (the page reads its timeline again). */
  onChanged: () => void;
}) {
  const [notes, setNotes] = useState<ContactNote[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [text, setText] = useState('');
  const { busy, error, setError, run } = useAction();

  const load = useCallback(
    () =>
      api.listNotes(contactId, { limit: PAGE }).then(
        (r) => {
          setNotes(r.items);
          setCursor(r.nextCursor);
        },
        (e: Error) => setError(e.message),
      ),
    [api, contactId],
  );
  useEffect(() => {
    void load();
  }, [load, refresh]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setError('Write the note first.');
    const ok = await run(async () => {
      const note = await api.addNote(contactId, text);
      setNotes((prev) => [note, ...(prev ?? [])]);
    });
    if (ok) {
      setText('');
      onChanged();
    }
  };

  const remove = async (note: ContactNote) => {
    if (!window.confirm('Delete this note? It leaves the timeline too.')) return;
    const ok = await run(async () => {
      await api.deleteNote(contactId, note.id);
      setNotes((prev) => (prev ?? []).filter((n) => n.id !== note.id));
    });
    if (ok) onChanged();
  };

  const more = () =>
    run(async () => {
      const r = await api.listNotes(contactId, { limit: PAGE, cursor });
      setNotes((prev) => [...(prev ?? []), ...r.items.filter((n) => !prev?.some((p) => p.id === n.id))]);
      setCursor(r.nextCursor);
    });

  return (
    <section aria-labelledby="notes-title">
      <h2 id="notes-title">Notes</h2>
      <form onSubmit={(e) => void add(e)}>
        <textarea
          aria-label="New note"
          placeholder="Write a note about this contact"
          value={text}
          maxLength={NOTE_MAX_LENGTH}
          rows={3}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          Add note
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notes === null && !error && <p className="muted">Loading…</p>}
      {notes?.length === 0 && <p className="empty">No notes.</p>}
      {notes && notes.length > 0 && (
        <ul className="notes" aria-label="Notes" style={{ listStyle: 'none', padding: 0 }}>
          {notes.map((n) => (
            <li key={n.id}>
              <p className="note-text" style={{ whiteSpace: 'pre-wrap' }}>
                {n.text}
              </p>
              <span className="muted">
                <time dateTime={n.createdAt}>{new Date(n.createdAt).toLocaleString()}</time>
                {n.contactId !== contactId && <> · on merged contact {n.contactId}</>}
              </span>{' '}
              <button
                type="button"
                className="link"
                aria-label="Delete note"
                disabled={busy}
                onClick={() => void remove(n)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {cursor && notes && (
        <button type="button" onClick={() => void more()} disabled={busy}>
          Load more
        </button>
      )}
    </section>
  );
}
