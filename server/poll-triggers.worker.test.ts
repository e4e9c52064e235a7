// Poll triggers end to end on the real Temporal dev server, PostgreSQL and a real worker: a local feed server serves a
// JSON list to `http.poll`. Publish creates the flow's poll Schedule (interval, overlap skip, pollTrigger with the
// version), a poll (ScheduleHandle.trigger, so no wait for the clock) after the baseline starts one run per new item and
// none for an item seen before; a poll that dies after starting its runs and before its commit (the commit activity
// failing for good, as a crash there would leave it) starts no run twice on the next poll and misses none; a worker
// stopped and started again misses none either; a failing source shows on the flow; a new version updates the
// schedule, another trigger or deleting the flow deletes it; a bad source, interval or input is a 422 that leaves
// Temporal untouched; and HubSpot's `hubspot.newDeal` runs once per deal made in the HubSpot fake.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotFake, type HubSpotFake } from '../connectors/testkit/index.js';
import { createFlowPollStore, pollSourceKey } from '../prisma/flow-polls.js';
import { SA_FLOW } from '../worker/contract.js';
import { runIdFor } from '../worker/ids.js';
import { pollScheduleIdFor, POLL_CATCHUP_WINDOW } from '../worker/poll-schedules.js';
import { pollRunKey } from '../worker/poll-trigger.js';
import type { PollTriggerResult } from '../worker/workflows/poll-trigger.js';
import { eventually, flowOf, scheduledFlows, startTestApp, type TestApp } from './test-app.js';
import { startTestWorker, type TestWorker } from './test-worker.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const secretKey = randomBytes(32);
let t: TestApp;
let worker: TestWorker | undefined;
/** While set, the commit of a poll fails for good: a poll that dies between starting its runs and saving the cursor. */
let failCommits = false;

// The feed: `GET /feed/<name>` answers `{ data: { items } }`, newest first; `status` makes it fail.
let feed: Server;
let feedUrl: string;
const feeds = new Map<string, { items: Array<{ id: number | string; title: string }>; status: number }>();

const startWorker = () =>
  startTestWorker(t, {
    secretKey,
    activities: (real) => ({
      async commitPoll(c) {
        if (failCommits) throw ApplicationFailure.nonRetryable('the worker died before the commit', 'TEST_CRASH');
        return real.commitPoll(c);
      },
    }),
  });

