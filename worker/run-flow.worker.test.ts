// runFlow with mocked activities (the Temporal samples' middle tier): the real workflow bundle on a real worker,
// stand-ins for the activities, no PostgreSQL. Covers what only the workflow decides: the sleep-and-again loop of a
// send that finds its channel account at the rate limit (RATE_LIMIT_WAIT), and how attempts are counted across it.
// On the dev server the test setup started (TestWorkflowEnvironment.createFromExistingServer): the time-skipping test
// server is a download, and this machine may have no network; the waits here are a fraction of a second anyway.
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDefinition } from '../connectors/flow/types.js';
import { temporalAddress, uniqueTaskQueue } from '../test/env.js';
import type { Activities, ExecuteStepInput, ExecuteStepResult, StepFailureDetails } from './activities.js';
import { bundleWorkflows } from './bundle.js';
import { RATE_LIMIT_WAIT, STEP_FAILED, stepsQuery, type RunFlowInput } from './contract.js';
import { runFlow } from './workflows/run-flow.js';

// Failed attempts are the point here (WARN); the assertions say what matters.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const taskQueue = uniqueTaskQueue('run-flow-mocked');
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
/** What the next executeStep call does, by call number (1-based); every call is recorded. */
let script: (call: number, req: ExecuteStepInput) => ExecuteStepResult;
const calls: { req: ExecuteStepInput; attempt: number }[] = [];
const waits: string[] = [];

const activities: Pick<Activities, 'executeStep' | 'registerWait' | 'clearWait'> = {
  async executeStep(req) {
    calls.push({ req, attempt: Context.current().info.attempt });
    return script(calls.length, req);
  },
  async registerWait(w) {
    waits.push(w.nodeId);
  },
  async clearWait() {},
};

/** A send refused at the account's rate limit, as channels.ts and toFailure throw it from the given attempt. */
const atRateLimit = (retryAfterMs: number) => {
  const attempt = Context.current().info.attempt;
  const details: StepFailureDetails = {
    attempt,
    kind: 'rate_limited',
    code: RATE_LIMIT_WAIT,
    details: { retryAfterMs },
  };
  return ApplicationFailure.create({
    message: `account at its rate limit; waiting ${retryAfterMs} ms`,
    type: RATE_LIMIT_WAIT,
    nonRetryable: true,
    details: [details],
  });
};

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: temporalAddress() });
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await bundleWorkflows(),
    activities,
  });
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await env?.teardown();
});

const input = (definition: FlowDefinition): RunFlowInput => ({
  workspaceId: 'ws_mocked',
  flowId: 'flw_mocked',
  version: 1,
  definition,
  trigger: { body: { to: '+15550100' } },
  startedAt: new Date().toISOString(),
});

const start = (definition: FlowDefinition) =>
  env.client.workflow.start(runFlow, { taskQueue, workflowId: `run_${randomUUID()}`, args: [input(definition)] });

describe('runFlow with mocked activities', () => {
  it('sleeps on RATE_LIMIT_WAIT and sends again; only attempts that tried to send count', async () => {
    calls.length = 0;
    // Attempt 1 fails (a retryable upstream error), attempt 2 finds the limit; after the sleep, a new activity finds
    // it again on its first attempt; after the second sleep, the send goes out on its first attempt.
    script = (call) => {
      if (call === 1) throw ApplicationFailure.create({ message: 'provider hiccup', type: 'upstream' });
      if (call === 2) throw atRateLimit(300);
      if (call === 3) throw atRateLimit(200);
      return { output: { sid: 'SM1' }, attempt: Context.current().info.attempt };
    };
    const handle = await start({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        {
          id: 'send',
          type: 'action',
          action: 'sms.send',
          input: { to: '{{ trigger.body.to }}', text: 'hi' },
          retry: { maxAttempts: 3, initialInterval: 'PT0.1S' },
        },
      ],
      edges: [{ from: 'trigger', to: 'send' }],
    });
    const result = await handle.result();

    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 1, 1]);
    expect(calls.every((c) => c.req.nodeId === 'send' && c.req.input.to === '+15550100')).toBe(true);
    expect(result.status).toBe('completed');
    // The attempt that failed upstream tried; the two that found the limit sent nothing; the last one sent.
    expect(result.steps).toEqual([
      expect.objectContaining({ nodeId: 'send', status: 'completed', output: { sid: 'SM1' }, attempts: 2 }),
    ]);
    // Each wait was a durable timer of the retry-after the failure carried.
    const timers = (await handle.fetchHistory()).events!.flatMap((e) =>
      e.timerStartedEventAttributes ? [e.timerStartedEventAttributes] : [],
    );
    expect(
      timers.map((t) => Number(t.startToFireTimeout!.seconds ?? 0) * 1000 + (t.startToFireTimeout!.nanos ?? 0) / 1e6),
    ).toEqual([300, 200]);
  }, 60_000);

  it('a send that never gets past the limit keeps sleeping without failing the step', async () => {
    calls.length = 0;
    script = (call) => {
      if (call <= 3) throw atRateLimit(100);
      return { output: { sid: 'SM2' }, attempt: Context.current().info.attempt };
    };
    const handle = await start({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      // maxAttempts 1: were a rate-limit wait an attempt, the first one would fail the run.
      nodes: [{ id: 'send', type: 'action', action: 'sms.send', input: { text: 'hi' }, retry: { maxAttempts: 1 } }],
      edges: [{ from: 'trigger', to: 'send' }],
    });
    const result = await handle.result();
    expect(calls).toHaveLength(4);
    expect(result.steps).toEqual([
      expect.objectContaining({ status: 'completed', output: { sid: 'SM2' }, attempts: 1 }),
    ]);
  }, 60_000);

  it('fails a wait that has no contact to wait for with WAIT_NO_CONTACT, registering nothing', async () => {
    waits.length = 0;
    const handle = await start({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [{ id: 'reply', type: 'wait', for: 'reply', timeout: 'PT1M' }],
      edges: [{ from: 'trigger', to: 'reply' }],
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: STEP_FAILED });
    const [step] = await handle.query(stepsQuery);
    expect(step).toMatchObject({ nodeId: 'reply', status: 'failed', error: { code: 'WAIT_NO_CONTACT' } });
    expect(waits).toEqual([]);
  }, 60_000);
});
