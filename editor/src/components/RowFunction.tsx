import { useId } from 'react';
import { exampleArgs, FUNCTIONS_BY_NAME, functionsByGroup, signature } from '../flow/functions.js';
import type { Row } from '../flow/logic-builder.js';
import type { JsonValue } from '../flow/model.js';

/** A condition row's data function: a list of functions (the value goes first), and its other arguments as JSON. */
export function RowFunction({ fn, onChange }: { fn: Row['fn']; onChange: (fn: Row['fn']) => void }) {
  const id = useId();
  const spec = fn ? FUNCTIONS_BY_NAME.get(fn.name) : undefined;
  return (
    <>
      <label htmlFor={`${id}-f`}>Function</label>
      <select
        id={`${id}-f`}
        value={fn?.name ?? ''}
        title={spec ? `${signature(spec)}\n${spec.description}` : 'Compare the value as it is'}
        onChange={(e) => {
          const next = FUNCTIONS_BY_NAME.get(e.target.value);
          onChange(next ? { name: next.name, args: exampleArgs(next) } : undefined);
        }}
      >
        <option value="">(the value as it is)</option>
        {functionsByGroup().map(({ group, label, functions }) => (
          <optgroup key={group} label={label}>
            {functions
              .filter((f) => f.args.length > 0)
              .map((f) => (
                <option key={f.name} value={f.name}>
                  {f.name}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
      {fn && spec && spec.args.length > 1 && (
        <>
          <label htmlFor={`${id}-a`}>Function arguments</label>
          <input
            id={`${id}-a`}
            key={fn.name}
            className="mono"
            defaultValue={fn.args.map((a) => JSON.stringify(a)).join(', ')}
            placeholder={spec.args
              .slice(1)
              .map((a) => a.name)
              .join(', ')}
            title={signature(spec)}
            onChange={(e) => {
              // Kept while it is not JSON yet (typing a string); applied as soon as it parses.
              try {
                const args = JSON.parse(`[${e.target.value}]`) as JsonValue[];
                onChange({ name: fn.name, args });
              } catch {
                /* not yet */
              }
            }}
          />
        </>
      )}
    </>
  );
}
