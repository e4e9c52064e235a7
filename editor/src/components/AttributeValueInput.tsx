// The value input of a workspace-defined attribute (contacts/attributes.ts): a number, date or select input, or text;
// labelled with the definition's label. Blank means no value.
import type { RowDefinition } from '../contacts/attributes.js';

export function AttributeValueInput({
  def,
  value,
  onChange,
}: {
  def: RowDefinition;
  value: string;
  onChange: (value: string) => void;
}) {
  const label = def.label;
  if (def.type === 'select') {
    // A stored value no option names any more (a dropped option) is still shown, as it is.
    const options = def.options ?? [];
    return (
      <select aria-label={label} className="grow" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {value !== '' && !options.includes(value) && <option value={value}>{value}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      type={def.type === 'number' ? 'number' : def.type === 'date' ? 'date' : 'text'}
      step={def.type === 'number' ? 'any' : undefined}
      aria-label={label}
      className="grow"
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
