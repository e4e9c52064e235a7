// A value a screen reads from the API when it mounts, and again when `deps` change: null until the first read
// answers; `error` is the message of the last read that failed. A read that answers after the screen went away, or
// after a newer read began, is dropped.
import { useEffect, useState, type DependencyList } from 'react';

export interface Loaded<T> {
  value: T | null;
  error: string | null;
  /** Replaces the value (a form saved a newer one). */
  set(value: T): void;
}

export function useLoaded<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [value, set] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The caller's deps, as for useEffect: `load` is a new closure on every render.
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && set(() => v),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, deps);
  return { value, error, set: (v: T) => set(() => v) };
}
