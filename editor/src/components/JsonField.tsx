import { useEffect, useId, useState } from 'react';

/** A JSON text area: invalid JSON is shown inline and never applied. */
export function JsonField({
  label,
  value,
  onChange,
  rows = 6,
  describe,
  optional = false,
}: {
  label: string;
  value: unknown;
  onChange: (v: unknown) => void;
  rows?: number;
  describe?: string;
  optional?: boolean;
}) {
  const id = useId();
  const show = (v: unknown) => (optional && v === undefined ? '' : JSON.stringify(v ?? null, null, 2));
  const [text, setText] = useState(() => show(value));
  const [error, setError] = useState<string | null>(null);
  // Follow outside changes (undo, data picker) unless the text is being edited into something invalid.
  useEffect(() => {
    if (error) return;
    try {
      if (optional && text.trim() === '' && value === undefined) return;
      if (JSON.stringify(JSON.parse(text)) === JSON.stringify(value ?? null)) return;
    } catch {
      // fall through
    }
    setText(show(value));
    // Only a new value from outside resets the text (an edit in progress is kept while it is invalid).
  }, [value]);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {describe && <small className="muted">{describe}</small>}
      <textarea
        id={id}
        rows={rows}
        spellCheck={false}
        className="mono"
        value={text}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-err` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (optional && e.target.value.trim() === '') {
            setError(null);
            return onChange(undefined);
          }
          try {
            const v = JSON.parse(e.target.value) as unknown;
            setError(null);
            onChange(v);
          } catch (err) {
            setError(`Not valid JSON: ${(err as Error).message}`);
          }
        }}
      />
      {error && (
        <p id={`${id}-err`} role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
