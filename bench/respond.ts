// Synchronous webhook answers (issue 12): how long a caller waits for a respond node right after the trigger, at 10
// and 50 connections (closed loop, autocannon). Real server and worker processes on a fresh database and their own
// Temporal dev server. Each answer is the run's own (update-with-start: the run is durable before it answers), so a
// request is one start, one workflow task and its response; beside it, the same at the plain 202 (no respond node).
// Writes bench/results/respond.json.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { REPO_ROOT } from '../test/processes.js';
import { startBenchStack } from './bench-processes.js';

const SECONDS = Number(process.env.BENCH_RESPOND_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_RESPOND_CONNECTIONS ?? '10,50').split(',').map(Number);
/**
 * Targets: an answer well inside the tightest provider window (Slack's 3 s) and close to a plain acknowledgement: the
 * respond path adds one workflow task on the worker to the start.
 */
const TARGET = { p50Ms: 100, p99Ms: 500 };

interface Row {
  flow: 'respond' | 'plain 202';
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  total: number;
  /** Answers by status: the respond node's 201, the fallback 202, anything else. */
  statuses: Record<string, number>;
  errors: number;
}

async function main() {
  const stack = await startBenchStack('respond');
  try {
    const publish = async (name: string, nodes: object[]) => {
      const flow = await stack.api('POST', '/api/flows', {
        name,
        definition: {
          schemaVersion: 1,
          trigger: { type: 'webhook' },
          nodes,
          edges: nodes.length > 0 ? [{ from: 'trigger', to: (nodes[0] as { id: string }).id }] : [],
        },
      });
      const published = await stack.api('POST', `/api/flows/${flow.id}/publish`);
      return published.webhookUrl.replace(/^https?:\/\/[^/]+/, stack.base) as string;
    };
    const respondHook = await publish('respond bench', [
      {
        id: 'answer',
        type: 'respond',
        status: 201,
        headers: { 'x-order': '{{ trigger.body.order }}' },
        body: { ok: true, order: '{{ trigger.body.order }}' },
      },
    ]);
    const plainHook = await publish('plain bench', [
      { id: 'note', type: 'set', values: { order: '{{ trigger.body.order }}' } },
    ]);
    const body = JSON.stringify({ order: 42, email: 'a@example.com' });

    // The worker takes its first runs once its workflow bundle is loaded: wait for a quick answer before measuring.
    for (const until = Date.now() + 60_000; Date.now() < until;) {
      const t0 = performance.now();
      const res = await fetch(respondHook, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      if (res.status === 201 && performance.now() - t0 < 1000) break;
    }
    const loadBefore = loadavg()[0]!;
    const rows: Row[] = [];
    for (const [flow, url] of [
      ['respond', respondHook],
      ['plain 202', plainHook],
    ] as const) {
      // Warm-up (bundle loaded, connections open, caches filled), not counted.
      await autocannon({
        url,
        method: 'POST',
        connections: 10,
        duration: 2,
        headers: { 'content-type': 'application/json' },
        body,
      });
      for (const connections of CONNECTIONS) {
        const r = await autocannon({
          url,
          method: 'POST',
          connections,
          duration: SECONDS,
          headers: { 'content-type': 'application/json' },
          body,
        });
        const statuses = Object.fromEntries(
          Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
        );
        rows.push({
          flow,
          connections,
          requestsPerSecond: r.requests.average,
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          maxMs: r.latency.max,
          total: r.requests.total,
          statuses,
          errors: r.errors + r.timeouts,
        });
      }
    }

    writeFileSync(
      join(REPO_ROOT, 'bench', 'results', 'respond.json'),
      JSON.stringify(
        { seconds: SECONDS, target: TARGET, machine: { cpus: cpus().length, loadavg1m: loadBefore }, rows },
        null,
        2,
      ),
    );
    console.log(`${cpus().length} cores, 1-minute load average ${loadBefore.toFixed(1)} when the measurement began`);
    const line = (cells: string[]) => console.log(cells.map((c, i) => c.padEnd(i === 0 ? 26 : 18)).join(''));
    line(['flow × connections', 'req/s', 'p50', 'p99', 'max', 'answers']);
    for (const r of rows) {
      const target = r.flow === 'respond';
      line([
        `${r.flow} × ${r.connections}`,
        r.requestsPerSecond.toFixed(0),
        `${r.p50Ms} ms${target ? ` (≤ ${TARGET.p50Ms})` : ''}`,
        `${r.p99Ms} ms${target ? ` (≤ ${TARGET.p99Ms})` : ''}`,
        `${r.maxMs} ms`,
        `${Object.entries(r.statuses)
          .map(([c, n]) => `${c}: ${n}`)
          .join(', ')}${r.errors ? `, errors: ${r.errors}` : ''}`,
      ]);
    }
    // A respond answer that was not the node's (a 202 fallback, an error) is a broken bench; latency is a figure.
    const broken = rows.some((r) => {
      const expected = r.flow === 'respond' ? '201' : '202';
      return r.errors > 0 || Object.keys(r.statuses).some((c) => c !== expected);
    });
    if (broken) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

await main();
