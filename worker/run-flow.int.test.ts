// runFlow end to end: the real Temporal dev server, a real worker, the real contacts store in PostgreSQL and a local
// HTTP endpoint standing in for the callback. One worker (one bundle) serves every test in this file.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import type { FlowDefinition, FlowNode, StepState } from '../connectors/flow/types.js';
import { createRegistry } from '../connectors/sdk/index.js';
import type { PrismaClient } from '../prisma/client.js';
import { createContactsService, findContactByIdentity } from '../prisma/contacts.js';
import { createWorkspace, temporalAddress, testPrisma, uniqueTaskQueue } from '../test/env.js';
import { SA_FLOW, SA_PHASE, STEP_FAILED, stepsQuery, type RunFailedDetails, type RunFlowInput } from './contract.js';
import { startSink, type Sink } from '../test/sink.js';
import { bundleWorkflows, createWorker } from './worker.js';
import { runFlow } from './workflows/run-flow.js';

// Failed attempts and runs are expected here (WARN); the assertions say what matters.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const taskQueue = uniqueTaskQueue('run-flow');
let prisma: PrismaClient;
let workspaceId: string;
let sink: Sink;
let client: Client;
let clientConnection: Connection;
let workerConnection: NativeConnection;
let worker: Worker;
let workerRun: Promise<void>;
let workflowBundle: { code: string };

beforeAll(async () => {
  prisma = testPrisma();
  workspaceId = await createWorkspace(prisma);
  sink = await startSink();
  clientConnection = await Connection.connect({ address: temporalAddress() });
  client = new Client({ connection: clientConnection, namespace: 'default' });
  workerConnection = await NativeConnection.connect({ address: temporalAddress() });
  // The built-ins, with the HTTP connector allowed to reach the local sink.
  const connectors = builtinConnectors({ http: { allowlist: ['127.0.0.1'] } });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  worker = await createWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue,
    deps: {
      registry: createRegistry(connectors),
      services: { contacts: createContactsService(prisma) },
      logger: silent,
    },
    workflowBundle: (workflowBundle = await bundleWorkflows()),
  });
  workerRun = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun;
  await workerConnection?.close();
  await clientConnection?.close();
  await sink?.close();
  await prisma?.$disconnect();
});

/** README.md's reference flow ("The flow definition"), with a 1 s pause. */
const referenceFlow = (): FlowDefinition => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    { id: 'vip', type: 'condition', rule: { '==': [{ var: 'trigger.body.tier' }, 'vip'] } },
    {
      id: 'save',
      type: 'action',
      action: 'contacts.upsert',
      input: { email: '{{ trigger.body.email }}', name: '{{ trigger.body.name }}' },
    },
    { id: 'pause', type: 'delay', duration: 'PT1S' },
    {
      id: 'notify',
      type: 'action',
      action: 'http.request',
      input: { method: 'POST', url: '{{ trigger.body.callback }}', body: { contact: '{{ steps.save.output.id }}' } },
    },
  ],
  edges: [
    { from: 'trigger', to: 'vip' },
    { from: 'vip', to: 'save', branch: 'true' },
    { from: 'save', to: 'pause' },
    { from: 'pause', to: 'notify' },
  ],
});

/** trigger → notify (POST to the callback) → each of `then`, in a chain. */
const callFlow = (notify: Partial<FlowNode> = {}, then: FlowNode[] = []): FlowDefinition => {
  const nodes = [
    {
      id: 'notify',
      type: 'action',
      action: 'http.request',
      input: { method: 'POST', url: '{{ trigger.body.callback }}' },
      ...notify,
    } as FlowNode,
    ...then,
  ];
  return {
    schemaVersion: 1,
    trigger: { type: 'webhook' },
    nodes,
    edges: nodes.map((n, i) => ({ from: i === 0 ? 'trigger' : nodes[i - 1]!.id, to: n.id })),
  };
};

