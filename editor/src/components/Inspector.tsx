import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import type { ActionManifest, ConnectorManifest, FlowList } from '../api/types.js';
import { fieldOf, inputErrorSchema, issuesByNode } from '../flow/issues.js';
import type {
  FlowNode,
  JoinMode,
  JsonObject,
  LoopNode,
  RespondNode,
  SubflowNode,
  ValidationIssue,
  WaitNode,
} from '../flow/model.js';
import { ERROR_BRANCH, TRIGGER_ID } from '../flow/model.js';
import { messageEventSchema } from '../flow/references.js';
import { hasContact, hasFilter, isChannelTrigger, starterVar } from '../flow/trigger.js';
import type { AccountsState } from '../screens/use-channel-accounts.js';
import { flowStore, useFlow } from '../store/flow-store.js';
import { ConditionBuilder } from './ConditionBuilder.js';
import { DataPicker } from './DataPicker.js';
import { DurationInput } from './DurationInput.js';
import { JsonField } from './JsonField.js';
import { LoopFields } from './LoopFields.js';
import { RespondFields } from './RespondFields.js';
import { StepTest } from './StepTest.js';
import { SubflowFields } from './SubflowFields.js';
import { SwitchCases } from './SwitchCases.js';
import { TriggerInspector } from './TriggerInspector.js';

type TextEl = HTMLInputElement | HTMLTextAreaElement;

// The form library and its JSON Schema validator are the bulk of the bundle: loaded when a first action is inspected.
const ActionForm = lazy(() => import('./ActionForm.js').then((m) => ({ default: m.ActionForm })));

const TITLE = {
  condition: 'Condition',
  switch: 'Switch',
  delay: 'Delay',
  set: 'Set values',
  wait: 'Wait for reply',
  subflow: 'Sub-flow',
  loop: 'Loop',
  respond: 'Respond to webhook',
} as const;

