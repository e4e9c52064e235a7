// The inbox in real Chromium against a real Confluo: conversations seeded by web chat visitors through the channel
// gateway (ingested by the worker), read and answered by an agent, the answer read back by the visitor.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));

interface Visitor {
  visitorId: string;
  token: string;
}
let accountId: string;
let sent = 0;

async function newVisitor(): Promise<Visitor> {
  const r = await call('POST', `/webchat/${accountId}/sessions`, {}, false);
  expect(r.status).toBe(200);
  return { visitorId: r.json.visitorId, token: r.json.token };
}

/** What the widget posts to the account's gateway URL: the visitor's message, checked against their token. */
async function visitorWrites(v: Visitor, text: string, extra: Record<string, string> = {}) {
  const r = await call(
    'POST',
    `/hooks/channels/${accountId}`,
    { visitorId: v.visitorId, token: v.token, text, clientMessageId: `m${++sent}`, ...extra },
    false,
  );
  expect(r.status, JSON.stringify(r.json)).toBe(202);
}

/** Every message of a conversation, newest first, through the API's pages. */
async function allMessages(conversationId: string) {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const r = await call(
      'GET',
      `/api/conversations/${conversationId}/messages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...r.json.items);
    cursor = r.json.nextCursor;
  } while (cursor);
  return items;
}

/** Ingest runs in the worker: wait until the visitor's conversation holds `count` messages. */
async function conversationOf(v: Visitor, count: number): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        const r = await call('GET', '/api/conversations?limit=100');
        id = r.json.items.find((c: any) =>
          c.contact.identities.some((i: any) => i.kind === 'webchat' && i.value === v.visitorId),
        )?.id;
        return id ? (await allMessages(id)).length : 0;
      },
      { timeout: 30_000, interval: 300 },
    )
    .toBe(count);
  return id!;
}

describe('inbox in Chromium', () => {
  it('lists web chat conversations, pages back, refuses a reply to an opted-out contact, then replies and the visitor reads it', async () => {
    onTestFailed(async () => {
      await shot('inbox-failure');
      console.error('page errors:', pageErrors);
    });
    const account = await call('POST', '/api/channel-accounts', {
      connector: 'webchat',
      name: 'Site',
      credentials: {},
      settings: {},
    });
    expect(account.status).toBe(201);
    accountId = account.json.id;

    // A long anonymous chat (more than one page of 30), then Ada, who gives her name: she is the most recent.
    const anon = await newVisitor();
    for (let i = 1; i <= 32; i++) await visitorWrites(anon, `Question ${i}`);
    const anonConversation = await conversationOf(anon, 32);
    const ada = await newVisitor();
    await visitorWrites(ada, 'Hi! Where is my order #1234?', { name: 'Ada Lovelace' });
    await visitorWrites(ada, 'It was due   yesterday.\nThanks');
    const adaConversation = await conversationOf(ada, 2);

    await page.goto(confluo.baseUrl);
    await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
    await page.reload();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Flows' }).getAttribute('aria-current')).toBe('page');
    await nav.getByRole('link', { name: 'Inbox' }).click();
    expect(new URL(page.url()).pathname).toBe('/inbox');
    expect(await nav.getByRole('link', { name: 'Inbox' }).getAttribute('aria-current')).toBe('page');

    // The list: most recent first; the name, else the first identity; the channel; the last text in one line.
    const list = page.getByRole('list', { name: 'Conversations' });
    const rows = list.getByRole('link');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).locator('.conv-name').textContent()).toBe('Ada Lovelace');
    expect(await rows.nth(0).locator('.badge').textContent()).toBe('webchat');
    expect(await rows.nth(0).locator('.conv-excerpt').textContent()).toBe('It was due yesterday. Thanks');
    expect(await rows.nth(0).locator('time').textContent()).toBe('now');
    expect(await rows.nth(1).locator('.conv-name').textContent()).toBe(anon.visitorId);
    expect(await rows.nth(1).locator('.conv-excerpt').textContent()).toBe('Question 32');

    // The long chat shows its newest 30, oldest first; "load older" brings the first two in above them.
    await rows.nth(1).click();
    expect(new URL(page.url()).pathname).toBe(`/inbox/${anonConversation}`);
    const log = page.getByRole('log', { name: 'Messages' });
    const texts = () => log.locator('.bubble-text').allTextContents();
    await expect.poll(texts).toEqual(Array.from({ length: 30 }, (_, i) => `Question ${i + 3}`));
    await log.getByRole('button', { name: 'Load older messages' }).click();
    await expect.poll(texts).toEqual(Array.from({ length: 32 }, (_, i) => `Question ${i + 1}`));
    expect(await log.getByRole('button', { name: 'Load older messages' }).count()).toBe(0);

    // Ada's conversation: her identities in the header, her messages on the left with channel and status.
    await list.getByRole('link', { name: /Ada Lovelace/ }).click();
    await page.locator('#thread-title', { hasText: 'Ada Lovelace' }).waitFor(); // the thread's (the customer panel names her too)
    expect(await page.getByRole('list', { name: 'Identities' }).textContent()).toBe(`webchat: ${ada.visitorId}`);
    const bubbles = log.getByRole('listitem');
    await expect.poll(() => bubbles.count()).toBe(2);
    expect(await bubbles.nth(0).locator('.bubble-text').textContent()).toBe('Hi! Where is my order #1234?');
    expect(await bubbles.nth(1).locator('.bubble-text').textContent()).toBe('It was due   yesterday.\nThanks');
    expect(await bubbles.evaluateAll((els) => els.map((e) => e.getAttribute('data-direction')))).toEqual(['in', 'in']);
    expect(await bubbles.nth(0).locator('.bubble-meta').textContent()).toMatch(/^webchat · received · \d\d:\d\d$/);

    // Opted out of web chat: the server refuses (422) and says why; the typed reply stays.
    const reply = page.getByRole('textbox', { name: 'Reply' });
    const contact = await confluo.prisma.conversation.findUniqueOrThrow({
      where: { id: adaConversation },
      select: { workspaceId: true, contactId: true },
    });
    await confluo.prisma.consent.create({
      data: { ...contact, channel: 'webchat', status: 'opted_out', source: 'e2e' },
    });
    await reply.fill('Hello from the inbox');
    await page.getByRole('button', { name: 'Send' }).click();
    const alert = page.locator('.reply').getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toMatch(/^Not sent: .*opted out of webchat/);
    expect(await reply.inputValue()).toBe('Hello from the inbox');
    expect(await reply.getAttribute('aria-invalid')).toBe('true');
    expect(await bubbles.count()).toBe(2);

    // Opted back in: Ctrl+Enter sends; the reply shows on the right, delivered.
    await confluo.prisma.consent.delete({
      where: { contactId_channel: { contactId: contact.contactId, channel: 'webchat' } },
    });
    await reply.press('Control+Enter');
    await expect.poll(() => bubbles.count(), { timeout: 20_000 }).toBe(3);
    const mine = bubbles.nth(2);
    expect(await mine.getAttribute('data-direction')).toBe('out');
    expect(await mine.locator('.bubble-text').textContent()).toBe('Hello from the inbox');
    expect(await mine.getByTestId('message-status').textContent()).toBe('delivered');
    expect(await reply.inputValue()).toBe('');
    expect(await alert.count()).toBe(0);
    await expect.poll(() => rows.nth(0).locator('.conv-excerpt').textContent()).toBe('You: Hello from the inbox');

    // The visitor's widget reads it.
    const visitorView = await call(
      'GET',
      `/webchat/${accountId}/messages?visitorId=${encodeURIComponent(ada.visitorId)}&token=${encodeURIComponent(ada.token)}`,
      undefined,
      false,
    );
    expect(visitorView.status).toBe(200);
    // (The visitor's view orders inbound messages by when ingest recorded them, which may differ from the order sent.)
    const seen: [string, string][] = visitorView.json.messages.map((m: any) => [m.direction, m.text]);
    expect(seen.at(-1)).toEqual(['out', 'Hello from the inbox']);
    expect(seen.slice(0, -1).sort()).toEqual([
      ['in', 'Hi! Where is my order #1234?'],
      ['in', 'It was due   yesterday.\nThanks'],
    ]);

    // Polling: Ada answers and a new visitor writes; both show without a reload, the newcomer on top.
    await visitorWrites(ada, 'Great, thank you!');
    await expect
      .poll(() => log.locator('.bubble-text').last().textContent(), { timeout: 15_000 })
      .toBe('Great, thank you!');
    const newcomer = await newVisitor();
    await visitorWrites(newcomer, '<b>not bold</b> & <script>alert(1)</script>');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(3);
    expect(await rows.nth(0).locator('.conv-excerpt').textContent()).toBe(
      '<b>not bold</b> & <script>alert(1)</script>',
    );
    expect(await list.locator('b, script').count()).toBe(0);
    expect(await rows.nth(1).getAttribute('aria-current')).toBe('page');
    await shot('11-inbox');

    expect(pageErrors).toEqual([]);
  }, 180_000);
});