beforeAll(async () => {
  feed = createServer((req, res) => {
    const f = feeds.get((req.url ?? '').replace(/^\/feed\//, ''));
    if (!f) return void res.writeHead(404).end();
    if (f.status !== 200) return void res.writeHead(f.status, { 'content-type': 'application/json' }).end('{}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { items: f.items } }));
  });
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed`;
  t = await startTestApp({ secretKey });
  worker = await startWorker();
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await new Promise((resolve) => feed?.close(resolve));
});

const feedOf = (name: string, ids: Array<number | string>) =>
  feeds.set(name, { items: ids.map((id) => ({ id, title: `item ${id}` })).reverse(), status: 200 });

const pollTrigger = (name: string, extra: object = {}) => ({
  type: 'poll',
  source: 'http.poll',
  input: { url: `${feedUrl}/${name}`, itemsPath: 'data.items', key: 'id' },
  // An hour: the schedule's own ticks stay out of the test's polls (a PT1M one fired mid-test and polled on its own).
  every: 'PT1H',
  ...extra,
});

const definition = (trigger: object) =>
  flowOf(
    [{ id: 'note', type: 'set', values: { key: '{{ trigger.key }}', title: '{{ trigger.item.title }}' } }],
    [{ from: 'trigger', to: 'note' }],
    trigger,
  );
const { createFlow, setDraft, publish, handleOf, gone } = scheduledFlows(() => t, {
  name: 'poll',
  definition,
  scheduleId: pollScheduleIdFor,
});

/** One poll through the flow's schedule (its own overlap policy), awaited: the poll workflow's result. */
async function pollOnce(flowId: string): Promise<PollTriggerResult> {
  const earlier = new Set(
    (await handleOf(flowId).describe()).info.recentActions.map((a) => a.action.workflow.workflowId),
  );
  // Temporal names a triggered poll by its second: two in one second would be one.
  await new Promise((r) => setTimeout(r, 1100));
  await handleOf(flowId).trigger();
  // The new poll's workflow: one the schedule's recent actions did not list before (the count can move first).
  const workflowId = await eventually(async () => {
    const info = (await handleOf(flowId).describe()).info;
    return info.recentActions.map((a) => a.action.workflow.workflowId).find((id) => !earlier.has(id));
  });
  return t.client.workflow.getHandle(workflowId).result();
}

/** The ids of every run of the flow Temporal has (visibility catches up; `want` of them, then no more). */
async function runsOf(flowId: string, want: number): Promise<string[]> {
  const list = async () => {
    const ids: string[] = [];
    for await (const w of t.client.workflow.list({ query: `${SA_FLOW.name} = "${flowId}"` })) ids.push(w.workflowId);
    return ids.sort();
  };
  const ids = await eventually(async () => {
    const now = await list();
    return now.length >= want ? now : undefined;
  }, 30_000);
  expect(ids).toHaveLength(want);
  return ids;
}

const runIdOf = (flowId: string, trigger: object, key: string) =>
  runIdFor(flowId, pollRunKey(pollSourceKey(trigger as Parameters<typeof pollSourceKey>[0]), key));

const completedRun = (runId: string) =>
  eventually(async () => {
    const body = (await t.api({ method: 'GET', url: `/api/runs/${runId}` })).json();
    return body.status === 'completed' || body.status === 'failed' ? body : undefined;
  }, 30_000);

describe('http.poll', () => {
  it('publish creates the poll schedule; after the baseline each new item starts one run, a seen one none', async () => {
    feedOf('a', [1, 2]);
    const trigger = pollTrigger('a');
    const flowId = await createFlow(trigger);
    const published = await publish(flowId);
    expect(published.statusCode, published.body).toBe(201);

    const d = await handleOf(flowId).describe();
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
    expect(d.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 60_000 });
    expect(POLL_CATCHUP_WINDOW).toBe('1 minute');
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'pollTrigger', taskQueue: t.taskQueue });
    expect(d.action.args?.[0]).toMatchObject({ workspaceId: t.workspaceId, flowId, version: 1 });

    // The first poll only takes the baseline: items 1 and 2 were there before the flow.
    expect(await pollOnce(flowId)).toEqual({ outcome: 'baseline', started: [], duplicates: 0 });
    feedOf('a', [1, 2, 3, 4]);
    const second = await pollOnce(flowId);
    expect(second).toEqual({
      outcome: 'runs',
      started: [runIdOf(flowId, trigger, '3'), runIdOf(flowId, trigger, '4')],
      duplicates: 0,
    });
    const run = await completedRun(second.started[0]!);
    expect(run).toMatchObject({ flowId, version: 1, status: 'completed' });
    expect(run.trigger).toMatchObject({
      type: 'poll',
      source: 'http.poll',
      key: '3',
      item: { id: 3, title: 'item 3' },
    });
    expect(typeof run.trigger.polledAt).toBe('string');
    expect(run.steps[0]).toMatchObject({ nodeId: 'note', output: { key: '3', title: 'item 3' } });

    // The same list again, and item 3 changed under the same key: nothing new.
    feeds.get('a')!.items.find((i) => i.id === 3)!.title = 'edited';
    expect(await pollOnce(flowId)).toEqual({ outcome: 'runs', started: [], duplicates: 0 });
    feedOf('a', [1, 2, 3, 4, 5]);
    expect((await pollOnce(flowId)).started).toEqual([runIdOf(flowId, trigger, '5')]);
    expect(await runsOf(flowId, 3)).toEqual(['3', '4', '5'].map((k) => runIdOf(flowId, trigger, k)).sort());

    const flow = (await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json();
    expect(flow.poll).toMatchObject({
      state: 'active',
      source: 'http.poll',
      every: 'PT1H',
      lastError: null,
      failures: 0,
      runsStarted: 3,
    });
    expect(Date.parse(flow.poll.lastPolledAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(flow.poll.nextPollAt)).toBeGreaterThan(Date.now() - 1000);
  });

  it("a test run of the draft gets a poll item's trigger from the sample", async () => {
    feedOf('t', []);
    const flowId = await createFlow({ ...pollTrigger('t'), sample: { key: 'k9', item: { id: 9, title: 'sampled' } } });
    const res = await t.api({ method: 'POST', url: `/api/flows/${flowId}/test` });
    expect(res.statusCode, res.body).toBe(202);
    const run = await completedRun(res.json().runId);
    expect(run.trigger).toMatchObject({ type: 'poll', source: 'http.poll', key: 'k9', item: { id: 9 } });
    expect(run.steps[0].output).toEqual({ key: 'k9', title: 'sampled' });
  });

  it('firstPoll "run" starts a run for every item of the first poll', async () => {
    feedOf('b', ['x', 'y']);
    const trigger = pollTrigger('b', { firstPoll: 'run' });
    const flowId = await createFlow(trigger);
    expect((await publish(flowId)).statusCode).toBe(201);
    expect((await pollOnce(flowId)).started).toEqual([runIdOf(flowId, trigger, 'x'), runIdOf(flowId, trigger, 'y')]);
    expect((await pollOnce(flowId)).started).toEqual([]);
    await runsOf(flowId, 2);
  });

  it('a poll that dies after starting its runs, before its commit, starts none twice and misses none', async () => {
    feedOf('c', [1]);
    const trigger = pollTrigger('c');
    const flowId = await createFlow(trigger);
    expect((await publish(flowId)).statusCode).toBe(201);
    await pollOnce(flowId); // baseline
    feedOf('c', [1, 2, 3]);
    failCommits = true;
    try {
      await expect(pollOnce(flowId)).rejects.toThrow();
    } finally {
      failCommits = false;
    }
    // Its runs exist; the cursor and the seen keys were not saved.
    await runsOf(flowId, 2);
    const store = createFlowPollStore(t.prisma);
    expect((await store.seenKeys(flowId, pollSourceKey(trigger as never))).map((s) => s.key)).toEqual(['1']);

    feedOf('c', [1, 2, 3, 4]);
    const again = await pollOnce(flowId);
    expect(again).toEqual({ outcome: 'runs', started: [runIdOf(flowId, trigger, '4')], duplicates: 2 });
    expect(await runsOf(flowId, 3)).toEqual(['2', '3', '4'].map((k) => runIdOf(flowId, trigger, k)).sort());
    expect(await store.seenKeys(flowId, pollSourceKey(trigger as never))).toEqual([
      { key: '1', runId: null },
      ...['2', '3', '4'].map((k) => ({ key: k, runId: runIdOf(flowId, trigger, k) })),
    ]);
  });

  it('a worker stopped and started again: the poll waits for it and misses nothing', async () => {
    feedOf('d', [1]);
    const trigger = pollTrigger('d');
    const flowId = await createFlow(trigger);
    expect((await publish(flowId)).statusCode).toBe(201);
    await pollOnce(flowId);
    await worker!.stop();
    worker = undefined;
    feedOf('d', [1, 2]);
    const polled = pollOnce(flowId);
    await new Promise((r) => setTimeout(r, 3000));
    worker = await startWorker();
    expect((await polled).started).toEqual([runIdOf(flowId, trigger, '2')]);
    expect((await completedRun(runIdOf(flowId, trigger, '2'))).status).toBe('completed');
    expect((await pollOnce(flowId)).started).toEqual([]);
    await runsOf(flowId, 1);
  });

  it('a source failing again and again shows on the flow; a poll that works again clears it', async () => {
    feedOf('e', [1]);
    const flowId = await createFlow(pollTrigger('e'));
    expect((await publish(flowId)).statusCode).toBe(201);
    await pollOnce(flowId);
    feeds.get('e')!.status = 503;
    for (let i = 0; i < 3; i++) expect((await pollOnce(flowId)).outcome).toBe('failed');
    let poll = (await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json().poll;
    expect(poll).toMatchObject({ state: 'failing', failures: 3, lastError: { code: 'HTTP_503' } });
    expect(poll.lastError.message).toMatch(/503/);
    feedOf('e', [1, 2]);
    expect((await pollOnce(flowId)).started).toHaveLength(1);
    poll = (await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json().poll;
    expect(poll).toMatchObject({ state: 'active', failures: 0, lastError: null, runsStarted: 1 });
  });
});

describe('poll schedules with the published version', () => {
  it('a new version updates the schedule, another trigger or deleting the flow deletes it', async () => {
    feedOf('f', [1]);
    const flowId = await createFlow(pollTrigger('f'));
    expect((await publish(flowId)).statusCode).toBe(201);
    await setDraft(flowId, pollTrigger('f', { every: 'PT5M' }));
    expect((await publish(flowId)).statusCode).toBe(201);
    let d = await handleOf(flowId).describe();
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([300_000]);
    expect(d.action.args?.[0]).toMatchObject({ version: 2, definition: { trigger: { every: 'PT5M' } } });

    // Paused through the API, the pause kept across a publish, resumed.
    const paused = await t.api({ method: 'POST', url: `/api/flows/${flowId}/poll/pause` });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ state: 'paused', nextPollAt: null });
    expect((await handleOf(flowId).describe()).state.paused).toBe(true);
    await setDraft(flowId, pollTrigger('f', { every: 'PT10M' }));
    expect((await publish(flowId)).statusCode).toBe(201);
    expect((await handleOf(flowId).describe()).state.paused).toBe(true);
    expect((await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json().poll.state).toBe('paused');
    const resumed = await t.api({ method: 'POST', url: `/api/flows/${flowId}/poll/resume` });
    expect(resumed.json()).toMatchObject({ state: 'active', every: 'PT10M' });
    expect((await handleOf(flowId).describe()).state.paused).toBe(false);

    await setDraft(flowId, { type: 'webhook' });
    expect((await publish(flowId)).statusCode).toBe(201);
    await gone(flowId);
    expect((await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json()).not.toHaveProperty('poll');
    const notPolling = await t.api({ method: 'POST', url: `/api/flows/${flowId}/poll/pause` });
    expect(notPolling.statusCode).toBe(409);
    expect(notPolling.json().error).toMatchObject({ code: 'not_polling', issues: [{ path: '/trigger/type' }] });

    await setDraft(flowId, pollTrigger('f'));
    expect((await publish(flowId)).statusCode).toBe(201);
    d = await handleOf(flowId).describe();
    expect(d.action.args?.[0]).toMatchObject({ version: 5 });
    expect((await t.api({ method: 'DELETE', url: `/api/flows/${flowId}` })).statusCode).toBe(204);
    await gone(flowId);
    expect(await t.prisma.flowPollState.count({ where: { flowId } })).toBe(0);
  });

  it('an unknown source, a short interval or a bad input is a 422 on its field; Temporal is left as it was', async () => {
    const flowId = await createFlow({ type: 'poll', source: 'http.nope', every: 'PT10S' });
    const res = await publish(flowId);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues.map((i: { path: string; code: string }) => [i.path, i.code])).toEqual([
      ['/trigger/every', 'invalid_interval'],
      ['/trigger/source', 'unknown_source'],
    ]);
    await gone(flowId);
    await setDraft(flowId, {
      type: 'poll',
      source: 'http.poll',
      every: 'PT1M',
      input: { url: '{{ trigger.body.url }}', itemz: 'x' },
    });
    const bad = await publish(flowId);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.issues.map((i: { path: string; code: string }) => [i.path, i.code])).toEqual([
      ['/trigger/input/url', 'poll_template'],
      ['/trigger/input/itemz', 'poll_input'],
    ]);
    await gone(flowId);
    // A connector source's account (hubspot.newDeal's `input.account`) must be one of the workspace's.
    await setDraft(flowId, { type: 'poll', source: 'hubspot.newDeal', every: 'PT1M', input: { account: 'acc_nope' } });
    const noAccount = await publish(flowId);
    expect(noAccount.statusCode).toBe(422);
    expect(noAccount.json().error.issues).toMatchObject([{ path: '/trigger/input/account', code: 'unknown_account' }]);
    await gone(flowId);
    expect((await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json()).toMatchObject({ latestVersion: 0 });
  });
});

describe('hubspot.newDeal', () => {
  let hs: HubSpotFake;
  const token = 'pat-na1-poll-trigger-token';
  beforeAll(async () => {
    hs = await startHubSpotFake({ accessToken: token, rateLimit: false, searchPerSecond: false });
  });
  afterAll(() => hs?.close());

  const createDeal = async (name: string) => {
    const res = await fetch(`${hs.url}/crm/v3/objects/deals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { dealname: name, dealstage: 'appointmentscheduled', pipeline: 'default' } }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  it('starts one run per deal created after the baseline, through the HubSpot fake', async () => {
    await createDeal('Before the flow');
    const account = await t.api({
      method: 'POST',
      url: '/api/channel-accounts',
      payload: {
        connector: 'hubspot',
        name: 'HubSpot',
        credentials: { accessToken: token },
        settings: { apiBaseUrl: hs.url },
      },
    });
    expect(account.statusCode, account.body).toBe(201);
    const trigger = { type: 'poll', source: 'hubspot.newDeal', input: { account: account.json().id }, every: 'PT1H' };
    const res = await t.api({
      method: 'POST',
      url: '/api/flows',
      payload: {
        name: 'new deals',
        definition: {
          schemaVersion: 1,
          trigger,
          nodes: [{ id: 'note', type: 'set', values: { deal: '{{ trigger.item.properties.dealname }}' } }],
          edges: [{ from: 'trigger', to: 'note' }],
        },
      },
    });
    const flowId: string = res.json().id;
    expect((await publish(flowId)).statusCode).toBe(201);
    expect((await pollOnce(flowId)).outcome).toBe('baseline');

    const first = await createDeal('Acme renewal');
    const second = await createDeal('Globex upsell');
    const polled = await pollOnce(flowId);
    expect(polled.started).toEqual([runIdOf(flowId, trigger, first), runIdOf(flowId, trigger, second)]);
    const run = await completedRun(polled.started[0]!);
    expect(run.trigger).toMatchObject({ source: 'hubspot.newDeal', key: first, item: { id: first } });
    expect(run.steps[0].output).toEqual({ deal: 'Acme renewal' });
    // The search's cursor is the newest createdate (GTE): the last deal comes again, and starts nothing.
    expect(await pollOnce(flowId)).toEqual({ outcome: 'runs', started: [], duplicates: 0 });
    expect(hs.violations).toEqual([]);
    const searches = hs.requests.filter((r) => r.path === '/crm/v3/objects/deals/search');
    expect(searches.length).toBeGreaterThanOrEqual(3);
    await runsOf(flowId, 2);
  });
});
