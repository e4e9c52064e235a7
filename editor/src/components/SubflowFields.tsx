import { useEffect, useState } from 'react';
import type { FlowList, FlowSummary } from '../api/types.js';
import type { FlowNode, JsonObject, SubflowNode } from '../flow/model.js';
import { ERROR_BRANCH } from '../flow/model.js';
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
}: {
  node: SubflowNode;
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
      <p className="muted" data-testid="subflow-hint">
        The step waits for the called run; its output is <code>{`steps.${node.id}.output.steps.<step id>`}</code>, the
        called flow’s step outputs. When it fails, connect the “{ERROR_BRANCH}” output to go on instead of failing.
      </p>
    </>
  );
}

function withVersion(n: SubflowNode, version: number | undefined): SubflowNode {
  const { version: _old, ...rest } = n;
  return version === undefined ? rest : { ...rest, version };
}
