// The Channels screen in real Chromium against a real Confluo: a web chat account connected through the UI (no
// provider to call: its widget secret is generated on registration), listed with its inbound URL and embed snippet,
// renamed without touching its credentials, an SMS account refused with the server's issues on the fields, and the
// web chat account deleted.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ensureEditorBuilt, launchChromium, openPage, SCREENSHOTS, startConfluo, type Confluo } from './harness.js';

let confluo: Confluo;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensureEditorBuilt();
  [confluo, browser] = await Promise.all([startConfluo(), launchChromium()]);
  // Clipboard permissions so the test can read back what Copy wrote.
  page = await openPage(browser, pageErrors, { permissions: ['clipboard-read', 'clipboard-write'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await confluo?.close();
});

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

const call = (method: string, path: string) => confluo.call(method, path);

/** The text of the error list @rjsf renders for a field (the input's aria-describedby names it). */
async function fieldErrors(label: string): Promise<string | null> {
  const id = await page.getByLabel(label, { exact: false }).first().getAttribute('id');
  const errors = page.locator(`[id="${id}__error"]`);
  return (await errors.count()) ? errors.textContent() : null;
}

describe('channels in Chromium', () => {
  it('connects a web chat account, copies its inbound URL and snippet, renames it, refuses a malformed SMS account, deletes the web chat', async () => {
    onTestFailed(async () => {
      await shot('channels-failure');
      console.error('page errors:', pageErrors);
    });
    await page.goto(confluo.baseUrl);
    await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
    await page.reload();

    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Flows', 'Inbox', 'Contacts', 'Channels']);
    await nav.getByRole('link', { name: 'Channels' }).click();
    expect(new URL(page.url()).pathname).toBe('/channels');
    expect(await nav.getByRole('link', { name: 'Channels' }).getAttribute('aria-current')).toBe('page');
    await page.getByText('No channels yet.').waitFor();

    // Connect: the picker offers the channel connectors only; web chat has no credentials to enter.
    await page.getByRole('link', { name: 'Connect a channel' }).click();
    const picker = page.getByRole('list', { name: 'Channels to connect' });
    await expect
      .poll(() =>
        picker
          .getByRole('link')
          .allTextContents()
          .then((t) => t.length),
      )
      .toBeGreaterThan(0);
    const offered = await picker.getByRole('link').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(offered).toEqual(expect.arrayContaining(['Email', 'SMS', 'Telegram', 'Web chat', 'WhatsApp']));
    expect(offered).not.toContain('HTTP');
    await picker.getByRole('link', { name: 'Web chat', exact: true }).click();
    expect(new URL(page.url()).pathname).toBe('/channels/new/webchat');
    const form = page.getByRole('form', { name: 'Connect Web chat' });
    await form.waitFor();
    expect(await form.getByRole('region', { name: 'Credentials' }).textContent()).toBe(
      'CredentialsNone to enter.Set by Confluo when it saves the account: Widget secret.',
    );
    await form.getByLabel('Account name').fill('Website chat');
    // The settings form shows the schema's defaults.
    expect(await form.getByLabel('Title', { exact: true }).inputValue()).toBe('Chat with us');
    await form.getByLabel('Title', { exact: true }).fill('Fjord Outdoor');
    await form.getByRole('button', { name: 'Add to Allowed origins' }).click();
    const origins = form.getByRole('group', { name: 'Allowed origins' });
    await origins.getByRole('textbox').fill('https://shop.example');
    await form.getByRole('button', { name: 'Connect' }).click();

    // Listed, with its inbound URL, what to do with it, and the embed snippet.
    await page.getByRole('status').filter({ hasText: '“Website chat” is connected.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/channels');
    const list = await call('GET', '/api/channel-accounts');
    expect(list.json.items).toHaveLength(1);
    const created = list.json.items[0];
    expect(created).toMatchObject({
      connector: 'webchat',
      name: 'Website chat',
      settings: { title: 'Fjord Outdoor', allowedOrigins: ['https://shop.example'], color: '#2563eb' },
      credentialKeys: ['widgetSecret'],
      credentialsReadable: true,
    });
    const id: string = created.id;
    const inboundUrl = `${confluo.baseUrl}/hooks/channels/${id}`;
    const snippet = `<script src="${confluo.baseUrl}/webchat/widget.js" data-account="${id}" async></script>`;
    const card = page.getByRole('listitem', { name: 'Website chat' });
    expect(await card.locator('.badge').allTextContents()).toEqual(['Web chat', 'webhook']);
    expect(await card.getByRole('textbox', { name: 'Inbound URL' }).inputValue()).toBe(inboundUrl);
    expect(await card.getByRole('textbox', { name: 'Embed snippet' }).inputValue()).toBe(snippet);
    expect(await card.locator('.setup-hint').textContent()).toBe(
      'Nothing to paste: put the embed snippet below on your website, before </body>.',
    );
    const demo = card.getByRole('link', { name: /demo page/ });
    expect(await demo.getAttribute('href')).toBe(`${confluo.baseUrl}/webchat/${id}/demo`);
    expect((await fetch(`${confluo.baseUrl}/webchat/${id}/demo`)).status).toBe(200);
    expect(await card.textContent()).toMatch(/Added \d{1,2} [A-Z][a-z]{2}/);

    await card.getByRole('button', { name: 'Copy the inbound URL of Website chat' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(inboundUrl);
    await card.getByRole('button', { name: 'Copy the embed snippet of Website chat' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(snippet);
    await shot('12-channels');

    // Rename: only the name goes; the stored credentials and settings stay as they were.
    const before = await confluo.prisma.channelAccount.findUniqueOrThrow({ where: { id } });
    await card.getByRole('link', { name: 'Edit Website chat' }).click();
    expect(new URL(page.url()).pathname).toBe(`/channels/${id}/edit`);
    const edit = page.getByRole('form', { name: 'Edit Website chat' });
    expect(await edit.getByLabel('Title', { exact: true }).inputValue()).toBe('Fjord Outdoor');
    await edit.getByLabel('Account name').fill('Shop chat');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “Shop chat”.' }).waitFor();
    await page.getByRole('listitem', { name: 'Shop chat' }).waitFor();
    const after = await confluo.prisma.channelAccount.findUniqueOrThrow({ where: { id } });
    expect(after.name).toBe('Shop chat');
    expect(after.credentials).toEqual(before.credentials);
    expect(after.settings).toEqual(before.settings);

    // SMS with a malformed Account SID and no sender: the server's issues land on the fields, what was typed stays.
    await page.getByRole('link', { name: 'Connect a channel' }).click();
    await page
      .getByRole('list', { name: 'Channels to connect' })
      .getByRole('link', { name: 'SMS', exact: true })
      .click();
    const sms = page.getByRole('form', { name: 'Connect SMS' });
    await sms.waitFor();
    await sms.getByLabel('Account name').fill('Support line');
    await sms.getByLabel('Account SID').fill('AC123');
    expect(await sms.getByLabel('Auth token').getAttribute('type')).toBe('password');
    await sms.getByLabel('Auth token').fill('token-typed-by-hand');
    await sms.getByRole('button', { name: 'Connect' }).click();
    const alert = sms.getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe('Some fields need attention: see the messages below.');
    await expect.poll(() => fieldErrors('Account SID')).toBe('Not in the expected format.');
    expect(await fieldErrors('Auth token')).toBeNull();
    expect(await sms.getByLabel('Account name').inputValue()).toBe('Support line');
    expect(await sms.getByLabel('Account SID').inputValue()).toBe('AC123');
    expect(await sms.getByLabel('Auth token').inputValue()).toBe('token-typed-by-hand');
    expect(new URL(page.url()).pathname).toBe('/channels/new/sms');
    // The server checks the settings once the credentials pass: the sender alternatives come back as one message.
    await sms.getByLabel('Account SID').fill(`AC${'0123456789abcdef'.repeat(2)}`);
    await sms.getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() =>
        sms
          .locator('#settings-issues')
          .textContent()
          .catch(() => null),
      )
      .toBe('Fill in at least one of: Sender number, Messaging Service SID.');
    expect(await fieldErrors('Account SID')).toBeNull();
    expect(await sms.getByLabel('Auth token').inputValue()).toBe('token-typed-by-hand');
    expect((await call('GET', '/api/channel-accounts')).json.items).toHaveLength(1);
    await sms.getByRole('button', { name: 'Cancel' }).click();

    // Delete, after a confirm.
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await page.getByRole('button', { name: 'Delete Shop chat' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted “Shop chat”.' }).waitFor();
    expect(dialogs).toEqual([expect.stringMatching(/^Delete the channel account “Shop chat”\?/)]);
    expect(await page.getByRole('list', { name: 'Channel accounts' }).getByRole('listitem').count()).toBe(0);
    expect((await call('GET', `/api/channel-accounts/${id}`)).status).toBe(404);
    expect(pageErrors).toEqual([]);
  });
});
