// `npm run bench`: (a) webhook acknowledgements/s and latency at 10 and 50 connections; (b) completed runs/s of the
// reference flow; (c) the same activities in a hand-written workflow, and (b)/(c); (d) the worker's peak RSS with
// 100 concurrent runs. Everything real: PostgreSQL, a Temporal dev server, Confluo's server and worker processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { applyMigrations } from '../prisma/migrate.js';
import { freePort, startTemporalDevServer } from '../worker/temporal-dev-server.js';
import { REPO_ROOT, runNpm, startSink, waitFor, type Proc } from '../test/processes.js';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const ACK_SECONDS = Number(process.env.BENCH_ACK_SECONDS ?? 10);
const API_KEY = 'cfl_bench_key';

const referenceFlow = (sinkUrl: string, withDelay = false) => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    { id: 'vip', type: 'condition', rule: { '==': [{ var: 'trigger.body.tier' }, 'vip'] } },
    { id: 'save', type: 'action', action: 'contacts.upsert', input: { email: '{{ trigger.body.email }}', name: '{{ trigger.body.name }}' } },
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

function withDb(url: string, db: string) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

async function main() {
  const started = Date.now();
  const dbName = `confluo_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const databaseUrl = withDb(ADMIN_URL, dbName);
  await applyMigrations(databaseUrl);
  const temporal = await startTemporalDevServer({ logFile: join(REPO_ROOT, 'bench', 'results', 'temporal.log') });
  const sink = await startSink(() => ({ status: 200 }));
  const procs: Proc[] = [];
  let worker: ChildProcess | undefined;
  const results: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version } };

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
  const publish = async (base: string, name: string, definition: unknown): Promise<string> => {
    const flow = await api(base, 'POST', '/api/flows', { name, definition });
    const pub = await api(base, 'POST', `/api/flows/${flow.id}/publish`);
    return (pub.webhookUrl as string).replace(/^https?:\/\/[^/]+/, base);
  };

  try {
    // (a) Acknowledgements: a server whose task queue no worker polls, so only the accept path is measured.
    const ack = await serverEnv('bench-ack');
    const ackBase = `http://127.0.0.1:${ack.port}`;
    procs.push(runNpm('server', ack.env, 'bench-server-ack'));
    await waitFor('ack server', async () => (await fetch(`${ackBase}/health`)).ok, 90_000);
    const ackHook = await publish(ackBase, 'bench ack', referenceFlow(sink.url));
    const ackRows = [];
    for (const connections of [10, 50]) {
      const r = await autocannon({
        url: ackHook,
        method: 'POST',
        connections,
        duration: ACK_SECONDS,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tier: 'vip', email: 'a@example.com', name: 'A', callback: sink.url }),
      });
      ackRows.push({
        connections,
        requestsPerSecond: r.requests.average,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        total: r.requests.total,
      });
    }
    results.ack = ackRows;

    // The run server and the bench worker (a separate process, so its memory is its own).
    const run = await serverEnv('bench-runs');
    const base = `http://127.0.0.1:${run.port}`;
    procs.push(runNpm('server', run.env, 'bench-server-runs'));
    worker = spawn(process.execPath, ['--import', 'tsx', 'bench/worker.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((res, rej) => {
      worker!.stdout!.on('data', (d: Buffer) => d.toString().includes('worker ready') && res());
      worker!.once('exit', (c) => rej(new Error(`bench worker exited ${c}`)));
    });
    await waitFor('run server', async () => (await fetch(`${base}/health`)).ok, 90_000);
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    const hook = await publish(base, 'bench reference', referenceFlow(sink.url));

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
      const res = await fetch(h, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body(i)) });
      if (res.status !== 202) throw new Error(`webhook ${res.status}`);
      return ((await res.json()) as { runId: string }).runId;
    };
    const waitAll = (ids: string[]) => Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));

    // Warm-up (bundles loaded, connections open, JIT).
    await waitAll(await fire(20, viaWebhook(hook)));

    // (b) The reference flow, started through its webhook.
    let t0 = performance.now();
    await waitAll(await fire(RUNS, viaWebhook(hook)));
    const flowSeconds = (performance.now() - t0) / 1000;

    // (c) The same activities, hand-written, started through the client with the same concurrency.
    const workspaceId = 'ws_default'; // the workspace `npm run server` ensures and its API key belongs to
    t0 = performance.now();
    const hand = await fire(RUNS, async (i) => {
      const h = await client.workflow.start('handwrittenReference', {
        taskQueue: 'bench-runs',
        workflowId: `hand_${i}_${Date.now()}`,
        args: [{ workspaceId, trigger: { body: body(i + 100_000) } }],
      });
      return h.workflowId;
    });
    await waitAll(hand);
    const handSeconds = (performance.now() - t0) / 1000;
    results.throughput = {
      runs: RUNS,
      referenceFlowRunsPerSecond: RUNS / flowSeconds,
      handwrittenRunsPerSecond: RUNS / handSeconds,
      ratio: RUNS / flowSeconds / (RUNS / handSeconds),
    };

    // (d) Worker memory with 100 runs in flight at once (the flow waits 5 s between its two actions).
    const delayedHook = await publish(base, 'bench memory', referenceFlow(sink.url, true));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(worker!.pid!).rss)), 50);
    const before = rssOf(worker.pid!);
    await waitAll(await fire(100, viaWebhook(delayedHook), 100));
    clearInterval(sampler);
    const after = rssOf(worker.pid!);
    results.workerMemory = { concurrentRuns: 100, rssBeforeMB: before.rss / 2 ** 20, peakRssMB: Math.max(peak, after.rss) / 2 ** 20, vmHwmMB: after.hwm / 2 ** 20 };
    await connection.close();
  } finally {
    worker?.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.stop()));
    await sink.close();
    await temporal.stop();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
  results.seconds = (Date.now() - started) / 1000;
  results.measuredAt = new Date().toISOString();
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  const file = join(REPO_ROOT, 'bench', 'results', 'core.json');
  writeFileSync(file, JSON.stringify(results, null, 2));

  const ack = results.ack as any[];
  const t = results.throughput as any;
  const m = results.workerMemory as any;
  console.log('\nConfluo benchmarks (targets in brackets)\n');
  console.table(ack.map((r) => ({ connections: r.connections, 'acks/s': r.requestsPerSecond.toFixed(0), 'p50 ms': r.p50Ms, 'p99 ms [≤25 @50]': r.p99Ms, non2xx: r.non2xx, errors: r.errors })));
  console.table([
    { measure: 'reference flow runs/s', value: t.referenceFlowRunsPerSecond.toFixed(1) },
    { measure: 'hand-written runs/s', value: t.handwrittenRunsPerSecond.toFixed(1) },
    { measure: 'ratio (b)/(c) [≥0.9]', value: t.ratio.toFixed(3) },
    { measure: 'worker peak RSS MB @100 runs [≤150]', value: m.peakRssMB.toFixed(1) },
  ]);
  console.log(`written ${file}`);
}

await main();
