// The web chat widget in real Chromium (playwright-core, Debian's /usr/bin/chromium): a shop's page on another origin
// embeds widget.js, the visitor writes, and the flow's reply appears in the panel; a reload continues the conversation.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChannelHarness, type ChannelHarness } from './test-channels.js';

// The flags of editor/e2e/harness.ts.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = resolve(import.meta.dirname, '../test-results/webchat');

let h: ChannelHarness;
let browser: Browser;
let shop: Server;
let shopUrl: string;
let account: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [h, browser] = await Promise.all([
    startChannelHarness(),
    chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }),
  ]);
  // The business's own website: another origin than Confluo's.
  shop = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fjord Outdoor</title></head>
<body><h1>Fjord Outdoor</h1><p>Tents, boots and good advice.</p>
<script src="${h.base}/webchat/widget.js" data-account="${account}" async></script></body></html>`);
  });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  ({ id: account } = await h.createAccount({
    connector: 'webchat',
    name: 'Website',
    credentials: {},
    settings: {
      allowedOrigins: [shopUrl],
      title: 'Fjord Outdoor',
      greeting: 'Hei! How can we help?',
      color: '#0f766e',
    },
  }));
  await h.publish({
    schemaVersion: 1,
    trigger: { type: 'channel.message', channels: ['webchat'] },
    nodes: [
      {
        id: 'greet',
        type: 'action',
        action: 'conversations.reply',
        input: { contact: '{{ contact.id }}', text: 'Hi {{ contact.name }}, thanks for writing!' },
      },
    ],
    edges: [{ from: 'trigger', to: 'greet' }],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => shop?.close(r));
  await h?.close();
});

/** A page that records what it requested and any script error. */
async function openPage(url: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  return { page, requests, errors };
}

describe('the web chat widget in Chromium', () => {
  it('a visitor on the shop writes and the flow answers in the panel; a reload keeps the conversation', async () => {
    const { page, requests, errors } = await openPage(shopUrl);
    const context = page.context();
    await page.getByRole('button', { name: 'Open chat' }).click();
    const panel = page.getByRole('dialog', { name: 'Fjord Outdoor' });
    await expect.poll(() => panel.isVisible()).toBe(true);
    await expect.poll(() => panel.getByText('Hei! How can we help?').isVisible(), { timeout: 15_000 }).toBe(true);

    await panel.getByLabel('Your name').fill('Ada');
    const message = panel.getByLabel('Message');
    await message.fill('Do you ship to Tromsø?');
    await message.press('Enter');
    await expect.poll(() => panel.getByText('Do you ship to Tromsø?').isVisible()).toBe(true);
    await expect.poll(() => panel.getByText('Hi Ada, thanks for writing!').isVisible(), { timeout: 30_000 }).toBe(true);
    // Sent (not pending, not failed) and shown once, though the long poll also brought it back.
    await expect
      .poll(() => panel.locator('.msg.in').evaluateAll((els) => els.map((e) => [e.textContent, e.className])))
      .toEqual([['Do you ship to Tromsø?', 'msg in']]);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'widget.png') });

    const confluo = new URL(h.base).origin;
    expect(requests.filter((u) => !u.startsWith(shopUrl) && !u.startsWith(confluo))).toEqual([]);
    expect(requests.some((u) => u.startsWith(`${confluo}/hooks/channels/${account}`))).toBe(true);
    expect(errors).toEqual([]);

    // The stored session brings the conversation back, with the reply, on the next page view (the panel stays open).
    await page.reload();
    const again = page.getByRole('dialog', { name: 'Fjord Outdoor' });
    await expect.poll(() => again.getByText('Hi Ada, thanks for writing!').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await again.getByText('Do you ship to Tromsø?').count()).toBe(1);
    await context.close();
  });

  it('works on the demo page, under its strict content security policy', async () => {
    const { page, errors } = await openPage(`${h.base}/webchat/${account}/demo`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const panel = page.getByRole('dialog', { name: 'Fjord Outdoor' });
    await expect.poll(() => panel.getByText('Hei! How can we help?').isVisible(), { timeout: 15_000 }).toBe(true);
    // Styled: the constructed style sheet was not blocked.
    const position = (e: unknown) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { position: string } }).getComputedStyle(e).position;
    expect(await page.getByRole('button', { name: 'Close chat' }).first().evaluate(position)).toBe('fixed');
    await panel.getByLabel('Your name').fill('Grace');
    await panel.getByLabel('Message').fill('Testing the demo');
    await panel.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => panel.getByText('Hi Grace, thanks for writing!').isVisible(), { timeout: 30_000 })
      .toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
