// The server↔worker seam (client.ts) on the test Temporal server: what each start's id policy makes of a repeat,
// and how a reply's send comes back (its result, `sending`, or SendFailedError), with executeStep stubbed.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalAddress, uniqueTaskQueue } from '../test/env.js';
import type { Activities, ExecuteStepInput, ExecuteStepResult } from './activities.js';
import { bundleWorkflows } from './bundle.js';
import { createWorkflowClient, SendFailedError } from './client.js';
import type { IngestInput, RunFlowInput, SendMessageInput } from './contract.js';
import { ingestIdFor, pollIdFor } from './ids.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

/** Starts only: nobody polls this queue, so what starts stays open. */
const idleQueue = uniqueTaskQueue('client-idle');
/** sendMessage runs here, on a worker whose executeStep does what `send` says. */
const sendQueue = uniqueTaskQueue('client-send');
let connection: Connection;
let client: Client;
let workerConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let send: (req: ExecuteStepInput) => Promise<ExecuteStepResult>;

beforeAll(async () => {
  connection = await Connection.connect({ address: temporalAddress() });
  client = new Client({ connection, namespace: 'default' });
  workerConnection = await NativeConnection.connect({ address: temporalAddress() });
  const activities: Pick<Activities, 'executeStep'> = { executeStep: (req) => send(req) };
  worker = await Worker.create({
    connection: workerConnection,
    namespace: 'default',
    taskQueue: sendQueue,
    workflowBundle: await bundleWorkflows(),
    activities,
  });
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await workerConnection?.close();
  await connection?.close();
});

const runInput = (flowId: string): RunFlowInput => ({
  workspaceId: 'ws_client',
  flowId,
  version: 1,
  definition: { schemaVersion: 1, trigger: { type: 'webhook' }, nodes: [], edges: [] },
  trigger: { body: {} },
  startedAt: new Date().toISOString(),
});

describe('createWorkflowClient', () => {
  it('startRun: one run per idempotency key (a repeat is replayed, same id); a new id without one', async () => {
    const wf = createWorkflowClient({ client, taskQueue: idleQueue });
    const flowId = `flw_${randomUUID()}`;
    const first = await wf.startRun(runInput(flowId), { idempotencyKey: 'k1' });
    const again = await wf.startRun(runInput(flowId), { idempotencyKey: 'k1' });
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ runId: first.runId, replayed: true });
    const other = await wf.startRun(runInput(flowId));
    expect(other.replayed).toBe(false);
    expect(other.runId).not.toBe(first.runId);
    const d = await client.workflow.getHandle(first.runId).describe();
    expect(d.type).toBe('runFlow');
    expect(d.taskQueue).toBe(idleQueue);
    await Promise.all([first.runId, other.runId].map((id) => client.workflow.getHandle(id).terminate()));
    // Closed counts too (REJECT_DUPLICATE): the key still names that run.
    expect(await wf.startRun(runInput(flowId), { idempotencyKey: 'k1' })).toEqual({
      runId: first.runId,
      replayed: true,
    });
  });

  it('startIngest: one ingest per (account, dedupe key), even after the first closed', async () => {
    const wf = createWorkflowClient({ client, taskQueue: idleQueue });
    const input: IngestInput = {
      workspaceId: 'ws_client',
      accountId: `cha_${randomUUID()}`,
      connector: 'sms',
      channel: 'sms',
      event: {
        type: 'message.status',
        dedupeKey: 'SM1:delivered',
        timestamp: new Date().toISOString(),
        providerMessageId: 'SM1',
        status: 'delivered',
      },
      receivedAt: new Date().toISOString(),
    };
    expect(await wf.startIngest(input)).toBe('started');
    expect(await wf.startIngest(input)).toBe('duplicate');
    const id = ingestIdFor(input.accountId, input.event.dedupeKey);
    expect((await client.workflow.getHandle(id).describe()).type).toBe('ingest');
    await client.workflow.getHandle(id).terminate();
    expect(await wf.startIngest(input)).toBe('duplicate');
  });

  it('ensurePolling: one loop per account; a second call leaves the running one alone', async () => {
    const wf = createWorkflowClient({ client, taskQueue: idleQueue });
    const accountId = `cha_${randomUUID()}`;
    await wf.ensurePolling(accountId);
    const first = await client.workflow.getHandle(pollIdFor(accountId)).describe();
    await wf.ensurePolling(accountId);
    const second = await client.workflow.getHandle(pollIdFor(accountId)).describe();
    expect(first.type).toBe('pollChannel');
    expect(second.runId).toBe(first.runId);
    await client.workflow.getHandle(pollIdFor(accountId)).terminate();
  });

  describe('sendAgentReply', () => {
    const reply = (): SendMessageInput => ({
      id: `snd_${randomUUID().replace(/-/g, '')}`,
      workspaceId: 'ws_client',
      contactId: 'con_1',
      text: 'Hello',
    });

    it('returns what the send returned once it went out', async () => {
      const wf = createWorkflowClient({ client, taskQueue: sendQueue });
      const seen: ExecuteStepInput[] = [];
      send = async (req) => (seen.push(req), { output: { messageId: 'msg_1' }, attempt: 1 });
      const input = reply();
      expect(await wf.sendAgentReply(input, { waitMs: 20_000 })).toEqual({
        output: { messageId: 'msg_1' },
        attempt: 1,
      });
      expect(seen).toEqual([
        expect.objectContaining({
          runId: input.id,
          action: 'conversations.reply',
          input: { contact: 'con_1', text: 'Hello' },
        }),
      ]);
    });

    it('says `sending` when the send takes longer than waitMs, and the send goes on', async () => {
      const wf = createWorkflowClient({ client, taskQueue: sendQueue });
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      send = async () => (await released, { output: { messageId: 'msg_2' }, attempt: 1 });
      const input = reply();
      expect(await wf.sendAgentReply(input, { waitMs: 300 })).toBe('sending');
      release();
      expect(await client.workflow.getHandle(input.id).result()).toEqual({
        output: { messageId: 'msg_2' },
        attempt: 1,
      });
    });

    it("throws SendFailedError with the send's failure type and message", async () => {
      const wf = createWorkflowClient({ client, taskQueue: sendQueue });
      send = async () => {
        throw ApplicationFailure.create({
          message: 'the contact opted out of sms',
          type: 'OPTED_OUT',
          nonRetryable: true,
        });
      };
      const err = await wf.sendAgentReply(reply(), { waitMs: 20_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SendFailedError);
      expect(err).toMatchObject({ code: 'OPTED_OUT', message: 'the contact opted out of sms' });
    });

    it('refuses a second start with the same id instead of running the send again', async () => {
      const wf = createWorkflowClient({ client, taskQueue: sendQueue });
      let sends = 0;
      send = async () => (sends++, { output: {}, attempt: 1 });
      const input = reply();
      await wf.sendAgentReply(input, { waitMs: 20_000 });
      await expect(wf.sendAgentReply(input, { waitMs: 20_000 })).rejects.toThrow(/already started/i);
      expect(sends).toBe(1);
    });
  });
});