async function start(definition: FlowDefinition, body: Record<string, unknown>, flowId = `flow_${randomUUID()}`) {
  const input: RunFlowInput = {
    workspaceId,
    flowId,
    version: 1,
    definition,
    trigger: { body: body as RunFlowInput['trigger'], headers: {}, query: {}, receivedAt: new Date().toISOString() },
    startedAt: new Date().toISOString(),
  };
  return client.workflow.start(runFlow, { taskQueue, workflowId: `run_${randomUUID()}`, args: [input] });
}

const steps = async (h: WorkflowHandle) =>
  Object.fromEntries((await h.query(stepsQuery)).map((s) => [s.nodeId, s])) as Record<string, StepState>;

/** The run's failure: asserts the workflow failed with STEP_FAILED, returns the failed step's id and the message. */
async function runFailure(h: WorkflowHandle<typeof runFlow>) {
  const err = await h.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const f = cause as ApplicationFailure;
  expect([f.type, f.nonRetryable]).toEqual([STEP_FAILED, true]);
  expect((await h.describe()).status.name).toBe('FAILED');
  return { failedStep: (f.details?.[0] as RunFailedDetails).failedStep, message: f.message };
}

/** The recorded history replays on the current code without a nondeterminism error. */
const replays = async (h: WorkflowHandle) =>
  Worker.runReplayHistory({ workflowBundle }, await h.fetchHistory(), h.workflowId);

