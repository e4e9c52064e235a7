// The webhook trigger: bodies of every kind, stripped credentials, Idempotency-Key dedupe (the inbound outbox's row,
// then Temporal's id uniqueness), and 404 for tokens that lead nowhere. No worker: started runs stay Running, which is all this needs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SA_FLOW, SA_PHASE, SA_VERSION, SA_WORKSPACE } from '../worker/contract.js';
import { eventually, startedInput, startTestApp, validDefinition, type TestApp } from './test-app.js';

let t: TestApp;
let flowId: string;
let hookUrl: string;
beforeAll(async () => {
  t = await startTestApp({ bodyLimit: 4096 });
  const flow = (
    await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'hook', definition: validDefinition() } })
  ).json();
  flowId = flow.id;
  const published = (await t.api({ method: 'POST', url: `/api/flows/${flowId}/publish` })).json();
  hookUrl = new URL(published.webhookUrl).pathname;
});
afterAll(async () => t?.close());

/** The input a run was started with, once started: the 202 came when its row committed; the relay starts it. */
async function started(runId: string) {
  await t.app.inbound.startPending(runId);
  return startedInput(t.client, runId);
}

describe('POST /hooks/flows/:token', () => {
  it('starts runFlow on the latest version with a JSON body and typed search attributes', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${hookUrl}?source=crm&tag=a&tag=b`,
      headers: { 'x-custom': 'yes' },
      payload: { name: 'Ada', tier: 'vip' },
    });
    expect(res.statusCode, res.body).toBe(202);
    const { runId } = res.json();
    expect(runId).toMatch(/^run_[0-9a-f]{32}$/);

    const input = await started(runId);
    expect(input).toMatchObject({ workspaceId: t.workspaceId, flowId, version: 1, definition: validDefinition() });
    expect(input.trigger).toMatchObject({
      body: { name: 'Ada', tier: 'vip' },
      query: { source: 'crm', tag: ['a', 'b'] },
      headers: { 'x-custom': 'yes', 'content-type': 'application/json' },
      receivedAt: input.startedAt,
    });

    const d = await t.client.workflow.getHandle(runId).describe();
    expect(d.taskQueue).toBe(t.taskQueue);
    expect(d.typedSearchAttributes.get(SA_WORKSPACE)).toBe(t.workspaceId);
    expect(d.typedSearchAttributes.get(SA_FLOW)).toBe(flowId);
    expect(d.typedSearchAttributes.get(SA_VERSION)).toBe(1);
    expect(d.typedSearchAttributes.get(SA_PHASE)).toBe('running');
  });

  it('never passes credentials on to the run', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: hookUrl,
      headers: {
        authorization: 'Bearer secret',
        cookie: 'session=1',
        'proxy-authorization': 'Basic x',
        'x-api-key': 'k',
        'x-kept': '1',
      },
      payload: {},
    });
    expect(res.statusCode).toBe(202);
    const { headers } = (await started(res.json().runId)).trigger as {
      headers: Record<string, unknown>;
    };
    expect(headers['x-kept']).toBe('1');
    for (const h of ['authorization', 'cookie', 'proxy-authorization', 'x-api-key'])
      expect(headers).not.toHaveProperty(h);
  });

  it('accepts form, text and other bodies', async () => {
    const cases = [
      { type: 'application/x-www-form-urlencoded', payload: 'name=Ada&tier=vip', body: { name: 'Ada', tier: 'vip' } },
      { type: 'text/plain', payload: 'hello there', body: 'hello there' },
      { type: 'application/xml', payload: '<a>1</a>', body: '<a>1</a>' },
    ];
    for (const c of cases) {
      const res = await t.app.inject({
        method: 'POST',
        url: hookUrl,
        headers: { 'content-type': c.type },
        payload: c.payload,
      });
      expect(res.statusCode, c.type).toBe(202);
      const input = await started(res.json().runId);
      expect((input.trigger as { body: unknown }).body, c.type).toEqual(c.body);
    }
    const empty = await t.app.inject({ method: 'POST', url: hookUrl });
    expect(empty.statusCode).toBe(202);
    expect(((await started(empty.json().runId)).trigger as { body: unknown }).body).toBeNull();
  });

  it('maps a repeated Idempotency-Key to the same run and starts only one execution', async () => {
    const key = `order-${Date.now()}`;
    const send = () =>
      t.app.inject({ method: 'POST', url: hookUrl, headers: { 'idempotency-key': key }, payload: { n: 1 } });
    const first = await send();
    expect(first.statusCode).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const [second, third] = await Promise.all([send(), send()]);
    for (const r of [second, third]) {
      expect(r.statusCode).toBe(202);
      expect(r.json().runId).toBe(first.json().runId);
      expect(r.headers['idempotent-replayed']).toBe('true');
    }
    const runId = first.json().runId as string;
    // Exactly one execution has this id: visibility lists every run (not only the latest) of a workflow id.
    const runs = await eventually(async () => {
      const found = [];
      for await (const w of t.client.workflow.list({ query: `WorkflowId = "${runId}"` })) found.push(w.runId);
      return found.length > 0 ? found : undefined;
    });
    expect(runs).toHaveLength(1);

    // Another key is another run; the same key on another flow too (the id includes the flow).
    const other = await t.app.inject({
      method: 'POST',
      url: hookUrl,
      headers: { 'idempotency-key': `${key}-2` },
      payload: {},
    });
    expect(other.json().runId).not.toBe(runId);
  });

  it('refuses an Idempotency-Key sent again with a different body (422), and replays the same body', async () => {
    const key = `reused-${Date.now()}`;
    const send = (payload: object, url = hookUrl) =>
      t.app.inject({ method: 'POST', url, headers: { 'idempotency-key': key }, payload });
    const first = await send({ amount: 10 });
    expect(first.statusCode).toBe(202);
    const changed = await send({ amount: 99 });
    expect(changed.statusCode).toBe(422);
    expect(changed.json()).toEqual({ error: { code: 'idempotency_key_reused', message: expect.any(String) } });
    const query = await send({ amount: 10 }, `${hookUrl}?extra=1`);
    expect(query.statusCode).toBe(422);
    const same = await send({ amount: 10 });
    expect(same.statusCode).toBe(202);
    expect(same.json().runId).toBe(first.json().runId);
    expect(same.headers['idempotent-replayed']).toBe('true');
    // The refused requests started nothing: the first run is the only execution of its id.
    const runs = [];
    for await (const w of t.client.workflow.list({ query: `WorkflowId = "${first.json().runId}"` })) runs.push(w);
    expect(runs.length).toBeLessThanOrEqual(1);
    expect((await started(first.json().runId)).trigger).toMatchObject({ body: { amount: 10 } });
  });

  it('answers 404 for tokens and account ids that cannot exist, before any lookup', async () => {
    for (const url of [
      '/hooks/flows/short',
      `/hooks/flows/${'a'.repeat(31)}!`,
      '/hooks/channels/cha_nope',
      `/hooks/channels/cha_${'z'.repeat(32)}`,
      "/hooks/channels/x'%20OR%201=1",
    ]) {
      const res = await t.app.inject({ method: 'POST', url, payload: {} });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('not_found');
    }
  });

  it('answers 404 for unknown tokens and flows never published', async () => {
    const unknown = await t.app.inject({ method: 'POST', url: '/hooks/flows/nope', payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');

    // A token whose flow was never published (e.g. created by hand or left over) leads nowhere either.
    const draft = (await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'draft' } })).json();
    await t.prisma.webhookToken.create({ data: { token: `tok_${draft.id}`, flowId: draft.id } });
    const unpublished = await t.app.inject({ method: 'POST', url: `/hooks/flows/tok_${draft.id}`, payload: {} });
    expect(unpublished.statusCode).toBe(404);
  });

  it('answers 405 for other methods, 400 for malformed JSON and 413 for big bodies', async () => {
    const get = await t.app.inject({ method: 'GET', url: hookUrl });
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(get.json().error.code).toBe('method_not_allowed');

    const bad = await t.app.inject({
      method: 'POST',
      url: hookUrl,
      headers: { 'content-type': 'application/json' },
      payload: '{oops',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_json');

    const big = await t.app.inject({
      method: 'POST',
      url: hookUrl,
      headers: { 'content-type': 'text/plain' },
      payload: 'x'.repeat(5000),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('body_too_large');
  });

  it('needs no API key and ignores one', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: hookUrl,
      headers: { authorization: 'Bearer wrong' },
      payload: {},
    });
    expect(res.statusCode).toBe(202);
  });
});
