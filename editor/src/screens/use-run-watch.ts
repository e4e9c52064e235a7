// Polls a run until it ends, mirroring its steps onto the canvas.
import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { RunDetail } from '../api/types.js';
import { withLoopSteps } from '../flow/loop.js';
import { flowStore } from '../store/flow-store.js';

const POLL_MS = 700;
const done = (s: string) => s !== 'running' && s !== 'waiting';

export function useRunWatch(api: Api, runId: string | null) {
  const [run, setRun] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setRun(null);
    setError(null);
    if (!runId) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const r = await api.getRun(runId);
        if (stop) return;
        setRun(r);
        setError(null);
        // A loop's body steps show its latest iteration (flow/loop.ts).
        flowStore.getState().setOverlay({ runId: r.id, status: r.status, steps: withLoopSteps(r.steps) });
        if (done(r.status)) return;
      } catch (err) {
        if (stop) return;
        // Just started runs may not be visible yet (404): keep polling.
        if ((err as { status?: number }).status !== 404) setError((err as Error).message);
      }
      timer = setTimeout(tick, POLL_MS);
    };
    void tick();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [api, runId]);
  return { run, error };
}
