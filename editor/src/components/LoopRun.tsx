import type { LoopProgress } from '../flow/model.js';

const show = (v: unknown) => JSON.stringify(v, null, 2);

/** A loop step's iterations in the run view: each kept item (the latest ones, the first failures) with its steps. */
export function LoopRun({ loop }: { loop: LoopProgress }) {
  const iterations = loop.iterations ?? [];
  if (iterations.length === 0) return null;
  return (
    <>
      <h4>Iterations</h4>
      <p className="muted">
        {iterations.length < loop.total ? `The latest items and the first failures (${iterations.length} shown).` : ''}
      </p>
      <ol className="loop-iterations" aria-label="Loop iterations">
        {iterations.map((it) => (
          <li key={it.index} data-testid={`iteration-${it.index}`}>
            <details open={it.status === 'failed'}>
              <summary>
                Item {it.index} <span className={`status status-${it.status}`}>{it.status}</span>
              </summary>
              <ul>
                {it.steps.map((s) => (
                  <li key={s.nodeId}>
                    <code>{s.nodeId}</code> <span className={`status status-${s.status}`}>{s.status}</span>
                    {s.branch && <span className="muted"> → {s.branch}</span>}
                    {s.error && (
                      <p className="error">
                        {s.error.code ? `${s.error.code}: ` : ''}
                        {s.error.message}
                      </p>
                    )}
                    {s.output !== undefined && <pre>{show(s.output)}</pre>}
                  </li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ol>
    </>
  );
}
