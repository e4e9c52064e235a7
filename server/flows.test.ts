// Flows: drafts, validation, publishing immutable versions, test runs. Real PostgreSQL and Temporal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, startedInput, startTestApp, validDefinition, type TestApp } from './test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const invalidDefinition = () => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    { id: 'a', type: 'action', action: 'nope.x' },
    { id: 'd', type: 'delay', duration: 'soon' },
  ],
  edges: [
    { from: 'trigger', to: 'a' },
    { from: 'a', to: 'ghost' },
  ],
});

async function createFlow(definition?: unknown, name = 'flow') {
  const res = await t.api({
    method: 'POST',
    url: '/api/flows',
    payload: { name, ...(definition !== undefined && { definition }) },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('drafts', () => {
  it('creates a flow with the default definition', async () => {
    const flow = await createFlow();
    expect(flow).toMatchObject({
      id: expect.stringMatching(/^flow_/),
      name: 'flow',
      definition: { schemaVersion: 1, trigger: { type: 'webhook' }, nodes: [], edges: [] },
      issues: [],
      latestVersion: 0,
      versions: [],
    });
    expect(flow).not.toHaveProperty('webhookToken');
  });

  it('saves an incomplete draft and reports its issues', async () => {
    const flow = await createFlow(invalidDefinition());
    expect(flow.definition).toEqual(invalidDefinition());
    expect(flow.issues.map((i: { code: string }) => i.code).sort()).toEqual([
      'invalid_duration',
      'unknown_action',
      'unknown_node',
      'unreachable',
    ]);
  });

  it('refuses a definition without the v1 top-level shape with 400', async () => {
    for (const definition of [
      42,
      'x',
      [],
      { schemaVersion: 2, trigger: {}, nodes: [], edges: [] },
      { schemaVersion: 1 },
    ]) {
      const res = await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'x', definition } });
      expect(res.statusCode, JSON.stringify(definition)).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    const res = await t.api({
      method: 'POST',
      url: '/api/flows',
      payload: { name: 'x', definition: { schemaVersion: 1 } },
    });
    expect(
      res
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['/body/definition/edges', '/body/definition/nodes', '/body/definition/trigger']);
  });

  it('reads, updates, lists and deletes', async () => {
    const flow = await createFlow(undefined, 'before');
    const put = await t.api({
      method: 'PUT',
      url: `/api/flows/${flow.id}`,
      payload: { name: 'after', definition: validDefinition() },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: 'after', definition: validDefinition(), issues: [] });

    const get = await t.api({ method: 'GET', url: `/api/flows/${flow.id}` });
    expect(get.json()).toMatchObject({ id: flow.id, name: 'after', definition: validDefinition() });

    const bad = await t.api({ method: 'PUT', url: `/api/flows/${flow.id}`, payload: { definition: { nodes: 1 } } });
    expect(bad.statusCode).toBe(400);

    const list = await t.api({ method: 'GET', url: '/api/flows?limit=100' });
    expect(list.json().items[0]).toMatchObject({ id: flow.id, name: 'after', latestVersion: 0 });

    const del = await t.api({ method: 'DELETE', url: `/api/flows/${flow.id}` });
    expect(del.statusCode).toBe(204);
    expect((await t.api({ method: 'GET', url: `/api/flows/${flow.id}` })).statusCode).toBe(404);
    expect((await t.api({ method: 'DELETE', url: `/api/flows/${flow.id}` })).statusCode).toBe(404);
  });

  it('pages the list newest first with a cursor', async () => {
    const other = await startTestApp();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await other.api({ method: 'POST', url: '/api/flows', payload: { name: `f${i}` } });
        ids.push(res.json().id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await other.api({ method: 'GET', url: `/api/flows?limit=2${cursor ? `&cursor=${cursor}` : ''}` });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body.items.length).toBeLessThanOrEqual(2);
        seen.push(...body.items.map((f: { id: string }) => f.id));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      expect((await other.api({ method: 'GET', url: '/api/flows?cursor=garbage' })).statusCode).toBe(400);
    } finally {
      await other.close();
    }
  });

  it("never shows another workspace's flow", async () => {
    const other = await startTestApp();
    try {
      const flow = await createFlow();
      for (const [method, url] of [
        ['GET', `/api/flows/${flow.id}`],
        ['PUT', `/api/flows/${flow.id}`],
        ['DELETE', `/api/flows/${flow.id}`],
        ['POST', `/api/flows/${flow.id}/publish`],
      ] as const) {
        const res = await other.api({ method, url, ...(method === 'PUT' && { payload: { name: 'x' } }) });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
      }
      expect((await other.api({ method: 'GET', url: '/api/flows' })).json().items).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('answers 404 for unknown flows', async () => {
    for (const [method, url] of [
      ['GET', '/api/flows/flow_x'],
      ['PUT', '/api/flows/flow_x'],
      ['POST', '/api/flows/flow_x/publish'],
      ['POST', '/api/flows/flow_x/test'],
      ['GET', '/api/flows/flow_x/versions/1'],
    ] as const) {
      const res = await t.api({ method, url, payload: method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });
});

describe('validate', () => {
  it('returns every issue', async () => {
    const res = await t.api({
      method: 'POST',
      url: '/api/flows/validate',
      payload: { definition: invalidDefinition() },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().valid).toBe(false);
    expect(res.json().issues).toHaveLength(4);
    expect(res.json().issues).toContainEqual({
      path: '/nodes/0/action',
      code: 'unknown_action',
      message: expect.any(String),
      nodeId: 'a',
    });
  });

  it('accepts a valid definition', async () => {
    const res = await t.api({ method: 'POST', url: '/api/flows/validate', payload: { definition: validDefinition() } });
    expect(res.json()).toEqual({ valid: true, issues: [] });
  });

  it('requires a definition', async () => {
    const res = await t.api({ method: 'POST', url: '/api/flows/validate', payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([expect.objectContaining({ path: '/body/definition', code: 'required' })]);
  });
});

describe('publish', () => {
  it('refuses an invalid draft with 422 and every issue, creating nothing', async () => {
    const flow = await createFlow(invalidDefinition());
    const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('flow_invalid');
    expect(res.json().error.issues).toHaveLength(4);
    const after = (await t.api({ method: 'GET', url: `/api/flows/${flow.id}` })).json();
    expect(after).toMatchObject({ latestVersion: 0, versions: [] });
    expect(after).not.toHaveProperty('webhookToken');
  });

  it('freezes immutable versions and keeps one webhook token', async () => {
    const flow = await createFlow(validDefinition());
    const first = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      version: 1,
      webhookUrl: expect.stringMatching(new RegExp(`^${PUBLIC_URL}/hooks/flows/[A-Za-z0-9_-]{32}$`)),
    });

    const edited = { ...validDefinition(), nodes: [{ id: 'greet', type: 'set', values: { hello: 'v2' } }] };
    await t.api({ method: 'PUT', url: `/api/flows/${flow.id}`, payload: { definition: edited } });
    const second = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
    expect(second.json()).toEqual({ version: 2, webhookUrl: first.json().webhookUrl });

    const v1 = await t.api({ method: 'GET', url: `/api/flows/${flow.id}/versions/1` });
    expect(v1.json()).toMatchObject({ flowId: flow.id, version: 1, definition: validDefinition() });
    const v2 = await t.api({ method: 'GET', url: `/api/flows/${flow.id}/versions/2` });
    expect(v2.json().definition).toEqual(edited);

    // Editing the draft again leaves both versions as they were.
    await t.api({ method: 'PUT', url: `/api/flows/${flow.id}`, payload: { definition: invalidDefinition() } });
    expect((await t.api({ method: 'GET', url: `/api/flows/${flow.id}/versions/1` })).json().definition).toEqual(
      validDefinition(),
    );

    const detail = (await t.api({ method: 'GET', url: `/api/flows/${flow.id}` })).json();
    expect(detail).toMatchObject({ latestVersion: 2, webhookUrl: first.json().webhookUrl });
    expect(detail.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect((await t.api({ method: 'GET', url: `/api/flows/${flow.id}/versions/3` })).statusCode).toBe(404);
    expect((await t.api({ method: 'GET', url: `/api/flows/${flow.id}/versions/zero` })).statusCode).toBe(400);
    const huge = await t.api({ method: 'GET', url: `/api/flows/${flow.id}/versions/2147483648` });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.issues[0].path).toBe('/params/version');
  });

  it('numbers concurrent publishes without gaps or duplicates', async () => {
    const flow = await createFlow(validDefinition());
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` })),
    );
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(results.map((r) => r.json().version).sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('test runs', () => {
  it('starts runFlow on the draft as version 0 with the given trigger', async () => {
    const flow = await createFlow(validDefinition());
    const res = await t.api({
      method: 'POST',
      url: `/api/flows/${flow.id}/test`,
      payload: { trigger: { body: { name: 'Ada' } } },
    });
    expect(res.statusCode).toBe(202);
    const { runId } = res.json();
    expect(runId).toMatch(/^run_[0-9a-f]{32}$/);
    const d = await t.client.workflow.getHandle(runId).describe();
    expect(d.type).toBe('runFlow');
    expect(d.taskQueue).toBe(t.taskQueue);
    const input = await startedInput(t.client, runId);
    expect(input).toMatchObject({
      workspaceId: t.workspaceId,
      flowId: flow.id,
      version: 0,
      definition: validDefinition(),
      trigger: { body: { name: 'Ada' }, headers: {}, query: {}, receivedAt: input.startedAt },
    });
  });

  it("falls back to the definition's sample event", async () => {
    const flow = await createFlow({
      ...validDefinition(),
      trigger: { type: 'webhook', sample: { body: { name: 'Sam' }, query: { q: '1' } } },
    });
    const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/test` });
    expect(res.statusCode, res.body).toBe(202);
    const input = await startedInput(t.client, res.json().runId);
    expect(input.trigger).toMatchObject({ body: { name: 'Sam' }, query: { q: '1' }, headers: {} });
  });

  it('refuses an invalid draft with 422', async () => {
    const flow = await createFlow(invalidDefinition());
    const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/test`, payload: {} });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues).toHaveLength(4);
  });
});
