// "Test step" on the real Temporal dev server and PostgreSQL (README.md "Testing one step"): an http.request action run
// once against a local sink, from the samples and from the last run (the sink gets exactly the resolved input, once);
// a failing action answers its error without retries; templates that cannot be resolved, non-action and unknown
// nodes are 4xx before anything runs; no worker is a 504 and Temporal down a 503.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/ports.js';
import { startSink, type Sink } from '../test/sink.js';
import { startTemporalDevServer } from '../worker/temporal-dev-server.js';
import { eventually, startTestApp, type TestApp } from './test-app.js';
import { startTestWorker, type TestWorker } from './test-worker.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

let t: TestApp;
let worker: TestWorker;
let sink: Sink;

beforeAll(async () => {
  t = await startTestApp();
  worker = await startTestWorker(t);
  sink = await startSink();
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await sink?.close();
});

type Def = { schemaVersion: 1; trigger: object; nodes: object[]; edges: object[] };

/** trigger → greet (set) → notify (http.request POST to the trigger's callback with greet's text). */
const definition = (sample: object, notify: object = {}): Def => ({
  schemaVersion: 1,
  trigger: { type: 'webhook', sample },
  nodes: [
    { id: 'greet', type: 'set', values: { text: 'Hi {{ trigger.body.name }}' } },
    {
      id: 'notify',
      type: 'action',
      action: 'http.request',
      input: {
        method: 'POST',
        url: '{{ trigger.body.callback }}',
        body: { text: '{{ steps.greet.output.text }}', contact: '{{ trigger.body.contact }}' },
      },
      ...notify,
    },
  ],
  edges: [
    { from: 'trigger', to: 'greet' },
    { from: 'greet', to: 'notify' },
  ],
});

async function create(def: Def): Promise<string> {
  const res = await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'step test', definition: def } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}
const testStep = (app: TestApp, flowId: string, nodeId: string, payload: object = {}) =>
  app.api({ method: 'POST', url: `/api/flows/${flowId}/steps/${nodeId}/test`, payload });

