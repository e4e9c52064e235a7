// Sub-flow nodes on the real Temporal dev server and PostgreSQL (README.md "Sub-flows"): a parent's webhook run calls a
// published child flow as a child run, gets its steps' outputs, and the child is a run of its own flow; a failing child
// fails the step (or takes its error branch); publish refuses cycles; the depth limit fails the step, never hangs.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { MAX_SUBFLOW_DEPTH } from '../worker/contract.js';
import {
  createDraft,
  eventually,
  failingStep,
  flowOf,
  publishFlow,
  settledRun,
  startTestApp,
  updateDraft,
} from './test-app.js';
import type { TestApp, TestDefinition } from './test-app.js';
import { withAppAndWorker } from './test-worker.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

let t: TestApp;
withAppAndWorker((app) => (t = app));

const create = (definition: TestDefinition) => createDraft(t, 'sub', definition);
const publishRes = (flowId: string) => publishFlow(t, flowId);
async function publish(flowId: string): Promise<string> {
  const res = await publishRes(flowId);
  expect(res.statusCode, res.body).toBe(201);
  return new URL(res.json().webhookUrl).pathname;
}
const update = (flowId: string, definition: TestDefinition) => updateDraft(t, flowId, definition);
const settled = (runId: string) => settledRun(t, runId);
const fire = async (hookUrl: string, payload: object): Promise<string> =>
  (await t.app.inject({ method: 'POST', url: hookUrl, payload })).json().runId;
const stepOf = (run: { steps: Array<{ nodeId: string; childRunId?: string }> }, id: string) =>
  run.steps.find((s) => s.nodeId === id)!;

const doubler = flowOf(
  [{ id: 'calc', type: 'set', values: { doubled: { $logic: { '*': [{ var: 'trigger.input.n' }, 2] } } } }],
  [{ from: 'trigger', to: 'calc' }],
);

