// The contact settings' custom attributes: each definition (label and a select's options editable, deletable; its key
// and type fixed) and a form to add one. Deleting a definition keeps every contact's value.
import { useState, type FormEvent } from 'react';
import type { Api } from '../api/client.js';
import type { AttributeDefinition, AttributeType } from '../api/types.js';
import { useAction } from '../screens/use-action.js';
import { ATTRIBUTE_KEY, optionsFromText, TYPE_LABELS } from '../contacts/attributes.js';

const TYPES = Object.keys(TYPE_LABELS) as AttributeType[];

export function AttributeDefinitions({
  api,
  defs,
  onChanged,
}: {
  api: Api;
  defs: readonly AttributeDefinition[];
  onChanged: () => void;
}) {
  const action = useAction();
  const { busy, error } = action;
  /** A change to the definitions; the screen reads them again once it went through. */
  const run = async (fn: () => Promise<unknown>) => {
    const ok = await action.run(fn);
    if (ok) onChanged();
    return ok;
  };

  return (
    <section aria-label="Custom attributes">
      <h2>Custom attributes</h2>
      <p className="muted">
        Typed fields on every contact. A value a person or the API writes must fit the type; a flow or a CRM sync writes
        what fits and reports the rest. Deleting one keeps every contact&apos;s value.
      </p>
      {defs.length === 0 && <p className="empty">No custom attributes yet.</p>}
      {defs.length > 0 && (
        <ul className="attribute-definitions" aria-label="Attribute definitions">
          {defs.map((d) => (
            <DefinitionRow
              key={`${d.key}:${d.updatedAt}`}
              def={d}
              busy={busy}
              onSave={(patch) => run(() => api.updateAttribute(d.key, patch))}
              onDelete={() => run(() => api.deleteAttribute(d.key))}
            />
          ))}
        </ul>
      )}
      <NewDefinition busy={busy} onAdd={(body) => run(() => api.createAttribute(body))} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}

function DefinitionRow({
  def,
  busy,
  onSave,
  onDelete,
}: {
  def: AttributeDefinition;
  busy: boolean;
  onSave: (patch: { label?: string; options?: string[] }) => Promise<boolean>;
  onDelete: () => Promise<boolean>;
}) {
  const [label, setLabel] = useState(def.label);
  const [options, setOptions] = useState((def.options ?? []).join('\n'));
  const changed =
    label.trim() !== def.label ||
    (def.type === 'select' && optionsFromText(options).join('\n') !== (def.options ?? []).join('\n'));
  const save = (e: FormEvent) => {
    e.preventDefault();
    void onSave({
      ...(label.trim() !== def.label && { label: label.trim() }),
      ...(def.type === 'select' && { options: optionsFromText(options) }),
    });
  };
  return (
    <li>
      <form className="row" aria-label={`Attribute ${def.key}`} onSubmit={save}>
        <input
          aria-label={`Label of ${def.key}`}
          value={label}
          maxLength={100}
          onChange={(e) => setLabel(e.target.value)}
        />
        <code>{def.key}</code>
        <span className="badge">{TYPE_LABELS[def.type]}</span>
        {def.type === 'select' && (
          <textarea
            aria-label={`Options of ${def.key}`}
            rows={Math.min(6, Math.max(2, (def.options ?? []).length))}
            value={options}
            onChange={(e) => setOptions(e.target.value)}
          />
        )}
        <button type="submit" disabled={busy || !changed || label.trim() === ''}>
          Save
        </button>
        <button type="button" className="link" disabled={busy} onClick={() => void onDelete()}>
          Delete {def.label}
        </button>
      </form>
    </li>
  );
}

function NewDefinition({
  busy,
  onAdd,
}: {
  busy: boolean;
  onAdd: (body: { key: string; label: string; type: AttributeType; options?: string[] }) => Promise<boolean>;
}) {
  const [key, setKey] = useState('');
  const [label, setLabel] = useState('');
  const [type, setType] = useState<AttributeType>('text');
  const [options, setOptions] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const k = key.trim();
    if (!ATTRIBUTE_KEY.test(k))
      return setProblem('The key is letters, digits and _ only (no dots or spaces), not starting with a digit.');
    if (type === 'select' && optionsFromText(options).length === 0)
      return setProblem('A select attribute needs at least one option.');
    setProblem(null);
    const ok = await onAdd({
      key: k,
      label: label.trim() || k,
      type,
      ...(type === 'select' && { options: optionsFromText(options) }),
    });
    if (ok) {
      setKey('');
      setLabel('');
      setOptions('');
      setType('text');
    }
  };
  return (
    <form className="new-attribute" aria-label="New attribute" onSubmit={(e) => void add(e)}>
      <h3>Add an attribute</h3>
      <div className="row">
        <label>
          Key <input value={key} maxLength={64} placeholder="plan" onChange={(e) => setKey(e.target.value)} />
        </label>
        <label>
          Label <input value={label} maxLength={100} placeholder="Plan" onChange={(e) => setLabel(e.target.value)} />
        </label>
        <label>
          Type{' '}
          <select value={type} onChange={(e) => setType(e.target.value as AttributeType)}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {type === 'select' && (
        <label>
          Options (one per line) <textarea rows={3} value={options} onChange={(e) => setOptions(e.target.value)} />
        </label>
      )}
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Add attribute
      </button>
    </form>
  );
}
