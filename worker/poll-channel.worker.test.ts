// pollChannel with mocked activities (the real workflow bundle on a real worker, on the dev server the test setup
// started; no PostgreSQL, no IMAP): what only the workflow decides. The cadence runs from poll start to poll start, and
// a poll's ingests start together, in one workflow task, so neither a slow poll nor a busy task queue stretches it.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { temporal } from '@temporalio/proto';
import { temporalAddress, uniqueTaskQueue } from '../test/env.js';
import { bundleWorkflows } from './bundle.js';
import type { IngestInput } from './contract.js';
import type { IngestActivities, PollOutcome } from './ingest-activities.js';
import { pollChannel } from './workflows/poll-channel.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const taskQueue = uniqueTaskQueue('poll-channel-mocked');
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
/** Per account: the outcomes of its polls in order (then `gone`), and how long each poll takes. */
const scripts = new Map<string, { outcomes: PollOutcome[]; pollMs: number; polls: number }>();

const statusEvent = (accountId: string, n: number): PollOutcome['events'][number] => ({
  workflowId: `ingest_${accountId}_${n}`,
  input: {
    workspaceId: 'ws_mocked',
    accountId,
    connector: 'email',
    channel: 'email',
    event: {
      type: 'message.status',
      dedupeKey: `s${n}`,
      timestamp: new Date().toISOString(),
      providerMessageId: `m${n}`,
      status: 'delivered',
    },
    receivedAt: new Date().toISOString(),
  } satisfies IngestInput,
});

const activities: Pick<IngestActivities, 'pollAccount' | 'saveCursor' | 'recordStatus'> = {
  async pollAccount({ accountId }) {
    const s = scripts.get(accountId)!;
    await delay(s.pollMs);
    return s.outcomes[s.polls++] ?? { gone: true, events: [], intervalMs: 0 };
  },
  async saveCursor() {},
  async recordStatus() {},
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

async function runLoop(outcomes: PollOutcome[], pollMs: number) {
  const accountId = `acct_${randomUUID().slice(0, 8)}`;
  const script = { outcomes, pollMs, polls: 0 };
  scripts.set(accountId, script);
  const handle = await env.client.workflow.start(pollChannel, {
    taskQueue,
    workflowId: `poll_${accountId}`,
    args: [{ accountId }],
  });
  await handle.result();
  const history: temporal.api.history.v1.IHistoryEvent[] = (await handle.fetchHistory()).events!;
  return { history, polls: script.polls };
}

const ms = (d: temporal.api.history.v1.ITimerStartedEventAttributes) =>
  Number(d.startToFireTimeout!.seconds ?? 0) * 1000 + (d.startToFireTimeout!.nanos ?? 0) / 1e6;

describe('pollChannel with mocked activities', () => {
  it("starts a poll's ingests in one workflow task and sleeps only what is left of the interval", async () => {
    const events = [1, 2, 3, 4, 5].map((n) => statusEvent('a', n));
    const { history } = await runLoop([{ events, intervalMs: 3_000, cursor: { uid: 5 } }], 400);
    // Polls are local activities: none waits in the shared activity task queue behind ingests and run steps.
    expect(history.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
    const starts = history.flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes ?? []);
    expect(starts.map((s) => s.workflowId)).toEqual(events.map((e) => e.workflowId));
    expect(new Set(starts.map((s) => String(s.workflowTaskCompletedEventId))).size).toBe(1);
    const timers = history.flatMap((e) => e.timerStartedEventAttributes ?? []);
    expect(timers).toHaveLength(1);
    // The poll itself took 400 ms of the 3 s: the timer is for the rest, not another 3 s.
    expect(ms(timers[0]!)).toBeLessThanOrEqual(2_600);
    expect(ms(timers[0]!)).toBeGreaterThan(0);
  }, 60_000);

  it('polls again at once when a poll took longer than the interval', async () => {
    const { history, polls } = await runLoop(
      [
        { events: [], intervalMs: 200 },
        { events: [], intervalMs: 200 },
      ],
      400,
    );
    expect(polls).toBe(3); // two outcomes, then `gone`
    expect(history.filter((e) => e.timerStartedEventAttributes)).toHaveLength(0);
  }, 60_000);
});
