// Schedule triggers on the real Temporal dev server and a real runFlow worker: publish creates the flow's Temporal
// Schedule (spec, zone, overlap, catch-up window, the run's search attributes), a tick (ScheduleHandle.trigger, so the
// test needs no wait for the clock) runs the flow with the schedule trigger payload, a new version updates the schedule,
// pause/resume change its state (kept across a publish), a bad cron is a 422 that leaves Temporal untouched, another
// trigger or deleting the flow deletes it, ten missed ticks with no worker make one run, reconcile recreates a
// schedule deleted behind Confluo's back, and with Temporal down publish and delete answer 503 and write nothing.
import type { TypedSearchAttributes } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createFlowStore } from '../prisma/flows.js';
import { SA_FLOW, SA_WORKSPACE } from '../worker/contract.js';
import { createFlowSchedules, scheduleIdFor, SCHEDULE_CATCHUP_WINDOW } from '../worker/schedules.js';
import { freePort } from '../test/ports.js';
import { startTemporalDevServer, type DevServer } from '../worker/temporal-dev-server.js';
import { eventually, flowOf, scheduledFlows, startTestApp, type TestApp } from './test-app.js';
import { startTestWorker, withAppAndWorker } from './test-worker.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

let t: TestApp;
withAppAndWorker((app) => (t = app));

const definition = (trigger: object) =>
  flowOf(
    [{ id: 'note', type: 'set', values: { at: '{{ trigger.scheduledAt }}', run: '{{ run.startedAt }}' } }],
    [{ from: 'trigger', to: 'note' }],
    trigger,
  );
const { createFlow, setDraft, publish, handleOf, gone } = scheduledFlows(() => t, {
  name: 'tick',
  definition,
  scheduleId: scheduleIdFor,
});

/** The hour and weekday of an ISO time on a zone's wall clock. */
const wallClock = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(
    new Date(iso),
  );

