// The contact page's one timeline in real Chromium against a real Confluo: a contact with messages on SMS and WhatsApp,
// notes, an attribute change, a merge and its undo; the type filter (and the channel filter within messages) asks the
// API, and "Load older" pages back through the rest without repeating an event.
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { resolveIdentities } from '../../connectors/contacts/identity.js';
import { createContactsService } from '../../prisma/contacts.js';
import { newId } from '../../prisma/ids.js';
import { TIMELINE_PAGE } from '../src/contacts/timeline.js';
import { browserSession, SCREENSHOTS, type Confluo } from './harness.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));
/** The timeline section alone (it is below the fold). */
const sectionShot = (name: string) =>
  page.locator('section[aria-labelledby="timeline-title"]').screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

async function contact(email: string, name: string) {
  const { contact } = await createContactsService(confluo.prisma).upsert(confluo.workspaceId, {
    identities: resolveIdentities([{ kind: 'email', value: email }]),
    name,
    source: { type: 'api', ref: 'e2e' },
  });
  return contact.id;
}

/** A message as ingest files it (the delivery path has its own browser test, contacts.e2e.test.ts). */
async function message(contactId: string, conversationId: string, channel: string, text: string, sentAt: Date) {
  await confluo.prisma.message.create({
    data: {
      id: newId('msg'),
      workspaceId: confluo.workspaceId,
      conversationId,
      contactId,
      direction: 'in',
      channel,
      accountId: `cha_${channel}`,
      status: 'received',
      address: { kind: 'phone', value: '+34612345678' },
      text,
      sentAt,
    },
  });
}

const events = (timeline: Locator) => timeline.locator(':scope > li');
const types = (timeline: Locator) => events(timeline).evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
const titles = (timeline: Locator) => events(timeline).locator('.event-title').allTextContents();

describe('the contact timeline in Chromium', () => {
  it('filters by type and channel on the server and loads older events', async () => {
    onTestFailed(async () => {
      await shot('contact-timeline-failure');
      console.error('page errors:', pageErrors);
    });
    const ann = await contact('ann.timeline@example.com', 'Ann Timeline');
    const conversationId = newId('cnv');
    await confluo.prisma.conversation.create({
      data: { id: conversationId, workspaceId: confluo.workspaceId, contactId: ann },
    });
    // Her messages came an hour ago, on two channels: older than everything below.
    const hourAgo = Date.now() - 3_600_000;
    await message(ann, conversationId, 'sms', 'Hi by SMS', new Date(hourAgo));
    await message(ann, conversationId, 'whatsapp', 'Hola por WhatsApp', new Date(hourAgo + 1000));
    // More notes than a page holds.
    const notes = TIMELINE_PAGE + 3;
    for (let i = 1; i <= notes; i++) {
      const res = await call('POST', `/api/contacts/${ann}/notes`, { text: `Note ${i}` });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
    }
    expect((await call('PATCH', `/api/contacts/${ann}`, { attributes: { plan: 'gold' } })).status).toBe(200);
    const work = await contact('ann.work.timeline@example.com', 'Ann at Work');
    const merged = await call('POST', `/api/contacts/${ann}/merge`, { contactId: work });
    expect(merged.status, JSON.stringify(merged.json)).toBe(200);
    expect((await call('POST', `/api/contact-merges/${merged.json.merge.id}/undo`)).status).toBe(200);

    await page.goto(confluo.baseUrl);
    await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
    await page.goto(`${confluo.baseUrl}/contacts/${ann}`);
    await page.getByRole('heading', { name: 'Ann Timeline', level: 1 }).waitFor();
    const timeline = page.getByRole('list', { name: 'Timeline' });

    // The first page: newest first, a page's worth, the merge seen from Ann's side, the change from → to.
    await expect.poll(() => events(timeline).count()).toBe(TIMELINE_PAGE);
    expect((await titles(timeline)).slice(0, 4)).toEqual([
      'Merge with Ann at Work undone',
      'Merged with Ann at Work',
      'Changed plan',
      'Note added',
    ]);
    expect(await events(timeline).nth(2).locator('.event-changes li').allTextContents()).toEqual(['plan set to gold']);
    expect(await events(timeline).first().locator('.event-source').textContent()).toContain('by the API');
    expect(await timeline.locator('li[data-type^="message."]').count()).toBe(0);
    await sectionShot('30-contact-timeline');

    // Load older: the rest, once each; then nothing more to load.
    const loadOlder = page.getByRole('button', { name: 'Load older' });
    await loadOlder.click();
    const total = notes + 2 /* messages */ + 3 /* created, email, change */ + 2; /* merge, undo */
    await expect.poll(() => events(timeline).count()).toBe(total);
    expect(await loadOlder.count()).toBe(0);
    expect((await types(timeline)).slice(-4)).toEqual([
      'identity.added',
      'contact.created',
      'message.received',
      'message.received',
    ]);
    expect(
      await timeline.locator('li[data-type^="message."]').evaluateAll((els) => els.map((e) => e.dataset.channel)),
    ).toEqual(['whatsapp', 'sms']);

    // The type filter asks the API for its types only.
    const type = page.getByRole('combobox', { name: 'Type' });
    const channel = page.getByRole('combobox', { name: 'Channel' });
    await type.selectOption({ label: 'Merges' });
    await expect.poll(() => types(timeline)).toEqual(['contact.unmerged', 'contact.merged']);
    expect(await channel.isDisabled()).toBe(true);
    await type.selectOption({ label: 'Changes' });
    await expect.poll(() => types(timeline)).toEqual(['contact.updated', 'contact.created']);
    await type.selectOption({ label: 'Messages' });
    await expect
      .poll(() => events(timeline).locator('.event-text').allTextContents())
      .toEqual(['Hola por WhatsApp', 'Hi by SMS']);
    await channel.selectOption('sms');
    await expect.poll(() => events(timeline).locator('.event-text').allTextContents()).toEqual(['Hi by SMS']);
    expect(await titles(timeline)).toEqual(['Received on sms']);
    await sectionShot('31-contact-timeline-sms');

    // Notes: a page, then Load older for the rest, newest first.
    await type.selectOption({ label: 'Notes' });
    await expect.poll(() => types(timeline)).toEqual(Array(TIMELINE_PAGE).fill('note.added'));
    await loadOlder.click();
    await expect
      .poll(() => events(timeline).locator('.event-text').allTextContents())
      .toEqual(Array.from({ length: notes }, (_, i) => `Note ${notes - i}`));
    expect(await loadOlder.count()).toBe(0);

    expect(pageErrors).toEqual([]);
  }, 180_000);
});
