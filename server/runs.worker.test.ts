// Runs API against the real runFlow worker: the detail's steps come from the workflow (query / result), a failed run
// names its failed step, and test runs of the draft execute. One worker (one bundle) for the file.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import { testContacts } from '../test/contacts.js';
import { startSink } from '../test/sink.js';
import { eventually, startTestApp, type TestApp } from './test-app.js';
import { startTestWorker, type TestWorker } from './test-worker.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

let t: TestApp;
let worker: TestWorker;

beforeAll(async () => {
  t = await startTestApp();
  worker = await startTestWorker(t, { connectors: builtinConnectors({ http: { allowlist: ['127.0.0.1'] } }) });
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

async function publish(definition: object): Promise<{ flowId: string; hookUrl: string }> {
  const flow = (await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'e2e', definition } })).json();
  const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
  expect(res.statusCode, res.body).toBe(201);
  return { flowId: flow.id, hookUrl: new URL(res.json().webhookUrl).pathname };
}

async function settled(runId: string) {
  return eventually(async () => {
    const body = (await t.api({ method: 'GET', url: `/api/runs/${runId}` })).json();
    return body.status === 'running' || body.status === 'waiting' ? undefined : body;
  }, 30_000);
}

describe('runs with a worker', () => {
  it('shows a completed run with every step, and lists it as completed', async () => {
    const { flowId, hookUrl } = await publish({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        { id: 'vip', type: 'condition', rule: { '==': [{ var: 'trigger.body.tier' }, 'vip'] } },
        { id: 'save', type: 'action', action: 'contacts.upsert', input: { email: '{{ trigger.body.email }}' } },
        { id: 'greet', type: 'set', values: { hello: '{{ trigger.body.email }}' } },
      ],
      edges: [
        { from: 'trigger', to: 'vip' },
        { from: 'vip', to: 'save', branch: 'true' },
        { from: 'vip', to: 'greet', branch: 'false' },
      ],
    });
    const { runId } = (
      await t.app.inject({ method: 'POST', url: hookUrl, payload: { tier: 'vip', email: 'E2E@Example.com' } })
    ).json();
    const run = await settled(runId);
    expect(run).toMatchObject({ id: runId, flowId, version: 1, status: 'completed', closedAt: expect.any(String) });
    expect(run).not.toHaveProperty('error');
    const byId = Object.fromEntries(run.steps.map((s: { nodeId: string }) => [s.nodeId, s]));
    expect(byId.vip).toMatchObject({ status: 'completed', branch: 'true' });
    expect(byId.save).toMatchObject({ status: 'completed', output: { id: expect.any(String) } });
    expect(byId.greet).toMatchObject({ status: 'skipped' });

    // The stored contact is reachable through the contacts API by its (normalized) identity.
    const found = (await t.api({ method: 'GET', url: '/api/contacts?identity=email:e2e@example.com' })).json();
    expect(found.items.map((c: { id: string }) => c.id)).toEqual([byId.save.output.id]);

    const listed = await eventually(async () => {
      const items = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}&status=completed` })).json().items;
      return items.length > 0 ? items : undefined;
    });
    expect(listed).toEqual([expect.objectContaining({ id: runId, status: 'completed' })]);
  });

  it('shows a failed run with the failed step and its error', async () => {
    const { hookUrl } = await publish({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        {
          id: 'call',
          type: 'action',
          action: 'http.request',
          input: { method: 'GET', url: '{{ trigger.body.url }}' },
          retry: { maxAttempts: 1 },
        },
      ],
      edges: [{ from: 'trigger', to: 'call' }],
    });
    const { runId } = (
      await t.app.inject({ method: 'POST', url: hookUrl, payload: { url: 'http://127.0.0.1:1/nothing-listens' } })
    ).json();
    const run = await settled(runId);
    expect(run).toMatchObject({ status: 'failed', error: { failedStep: 'call', message: expect.any(String) } });
    expect(run.steps).toEqual([
      expect.objectContaining({
        nodeId: 'call',
        status: 'failed',
        error: expect.objectContaining({ message: expect.any(String) }),
      }),
    ]);
  });

  it('retries a failed run from the failed step, carrying over what already completed', async () => {
    const sink = await startSink();
    // The first call is refused for good; after the receiver is fixed, calls succeed.
    sink.script('/order', (_req, n) =>
      n === 1 ? { status: 400, body: 'not yet' } : { status: 200, body: '{"ok":1}' },
    );
    try {
      const { hookUrl } = await publish({
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [
          { id: 'save', type: 'action', action: 'contacts.upsert', input: { email: '{{ trigger.body.email }}' } },
          {
            id: 'call',
            type: 'action',
            action: 'http.request',
            input: { method: 'POST', url: `${sink.url}/order`, body: { contact: '{{ steps.save.output.id }}' } },
          },
        ],
        edges: [
          { from: 'trigger', to: 'save' },
          { from: 'save', to: 'call' },
        ],
      });
      const { runId } = (
        await t.app.inject({ method: 'POST', url: hookUrl, payload: { email: 'retry@example.com' } })
      ).json();
      const failed = await settled(runId);
      expect(failed).toMatchObject({ status: 'failed', error: { failedStep: 'call' } });
      const contactId = failed.steps[0].output.id;

      const res = await t.api({ method: 'POST', url: `/api/runs/${runId}/retry` });
      expect(res.statusCode, res.body).toBe(202);
      const retried = await settled(res.json().runId);
      expect(retried.status, JSON.stringify(retried)).toBe('completed');
      // `save` was not executed again (its state, output included, is the old run's); `call` ran with the new run's key.
      expect(retried.steps[0]).toEqual({ ...failed.steps[0], reusedFrom: runId });
      expect(retried.steps[1]).toMatchObject({ nodeId: 'call', status: 'completed', attempts: 1 });
      expect(sink.on('/order').map((r) => [r.headers['idempotency-key'], JSON.parse(r.body).contact])).toEqual([
        [`${runId}:call`, contactId],
        [`${res.json().runId}:call`, contactId],
      ]);
      // A completed run is not retried.
      expect((await t.api({ method: 'POST', url: `/api/runs/${res.json().runId}/retry` })).statusCode).toBe(409);
    } finally {
      await sink.close();
    }
  });

  it('runs the draft as a test run', async () => {
    const flow = (
      await t.api({
        method: 'POST',
        url: '/api/flows',
        payload: {
          name: 'draft',
          definition: {
            schemaVersion: 1,
            trigger: { type: 'webhook' },
            nodes: [{ id: 's', type: 'set', values: { v: '{{ trigger.body.v }}' } }],
            edges: [{ from: 'trigger', to: 's' }],
          },
        },
      })
    ).json();
    const { runId } = (
      await t.api({ method: 'POST', url: `/api/flows/${flow.id}/test`, payload: { trigger: { body: { v: 7 } } } })
    ).json();
    const run = await settled(runId);
    expect(run).toMatchObject({
      version: 0,
      status: 'completed',
      steps: [{ nodeId: 's', status: 'completed', output: { v: 7 } }],
    });
  });

  it("test-runs a channel flow on a sample message: its contactId is the run's contact, and a wait times out on it", async () => {
    const { contact } = await testContacts(t.prisma).upsert(t.workspaceId, {
      identities: [{ kind: 'phone', value: '+14155550199' }],
      name: 'Sam',
    });
    const definition = {
      schemaVersion: 1,
      trigger: { type: 'channel.message' },
      nodes: [
        { id: 'wait', type: 'wait', for: 'reply', timeout: 'PT1S' },
        { id: 'late', type: 'set', values: { who: '{{ contact.name }}', said: '{{ trigger.message.text }}' } },
      ],
      edges: [
        { from: 'trigger', to: 'wait' },
        { from: 'wait', to: 'late', branch: 'timeout' },
      ],
    };
    const flow = (
      await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'channel draft', definition } })
    ).json();
    const sample = {
      type: 'message.received',
      channel: 'sms',
      accountId: 'cha_x',
      contactId: contact.id,
      message: { id: 'msg_x', providerMessageId: 'SMx', text: 'hello', timestamp: '2026-11-29T10:00:00Z' },
    };
    const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/test`, payload: { trigger: sample } });
    expect(res.statusCode, res.body).toBe(202);
    const run = await settled(res.json().runId);
    expect(run.status).toBe('completed');
    expect(run.steps).toEqual([
      expect.objectContaining({
        nodeId: 'wait',
        status: 'completed',
        branch: 'timeout',
        input: { for: 'reply', contact: contact.id, timeout: 'PT1S' },
        output: { timedOut: true },
      }),
      expect.objectContaining({ nodeId: 'late', status: 'completed', output: { who: 'Sam', said: 'hello' } }),
    ]);
    expect(await t.prisma.runWait.count({ where: { runId: run.id } })).toBe(0);
  });

  it("test-runs a contact-event flow on a sample event as the relay hands it over, its contact the run's", async () => {
    const { contact } = await testContacts(t.prisma).upsert(t.workspaceId, {
      identities: [{ kind: 'phone', value: '+14155550198' }],
      name: 'Noor',
    });
    const definition = {
      schemaVersion: 1,
      trigger: { type: 'contact.created' },
      nodes: [{ id: 'hi', type: 'set', values: { who: '{{ contact.name }}', event: '{{ trigger.event }}' } }],
      edges: [{ from: 'trigger', to: 'hi' }],
    };
    const flow = (
      await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'contact draft', definition } })
    ).json();
    const sample = {
      event: 'contact.created',
      eventId: '1',
      contactId: contact.id,
      occurredAt: '2026-12-07T10:00:00Z',
    };
    const res = await t.api({ method: 'POST', url: `/api/flows/${flow.id}/test`, payload: { trigger: sample } });
    expect(res.statusCode, res.body).toBe(202);
    const run = await settled(res.json().runId);
    expect(run.trigger).toEqual(sample);
    expect(run.steps).toEqual([
      expect.objectContaining({ nodeId: 'hi', status: 'completed', output: { who: 'Noor', event: 'contact.created' } }),
    ]);
  });

  it('takes a switch branch, follows an action that fails for good into its error branch, and joins on the first', async () => {
    const sink = await startSink();
    sink.script('/fail', () => ({ status: 500, body: 'down' }));
    try {
      const rule = (tier: string) => ({ '==': [{ var: 'trigger.body.tier' }, tier] });
      // trigger → tier ─gold→ call ─→ notify ─┐          trigger → pause (2 s) ─┐
      //                       call ─error→ recover ─────┴→ done (join first) ←──┘
      //         tier ─case1→ silver ; tier ─default→ other
      const definition = {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [
          { id: 'tier', type: 'switch', cases: [{ id: 'gold', rule: rule('gold') }, { rule: rule('silver') }] },
          {
            id: 'call',
            type: 'action',
            action: 'http.request',
            input: { method: 'POST', url: `${sink.url}/fail` },
            retry: { maxAttempts: 2, initialInterval: 'PT0.1S' },
          },
          { id: 'notify', type: 'action', action: 'http.request', input: { method: 'POST', url: `${sink.url}/ok` } },
          {
            id: 'recover',
            type: 'set',
            values: { code: '{{ steps.call.output.error.code }}', tier: '{{ steps.tier.output }}' },
          },
          { id: 'pause', type: 'delay', duration: 'PT2S' },
          {
            id: 'done',
            type: 'action',
            action: 'http.request',
            join: 'first',
            input: { method: 'POST', url: `${sink.url}/done`, body: { tier: '{{ trigger.body.tier }}' } },
          },
          { id: 'silver', type: 'set', values: { v: 'silver' } },
          { id: 'other', type: 'set', values: { v: 'other' } },
        ],
        edges: [
          { from: 'trigger', to: 'tier' },
          { from: 'trigger', to: 'pause' },
          { from: 'tier', to: 'call', branch: 'gold' },
          { from: 'tier', to: 'silver', branch: 'case1' },
          { from: 'tier', to: 'other', branch: 'default' },
          { from: 'call', to: 'notify' },
          { from: 'call', to: 'recover', branch: 'error' },
          { from: 'notify', to: 'done' },
          { from: 'recover', to: 'done' },
          { from: 'pause', to: 'done' },
        ],
      };

      // Publish refuses a switch case with an empty rule (422, the issue on the node and its case).
      const bad = structuredClone(definition);
      (bad.nodes[0] as { cases: Array<{ rule: unknown }> }).cases[1]!.rule = {};
      const draft = (
        await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'bad', definition: bad } })
      ).json();
      const refused = await t.api({ method: 'POST', url: `/api/flows/${draft.id}/publish` });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().error.issues).toEqual([
        expect.objectContaining({ path: '/nodes/0/cases/1/rule', code: 'empty_rule' }),
      ]);

      const { hookUrl } = await publish(definition);
      const fire = async (tier: string) =>
        (await t.app.inject({ method: 'POST', url: hookUrl, payload: { tier } })).json().runId as string;
      const [goldId, silverId] = [await fire('gold'), await fire('silver')];
      const [gold, silver] = [await settled(goldId), await settled(silverId)];

      expect(gold.status).toBe('completed');
      expect(gold).not.toHaveProperty('error');
      const g = Object.fromEntries(gold.steps.map((x: { nodeId: string }) => [x.nodeId, x]));
      expect(g.tier).toMatchObject({ status: 'completed', branch: 'gold', output: 'gold', input: [true] });
      expect(g.call).toMatchObject({
        status: 'failed',
        branch: 'error',
        attempts: 2,
        error: { code: 'HTTP_500' },
        output: { error: { code: 'HTTP_500' } },
      });
      expect(g.notify.status).toBe('skipped');
      expect(g.recover).toMatchObject({ status: 'completed', output: { code: 'HTTP_500', tier: 'gold' } });
      expect(g.silver.status).toBe('skipped');
      expect(g.other.status).toBe('skipped');
      // join 'first': done started on recover while pause was still waiting, and did not start again after it.
      expect(g.done.status).toBe('completed');
      expect(g.pause.status).toBe('completed');
      expect(Date.parse(g.done.startedAt)).toBeLessThan(Date.parse(g.pause.finishedAt));
      expect(sink.on('/fail')).toHaveLength(2);
      expect(sink.on('/ok')).toHaveLength(0);

      // The second case has no id: its branch is case1. The join still runs once, here on pause.
      expect(silver.status).toBe('completed');
      const s = Object.fromEntries(silver.steps.map((x: { nodeId: string }) => [x.nodeId, x]));
      expect(s.tier).toMatchObject({ branch: 'case1', input: [false, true] });
      expect([s.silver.status, s.call.status, s.other.status, s.done.status]).toEqual([
        'completed',
        'skipped',
        'skipped',
        'completed',
      ]);
      expect(
        sink
          .on('/done')
          .map((r) => JSON.parse(r.body).tier)
          .sort(),
      ).toEqual(['gold', 'silver']);
    } finally {
      await sink.close();
    }
  });
});
