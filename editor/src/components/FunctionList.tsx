import { useState } from 'react';
import { applyFunctionAt, functionsByGroup, signature, type FunctionSpec } from '../flow/functions.js';

/** Sets a field's text the way typing would (the native setter, then an input event), so React sees an edit. */
function setField(el: HTMLInputElement | HTMLTextAreaElement, text: string, caret: number) {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, text);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.focus();
  el.setSelectionRange?.(caret, caret);
}

/**
 * The data functions (README.md "Data functions"), by group: a click pipes the function into the placeholder at the
 * caret of the field being edited (`{{ trigger.body.email | text.lower }}`), with its example's arguments to adjust.
 */
export function FunctionList({ target }: { target: () => HTMLInputElement | HTMLTextAreaElement | null }) {
  const [note, setNote] = useState<string | null>(null);
  const apply = (fn: FunctionSpec) => {
    const el = target();
    if (!el) return setNote('Click into a field first.');
    if (el.dataset.pickerTarget === 'var')
      return setNote("In a condition, choose the function in the rule's Function list.");
    const next = applyFunctionAt(el.value, el.selectionStart ?? el.value.length, fn);
    setField(el, next.text, next.caret);
    setNote(null);
  };
  return (
    <details className="function-list">
      <summary>Functions</summary>
      <p className="muted">Click a field's placeholder, then a function to pipe its value through.</p>
      {functionsByGroup().map(({ group, label, functions }) => (
        // No aria-label: a label "Text" here would match the forms' getByLabel(/^Text/) of the fields above.
        <section key={group}>
          <h4>{label}</h4>
          <ul>
            {functions.map((fn) => (
              <li key={fn.name}>
                <button
                  type="button"
                  className="ref"
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => apply(fn)}
                  title={`${signature(fn)}\n${fn.description}`}
                >
                  <code>{fn.name}</code>
                  <small>{fn.description}</small>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {note && (
        <p role="status" className="error">
          {note}
        </p>
      )}
    </details>
  );
}