describe('testing one step', () => {
  it('runs the action once on the samples, with the draft the editor sends', async () => {
    const flowId = await create(definition({ body: { name: 'Ada', callback: `${sink.url}/saved` } }));
    // The editor's unsaved draft: another callback, and a kept sample of a step `save`.
    const draft = definition({ body: { name: 'Ada', callback: `${sink.url}/sample` } });
    (draft.nodes[1] as { input: { body: object } }).input.body = {
      text: '{{ steps.greet.output.text }}',
      contact: '{{ steps.save.output.id }}',
    };
    draft.nodes.unshift({ id: 'save', type: 'action', action: 'contacts.upsert', sample: { id: 'ct_7' } });
    const res = await testStep(t, flowId, 'notify', { definition: draft, from: 'sample' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      nodeId: 'notify',
      action: 'http.request',
      from: 'sample',
      input: { method: 'POST', url: `${sink.url}/sample`, body: { text: 'Hi Ada', contact: 'ct_7' } },
      output: { status: 200, body: { ok: true } },
      missing: [],
    });
    expect(body).not.toHaveProperty('error');
    expect(body.testId).toMatch(/^tst_/);
    expect(sink.on('/saved')).toHaveLength(0);
    const got = sink.on('/sample');
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body)).toEqual({ text: 'Hi Ada', contact: 'ct_7' });
    expect(got[0]!.headers['idempotency-key']).toBe(`${body.testId}:notify`);
    // The test is no run: the flow's runs list stays empty.
    const runs = await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}` });
    expect(runs.json().items).toEqual([]);
  });

  it('runs it on the trigger and step outputs of the last run, and says which references found nothing', async () => {
    const flowId = await create(definition({}));
    const published = await t.api({ method: 'POST', url: `/api/flows/${flowId}/publish` });
    expect(published.statusCode, published.body).toBe(201);
    const none = await testStep(t, flowId, 'notify', { from: 'last_run' });
    expect(none.statusCode, none.body).toBe(409);
    expect(none.json().error.code).toBe('no_run');

    const hook = new URL(published.json().webhookUrl).pathname;
    const fired = await t.app.inject({
      method: 'POST',
      url: hook,
      payload: { name: 'Grace', callback: `${sink.url}/from-run` },
    });
    const runId: string = fired.json().runId;
    await eventually(async () => {
      const r = (await t.api({ method: 'GET', url: `/api/runs/${runId}` })).json();
      return r.status === 'completed' ? r : undefined;
    }, 30_000);
    expect(sink.on('/from-run')).toHaveLength(1);

    // Visibility lists the run a moment after it started: until then there is no last run (409).
    const res = await eventually(async () => {
      const r = await testStep(t, flowId, 'notify', { from: 'last_run' });
      return r.statusCode === 409 ? undefined : r;
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      from: 'last_run',
      runId,
      input: { url: `${sink.url}/from-run`, body: { text: 'Hi Grace', contact: null } },
      output: { status: 200 },
      missing: [{ path: '/nodes/1/input/body/contact', ref: 'trigger.body.contact' }],
    });
    const calls = sink.on('/from-run');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers['idempotency-key']).toBe(`${res.json().testId}:notify`);
    expect(JSON.parse(calls[1]!.body)).toEqual({ text: 'Hi Grace', contact: null });

    // A given run, and a context override of one step.
    const given = await testStep(t, flowId, 'notify', {
      runId,
      context: { steps: { greet: { output: { text: 'overridden' } } } },
    });
    expect(given.statusCode, given.body).toBe(200);
    expect(given.json().input.body.text).toBe('overridden');
    expect(sink.on('/from-run')).toHaveLength(3);
    expect((await testStep(t, flowId, 'notify', { runId: 'run_nope' })).statusCode).toBe(404);
  });

  it('answers a failing action’s error after one attempt, even with retries on the node', async () => {
    sink.script('/fail', () => ({ status: 500, body: 'down' }));
    const flowId = await create(
      definition({ body: { callback: `${sink.url}/fail` } }, { retry: { maxAttempts: 5, initialInterval: 'PT0.1S' } }),
    );
    const res = await testStep(t, flowId, 'notify');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ input: { url: `${sink.url}/fail` }, error: { code: 'HTTP_500' } });
    expect(res.json()).not.toHaveProperty('output');
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.on('/fail')).toHaveLength(1);
  });

  it('refuses a template that cannot be resolved with a 422 naming the field, sending nothing', async () => {
    const def = definition({ body: { callback: `${sink.url}/never` } });
    (def.nodes[1] as { input: Record<string, unknown> }).input.body = { n: { $logic: { nosuchop: [1] } } };
    const flowId = await create(def);
    const res = await testStep(t, flowId, 'notify');
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'step_input_invalid',
      issues: [{ path: '/nodes/1/input/body/n', code: 'template_error', nodeId: 'notify' }],
    });
    expect(sink.on('/never')).toHaveLength(0);
  });

  it('tests only action nodes that exist', async () => {
    const flowId = await create(definition({}));
    const set = await testStep(t, flowId, 'greet');
    expect(set.statusCode, set.body).toBe(422);
    expect(set.json().error).toMatchObject({ code: 'step_not_testable', issues: [{ path: '/nodes/0/type' }] });
    const unknown = await testStep(t, flowId, 'nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('step not found');
    const bad = await testStep(t, flowId, 'notify', { definition: { nodes: 'x' } });
    expect(bad.statusCode).toBe(400);
    const otherFlow = await testStep(t, 'flow_nope', 'notify');
    expect(otherFlow.statusCode).toBe(404);
  });

  it('is a 504 when no worker answers in time', async () => {
    // An app on a task queue of its own, which no worker polls.
    const lonely = await startTestApp();
    try {
      const res = await lonely.api({
        method: 'POST',
        url: '/api/flows',
        payload: {
          name: 'x',
          definition: definition({ body: { callback: `${sink.url}/lonely` } }, { timeout: 'PT1S' }),
        },
      });
      const r = await testStep(lonely, res.json().id, 'notify');
      expect(r.statusCode, r.body).toBe(504);
      expect(r.json().error.code).toBe('step_test_timeout');
      expect(r.json().error.message).toContain(lonely.taskQueue);
      expect(sink.on('/lonely')).toHaveLength(0);
    } finally {
      await lonely.close();
    }
  });

  it('is a 503 when Temporal is down', async () => {
    let dev: Awaited<ReturnType<typeof startTemporalDevServer>> | undefined = await startTemporalDevServer({
      port: await freePort(),
    });
    const down = await startTestApp({ temporalAddress: dev.address });
    try {
      const res = await down.api({
        method: 'POST',
        url: '/api/flows',
        payload: { name: 'x', definition: definition({}) },
      });
      await dev.stop();
      dev = undefined;
      const r = await testStep(down, res.json().id, 'notify');
      expect(r.statusCode, r.body).toBe(503);
      expect(r.json().error.code).toBe('temporal_unavailable');
    } finally {
      await down.close();
      await dev?.stop();
    }
  });
});
