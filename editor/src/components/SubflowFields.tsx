import { useEffect, useState } from 'react';
import type { FlowList, FlowSummary } from '../api/types.js';
import { fieldOf } from '../flow/issues.js';
import type { FlowNode, JsonObject, SubflowNode, ValidationIssue } from '../flow/model.js';
import { ERROR_BRANCH } from '../flow/model.js';
import { DurationInput } from './DurationInput.js';
import { JsonField } from './JsonField.js';

/**
 * A sub-flow's form (README.md "Sub-flows"): which published flow of the workspace it calls (not this one), which
 * version (the latest when the run gets there, or a pinned one), and the input its run gets as `trigger.input`.
 */
export function SubflowFields({
  node,
  flowId,
  listFlows,
  update,
  issues = [],
}: {
  node: SubflowNode;
  /** The node's issues; those on `timeout` are shown under it. */
  issues?: readonly ValidationIssue[];
  /** The flow being edited, which cannot call itself. */
  flowId: string;
  listFlows: () => Promise<FlowList>;
  update: (fn: (n: SubflowNode) => FlowNode, key: string) => void;
}) {
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // Fetched each time a sub-flow is inspected, so a flow published meanwhile is offered.
    listFlows().then(
      (r) => live && setFlows(r.items.filter((f) => f.latestVersion > 0 && f.id !== flowId)),
      (err: Error) => live && setFailed(err.message),
    );
    return () => {
      live = false;
    };
  }, [listFlows, flowId]);
  const chosen = flows?.find((f) => f.id === node.flow);
  const versions = chosen ? Array.from({ length: chosen.latestVersion }, (_, i) => chosen.latestVersion - i) : [];
  return (
    <>
      <div className="field">
        <label htmlFor="subflow-flow">Flow</label>
        <select
          id="subflow-flow"
          value={node.flow}
          onChange={(e) => update((n) => withVersion({ ...n, flow: e.target.value }, undefined), 'flow')}
        >
          <option value="">{flows ? 'Choose a published flow…' : 'Loading flows…'}</option>
          {node.flow !== '' && flows && !chosen && <option value={node.flow}>{node.flow} (not published)</option>}
          {flows?.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
        {failed && <p className="error">The flows could not be listed: {failed}</p>}
        {flows?.length === 0 && <p className="muted">No other flow is published yet: publish the one to call first.</p>}
      </div>
      <div className="field">
        <label htmlFor="subflow-version">Version</label>
        <select
          id="subflow-version"
          value={node.version ?? ''}
          onChange={(e) =>
            update((n) => withVersion(n, e.target.value ? Number(e.target.value) : undefined), 'version')
          }
        >
          <option value="">Latest published (when the run gets here)</option>
          {node.version !== undefined && !versions.includes(node.version) && (
            <option value={node.version}>Version {node.version}</option>
          )}
          {versions.map((v) => (
            <option key={v} value={v}>
              Version {v}
            </option>
          ))}
        </select>
      </div>
      <JsonField
        key={node.id}
        label="Input"
        describe='The called run’s trigger.input, templated like an action’s input, e.g. { "email": "{{ trigger.body.email }}" }.'
        value={node.input ?? {}}
        onChange={(v) =>
          v && typeof v === 'object' && !Array.isArray(v) && update((n) => ({ ...n, input: v as JsonObject }), 'input')
        }
      />
      <div className="field">
        <label className="check">
          <input
            type="checkbox"
            checked={node.timeout !== undefined}
            onChange={(e) => update((n) => withTimeout(n, e.target.checked ? 'PT1H' : undefined), 'timeout')}
          />{' '}
          Limit how long the called run may take
        </label>
        {node.timeout !== undefined && (
          <DurationInput
            label="Timeout"
            value={node.timeout}
            onChange={(timeout) => update((n) => withTimeout(n, timeout), 'timeout')}
          />
        )}
        <small className="muted">Past it the called run is stopped and the step fails (SUBFLOW_TIMEOUT).</small>
        {issues
          .filter((i) => fieldOf(i.path) === 'timeout')
          .map((i, k) => (
            <p key={k} role="alert" className="error">
              {i.message}
            </p>
          ))}
      </div>
      <div className="field">
        <label htmlFor="subflow-on-error">When the called run fails</label>
        <select
          id="subflow-on-error"
          value={node.onError ?? 'fail'}
          onChange={(e) => update((n) => withOnError(n, e.target.value as 'fail' | 'continue'), 'onError')}
        >
          <option value="fail">Fail this run (default)</option>
          <option value="continue">Record the error and go on</option>
        </select>
        <small className="muted">An “{ERROR_BRANCH}” output connected from this step takes precedence.</small>
      </div>
      <p className="muted" data-testid="subflow-hint">
        The step waits for the called run; its output is <code>{`steps.${node.id}.output.steps.<step id>`}</code>, the
        called flow’s step outputs. When it fails, connect the “{ERROR_BRANCH}” output to go on instead of failing.
      </p>
    </>
  );
}

function withTimeout(n: SubflowNode, timeout: string | undefined): SubflowNode {
  const { timeout: _old, ...rest } = n;
  return timeout === undefined ? rest : { ...rest, timeout };
}

function withOnError(n: SubflowNode, onError: 'fail' | 'continue'): SubflowNode {
  const { onError: _old, ...rest } = n;
  return onError === 'fail' ? rest : { ...rest, onError };
}

function withVersion(n: SubflowNode, version: number | undefined): SubflowNode {
  const { version: _old, ...rest } = n;
  return version === undefined ? rest : { ...rest, version };
}
