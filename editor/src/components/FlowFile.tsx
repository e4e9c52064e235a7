// Flow files (flow/file.ts) in the browser: downloading one, and the flows list's "Import flow…" (read, check, create).
import { useRef, useState } from 'react';
import type { Api } from '../api/client.js';
import type { FlowDefinition } from '../flow/model.js';
import { fileTooLarge, flowFileName, flowFileText, parseFlowFile } from '../flow/file.js';
import { navigate } from '../session.js';

/** Saves `<name-slug>.confluo-flow.json` holding the flow's name and definition. */
export function downloadFlowFile(name: string, definition: FlowDefinition) {
  const url = URL.createObjectURL(new Blob([flowFileText(name, definition)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = flowFileName(name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * "Import flow…": a `.json` flow file checked here, then created as a new draft with its name as it is (flows may share
 * names); the server checks the definition (a refusal is shown, nothing is created). On success the editor opens it.
 */
export function ImportFlowButton({ api }: { api: Api }) {
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function importFile(file: File) {
    setError(null);
    const large = fileTooLarge(file.size);
    if (large) return setError(large);
    setBusy(true);
    try {
      const parsed = parseFlowFile(await file.text());
      if (!parsed.ok) return setError(parsed.error);
      const flow = await api.createFlow(parsed.name, parsed.definition);
      navigate(`/flows/${flow.id}`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flow-import">
      <button type="button" onClick={() => input.current?.click()} disabled={busy}>
        {busy ? 'Importing…' : 'Import flow…'}
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        className="sr-only"
        aria-label="Import a flow file"
        tabIndex={-1}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void importFile(file);
        }}
      />
      {error && (
        <p role="alert" className="error" data-testid="import-error">
          Not imported: {error}
        </p>
      )}
    </div>
  );
}
