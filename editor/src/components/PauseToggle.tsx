import { useState } from 'react';

/** A published schedule's or poll's time, for people. */
export const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Pause or Resume for a published schedule or poll (its state stays across later publishes): the button for the
 * state it is in, then the error if the call failed.
 */
export function PauseToggle({
  paused,
  labels,
  setPaused,
}: {
  paused: boolean;
  labels: { pause: string; resume: string };
  /** Asks the API, then refreshes what the screen shows. */
  setPaused: (paused: boolean) => Promise<unknown>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function toggle(next: boolean) {
    setBusy(true);
    setError(null);
    try {
      await setPaused(next);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div className="row">
        {paused ? (
          <button type="button" className="primary" disabled={busy} onClick={() => void toggle(false)}>
            {labels.resume}
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => void toggle(true)}>
            {labels.pause}
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </>
  );
}
