// The reference flow built, validated, published and watched in real Chromium (Debian's package) against a real
// Confluo: PostgreSQL, Temporal dev server, worker. Screenshots go to test-results/editor/.
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  ensureEditorBuilt,
  launchChromium,
  openPage,
  SCREENSHOTS,
  startConfluo,
  startSink,
  type Confluo,
} from './harness.js';
import { connect, createFlow, signIn } from './canvas.js';

let confluo: Confluo;
let sink: Awaited<ReturnType<typeof startSink>>;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensureEditorBuilt();
  // The callback sink listens on loopback, which http.request refuses by default.
  process.env.CONFLUO_HTTP_ALLOW_PRIVATE = '1';
  [confluo, sink, browser] = await Promise.all([startConfluo(), startSink(), launchChromium()]);
  page = await openPage(browser, pageErrors);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sink?.close();
  await confluo?.close();
});

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

/** Drags a palette item onto the canvas at (x, y) relative to the canvas. */
async function dropFromPalette(item: string, x: number, y: number) {
  await page
    .locator(`[data-palette="${item}"]`)
    .dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
}

const out = (id: string, branch?: string) =>
  // Without a branch: the node's next handle (an action also has its error handle).
  node(id).locator(
    `.react-flow__handle.source${branch ? `[data-handleid="${branch}"]` : ':is(:not([data-branch]), [data-branch=""])'}`,
  );

/** Clicks a field, then a data-picker entry, inserting `{{ path }}` at the caret. */
async function pick(field: Locator, path: string) {
  await field.click();
  await page
    .locator('.data-picker')
    .getByRole('button', { name: new RegExp(`^${path.replace(/\./g, '\\.')}`) })
    .click();
}

