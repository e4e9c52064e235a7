// Data functions in a real run (connectors/flow/functions): the real workflow bundle on a real worker against the
// dev server the test setup started, stand-in activities. A set node and a condition use several functions; the
// run's clock (`date.now`) is the workflow's deterministic time, recorded in the history, so a replay computes the
// same values. A function that fails at run time fails its step, naming the function and the argument.
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition, JsonValue } from '../connectors/flow/types.js';
import { temporalAddress, uniqueTaskQueue } from '../test/env.js';
import type { Activities, ExecuteStepInput } from './activities.js';
import { bundleWorkflows } from './bundle.js';
import { STEP_FAILED, stepsQuery, type RunFlowInput } from './contract.js';
import { runFlow } from './workflows/run-flow.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const taskQueue = uniqueTaskQueue('flow-functions');
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let workflowBundle: Awaited<ReturnType<typeof bundleWorkflows>>;
const sent: ExecuteStepInput[] = [];

const activities: Pick<Activities, 'executeStep' | 'registerWait' | 'clearWait'> = {
  async executeStep(req) {
    sent.push(req);
    return { output: { ok: true }, attempt: 1 };
  },
  async registerWait() {},
  async clearWait() {},
};

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: temporalAddress() });
  workflowBundle = await bundleWorkflows();
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle,
    activities,
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await env?.teardown();
});

const start = (definition: FlowDefinition, body: JsonValue) => {
  const input: RunFlowInput = {
    workspaceId: 'ws_functions',
    flowId: 'flw_functions',
    version: 1,
    definition,
    trigger: { body },
    startedAt: new Date().toISOString(),
  };
  return env.client.workflow.start(runFlow, { taskQueue, workflowId: `run_${randomUUID()}`, args: [input] });
};

const flow: FlowDefinition = {
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    {
      id: 'prep',
      type: 'set',
      values: {
        email: '{{ trigger.body.email | text.trim | text.lower }}',
        now: '{{ date.now }}',
        local: '{{ date.now | date.format: "yyyy-MM-dd HH:mm:ss", "Asia/Kolkata" }}',
        digest: '{{ trigger.body.email | text.trim | text.lower | hash.sha256 }}',
        domain: { $logic: { 'email.domain': [{ var: 'trigger.body.email' }] } },
        // The rest of the library in the sandbox too: Intl number formats, libphonenumber, HMAC, regular expressions.
        amount: { $logic: { 'number.format': [{ var: 'trigger.body.amount' }, 'de-DE'] } },
        phone: '{{ trigger.body.phone | phone.e164: "FR" }}',
        signature: '{{ trigger.body.email | hash.hmac: "secret" }}',
        order: '{{ trigger.body.text | text.match: "#(\\d+)" | list.last }}',
      },
    },
    {
      id: 'is_example',
      type: 'condition',
      rule: { '==': [{ 'email.domain': [{ var: 'steps.prep.output.email' }] }, 'example.com'] },
    },
    {
      id: 'notify',
      type: 'action',
      action: 'http.request',
      input: {
        url: 'https://hooks.invalid/x',
        body: { who: '{{ steps.prep.output.digest }}', at: '{{ steps.prep.output.local }}' },
      },
    },
  ],
  edges: [
    { from: 'trigger', to: 'prep' },
    { from: 'prep', to: 'is_example' },
    { from: 'is_example', to: 'notify', branch: 'true' },
  ],
};

describe('data functions in a run', () => {
  it('computes values in a set node and a condition, from the run clock, the same on replay', async () => {
    sent.length = 0;
    const handle = await start(flow, {
      email: '  Ada.Lovelace@Example.COM ',
      amount: 1234.5,
      phone: '06 12 34 56 78',
      text: 'About order #4521, please',
    });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const prep = result.steps.find((s) => s.nodeId === 'prep')!;
    const out = prep.output as Record<string, string>;
    expect(out.email).toBe('ada.lovelace@example.com');
    expect(out.domain).toBe('example.com');
    expect(out).toMatchObject({ amount: '1.234,5', phone: '+33612345678', order: '4521' });
    expect(out.signature).toBe(createHmac('sha256', 'secret').update('  Ada.Lovelace@Example.COM ').digest('hex'));
    expect(out.digest).toBe(createHash('sha256').update('ada.lovelace@example.com').digest('hex'));
    // date.now is the workflow's clock: the time of the workflow task that ran the step, as the history records it.
    const history = await handle.fetchHistory();
    const taskTimes = history
      .events!.filter((e) => e.workflowTaskStartedEventAttributes)
      .map((e) => {
        const t = e.eventTime!;
        return Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
      });
    expect(taskTimes).toContain(Date.parse(out.now!));
    // Swedish dates read as ISO (2026-03-29 16:00:00): an oracle outside the sandbox.
    const kolkata = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Kolkata',
      dateStyle: 'short',
      timeStyle: 'medium',
    }).format(Date.parse(out.now!));
    expect(out.local).toBe(kolkata);
    // The condition took the true branch; the action got the function-made values.
    expect(result.steps.find((s) => s.nodeId === 'is_example')).toMatchObject({ status: 'completed', branch: 'true' });
    expect(sent.map((r) => r.input)).toEqual([
      { url: 'https://hooks.invalid/x', body: { who: out.digest, at: out.local } },
    ]);
    // Replaying the history runs the same code from the same recorded clock: no nondeterminism.
    await expect(Worker.runReplayHistory({ workflowBundle }, history, handle.workflowId)).resolves.toBeUndefined();
  }, 60_000);

  it('a function that fails at run time fails its step with FUNCTION_ERROR, naming the function and argument', async () => {
    const handle = await start(
      {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [{ id: 'prep', type: 'set', values: { email: '{{ trigger.body.email | text.lower }}' } }],
        edges: [{ from: 'trigger', to: 'prep' }],
      },
      { name: 'no email here' },
    );
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: STEP_FAILED });
    const [step] = await handle.query(stepsQuery);
    expect(step).toMatchObject({
      nodeId: 'prep',
      status: 'failed',
      error: { code: 'FUNCTION_ERROR', message: 'text.lower: argument 1 (text) must be a string, got null' },
    });
  }, 60_000);
});
