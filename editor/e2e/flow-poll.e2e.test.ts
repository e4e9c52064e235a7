// A flow started by polling, in real Chromium against a real Confluo (PostgreSQL, Temporal dev server, worker): the
// trigger form's Poll choice with the HTTP poll source, its settings form made from the source's input schema (URL,
// items path, dedupe key), an interval under a minute refused on its field (publish blocked), fixed, the flow
// published with exactly the trigger typed in, and the published poll's state shown in the trigger's form.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';
import { addAfter, canvasNode, createFlow, signIn } from './canvas.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot } = browserSession((s) => ({ confluo, page } = s));
const summary = () => canvasNode(page, 'trigger').getByTestId('trigger-summary').textContent();

let feed: Server;
let feedUrl: string;
beforeAll(async () => {
  feed = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { orders: [{ no: 1 }] } })),
  );
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/orders`;
});
afterAll(() => new Promise((resolve) => feed.close(resolve)));

describe('poll trigger in Chromium', () => {
  it('chooses the HTTP poll, fills its form, refuses a short interval on its field, publishes', async () => {
    onTestFailed(async () => {
      await shot('failure-flow-poll');
      console.error('page errors:', pageErrors);
    });
    await signIn(page, confluo);
    await createFlow(page, 'New orders');
    await canvasNode(page, 'trigger').click();
    const side = page.locator('.side');

    await side.getByLabel('Poll', { exact: true }).check();
    await expect.poll(summary).toBe('http.poll · every PT5M');
    const source = side.getByLabel('Source');
    expect(await source.inputValue()).toBe('http.poll');
    expect(await source.locator('option').allTextContents()).toContain('HTTP poll (http.poll)');

    // The settings form comes from http.poll's input schema.
    await side.getByLabel(/^URL/).fill(feedUrl);
    await side.getByLabel(/^Items path/).fill('data.orders');
    await side.getByLabel(/^Dedupe key/).fill('no');

    await addAfter(page, 'trigger', 'set');
    await canvasNode(page, 'set').waitFor();
    await canvasNode(page, 'set').click();
    await side.getByLabel('Values').fill('{ "order": "{{ trigger.item.no }}" }');
    await page.getByText('✓ Ready to publish').waitFor();

    // Thirty seconds is under the floor: the message is on the interval, and publishing is blocked.
    await canvasNode(page, 'trigger').click();
    const every = side.getByRole('group', { name: 'Poll every' });
    await every.getByLabel('Unit').selectOption('seconds');
    await every.getByLabel('Amount').fill('30');
    await expect
      .poll(() => side.getByRole('list', { name: 'Problems with every' }).textContent(), { timeout: 10_000 })
      .toMatch(/every "PT30S" is shorter than the shortest poll interval, PT1M/);
    await page.getByText('Fix 1 issue before publishing.').waitFor();
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await shot('51-poll-short-interval');

    await every.getByLabel('Unit').selectOption('minutes');
    await every.getByLabel('Amount').fill('2');
    await expect.poll(summary).toBe('http.poll · every PT2M');
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByTestId('published').waitFor();

    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await confluo.call('GET', `/api/flows/${flowId}/versions/1`);
    expect(saved.json.definition.trigger).toEqual({
      type: 'poll',
      source: 'http.poll',
      input: { url: feedUrl, itemsPath: 'data.orders', key: 'no' },
      every: 'PT2M',
    });

    // The published poll shows in the trigger's form: its schedule is active.
    await page.reload();
    await canvasNode(page, 'trigger').click();
    const status = side.getByRole('region', { name: 'Published poll' });
    await expect
      .poll(() => status.getByTestId('poll-state').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('active');
    const flow = (await confluo.call('GET', `/api/flows/${flowId}`)).json;
    expect(flow.poll).toMatchObject({ state: 'active', source: 'http.poll', every: 'PT2M', failures: 0 });
    await shot('52-poll-published');
    // Paused and resumed from the form, as Temporal's schedule shows.
    await status.getByRole('button', { name: 'Pause polling' }).click();
    await expect.poll(() => status.getByTestId('poll-state').getAttribute('data-state')).toBe('paused');
    expect((await confluo.call('GET', `/api/flows/${flowId}`)).json.poll.state).toBe('paused');
    await status.getByRole('button', { name: 'Resume polling' }).click();
    await expect.poll(() => status.getByTestId('poll-state').getAttribute('data-state')).toBe('active');
    await status.getByRole('button', { name: 'Pause polling' }).waitFor();
    // Deleting the flow deletes its poll Schedule (the dev server outlives this file).
    expect((await confluo.call('DELETE', `/api/flows/${flowId}`)).status).toBe(204);
  });
});
