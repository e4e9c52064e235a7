// Synchronous webhook answers (README.md "Respond") on the real Temporal dev server and PostgreSQL: a flow with a
// respond node answers the POST with its status, headers and body; past the trigger's timeout the caller gets 202 with
// the run id and the run goes on; a repeated Idempotency-Key gets the same answer from the same run; a respond on a
// branch not taken, or a run that fails first, answers 202; Temporal down answers 503 as a plain webhook does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/ports.js';
import { startTemporalDevServer, type DevServer } from '../worker/temporal-dev-server.js';
import { createDraft, eventually, failingStep, flowOf, publishFlow, settledRun, startTestApp } from './test-app.js';
import type { TestApp, TestDefinition } from './test-app.js';
import { startTestWorker, withAppAndWorker, type TestWorker } from './test-worker.js';

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});

let t: TestApp;
withAppAndWorker((app) => (t = app));

async function publish(app: TestApp, definition: TestDefinition): Promise<{ flowId: string; hook: string }> {
  const flowId = await createDraft(app, 'respond', definition);
  const res = await publishFlow(app, flowId);
  expect(res.statusCode, res.body).toBe(201);
  return { flowId, hook: new URL(res.json().webhookUrl).pathname };
}

const settled = (runId: string) => settledRun(t, runId);
const stepOf = (run: { steps: Array<{ nodeId: string; output?: unknown; status: string }> }, id: string) =>
  run.steps.find((s) => s.nodeId === id)!;

const greeting = {
  id: 'answer',
  type: 'respond',
  status: 201,
  headers: { 'X-Order': '{{ trigger.body.order }}', 'Cache-Control': 'no-store' },
  body: { ok: true, order: '{{ trigger.body.order }}', hello: 'Hi {{ trigger.body.name }}' },
};

