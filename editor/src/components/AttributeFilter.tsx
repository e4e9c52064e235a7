// The Contacts screen's attribute filter: pick a workspace-defined attribute, then a value with the input its type
// takes (an option, a number, a date, or text, which matches a part of the value).
import type { AttributeDefinition } from '../api/types.js';
import { inputKind } from '../contacts/attributes.js';

export function AttributeFilter({
  defs,
  attrKey,
  text,
  onKey,
  onText,
}: {
  defs: readonly AttributeDefinition[];
  attrKey: string;
  text: string;
  onKey: (key: string) => void;
  onText: (text: string) => void;
}) {
  const def = defs.find((d) => d.key === attrKey);
  const kind = inputKind(def);
  return (
    <div className="row attribute-filter">
      <select
        aria-label="Filter by attribute"
        value={attrKey}
        onChange={(e) => {
          onKey(e.target.value);
          onText('');
        }}
      >
        <option value="">Any attribute</option>
        {defs.map((d) => (
          <option key={d.key} value={d.key}>
            {d.label}
          </option>
        ))}
      </select>
      {def &&
        (kind === 'select' ? (
          <select aria-label={`${def.label} is`} value={text} onChange={(e) => onText(e.target.value)}>
            <option value="">—</option>
            {(def.options ?? []).map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        ) : (
          <input
            type={kind === 'number' ? 'number' : kind === 'date' ? 'date' : 'search'}
            step={kind === 'number' ? 'any' : undefined}
            aria-label={`${def.label} is`}
            placeholder={kind === 'text' ? 'contains' : undefined}
            value={text}
            maxLength={200}
            onChange={(e) => onText(e.target.value)}
          />
        ))}
      {attrKey && (
        <button
          type="button"
          className="link"
          onClick={() => {
            onKey('');
            onText('');
          }}
        >
          Clear attribute filter
        </button>
      )}
    </div>
  );
}
