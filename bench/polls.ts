// Poll triggers (issue 12): what a poll costs and how fast its runs start. Real server and worker processes on a fresh
// database and their own Temporal dev server; BENCH_POLL_FLOWS flows with an `http.poll` trigger, each on its own feed
// of BENCH_POLL_FEED items served by this process. Per flow: the baseline poll (every item recorded as seen, no run),
// then BENCH_POLL_ROUNDS rounds of 100 new items (one poll's budget) and one poll of the feed unchanged. Figures: how
// long a poll takes (schedule trigger to the poll workflow's end), how long until a round's runs have all completed,
// and that every new item ran exactly once. Writes bench/results/polls.json.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { REPO_ROOT } from '../test/processes.js';
import { SA_FLOW } from '../worker/contract.js';
import { pollScheduleIdFor } from '../worker/poll-schedules.js';
import type { PollTriggerResult } from '../worker/workflows/poll-trigger.js';
import { forEachLimit, latency, startBenchStack } from './bench-processes.js';

const FLOWS = Number(process.env.BENCH_POLL_FLOWS ?? 4);
const FEED = Number(process.env.BENCH_POLL_FEED ?? 1000);
const ROUNDS = Number(process.env.BENCH_POLL_ROUNDS ?? 3);
const NEW_PER_ROUND = 100;

async function main() {
  const feeds = new Map<string, number>();
  const server = createServer((req, res) => {
    const size = feeds.get((req.url ?? '').slice(1)) ?? 0;
    const items = Array.from({ length: size }, (_, i) => ({ id: size - i, title: `item ${size - i}` }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const feedBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stack = await startBenchStack('polls');
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  try {
    const flowIds: string[] = [];
    for (let i = 0; i < FLOWS; i++) {
      feeds.set(`f${i}`, FEED);
      const flow = await stack.api('POST', '/api/flows', {
        name: `poll ${i}`,
        definition: {
          schemaVersion: 1,
          trigger: {
            type: 'poll',
            source: 'http.poll',
            every: 'PT1H',
            input: { url: `${feedBase}/f${i}`, itemsPath: 'items', key: 'id' },
          },
          nodes: [{ id: 'note', type: 'set', values: { id: '{{ trigger.item.id }}' } }],
          edges: [{ from: 'trigger', to: 'note' }],
        },
      });
      await stack.api('POST', `/api/flows/${flow.id}/publish`);
      flowIds.push(flow.id);
    }
    /** One poll of each flow at once, through its schedule; each one's duration (trigger to the poll's end). */
    const pollAll = async () => {
      const took: number[] = [];
      const results: PollTriggerResult[] = [];
      await forEachLimit(flowIds, FLOWS, async (id) => {
        const handle = client.schedule.getHandle(pollScheduleIdFor(id));
        const earlier = new Set((await handle.describe()).info.recentActions.map((x) => x.action.workflow.workflowId));
        const t0 = Date.now();
        await handle.trigger();
        let workflowId: string | undefined;
        while (!workflowId) {
          const info = (await handle.describe()).info;
          workflowId = info.recentActions.map((x) => x.action.workflow.workflowId).find((w) => !earlier.has(w));
          if (!workflowId) await delay(50);
        }
        results.push((await client.workflow.getHandle(workflowId).result()) as PollTriggerResult);
        took.push(Date.now() - t0);
      });
      await delay(1100); // a triggered poll is named by its second
      return { took, results };
    };

    const baseline = await pollAll();
    const rounds: number[] = [];
    const roundPoll: number[] = [];
    let started = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < FLOWS; i++) feeds.set(`f${i}`, FEED + (r + 1) * NEW_PER_ROUND);
      const t0 = Date.now();
      const polled = await pollAll();
      roundPoll.push(...polled.took);
      started += polled.results.reduce((n, p) => n + p.started.length, 0);
      const want = FLOWS * NEW_PER_ROUND * (r + 1);
      const query = `WorkflowType = "runFlow" AND ExecutionStatus = "Completed" AND ${SA_FLOW.name} IN (${flowIds.map((f) => `"${f}"`).join(', ')})`;
      while ((await client.workflow.count(query)).count < want) await delay(200);
      rounds.push(Date.now() - t0);
    }
    const unchanged = await pollAll();
    const total = (await client.workflow.count(`WorkflowType = "runFlow"`)).count;
    const results = {
      flows: FLOWS,
      feedItems: FEED,
      rounds: ROUNDS,
      newPerRound: NEW_PER_ROUND,
      baselinePollMs: latency(baseline.took),
      pollWith100NewMs: latency(roundPoll),
      roundUntilAllRunsCompletedMs: latency(rounds),
      unchangedPollMs: latency(unchanged.took),
      runsStarted: started,
      runsInTemporal: total,
      expectedRuns: FLOWS * NEW_PER_ROUND * ROUNDS,
    };
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'polls.json'), JSON.stringify(results, null, 2));
    const row = (what: string, value: string) => console.log(`${what.padEnd(52)} ${value.padStart(16)}`);
    row('flows × feed items', `${FLOWS} × ${FEED}`);
    row(
      'baseline poll (all items recorded): p50 / max',
      `${results.baselinePollMs.p50} / ${results.baselinePollMs.max} ms`,
    );
    row(
      'poll with 100 new items (100 runs): p50 / max',
      `${results.pollWith100NewMs.p50} / ${results.pollWith100NewMs.max} ms`,
    );
    row(
      `round (${FLOWS} polls) to all runs completed: p50 / max`,
      `${results.roundUntilAllRunsCompletedMs.p50} / ${results.roundUntilAllRunsCompletedMs.max} ms`,
    );
    row('poll of an unchanged feed: p50 / max', `${results.unchangedPollMs.p50} / ${results.unchangedPollMs.max} ms`);
    row('runs started / in Temporal / expected', `${started} / ${total} / ${results.expectedRuns}`);
    // Exactly once is the point: a missing or an extra run is a broken bench.
    if (started !== results.expectedRuns || total !== results.expectedRuns) process.exitCode = 1;
  } finally {
    await connection.close();
    await stack.stop();
    server.close();
  }
}

await main();