export function Inspector({
  actions,
  connectors,
  accounts,
  flowId,
  listFlows,
}: {
  actions: ReadonlyMap<string, ActionManifest>;
  connectors: readonly ConnectorManifest[];
  accounts: AccountsState;
  /** The flow being edited and the workspace's flows: what a sub-flow may call. */
  flowId: string;
  listFlows: () => Promise<FlowList>;
}) {
  const selected = useFlow((s) => s.selected);
  const definition = useFlow((s) => s.definition);
  const issues = useFlow((s) => s.issues);
  const readOnly = useFlow((s) => s.readOnlyVersion !== null);
  const lastField = useRef<TextEl | null>(null);
  const byNode = useMemo(() => issuesByNode(definition, issues), [definition, issues]);
  const messageEvent = useMemo(() => messageEventSchema(connectors), [connectors]);

  if (!selected)
    return <p className="empty">Select a node on the canvas to edit it. Add steps from the palette on the left.</p>;

  const trackFocus = (e: React.FocusEvent) => {
    const t = e.target;
    if (
      (t instanceof HTMLInputElement && ['text', 'search', 'url', 'email', ''].includes(t.type)) ||
      t instanceof HTMLTextAreaElement
    )
      lastField.current = t;
  };

  if (selected === TRIGGER_ID) {
    return (
      <div className="inspector" onFocus={trackFocus}>
        <TriggerInspector
          connectors={connectors}
          accounts={accounts}
          issues={byNode.get(TRIGGER_ID) ?? []}
          flowId={flowId}
          listFlows={listFlows}
        />
        {!readOnly && hasFilter(definition.trigger) && definition.trigger.filter !== undefined && (
          <DataPicker
            definition={definition}
            nodeId={TRIGGER_ID}
            actions={actions}
            messageEvent={messageEvent}
            target={() => lastField.current}
          />
        )}
      </div>
    );
  }

  const node = definition.nodes.find((n) => n.id === selected);
  if (!node) return <p className="empty">Select a node on the canvas to edit it.</p>;
  const nodeIssues = byNode.get(node.id) ?? [];
  // Input issues of a known action are shown in its form, next to their fields.
  const inForm = node.type === 'action' && actions.has(node.action);
  const inline = (i: ValidationIssue) =>
    (inForm && fieldOf(i.path).startsWith('input')) ||
    (node.type === 'wait' && fieldOf(i.path) === 'contact') ||
    (node.type === 'loop' && fieldOf(i.path) === 'items') ||
    (node.type === 'respond' && /^(status|headers|body)(\/|$)/.test(fieldOf(i.path))) ||
    (node.type === 'subflow' && fieldOf(i.path) === 'timeout') ||
    (node.type === 'switch' && /^cases\/\d+(\/|$)/.test(fieldOf(i.path)));
  const incoming = definition.edges.filter((e) => e.to === node.id).length;
  const listed = nodeIssues.filter((i) => !inline(i));
  const update = (fn: (n: FlowNode) => FlowNode, key: string) =>
    flowStore.getState().updateNode(node.id, fn, `${node.id}/${key}`);

  return (
    <div className="inspector" onFocus={trackFocus}>
      <fieldset disabled={readOnly} className="plain">
        <h2>{node.type === 'action' ? (actions.get(node.action)?.name ?? node.action) : TITLE[node.type]}</h2>
        <NodeIdField node={node} />
        <div className="field">
          <label htmlFor="node-name">Label</label>
          <input
            id="node-name"
            value={node.name ?? ''}
            placeholder={node.id}
            onChange={(e) => update((n) => withName(n, e.target.value), 'name')}
          />
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
                accounts={accounts}
                onChange={(input) => update((n) => ({ ...n, input }) as FlowNode, 'input')}
              />
            </Suspense>
          ) : (
            <p className="error">Unknown action “{node.action}”: no installed connector provides it.</p>
          ))}
        {node.type === 'condition' && (
          <ConditionBuilder
            key={node.id}
            rule={node.rule}
            newVar={starterVar(definition)}
            onChange={(rule) => update((n) => ({ ...n, rule }) as FlowNode, 'rule')}
          />
        )}
        {node.type === 'switch' && (
          <SwitchCases key={node.id} node={node} newVar={starterVar(definition)} issues={nodeIssues} />
        )}
        {node.type === 'action' && (
          <p className="muted" data-testid="error-branch-hint">
            To handle a failure (after the retries), connect the “{ERROR_BRANCH}” output: the run goes on there with the
            error in <code>{`steps.${node.id}.output.error`}</code> instead of failing.
          </p>
        )}
        {node.type === 'action' && !readOnly && actions.has(node.action) && (
          <StepTest key={node.id} node={node} actionName={actions.get(node.action)!.name} />
        )}
        {incoming >= 2 && (
          <div className="field">
            <label htmlFor="node-join">Where branches meet</label>
            <select
              id="node-join"
              value={node.join ?? 'all'}
              onChange={(e) => update((n) => withJoin(n, e.target.value as JoinMode), 'join')}
            >
              <option value="all">Wait for every incoming path (run if any reached it)</option>
              <option value="first">Start on the first path that reaches it</option>
            </select>
          </div>
        )}
        {node.type === 'delay' && (
          <DurationInput
            label="Wait for"
            value={node.duration}
            onChange={(duration) => update((n) => ({ ...n, duration }) as FlowNode, 'duration')}
          />
        )}
        {node.type === 'set' && (
          <JsonField
            key={node.id}
            label="Values"
            describe='An object of values, e.g. { "greeting": "Hi {{ trigger.body.name }}" }; the step output is the resolved object.'
            value={node.values}
            onChange={(v) =>
              v &&
              typeof v === 'object' &&
              !Array.isArray(v) &&
              update((n) => ({ ...n, values: v as JsonObject }) as FlowNode, 'values')
            }
          />
        )}
        {node.type === 'subflow' && (
          <SubflowFields
            node={node}
            flowId={flowId}
            listFlows={listFlows}
            issues={nodeIssues}
            update={(fn, key) => update((n) => fn(n as SubflowNode), key)}
          />
        )}
        {node.type === 'respond' && (
          <RespondFields
            key={node.id}
            node={node}
            issues={nodeIssues}
            update={(fn, key) => update((n) => fn(n as RespondNode), key)}
          />
        )}
        {node.type === 'loop' && (
          <LoopFields node={node} issues={nodeIssues} update={(fn, key) => update((n) => fn(n as LoopNode), key)} />
        )}
        {node.type === 'wait' && (
          <WaitFields
            node={node}
            ownContact={
              hasContact(definition.trigger.type) ? (isChannelTrigger(definition.trigger) ? 'sender' : 'event') : null
            }
            issues={nodeIssues.filter((i) => fieldOf(i.path) === 'contact')}
            update={(fn, key) => update((n) => fn(n as WaitNode), key)}
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
      {!readOnly && (
        <DataPicker
          definition={definition}
          nodeId={node.id}
          actions={actions}
          messageEvent={messageEvent}
          target={() => lastField.current}
        />
      )}
    </div>
  );
}

