// The API side of platform event triggers (README.md "Platform events"), without a worker: publish-time issues of a
// run.failed trigger's flows and of event channels, the workspace settings' error flow, conversation close/reopen
// answers and the roles these writes need.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyWithRole, startTestApp, validDefinition, type TestApp } from './test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const draft = async (definition: object) => {
  const res = await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'events', definition } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; issues: { path: string; code: string }[] };
};
const publish = (id: string) => t.api({ method: 'POST', url: `/api/flows/${id}/publish` });
const onEvent = (trigger: object) => ({ ...validDefinition(), trigger });

describe('platform event triggers at publish', () => {
  it('refuses run.failed flows that are not published flows of the workspace, or the flow itself', async () => {
    const other = await draft(validDefinition());
    const flow = await draft(onEvent({ type: 'run.failed', flows: [other.id, 'flw_nope'] }));
    expect(flow.issues.map((i) => `${i.code} ${i.path}`)).toEqual([
      `unknown_flow /trigger/flows/0`,
      'unknown_flow /trigger/flows/1',
    ]);
    let res = await publish(flow.id);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues.map((i: { path: string }) => i.path)).toEqual([
      '/trigger/flows/0',
      '/trigger/flows/1',
    ]);

    expect((await publish(other.id)).statusCode).toBe(201);
    res = await t.api({
      method: 'PUT',
      url: `/api/flows/${flow.id}`,
      payload: { definition: onEvent({ type: 'run.failed', flows: [other.id, flow.id] }) },
    });
    expect(res.json().issues).toEqual([expect.objectContaining({ path: '/trigger/flows/1', code: 'self_failure' })]);
    await t.api({
      method: 'PUT',
      url: `/api/flows/${flow.id}`,
      payload: { definition: onEvent({ type: 'run.failed', flows: [other.id] }) },
    });
    expect((await publish(flow.id)).statusCode).toBe(201);
  });

  it('refuses a conversation or message trigger naming a channel no connector provides', async () => {
    const flow = await draft(onEvent({ type: 'conversation.closed', channels: ['sms', 'pager'] }));
    const res = await publish(flow.id);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues).toEqual([
      expect.objectContaining({ path: '/trigger/channels/1', code: 'unknown_channel' }),
    ]);
  });
});

describe('workspace settings', () => {
  it('reads and writes the error flow: a published flow of the workspace, or null', async () => {
    expect((await t.api({ method: 'GET', url: '/api/workspace-settings' })).json()).toEqual({ errorFlowId: null });
    const patch = (payload: object) => t.api({ method: 'PATCH', url: '/api/workspace-settings', payload });
    let res = await patch({ errorFlowId: 'flw_nope' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([
      expect.objectContaining({ path: '/body/errorFlowId', code: 'unknown_flow' }),
    ]);
    expect((await patch({ errorFlowId: 42 })).statusCode).toBe(400);
    expect((await patch({ other: true })).statusCode).toBe(400);
    expect((await patch({})).statusCode).toBe(400);
    const flow = await draft(validDefinition());
    expect((await publish(flow.id)).statusCode).toBe(201);
    res = await patch({ errorFlowId: flow.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ errorFlowId: flow.id });
    expect((await patch({ errorFlowId: null })).json()).toEqual({ errorFlowId: null });
  });

  it('needs a builder key to change it, and an agent key to close a conversation', async () => {
    const agent = await keyWithRole(t, 'agent');
    const viewer = await keyWithRole(t, 'viewer');
    const as = (key: string, method: 'PATCH' | 'POST', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload && { payload }) });
    expect((await as(agent, 'PATCH', '/api/workspace-settings', { errorFlowId: null })).statusCode).toBe(403);
    expect((await as(viewer, 'POST', '/api/conversations/cnv_nope/close')).statusCode).toBe(403);
    expect((await as(agent, 'POST', '/api/conversations/cnv_nope/close')).statusCode).toBe(404);
    expect((await as(agent, 'POST', '/api/conversations/cnv_nope/reopen')).statusCode).toBe(404);
  });
});
