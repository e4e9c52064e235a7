import { useMemo, useState } from 'react';
import type { ActionManifest } from '../api/types.js';
import type { FlowDefinition } from '../flow/model.js';
import { placeholder, referencesFor } from '../flow/references.js';
import { FunctionList } from './FunctionList.js';

/**
 * Inserts `{{ path }}` into the text field that last had focus in the inspector (bare `path` into a condition's value
 * field). The value goes through the input's native setter so React sees an ordinary edit.
 */
export function insertInto(el: HTMLInputElement | HTMLTextAreaElement | null, path: string): boolean {
  if (!el) return false;
  const bare = el.dataset.pickerTarget === 'var';
  const text = bare ? path : placeholder(path);
  const start = el.selectionStart ?? el.value.length;
  const end = el.selectionEnd ?? el.value.length;
  const next = bare ? text : el.value.slice(0, start) + text + el.value.slice(end);
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, next);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.focus();
  const caret = bare ? next.length : start + text.length;
  el.setSelectionRange?.(caret, caret);
  return true;
}

export function DataPicker({
  definition,
  nodeId,
  actions,
  messageEvent,
  target,
}: {
  definition: FlowDefinition;
  nodeId: string;
  actions: ReadonlyMap<string, ActionManifest>;
  /** The channel message event's schema (`trigger` of channel-triggered runs, a wait's output). */
  messageEvent: Record<string, unknown>;
  target: () => HTMLInputElement | HTMLTextAreaElement | null;
}) {
  const refs = useMemo(
    () => referencesFor(definition, nodeId, actions, messageEvent),
    [definition, nodeId, actions, messageEvent],
  );
  const [note, setNote] = useState<string | null>(null);
  return (
    <details className="data-picker" open>
      <summary>Insert data</summary>
      <p className="muted">Click a field above, then a value here to insert it.</p>
      <ul aria-label="Available data">
        {refs.map((r) => (
          <li key={r.path}>
            <button
              type="button"
              className="ref"
              // Keep the focus (and the caret) in the field being edited.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => setNote(insertInto(target(), r.path) ? null : 'Click into a field first.')}
              title={r.from === 'sample' ? `${r.hint} (from the sample kept by Test step)` : r.hint}
            >
              <code>{r.path}</code>
              {r.from === 'sample' && <span className="badge sample">sample</span>}
              <small>{r.hint}</small>
            </button>
          </li>
        ))}
      </ul>
      <FunctionList target={target} />
      {note && (
        <p role="status" className="error">
          {note}
        </p>
      )}
    </details>
  );
}
