// The inbound outbox (prisma/inbound-events.ts, worker/inbound-relay.ts, services/inbound.ts) on the real PostgreSQL
// and Temporal dev server, no worker: the group commit, the replay and the 422 of a reused Idempotency-Key answered
// from the row, the backlog bound's 503 with Retry-After (and /health, /metrics showing it), and two relays starting
// each row once, a row started before its mark (a relay killed between the two) included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundEventStore, createInboundOutbox, type NewInboundEvent } from '../prisma/inbound-events.js';
import { createWorkflowClient } from '../worker/client.js';
import { createInboundRelay } from '../worker/inbound-relay.js';
import { runIdFor } from '../worker/ids.js';
import { startTestApp, validDefinition, type TestApp } from './test-app.js';

const BOUND = 3;
let t: TestApp;
let flowId: string;
let hookUrl: string;

beforeAll(async () => {
  // No relay: what is acknowledged stays pending until a test relays it.
  t = await startTestApp({ inbound: { backlogMax: BOUND, relay: false } });
  flowId = (
    await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'inbound', definition: validDefinition() } })
  ).json().id;
  hookUrl = new URL((await t.api({ method: 'POST', url: `/api/flows/${flowId}/publish` })).json().webhookUrl).pathname;
});
afterAll(async () => t?.close());

const hook = (payload: object, key?: string) =>
  t.app.inject({ method: 'POST', url: hookUrl, payload, ...(key && { headers: { 'idempotency-key': key } }) });

const pendingRows = () => t.prisma.inboundEvent.count({ where: { taskQueue: t.taskQueue, dispatchedAt: null } });

async function exists(workflowId: string) {
  return t.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );
}

describe('the webhook through the outbox', () => {
  it('replays a repeated key from its row, refuses it with another body (422), and starts the run once', async () => {
    const first = await hook({ amount: 10 }, 'order-1');
    expect(first.statusCode, first.body).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const runId = first.json().runId;
    expect(runId).toBe(runIdFor(flowId, 'order-1'));

    const again = await hook({ amount: 10 }, 'order-1');
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().runId).toBe(runId);

    const other = await hook({ amount: 99 }, 'order-1');
    expect(other.statusCode, other.body).toBe(422);
    expect(other.json().error.code).toBe('idempotency_key_reused');

    // One row, not started yet (no relay here); relayed, one workflow; relayed again, nothing more to do.
    expect(await t.prisma.inboundEvent.count({ where: { id: runId } })).toBe(1);
    expect(await exists(runId)).toBe(false);
    expect(await t.app.inbound.drain()).toBe(1);
    expect(await exists(runId)).toBe(true);
    expect(await t.app.inbound.drain()).toBe(0);
    const row = await t.prisma.inboundEvent.findUniqueOrThrow({ where: { id: runId } });
    expect(row).toMatchObject({ kind: 'run', workspaceId: t.workspaceId, attempts: 1, lastError: null });
    expect(row.dispatchedAt).not.toBeNull();
  });

  it('refuses past the backlog bound with 503 inbound_backlog_full and Retry-After, storing nothing', async () => {
    for (let i = 0; i < BOUND; i++) expect((await hook({ i })).statusCode).toBe(202);
    expect(await pendingRows()).toBe(BOUND);

    const refused = await hook({ i: 'one too many' });
    expect(refused.statusCode, refused.body).toBe(503);
    expect(refused.json()).toEqual({ error: { code: 'inbound_backlog_full', message: expect.any(String) } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await pendingRows()).toBe(BOUND);

    // The backlog shows in /health (which stays ok) and in /metrics.
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().inbound).toEqual({ pending: BOUND, oldestPendingSeconds: expect.any(Number) });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(new RegExp(`^confluo_inbound_backlog ${BOUND}$`, 'm'));
    expect(metrics.body).toMatch(/^confluo_inbound_refused_total 1$/m);
    expect(metrics.body).toMatch(/^confluo_inbound_acknowledged_total\{kind="run"\} [1-9]/m);

    // Relayed: accepted again.
    expect(await t.app.inbound.drain()).toBe(BOUND);
    expect((await hook({ i: 'after' })).statusCode).toBe(202);
    expect(await t.app.inbound.drain()).toBe(1);
    const after = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(after.body).toMatch(/^confluo_inbound_relayed_total\{kind="run",outcome="started"\} [1-9]/m);
  });
});

describe('group commit', () => {
  it('puts the rows of one tick into one INSERT, folding a repeated id into its first', async () => {
    const store = createInboundEventStore(t.prisma);
    const commits: number[] = [];
    const outbox = createInboundOutbox(store, { onCommit: (rows) => commits.push(rows.length) });
    const row = (i: number): NewInboundEvent => ({
      id: `run_gc_${t.taskQueue}_${i}`,
      kind: 'run',
      workspaceId: t.workspaceId,
      taskQueue: `${t.taskQueue}-gc`,
      input: { i },
      requestHash: `h${i}`,
    });
    const outcomes = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => outbox.accept(row(i))),
      outbox.accept(row(0)),
    ]);
    expect(commits).toEqual([20]);
    expect(outcomes.slice(0, 20).every((o) => o.inserted)).toBe(true);
    expect(outcomes[20]).toEqual({ inserted: false, firstRequestHash: 'h0' });
    // Committed before: a repeat in a later batch reads the first one's hash.
    expect(await outbox.accept(row(3))).toEqual({ inserted: false, firstRequestHash: 'h3' });
    expect(commits).toEqual([20, 0]);
  });
});

describe('two relays', () => {
  it('start each row once between them, and count a row started before its mark as done', async () => {
    const taskQueue = `${t.taskQueue}-two`;
    const store = createInboundEventStore(t.prisma);
    const input = (n: number) => ({
      workspaceId: t.workspaceId,
      flowId,
      version: 1,
      definition: validDefinition(),
      trigger: { body: { n }, headers: {}, query: {}, receivedAt: new Date().toISOString() },
      startedAt: new Date().toISOString(),
    });
    const ids = Array.from({ length: 40 }, (_, n) => runIdFor(flowId, `two-relays-${taskQueue}-${n}`));
    await store.insert(
      ids.map((id, n) => ({ id, kind: 'run', workspaceId: t.workspaceId, taskQueue, input: input(n) })),
    );
    const workflows = createWorkflowClient({ client: t.client, taskQueue });
    // A relay that died after this start, before its mark: the row is still pending.
    await workflows.startInbound({ id: ids[0]!, kind: 'run', input: input(0) as never });

    const outcomes: string[] = [];
    const relay = () =>
      createInboundRelay({
        prisma: t.prisma,
        workflows,
        taskQueue,
        logger: console,
        batchSize: 7,
        concurrency: 4,
        onOutcome: (_kind, outcome) => outcomes.push(outcome),
      });
    const [a, b] = await Promise.all([relay().drain(), relay().drain()]);
    expect(a + b).toBe(ids.length);
    expect(outcomes.filter((o) => o === 'started')).toHaveLength(ids.length - 1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(0);
    expect(await t.prisma.inboundEvent.count({ where: { taskQueue, dispatchedAt: null } })).toBe(0);
    for (const id of ids) expect(await exists(id)).toBe(true);
  });
});