describe('sub-flow nodes', () => {
  it('calls the child with its input and completes with its steps’ outputs; the child is a run of its flow', async () => {
    const child = await create(doubler);
    await publish(child);
    const parent = await create(
      flowOf(
        [
          { id: 'call', type: 'subflow', flow: child, input: { n: '{{ trigger.body.n }}' } },
          { id: 'use', type: 'set', values: { got: '{{ steps.call.output.steps.calc.doubled }}' } },
        ],
        [
          { from: 'trigger', to: 'call' },
          { from: 'call', to: 'use' },
        ],
      ),
    );
    const runId = await fire(await publish(parent), { n: 21 });
    const run = await settled(runId);
    expect(run.status, JSON.stringify(run)).toBe('completed');
    const call = stepOf(run, 'call');
    expect(call).toMatchObject({
      status: 'completed',
      childRunId: `${runId}:sub:call`,
      input: { flow: child, version: 1, input: { n: 21 } },
      output: { runId: `${runId}:sub:call`, version: 1, steps: { calc: { doubled: 42 } } },
    });
    expect(stepOf(run, 'use')).toMatchObject({ status: 'completed', output: { got: 42 } });

    const childRun = await settled(`${runId}:sub:call`);
    expect(childRun).toMatchObject({
      flowId: child,
      version: 1,
      status: 'completed',
      trigger: { type: 'subflow', parent: { runId, flowId: parent, nodeId: 'call' }, input: { n: 21 } },
    });
    const listed = await eventually(async () => {
      const items = (await t.api({ method: 'GET', url: `/api/runs?flowId=${child}` })).json().items;
      return items.length > 0 ? items : undefined;
    });
    expect(listed).toEqual([expect.objectContaining({ id: `${runId}:sub:call`, status: 'completed' })]);
  });

  it('pins a version, or takes the latest published when the run reaches the node', async () => {
    const child = await create(doubler);
    await publish(child);
    await update(
      child,
      flowOf([{ id: 'calc', type: 'set', values: { doubled: 'v2' } }], [{ from: 'trigger', to: 'calc' }]),
    );
    await publish(child);
    const parent = await create(
      flowOf(
        [
          { id: 'pinned', type: 'subflow', flow: child, version: 1, input: { n: 2 } },
          { id: 'latest', type: 'subflow', flow: child },
        ],
        [
          { from: 'trigger', to: 'pinned' },
          { from: 'trigger', to: 'latest' },
        ],
      ),
    );
    const run = await settled(await fire(await publish(parent), {}));
    expect(run.status).toBe('completed');
    expect(stepOf(run, 'pinned')).toMatchObject({ output: { version: 1, steps: { calc: { doubled: 4 } } } });
    expect(stepOf(run, 'latest')).toMatchObject({ output: { version: 2, steps: { calc: { doubled: 'v2' } } } });
  });

  it('fails the step when the child fails, or takes its error branch', async () => {
    const failing = await create(flowOf([failingStep('call')], [{ from: 'trigger', to: 'call' }]));
    await publish(failing);
    const plain = await create(
      flowOf([{ id: 'sub', type: 'subflow', flow: failing }], [{ from: 'trigger', to: 'sub' }]),
    );
    const failed = await settled(await fire(await publish(plain), {}));
    expect(failed).toMatchObject({ status: 'failed', error: { failedStep: 'sub' } });
    expect(stepOf(failed, 'sub')).toMatchObject({
      status: 'failed',
      childRunId: expect.stringContaining(':sub:sub'),
      error: { code: 'SUBFLOW_FAILED', message: expect.stringContaining('Step "call" failed') },
    });

    const routed = await create(
      flowOf(
        [
          { id: 'sub', type: 'subflow', flow: failing },
          { id: 'ok', type: 'set', values: { fine: true } },
          { id: 'recover', type: 'set', values: { why: '{{ steps.sub.output.error.code }}' } },
        ],
        [
          { from: 'trigger', to: 'sub' },
          { from: 'sub', to: 'ok' },
          { from: 'sub', to: 'recover', branch: 'error' },
        ],
      ),
    );
    const run = await settled(await fire(await publish(routed), {}));
    expect(run.status).toBe('completed');
    expect(stepOf(run, 'sub')).toMatchObject({ status: 'failed', branch: 'error' });
    expect(stepOf(run, 'ok')).toMatchObject({ status: 'skipped' });
    expect(stepOf(run, 'recover')).toMatchObject({ status: 'completed', output: { why: 'SUBFLOW_FAILED' } });
  });

  it('refuses at publish a missing flow, a pinned version that does not exist, itself and a cycle', async () => {
    const issuesOf = async (flowId: string) => {
      const res = await publishRes(flowId);
      expect(res.statusCode, res.body).toBe(422);
      return res.json().error.issues.map((i: { code: string; path: string }) => `${i.code} ${i.path}`);
    };
    const a = await create(flowOf([{ id: 'x', type: 'set', values: {} }], [{ from: 'trigger', to: 'x' }]));
    await publish(a);
    const b = await create(flowOf([{ id: 'toA', type: 'subflow', flow: a }], [{ from: 'trigger', to: 'toA' }]));
    await publish(b);
    // a → b, while b → a (latest) is published: refused; a calling itself too; the unpublished and the missing.
    const draft = await create(doubler);
    await update(
      a,
      flowOf(
        [
          { id: 'toB', type: 'subflow', flow: b },
          { id: 'self', type: 'subflow', flow: a },
          { id: 'gone', type: 'subflow', flow: 'flow_nothing' },
          { id: 'draft', type: 'subflow', flow: draft },
          { id: 'v9', type: 'subflow', flow: b, version: 9 },
        ],
        ['toB', 'self', 'gone', 'draft', 'v9'].map((to) => ({ from: 'trigger', to })),
      ),
    );
    const expected = [
      'subflow_cycle /nodes/0/flow',
      'subflow_cycle /nodes/1/flow',
      'unknown_subflow /nodes/2/flow',
      'unknown_subflow /nodes/3/flow',
      'unknown_subflow /nodes/4/version',
    ];
    expect(await issuesOf(a)).toEqual(expected);
    // The editor's live validation says the same, given the flow the draft belongs to.
    const draftOfA = (await t.api({ method: 'GET', url: `/api/flows/${a}` })).json();
    const checked = await t.api({
      method: 'POST',
      url: '/api/flows/validate',
      payload: { definition: draftOfA.definition, flowId: a },
    });
    expect(checked.json().issues.map((i: { code: string; path: string }) => `${i.code} ${i.path}`)).toEqual(expected);
    expect(draftOfA.issues).toEqual(checked.json().issues);
    // Another workspace's flow is missing too.
    const other = await startTestApp();
    try {
      const res = await other.api({
        method: 'POST',
        url: '/api/flows',
        payload: {
          name: 'x',
          definition: flowOf([{ id: 's', type: 'subflow', flow: a }], [{ from: 'trigger', to: 's' }]),
        },
      });
      const published = await other.api({ method: 'POST', url: `/api/flows/${res.json().id}/publish` });
      expect(published.statusCode).toBe(422);
      expect(published.json().error.issues).toEqual([
        expect.objectContaining({ code: 'unknown_subflow', path: '/nodes/0/flow' }),
      ]);
    } finally {
      await other.close();
    }
  });

  it(`fails the step past ${MAX_SUBFLOW_DEPTH} levels (a cycle made after publish), never hangs`, async () => {
    // Publish refuses a → b once b calls a; two racing publishes (or a pinned version chosen before) can still leave
    // a loop in the database. Make one there directly: a@2 → b (latest, 1) → a (latest, 2) → ...
    const a = await create(flowOf([{ id: 'x', type: 'set', values: {} }], [{ from: 'trigger', to: 'x' }]));
    await publish(a);
    const b = await create(flowOf([{ id: 'toA', type: 'subflow', flow: a }], [{ from: 'trigger', to: 'toA' }]));
    await publish(b);
    await update(a, flowOf([{ id: 'toB', type: 'subflow', flow: b }], [{ from: 'trigger', to: 'toB' }]));
    expect((await publishRes(a)).statusCode).toBe(422);
    const looped = flowOf([{ id: 'toB', type: 'subflow', flow: b }], [{ from: 'trigger', to: 'toB' }]);
    await t.prisma.flowVersion.create({ data: { flowId: a, version: 2, definition: looped } });
    await t.prisma.flow.update({ where: { id: a }, data: { latestVersion: 2 } });
    const hook = await t.prisma.webhookToken.findUniqueOrThrow({ where: { flowId: a } });

    const runId = await fire(`/hooks/flows/${hook.token}`, {});
    const run = await settled(runId);
    expect(run).toMatchObject({ status: 'failed', error: { failedStep: 'toB' } });
    // Down the chain of child runs to the one that refused to go deeper.
    let id = runId;
    for (let depth = 0; depth < MAX_SUBFLOW_DEPTH; depth++)
      id = stepOf(await settled(id), depth % 2 === 0 ? 'toB' : 'toA').childRunId!;
    const deepest = await settled(id);
    const last = stepOf(deepest, MAX_SUBFLOW_DEPTH % 2 === 0 ? 'toB' : 'toA');
    expect(last).toMatchObject({ status: 'failed', error: { code: 'SUBFLOW_DEPTH' } });
    expect(last).not.toHaveProperty('childRunId');
  });
});
