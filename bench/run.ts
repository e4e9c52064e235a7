// `npm run bench`: (a) webhook acknowledgements/s and latency at 10 and 50 connections; (b) completed runs/s of the
// reference flow; (c) the same activities in a hand-written workflow, and (b)/(c); (d) the worker's peak RSS with
// 100 concurrent runs; (e) the engine's ceiling on the same Temporal store: a hand-written workflow with one step that
// does nothing, as a local and as a regular activity, started the same way, and the reference flow's runs/s over it.
// Everything real: PostgreSQL, a Temporal dev server, Confluo's server and worker processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client, Connection } from '@temporalio/client';
import { openLoop } from './open-loop.js';
import { workflowResult } from './workflow-result.js';
import { startTemporalDevServer } from '../worker/temporal-dev-server.js';
import { freePort } from '../test/ports.js';
import { REPO_ROOT, runNpm, waitFor, type Proc } from '../test/processes.js';
import { createBenchDatabase } from './database.js';
import { startSink } from '../test/sink.js';
import { SA_FLOW, SA_PHASE, SA_VERSION, SA_WORKSPACE, type RunFlowInput } from '../worker/contract.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const CEILING_RUNS = Number(process.env.BENCH_CEILING_RUNS ?? 600);
const ACK_SECONDS = Number(process.env.BENCH_ACK_SECONDS ?? 10);
const API_KEY = 'cfl_bench_key_0123456789abcdef';
/**
 * The runs' Temporal store: `memory` (the dev server's default), `file` (SQLite in a file with the pragmas `npm start`
 * gives it, worker/temporal-dev-server.ts) or `file-plain` (a file with SQLite's own pragmas: an fsync per commit).
 */
const STORE = process.env.BENCH_TEMPORAL_STORE ?? 'memory';
if (!['memory', 'file', 'file-plain'].includes(STORE)) throw new Error(`BENCH_TEMPORAL_STORE: ${STORE}?`);
const TARGET = { overCeiling: 0.8, n8nRunsPerSecond: 42, handwrittenRatio: 0.9 };

const referenceFlow = (sinkUrl: string, withDelay = false) => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    { id: 'vip', type: 'condition', rule: { '==': [{ var: 'trigger.body.tier' }, 'vip'] } },
    {
      id: 'save',
      type: 'action',
      action: 'contacts.upsert',
      input: { email: '{{ trigger.body.email }}', name: '{{ trigger.body.name }}' },
    },
    ...(withDelay ? [{ id: 'pause', type: 'delay', duration: 'PT5S' }] : []),
    {
      id: 'notify',
      type: 'action',
      action: 'http.request',
      input: { method: 'POST', url: sinkUrl, body: { contact: '{{ steps.save.output.id }}' } },
    },
  ],
  edges: [
    { from: 'trigger', to: 'vip' },
    { from: 'vip', to: 'save', branch: 'true' },
    ...(withDelay
      ? [
          { from: 'save', to: 'pause' },
          { from: 'pause', to: 'notify' },
        ]
      : [{ from: 'save', to: 'notify' }]),
  ],
});

function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

