// A loop node in the editor, in real Chromium against a real Confluo (PostgreSQL, Temporal dev server, worker): a Loop
// from the palette, its items refused under the field while they can never be a list (Publish disabled), then a body
// step on its "item" handle (the data picker offering loop.item and loop.index) and a step on "done" reading its
// results; published, run, and the run view showing the items' count and each iteration, the canvas the body's status.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';
import { addAfter, canvasNode, createFlow, signIn } from './canvas.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));
const node = (id: string) => canvasNode(page, id);

describe('loop in Chromium', () => {
  it('builds a loop on the canvas, publishes it and shows its iterations in the run view', async () => {
    onTestFailed(async () => {
      await shot('failure-flow-loop');
      console.error('page errors:', pageErrors);
    });
    await signIn(page, confluo);
    await createFlow(page, 'Orders');
    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const side = page.locator('.side');
    const publish = page.getByRole('button', { name: 'Publish' });

    await addAfter(page, 'trigger', 'loop');
    await node('loop').waitFor();
    await node('loop').click();
    // Text that can never be a list: an issue under the field, and no publishing.
    const items = side.getByLabel('Items', { exact: true });
    await items.fill('orders');
    await expect
      .poll(() => side.getByRole('alert').allTextContents(), { timeout: 10_000 })
      .toContain(
        'items must give an array: "orders" is a string (write exactly one placeholder, e.g. "{{ trigger.body.items }}")',
      );
    await expect.poll(() => publish.isDisabled()).toBe(true);
    await items.fill('{{ trigger.body.orders }}');
    await side.getByLabel('Items at the same time').fill('2');
    await side.getByLabel('When an item fails').selectOption('continue');

    // The first step after the loop goes on its "item" handle: the body, which sees the item and its index.
    await addAfter(page, 'loop', 'set');
    await node('set').waitFor();
    await node('set').click();
    const picker = page.getByRole('list', { name: 'Available data' });
    await picker.getByText('loop.item', { exact: true }).waitFor();
    await picker.getByText('loop.index', { exact: true }).waitFor();
    await side
      .getByLabel('Values')
      .fill('{ "doubled": { "$logic": { "*": [{ "var": "loop.item" }, 2] } }, "at": "{{ loop.index }}" }');
    // The next one goes on "done": it reads the loop's results, and loop.item is not offered there.
    await addAfter(page, 'loop', 'set');
    await node('set_2').waitFor();
    await node('set_2').click();
    await picker.getByText('steps.loop.output.results', { exact: true }).waitFor();
    expect(await picker.getByText('loop.item', { exact: true }).count()).toBe(0);
    await side.getByLabel('Values').fill('{ "all": "{{ steps.loop.output.results }}" }');
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();
    await shot('flow-loop-1-canvas');
    await publish.click();
    await page.getByTestId('published').waitFor();
    const saved = (await call('GET', `/api/flows/${flowId}/versions/1`)).json.definition as {
      nodes: Array<Record<string, unknown>>;
      edges: unknown[];
    };
    expect(saved.nodes.map(({ position: _p, ...n }) => n)).toEqual([
      { id: 'loop', type: 'loop', items: '{{ trigger.body.orders }}', concurrency: 2, onError: 'continue' },
      {
        id: 'set',
        type: 'set',
        values: { doubled: { $logic: { '*': [{ var: 'loop.item' }, 2] } }, at: '{{ loop.index }}' },
      },
      { id: 'set_2', type: 'set', values: { all: '{{ steps.loop.output.results }}' } },
    ]);
    expect(saved.edges).toEqual([
      { from: 'trigger', to: 'loop' },
      { from: 'loop', to: 'set', branch: 'item' },
      { from: 'loop', to: 'set_2', branch: 'done' },
    ]);

    // A run over five orders: the run view counts the items and lists each iteration with its steps.
    const hook = new URL((await call('GET', `/api/flows/${flowId}`)).json.webhookUrl as string).pathname;
    const fired = await fetch(`${confluo.baseUrl}${hook}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orders: [1, 2, 3, 4, 5] }),
    });
    const { runId } = (await fired.json()) as { runId: string };
    await page.goto(`${confluo.baseUrl}/flows/${flowId}?run=${encodeURIComponent(runId)}`);
    await expect
      .poll(() => page.getByTestId('run-status').first().textContent(), { timeout: 30_000 })
      .toBe('completed');
    expect(await page.getByTestId('loop-progress-loop').textContent()).toContain('5/5 items');
    await page.locator('.run-steps summary', { hasText: 'loop' }).first().click();
    for (let i = 0; i < 5; i++) await page.getByTestId(`iteration-${i}`).waitFor();
    await page.getByTestId('iteration-4').locator('summary').click();
    await page.getByTestId('iteration-4').locator('pre', { hasText: '"doubled": 10' }).waitFor();
    // The body's node on the canvas shows its latest iteration's status.
    await expect.poll(() => node('set').getByTestId('status-set').textContent()).toBe('completed');
    await expect.poll(() => node('set_2').getByTestId('status-set_2').textContent()).toBe('completed');
    await shot('flow-loop-2-run');
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
