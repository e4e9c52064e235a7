// Calls `tick` every `everyMs` while the tab is visible (and at once when it becomes visible again), one call at a
// time: a slow server never gets a pile of overlapping requests.
import { useEffect, useRef } from 'react';

export function usePoll(tick: () => Promise<unknown>, everyMs: number, enabled = true) {
  const latest = useRef(tick);
  useEffect(() => {
    latest.current = tick;
  });
  useEffect(() => {
    if (!enabled) return;
    let busy = false;
    const run = () => {
      if (busy || document.visibilityState !== 'visible') return;
      busy = true;
      void latest.current().finally(() => {
        busy = false;
      });
    };
    const timer = setInterval(run, everyMs);
    const onVisible = () => document.visibilityState === 'visible' && run();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [everyMs, enabled]);
}
