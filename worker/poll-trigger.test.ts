// The poll activities over the real PostgreSQL (MockActivityEnvironment for the activity context; no Temporal needed):
// the baseline, the budget (100 runs, the rest next poll with the cursor kept), an item too large to run, the same key
// twice in one answer, run ids derived from the flow, source configuration and key, and a failing or unknown source
// recorded on the poll state (never thrown).
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollTrigger } from '../connectors/flow/types.js';
import { ConnectorError, createRegistry, defineConnector, definePollTrigger, Type } from '../connectors/sdk/index.js';
import type { PollItem } from '../connectors/sdk/types.js';
import type { PrismaClient } from '../prisma/client.js';
import { createFlowPollStore, pollSourceKey } from '../prisma/flow-polls.js';
import { createFlowStore } from '../prisma/flows.js';
import { createWorkspace, testPrisma } from '../test/env.js';
import { runIdFor } from './ids.js';
import { createPollActivities, pollRunKey, type PollSourceOutcome } from './poll-trigger.js';

let prisma: PrismaClient;
let workspaceId: string;
/** What the test source answers next (items, or an error to throw). */
let answer: { items: PollItem[]; cursor: unknown } | Error = { items: [], cursor: null };
const cursors: unknown[] = [];

const source = definePollTrigger({
  id: 'items',
  name: 'Items',
  description: 'Whatever the test says',
  input: Type.Object({ feed: Type.String() }, { additionalProperties: false }),
  output: Type.Unknown(),
  async poll(_ctx, cursor) {
    cursors.push(cursor);
    if (answer instanceof Error) throw answer;
    return answer as { items: PollItem[]; cursor: null };
  },
});
const registry = createRegistry([
  defineConnector({ id: 'test', name: 'Test', version: '1', actions: [], triggers: [source] }),
]);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  prisma = testPrisma();
  workspaceId = await createWorkspace(prisma);
});
afterAll(() => prisma?.$disconnect());

async function setUp(trigger: Partial<PollTrigger> = {}) {
  const flow = await createFlowStore(prisma).createDraft(workspaceId, {
    name: 'poll',
    definition: { schemaVersion: 1, trigger: { type: 'webhook' }, nodes: [], edges: [] },
  });
  const t: PollTrigger = { type: 'poll', source: 'test.items', input: { feed: 'a' }, every: 'PT1M', ...trigger };
  const store = createFlowPollStore(prisma);
  const acts = createPollActivities({ registry, services: {} as never, logger: quiet, polls: store });
  const env = () =>
    new MockActivityEnvironment({ attempt: 1, startToCloseTimeoutMs: 60_000 }, { logger: new DefaultLogger('ERROR') });
  const poll = () =>
    env().run(acts.pollSource, { workspaceId, flowId: flow.id, version: 1, trigger: t }) as Promise<PollSourceOutcome>;
  /** What the workflow commits once the runs exist. */
  const commit = (o: PollSourceOutcome) => {
    if (o.kind !== 'runs') throw new Error(`no runs: ${o.kind}`);
    return env().run(acts.commitPoll, {
      flowId: flow.id,
      sourceKey: o.sourceKey,
      ...(o.cursor !== undefined && { cursor: o.cursor }),
      seen: [...o.runs.map((r) => ({ key: r.key, runId: r.runId })), ...o.skipped.map((key) => ({ key, runId: null }))],
      runsStarted: o.runs.length,
      ...(o.warning && { warning: o.warning }),
    });
  };
  return { flowId: flow.id, sourceKey: pollSourceKey(t), store, poll, commit };
}

const items = (from: number, to: number): PollItem[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ key: `k${from + i}`, data: { n: from + i } }));

