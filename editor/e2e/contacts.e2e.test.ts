// The Contacts screen and contact page in real Chromium against a real Confluo: customers arrive as real signed
// deliveries (WhatsApp and SMS, through the providers' fakes and the channel gateway, ingested by the worker), are
// found by a phone written another way than it arrived, and show both channels' messages on one timeline; a contact
// edited on its page is kept in step with HubSpot (the spec-checked fake) both ways, its sync state shown.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { resolveIdentities } from '../../connectors/contacts/identity.js';
import { startHubSpotFake } from '../../connectors/testkit/index.js';
import { createContactsService } from '../../prisma/contacts.js';
import { browserSession, type Confluo } from './harness.js';
import { BUSINESS, contactWithMessages, messagingFakes } from './messaging.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));
const fakes = messagingFakes('3');

describe('contacts in Chromium', () => {
  it('finds a customer by a phone written another way, shows WhatsApp and SMS on one timeline, and is linked from the inbox', async () => {
    onTestFailed(async () => {
      await shot('contacts-failure');
      console.error('page errors:', pageErrors);
    });
    const { sms, whatsapp } = await fakes.connect(call);

    // María writes on WhatsApp (id 34612345678), then by SMS from the same number; Bob only on WhatsApp, later.
    const first = await fakes.wa.sendInboundMessage(whatsapp.inboundUrl, {
      from: '34612345678',
      text: 'Hola, ¿dónde está mi pedido?',
      name: 'María García',
    });
    expect(first.status).toBe(200);
    // Ingests run concurrently: wait for the WhatsApp message, so the phone's provenance is that message.
    await contactWithMessages(call, '+34612345678', 1);
    const sent = await fakes.twilio.sendInboundSms({
      url: sms.inboundUrl,
      from: '+34612345678',
      to: BUSINESS,
      body: 'Pedido 4411',
    });
    expect(sent.status).toBe(200);
    const maria = await contactWithMessages(call, '+34612345678', 2);
    expect(
      (await fakes.wa.sendInboundMessage(whatsapp.inboundUrl, { from: '14155552671', text: 'Hi', name: 'Bob' })).status,
    ).toBe(200);
    await contactWithMessages(call, '+14155552671', 1);

    await page.goto(confluo.baseUrl);
    await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
    await page.reload();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Contacts' }).click();
    expect(new URL(page.url()).pathname).toBe('/contacts');
    expect(await nav.getByRole('link', { name: 'Contacts' }).getAttribute('aria-current')).toBe('page');

    // Newest first, with identities and their kinds.
    const list = page.getByRole('list', { name: 'Contacts' });
    const rows = list.getByRole('link');
    await expect.poll(() => rows.locator('.contact-name').allTextContents()).toEqual(['Bob', 'María García']);
    expect(await rows.nth(1).locator('.contact-identities').textContent()).toContain('Phone: +34612345678');

    // A phone written with spaces finds María; a text that is nobody shows the empty state.
    const search = page.getByRole('searchbox', { name: 'Search contacts' });
    await search.fill('+34 612 34 56 78');
    await expect.poll(() => rows.locator('.contact-name').allTextContents()).toEqual(['María García']);
    await search.fill('nobody-at-all');
    await page.getByText('No contact matches “nobody-at-all”.').waitFor();
    await search.fill('garcía');
    await expect.poll(() => rows.locator('.contact-name').allTextContents()).toEqual(['María García']);
    await rows.first().click();
    expect(new URL(page.url()).pathname).toBe(`/contacts/${maria}`);

    // Her page: identities by kind, verified, from the WhatsApp message; one timeline with both channels.
    await page.getByRole('heading', { name: 'María García', level: 1 }).waitFor();
    const phones = page.getByRole('list', { name: 'Phone' });
    expect(await phones.locator('.identity-value').allTextContents()).toEqual(['+34612345678']);
    expect(await phones.locator('.flag').allTextContents()).toEqual(['verified']);
    expect(await phones.locator('.provenance').textContent()).toMatch(
      /^from message \S+ on Shop WhatsApp \(whatsapp\), /,
    );
    expect(await page.getByRole('list', { name: 'WhatsApp' }).locator('.identity-value').textContent()).toBe(
      '34612345678',
    );
    const timeline = page.getByRole('list', { name: 'Timeline' });
    const messages = timeline.locator('li[data-type^="message."]');
    await expect
      .poll(() => messages.locator('.event-text').allTextContents())
      .toEqual(['Pedido 4411', 'Hola, ¿dónde está mi pedido?']);
    expect(await messages.evaluateAll((els) => els.map((e) => e.getAttribute('data-channel')))).toEqual([
      'sms',
      'whatsapp',
    ]);
    expect(await timeline.locator('li[data-type="contact.created"]').count()).toBe(1);
    await page.getByRole('combobox', { name: 'Channel' }).selectOption('sms');
    await expect.poll(() => timeline.locator('.event-text').allTextContents()).toEqual(['Pedido 4411']);
    expect(await timeline.locator('li[data-type="contact.created"]').count()).toBe(0);
    await shot('12-contact');

    // From the inbox: the open conversation links to the contact's page.
    await nav.getByRole('link', { name: 'Inbox' }).click();
    await page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /María García/ })
      .click();
    await page.locator('#thread-title', { hasText: 'María García' }).waitFor(); // the thread's (the customer panel names her too)
    await page.getByRole('link', { name: 'Contact page', exact: true }).click();
    expect(new URL(page.url()).pathname).toBe(`/contacts/${maria}`);
    await page.getByRole('heading', { name: 'María García', level: 1 }).waitFor();

    expect([...fakes.twilio.violations, ...fakes.wa.violations]).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("keeps a household's one WhatsApp number on both people, re-files its nameless SMS on the line, and it detaches", async () => {
    onTestFailed(async () => {
      await shot('contacts-household-failure');
      console.error('page errors:', pageErrors);
    });
    const accounts = (await call('GET', '/api/channel-accounts')).json.items as {
      connector: string;
      inboundUrl: string;
    }[];
    const { inboundUrl } = accounts.find((a) => a.connector === 'whatsapp')!;
    // Luis writes from María's phone (one family, one WhatsApp): another person, not a new name for María. The SMS
    // that came from the phone without a name could be either's: it moves to the phone's own contact (the line).
    const sent = await fakes.wa.sendInboundMessage(inboundUrl, {
      from: '34612345678',
      text: 'Soy Luis',
      name: 'Luis García',
    });
    expect(sent.status).toBe(200);
    const holderNames = async () =>
      (await call('GET', `/api/contacts?identity=${encodeURIComponent('phone:+34612345678')}`)).json.items
        .map((c: any) => c.name ?? 'Unnamed')
        .sort();
    await expect
      .poll(holderNames, { timeout: 30_000, interval: 300 })
      .toEqual(['Luis García', 'María García', 'Unnamed']);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('searchbox', { name: 'Search contacts' }).fill('+34 612 34 56 78');
    const rows = page.getByRole('list', { name: 'Contacts' }).getByRole('link');
    await expect
      .poll(async () => (await rows.locator('.contact-name').allTextContents()).sort())
      .toEqual(['Luis García', 'María García', 'Unnamed']);
    // The line holds the SMS, and says where it came from.
    await rows.filter({ hasText: 'Unnamed' }).click();
    const lineTimeline = page.getByRole('list', { name: 'Timeline' });
    await expect
      .poll(() => lineTimeline.locator('li[data-type^="message."] .event-text').allTextContents())
      .toEqual(['Pedido 4411']);
    await lineTimeline.getByText('Messages re-filed: a shared line').waitFor();
    await page.goBack();
    await rows.filter({ hasText: 'Luis García' }).click();
    await page.getByRole('heading', { name: 'Luis García', level: 1 }).waitFor();
    const phones = page.getByRole('list', { name: 'Phone' });
    expect(await phones.locator('.identity-value').allTextContents()).toEqual(['+34612345678']);
    expect(await phones.locator('.flag').allTextContents()).toEqual(['verified', 'shared']);
    await shot('13-contact-shared');

    // The phone is María's, not Luis's: detached from him (confirmed), it is hers alone again.
    page.once('dialog', (d) => void d.accept());
    await phones.getByRole('button', { name: 'Detach +34612345678' }).click();
    await phones.waitFor({ state: 'detached' });
    await page.getByRole('list', { name: 'Timeline' }).getByText('Phone +34612345678 detached').waitFor();
    expect(await holderNames()).toEqual(['María García', 'Unnamed']);
    const holders = await call('GET', `/api/contacts?identity=${encodeURIComponent('phone:+34612345678')}`);
    await page.goto(`${confluo.baseUrl}/contacts/${holders.json.items[0].id}`);
    await page.getByRole('heading', { name: 'María García', level: 1 }).waitFor();
    // Still shared with the line; her own WhatsApp message stays on her timeline, the SMS is the line's now.
    expect(await page.getByRole('list', { name: 'Phone' }).locator('.flag').allTextContents()).toEqual([
      'verified',
      'shared',
    ]);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await expect
      .poll(() => timeline.locator('li[data-type^="message."] .event-text').allTextContents())
      .toEqual(['Hola, ¿dónde está mi pedido?']);
    await timeline.getByText('Messages re-filed: a shared line').waitFor();
    expect(fakes.wa.violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('shows the household as a possible duplicate with its reasons, merges it, undoes the merge, and dismisses it', async () => {
    onTestFailed(async () => {
      await shot('contacts-duplicates-failure');
      console.error('page errors:', pageErrors);
    });
    const holders = await call('GET', `/api/contacts?q=${encodeURIComponent('María García')}`);
    const maria = holders.json.items[0].id as string;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'Possible duplicates' }).click();
    expect(new URL(page.url()).pathname).toBe('/contacts/duplicates');
    const pair = page.getByRole('listitem', { name: 'María García and Luis García' });
    await pair.waitFor();
    expect(await pair.getByRole('list', { name: 'Reasons' }).getByRole('listitem').allTextContents()).toEqual([
      'Both use Phone +34612345678',
      'Both use WhatsApp 34612345678',
      'Names differ: Luis García / María García',
    ]);
    await shot('14-duplicates');

    // Merged into María (the older), then undone from the same screen: the suggestion is back.
    await pair.getByRole('button', { name: 'Merge into María García' }).click();
    await page.getByRole('status').getByText('Merged Luis García into María García.').waitFor();
    await page.getByText('No possible duplicates.').waitFor();
    const merged = await call('GET', `/api/contacts/${maria}`);
    expect(merged.json.members.map((m: any) => m.name)).toEqual(['Luis García']);
    await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('status').getByText('Merge undone: both contacts are as they were.').waitFor();
    await pair.waitFor();
    expect((await call('GET', `/api/contacts/${maria}`)).json.members).toBeUndefined();

    // Not the same person: gone from the queue for good.
    await pair.getByRole('button', { name: 'Not the same person' }).click();
    await page.getByText('No possible duplicates.').waitFor();
    expect((await call('GET', '/api/duplicates?status=dismissed')).json.items).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  // Last in the file: once a CRM is connected, every contact of the workspace is synced to it.
  it('edits a contact on its page, HubSpot following both ways, with the sync state shown', async () => {
    onTestFailed(async () => {
      await shot('contacts-crm-failure');
      console.error('page errors:', pageErrors);
    });
    const hubspot = await startHubSpotFake({ accessToken: 'pat-na1-e2e', clientSecret: 'e2e-secret', portalId: 6161 });
    try {
      const account = await call('POST', '/api/channel-accounts', {
        connector: 'hubspot',
        name: 'Our HubSpot',
        credentials: { accessToken: 'pat-na1-e2e', clientSecret: 'e2e-secret' },
        settings: { apiBaseUrl: hubspot.url },
      });
      expect(account.status, JSON.stringify(account.json)).toBe(201);
      hubspot.setWebhookUrl(account.json.inboundUrl);
      // As a delivery or a flow step makes one: through the contacts service.
      const { contact } = await createContactsService(confluo.prisma).upsert(confluo.workspaceId, {
        identities: resolveIdentities([{ kind: 'email', value: 'grace.hopper@example.com' }]),
        name: 'Grace Hopper',
        source: { type: 'api' },
      });

      await page.goto(`${confluo.baseUrl}/contacts/${contact.id}`);
      // Signed in already when the tests above ran; this one can also run alone.
      await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
      await page.reload();
      await page.getByRole('heading', { name: 'Grace Hopper', level: 1 }).waitFor();
      const row = page
        .getByRole('list', { name: 'CRM accounts' })
        .getByRole('listitem', { name: 'Our HubSpot (hubspot)' });
      const status = row.locator('.crm-status');
      await expect.poll(() => status.textContent(), { timeout: 30_000, interval: 250 }).toBe('In sync');
      const record = hubspot.records('contacts').find((r) => r.properties.email === 'grace.hopper@example.com');
      expect(record?.properties).toMatchObject({ firstname: 'Grace', lastname: 'Hopper' });
      expect(await row.locator('.crm-record').textContent()).toContain(record!.id);
      expect(await row.locator('.crm-synced').textContent()).toBe('last synced just now');
      await shot('15-contact-crm');

      // Edited on the page: a new name and an attribute; HubSpot gets both.
      const attributes = () =>
        page
          .locator('dl.attributes > div')
          .evaluateAll((els) =>
            els.map((e) => [e.querySelector('dt')?.textContent, e.querySelector('dd')?.textContent]),
          );
      await page.getByRole('button', { name: 'Edit' }).click();
      const form = page.getByRole('form', { name: 'Edit contact' });
      await form.getByLabel('Name', { exact: true }).fill('Grace B. Hopper');
      await form.getByRole('button', { name: 'Add attribute' }).click();
      await form.getByLabel('Name of attribute 1').fill('city');
      await form.getByLabel('Value of attribute 1').fill('Lisbon');
      await shot('16-contact-edit');
      await form.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Grace B. Hopper', level: 1 }).waitFor();
      await form.waitFor({ state: 'detached' });
      expect(await attributes()).toEqual([['city', 'Lisbon']]);
      await expect
        .poll(() => hubspot.get('contacts', record!.id)?.properties, { timeout: 30_000, interval: 250 })
        .toMatchObject({ firstname: 'Grace', lastname: 'B. Hopper', city: 'Lisbon' });
      await expect.poll(() => status.textContent(), { timeout: 30_000, interval: 250 }).toBe('In sync');

      // Changed in HubSpot by a person: the job title comes back as the jobTitle attribute.
      hubspot.crm.update('contacts', record!.id, { jobtitle: 'Admiral' });
      await hubspot.flush();
      await expect
        .poll(
          async () => {
            await page.reload();
            await page.getByRole('heading', { name: 'Grace B. Hopper', level: 1 }).waitFor();
            return attributes();
          },
          { timeout: 30_000, interval: 1000 },
        )
        .toEqual([
          ['city', 'Lisbon'],
          ['jobTitle', 'Admiral'],
        ]);

      // A name the API refuses: said beside the form, which stays open; nothing changes.
      await page.getByRole('button', { name: 'Edit' }).click();
      await form.getByRole('button', { name: 'Add attribute' }).click();
      await form.getByLabel('Name of attribute 3').fill('not a key');
      await form.getByLabel('Value of attribute 3').fill('x');
      await form.getByRole('button', { name: 'Save' }).click();
      await form
        .getByRole('alert')
        .getByText('An attribute name is letters, digits and _ only (no spaces), not starting with a digit')
        .waitFor();
      await shot('17-contact-edit-refused');
      expect(await form.getByLabel('Name of attribute 3').inputValue()).toBe('not a key');
      const unchanged = await call('GET', `/api/contacts/${contact.id}`);
      expect(unchanged.json).toMatchObject({
        name: 'Grace B. Hopper',
        attributes: { city: 'Lisbon', jobTitle: 'Admiral' },
      });
      expect(Object.keys(unchanged.json.attributes)).toEqual(['city', 'jobTitle']);
      await form.getByRole('button', { name: 'Cancel' }).click();
      expect(await attributes()).toEqual([
        ['city', 'Lisbon'],
        ['jobTitle', 'Admiral'],
      ]);
      // The change read back from HubSpot marks the contact for a write it does not need: the badge settles again.
      await expect.poll(() => status.textContent(), { timeout: 30_000, interval: 250 }).toBe('In sync');
      expect(hubspot.violations).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await hubspot.close();
    }
  }, 180_000);

  it('tags a contact and writes a note on its page, keeps both after a reload, and filters the list by the tag', async () => {
    onTestFailed(async () => {
      await shot('contacts-tags-notes-failure');
      console.error('page errors:', pageErrors);
    });
    const contacts = createContactsService(confluo.prisma);
    const upsert = (email: string, name: string) =>
      contacts.upsert(confluo.workspaceId, { identities: resolveIdentities([{ kind: 'email', value: email }]), name });
    const { contact } = await upsert('tess.tagged@example.com', 'Tess Tagged');
    await upsert('untagged.ulla@example.com', 'Ulla Untagged');
    await page.goto(confluo.baseUrl);
    await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
    await page.goto(`${confluo.baseUrl}/contacts/${contact.id}`);
    await page.getByRole('heading', { name: 'Tess Tagged', level: 1 }).waitFor();

    const tagsSection = page.getByRole('region', { name: 'Tags' });
    await tagsSection.getByText('No tags.').waitFor();
    await tagsSection.getByRole('textbox', { name: 'New tag' }).fill('  VIP Gold ');
    await tagsSection.getByRole('button', { name: 'Add tag' }).click();
    const chips = tagsSection.getByRole('list', { name: 'Tags' });
    await chips.getByRole('link', { name: 'vip gold' }).waitFor();
    await tagsSection.getByRole('textbox', { name: 'New tag' }).fill('temp');
    await tagsSection.getByRole('button', { name: 'Add tag' }).click();
    await chips.getByRole('link', { name: 'temp' }).waitFor();
    await chips.getByRole('button', { name: 'Remove tag temp' }).click();
    await expect.poll(() => chips.getByRole('link').allTextContents()).toEqual(['vip gold']);

    const notes = page.getByRole('region', { name: 'Notes' });
    await notes.getByText('No notes.').waitFor();
    await notes
      .getByRole('textbox', { name: 'New note' })
      .fill('Prefers a call after 5pm.\nAsked about the annual plan.');
    await notes.getByRole('button', { name: 'Add note' }).click();
    await notes.getByRole('list', { name: 'Notes' }).getByText('Prefers a call after 5pm.', { exact: false }).waitFor();
    await page.getByRole('list', { name: 'Timeline' }).getByText('Note added').waitFor();
    await shot('18-contact-tags-notes');

    await page.reload();
    await page.getByRole('heading', { name: 'Tess Tagged', level: 1 }).waitFor();
    await expect.poll(() => chips.getByRole('link').allTextContents()).toEqual(['vip gold']);
    await notes
      .getByRole('list', { name: 'Notes' })
      .getByText('Asked about the annual plan.', { exact: false })
      .waitFor();
    const stored = await call('GET', `/api/contacts/${contact.id}/notes`);
    expect(stored.json.items.map((n: { text: string }) => n.text)).toEqual([
      'Prefers a call after 5pm.\nAsked about the annual plan.',
    ]);
    expect((await call('GET', `/api/contacts/${contact.id}`)).json.tags).toEqual(['vip gold']);

    // The chip opens the Contacts screen filtered by its tag.
    await chips.getByRole('link', { name: 'vip gold' }).click();
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/contacts?tag=vip%20gold');
    const list = page.getByRole('list', { name: 'Contacts' });
    await expect
      .poll(() => list.locator('.contact-name').allTextContents(), { timeout: 10_000 })
      .toEqual(['Tess Tagged']);
    expect(await page.getByRole('searchbox', { name: 'Filter by tag' }).inputValue()).toBe('vip gold');
    await shot('19-contacts-by-tag');
    // Typed into the tag field: the same filter; cleared: every contact again.
    await page.getByRole('button', { name: 'Clear tag filter' }).click();
    await expect.poll(() => list.locator('.contact-name').allTextContents()).toContain('Ulla Untagged');
    await page.getByRole('searchbox', { name: 'Filter by tag' }).fill('VIP gold');
    await expect
      .poll(() => list.locator('.contact-name').allTextContents(), { timeout: 10_000 })
      .toEqual(['Tess Tagged']);
    await page.getByRole('searchbox', { name: 'Filter by tag' }).fill('nobody-has-this');
    await page.getByText('No contact matches with tag “nobody-has-this”.').waitFor();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
