// Platform events (README.md "Platform events"): how long after a run fails its workspace's error flow has run. Real
// server and worker processes on a fresh database and their own Temporal dev server: N webhook runs of a flow whose
// one step fails at once, at 10 at a time; each failure records its run.failed (an activity before the run fails), the
// server's relay (500 ms idle poll) starts the error flow, which runs one set step. The figure per event is from the
// failed run's close to the error flow run's close (Temporal's close times), so it holds the relay's poll, the start
// and the error flow's own run. Writes bench/results/platform-events.json.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/processes.js';
import { forEachLimit, latency, startBenchStack, type BenchStack } from './bench-processes.js';

const RUNS = Number(process.env.BENCH_EVENTS_RUNS ?? 100);
const CONCURRENCY = 10;

type Summary = { id: string; status: string; closedAt?: string };

/** Every run of the flow with this status (all pages). */
async function runsOf(stack: BenchStack, flowId: string, status: string): Promise<Summary[]> {
  const out: Summary[] = [];
  let token: string | undefined;
  do {
    const page = await stack.api(
      'GET',
      `/api/runs?flowId=${flowId}&status=${status}&limit=100${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
    );
    out.push(...page.items);
    token = page.nextPageToken;
  } while (token);
  return out;
}

async function main() {
  const stack = await startBenchStack('events');
  try {
    const flow = async (name: string, nodes: object[]) => {
      const created = await stack.api('POST', '/api/flows', {
        name,
        definition: {
          schemaVersion: 1,
          trigger: { type: 'webhook' },
          nodes,
          edges: [{ from: 'trigger', to: (nodes[0] as { id: string }).id }],
        },
      });
      const published = await stack.api('POST', `/api/flows/${created.id}/publish`);
      return {
        id: created.id as string,
        hook: published.webhookUrl.replace(/^https?:\/\/[^/]+/, stack.base) as string,
      };
    };
    const failing = await flow('failing', [
      {
        id: 'call',
        type: 'action',
        action: 'http.request',
        input: { method: 'GET', url: 'http://127.0.0.1:1/nothing-listens' },
        retry: { maxAttempts: 1 },
      },
    ]);
    const errorFlow = await flow('on error', [
      { id: 'note', type: 'set', values: { run: '{{ trigger.run.id }}', error: '{{ trigger.error.message }}' } },
    ]);
    await stack.api('PATCH', '/api/workspace-settings', { errorFlowId: errorFlow.id });
    const fire = async () => {
      const res = await fetch(failing.hook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
    };
    const completed = async (want: number, timeoutMs: number) => {
      for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 500)))
        if ((await runsOf(stack, errorFlow.id, 'completed')).length >= want) return;
      throw new Error(`fewer than ${want} error flow runs in time`);
    };
    // Warm-up: the worker's bundle loaded, the relay polling.
    await fire();
    await completed(1, 120_000);

    const loadBefore = loadavg()[0]!;
    const t0 = performance.now();
    await forEachLimit(
      Array.from({ length: RUNS }, (_, i) => i),
      CONCURRENCY,
      fire,
    );
    await completed(RUNS + 1, 300_000);
    const wallMs = performance.now() - t0;

    const failed = new Map((await runsOf(stack, failing.id, 'failed')).map((r) => [r.id, r]));
    const handled = await runsOf(stack, errorFlow.id, 'completed');
    const delays: number[] = [];
    await forEachLimit(handled, CONCURRENCY, async (r) => {
      const detail = await stack.api('GET', `/api/runs/${r.id}`);
      const source = failed.get(detail.trigger.run.id);
      if (source?.closedAt && detail.closedAt)
        delays.push(new Date(detail.closedAt).getTime() - new Date(source.closedAt).getTime());
    });
    const extra = handled.length - (RUNS + 1);
    const result = {
      runs: RUNS,
      concurrency: CONCURRENCY,
      wallMs: Math.round(wallMs),
      errorFlowRunsPerSecond: Math.round((RUNS / wallMs) * 1000 * 10) / 10,
      failureToErrorFlowDoneMs: latency(delays),
      /** Error flow runs beyond one per failed run: must be 0 (once per event). */
      extraErrorFlowRuns: extra,
      machine: { cpus: cpus().length, loadavg1m: loadBefore },
    };
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'platform-events.json'), JSON.stringify(result, null, 2));
    console.log(`${cpus().length} cores, 1-minute load average ${loadBefore.toFixed(1)} when the measurement began`);
    console.log(
      `${RUNS} failed runs at ${CONCURRENCY} at a time: error flow done for all in ${result.wallMs} ms ` +
        `(${result.errorFlowRunsPerSecond}/s); failure → error flow done p50 ${result.failureToErrorFlowDoneMs.p50} ms, ` +
        `p99 ${result.failureToErrorFlowDoneMs.p99} ms, max ${result.failureToErrorFlowDoneMs.max} ms ` +
        `(n=${result.failureToErrorFlowDoneMs.n}); extra error flow runs: ${extra}`,
    );
    if (extra !== 0 || delays.length !== RUNS + 1) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

await main();
