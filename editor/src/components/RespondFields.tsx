import { useState } from 'react';
import { fieldOf } from '../flow/issues.js';
import type { FlowNode, JsonValue, RespondNode, ValidationIssue } from '../flow/model.js';
import { flowStore, useFlow } from '../store/flow-store.js';
import { DurationInput } from './DurationInput.js';
import { JsonField } from './JsonField.js';

/** The default of `trigger.respond.timeout` (connectors/flow/respond.ts RESPOND_TIMEOUT). */
const DEFAULT_WAIT = 'PT10S';

/**
 * A webhook trigger's wait for a respond node's answer (`trigger.respond.timeout`), shown when the flow has one: past
 * it the caller gets 202 with the run id, and the run goes on.
 */
export function AnswerWait({ issues }: { issues: readonly ValidationIssue[] }) {
  const responds = useFlow((s) => s.definition.nodes.some((n) => n.type === 'respond'));
  const timeout = useFlow((s) =>
    s.definition.trigger.type === 'webhook' ? s.definition.trigger.respond?.timeout : undefined,
  );
  if (!responds) return null;
  const set = (iso: string) =>
    flowStore.getState().change((d) => {
      if (d.trigger.type !== 'webhook') return d;
      const { respond: _old, ...rest } = d.trigger;
      return { ...d, trigger: iso === DEFAULT_WAIT ? rest : { ...rest, respond: { timeout: iso } } };
    }, 'trigger/respond');
  return (
    <div className="field">
      <DurationInput label="Wait for the answer" value={timeout ?? DEFAULT_WAIT} onChange={set} />
      <small className="muted">
        How long a caller waits for the Respond step (1 to 30 seconds); past it the webhook answers 202 with the run id,
        and the run goes on.
      </small>
      {issues
        .filter((i) => i.path.startsWith('/trigger/respond'))
        .map((i, k) => (
          <p key={k} role="alert" className="error">
            {i.message}
          </p>
        ))}
    </div>
  );
}

/**
 * A respond node's form (README.md "Respond"): the status, the headers (one `Name: value` a line, values templated)
 * and the body (templated JSON; a string is sent as text). The data picker inserts into the focused header or body.
 */
export function RespondFields({
  node,
  issues,
  update,
}: {
  node: RespondNode;
  /** The node's issues; those on status, headers and body are shown under their field. */
  issues: readonly ValidationIssue[];
  update: (fn: (n: RespondNode) => FlowNode, key: string) => void;
}) {
  const on = (field: string) =>
    issues.filter((i) => fieldOf(i.path) === field || fieldOf(i.path).startsWith(`${field}/`));
  // The lines as typed (a half-typed `Name:` stays as it is); the node gets what they parse to.
  const [headers, setHeaders] = useState(() => headerText(node.headers));
  const alerts = (field: string) =>
    on(field).map((i, k) => (
      <p key={k} role="alert" className="error">
        {i.message}
      </p>
    ));
  return (
    <>
      <p className="muted">
        Answers the request that started the run: the webhook replies with this instead of 202, if the run gets here
        within the trigger’s wait. The first respond reached is the answer.
      </p>
      <div className="field">
        <label htmlFor="respond-status">Status</label>
        <input
          id="respond-status"
          type="number"
          min={200}
          max={599}
          value={node.status ?? 200}
          aria-invalid={on('status').length > 0}
          onChange={(e) => update((n) => ({ ...n, status: Math.round(Number(e.target.value) || 0) }), 'status')}
        />
        {alerts('status')}
      </div>
      <div className="field">
        <label htmlFor="respond-headers">Headers</label>
        <small id="respond-headers-hint" className="muted">
          One per line, <code>Name: value</code>; values may use {'{{ … }}'}.
        </small>
        <textarea
          id="respond-headers"
          className="mono"
          rows={3}
          value={headers}
          aria-describedby="respond-headers-hint"
          aria-invalid={on('headers').length > 0}
          onChange={(e) => {
            setHeaders(e.target.value);
            update((n) => withHeaders(n, parseHeaders(e.target.value)), 'headers');
          }}
        />
        {alerts('headers')}
      </div>
      <JsonField
        key={node.id}
        label="Body"
        describe='Templated JSON, e.g. { "ok": true, "id": "{{ run.id }}" }; a string is sent as text. Empty: no body.'
        value={node.body}
        optional
        onChange={(v) => update((n) => withBody(n, v as JsonValue | undefined), 'body')}
      />
      {alerts('body')}
    </>
  );
}

const headerText = (headers: Record<string, string> | undefined) =>
  Object.entries(headers ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');

/** `Name: value` lines; a line without a colon is kept as a name with an empty value (validation names it). */
export function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = (colon < 0 ? line : line.slice(0, colon)).trim();
    out[name] = colon < 0 ? '' : line.slice(colon + 1).trim();
  }
  return out;
}

function withHeaders(n: RespondNode, headers: Record<string, string>): RespondNode {
  const { headers: _old, ...rest } = n;
  return Object.keys(headers).length === 0 ? rest : { ...rest, headers };
}

function withBody(n: RespondNode, body: JsonValue | undefined): RespondNode {
  const { body: _old, ...rest } = n;
  return body === undefined ? rest : { ...rest, body };
}
