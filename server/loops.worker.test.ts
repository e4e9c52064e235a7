// Loop nodes on the real Temporal dev server and PostgreSQL (README.md "Loops"): items mapped through an action to a
// local HTTP server, never more at once than the loop's concurrency; a failing item under onError fail and continue;
// a non-array at run time fails the step naming the field; a literal non-array is refused at publish; a long loop
// continues as new (every LOOP_ITEMS_PER_RUN items) and its results survive it; a running loop shows its progress.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import { LOOP_ITEMS_PER_RUN, loopRunId } from '../worker/contract.js';
import { eventually, startTestApp, type TestApp } from './test-app.js';
import { startTestWorker, type TestWorker } from './test-worker.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

/** An HTTP endpoint that answers `POST /item/<n>` after `holdMs` (item `gateItem` when `gate` opens), counting requests in flight. */
interface ItemServer {
  url: string;
  inFlight: number;
  maxInFlight: number;
  keys: string[];
  /** Items (by the `n` in their path) answered 400. */
  failing: Set<number>;
  holdMs: number;
  gateItem?: number;
  gate?: Promise<void>;
  close(): Promise<void>;
}

async function startItemServer(): Promise<ItemServer> {
  const s: ItemServer = {
    url: '',
    inFlight: 0,
    maxInFlight: 0,
    keys: [],
    failing: new Set(),
    holdMs: 0,
    close: () => new Promise((res) => server.close(() => res())),
  };
  const server: Server = createServer((req, res) => {
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    s.keys.push(String(req.headers['idempotency-key']));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const n = Number(new URL(req.url ?? '/', 'http://x').pathname.split('/').pop());
      await new Promise((r) => setTimeout(r, s.holdMs));
      if (n === s.gateItem) await s.gate;
      s.inFlight--;
      const failing = s.failing.has(n);
      res.writeHead(failing ? 400 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(failing ? { error: `no ${n}` } : { echo: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}

let t: TestApp;
let worker: TestWorker;
let items: ItemServer;

beforeAll(async () => {
  t = await startTestApp();
  worker = await startTestWorker(t, { connectors: builtinConnectors({ http: { allowlist: ['127.0.0.1'] } }) });
  items = await startItemServer();
});

afterAll(async () => {
  await items?.close();
  await worker?.stop();
  await t?.close();
});

async function publishRes(definition: object) {
  const flow = (await t.api({ method: 'POST', url: '/api/flows', payload: { name: 'loop', definition } })).json();
  return t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
}
async function fire(definition: object, payload: object): Promise<string> {
  const res = await publishRes(definition);
  expect(res.statusCode, res.body).toBe(201);
  const hook = new URL(res.json().webhookUrl).pathname;
  return (await t.app.inject({ method: 'POST', url: hook, payload })).json().runId;
}
const getRun = async (runId: string) => (await t.api({ method: 'GET', url: `/api/runs/${runId}` })).json();
async function settled(runId: string) {
  return eventually(async () => {
    const body = await getRun(runId);
    return body.status === 'running' || body.status === 'waiting' ? undefined : body;
  }, 60_000);
}
const stepOf = (run: { steps: Array<{ nodeId: string }> }, id: string) =>
  run.steps.find((s) => s.nodeId === id) as Record<string, any>;

/** trigger → each ─item→ post → keep; each ─done→ after. */
const postFlow = (loop: object) => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    { id: 'each', type: 'loop', items: '{{ trigger.body.orders }}', ...loop },
    {
      id: 'post',
      type: 'action',
      action: 'http.request',
      retry: { maxAttempts: 1 },
      input: { method: 'POST', url: `${items.url}/item/{{ loop.index }}`, body: { order: '{{ loop.item }}' } },
    },
    { id: 'keep', type: 'set', values: { n: '{{ loop.index }}', got: '{{ steps.post.output.body.echo.order.id }}' } },
    { id: 'after', type: 'set', values: { failed: '{{ steps.each.output.failed }}' } },
  ],
  edges: [
    { from: 'trigger', to: 'each' },
    { from: 'each', to: 'post', branch: 'item' },
    { from: 'post', to: 'keep' },
    { from: 'each', to: 'after', branch: 'done' },
  ],
});
const orders = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `o${i}` }));