async function eventually<T>(fn: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('runFlow', () => {
  it('runs the reference flow: contact saved, callback POSTed with the idempotency key, every step recorded', async () => {
    const flowId = `flow_${randomUUID()}`;
    const email = `vip-${randomUUID()}@example.com`;
    const h = await start(referenceFlow(), { tier: 'vip', email, name: 'Vera', callback: `${sink.url}/ref` }, flowId);
    const result = await h.result();
    expect(result.status).toBe('completed');

    const contact = await findContactByIdentity(prisma, workspaceId, 'email', email);
    expect(contact?.name).toBe('Vera');

    const [req, ...more] = sink.on('/ref');
    expect(more).toHaveLength(0);
    expect(req!.method).toBe('POST');
    expect(req!.headers['idempotency-key']).toBe(`${h.workflowId}:notify`);
    expect(JSON.parse(req!.body)).toEqual({ contact: contact!.id });

    const s = await steps(h);
    expect(Object.keys(s)).toEqual(['vip', 'save', 'pause', 'notify']);
    expect(s.vip).toMatchObject({ status: 'completed', input: true, branch: 'true' });
    expect(s.save).toMatchObject({
      status: 'completed',
      input: { email, name: 'Vera' },
      output: { id: contact!.id, created: true },
      attempts: 1,
    });
    expect(s.pause).toMatchObject({ status: 'completed' });
    expect(s.notify).toMatchObject({
      status: 'completed',
      input: { method: 'POST', url: `${sink.url}/ref`, body: { contact: contact!.id } },
      output: { status: 200, body: { ok: true } },
      attempts: 1,
    });
    for (const st of Object.values(s)) expect(st.finishedAt! >= st.startedAt!).toBe(true);
    expect(result.steps).toEqual(Object.values(s));

    // Visibility is eventually consistent.
    const found = await eventually(async () => {
      for await (const w of client.workflow.list({ query: `ConfluoFlowId="${flowId}"` })) return w;
      return undefined;
    }, 'the run in visibility');
    expect(found.workflowId).toBe(h.workflowId);
    expect(found.typedSearchAttributes.get(SA_FLOW)).toBe(flowId);

    await replays(h);
  });

  it('skips the true branch when the condition is false', async () => {
    const email = `basic-${randomUUID()}@example.com`;
    const h = await start(referenceFlow(), { tier: 'basic', email, callback: `${sink.url}/basic` });
    expect((await h.result()).status).toBe('completed');
    const s = await steps(h);
    expect(s.vip).toMatchObject({ status: 'completed', input: false, branch: 'false' });
    expect([s.save!.status, s.pause!.status, s.notify!.status]).toEqual(['skipped', 'skipped', 'skipped']);
    expect(await prisma.identity.count({ where: { workspaceId, value: email } })).toBe(0);
    expect(sink.on('/basic')).toHaveLength(0);
  });

  it('waits out Retry-After on 503s and sends the same idempotency key on every attempt', async () => {
    sink.script('/flaky', (_req, n) =>
      n <= 2 ? { status: 503, headers: { 'retry-after': '1' }, body: 'busy' } : { status: 200, body: '{"done":true}' },
    );
    const h = await start(callFlow(), { callback: `${sink.url}/flaky` });
    expect((await h.result()).status).toBe('completed');
    const s = await steps(h);
    expect(s.notify).toMatchObject({ status: 'completed', attempts: 3, output: { status: 200, body: { done: true } } });
    const keys = sink.on('/flaky').map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([`${h.workflowId}:notify`, `${h.workflowId}:notify`, `${h.workflowId}:notify`]);
  });

  it('runs a step of up to 30 s as a local activity and a longer one as a regular activity', async () => {
    const slow = { ...callFlow().nodes[0]!, id: 'slow', timeout: 'PT2M' } as FlowNode;
    const h = await start(callFlow({}, [slow]), { callback: `${sink.url}/kinds` });
    expect((await h.result()).status).toBe('completed');
    const events = (await h.fetchHistory()).events ?? [];
    const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityId ?? []);
    const markers = events.flatMap((e) => e.markerRecordedEventAttributes?.markerName ?? []);
    expect(scheduled).toEqual(['slow']);
    expect(markers.filter((m) => m === 'core_local_activity')).toHaveLength(1);
    expect(sink.on('/kinds').map((r) => r.headers['idempotency-key'])).toEqual([
      `${h.workflowId}:notify`,
      `${h.workflowId}:slow`,
    ]);
    expect(await steps(h)).toMatchObject({ notify: { attempts: 1 }, slow: { attempts: 1 } });
    await replays(h);
  });

  it('replays a run recorded before steps were local activities (its step a regular activity)', async () => {
    // Recorded from runFlow at 20114bd: trigger → notify (http.request, PT30S) → after (set).
    // Stored as the History protobuf (historyFromJSON trips over two copies of protobufjs in node_modules).
    const bytes = readFileSync(new URL('./fixtures/run-flow-regular-steps.history.bin', import.meta.url));
    const history = proto.temporal.api.history.v1.History.decode(bytes);
    expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes?.activityId === 'notify')).toBe(true);
    await Worker.runReplayHistory({ workflowBundle }, history, 'run_regular_steps_fixture');
  });

  it('fails the run on a 404 after one attempt, naming the step', async () => {
    sink.script('/missing', () => ({ status: 404, body: 'no such hook' }));
    const h = await start(callFlow({}, [{ id: 'after', type: 'set', values: { x: 1 } }]), {
      callback: `${sink.url}/missing`,
    });
    const { failedStep, message } = await runFailure(h);
    expect(failedStep).toBe('notify');
    expect(message).toMatch(/^Step "notify" failed: .*404.*no such hook/);
    const s = await steps(h);
    expect(s.notify).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'HTTP_404', retryable: false } });
    expect(s.after!.status).toBe('pending');
    expect(sink.on('/missing')).toHaveLength(1);
  });

  it('fails a step whose output exceeds 256 KiB with OUTPUT_TOO_LARGE', async () => {
    sink.script('/huge', () => ({ status: 200, body: JSON.stringify({ blob: 'x'.repeat(300 * 1024) }) }));
    const h = await start(callFlow(), { callback: `${sink.url}/huge` });
    expect((await runFailure(h)).failedStep).toBe('notify');
    const s = await steps(h);
    expect(s.notify).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'OUTPUT_TOO_LARGE' } });
    expect(s.notify!.error!.message).toContain('262144');
    expect(s.notify!.output).toBeUndefined();
  });

  it('fails a step over its value budget instead of wedging the run (a 900 KB body copied five times)', async () => {
    // Before budgets this failed the workflow task for ever: the run stayed running and could not be cancelled.
    const copies = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`copy${i}`, '{{ trigger.body }}']));
    const h = await start(
      {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [
          { id: 'copy', type: 'set', values: copies },
          { id: 'after', type: 'set', values: { ok: true } },
        ],
        edges: [
          { from: 'trigger', to: 'copy' },
          { from: 'copy', to: 'after' },
        ],
      },
      { blob: 'x'.repeat(900 * 1024) },
    );
    expect((await runFailure(h)).failedStep).toBe('copy');
    const s = await steps(h);
    expect(s.copy).toMatchObject({ status: 'failed', error: { code: 'BUDGET_EXCEEDED' } });
    expect(s.copy!.error!.message).toContain('step value budget of 262144 bytes');
    expect(s.copy!.output).toBeUndefined();
    expect(s.after!.status).not.toBe('completed');
  });

  it('fails a condition whose rule goes over the operation budget, naming it', async () => {
    const h = await start(
      {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [
          {
            id: 'heavy',
            type: 'condition',
            rule: { some: [{ var: 'trigger.body.items' }, { some: [{ var: '' }, { '==': [{ var: '' }, -1] }] }] },
          },
        ],
        edges: [{ from: 'trigger', to: 'heavy' }],
      },
      { items: Array.from({ length: 400 }, () => Array.from({ length: 400 }, (_, i) => i)) },
    );
    expect((await runFailure(h)).failedStep).toBe('heavy');
    expect((await steps(h)).heavy).toMatchObject({ status: 'failed', error: { code: 'BUDGET_EXCEEDED' } });
  });

  it("records the error and goes on with onError 'continue'", async () => {
    sink.script('/denied', () => ({ status: 403, body: 'nope' }));
    const next: FlowNode = { id: 'after', type: 'set', values: { code: '{{ steps.notify.output.error.code }}' } };
    const h = await start(callFlow({ onError: 'continue' } as Partial<FlowNode>, [next]), {
      callback: `${sink.url}/denied`,
    });
    expect((await h.result()).status).toBe('completed');
    const s = await steps(h);
    expect(s.notify).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'HTTP_403' },
      output: { error: { code: 'HTTP_403' } },
    });
    expect(s.after).toMatchObject({ status: 'completed', output: { code: 'HTTP_403' } });
  });

  it('stops a parallel branch when another step fails the run', async () => {
    sink.script('/gone', () => ({ status: 410 }));
    const def: FlowDefinition = {
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        { id: 'slow', type: 'delay', duration: 'PT1H' },
        { id: 'bad', type: 'action', action: 'http.request', input: { url: '{{ trigger.body.callback }}' } },
      ],
      edges: [
        { from: 'trigger', to: 'slow' },
        { from: 'trigger', to: 'bad' },
      ],
    };
    const h = await start(def, { callback: `${sink.url}/gone` });
    expect((await runFailure(h)).failedStep).toBe('bad');
    const s = await steps(h);
    expect(s.slow).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
    expect(s.bad).toMatchObject({ status: 'failed', error: { code: 'HTTP_410' } });
    await replays(h);
  });

  it("shows phase 'waiting' during a delay, and a cancelled run ends Cancelled", async () => {
    // trigger → pause (1 h) → later
    const waiting = await start(
      {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [
          { id: 'pause', type: 'delay', duration: 'PT1H' },
          { id: 'later', type: 'set', values: {} },
        ],
        edges: [
          { from: 'trigger', to: 'pause' },
          { from: 'pause', to: 'later' },
        ],
      },
      {},
    );
    await eventually(
      async () => ((await steps(waiting)).pause?.status === 'waiting' ? true : undefined),
      'the pause to start',
    );
    await eventually(
      async () => ((await waiting.describe()).typedSearchAttributes.get(SA_PHASE) === 'waiting' ? true : undefined),
      "phase 'waiting'",
    );
    await waiting.cancel();
    await expect(waiting.result()).rejects.toThrow();
    expect((await waiting.describe()).status.name).toBe('CANCELLED');
    expect((await steps(waiting)).later!.status).toBe('pending');
    await replays(waiting);
  });
});
