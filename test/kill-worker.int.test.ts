// The durability promise, end to end on real processes: 50 webhook runs of a published flow with a delay; the worker
// is killed with SIGKILL mid-way and restarted; every run completes, and every attempt of each run's http.request
// carried the same Idempotency-Key (`<runId>:notify`), so the receiver can dedupe what the crash made us resend.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, temporalAddress, uniqueTaskQueue } from './env.js';
import { freePort } from './ports.js';
import { processApi, runNpm, waitFor, type Proc } from './processes.js';
import { startSink, type Sink } from './sink.js';

const RUNS = 50;

describe('worker killed with SIGKILL mid-way', () => {
  let server: Proc;
  let worker: Proc;
  let base: string;
  let sink: Sink;
  const apiKey = `cfl_test_${randomUUID()}`;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // Each run's first call answers 503 (a retry for every run, before and after the crash); the others succeed
    // slowly, so some calls are in flight when the worker dies.
    const seen = new Set<string>();
    sink = await startSink();
    sink.script('/hook', (req) => {
      const key = String(req.headers['idempotency-key']);
      if (!seen.has(key)) {
        seen.add(key);
        return { status: 503, headers: { 'retry-after': '1' } };
      }
      return { status: 200, delayMs: 300 };
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      DATABASE_URL: databaseUrl(),
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('kill9'),
      PORT: String(port),
      HOST: '127.0.0.1',
      CONFLUO_API_KEY: apiKey,
      CONFLUO_HTTP_ALLOW_PRIVATE: '1',
      // The test database is shared: only the test apps' relays (each scoped to its workspace) relay contact events.
      CONFLUO_CONTACT_EVENTS: '0',
      LOG_LEVEL: 'warn',
    };
    server = runNpm('server', env, 'kill9-server');
    worker = runNpm('worker', env, 'kill9-worker-1');
    await waitFor('server health', async () => (await fetch(`${base}/health`)).ok, 90_000);
  });

  afterAll(async () => {
    await Promise.all([server?.stop(), worker?.stop()]);
    await sink?.close();
  });

  const api = processApi(() => base, apiKey);

  it('completes all 50 runs, each side effect keyed by the same idempotency key on every attempt', async () => {
    const definition = {
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        { id: 'pause', type: 'delay', duration: 'PT2S' },
        {
          id: 'notify',
          type: 'action',
          action: 'http.request',
          timeout: 'PT5S',
          retry: { maxAttempts: 10, initialInterval: 'PT1S', maximumInterval: 'PT2S' },
          input: { method: 'POST', url: `${sink.url}/hook`, body: { n: '{{ trigger.body.n }}', run: '{{ run.id }}' } },
        },
      ],
      edges: [
        { from: 'trigger', to: 'pause' },
        { from: 'pause', to: 'notify' },
      ],
    };
    const created = await api('POST', '/api/flows', { name: 'kill -9', definition });
    expect(created.status).toBe(201);
    const published = await api('POST', `/api/flows/${created.body.id}/publish`);
    expect(published.status).toBe(201);
    const hook = published.body.webhookUrl.replace(/^https?:\/\/[^/]+/, base);

    const runIds = await Promise.all(
      Array.from({ length: RUNS }, async (_, n) => {
        const res = await fetch(hook, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n }),
        });
        expect(res.status).toBe(202);
        return ((await res.json()) as { runId: string }).runId;
      }),
    );
    expect(new Set(runIds).size).toBe(RUNS);

    // Mid-way: some side effects have happened, most have not.
    await waitFor(
      'first successful calls',
      async () => sink.requests.filter((r) => r.headers['idempotency-key']).length >= 60,
      90_000,
      20,
    );
    worker.kill9();
    await worker.exited;
    // Every run's first call is a 503, so fewer than 2 calls per run means some runs had not succeeded yet.
    const callsAtCrash = sink.requests.length;
    expect(callsAtCrash).toBeLessThan(RUNS * 2);

    worker = runNpm('worker', env, 'kill9-worker-2');
    const statuses = await waitFor(
      'all runs completed',
      async () => {
        const all = await Promise.all(
          runIds.map(async (id) => (await api('GET', `/api/runs/${id}`)).body.status as string),
        );
        return all.every((s) => s === 'completed') ? all : undefined;
      },
      150_000,
      1000,
    );
    expect(statuses).toEqual(Array(RUNS).fill('completed'));

    for (const runId of runIds) {
      const calls = sink.requests.filter((r) => JSON.parse(r.body).run === runId);
      expect(calls.length, `calls for ${runId}`).toBeGreaterThanOrEqual(2); // the 503, then success
      expect(new Set(calls.map((c) => c.headers['idempotency-key']))).toEqual(new Set([`${runId}:notify`]));
    }
    expect(sink.requests.length).toBeGreaterThan(callsAtCrash);
  }, 300_000);
});
