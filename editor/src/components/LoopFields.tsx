import { fieldOf } from '../flow/issues.js';
import type { FlowNode, JsonValue, LoopNode, ValidationIssue } from '../flow/model.js';
import { DONE_BRANCH, ITEM_BRANCH, LOOP_LIMITS } from '../flow/model.js';
import { JsonField } from './JsonField.js';

/**
 * A loop's form (README.md "Loops"): the list it runs over (a template, typed here so the data picker can fill it, or
 * a literal list / `$logic` in a JSON field), how many items at once, the bound on items and what an item's failure
 * does. Issues on `items` are shown under it.
 */
export function LoopFields({
  node,
  issues,
  update,
}: {
  node: LoopNode;
  issues: readonly ValidationIssue[];
  update: (fn: (n: LoopNode) => FlowNode, key: string) => void;
}) {
  const itemIssues = issues.filter((i) => fieldOf(i.path) === 'items');
  return (
    <>
      <div className="field">
        <label htmlFor="loop-items">Items</label>
        {typeof node.items === 'string' ? (
          <input
            id="loop-items"
            type="text"
            className="mono"
            value={node.items}
            placeholder="{{ trigger.body.orders }}"
            aria-invalid={itemIssues.length > 0}
            aria-describedby="loop-items-hint"
            onChange={(e) => update((n) => ({ ...n, items: e.target.value }), 'items')}
          />
        ) : (
          <JsonField
            key={node.id}
            label="Items (JSON)"
            describe='A list, or { "$logic": rule } giving one.'
            value={node.items}
            onChange={(v) => v !== undefined && update((n) => ({ ...n, items: v as JsonValue }), 'items')}
          />
        )}
        <small id="loop-items-hint" className="muted">
          One placeholder that gives a list, e.g. {'{{ trigger.body.orders }}'}: pick it from “Insert data”.
        </small>
        {itemIssues.map((i, k) => (
          <p key={k} role="alert" className="error">
            {i.message}
          </p>
        ))}
      </div>
      <div className="field">
        <label htmlFor="loop-concurrency">Items at the same time</label>
        <input
          id="loop-concurrency"
          type="number"
          min={1}
          max={LOOP_LIMITS.maxConcurrency}
          value={node.concurrency ?? LOOP_LIMITS.defaultConcurrency}
          onChange={(e) => update((n) => withNumber(n, 'concurrency', e.target.value, 1), 'concurrency')}
        />
      </div>
      <div className="field">
        <label htmlFor="loop-max-items">At most this many items</label>
        <input
          id="loop-max-items"
          type="number"
          min={1}
          max={LOOP_LIMITS.maxItems}
          value={node.maxItems ?? LOOP_LIMITS.defaultMaxItems}
          onChange={(e) =>
            update((n) => withNumber(n, 'maxItems', e.target.value, LOOP_LIMITS.defaultMaxItems), 'maxItems')
          }
        />
        <small className="muted">
          More fail the step (up to {LOOP_LIMITS.maxItems.toLocaleString('en')} items a loop).
        </small>
      </div>
      <div className="field">
        <label htmlFor="loop-on-error">When an item fails</label>
        <select
          id="loop-on-error"
          value={node.onError ?? 'fail'}
          onChange={(e) => update((n) => withOnError(n, e.target.value as 'fail' | 'continue'), 'onError')}
        >
          <option value="fail">Fail the loop and the run (default)</option>
          <option value="continue">Record the item’s error and go on</option>
        </select>
      </div>
      <p className="muted" data-testid="loop-hint">
        Connect the “{ITEM_BRANCH}” output to the steps to run for each item (they see <code>{'{{ loop.item }}'}</code>{' '}
        and <code>{'{{ loop.index }}'}</code>), and the “{DONE_BRANCH}” output to what runs after every item; it sees{' '}
        <code>{`steps.${node.id}.output.results`}</code>, each item’s last step output.
      </p>
    </>
  );
}

/** A number field's value: the default (and an empty field) leaves the key out. */
function withNumber(n: LoopNode, key: 'concurrency' | 'maxItems', raw: string, fallback: number): LoopNode {
  const { [key]: _old, ...rest } = n;
  const v = Number(raw);
  return raw === '' || !Number.isFinite(v) || v === fallback ? rest : { ...rest, [key]: Math.round(v) };
}

function withOnError(n: LoopNode, onError: 'fail' | 'continue'): LoopNode {
  const { onError: _old, ...rest } = n;
  return onError === 'fail' ? rest : { ...rest, onError };
}
