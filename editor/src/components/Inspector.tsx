import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import type { ActionManifest } from '../api/client.js';
import { fieldOf, inputErrorSchema, issuesByNode } from '../flow/issues.js';
import type { FlowNode, JsonObject, JsonValue } from '../flow/model.js';
import { TRIGGER_ID } from '../flow/model.js';
import { flowStore, useFlow } from '../store/flow-store.js';
import { ConditionBuilder } from './ConditionBuilder.js';
import { DataPicker } from './DataPicker.js';
import { DurationInput } from './DurationInput.js';
import { JsonField } from './JsonField.js';

type TextEl = HTMLInputElement | HTMLTextAreaElement;

// The form library and its JSON Schema validator are the bulk of the bundle: loaded when a first action is inspected.
const ActionForm = lazy(() => import('./ActionForm.js').then((m) => ({ default: m.ActionForm })));

export function Inspector({ actions }: { actions: ReadonlyMap<string, ActionManifest> }) {
  const selected = useFlow((s) => s.selected);
  const definition = useFlow((s) => s.definition);
  const issues = useFlow((s) => s.issues);
  const readOnly = useFlow((s) => s.readOnlyVersion !== null);
  const lastField = useRef<TextEl | null>(null);
  const byNode = useMemo(() => issuesByNode(definition, issues), [definition, issues]);

  if (!selected) return <p className="empty">Select a node on the canvas to edit it. Add steps from the palette on the left.</p>;

  const trackFocus = (e: React.FocusEvent) => {
    const t = e.target;
    if ((t instanceof HTMLInputElement && ['text', 'search', 'url', 'email', ''].includes(t.type)) || t instanceof HTMLTextAreaElement) lastField.current = t;
  };

  if (selected === TRIGGER_ID) {
    return (
      <div className="inspector" onFocus={trackFocus}>
        <h2>Webhook trigger</h2>
        <p className="muted">The flow starts when a request reaches its webhook URL (shown after publishing).</p>
        <JsonField
          label="Sample event"
          describe="An example request ({ body, headers, query }); its fields are offered in the data picker and used by test runs."
          value={definition.trigger.sample ?? { body: {} }}
          rows={10}
          onChange={(v) => !readOnly && flowStore.getState().change((d) => ({ ...d, trigger: { ...d.trigger, sample: v as JsonValue } }), 'trigger/sample')}
        />
      </div>
    );
  }

  const node = definition.nodes.find((n) => n.id === selected);
  if (!node) return <p className="empty">Select a node on the canvas to edit it.</p>;
  const nodeIssues = byNode.get(node.id) ?? [];
  // Input issues of a known action are shown in its form, next to their fields.
  const inForm = node.type === 'action' && actions.has(node.action);
  const listed = nodeIssues.filter((i) => !(inForm && fieldOf(i.path).startsWith('input')));
  const update = (fn: (n: FlowNode) => FlowNode, key: string) => flowStore.getState().updateNode(node.id, fn, `${node.id}/${key}`);

  return (
    <div className="inspector" onFocus={trackFocus}>
      <fieldset disabled={readOnly} className="plain">
        <h2>
          {node.type === 'action' ? (actions.get(node.action)?.name ?? node.action) : { condition: 'Condition', delay: 'Delay', set: 'Set values' }[node.type]}
        </h2>
        <NodeIdField node={node} />
        <div className="field">
          <label htmlFor="node-name">Label</label>
          <input id="node-name" value={node.name ?? ''} placeholder={node.id} onChange={(e) => update((n) => withName(n, e.target.value), 'name')} />
        </div>
        {listed.length > 0 && (
          <ul className="issues" aria-label="Problems with this step">
            {listed.map((i, k) => (
              <li key={k} className="error">
                {fieldOf(i.path) && <code>{fieldOf(i.path)}</code>} {i.message}
              </li>
            ))}
          </ul>
        )}
        {node.type === 'action' &&
          (actions.get(node.action) ? (
            <Suspense fallback={<p className="muted">Loading the form…</p>}>
              <ActionForm
                key={node.id}
                action={actions.get(node.action)!}
                input={node.input ?? {}}
                errors={inputErrorSchema(nodeIssues)}
                onChange={(input) => update((n) => ({ ...n, input }) as FlowNode, 'input')}
              />
            </Suspense>
          ) : (
            <p className="error">Unknown action “{node.action}”: no installed connector provides it.</p>
          ))}
        {node.type === 'condition' && <ConditionBuilder key={node.id} rule={node.rule} onChange={(rule) => update((n) => ({ ...n, rule }) as FlowNode, 'rule')} />}
        {node.type === 'delay' && <DurationInput label="Wait for" value={node.duration} onChange={(duration) => update((n) => ({ ...n, duration }) as FlowNode, 'duration')} />}
        {node.type === 'set' && (
          <JsonField
            key={node.id}
            label="Values"
            describe='An object of values, e.g. { "greeting": "Hi {{ trigger.body.name }}" }; the step output is the resolved object.'
            value={node.values}
            onChange={(v) => v && typeof v === 'object' && !Array.isArray(v) && update((n) => ({ ...n, values: v as JsonObject }) as FlowNode, 'values')}
          />
        )}
        <div className="row">
          <button type="button" onClick={() => flowStore.getState().duplicate(node.id)}>
            Duplicate
          </button>
          <button type="button" className="danger" onClick={() => flowStore.getState().removeNodes([node.id])}>
            Delete step
          </button>
        </div>
      </fieldset>
      {!readOnly && <DataPicker definition={definition} nodeId={node.id} actions={actions} target={() => lastField.current} />}
    </div>
  );
}

function withName(n: FlowNode, name: string): FlowNode {
  const { name: _old, ...rest } = n;
  return (name ? { ...rest, name } : rest) as FlowNode;
}

/** The node id (used in `steps.<id>.output`): renamed on blur, when it is free and well-formed. */
function NodeIdField({ node }: { node: FlowNode }) {
  const [value, setValue] = useState(node.id);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setValue(node.id), [node.id]);
  const commit = () => {
    if (value === node.id) return setError(null);
    if (!/^[A-Za-z0-9_-]+$/.test(value)) return setError('Use letters, digits, _ and - only.');
    if (value === TRIGGER_ID || flowStore.getState().definition.nodes.some((n) => n.id === value)) return setError('Another step has this id.');
    setError(null);
    flowStore.getState().renameNode(node.id, value);
  };
  return (
    <div className="field">
      <label htmlFor="node-id">Step id</label>
      <input id="node-id" className="mono" value={value} onChange={(e) => setValue(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} aria-invalid={!!error} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