const OWN_CONTACT_HINT = {
  sender: 'Leave empty to wait for the sender: a channel-triggered run defaults to its contact ({{ contact.id }}).',
  event:
    'Leave empty to wait for the event’s contact: a run started by a contact event defaults to it ({{ contact.id }}).',
};

/**
 * A wait's timeout and whose reply it waits for: a contact id template, which runs with a contact of their own
 * (`hasContact`: the sender of a channel message, the contact of a contact event) default to.
 */
function WaitFields({
  node,
  ownContact,
  issues,
  update,
}: {
  node: WaitNode;
  ownContact: keyof typeof OWN_CONTACT_HINT | null;
  issues: ValidationIssue[];
  update: (fn: (n: WaitNode) => FlowNode, key: string) => void;
}) {
  const hint = ownContact
    ? OWN_CONTACT_HINT[ownContact]
    : 'Required here: only runs started by a channel message or a contact event have a contact of their own. E.g. {{ steps.upsert.output.id }}.';
  return (
    <>
      <p className="muted">
        Waits for the contact’s next message on any channel. Connect its “received” output (the message is the step’s
        output) and its “timeout” output.
      </p>
      <DurationInput
        label="Timeout"
        value={node.timeout}
        onChange={(timeout) => update((n) => ({ ...n, timeout }), 'timeout')}
      />
      <div className="field">
        <label htmlFor="wait-contact">Contact</label>
        <small id="wait-contact-hint" className="muted">
          {hint}
        </small>
        <input
          id="wait-contact"
          type="text"
          className="mono"
          value={node.contact ?? ''}
          placeholder={ownContact ? '{{ contact.id }}' : '{{ steps.upsert.output.id }}'}
          aria-invalid={issues.length > 0}
          aria-describedby="wait-contact-hint"
          onChange={(e) => update((n) => withContact(n, e.target.value), 'contact')}
        />
        {issues.map((i, k) => (
          <p key={k} role="alert" className="error">
            {i.message}
          </p>
        ))}
      </div>
    </>
  );
}

function withContact(n: WaitNode, contact: string): WaitNode {
  const { contact: _old, ...rest } = n;
  return contact === '' ? rest : { ...rest, contact };
}

function withJoin(n: FlowNode, join: JoinMode): FlowNode {
  const { join: _old, ...rest } = n;
  return (join === 'first' ? { ...rest, join } : rest) as FlowNode;
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
    if (value === TRIGGER_ID || flowStore.getState().definition.nodes.some((n) => n.id === value))
      return setError('Another step has this id.');
    setError(null);
    flowStore.getState().renameNode(node.id, value);
  };
  return (
    <div className="field">
      <label htmlFor="node-id">Step id</label>
      <input
        id="node-id"
        className="mono"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
        aria-invalid={!!error}
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