describe('editor in Chromium', () => {
  it('loads the first page without a console error (the icon included)', async () => {
    const errors: string[] = [];
    const consoleErrors: string[] = [];
    const fresh = await openPage(browser, errors, { consoleErrors });
    try {
      await fresh.goto(confluo.baseUrl, { waitUntil: 'networkidle' });
      await fresh.getByLabel('API key').waitFor();
      expect(consoleErrors).toEqual([]);
      expect(errors).toEqual([]);
      const icon = await fetch(`${confluo.baseUrl}/favicon.ico`);
      expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    } finally {
      await fresh.context().close();
    }
  });

  it('signs in, builds the reference flow by drag and drop, publishes it and watches a run finish', async () => {
    onTestFailed(async () => {
      await shot('failure');
      console.error('page errors:', pageErrors);
    });
    await page.goto(confluo.baseUrl);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not accepted/);
    await shot('01-sign-in-error');
    await page.getByLabel('API key').fill(confluo.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No flows yet').waitFor();
    await shot('02-flows-empty');

    await createFlow(page, 'VIP signup');

    // The trigger's sample event feeds the data picker.
    await node('trigger').click();
    const sample = { body: { tier: 'vip', email: 'Ann@Example.com', name: 'Ann', callback: sink.url } };
    await page.getByLabel('Sample event').fill(JSON.stringify(sample, null, 2));

    // webhook → condition (true) → contacts.upsert → http.request
    await dropFromPalette('condition', 350, 520);
    await node('condition').waitFor();
    await connect(page, out('trigger'), 'condition');
    await page.getByLabel('Value', { exact: true }).fill('trigger.body.tier');
    await page.getByLabel('Compared to').fill('vip');

    await dropFromPalette('contacts.upsert', 160, 660);
    await node('upsert').waitFor();
    await connect(page, out('condition', 'true'), 'upsert');
    // An upsert without email, phone or identities is invalid: the issue shows on the node and publish is blocked.
    await node('upsert').getByTestId('issues-upsert').waitFor();
    await page.getByText('fill in at least one of: email, phone, identities').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await page.getByText(/Fix \d+ issues? before publishing/).waitFor();
    await node('upsert').click();
    await shot('03-validation-issue');

    await pick(page.locator('.side').getByLabel('Email', { exact: true }), 'trigger.body.email');
    await pick(page.locator('.side').getByLabel('Name', { exact: true }), 'trigger.body.name');
    await node('upsert').getByTestId('issues-upsert').waitFor({ state: 'detached' });

    await dropFromPalette('http.request', 560, 200);
    await node('request').waitFor();
    await connect(page, out('upsert'), 'request');
    await node('request').click();
    await page.locator('.side').getByLabel('Method').selectOption('POST');
    await pick(page.locator('.side').getByLabel(/^URL/), 'trigger.body.callback');
    await page.locator('.side').getByLabel('Body').fill('{ "contact": "{{ steps.upsert.output.id }}" }');

    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();
    await shot('04-reference-flow');

    // Invalid JSON in the test event is shown inline and nothing is sent.
    await page.getByRole('tab', { name: 'Test run' }).click();
    await page.getByLabel('Sample event').fill('{ "body": ');
    await page.getByText(/Not valid JSON/).waitFor();
    expect(await page.getByRole('button', { name: 'Run test' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Publish' }).click();
    const published = page.getByTestId('published');
    await published.waitFor();
    const webhookUrl = (await published.locator('code').textContent())!;
    expect(webhookUrl).toMatch(new RegExp(`^${confluo.baseUrl}/hooks/flows/`));
    await shot('05-published');

    const res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sample.body),
    });
    expect(res.status).toBe(202);

    await page.getByRole('tab', { name: 'Runs' }).click();
    const runLink = page.locator('.runs button').first();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return runLink.count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    await runLink.click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000, interval: 500 })
      .toBe('completed');
    await expect.poll(() => page.getByTestId('status-request').textContent()).toBe('completed');
    expect(await page.getByTestId('status-upsert').textContent()).toBe('completed');
    expect(await page.getByText('Viewing version 1 (read-only)').count()).toBe(1);
    await shot('06-run-overlay');

    expect(sink.received).toEqual([{ contact: expect.stringMatching(/^c/) }]);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('edits with the keyboard, keeps the draft through a lost connection, test-runs the draft, manages flows', async () => {
    onTestFailed(async () => {
      await shot('failure-2');
      console.error('page errors:', pageErrors);
    });
    page.on('dialog', (d) => void d.accept());
    await page.goto(confluo.baseUrl);
    await page.getByRole('link', { name: 'VIP signup' }).waitFor();
    await createFlow(page, 'Scratch');

    // Enter on a palette item adds it after the selected node (the trigger when none is).
    await page.locator('[data-palette="set"]').focus();
    await page.keyboard.press('Enter');
    await node('set').waitFor();
    expect(await page.locator('.react-flow__edge').count()).toBe(1);
    await page.locator('[data-palette="set"]').focus();
    await page.keyboard.press('Control+z');
    await node('set').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+Shift+z');
    await node('set').waitFor();
    // An edge is selected by clicking it and deleted with the Delete key.
    const a = (await out('trigger').boundingBox())!;
    const b = (await node('set').locator('.react-flow__handle.target').boundingBox())!;
    await page.mouse.click(a.x + a.width / 2, (a.y + a.height + b.y) / 2);
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await page.getByText('All changes saved').waitFor();

    // Saves fail while offline; the draft survives a reload from localStorage and is saved once the server is back.
    await page.route('**/api/flows/*', (route) =>
      route.request().method() === 'PUT' ? route.abort('internetdisconnected') : route.continue(),
    );
    await node('set').click();
    await page.locator('.side').getByLabel('Values').fill('{ "greeting": "Hi {{ trigger.body.name }}" }');
    await page.getByText(/Not saved: Cannot reach/).waitFor();
    await page.reload();
    await page.unroute('**/api/flows/*');
    await node('set').waitFor();
    await page.getByText('All changes saved').waitFor();
    await node('set').click();
    expect(JSON.parse(await page.locator('.side').getByLabel('Values').inputValue())).toEqual({
      greeting: 'Hi {{ trigger.body.name }}',
    });

    await page.getByRole('tab', { name: 'Test run' }).click();
    await page.getByLabel('Sample event').fill('{ "body": { "name": "Bo" } }');
    await page.getByRole('button', { name: 'Run test' }).click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000, interval: 500 })
      .toBe('completed');
    expect(await page.getByTestId('status-set').textContent()).toBe('completed');
    await page.locator('.run-steps summary').first().click();
    await page.locator('.run-steps pre', { hasText: '"greeting": "Hi Bo"' }).waitFor();
    await shot('07-test-run');

    // Edit the draft, then open that test run from the runs list: it shows the draft as the run ran it, read-only.
    const values = () => page.locator('.side').getByLabel('Values');
    const stepForm = async () => {
      await node('set').click();
      await page.getByRole('tab', { name: 'Step' }).click();
    };
    await stepForm();
    await values().fill('{ "greeting": "Bye" }');
    await page.getByRole('tab', { name: 'Runs' }).click();
    const runButton = page.getByRole('list', { name: 'Runs' }).getByRole('button').first();
    await expect
      .poll(
        async () => {
          if ((await runButton.count()) === 0) await page.getByRole('button', { name: 'Refresh' }).click();
          return runButton.count();
        },
        { timeout: 20_000, interval: 700 },
      )
      .toBeGreaterThan(0);
    await runButton.click();
    await page.getByText('Viewing a test run’s draft (read-only)').waitFor();
    await expect.poll(() => page.getByTestId('status-set').textContent(), { timeout: 10_000 }).toBe('completed');
    await stepForm();
    expect(JSON.parse(await values().inputValue())).toEqual({ greeting: 'Hi {{ trigger.body.name }}' });
    await page.getByRole('button', { name: 'Back to draft' }).click();
    await stepForm();
    expect(JSON.parse(await values().inputValue())).toEqual({ greeting: 'Bye' });

    await page.getByRole('link', { name: '← Flows' }).click();
    await page.getByRole('button', { name: 'Rename Scratch' }).click();
    await page.getByLabel('New name for Scratch').fill('Scratch renamed');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Scratch renamed' }).waitFor();
    await shot('08-flows-list');
    await page.getByRole('button', { name: 'Delete Scratch renamed' }).click();
    await page.getByRole('link', { name: 'Scratch renamed' }).waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('builds channel message (sms) → wait for reply (P1D) → conversations.reply, with validation clearing live, and publishes it', async () => {
    onTestFailed(async () => {
      await shot('failure-3');
      console.error('page errors:', pageErrors);
    });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await confluo.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return res.json as Record<string, unknown>;
    };
    const account = await call('POST', '/api/channel-accounts', {
      connector: 'sms',
      name: 'Main line',
      credentials: { accountSid: `AC${'a'.repeat(32)}`, authToken: 'not-a-real-token' },
      settings: { from: '+14155550100' },
    });

    // Signed in (also when this test runs alone).
    await signIn(page, confluo);
    await createFlow(page, 'Order follow-up');
    const side = page.locator('.side');

    // A wait under a webhook trigger must name a contact: the issue shows on the node and under the field.
    await dropFromPalette('wait', 350, 500);
    await node('wait').waitFor();
    await connect(page, out('trigger'), 'wait');
    expect(await node('wait').locator('.node-sub').textContent()).toBe('reply within 1 day');
    await node('wait').getByTestId('issues-wait').waitFor();
    await side.getByText(/wait "wait" needs a contact/).waitFor();
    expect(await side.getByText('P1D').count()).toBe(1);
    await side.getByText(/Required here: only runs started by a channel message/).waitFor();

    // Channel message trigger: the wait defaults to the sender, so the issue clears.
    await node('trigger').click();
    await side.getByLabel('Channel message').check();
    await node('wait').getByTestId('issues-wait').waitFor({ state: 'detached' });
    await side.getByLabel('SMS (sms)').check();
    await side.getByLabel('Main line (sms)').check();
    await side.getByRole('button', { name: 'Add a filter' }).click();
    await side.getByLabel('Operator').selectOption('contains');
    await side.getByLabel('Compared to').fill('order');
    await expect
      .poll(() => node('trigger').getByTestId('trigger-summary').textContent())
      .toBe('sms · 1 account · filtered');
    await shot('09-channel-trigger');
    expect(await side.getByLabel('Sample event').count()).toBe(0);
    await node('wait').click();
    await side.getByText(/Leave empty to wait for the sender/).waitFor();

    // received → conversations.reply, filled from the data picker (contact, the reply's text).
    await dropFromPalette('conversations.reply', 160, 660);
    await node('reply').waitFor();
    await connect(page, out('wait', 'received'), 'reply');
    await node('reply').getByTestId('issues-reply').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await node('reply').click();
    await pick(side.getByLabel(/^Contact/), 'contact.id');
    const text = side.getByLabel(/^Text/);
    expect(await text.evaluate((el) => el.tagName)).toBe('TEXTAREA');
    await text.fill('Thanks! You wrote: ');
    await pick(text, 'steps.wait.output.message.text');

    // timeout → sms.send from the account chosen in the account field (a template stays possible).
    await dropFromPalette('sms.send', 560, 200);
    await node('send').waitFor();
    await connect(page, out('wait', 'timeout'), 'send');
    await node('send').click();
    // The message-or-media alternative is one issue; the account and the recipient are their own.
    await side.getByText('fill in at least one of: body, mediaUrls', { exact: true }).waitFor();
    const accountField = side.getByRole('combobox', { name: /^Channel account/ });
    expect(await accountField.locator('option').allTextContents()).toEqual([
      'Choose an account…',
      'Main line',
      'Another id or a template…',
    ]);
    await accountField.selectOption({ label: 'Another id or a template…' });
    await pick(side.getByRole('textbox', { name: /id or template/ }), 'trigger.accountId');
    await accountField.selectOption({ label: 'Main line' });
    await side.getByRole('textbox', { name: /id or template/ }).waitFor({ state: 'detached' });
    await pick(side.getByLabel(/^To\*?$/), 'trigger.sender.identity.value');
    await side.getByLabel(/^Message/).fill('Still there? Reply with your order number.');

    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();
    await node('wait').click();
    await shot('10-channel-flow');

    await page.getByRole('button', { name: 'Publish' }).click();
    const published = page.getByTestId('published');
    await published.waitFor();
    expect(await published.textContent()).toMatch(/Published version 1\. It starts on each matching inbound message\./);
    expect(await published.locator('code').count()).toBe(0);
    await page.getByRole('tab', { name: 'Versions' }).click();
    await side.getByText('This flow starts on inbound channel messages, not on a webhook.').waitFor();
    expect(await side.getByLabel('Webhook URL').count()).toBe(0);

    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const saved = (await call('GET', `/api/flows/${flowId}/versions/1`)).definition as {
      trigger: unknown;
      nodes: Record<string, unknown>[];
      edges: unknown[];
    };
    expect(saved.trigger).toEqual({
      type: 'channel.message',
      channels: ['sms'],
      accounts: [account.id],
      filter: { in: ['order', { var: 'trigger.message.text' }] },
    });
    expect(saved.nodes.map(({ position: _p, ...n }) => n)).toEqual([
      { id: 'wait', type: 'wait', for: 'reply', timeout: 'P1D' },
      {
        id: 'reply',
        type: 'action',
        action: 'conversations.reply',
        input: { contact: '{{ contact.id }}', text: 'Thanks! You wrote: {{ steps.wait.output.message.text }}' },
      },
      {
        id: 'send',
        type: 'action',
        action: 'sms.send',
        input: {
          account: account.id,
          to: '{{ trigger.sender.identity.value }}',
          body: 'Still there? Reply with your order number.',
        },
      },
    ]);
    expect(saved.edges).toEqual([
      { from: 'trigger', to: 'wait' },
      { from: 'wait', to: 'reply', branch: 'received' },
      { from: 'wait', to: 'send', branch: 'timeout' },
    ]);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