describe('schedule triggers', () => {
  it('publish creates the schedule; a tick runs the flow with the schedule payload', async () => {
    const flowId = await createFlow({ type: 'schedule', cron: '30 9 * * 1-5', timezone: 'Europe/Paris' });
    const res = await publish(flowId);
    expect(res.statusCode, res.body).toBe(201);

    const d = await handleOf(flowId).describe();
    expect(d.spec.timezone).toBe('Europe/Paris');
    expect(d.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000 });
    expect(SCHEDULE_CATCHUP_WINDOW).toBe('1 day');
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'runFlow', taskQueue: t.taskQueue });
    expect(d.action.args?.[0]).toMatchObject({ workspaceId: t.workspaceId, flowId, version: 1 });
    const attrs = d.action.typedSearchAttributes as TypedSearchAttributes;
    expect(attrs.get(SA_WORKSPACE)).toBe(t.workspaceId);
    expect(attrs.get(SA_FLOW)).toBe(flowId);

    const flow = (await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json();
    expect(flow.schedule.state).toBe('active');
    expect(flow.schedule.nextRunAt.length).toBeGreaterThan(0);
    for (const at of flow.schedule.nextRunAt)
      expect(wallClock(at, 'Europe/Paris')).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:30$/);

    await handleOf(flowId).trigger();
    const workflowId = await eventually(async () => {
      const recent = (await handleOf(flowId).describe()).info.recentActions;
      return recent[0]?.action.workflow.workflowId;
    });
    expect(workflowId).toMatch(new RegExp(`^run_sched_${flowId}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
    const run = await eventually(async () => {
      const body = (await t.api({ method: 'GET', url: `/api/runs/${workflowId}` })).json();
      return body.status === 'completed' || body.status === 'failed' ? body : undefined;
    }, 30_000);
    expect(run).toMatchObject({ id: workflowId, flowId, version: 1, status: 'completed' });
    const scheduledAt = new Date(`${workflowId.slice(-20)}`).toISOString();
    expect(run.trigger).toEqual({
      type: 'schedule',
      scheduleId: scheduleIdFor(flowId),
      cron: '30 9 * * 1-5',
      timezone: 'Europe/Paris',
      scheduledAt,
    });
    expect(run.steps[0]).toMatchObject({
      nodeId: 'note',
      status: 'completed',
      output: { at: scheduledAt, run: scheduledAt },
    });
    const listed = (await t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}` })).json();
    expect(listed.items.map((r: { id: string }) => r.id)).toContain(workflowId);
  });

  it('a new version updates the schedule; pause and resume change its state, kept across a publish', async () => {
    const flowId = await createFlow({ type: 'schedule', cron: '0 8 * * *' });
    expect((await publish(flowId)).statusCode).toBe(201);

    await setDraft(flowId, { type: 'schedule', every: 'PT5M', overlap: 'buffer_one' });
    expect((await publish(flowId)).statusCode).toBe(201);
    let d = await handleOf(flowId).describe();
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([300_000]);
    expect(d.spec.calendars ?? []).toEqual([]);
    expect(d.policies.overlap).toBe('BUFFER_ONE');
    expect(d.action.args?.[0]).toMatchObject({ version: 2, trigger: { every: 'PT5M' } });

    const paused = await t.api({ method: 'POST', url: `/api/flows/${flowId}/schedule/pause` });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toEqual({ state: 'paused', nextRunAt: [] });
    expect((await handleOf(flowId).describe()).state.paused).toBe(true);

    await setDraft(flowId, { type: 'schedule', every: 'PT10M' });
    expect((await publish(flowId)).statusCode).toBe(201);
    d = await handleOf(flowId).describe();
    expect(d.state.paused).toBe(true);
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([600_000]);
    expect(d.policies.overlap).toBe('SKIP');
    expect((await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json().schedule.state).toBe('paused');

    const resumed = await t.api({ method: 'POST', url: `/api/flows/${flowId}/schedule/resume` });
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json().state).toBe('active');
    expect(resumed.json().nextRunAt.length).toBeGreaterThan(0);
    expect((await handleOf(flowId).describe()).state.paused).toBe(false);
  });

  it('a bad cron, zone or interval is a 422 on its field, and Temporal is left as it was', async () => {
    const flowId = await createFlow({ type: 'schedule', cron: 'every monday', timezone: 'Mars/Olympus' });
    const res = await publish(flowId);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues.map((i: { path: string; code: string }) => [i.path, i.code])).toEqual([
      ['/trigger/cron', 'invalid_cron'],
      ['/trigger/timezone', 'invalid_timezone'],
    ]);
    await gone(flowId);
    expect((await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json()).toMatchObject({ latestVersion: 0 });

    await setDraft(flowId, { type: 'schedule', every: 'PT1H' });
    expect((await publish(flowId)).statusCode).toBe(201);
    await setDraft(flowId, { type: 'schedule', every: 'PT10S' });
    const short = await publish(flowId);
    expect(short.statusCode).toBe(422);
    expect(short.json().error.issues).toMatchObject([{ path: '/trigger/every', code: 'invalid_interval' }]);
    const d = await handleOf(flowId).describe();
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
    expect(d.action.args?.[0]).toMatchObject({ version: 1 });
  });

  it('publishing another trigger or deleting the flow deletes the schedule', async () => {
    const flowId = await createFlow({ type: 'schedule', cron: '@daily' });
    expect((await publish(flowId)).statusCode).toBe(201);
    await handleOf(flowId).describe();

    await setDraft(flowId, { type: 'webhook' });
    expect((await publish(flowId)).statusCode).toBe(201);
    await gone(flowId);
    expect((await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json()).not.toHaveProperty('schedule');
    const pause = await t.api({ method: 'POST', url: `/api/flows/${flowId}/schedule/pause` });
    expect(pause.statusCode).toBe(409);
    expect(pause.json().error).toMatchObject({ code: 'not_scheduled', issues: [{ path: '/trigger/type' }] });

    await setDraft(flowId, { type: 'schedule', cron: '@hourly' });
    expect((await publish(flowId)).statusCode).toBe(201);
    expect((await handleOf(flowId).describe()).action.args?.[0]).toMatchObject({ version: 3 });
    expect((await t.api({ method: 'DELETE', url: `/api/flows/${flowId}` })).statusCode).toBe(204);
    await gone(flowId);
  });

  it('ten ticks missed while no worker runs start one run, which runs once a worker is back', async () => {
    // An app of its own, on a task queue no worker polls yet: the worker is "down".
    const idle = await startTestApp();
    try {
      const res = await idle.api({
        method: 'POST',
        url: '/api/flows',
        payload: { name: 'missed', definition: definition({ type: 'schedule', every: 'PT1M' }) },
      });
      const flowId: string = res.json().id;
      expect((await idle.api({ method: 'POST', url: `/api/flows/${flowId}/publish` })).statusCode).toBe(201);
      const handle = idle.client.schedule.getHandle(scheduleIdFor(flowId));
      const { policies } = await handle.describe();
      // The ten minutes before now, under the schedule's own overlap policy, as Temporal takes missed ticks.
      const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 1000);
      await handle.backfill({ start: new Date(end.getTime() - 10 * 60_000), end, overlap: policies.overlap });
      const info = await eventually(async () => {
        const i = (await handle.describe()).info;
        return i.numActionsSkippedOverlap >= 9 ? i : undefined;
      });
      expect(info.numActionsTaken).toBe(1);
      expect(info.numActionsSkippedOverlap).toBe(9);
      const workflowId = info.recentActions[0]!.action.workflow.workflowId;

      const idleWorker = await startTestWorker(idle);
      try {
        const run = await eventually(async () => {
          const body = (await idle.api({ method: 'GET', url: `/api/runs/${workflowId}` })).json();
          return body.status === 'completed' ? body : undefined;
        }, 30_000);
        expect(run.trigger.scheduledAt).toBe(new Date(end.getTime() - 9 * 60_000 - 59_000).toISOString());
        const runs = (await idle.api({ method: 'GET', url: `/api/runs?flowId=${flowId}` })).json();
        expect(runs.items.map((r: { id: string }) => r.id)).toEqual([workflowId]);
      } finally {
        await idleWorker.stop();
      }
      expect((await idle.api({ method: 'DELETE', url: `/api/flows/${flowId}` })).statusCode).toBe(204);
    } finally {
      await idle.close();
    }
  });

  it('reconcile recreates a schedule deleted behind Confluo, keeping the others as they are', async () => {
    const flowId = await createFlow({ type: 'schedule', cron: '15 6 * * *', timezone: 'America/New_York' });
    expect((await publish(flowId)).statusCode).toBe(201);
    await handleOf(flowId).delete();
    expect((await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json().schedule.state).toBe('missing');

    // Only this flow: the suite's apps share the database (their schedules are on their own task queues).
    const mine = (await createFlowStore(t.prisma).scheduleFlows()).filter((f) => f.flowId === flowId);
    expect(mine).toHaveLength(1);
    const schedules = createFlowSchedules({ client: t.client, taskQueue: t.taskQueue });
    expect(await schedules.reconcile(mine)).toEqual({ synced: 1, failed: [] });
    const d = await handleOf(flowId).describe();
    expect(d.spec.timezone).toBe('America/New_York');
    expect((await t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json().schedule.state).toBe('active');
    await handleOf(flowId).delete();
  });
});

