// A respond node in the editor, in real Chromium against a real Confluo (PostgreSQL, Temporal dev server, worker): the
// Respond item is offered in a webhook flow only, its form sets the status, a templated header and the body (a header
// the server owns is an issue under the field that blocks publishing), the trigger gets its wait for the answer, and
// after publishing a POST to the webhook from the test gets the respond node's answer.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';
import { addAfter, canvasNode, createFlow, signIn } from './canvas.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));

describe('respond in Chromium', () => {
  it('adds a Respond step, publishes, and the webhook answers with it', async () => {
    onTestFailed(async () => {
      await shot('failure-flow-respond');
      console.error('page errors:', pageErrors);
    });
    await signIn(page, confluo);
    await createFlow(page, 'Order answer');
    const flowId = new URL(page.url()).pathname.split('/').pop()!;

    // Offered in a webhook flow (the default trigger).
    await page.locator('[data-palette="respond"]').waitFor();
    await addAfter(page, 'trigger', 'respond');
    await canvasNode(page, 'respond').waitFor();
    await canvasNode(page, 'respond').click();
    const side = page.locator('.side');
    await side.getByRole('heading', { name: 'Respond to webhook' }).waitFor();
    await side.getByLabel('Status').fill('201');
    await expect.poll(() => canvasNode(page, 'respond').textContent()).toContain('answers 201');

    // A header the server owns: an issue under the field, and Publish is disabled.
    const headers = side.getByLabel('Headers');
    await headers.fill('Content-Length: 5');
    await expect
      .poll(() => side.getByRole('alert').allTextContents(), { timeout: 10_000 })
      .toContain('"Content-Length" is set by the server, not by a flow');
    await expect.poll(() => page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await headers.fill('X-Order: {{ trigger.body.order }}');
    await side.getByLabel('Body').fill('{ "ok": true, "order": "{{ trigger.body.order }}", "run": "{{ run.id }}" }');

    // The trigger's wait for the answer, shown now that the flow has a Respond step.
    await canvasNode(page, 'trigger').click();
    const wait = side.getByRole('group', { name: 'Wait for the answer' });
    await wait.getByLabel('Amount').fill('5');
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();
    await shot('flow-respond-1-inspector');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByTestId('published').waitFor();

    const saved = (await call('GET', `/api/flows/${flowId}/versions/1`)).json.definition as {
      trigger: unknown;
      nodes: Array<Record<string, unknown>>;
    };
    expect(saved.trigger).toMatchObject({ type: 'webhook', respond: { timeout: 'PT5S' } });
    expect(saved.nodes.map(({ position: _p, ...n }) => n)).toEqual([
      {
        id: 'respond',
        type: 'respond',
        status: 201,
        headers: { 'X-Order': '{{ trigger.body.order }}' },
        body: { ok: true, order: '{{ trigger.body.order }}', run: '{{ run.id }}' },
      },
    ]);

    // The webhook, called from the test, answers with the node's status, header and body, from the run.
    const hook = new URL((await call('GET', `/api/flows/${flowId}`)).json.webhookUrl as string).pathname;
    const res = await fetch(`${confluo.baseUrl}${hook}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ order: 77 }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-order')).toBe('77');
    const answer = (await res.json()) as { ok: boolean; order: number; run: string };
    expect(answer).toMatchObject({ ok: true, order: 77 });

    // The run is there, completed, its Respond step holding the answer it gave.
    await page.goto(`${confluo.baseUrl}/flows/${flowId}?run=${encodeURIComponent(answer.run)}`);
    await expect
      .poll(() => page.getByTestId('run-status').first().textContent(), { timeout: 30_000 })
      .toBe('completed');
    await shot('flow-respond-2-run');

    // Not offered once the flow starts on a schedule (the validator would refuse it there).
    await page.goto(`${confluo.baseUrl}/flows/${flowId}`);
    await canvasNode(page, 'trigger').click();
    await side.getByLabel('Schedule').check();
    await expect.poll(() => page.locator('[data-palette="respond"]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