describe('loop nodes', () => {
  it('maps every item through its body, at most `concurrency` at once, results in item order', async () => {
    Object.assign(items, { inFlight: 0, maxInFlight: 0, keys: [], holdMs: 150 });
    const runId = await fire(postFlow({ concurrency: 3 }), { orders: orders(9) });
    const run = await settled(runId);
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
    const each = stepOf(run, 'each');
    expect(each).toMatchObject({
      status: 'completed',
      branch: 'done',
      input: { items: 9, concurrency: 3 },
      output: { failed: 0, results: orders(9).map((o, n) => ({ n, got: o.id })) },
      loop: { total: 9, completed: 9, failed: 0 },
    });
    expect(each.loop.iterations.length).toBeGreaterThan(0);
    expect(each.loop.iterations.at(-1)).toMatchObject({
      index: 8,
      status: 'completed',
      steps: [
        { nodeId: 'post', status: 'completed', input: { url: `${items.url}/item/8` } },
        { nodeId: 'keep', status: 'completed', output: { n: 8, got: 'o8' } },
      ],
    });
    expect(stepOf(run, 'after')).toMatchObject({ status: 'completed', output: { failed: 0 } });
    // The body's nodes run inside the loop, not as steps of the run.
    expect(run.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['each', 'after']);
    expect(items.maxInFlight).toBeLessThanOrEqual(3);
    expect(items.maxInFlight).toBeGreaterThan(1);
    // Each item's action has an idempotency key of its own.
    expect(new Set(items.keys).size).toBe(9);
  });

  it("fails the loop (and the run) on an item's failure under onError fail, naming the item and step", async () => {
    Object.assign(items, { holdMs: 0, failing: new Set([2]) });
    const run = await settled(await fire(postFlow({ concurrency: 1 }), { orders: orders(5) }));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ failedStep: 'each' });
    const each = stepOf(run, 'each');
    expect(each.status).toBe('failed');
    expect(each.error).toMatchObject({ code: 'LOOP_ITEM_FAILED' });
    expect(each.error.message).toContain('item 2 of loop "each" failed at step "post"');
    expect(each.loop).toMatchObject({ total: 5, completed: 3, failed: 1 });
    expect(each.loop.iterations.find((i: { index: number }) => i.index === 2)).toMatchObject({
      status: 'failed',
      steps: [{ nodeId: 'post', status: 'failed', error: { code: 'HTTP_400' } }, { nodeId: 'keep' }],
    });
    expect(stepOf(run, 'after').status).toBe('pending');
  });

  it("records a failed item's error and goes on under onError continue", async () => {
    Object.assign(items, { holdMs: 0, failing: new Set([1, 3]) });
    const run = await settled(await fire(postFlow({ concurrency: 2, onError: 'continue' }), { orders: orders(5) }));
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
    const each = stepOf(run, 'each');
    expect(each.loop).toMatchObject({ total: 5, completed: 5, failed: 2 });
    expect(each.output.failed).toBe(2);
    expect(each.output.results).toEqual([
      { n: 0, got: 'o0' },
      { error: expect.objectContaining({ code: 'HTTP_400' }) },
      { n: 2, got: 'o2' },
      { error: expect.objectContaining({ code: 'HTTP_400' }) },
      { n: 4, got: 'o4' },
    ]);
    expect(stepOf(run, 'after')).toMatchObject({ status: 'completed', output: { failed: 2 } });
  });

  it('fails the step naming the field when items is not an array at run time, or over maxItems', async () => {
    items.failing = new Set();
    const notArray = await settled(await fire(postFlow({}), { orders: 'nope' }));
    expect(notArray.status).toBe('failed');
    expect(stepOf(notArray, 'each').error).toMatchObject({
      code: 'LOOP_ITEMS',
      message: expect.stringContaining('the items of loop "each" (its "items" field) gave a string'),
    });
    const tooMany = await settled(await fire(postFlow({ maxItems: 3 }), { orders: orders(4) }));
    expect(stepOf(tooMany, 'each').error).toMatchObject({
      code: 'LOOP_TOO_MANY_ITEMS',
      message: 'loop "each" got 4 items, more than its maxItems of 3',
    });
  });

  it('refuses a literal non-array at publish, on the node and its items field', async () => {
    const res = await publishRes(postFlow({ items: 'orders' }));
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues).toEqual([
      expect.objectContaining({ path: '/nodes/0/items', code: 'loop_items', nodeId: 'each' }),
    ]);
  });

  it('continues as new on a long loop, and its results survive it', async () => {
    const total = 2 * LOOP_ITEMS_PER_RUN + 200;
    const def = {
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        { id: 'each', type: 'loop', items: '{{ trigger.body.ns }}', concurrency: 10, maxItems: total },
        { id: 'sq', type: 'set', values: { sq: { $logic: { '*': [{ var: 'loop.item' }, { var: 'loop.item' }] } } } },
      ],
      edges: [
        { from: 'trigger', to: 'each' },
        { from: 'each', to: 'sq', branch: 'item' },
      ],
    };
    const runId = await fire(def, { ns: Array.from({ length: total }, (_, i) => i) });
    const run = await settled(runId);
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
    const each = stepOf(run, 'each');
    expect(each.loop).toMatchObject({ total, completed: total, failed: 0 });
    expect(each.output.results).toEqual(Array.from({ length: total }, (_, i) => ({ sq: i * i })));
    // Three histories: two continued as new, the last completed.
    const runs = await eventually(async () => {
      const found = [];
      for await (const w of t.client.workflow.list({ query: `WorkflowId = "${loopRunId(runId, 'each')}"` }))
        found.push(w.status.name);
      return found.length >= 3 ? found : undefined;
    });
    expect(runs.sort()).toEqual(['COMPLETED', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);
  });

  it('shows a running loop’s progress and its iterations so far', async () => {
    let open!: () => void;
    // Two items through, the third held at the server until the progress has been seen.
    const gate = new Promise<void>((res) => (open = res));
    Object.assign(items, { holdMs: 0, failing: new Set(), keys: [], gateItem: 2, gate });
    const runId = await fire(postFlow({ concurrency: 1 }), { orders: orders(4) });
    const seen = await eventually(async () => {
      const loop = stepOf(await getRun(runId), 'each').loop;
      return loop?.completed === 2 && items.inFlight === 1 ? loop : undefined;
    });
    expect(seen).toMatchObject({ total: 4, completed: 2, failed: 0 });
    expect(seen.iterations.map((i: { index: number; status: string }) => [i.index, i.status])).toEqual([
      [0, 'completed'],
      [1, 'completed'],
      [2, 'running'],
    ]);
    open();
    expect((await settled(runId)).status).toBe('completed');
  });

  it('cancels its items when the run is cancelled, and the run ends cancelled', async () => {
    let open!: () => void;
    const gate = new Promise<void>((res) => (open = res));
    Object.assign(items, { holdMs: 0, failing: new Set(), keys: [], gateItem: 1, gate });
    const runId = await fire(postFlow({ concurrency: 1 }), { orders: orders(3) });
    await eventually(async () => (items.inFlight === 1 && items.keys.length === 2 ? true : undefined));
    const res = await t.api({ method: 'POST', url: `/api/runs/${runId}/cancel` });
    expect(res.statusCode, res.body).toBeLessThan(300);
    const run = await settled(runId);
    open();
    expect(run.status).toBe('cancelled');
    const child = await t.client.workflow.getHandle(loopRunId(runId, 'each')).describe();
    expect(child.status.name).toBe('CANCELLED');
    // The third item never started.
    expect(items.keys).toHaveLength(2);
  });
});
