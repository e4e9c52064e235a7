// The acknowledgement promise, end to end on real processes (README.md "Durability"): a webhook's 202 means its row
// committed to PostgreSQL, so a server killed with SIGKILL loses nothing it acknowledged and starts nothing twice.
// 1. A server that acknowledges without relaying (CONFLUO_INBOUND_RELAY=0) takes 30 webhooks and is killed: nothing
//    ran, 30 rows wait.
// 2. A relaying server takes them over and a burst of 60 more, and is killed mid-burst (rows committed, claimed,
//    started, not marked: any of these); the caller sends again what got no answer, under the same key.
// 3. A third server relays the rest. Every acknowledged run's one step reached the sink exactly once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../prisma/client.js';
import { databaseUrl, temporalAddress, uniqueTaskQueue } from './env.js';
import { freePort } from './ports.js';
import { processApi, runNpm, waitFor, type Proc } from './processes.js';
import { startSink, type Sink } from './sink.js';

const FIRST = 30;
const BURST = 60;

describe('server killed with SIGKILL with acknowledged events not yet relayed', () => {
  let server: Proc | undefined;
  let worker: Proc;
  let base: string;
  let sink: Sink;
  let prisma: PrismaClient;
  const apiKey = `cfl_test_${randomUUID()}`;
  const taskQueue = uniqueTaskQueue('kill9-server');
  let env: NodeJS.ProcessEnv;

  const startServer = async (name: string, extra: NodeJS.ProcessEnv = {}) => {
    server = runNpm('server', { ...env, ...extra }, name);
    await waitFor(`${name} health`, async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok, 90_000);
  };

  beforeAll(async () => {
    sink = await startSink();
    sink.script('/hook', () => ({ status: 200 }));
    prisma = createPrisma(databaseUrl(), { max: 2 });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      DATABASE_URL: databaseUrl(),
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(port),
      HOST: '127.0.0.1',
      CONFLUO_API_KEY: apiKey,
      CONFLUO_HTTP_ALLOW_PRIVATE: '1',
      CONFLUO_CONTACT_EVENTS: '0',
      LOG_LEVEL: 'warn',
    };
    worker = runNpm('worker', env, 'kill9-server-worker');
  });

  afterAll(async () => {
    await Promise.all([server?.stop(), worker?.stop()]);
    await sink?.close();
    await prisma?.$disconnect();
  });

  const api = processApi(() => base, apiKey);

  it('relays every acknowledged webhook exactly once after the kill', async () => {
    await startServer('kill9-server-1', { CONFLUO_INBOUND_RELAY: '0' });
    const definition = {
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        {
          id: 'notify',
          type: 'action',
          action: 'http.request',
          input: { method: 'POST', url: `${sink.url}/hook`, body: { run: '{{ run.id }}' } },
        },
      ],
      edges: [{ from: 'trigger', to: 'notify' }],
    };
    const created = await api('POST', '/api/flows', { name: 'kill -9 server', definition });
    expect(created.status).toBe(201);
    const published = await api('POST', `/api/flows/${created.body.id}/publish`);
    expect(published.status).toBe(201);
    const path = new URL(published.body.webhookUrl).pathname;

    /** A webhook with its key: the run id when acknowledged, undefined when the server died before answering. */
    const send = async (key: string) => {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ key }),
      }).catch(() => undefined);
      if (res?.status !== 202) return undefined;
      return ((await res.json()) as { runId: string }).runId;
    };
    const acknowledged = new Map<string, string>();

    // 1. Acknowledged, not relayed, killed.
    for (let n = 0; n < FIRST; n++) {
      const runId = await send(`first-${n}`);
      expect(runId).toBeDefined();
      acknowledged.set(`first-${n}`, runId!);
    }
    server!.kill9();
    await server!.exited;
    expect(await prisma.inboundEvent.count({ where: { taskQueue, dispatchedAt: null } })).toBe(FIRST);
    expect(sink.requests).toHaveLength(0);

    // 2. A relaying server, killed mid-burst.
    await startServer('kill9-server-2');
    const burst = Array.from({ length: BURST }, (_, n) => `burst-${n}`);
    let answered = 0;
    const inFlight = burst.map(async (key, n) => {
      await new Promise((r) => setTimeout(r, n * 5));
      const runId = await send(key);
      if (runId) {
        acknowledged.set(key, runId);
        answered++;
      }
    });
    await waitFor('half the burst acknowledged', async () => answered >= BURST / 2 || undefined, 30_000, 2);
    server!.kill9();
    await server!.exited;
    await Promise.all(inFlight);

    // 3. The caller sends again what got no answer; the new server relays the rest (a killed claim's rows after
    // their lease).
    await startServer('kill9-server-3');
    for (const key of burst.filter((k) => !acknowledged.has(k))) {
      const runId = await send(key);
      expect(runId, key).toBeDefined();
      acknowledged.set(key, runId!);
    }
    expect(acknowledged.size).toBe(FIRST + BURST);
    const runIds = [...acknowledged.values()];
    const calls = (runId: string) => sink.requests.filter((r) => JSON.parse(r.body).run === runId).length;
    await waitFor(
      'every run reached the sink',
      async () => runIds.every((id) => calls(id) >= 1) || undefined,
      120_000,
      500,
    );
    // Rows the killed relay had started but not marked are marked done (found started) once their lease ends.
    await waitFor(
      'no row pending',
      async () => (await prisma.inboundEvent.count({ where: { taskQueue, dispatchedAt: null } })) === 0 || undefined,
      60_000,
      500,
    );
    // Exactly once: one call per run, and no run beyond the acknowledged ones.
    for (const id of runIds) expect(calls(id), id).toBe(1);
    expect(sink.requests).toHaveLength(FIRST + BURST);
    const statuses = await waitFor(
      'every run completed',
      async () => {
        const all = await Promise.all(runIds.map(async (id) => (await api('GET', `/api/runs/${id}`)).body.status));
        return all.every((s) => s === 'completed') ? all : undefined;
      },
      60_000,
      1000,
    );
    expect(statuses).toEqual(Array(FIRST + BURST).fill('completed'));
  }, 300_000);
});
