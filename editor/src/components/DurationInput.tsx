import { useId } from 'react';
import { toFriendly, toIso, UNITS, type Unit } from '../flow/duration.js';

/** A duration as amount + unit; writes ISO-8601 (PT5M). Durations the form cannot show are kept as typed. */
export function DurationInput({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (iso: string) => void;
}) {
  const id = useId();
  const f = toFriendly(value) ?? { amount: 0, unit: 'minutes' as Unit };
  return (
    <fieldset className="field duration">
      <legend>{label}</legend>
      <label htmlFor={`${id}-n`} className="sr-only">
        Amount
      </label>
      <input
        id={`${id}-n`}
        type="number"
        min={1}
        value={f.amount}
        onChange={(e) => onChange(toIso(Math.max(0, Math.round(Number(e.target.value) || 0)), f.unit))}
      />
      <label htmlFor={`${id}-u`} className="sr-only">
        Unit
      </label>
      <select id={`${id}-u`} value={f.unit} onChange={(e) => onChange(toIso(f.amount, e.target.value as Unit))}>
        {UNITS.map((u) => (
          <option key={u.id} value={u.id}>
            {u.label}
          </option>
        ))}
      </select>
      <small className="muted">{value}</small>
    </fieldset>
  );
}