async function main() {
  const started = Date.now();
  const database = await createBenchDatabase('confluo_bench');
  const databaseUrl = database.url;
  const storeDir = STORE === 'memory' ? undefined : mkdtempSync(join(tmpdir(), 'confluo-bench-temporal-'));
  const temporal = await startTemporalDevServer({
    logFile: join(REPO_ROOT, 'bench', 'results', 'temporal.log'),
    ...(storeDir && { dbFile: join(storeDir, 'temporal.db') }),
    ...(STORE === 'file-plain' && { sqlitePragmas: [] }),
  });
  const sink = await startSink();
  const procs: Proc[] = [];
  let worker: ChildProcess | undefined;
  const results: Record<string, unknown> = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    temporalStore: STORE,
    targets: TARGET,
  };

  const serverEnv = async (taskQueue: string) => {
    const port = await freePort();
    return {
      port,
      env: {
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        PORT: String(port),
        HOST: '127.0.0.1',
        CONFLUO_API_KEY: API_KEY,
        CONFLUO_HTTP_ALLOW_PRIVATE: '1',
        LOG_LEVEL: 'warn',
      },
    };
  };
  const api = async (base: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as any;
  };
  const publish = async (base: string, name: string, definition: unknown) => {
    const flow = await api(base, 'POST', '/api/flows', { name, definition });
    const pub = await api(base, 'POST', `/api/flows/${flow.id}/publish`);
    return { flowId: flow.id as string, hook: (pub.webhookUrl as string).replace(/^https?:\/\/[^/]+/, base) };
  };

  try {
    // (a) Acknowledgements: a server whose task queue no worker polls, so only the accept path is measured.
    // On a Temporal server of its own: the thousands of runs it starts (never worked on) must not slow the rest.
    const ackTemporal = await startTemporalDevServer({
      logFile: join(REPO_ROOT, 'bench', 'results', 'temporal-ack.log'),
    });
    const ack = await serverEnv('bench-ack');
    ack.env.TEMPORAL_ADDRESS = ackTemporal.address;
    const ackBase = `http://127.0.0.1:${ack.port}`;
    const ackProc = runNpm('server', ack.env, 'bench-server-ack');
    procs.push(ackProc); // stopped after (a); listed for the cleanup if anything fails first
    await waitFor('ack server', async () => (await fetch(`${ackBase}/health`)).ok, 90_000);
    const { hook: ackHook } = await publish(ackBase, 'bench ack', referenceFlow(sink.url));
    // Closed loop (every connection sends again as soon as it is answered): the saturation point.
    const ackRows: Record<string, unknown>[] = [];
    const ackBody = JSON.stringify({ tier: 'vip', email: 'a@example.com', name: 'A', callback: sink.url });
    for (const connections of (process.env.BENCH_ACK_CONNECTIONS ?? '10,50').split(',').map(Number)) {
      const r = await autocannon({
        url: ackHook,
        method: 'POST',
        connections,
        duration: ACK_SECONDS,
        headers: { 'content-type': 'application/json' },
        body: ackBody,
      });
      ackRows.push({
        connections,
        load: 'closed loop',
        requestsPerSecond: r.requests.average,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        total: r.requests.total,
      });
    }
    // Open loop at fixed offered rates over up to 50 connections: the latency a caller sees at a steady load.
    for (const rate of (process.env.BENCH_ACK_RATES ?? '25,50,100').split(',').map(Number)) {
      await openLoop(ackHook, { rate, seconds: 2, connections: 50, body: ackBody }); // warm-up, not counted
      const r = await openLoop(ackHook, { rate, seconds: ACK_SECONDS, connections: 50, body: ackBody });
      ackRows.push({
        connections: 50,
        load: `${rate}/s open loop`,
        requestsPerSecond: r.achievedRate,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        non2xx: r.non2xx,
        errors: r.errors,
        total: r.total,
      });
    }
    // Baseline: Temporal's own start rate and latency here (what every acknowledgement waits for), without Confluo.
    {
      const connection = await Connection.connect({ address: ackTemporal.address });
      const client = new Client({ connection });
      for (const concurrency of [10, 50]) {
        const lat: number[] = [];
        let next = 0;
        const n = 1000;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next++ < n) {
              const s = performance.now();
              await client.workflow.start('runFlow', {
                taskQueue: 'bench-nobody',
                workflowId: `raw_${next}_${Math.random()}`,
                args: [{}],
              });
              lat.push(performance.now() - s);
            }
          }),
        );
        lat.sort((a, b) => a - b);
        ackRows.push({
          connections: concurrency,
          load: 'raw Temporal start',
          requestsPerSecond: n / ((performance.now() - t0) / 1000),
          p50Ms: Math.round(lat[Math.floor(lat.length * 0.5)]!),
          p99Ms: Math.round(lat[Math.floor(lat.length * 0.99)]!),
          non2xx: 0,
          errors: 0,
          total: n,
        });
      }
      await connection.close();
    }
    await ackProc.stop();
    await ackTemporal.stop();
    results.ack = ackRows;
    if (process.env.BENCH_ONLY === 'ack') {
      console.table(ackRows);
      return;
    }

    // The run server and the bench worker (a separate process, so its memory is its own).
    const run = await serverEnv('bench-runs');
    const base = `http://127.0.0.1:${run.port}`;
    procs.push(runNpm('server', run.env, 'bench-server-runs'));
    const memory: { rss: number; heapUsed: number; heapTotal: number; external: number }[] = [];
    worker = spawn(process.execPath, ['--import', 'tsx', 'bench/worker.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((res, rej) => {
      worker!.stdout!.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n')) {
          if (line.includes('worker ready')) res();
          if (line.startsWith('{"rss"')) memory.push(JSON.parse(line));
        }
      });
      worker!.once('exit', (c) => rej(new Error(`bench worker exited ${c}`)));
    });
    await waitFor('run server', async () => (await fetch(`${base}/health`)).ok, 90_000);
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });

    const fire = async (n: number, start: (i: number) => Promise<string>, concurrency = 20) => {
      const ids: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < n) ids.push(await start(next++));
        }),
      );
      return ids;
    };
    const body = (i: number) => ({ tier: 'vip', email: `p${i}@example.com`, name: `P${i}`, callback: sink.url });
    const viaWebhook = (h: string) => async (i: number) => {
      const res = await fetch(h, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body(i)),
      });
      if (res.status !== 202) throw new Error(`webhook ${res.status}`);
      return ((await res.json()) as { runId: string }).runId;
    };
    const waitAll = (ids: string[]) => Promise.all(ids.map((id) => workflowResult(client, id)));
    const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

    // (d) first, on a fresh worker: 100 runs in flight at once (the flow waits 5 s between its two actions).
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rssOf(worker.pid!);
    const { hook: delayedHook } = await publish(base, 'bench memory', referenceFlow(sink.url, true));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(worker!.pid!).rss)), 50);
    const memFrom = memory.length;
    await waitAll(await fire(100, viaWebhook(delayedHook), 100));
    clearInterval(sampler);
    const heapPeak = Math.max(...memory.slice(memFrom).map((m) => m.heapUsed));
    results.workerMemory = {
      concurrentRuns: 100,
      idleRssMB: mb(idle.rss),
      peakRssMB: mb(peak),
      peakHeapUsedMB: mb(heapPeak),
      vmHwmMB: mb(rssOf(worker.pid!).hwm),
    };

    // Warm-up for the throughput runs (connections open, JIT).
    const { hook, flowId } = await publish(base, 'bench reference', referenceFlow(sink.url));
    await waitAll(await fire(20, viaWebhook(hook)));

    // (b) The reference flow, started through its webhook (end to end) and through the Temporal client like (c), so
    // (b)/(c) compares the interpreter with hand-written code on the same start path; (c) the same activities in a
    // hand-written workflow. The three alternate in rounds (order rotating) so that any drift of the server over
    // the run is shared by all of them.
    const pinned = await api(base, 'GET', `/api/flows/${flowId}/versions/1`);
    const workspaceId = 'ws_default'; // the workspace `npm run server` ensures and its API key belongs to
    let seq = 0;
    // Both kinds are started with the same search attributes: indexing them is Temporal's work (visibility), which
    // any listable run pays, not the interpreter's.
    const searchAttributes = [
      { key: SA_WORKSPACE, value: workspaceId },
      { key: SA_FLOW, value: flowId },
      { key: SA_VERSION, value: 1 },
      { key: SA_PHASE, value: 'running' },
    ];
    const kinds = {
      webhook: viaWebhook(hook),
      direct: async (i: number) => {
        const input: RunFlowInput = {
          workspaceId,
          flowId,
          version: 1,
          definition: pinned.definition,
          trigger: { body: body(i), headers: {}, query: {}, receivedAt: new Date().toISOString() },
          startedAt: new Date().toISOString(),
        };
        const h = await client.workflow.start('runFlow', {
          taskQueue: 'bench-runs',
          workflowId: `direct_${seq++}_${Date.now()}`,
          args: [input],
          typedSearchAttributes: searchAttributes,
        });
        return h.workflowId;
      },
      hand: async (i: number) => {
        const h = await client.workflow.start('handwrittenReference', {
          taskQueue: 'bench-runs',
          workflowId: `hand_${seq++}_${Date.now()}`,
          args: [{ workspaceId, trigger: { body: body(i) } }],
          typedSearchAttributes: searchAttributes,
        });
        return h.workflowId;
      },
    };
    const startCeiling = async (kind: 'ceilingLocal' | 'ceilingRegular', i: number) =>
      (await client.workflow.start(kind, { taskQueue: 'bench-runs', workflowId: `${kind}_${seq++}`, args: [i] }))
        .workflowId;
    const order = ['webhook', 'direct', 'hand'] as const;
    const seconds = { webhook: 0, direct: 0, hand: 0 };
    const ROUNDS = 3;
    const perRound = Math.ceil(RUNS / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < order.length; k++) {
        const kind = order[(k + round) % order.length]!;
        const t0 = performance.now();
        await waitAll(await fire(perRound, (i) => kinds[kind](seq * 1000 + i)));
        seconds[kind] += (performance.now() - t0) / 1000;
      }
    }
    const total = perRound * ROUNDS;
    results.throughput = {
      runsEach: total,
      rounds: ROUNDS,
      referenceFlowViaWebhookRunsPerSecond: total / seconds.webhook,
      referenceFlowRunsPerSecond: total / seconds.direct,
      handwrittenRunsPerSecond: total / seconds.hand,
      ratio: seconds.hand / seconds.direct,
    };

    // (e) The ceiling: `CEILING_RUNS` runs of each kind, started by `fire` like (b), in rounds alternating like (b).
    const ceilingSeconds = { ceilingLocal: 0, ceilingRegular: 0 };
    const ceilingPerRound = Math.ceil(CEILING_RUNS / ROUNDS);
    await waitAll(await fire(20, (i) => startCeiling('ceilingLocal', i))); // warm-up
    for (let round = 0; round < ROUNDS; round++)
      for (const kind of round % 2 === 0
        ? (['ceilingLocal', 'ceilingRegular'] as const)
        : (['ceilingRegular', 'ceilingLocal'] as const)) {
        const t0 = performance.now();
        await waitAll(await fire(ceilingPerRound, (i) => startCeiling(kind, i)));
        ceilingSeconds[kind] += (performance.now() - t0) / 1000;
      }
    const ceilingTotal = ceilingPerRound * ROUNDS;
    const localPerSecond = ceilingTotal / ceilingSeconds.ceilingLocal;
    results.ceiling = {
      runsEach: ceilingTotal,
      localActivityRunsPerSecond: localPerSecond,
      regularActivityRunsPerSecond: ceilingTotal / ceilingSeconds.ceilingRegular,
      referenceFlowOverCeiling: total / seconds.direct / localPerSecond,
      referenceFlowViaWebhookOverCeiling: total / seconds.webhook / localPerSecond,
    };
    await connection.close();
  } finally {
    worker?.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.stop()));
    await sink.close();
    await temporal.stop();
    await database.drop();
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  }
  results.seconds = (Date.now() - started) / 1000;
  results.measuredAt = new Date().toISOString();
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  const file = join(REPO_ROOT, 'bench', 'results', STORE === 'memory' ? 'core.json' : `core-${STORE}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));

  const ack = results.ack as any[];
  const t = results.throughput as any;
  const m = results.workerMemory as any;
  const c = results.ceiling as any;
  console.log('\nConfluo benchmarks (targets in brackets)\n');
  console.table(
    ack.map((r) => ({
      connections: r.connections,
      load: r.load,
      'acks/s': r.requestsPerSecond.toFixed(0),
      'p50 ms': r.p50Ms,
      'p99 ms [≤25 @50]': r.p99Ms,
      non2xx: r.non2xx,
      errors: r.errors,
    })),
  );
  console.table([
    { measure: 'reference flow runs/s, via webhook', value: t.referenceFlowViaWebhookRunsPerSecond.toFixed(1) },
    { measure: 'reference flow runs/s, client start', value: t.referenceFlowRunsPerSecond.toFixed(1) },
    { measure: 'hand-written runs/s', value: t.handwrittenRunsPerSecond.toFixed(1) },
    { measure: 'ratio (b, client start)/(c) [≥0.9]', value: t.ratio.toFixed(3) },
    { measure: `ceiling: one local activity, runs/s (${STORE} store)`, value: c.localActivityRunsPerSecond.toFixed(1) },
    { measure: 'ceiling: one regular activity, runs/s', value: c.regularActivityRunsPerSecond.toFixed(1) },
    {
      measure: `reference flow (client start) / ceiling [≥${TARGET.overCeiling}]`,
      value: c.referenceFlowOverCeiling.toFixed(3),
    },
    {
      measure: `reference flow (webhook) / ceiling [≥${TARGET.overCeiling}; runs/s ≥${TARGET.n8nRunsPerSecond}, n8n here]`,
      value: c.referenceFlowViaWebhookOverCeiling.toFixed(3),
    },
    { measure: 'worker RSS MB, idle after start', value: m.idleRssMB },
    { measure: 'worker peak RSS MB @100 runs [≤150]', value: m.peakRssMB },
    { measure: 'worker peak V8 heap used MB @100 runs', value: m.peakHeapUsedMB },
  ]);
  console.log(`written ${file}`);
}

await main();
