// Schedule fire accuracy (issue 12): how late a schedule-triggered run starts after its scheduled time. Real server and
// worker processes on a fresh database and their own Temporal dev server; BENCH_SCHEDULES flows with a schedule trigger
// published through the API (each one's Temporal Schedule made by the server), then each schedule's spec set to one
// tick a second (flows take at least PT1M; the bench wants ticks, not waiting), until BENCH_SCHEDULE_TICKS ticks have
// fired. Lateness per run: the execution's start (Temporal's scheduler) and its first step's start (the worker picked
// it up), each minus TemporalScheduledStartTime. Writes bench/results/schedules.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import type { RunFlowResult } from '../worker/contract.js';
import { scheduleIdFor } from '../worker/schedules.js';
import { REPO_ROOT } from '../test/processes.js';
import { forEachLimit, latency, startBenchStack } from './bench-processes.js';

const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 20);
const TICKS = Number(process.env.BENCH_SCHEDULE_TICKS ?? 1000);
/** Temporal's own statement: "Actions should generally start within 1 second of the specified time". */
const TARGET_P99_MS = 1000;

const scheduledAtOf = (wf: WorkflowExecutionInfo): number => {
  // The list's untyped attributes carry it (a Date in a list of one).
  const raw = wf.searchAttributes?.TemporalScheduledStartTime?.[0];
  return new Date(raw as string | Date).getTime();
};

async function main() {
  const stack = await startBenchStack('schedules');
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  try {
    const flowIds: string[] = [];
    for (let i = 0; i < SCHEDULES; i++) {
      const flow = await stack.api('POST', '/api/flows', {
        name: `tick ${i}`,
        definition: {
          schemaVersion: 1,
          trigger: { type: 'schedule', every: 'PT1M' },
          nodes: [{ id: 'note', type: 'set', values: { at: '{{ trigger.scheduledAt }}' } }],
          edges: [{ from: 'trigger', to: 'note' }],
        },
      });
      await stack.api('POST', `/api/flows/${flow.id}/publish`);
      flowIds.push(flow.id);
    }
    const seconds = Math.ceil(TICKS / SCHEDULES);
    const started = Date.now();
    await forEachLimit(flowIds, 10, async (id) => {
      await client.schedule
        .getHandle(scheduleIdFor(id))
        .update((prev) => ({ ...prev, spec: { intervals: [{ every: '1s' }] } }));
    });
    await delay(seconds * 1000 + 1500);
    await forEachLimit(flowIds, 10, (id) => client.schedule.getHandle(scheduleIdFor(id)).pause('bench done'));
    const firing = (Date.now() - started) / 1000;

    // Every run closed (they take milliseconds), then read back from visibility.
    const query = `WorkflowType = "runFlow" AND TemporalScheduledById STARTS_WITH "flow-schedule:"`;
    for (let i = 0; i < 60; i++) {
      const open = await client.workflow.count(`${query} AND ExecutionStatus = "Running"`);
      if (open.count === 0) break;
      await delay(1000);
    }
    const runs: WorkflowExecutionInfo[] = [];
    for await (const wf of client.workflow.list({ query })) runs.push(wf);
    const startLate: number[] = [];
    const stepLate: number[] = [];
    let failed = 0;
    await forEachLimit(runs, 20, async (wf) => {
      const at = scheduledAtOf(wf);
      startLate.push(wf.startTime.getTime() - at);
      try {
        const result = (await client.workflow.getHandle(wf.workflowId).result()) as RunFlowResult;
        const first = result.steps[0]?.startedAt;
        if (first) stepLate.push(new Date(first).getTime() - at);
      } catch {
        failed++;
      }
    });
    let skipped = 0;
    let missed = 0;
    for (const id of flowIds) {
      const { info } = await client.schedule.getHandle(scheduleIdFor(id)).describe();
      skipped += info.numActionsSkippedOverlap;
      missed += info.numActionsMissedCatchupWindow;
    }

    const results = {
      schedules: SCHEDULES,
      ticksAsked: TICKS,
      firingS: Math.round(firing * 10) / 10,
      runs: runs.length,
      failed,
      skippedOverlap: skipped,
      missedCatchupWindow: missed,
      startLatenessMs: latency(startLate),
      firstStepLatenessMs: latency(stepLate),
      targetP99Ms: TARGET_P99_MS,
    };
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'schedules.json'), JSON.stringify(results, null, 2));
    const row = (what: string, value: string, target: string) =>
      console.log(`${what.padEnd(44)} ${value.padStart(16)}   ${target}`);
    row('schedules × seconds', `${SCHEDULES} × ${seconds}`, '');
    row('runs (ticks fired)', String(runs.length), `≥ ${TICKS}`);
    row('failed runs / skipped (overlap) / missed', `${failed} / ${skipped} / ${missed}`, '0 / 0 / 0');
    for (const [what, l] of [
      ['execution start − scheduled time', results.startLatenessMs],
      ['first step start − scheduled time', results.firstStepLatenessMs],
    ] as const) {
      row(`${what}: p50`, `${l.p50} ms`, '');
      row(`${what}: p99`, `${l.p99} ms`, `≤ ${TARGET_P99_MS} ms`);
      row(`${what}: max`, `${l.max} ms`, '');
    }
    // Lateness is a figure beside its target; a failed run or ticks that never fired are a broken bench.
    if (failed > 0 || runs.length < TICKS || missed > 0) process.exitCode = 1;
  } finally {
    await connection.close();
    await stack.stop();
  }
}

await main();