describe('schedule triggers with Temporal down', () => {
  it('publish and delete answer 503 and write nothing; with Temporal back both go through', async () => {
    // A dev server of this test's own (in memory), stopped and started again on the same port.
    const port = await freePort();
    let dev: DevServer | undefined = await startTemporalDevServer({ port });
    const down = await startTestApp({ temporalAddress: dev.address });
    try {
      const res = await down.api({
        method: 'POST',
        url: '/api/flows',
        payload: { name: 'down', definition: definition({ type: 'schedule', cron: '@daily' }) },
      });
      const flowId: string = res.json().id;
      await dev.stop();
      dev = undefined;

      const refused = await down.api({ method: 'POST', url: `/api/flows/${flowId}/publish` });
      expect(refused.statusCode, refused.body).toBe(503);
      expect(refused.json().error.code).toBe('temporal_unavailable');
      const after = (await down.api({ method: 'GET', url: `/api/flows/${flowId}` })).json();
      expect(after).toMatchObject({ latestVersion: 0, versions: [] });
      expect(after).not.toHaveProperty('schedule');

      dev = await startTemporalDevServer({ port });
      const published = await eventually(async () => {
        const r = await down.api({ method: 'POST', url: `/api/flows/${flowId}/publish` });
        return r.statusCode === 201 ? r.json() : undefined;
      }, 30_000);
      expect(published).toMatchObject({ version: 1 });
      await down.client.schedule.getHandle(scheduleIdFor(flowId)).describe();

      await dev.stop();
      dev = undefined;
      const flow = (await down.api({ method: 'GET', url: `/api/flows/${flowId}` })).json();
      expect(flow.schedule).toEqual({ state: 'unknown', nextRunAt: [] });
      const kept = await down.api({ method: 'DELETE', url: `/api/flows/${flowId}` });
      expect(kept.statusCode).toBe(503);
      expect((await down.api({ method: 'GET', url: `/api/flows/${flowId}` })).statusCode).toBe(200);
    } finally {
      await down.close();
      await dev?.stop();
    }
  });
});
