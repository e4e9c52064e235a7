// The contact page's edit form: the name and the custom attributes as name/value rows (add, remove). Saving sends only
// what changed (`PATCH /api/contacts/:id`); a refusal is shown beside the form, which stays open with what was typed.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, type Api } from '../api/client.js';
import type { Contact } from '../api/types.js';
import { addRow, changeRow, contactDraft, contactPatch, patchProblems, removeRow } from '../contacts/edit.js';
import { withDefinitions } from '../contacts/attributes.js';
import { useAttributeDefinitions } from '../screens/use-attribute-definitions.js';
import { AttributeValueInput } from './AttributeValueInput.js';

export function ContactEditForm({
  api,
  contact,
  onSaved,
  onCancel,
}: {
  api: Api;
  contact: Contact;
  onSaved: (c: Contact) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(() => contactDraft(contact));
  const [saving, setSaving] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  // Defined attributes get typed inputs (their rows first); the rest stay free name/value rows.
  const defs = useAttributeDefinitions(api);
  useEffect(() => {
    if (defs) setDraft((d) => withDefinitions(d, defs));
  }, [defs]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const { patch, problems: local } = contactPatch(contact, draft);
    setProblems(local);
    if (local.length > 0) return;
    if (!patch) return onCancel();
    setSaving(true);
    try {
      onSaved(await api.updateContact(contact.id, patch));
    } catch (err) {
      const issues = err instanceof ApiError ? patchProblems(err.issues) : [];
      setProblems(issues.length > 0 ? issues : [(err as Error).message]);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="contact-edit" aria-label="Edit contact" onSubmit={(e) => void save(e)}>
      <label className="contact-edit-name">
        Name{' '}
        <input
          type="text"
          value={draft.name}
          onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          placeholder="No name"
        />
      </label>
      <fieldset>
        <legend>Attributes</legend>
        {draft.rows.length === 0 && <p className="muted">No attributes.</p>}
        {draft.rows.map((r, n) =>
          r.def ? (
            <div key={r.id} className="attribute-row">
              <span className="attribute-label" title={r.key}>
                {r.def.label}
              </span>
              <AttributeValueInput
                def={r.def}
                value={r.value}
                onChange={(value) => setDraft((d) => changeRow(d, r.id, { value }))}
              />
            </div>
          ) : (
            <div key={r.id} className="attribute-row">
              <input
                type="text"
                aria-label={`Name of attribute ${n + 1}`}
                placeholder="name"
                value={r.key}
                readOnly={r.fixed}
                onChange={(e) => setDraft(changeRow(draft, r.id, { key: e.target.value }))}
              />
              <input
                type="text"
                className="grow"
                aria-label={`Value of attribute ${n + 1}`}
                placeholder="value"
                value={r.value}
                readOnly={r.fixed}
                title={r.fixed ? 'A nested value: kept as it is (change it through the API)' : undefined}
                onChange={(e) => setDraft(changeRow(draft, r.id, { value: e.target.value }))}
              />
              <button
                type="button"
                className="link"
                aria-label={`Remove attribute ${n + 1}`}
                onClick={() => setDraft(removeRow(draft, r.id))}
              >
                Remove
              </button>
            </div>
          ),
        )}
        <button type="button" onClick={() => setDraft(addRow(draft))}>
          Add attribute
        </button>
      </fieldset>
      {problems.length > 0 && (
        <div role="alert" className="error">
          <p>Not saved.</p>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
      </div>
    </form>
  );
}
