// Runs read back from Temporal, without a worker: runs started by the webhook stay Running, which is enough for
// listing, filtering, workspace scoping, the detail's fallback steps, and closed-run outcomes (via terminate).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SA_FLOW, SA_PHASE, SA_VERSION, SA_WORKSPACE } from '../worker/contract.js';
import { eventually, startedInput, startTestApp, validDefinition, type TestApp } from './test-app.js';

let t: TestApp;
let flowId: string;
let hookUrl: string;
const trigger = async (payload: object) => {
  const res = await t.app.inject({ method: 'POST', url: hookUrl, payload });
  expect(res.statusCode).toBe(202);
  const runId = res.json().runId as string;
  // Acknowledged once its row committed: started on Temporal now, as the relay would within milliseconds.
  await t.app.inbound.startPending(runId);
  return runId;
};

beforeAll(async () => {
  t = await startTestApp();
  flowId = (
    await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'runs', definition: validDefinition() } })
  ).json().id;
  hookUrl = new URL((await t.api({ method: 'POST', url: `/api/flows/${flowId}/publish` })).json().webhookUrl).pathname;
});
afterAll(async () => t?.close());

describe('GET /api/runs', () => {
  it("lists the workspace's runs, filtered by flow and status, newest first, paged", async () => {
    const ids = [await trigger({ n: 1 }), await trigger({ n: 2 }), await trigger({ n: 3 })];
    const items = await eventually(async () => {
      const res = await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&status=running` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      return body.items.length >= 3 ? body.items : undefined;
    });
    expect(items.map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());
    expect(items[0]).toEqual({
      id: expect.any(String),
      flowId,
      version: 1,
      status: 'running',
      startedAt: expect.any(String),
    });

    const page1 = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&limit=2` })).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextPageToken).toEqual(expect.any(String));
    const page2 = (
      await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&limit=2&pageToken=${page1.nextPageToken}` })
    ).json();
    expect([...page1.items, ...page2.items].map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());

    for (const status of ['completed', 'failed', 'cancelled', 'waiting']) {
      const res = await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&status=${status}` });
      expect(res.json().items, status).toEqual([]);
    }
  });

  it('shows nothing of other workspaces', async () => {
    const id = await trigger({ n: 'mine' });
    await eventually(async () =>
      (await t.api({ method: 'GET', url: '/api/runs' })).json().items.some((r: { id: string }) => r.id === id)
        ? true
        : undefined,
    );
    const other = await startTestApp();
    try {
      expect((await other.api({ method: 'GET', url: '/api/runs' })).json().items).toEqual([]);
      expect((await other.api({ method: 'GET', url: `/api/runs/${id}` })).statusCode).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('refuses, on /query/pageToken and without asking Temporal, a page token that is not one of this list', async () => {
    await trigger({ n: 'a' });
    await trigger({ n: 'b' });
    const page1 = await eventually(async () => {
      const body = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&limit=1` })).json();
      return body.nextPageToken ? body : undefined;
    });
    const token = page1.nextPageToken as string;
    const refused = {
      // Temporal's dev server answers UNKNOWN to bytes it cannot read, which the SDK retried for ~18 s (then a 500).
      'made up': 'hello-world',
      'raw bytes': Buffer.from('{"not":"a token"}').toString('base64url'),
      truncated: token.slice(0, -3),
      'not base64url': `${token.slice(0, 10)}%2B%2F`,
      'another status filter': token,
      'another flow': token,
    };
    for (const [what, pageToken] of Object.entries(refused)) {
      const query =
        what === 'another status filter'
          ? `flowId=${flowId}&status=running`
          : what === 'another flow'
            ? 'flowId=flw_other'
            : `flowId=${flowId}`;
      const started = Date.now();
      const res = await t.api({ method: 'GET', url: `/api/runs?${query}&limit=1&pageToken=${pageToken}` });
      expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
      expect(res.json().error.issues[0].path, what).toBe('/query/pageToken');
      expect(Date.now() - started, what).toBeLessThan(5_000);
    }
    // The same token still pages its own list.
    const page2 = await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&limit=1&pageToken=${token}` });
    expect(page2.statusCode, page2.body).toBe(200);
    expect(page2.json().items[0].id).not.toBe(page1.items[0].id);
  });

  it('refuses ids that could escape the visibility query', async () => {
    const res = await t.api({
      method: 'GET',
      url: `/api/runs?flowId=${encodeURIComponent('x" OR ConfluoWorkspaceId != "y')}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].path).toBe('/query/flowId');
  });
});

describe('GET /api/runs/:id', () => {
  it('answers 404 for unknown runs', async () => {
    for (const id of ['run_0000', 'nope']) {
      const res = await t.api({ method: 'GET', url: `/api/runs/${id}` });
      expect(res.statusCode, id).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });

  it('describes a running run with its trigger, and pending steps while no worker answers', async () => {
    const id = await trigger({ name: 'Ada' });
    const res = await t.api({ method: 'GET', url: `/api/runs/${id}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      flowId,
      version: 1,
      status: 'running',
      trigger: { body: { name: 'Ada' } },
      steps: [{ nodeId: 'greet', type: 'set', status: 'pending' }],
    });
    expect(res.json()).not.toHaveProperty('closedAt');
  });

  it('reports a terminated run as failed with its reason, in the detail and the list', async () => {
    const id = await trigger({});
    await t.client.workflow.getHandle(id).terminate('operator stopped it');
    const res = await t.api({ method: 'GET', url: `/api/runs/${id}` });
    expect(res.json()).toMatchObject({
      status: 'failed',
      closedAt: expect.any(String),
      error: { message: expect.stringContaining('operator stopped it') },
    });
    const listed = await eventually(async () => {
      const items = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&status=failed` })).json().items;
      return items.length > 0 ? items : undefined;
    });
    expect(listed).toEqual([expect.objectContaining({ id, status: 'failed', closedAt: expect.any(String) })]);
  });

  it('reports a run whose phase is waiting as waiting', async () => {
    // The worker upserts ConfluoPhase=waiting in delay/wait nodes; here the run is started in that phase directly.
    const id = `run_waiting${Date.now()}`;
    await t.client.workflow.start('runFlow', {
      taskQueue: t.taskQueue,
      workflowId: id,
      args: [{ ...(await startedInput(t.client, await trigger({}))) }],
      typedSearchAttributes: [
        { key: SA_WORKSPACE, value: t.workspaceId },
        { key: SA_FLOW, value: flowId },
        { key: SA_VERSION, value: 1 },
        { key: SA_PHASE, value: 'waiting' },
      ],
    });
    expect((await t.api({ method: 'GET', url: `/api/runs/${id}` })).json().status).toBe('waiting');
    const listed = await eventually(async () => {
      const items = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&status=waiting` })).json().items;
      return items.length > 0 ? items : undefined;
    });
    expect(listed.map((r: { id: string }) => r.id)).toEqual([id]);
    const running = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&status=running&limit=100` })).json()
      .items;
    expect(running.map((r: { id: string }) => r.id)).not.toContain(id);
  });
});

describe('cancel and retry', () => {
  it('requests cancellation of a run', async () => {
    const id = await trigger({});
    const res = await t.api({ method: 'POST', url: `/api/runs/${id}/cancel` });
    expect(res.statusCode).toBe(202);
    const history = await t.client.workflow.getHandle(id).fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
  });

  it('refuses to retry a run that is still in progress (409), or an unknown one (404)', async () => {
    const id = await trigger({ again: true });
    const res = await t.api({ method: 'POST', url: `/api/runs/${id}/retry` });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('run_not_failed');
    expect((await t.api({ method: 'POST', url: '/api/runs/run_nope/retry' })).statusCode).toBe(404);
  });
});
