// "Test step" in real Chromium against a real Confluo (PostgreSQL, Temporal dev server, worker): an http.request step
// tested from the samples (the unsaved draft as shown), its resolved input and output shown and the sink reached once;
// the output kept as the step's sample, which the next step's data picker then offers, marked; a test from the last
// run of a flow that has none explains itself, and after a test run of the whole flow takes that run's trigger.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, startSink, type Confluo } from './harness.js';
import { addAfter, createFlow, signIn } from './canvas.js';

// The sink listens on loopback, which http.request refuses by default.
process.env.CONFLUO_HTTP_ALLOW_PRIVATE = '1';

let confluo: Confluo;
let page: Page;
let sink: Awaited<ReturnType<typeof startSink>>;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));
const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

beforeAll(async () => {
  sink = await startSink();
});
afterAll(async () => {
  await sink?.close();
});

describe('test one step in Chromium', () => {
  it('tests a step, shows its output, keeps it as sample and offers it to the next step’s data picker', async () => {
    onTestFailed(async () => {
      await shot('failure-flow-step-test');
      console.error('page errors:', pageErrors);
    });
    await signIn(page, confluo);
    await createFlow(page, 'Step test');
    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const side = page.locator('.side');

    await node('trigger').click();
    await side.getByLabel('Sample event').fill(JSON.stringify({ body: { name: 'Ann', callback: sink.url } }));
    await addAfter(page, 'trigger', 'http.request');
    await node('request').waitFor();
    await addAfter(page, 'request', 'set');
    await node('set').waitFor();

    await node('request').click();
    await side.getByLabel('Method').selectOption('POST');
    await side.getByLabel(/^URL/).fill('{{ trigger.body.callback }}');
    await side.getByLabel('Body').fill('{ "hello": "{{ trigger.body.name }}" }');

    const test = side.getByRole('region', { name: 'Test step' });
    expect(await test.getByTestId('step-test-notice').textContent()).toMatch(/for real/);
    // From the last run: this flow has none yet, and says so.
    await test.getByLabel('From the last run').check();
    await test.getByRole('button', { name: 'Test step' }).click();
    await expect
      .poll(() => test.getByTestId('step-test-failure').textContent(), { timeout: 15_000 })
      .toMatch(/no run yet/);

    await test.getByLabel('From samples').check();
    await test.getByRole('button', { name: 'Test step' }).click();
    const output = test.getByTestId('step-test-output');
    await output.waitFor({ timeout: 30_000 });
    expect(JSON.parse((await test.getByTestId('step-test-input').textContent())!)).toMatchObject({
      method: 'POST',
      url: sink.url,
      body: { hello: 'Ann' },
    });
    expect(JSON.parse((await output.textContent())!)).toMatchObject({ status: 200, body: { ok: true } });
    expect(sink.received).toEqual([{ hello: 'Ann' }]);
    await shot('flow-step-test-1-output');

    await test.getByRole('button', { name: 'Keep as sample' }).click();
    await test.getByRole('button', { name: 'Kept as sample' }).waitFor();
    await page.getByText('All changes saved').waitFor();
    const draft = (await call('GET', `/api/flows/${flowId}`)).json.definition;
    expect(draft.nodes.find((n: { id: string }) => n.id === 'request').sample).toMatchObject({
      status: 200,
      body: { ok: true },
    });

    // The next step's picker offers the sample's fields, marked as from the sample; one goes into its values.
    await node('set').click();
    const entry = page.locator('.data-picker').getByRole('button', { name: /^steps\.request\.output\.body\.ok/ });
    await entry.waitFor();
    expect(await entry.locator('.badge').textContent()).toBe('sample');
    expect(await entry.getAttribute('title')).toMatch(/from the sample kept by Test step/);
    const values = side.getByLabel('Values');
    await values.fill('{ "ok": "" }');
    await values.click();
    await page.keyboard.press('End');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    await entry.click();
    await expect.poll(() => values.inputValue()).toBe('{ "ok": "{{ steps.request.output.body.ok }}" }');
    await shot('flow-step-test-2-picker');
    expect(sink.received).toHaveLength(1);

    // A test run of the whole flow on another event; then the step tested from that last run gets its trigger.
    await page.getByText('All changes saved').waitFor();
    await page.getByRole('tab', { name: 'Test run' }).click();
    await side.getByLabel('Sample event').fill(JSON.stringify({ body: { name: 'Bea', callback: sink.url } }));
    await page.getByRole('button', { name: 'Run test' }).click();
    await expect
      .poll(() => side.getByTestId('run-status').first().textContent(), { timeout: 30_000 })
      .toBe('completed');
    expect(sink.received).toEqual([{ hello: 'Ann' }, { hello: 'Bea' }]);
    await node('request').click();
    await test.getByLabel('From the last run').check();
    // The runs list is eventually consistent: wait until it has the run, which is then the last run.
    await expect
      .poll(async () => (await call('GET', `/api/runs?flowId=${flowId}`)).json.items.length, { timeout: 20_000 })
      .toBe(1);
    await test.getByRole('button', { name: 'Test step' }).click();
    await test.getByTestId('step-test-input').waitFor({ timeout: 30_000 });
    expect(JSON.parse((await test.getByTestId('step-test-input').textContent())!)).toMatchObject({
      body: { hello: 'Bea' },
    });
    await test.getByTestId('step-test-output').waitFor();
    expect(sink.received).toEqual([{ hello: 'Ann' }, { hello: 'Bea' }, { hello: 'Bea' }]);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
