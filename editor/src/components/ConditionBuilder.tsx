import { useId, useState } from 'react';
import { fromLogic, OPERATORS, parseValue, showValue, toLogic, type Builder, type Row } from '../flow/logic-builder.js';
import type { JsonValue } from '../flow/model.js';
import { JsonField } from './JsonField.js';
import { RowFunction } from './RowFunction.js';

const OP_LABEL: Record<string, string> = {
  '==': 'equals',
  '!=': 'does not equal',
  '<': 'is less than',
  '>': 'is greater than',
  in: 'is in',
  contains: 'contains',
};

/** Rows of `<value reference> <operator> <value>` joined by all/any, or the raw json-logic. `newVar` starts added rows. */
export function ConditionBuilder({
  rule,
  onChange,
  newVar = 'trigger.body.',
}: {
  rule: JsonValue;
  onChange: (rule: JsonValue) => void;
  newVar?: string;
}) {
  const id = useId();
  const builder = fromLogic(rule);
  const [raw, setRaw] = useState(!builder);
  const set = (b: Builder) => onChange(toLogic(b));
  const setRow = (b: Builder, i: number, patch: Partial<Row>) =>
    set({ ...b, rows: b.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  return (
    <div className="condition">
      <div className="tabs" role="group" aria-label="Condition editor">
        <button
          type="button"
          aria-pressed={!raw}
          disabled={!builder}
          onClick={() => setRaw(false)}
          title={builder ? '' : 'This rule is beyond the builder; edit it as JSON'}
        >
          Builder
        </button>
        <button type="button" aria-pressed={raw} onClick={() => setRaw(true)}>
          JSON
        </button>
      </div>
      {raw || !builder ? (
        <JsonField label="Rule (json-logic)" value={rule} onChange={(v) => onChange(v as JsonValue)} rows={8} />
      ) : (
        <>
          {builder.rows.length > 1 && (
            <div className="field">
              <label htmlFor={`${id}-join`}>Match</label>
              <select
                id={`${id}-join`}
                value={builder.join}
                onChange={(e) => set({ ...builder, join: e.target.value as Builder['join'] })}
              >
                <option value="and">all of these</option>
                <option value="or">any of these</option>
              </select>
            </div>
          )}
          {builder.rows.map((r, i) => (
            <fieldset key={i} className="rule-row">
              <legend className="sr-only">Rule {i + 1}</legend>
              <label htmlFor={`${id}-v${i}`}>Value</label>
              <input
                id={`${id}-v${i}`}
                className="mono"
                data-picker-target="var"
                value={r.var}
                onChange={(e) => setRow(builder, i, { var: e.target.value.replace(/^\{\{\s*|\s*\}\}$/g, '') })}
              />
              <RowFunction fn={r.fn} onChange={(fn) => setRow(builder, i, { fn })} />
              <label htmlFor={`${id}-o${i}`}>Operator</label>
              <select
                id={`${id}-o${i}`}
                value={r.op}
                onChange={(e) => setRow(builder, i, { op: e.target.value as Row['op'] })}
              >
                {OPERATORS.map((o) => (
                  <option key={o} value={o}>
                    {OP_LABEL[o]}
                  </option>
                ))}
              </select>
              <label htmlFor={`${id}-c${i}`}>Compared to</label>
              <input
                id={`${id}-c${i}`}
                value={showValue(r.value)}
                onChange={(e) => setRow(builder, i, { value: parseValue(e.target.value) })}
              />
              {builder.rows.length > 1 && (
                <button
                  type="button"
                  onClick={() => set({ ...builder, rows: builder.rows.filter((_, j) => j !== i) })}
                  aria-label={`Remove rule ${i + 1}`}
                >
                  Remove
                </button>
              )}
            </fieldset>
          ))}
          <button
            type="button"
            onClick={() => set({ ...builder, rows: [...builder.rows, { var: newVar, op: '==', value: '' }] })}
          >
            Add rule
          </button>
        </>
      )}
    </div>
  );
}
