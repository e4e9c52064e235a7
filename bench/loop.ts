// Loop nodes at scale (issue 12): one run whose loop maps BENCH_LOOP_ITEMS (10,000) items through an `http.request`
// action to a local HTTP sink (holding each request BENCH_LOOP_SINK_MS, 20 ms), BENCH_LOOP_CONCURRENCY (20) at a time, each item's body ending in a `set` that keeps
// only the status. Real server and worker processes on a fresh database and their own Temporal dev server. Figures:
// items/s over the loop step, the loop child's histories (how many, continued as new, and the largest one's events and
// bytes), the parent run's history, the worker's memory (RSS sampled every 500 ms, and its high-water mark), the most
// requests the sink saw at once, and every item sent exactly once. Writes bench/results/loop.json.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { loopRunId } from '../worker/contract.js';
import { REPO_ROOT } from '../test/processes.js';
import { startBenchStack } from './bench-processes.js';

const ITEMS = Number(process.env.BENCH_LOOP_ITEMS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_LOOP_CONCURRENCY ?? 20);
/** How long the sink holds each request, so that items are in flight together. */
const SINK_MS = Number(process.env.BENCH_LOOP_SINK_MS ?? 20);
const TASK_QUEUE = 'bench-loop';
/** Our targets (the spec names the figures, not their values): see bench/README.md. */
const TARGET = {
  itemsPerS: 100,
  /** Temporal warns past 10,240 events or 10 MiB of one history (and refuses 51,200 / 50 MiB). */
  historyEvents: 10_240,
  historyBytes: 10 * 1024 * 1024,
  workerRssBytes: 512 * 1024 * 1024,
};

/**
 * The worker's node process: of those running `server/main.ts worker` on this bench's task queue (tsx's wrapper and
 * the worker under it), the largest.
 */
function workerPid(): number | undefined {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!cmd[0]?.endsWith('node') || !cmd.includes('worker') || !cmd.some((a) => a.endsWith('server/main.ts')))
        continue;
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`TEMPORAL_TASK_QUEUE=${TASK_QUEUE}`))
        found.push(Number(name));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found.sort((a, b) => memoryOf(b).rss - memoryOf(a).rss)[0];
}
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

