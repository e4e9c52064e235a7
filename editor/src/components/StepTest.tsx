import { useId, useState } from 'react';
import type { StepTestResult } from '../api/types.js';
import type { ActionNode, JsonValue } from '../flow/model.js';
import { trimSample } from '../flow/sample.js';
import { useFlowServices } from '../screens/flow-services.js';
import { flowStore, useFlow } from '../store/flow-store.js';

type From = 'sample' | 'last_run';

const json = (v: unknown) => JSON.stringify(v, null, 2);

/**
 * "Test step" (README.md "Testing one step"): runs this one action for real on the data of the last run or of the
 * samples (the editor's current draft, saved or not), shows the input it resolved to and the output or the error,
 * and keeps the output as the step's `sample`, which the data picker then offers to the steps after it.
 */
export function StepTest({ node, actionName }: { node: ActionNode; actionName: string }) {
  const id = useId();
  const services = useFlowServices();
  const definition = useFlow((s) => s.definition);
  const [from, setFrom] = useState<From>('sample');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<StepTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!services) return null;
  const { api, flowId } = services;

  async function run() {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.testStep(flowId, node.id, { definition, from }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  const keep = (sample: ActionNode['sample']) =>
    flowStore.getState().updateNode(node.id, (n) => withSample(n as ActionNode, sample), `${node.id}/sample`);
  // What "Keep as sample" would keep: the output trimmed, or undefined when it is too big even so.
  const sample = result?.output !== undefined ? trimSample(result.output as JsonValue) : undefined;
  const kept = sample !== undefined && node.sample !== undefined && json(sample) === json(node.sample);

  return (
    <section className="step-test" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Test step</h3>
      <p className="muted" role="note" data-testid="step-test-notice">
        Testing runs “{actionName}” for real, once, without retries: a message is sent, a record is written, a request
        is made.
      </p>
      <fieldset className="field" role="radiogroup" aria-label="Test with data">
        <div className="row">
          <label className="check">
            <input type="radio" name={`${id}-from`} checked={from === 'sample'} onChange={() => setFrom('sample')} />{' '}
            From samples
          </label>
          <label className="check">
            <input
              type="radio"
              name={`${id}-from`}
              checked={from === 'last_run'}
              onChange={() => setFrom('last_run')}
            />{' '}
            From the last run
          </label>
        </div>
      </fieldset>
      <div className="row">
        <button type="button" onClick={() => void run()} disabled={busy}>
          {busy ? 'Testing…' : 'Test step'}
        </button>
        {node.sample !== undefined && (
          <button type="button" onClick={() => keep(undefined)}>
            Remove sample
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="error" data-testid="step-test-failure">
          {error}
        </p>
      )}
      {result && (
        <>
          <h4>Input</h4>
          <pre data-testid="step-test-input">{json(result.input)}</pre>
          {result.missing.length > 0 && (
            <p className="warn" data-testid="step-test-missing">
              Found nothing for {result.missing.map((m) => m.ref).join(', ')}
              {result.from === 'last_run' ? ' in the last run.' : ' in the samples.'}
            </p>
          )}
          {result.error ? (
            <div role="alert" className="error" data-testid="step-test-error">
              The step failed{result.error.code ? ` (${result.error.code})` : ''}: {result.error.message}
            </div>
          ) : (
            <>
              <h4>Output</h4>
              <pre data-testid="step-test-output">{json(result.output)}</pre>
              <div className="row">
                <button type="button" disabled={kept || sample === undefined} onClick={() => keep(sample)}>
                  {kept ? 'Kept as sample' : 'Keep as sample'}
                </button>
                <small className="muted">{result.durationMs} ms</small>
                {sample === undefined && <small className="warn">Too large to keep as a sample (over 16 KiB).</small>}
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}

function withSample(n: ActionNode, sample: ActionNode['sample']): ActionNode {
  const { sample: _old, ...rest } = n;
  return sample === undefined ? rest : { ...rest, sample };
}
