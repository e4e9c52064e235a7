// The Channels screen in real Chromium against a real Confluo: a web chat account connected through the UI (no
// provider to call: its widget secret is generated on registration), listed with its inbound URL and embed snippet,
// renamed without touching its credentials, an SMS account refused with the server's issues on the fields, and the
// web chat account deleted; then a HubSpot CRM account (the spec-checked fake) refused for a wrong token, connected,
// listed with its inbound URL, and the workspace's contact written to HubSpot by the two-way sync.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { resolveIdentities } from '../../connectors/contacts/identity.js';
import { startHubSpotFake } from '../../connectors/testkit/index.js';
import { createContactsService } from '../../prisma/contacts.js';
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
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Flows',
      'Inbox',
      'Contacts',
      'Channels',
      'Settings',
    ]);
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

  // After the test above (its accounts are gone): once a CRM is connected, every contact of the workspace is synced.
  it('connects HubSpot as a CRM: a wrong token refused in the form, then the account listed with its inbound URL and the workspace’s contact in HubSpot', async () => {
    onTestFailed(async () => {
      await shot('channels-crm-failure');
      console.error('page errors:', pageErrors);
    });
    const hubspot = await startHubSpotFake({
      accessToken: 'pat-na1-e2e-channels',
      clientSecret: 'e2e-secret',
      portalId: 6262,
    });
    try {
      // A contact the workspace has before the CRM is connected, made as a delivery or a flow step makes one.
      await createContactsService(confluo.prisma).upsert(confluo.workspaceId, {
        identities: resolveIdentities([{ kind: 'email', value: 'ada.lovelace@example.com' }]),
        name: 'Ada Lovelace',
        source: { type: 'api' },
      });
      const hubspotAccounts = async () =>
        ((await call('GET', '/api/channel-accounts?connector=hubspot')).json.items as unknown[]).length;

      await page.goto(`${confluo.baseUrl}/channels`);
      // Signed in already when the test above ran; this one can also run alone.
      await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
      await page.reload();
      await page.getByRole('link', { name: 'Connect a channel' }).click();

      // The picker: the CRMs apart from the channels.
      const crms = page.getByRole('list', { name: 'CRMs to connect' });
      await crms.getByRole('link', { name: 'HubSpot', exact: true }).waitFor();
      expect(await crms.getByRole('link').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual([
        'HubSpot',
        'Pipedrive',
      ]);
      expect(await crms.locator('.badge').allTextContents()).toEqual(['CRM · two-way sync', 'CRM · two-way sync']);
      const channels = await page
        .getByRole('list', { name: 'Channels to connect' })
        .getByRole('link')
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      expect(channels).toContain('Web chat');
      expect(channels).not.toContain('HubSpot');
      await shot('18-channels-pick-crm');
      await crms.getByRole('link', { name: 'HubSpot', exact: true }).click();
      expect(new URL(page.url()).pathname).toBe('/channels/new/hubspot');

      // The forms from the manifest's auth and crm.settings schemas; secrets are password inputs.
      const form = page.getByRole('form', { name: 'Connect HubSpot' });
      await form.waitFor();
      await form.getByLabel('Account name').fill('Our HubSpot');
      expect(await form.getByLabel('Access token').getAttribute('type')).toBe('password');
      expect(await form.getByLabel('Client secret').getAttribute('type')).toBe('password');
      expect(await form.getByLabel('API base URL').inputValue()).toBe('https://api.hubapi.com');
      await form.getByLabel('Access token').fill('pat-na1-wrong');
      await form.getByLabel('Client secret').fill('e2e-secret');
      await form.getByLabel('API base URL').fill(hubspot.url);

      // A token HubSpot does not know: the refusal in the form, what was typed kept, nothing created.
      await form.getByRole('button', { name: 'Connect' }).click();
      const alert = form.getByRole('alert');
      await expect
        .poll(() => alert.textContent().catch(() => null))
        .toMatch(
          /^HubSpot refused to register the account: .*token .* invalid.*\. Check the credentials, then try again\.$/,
        );
      // Focused, so it is scrolled into view and read out.
      await expect.poll(() => alert.evaluate((e) => e === document.activeElement), { timeout: 10_000 }).toBe(true);
      await shot('19-channels-crm-refused');
      expect(new URL(page.url()).pathname).toBe('/channels/new/hubspot');
      expect(await form.getByLabel('Access token').inputValue()).toBe('pat-na1-wrong');
      expect(await form.getByLabel('API base URL').inputValue()).toBe(hubspot.url);
      expect(await hubspotAccounts()).toBe(0);
      expect(hubspot.records('contacts')).toEqual([]);

      // The right token: connected and listed, with its inbound URL and what to do with it in HubSpot.
      await form.getByLabel('Access token').fill('pat-na1-e2e-channels');
      await form.getByRole('button', { name: 'Connect' }).click();
      await page.getByRole('status').filter({ hasText: '“Our HubSpot” is connected' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/channels');
      const list = (await call('GET', '/api/channel-accounts?connector=hubspot')).json.items;
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        connector: 'hubspot',
        name: 'Our HubSpot',
        settings: { apiBaseUrl: hubspot.url },
        credentialKeys: ['accessToken', 'clientSecret'],
        credentialsReadable: true,
      });
      const id: string = list[0].id;
      const inboundUrl = `${confluo.baseUrl}/hooks/channels/${id}`;
      const card = page.getByRole('listitem', { name: 'Our HubSpot' });
      expect(await card.locator('.badge').allTextContents()).toEqual(['HubSpot', 'CRM']);
      expect(await card.getByRole('textbox', { name: 'Inbound URL' }).inputValue()).toBe(inboundUrl);
      expect(await card.locator('.setup-hint').textContent()).toBe(
        'Paste into your HubSpot private app → Webhooks → Target URL, and subscribe to contact creation, deletion, merge, restore and property changes.',
      );
      expect(await card.locator('.crm-sync').textContent()).toMatch(/^Two-way contact sync/);
      // The sync's state in a line (the contacts it still has to write, or every one written).
      expect(await card.getByTestId('crm-sync-state').textContent()).toMatch(
        /^Syncing: (every contact written|\d+ contacts? waiting to be written)/,
      );
      // Nothing of a messaging channel on a CRM's card.
      expect(await card.getByRole('textbox', { name: 'Embed snippet' }).count()).toBe(0);
      expect(await card.getByRole('link', { name: /demo page/ }).count()).toBe(0);
      await card.getByRole('button', { name: 'Copy the inbound URL of Our HubSpot' }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(inboundUrl);
      await shot('20-channels-crm');

      // The sync writes the workspace's contact to HubSpot.
      await expect
        .poll(() => hubspot.records('contacts').find((r) => r.properties.email === 'ada.lovelace@example.com'), {
          timeout: 30_000,
          interval: 250,
        })
        .toMatchObject({ properties: { firstname: 'Ada', lastname: 'Lovelace' } });

      // Its edit form is the same forms, the stored secrets kept unless typed.
      await card.getByRole('link', { name: 'Edit Our HubSpot' }).click();
      const edit = page.getByRole('form', { name: 'Edit Our HubSpot' });
      expect(await edit.getByLabel('API base URL').inputValue()).toBe(hubspot.url);
      expect(await edit.getByLabel('Access token').getAttribute('placeholder')).toBe('Stored: leave empty to keep');
      await edit.getByRole('button', { name: 'Cancel' }).click();

      // Deleted, after a confirm that says what stops.
      const dialogs: string[] = [];
      page.once('dialog', (d) => {
        dialogs.push(d.message());
        void d.accept();
      });
      await page.getByRole('button', { name: 'Delete Our HubSpot' }).click();
      await page.getByRole('status').filter({ hasText: 'Deleted “Our HubSpot”.' }).waitFor();
      expect(dialogs).toEqual([expect.stringMatching(/^Delete the CRM account “Our HubSpot”\? Contacts stop syncing/)]);
      expect(await hubspotAccounts()).toBe(0);
      expect(hubspot.violations).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await hubspot.close();
    }
  }, 120_000);
});
