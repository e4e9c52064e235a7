// An open-loop load generator: requests are sent at evenly spaced times whatever the answers do, and latency is
// measured from when a request was due (not when it went out), so a slow server cannot hide its queueing
// ("coordinated omission"). autocannon's rate limit sends each second's requests in a burst, which measures bursts.
import { Pool } from 'undici';

export interface OpenLoopResult {
  offeredRate: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  total: number;
}

export async function openLoop(
  url: string,
  opts: { rate: number; seconds: number; connections: number; body: string },
): Promise<OpenLoopResult> {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: opts.connections, pipelining: 1 });
  const total = Math.round(opts.rate * opts.seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      pool
        .request({ path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, body: opts.body })
        .then(async (res) => {
          await res.body.dump();
          if (res.statusCode < 200 || res.statusCode >= 300) non2xx++;
          latencies.push(performance.now() - due);
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN) * 10) / 10;
  return {
    offeredRate: opts.rate,
    achievedRate: total / elapsed,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: q(1),
    non2xx,
    errors,
    total,
  };
}
