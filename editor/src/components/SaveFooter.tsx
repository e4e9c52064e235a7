// A settings form's save (`useSave`: `saving` while it runs, then one status line, "Saved." or the error's message) and
// the form's foot (`SaveFooter`: that line and the submit button, which says "Saving…" meanwhile).
import { useState } from 'react';

export interface SaveState {
  saving: boolean;
  status: { error: boolean; text: string } | null;
  setStatus(status: { error: boolean; text: string } | null): void;
  /** Runs `save`, then shows "Saved." or its error's message. */
  run(save: () => Promise<void>): Promise<void>;
}

export function useSave(): SaveState {
  const [status, setStatus] = useState<SaveState['status']>(null);
  const [saving, setSaving] = useState(false);
  const run = async (save: () => Promise<void>) => {
    setSaving(true);
    try {
      await save();
      setStatus({ error: false, text: 'Saved.' });
    } catch (err) {
      setStatus({ error: true, text: (err as Error).message });
    } finally {
      setSaving(false);
    }
  };
  return { saving, status, setStatus, run };
}

/** The status line of a save, and the submit button labelled `label`. */
export function SaveFooter({ state, label }: { state: SaveState; label: string }) {
  const { status, saving } = state;
  return (
    <>
      {status && (
        <p role={status.error ? 'alert' : 'status'} className={status.error ? 'error' : 'muted'}>
          {status.text}
        </p>
      )}
      <button type="submit" className="primary" disabled={saving}>
        {saving ? 'Saving…' : label}
      </button>
    </>
  );
}
