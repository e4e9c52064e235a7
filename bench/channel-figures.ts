// Figures over the receive times (ms) of sends, for bench/channels.ts.

const sorted = (times: readonly number[]) => [...times].sort((a, b) => a - b);

/**
 * The most times in any half-open window [t, t + windowMs) (what a provider counting "per interval" sees) and where
 * the first such window starts.
 */
export function maxInWindow(times: readonly number[], windowMs: number): { count: number; at: number | null } {
  const t = sorted(times);
  let best = { count: 0, at: null as number | null };
  for (let i = 0, j = 0; i < t.length; i++) {
    // Every window that holds most times can start at one of them.
    while (j < t.length && t[j]! < t[i]! + windowMs) j++;
    if (j - i > best.count) best = { count: j - i, at: t[i]! };
  }
  return best;
}

/** The smallest and the median gap between consecutive times. */
export function spacing(times: readonly number[]): { min: number; p50: number } {
  const t = sorted(times);
  const gaps = sorted(t.slice(1).map((v, i) => v - t[i]!));
  return { min: gaps[0] ?? 0, p50: gaps[Math.floor(gaps.length / 2)] ?? 0 };
}

/** How many times fall in each consecutive `bucketMs` from the first. */
export function histogram(times: readonly number[], bucketMs: number): number[] {
  const t = sorted(times);
  const out: number[] = [];
  for (const v of t) {
    const k = Math.floor((v - t[0]!) / bucketMs);
    while (out.length <= k) out.push(0);
    out[k]!++;
  }
  return out;
}

/** The median, 99th percentile and largest of some values. */
export function quantiles(values: readonly number[]): { p50: number; p99: number; max: number } {
  const v = sorted(values);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(v.length * p))] ?? 0;
  return { p50: q(0.5), p99: q(0.99), max: v.at(-1) ?? 0 };
}

/**
 * After a 429 at `at` asking to wait `waitMs`: the sends that arrived within `graceMs` of it (already on their way), the
 * sends that arrived later but before the wait was over (ignoring it), and when the first one after the wait came.
 */
export function pushBackQuiet(times: readonly number[], at: number, waitMs: number, graceMs: number) {
  const after = sorted(times.filter((t) => t >= at));
  const resumed = after.find((t) => t >= at + waitMs);
  return {
    withinGrace: after.filter((t) => t < at + graceMs).length,
    during: after.filter((t) => t >= at + graceMs && t < at + waitMs).length,
    firstAfterMs: resumed === undefined ? null : resumed - at,
  };
}