describe('respond node', () => {
  it("answers the POST with the respond node's status, headers and body; the step records it as sent", async () => {
    const { flowId, hook } = await publish(
      t,
      flowOf(
        [greeting, { id: 'after', type: 'set', values: { done: true } }],
        [
          { from: 'trigger', to: 'answer' },
          { from: 'answer', to: 'after' },
        ],
      ),
    );
    const res = await t.app.inject({ method: 'POST', url: hook, payload: { order: 42, name: 'Ada' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['x-order']).toBe('42');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({ ok: true, order: 42, hello: 'Hi Ada' });
    expect(res.headers['idempotent-replayed']).toBeUndefined();

    // The run is the one that answered: found by its steps, completed, its respond step holding the answer.
    const runs = await eventually(async () => {
      const items = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&status=completed` })).json()
        .items as Array<{ id: string }>;
      return items.length > 0 ? items : undefined;
    });
    const run = await settled(runs[0]!.id);
    expect(run.status).toBe('completed');
    expect(stepOf(run, 'answer').output).toMatchObject({ status: 201, sent: true, body: { order: 42 } });
    expect(stepOf(run, 'after').status).toBe('completed');
  });

  it('sends a string body as text, and a second respond reached records that it was not sent', async () => {
    const { hook } = await publish(
      t,
      flowOf(
        [
          { id: 'first', type: 'respond', headers: { 'x-run': '{{ run.id }}' }, body: 'got {{ trigger.body.n }}' },
          { id: 'second', type: 'respond', status: 500, body: 'never' },
        ],
        [
          { from: 'trigger', to: 'first' },
          { from: 'first', to: 'second' },
        ],
      ),
    );
    const res = await t.app.inject({
      method: 'POST',
      url: hook,
      payload: { n: 7 },
      headers: { 'idempotency-key': 'k-text' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe('got 7');
    const replay = await t.app.inject({
      method: 'POST',
      url: hook,
      payload: { n: 7 },
      headers: { 'idempotency-key': 'k-text' },
    });
    expect(replay.statusCode).toBe(200);
    expect(replay.body).toBe('got 7');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const run = await settled(String(res.headers['x-run']));
    expect(stepOf(run, 'first').output).toMatchObject({ sent: true, body: 'got 7' });
    expect(stepOf(run, 'second').output).toMatchObject({
      status: 500,
      sent: false,
      reason: expect.stringContaining('"first"'),
    });
  });

  it('past the timeout answers 202 with the run id, and the run still completes', async () => {
    const { hook } = await publish(
      t,
      flowOf(
        [{ id: 'slow', type: 'delay', duration: 'PT3S' }, { ...greeting }],
        [
          { from: 'trigger', to: 'slow' },
          { from: 'slow', to: 'answer' },
        ],
        { type: 'webhook', respond: { timeout: 'PT1S' } },
      ),
    );
    const res = await t.app.inject({ method: 'POST', url: hook, payload: { order: 1 } });
    expect(res.statusCode, res.body).toBe(202);
    const { runId } = res.json();
    expect(runId).toMatch(/^run_/);
    const run = await settled(runId);
    expect(run.status).toBe('completed');
    expect(stepOf(run, 'answer').output).toMatchObject({ status: 201, sent: true });
  });

  it('a repeated Idempotency-Key gets the same answer from the same run, open or closed, and starts no second run', async () => {
    const { flowId, hook } = await publish(
      t,
      flowOf(
        [
          greeting,
          // Keeps the run open after it answered, so the first repeat attaches to the open run.
          { id: 'linger', type: 'delay', duration: 'PT2S' },
        ],
        [
          { from: 'trigger', to: 'answer' },
          { from: 'answer', to: 'linger' },
        ],
      ),
    );
    const post = (payload: object) =>
      t.app.inject({ method: 'POST', url: hook, payload, headers: { 'idempotency-key': 'order-9' } });
    const first = await post({ order: 9, name: 'Bo' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const open = await post({ order: 9, name: 'Bo' });
    expect(open.statusCode).toBe(201);
    expect(open.json()).toEqual(first.json());
    expect(open.headers['idempotent-replayed']).toBe('true');

    // The same key with another request is refused, as for a plain webhook.
    const other = await post({ order: 10, name: 'Bo' });
    expect(other.statusCode, other.body).toBe(422);
    expect(other.json().error.code).toBe('idempotency_key_reused');

    const runs = await eventually(async () => {
      const items = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&status=completed` })).json().items;
      return items.length > 0 ? items : undefined;
    });
    expect(runs).toHaveLength(1);
    const closed = await post({ order: 9, name: 'Bo' });
    expect(closed.statusCode, closed.body).toBe(201);
    expect(closed.json()).toEqual(first.json());
    expect(closed.headers['x-order']).toBe('9');
    expect(closed.headers['idempotent-replayed']).toBe('true');
    const all = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}` })).json().items;
    expect(all.map((r: { id: string }) => r.id)).toEqual([runs[0].id]);
  });

  it('a respond on a branch not taken answers 202 with the run id; the branch taken answers', async () => {
    const { hook } = await publish(
      t,
      flowOf(
        [{ id: 'vip', type: 'condition', rule: { '==': [{ var: 'trigger.body.tier' }, 'vip'] } }, { ...greeting }],
        [
          { from: 'trigger', to: 'vip' },
          { from: 'vip', to: 'answer', branch: 'true' },
        ],
      ),
    );
    const notTaken = await t.app.inject({ method: 'POST', url: hook, payload: { tier: 'basic' } });
    expect(notTaken.statusCode, notTaken.body).toBe(202);
    const run = await settled(notTaken.json().runId);
    expect(run.status).toBe('completed');
    expect(stepOf(run, 'answer').status).toBe('skipped');

    const taken = await t.app.inject({ method: 'POST', url: hook, payload: { tier: 'vip', order: 3 } });
    expect(taken.statusCode, taken.body).toBe(201);
    expect(taken.json()).toMatchObject({ order: 3 });
  });

  it('a run that fails before its respond node answers 202 with the run id', async () => {
    const { hook } = await publish(
      t,
      flowOf(
        // The one attempt fails, and so does the run.
        [failingStep('boom'), { ...greeting }],
        [
          { from: 'trigger', to: 'boom' },
          { from: 'boom', to: 'answer' },
        ],
      ),
    );
    const res = await t.app.inject({ method: 'POST', url: hook, payload: { order: 4 } });
    expect(res.statusCode, res.body).toBe(202);
    const run = await settled(res.json().runId);
    expect(run.status).toBe('failed');
    expect(stepOf(run, 'answer').status).not.toBe('completed');
  });

  it('a respond in a run no caller waits on (a sub-flow’s child run) records that it was not sent', async () => {
    const { flowId: child } = await publish(t, flowOf([greeting], [{ from: 'trigger', to: 'answer' }]));
    const { hook } = await publish(
      t,
      flowOf(
        [{ id: 'call', type: 'subflow', flow: child, input: { order: '{{ trigger.body.order }}' } }],
        [{ from: 'trigger', to: 'call' }],
      ),
    );
    const res = await t.app.inject({ method: 'POST', url: hook, payload: { order: 6 } });
    expect(res.statusCode, res.body).toBe(202);
    const run = await settled(res.json().runId);
    expect(run.status).toBe('completed');
    expect(stepOf(run, 'call').output).toMatchObject({
      steps: { answer: { status: 201, sent: false, reason: expect.stringContaining('no HTTP caller') } },
    });
  });

  it('publishing a respond node in a flow without a webhook trigger is a 422 issue on the node', async () => {
    const created = await t.api({
      method: 'POST',
      url: '/api/flows',
      payload: {
        name: 'scheduled respond',
        definition: {
          schemaVersion: 1,
          trigger: { type: 'schedule', every: 'PT1H' },
          nodes: [{ id: 'answer', type: 'respond' }],
          edges: [{ from: 'trigger', to: 'answer' }],
        },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const res = await t.api({ method: 'POST', url: `/api/flows/${created.json().id}/publish` });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues).toContainEqual(
      expect.objectContaining({ path: '/nodes/0/type', code: 'respond_trigger', nodeId: 'answer' }),
    );
  });
});

describe('respond node with no worker yet', () => {
  let idle: TestApp;
  let late: TestWorker | undefined;
  beforeAll(async () => {
    idle = await startTestApp();
  });
  afterAll(async () => {
    await late?.stop();
    await idle?.close();
  });

  it('answers 202 with the run id after the timeout; the run is durable and answers once a worker takes it', async () => {
    const { hook } = await publish(
      idle,
      flowOf([greeting], [{ from: 'trigger', to: 'answer' }], { type: 'webhook', respond: { timeout: 'PT3S' } }),
    );
    const res = await idle.app.inject({ method: 'POST', url: hook, payload: { order: 8 } });
    expect(res.statusCode, res.body).toBe(202);
    const { runId } = res.json();
    late = await startTestWorker(idle);
    const run = await eventually(async () => {
      const r = (await idle.api({ method: 'GET', url: `/api/runs/${encodeURIComponent(runId)}` })).json();
      return r.status === 'completed' ? r : undefined;
    }, 30_000);
    expect(stepOf(run, 'answer').output).toMatchObject({ status: 201, sent: true, body: { order: 8 } });
  });
});

describe('respond node with Temporal down', () => {
  let dir: string;
  let dev: DevServer | undefined;
  let down: TestApp;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'confluo-respond-down-'));
    dev = await startTemporalDevServer({ port: await freePort(), logFile: join(dir, 'temporal.log') });
    down = await startTestApp({ temporalAddress: dev.address });
  });
  afterAll(async () => {
    await down?.close();
    await dev?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 temporal_unavailable with Retry-After (its answer comes from the run; a plain webhook is acknowledged from the outbox)', async () => {
    const { hook } = await publish(down, flowOf([greeting], [{ from: 'trigger', to: 'answer' }]));
    await dev!.stop();
    dev = undefined;
    const res = await down.app.inject({
      method: 'POST',
      url: hook,
      payload: { order: 5 },
      headers: { 'idempotency-key': 'down-1' },
    });
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json().error.code).toBe('temporal_unavailable');
    expect(res.headers['retry-after']).toBeDefined();
  });
});