describe('pollSource and commitPoll', () => {
  it('takes the baseline, then runs the new items within the budget, the rest next poll', async () => {
    const p = await setUp();
    answer = { items: items(1, 3), cursor: { page: 1 } };
    expect(await p.poll()).toEqual({ kind: 'baseline', seen: 3 });
    expect(await p.store.load(p.flowId, p.sourceKey)).toEqual({ first: false, cursor: { page: 1 } });

    answer = { items: items(1, 253), cursor: { page: 2 } };
    const first = await p.poll();
    expect(cursors.at(-1)).toEqual({ page: 1 });
    if (first.kind !== 'runs') throw new Error(first.kind);
    expect(first.runs).toHaveLength(100);
    expect(first.runs[0]).toEqual({
      key: 'k4',
      runId: runIdFor(p.flowId, pollRunKey(p.sourceKey, 'k4')),
      trigger: { type: 'poll', source: 'test.items', key: 'k4', item: { n: 4 }, polledAt: expect.any(String) },
    });
    // New items were left over: the cursor is not moved past them.
    expect(first).not.toHaveProperty('cursor');
    await p.commit(first);
    expect((await p.store.load(p.flowId, p.sourceKey)).cursor).toEqual({ page: 1 });

    const second = await p.poll();
    if (second.kind !== 'runs') throw new Error(second.kind);
    expect(second.runs.map((r) => r.key)).toEqual(items(104, 203).map((i) => i.key));
    await p.commit(second);
    const third = await p.poll();
    if (third.kind !== 'runs') throw new Error(third.kind);
    expect(third.runs).toHaveLength(50);
    expect(third.cursor).toEqual({ page: 2 });
    await p.commit(third);
    expect(await p.store.load(p.flowId, p.sourceKey)).toEqual({ first: false, cursor: { page: 2 } });
    expect(await p.store.state(p.flowId, p.sourceKey)).toMatchObject({
      runsStarted: 250,
      failures: 0,
      lastError: null,
    });
    expect(await p.poll()).toMatchObject({ kind: 'runs', runs: [], cursor: { page: 2 } });
  });

  it('skips an item too large to run (reported), and takes a key given twice once', async () => {
    const p = await setUp({ firstPoll: 'run' });
    answer = {
      items: [
        { key: 'a', data: 1 },
        { key: 'big', data: 'x'.repeat(300 * 1024) },
        { key: 'a', data: 2 },
        { key: 'b', data: 3 },
      ],
      cursor: null,
    };
    const out = await p.poll();
    if (out.kind !== 'runs') throw new Error(out.kind);
    expect(out.runs.map((r) => [r.key, r.trigger.item])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    expect(out.skipped).toEqual(['big']);
    expect(out.warning).toMatchObject({ code: 'POLL_ITEM_TOO_LARGE' });
    await p.commit(out);
    expect(await p.store.seenKeys(p.flowId, p.sourceKey)).toEqual([
      { key: 'a', runId: runIdFor(p.flowId, pollRunKey(p.sourceKey, 'a')) },
      { key: 'b', runId: runIdFor(p.flowId, pollRunKey(p.sourceKey, 'b')) },
      { key: 'big', runId: null },
    ]);
    expect((await p.store.state(p.flowId, p.sourceKey))?.lastError).toMatchObject({ code: 'POLL_ITEM_TOO_LARGE' });
  });

  it('records a failing source, a bad item key and an unknown source on the poll state, counting failures', async () => {
    const p = await setUp();
    answer = new ConnectorError('upstream', 'the feed is down', { code: 'HTTP_503' });
    expect(await p.poll()).toEqual({
      kind: 'failed',
      error: { message: 'the feed is down', code: 'HTTP_503' },
      failures: 1,
    });
    answer = { items: [{ key: '', data: 1 }], cursor: null };
    expect(await p.poll()).toMatchObject({ kind: 'failed', error: { code: 'POLL_BAD_RESULT' }, failures: 2 });
    // Still the first poll: a failure takes no baseline.
    expect((await p.store.load(p.flowId, p.sourceKey)).first).toBe(true);
    const gone = await setUp({ source: 'test.gone' });
    expect(await gone.poll()).toMatchObject({ kind: 'failed', error: { code: 'UNKNOWN_SOURCE' }, failures: 1 });
    const bad = await setUp({ input: { feed: 7 } as never });
    expect(await bad.poll()).toMatchObject({ kind: 'failed', error: { code: 'INPUT_INVALID' } });
  });

  it('a different source configuration is a different state (a new baseline); the interval is not part of it', () => {
    const base = {
      type: 'poll',
      source: 'http.poll',
      every: 'PT1M',
      input: { url: 'https://a.test', key: 'id' },
    } as const;
    expect(pollSourceKey(base)).toBe(pollSourceKey({ ...base, input: { key: 'id', url: 'https://a.test' } }));
    expect(pollSourceKey(base)).not.toBe(pollSourceKey({ ...base, input: { url: 'https://b.test', key: 'id' } }));
    expect(pollSourceKey(base)).not.toBe(pollSourceKey({ ...base, connection: 'conn_1' }));
  });
});