async function main() {
  // The sink: counts requests at once and idempotency keys.
  let inFlight = 0;
  let maxInFlight = 0;
  const keys = new Map<string, number>();
  const sink = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const key = String(req.headers['idempotency-key']);
    keys.set(key, (keys.get(key) ?? 0) + 1);
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }, SINK_MS),
    );
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

  const stack = await startBenchStack('loop', { TEMPORAL_TASK_QUEUE: TASK_QUEUE });
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  try {
    const flow = await stack.api('POST', '/api/flows', {
      name: 'loop bench',
      definition: {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [
          {
            id: 'each',
            type: 'loop',
            items: '{{ trigger.body.orders }}',
            concurrency: CONCURRENCY,
            maxItems: ITEMS,
          },
          {
            id: 'post',
            type: 'action',
            action: 'http.request',
            input: { method: 'POST', url: `${sinkUrl}/orders`, body: { order: '{{ loop.item }}' } },
          },
          { id: 'keep', type: 'set', values: { s: '{{ steps.post.output.status }}' } },
        ],
        edges: [
          { from: 'trigger', to: 'each' },
          { from: 'each', to: 'post', branch: 'item' },
          { from: 'post', to: 'keep' },
        ],
      },
    });
    const published = await stack.api('POST', `/api/flows/${flow.id}/publish`);
    const pid = workerPid();
    const rss: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        if (pid) rss.push(memoryOf(pid).rss);
        await delay(500);
      }
    })();
    const idleRss = pid ? memoryOf(pid).rss : NaN;

    const hook = new URL(published.webhookUrl as string).pathname;
    const orders = Array.from({ length: ITEMS }, (_, i) => ({ id: i }));
    const fired = await stack.call('POST', hook, { orders });
    if (fired.status !== 202) throw new Error(`webhook: ${fired.status} ${JSON.stringify(fired.body)}`);
    const runId = fired.body.runId as string;
    let run: any;
    for (;;) {
      run = await stack.api('GET', `/api/runs/${runId}`);
      if (run.status !== 'running' && run.status !== 'waiting') break;
      await delay(1000);
    }
    sampling = false;
    await sampler;
    const hwm = pid ? memoryOf(pid).hwm : NaN;
    const each = run.steps.find((s: { nodeId: string }) => s.nodeId === 'each');
    const seconds = (Date.parse(each.finishedAt) - Date.parse(each.startedAt)) / 1000;

    // The loop child's chain of histories, and the parent's.
    const chain: Array<{ status: string; events: number; bytes: number }> = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = "${loopRunId(runId, 'each')}"` })) {
      const d = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
      chain.push({ status: d.status.name, events: d.historyLength, bytes: d.historySize ?? 0 });
    }
    const parent = await client.workflow.getHandle(runId).describe();
    const sent = [...keys.values()];

    const results = {
      items: ITEMS,
      concurrency: CONCURRENCY,
      runStatus: run.status,
      loop: each.loop && { total: each.loop.total, completed: each.loop.completed, failed: each.loop.failed },
      loopSeconds: Math.round(seconds * 10) / 10,
      itemsPerS: Math.round((ITEMS / seconds) * 10) / 10,
      histories: chain.length,
      continuedAsNew: chain.filter((c) => c.status === 'CONTINUED_AS_NEW').length,
      maxHistoryEvents: Math.max(...chain.map((c) => c.events)),
      maxHistoryBytes: Math.max(...chain.map((c) => c.bytes)),
      totalHistoryEvents: chain.reduce((n, c) => n + c.events, 0),
      parentHistoryEvents: parent.historyLength,
      parentHistoryBytes: parent.historySize ?? 0,
      workerRssIdleBytes: idleRss,
      workerRssPeakBytes: Math.max(...rss),
      workerRssHwmBytes: hwm,
      sinkMaxInFlight: maxInFlight,
      requests: sent.reduce((a, b) => a + b, 0),
      distinctKeys: keys.size,
      duplicated: sent.filter((n) => n > 1).length,
      target: TARGET,
    };
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'loop.json'), JSON.stringify(results, null, 2));
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
    const row = (what: string, value: string, target: string) =>
      console.log(`${what.padEnd(44)} ${value.padStart(16)}   ${target}`);
    row(
      'run / loop items completed / failed',
      `${run.status} ${results.loop?.completed}/${results.loop?.failed}`,
      `completed ${ITEMS}/0`,
    );
    row(`items/s (${ITEMS} items, concurrency ${CONCURRENCY})`, String(results.itemsPerS), `≥ ${TARGET.itemsPerS}`);
    row('loop step duration', `${results.loopSeconds} s`, '');
    row('loop histories (continued as new)', `${chain.length} (${results.continuedAsNew})`, '');
    row('largest loop history: events', String(results.maxHistoryEvents), `≤ ${TARGET.historyEvents}`);
    row('largest loop history: bytes', mib(results.maxHistoryBytes), `≤ ${mib(TARGET.historyBytes)}`);
    row('all loop histories: events', String(results.totalHistoryEvents), '');
    row('parent run history: events / bytes', `${parent.historyLength} / ${mib(results.parentHistoryBytes)}`, '');
    row(
      'worker RSS: idle / peak / high-water',
      `${mib(idleRss)} / ${mib(results.workerRssPeakBytes)} / ${mib(hwm)}`,
      `≤ ${mib(TARGET.workerRssBytes)}`,
    );
    row('sink: most requests at once', String(maxInFlight), `≤ ${CONCURRENCY}`);
    row(
      'requests / distinct keys / duplicated',
      `${results.requests} / ${keys.size} / ${results.duplicated}`,
      `${ITEMS} / ${ITEMS} / 0`,
    );
    // Speed, history and memory are figures beside their targets; a lost, duplicated or over-concurrent send, or a
    // failed run, is a broken bench.
    if (run.status !== 'completed' || keys.size !== ITEMS || results.duplicated > 0 || maxInFlight > CONCURRENCY)
      process.exitCode = 1;
  } finally {
    await connection.close();
    await stack.stop();
    await new Promise<void>((r) => sink.close(() => r()));
  }
}

await main();
