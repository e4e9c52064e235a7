// The contact page's tags: chips (each one filters the Contacts screen by it) with a remove button, and a field to
// add one. Every change is one `PATCH /api/contacts/:id { tags }`; the contact as saved comes back through `onSaved`.
import { useState, type FormEvent } from 'react';
import type { Api } from '../api/client.js';
import type { Contact } from '../api/types.js';
import { useAction } from '../screens/use-action.js';
import { MAX_TAG_LENGTH, tagHref, withoutTag, withTag } from '../contacts/tags.js';
import { go } from './TopBar.js';

// Laid out here rather than in styles.css: a row of chips, no bullets.
const CHIPS = { listStyle: 'none', padding: 0, flexWrap: 'wrap', gap: 6 } as const;
const CHIP = { display: 'inline-flex', alignItems: 'center', gap: 6 } as const;

export function TagsSection({
  api,
  contact,
  editable,
  onSaved,
}: {
  api: Api;
  contact: Contact;
  /** False on a merged contact's own page: its tags are edited on the contact it is in. */
  editable: boolean;
  onSaved: (c: Contact) => void;
}) {
  const [text, setText] = useState('');
  const { busy: saving, error, setError, run } = useAction();

  const save = (tags: string[]) => run(async () => onSaved(await api.updateContact(contact.id, { tags })));

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const next = withTag(contact.tags, text);
    if ('problem' in next) return setError(next.problem);
    if (next.tags.length === contact.tags.length) return setText('');
    if (await save(next.tags)) setText('');
  };

  return (
    <section aria-labelledby="tags-title">
      <h2 id="tags-title">Tags</h2>
      {contact.tags.length === 0 && <p className="empty">No tags.</p>}
      {contact.tags.length > 0 && (
        <ul className="row tags" aria-label="Tags" style={CHIPS}>
          {contact.tags.map((t) => (
            <li key={t} className="badge tag" style={CHIP}>
              <a href={tagHref(t)} onClick={go(tagHref(t))} title={`Contacts tagged ${t}`}>
                {t}
              </a>
              {editable && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove tag ${t}`}
                  disabled={saving}
                  onClick={() => void save(withoutTag(contact.tags, t))}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form className="row" onSubmit={(e) => void add(e)}>
          <input
            aria-label="New tag"
            placeholder="Add a tag"
            value={text}
            maxLength={MAX_TAG_LENGTH}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" disabled={saving}>
            Add tag
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
