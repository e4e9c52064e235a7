// The templates gallery in real Chromium against a real Confluo (PostgreSQL, Temporal dev server, worker): every
// template created from its card in one click (plus picking what it needs), published, triggered for real (a signed
// inbound message from the fake provider, a webhook, the schedule triggered in Temporal, a conversation closed), its
// run seen completed in the run overlay and its effect seen at the fake provider (the SMS, the Slack message, the
// HubSpot contact, the email). The 2 h and 24 h waits are shortened to 3 s in the wait's form before publishing, so
// the test shows their timeout path.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startHubSpotFake, startSlackFake, type HubSpotFake, type SlackFake } from '../../connectors/testkit/index.js';
import { startDovecot, startSmtpServer, type DovecotHandle, type SmtpServerHandle } from '../../test/mail-servers.js';
import { temporalAddress } from '../../test/env.js';
import { scheduleIdFor } from '../../worker/schedules.js';
import { canvasNode, openCompletedRun, signIn } from './canvas.js';
import { browserSession, type Confluo } from './harness.js';
import { BUSINESS, messagingFakes } from './messaging.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));
const fakes = messagingFakes('7');
const SLACK = { botToken: 'xoxb-templates', signingSecret: 'slack-templates-secret' };
const HUBSPOT = { accessToken: 'pat-na1-templates', clientSecret: 'hubspot-templates-secret' };
let slack: SlackFake;
let hubspot: HubSpotFake;
let smtp: SmtpServerHandle;
let imap: DovecotHandle;
let shop: { url: string; asked: string[]; close(): Promise<void> };
let temporal: Connection;
const accounts: Record<string, { id: string; inboundUrl: string }> = {};

/** The shop's order lookup: GET ?number=<n> answers the order's status; 9999 is no order (404). */
async function startShop(): Promise<typeof shop> {
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    const number = new URL(req.url ?? '/', 'http://shop').searchParams.get('number') ?? '';
    asked.push(number);
    if (number === '9999') return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ number, status: 'shipped' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/orders`,
    asked,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

beforeAll(async () => {
  [slack, hubspot, smtp, imap, shop, temporal] = await Promise.all([
    startSlackFake(SLACK),
    startHubSpotFake({ ...HUBSPOT, portalId: 7070 }),
    startSmtpServer(),
    startDovecot(),
    startShop(),
    Connection.connect({ address: temporalAddress() }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([slack?.close(), hubspot?.close(), smtp?.stop(), imap?.stop(), shop?.close(), temporal?.close()]);
});

async function createAccount(key: string, body: unknown) {
  const r = await call('POST', '/api/channel-accounts', body);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  accounts[key] = r.json;
}

/** The template's card on the flows screen: "Use template", then its needs, if any, and "Create flow". */
async function useTemplate(slug: string, fill?: (form: Locator) => Promise<unknown>): Promise<string> {
  await page.goto(`${confluo.baseUrl}/`);
  const card = page.locator(`[data-template="${slug}"]`);
  await card.getByRole('button', { name: /^Use template / }).click();
  if (fill) {
    const form = card.getByRole('form');
    await fill(form);
    await form.getByRole('button', { name: 'Create flow' }).click();
  }
  await page.waitForURL((url) => /^\/flows\/[^/]+$/.test(url.pathname));
  await canvasNode(page, 'trigger').waitFor();
  return new URL(page.url()).pathname.split('/').pop()!;
}

/** Sets a wait node's timeout in its form (the inspector's Timeout amount and unit). */
async function shortenWait(nodeId: string, seconds: number) {
  await canvasNode(page, nodeId).click();
  const timeout = page.locator('.side').getByRole('group', { name: 'Timeout' });
  await timeout.getByLabel('Unit').selectOption('seconds');
  await timeout.getByLabel('Amount').fill(String(seconds));
  await expect.poll(() => timeout.locator('small').textContent()).toBe(`PT${seconds}S`);
}

/** Publishes the draft on the canvas once it is valid and saved; the published notice. */
async function publish(): Promise<Locator> {
  await page.getByText('✓ Ready to publish').waitFor();
  await page.getByText('All changes saved').waitFor();
  await page.getByRole('button', { name: 'Publish' }).click();
  const published = page.getByTestId('published');
  await published.waitFor();
  return published;
}

/** The flow's newest (`runs`-th) run in the run overlay: completed, with these steps completed (and these skipped). */
async function runCompleted(completed: string[], skipped: string[] = [], runs = 1) {
  await openCompletedRun(page, runs);
  for (const id of completed) expect(await page.getByTestId(`status-${id}`).textContent(), id).toBe('completed');
  for (const id of skipped) expect(await page.getByTestId(`status-${id}`).textContent(), id).toBe('skipped');
}

/** Deleted after its test, so its trigger does not answer the next tests' messages. */
async function done(flowId: string, name: string) {
  await shot(`templates-${name}`);
  expect((await call('DELETE', `/api/flows/${flowId}`)).status).toBe(204);
}

const waTexts = (to: string) =>
  fakes.wa.sent.filter((s) => s.body.to === to).map((s) => (s.body.text as { body: string } | undefined)?.body);
const smsTo = (to: string) => fakes.twilio.messages.filter((m) => m.to === to).map((m) => m.body);
const slackIn = (channel: string) => slack.posted.filter((p) => p.channel === channel).map((p) => p.params.text);

/** Screenshot and page errors when a test fails. */
const onFailure = (name: string) =>
  onTestFailed(async () => {
    await shot(`failure-templates-${name}`);
    console.error('page errors:', pageErrors);
  });

// The tests run in order and share the accounts the first one connects.
let messaging: { sms: { inboundUrl: string }; whatsapp: { inboundUrl: string } };
let smsAccount: string;
let flowId: string;

describe('templates gallery in Chromium', () => {
  it('shows every template as a card with the channels it uses', async () => {
    onFailure('gallery');
    messaging = await fakes.connect(call);
    accounts.sms = { id: '', ...messaging.sms };
    accounts.whatsapp = { id: '', ...messaging.whatsapp };
    await createAccount('slack', {
      connector: 'slack',
      name: 'Team Slack',
      credentials: SLACK,
      settings: { apiBaseUrl: `${slack.url}/api` },
    });
    await createAccount('hubspot', {
      connector: 'hubspot',
      name: 'Our HubSpot',
      credentials: HUBSPOT,
      settings: { apiBaseUrl: hubspot.url },
    });
    await createAccount('email', {
      connector: 'email',
      name: 'Hello mailbox',
      credentials: {
        smtp: { host: smtp.host, port: smtp.port, secure: false },
        imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, pass: imap.pass },
      },
      settings: { from: 'Acme <hello@acme.test>', tls: { rejectUnauthorized: false } },
    });
    await createAccount('webchat', { connector: 'webchat', name: 'Site chat', credentials: {}, settings: {} });
    smsAccount = (await call('GET', '/api/channel-accounts?connector=sms')).json.items[0].id;

    await signIn(page, confluo);
    const gallery = page.getByRole('list', { name: 'Templates' });
    await expect.poll(() => gallery.getByRole('listitem').count()).toBe(8);
    const uses = page.locator('[data-template="whatsapp-missed-reply-sms"] .template-uses .badge');
    expect(await uses.allTextContents()).toEqual(['whatsapp', 'sms']);
    await shot('templates-gallery');

    // A need left empty: refused in words on its field, nothing created (the one Slack workspace is picked already).
    const card = page.locator('[data-template="crm-deal-to-slack"]');
    await card.getByRole('button', { name: /^Use template / }).click();
    const form = card.getByRole('form');
    await expect.poll(() => form.getByLabel('Slack workspace').inputValue()).toBe(accounts.slack!.id);
    await form.getByRole('button', { name: 'Create flow' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toMatch(
        /^Not created: the template cannot be filled in: \/body\/values\/channel: Slack channel id .*: required/,
      );
    expect(await form.getByLabel('Slack channel id for new deals').getAttribute('aria-invalid')).toBe('true');
    await shot('templates-need-missing');
    expect((await call('GET', '/api/flows')).json.items).toEqual([]);
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it("missed WhatsApp reply → SMS follow-up (the wait's timeout path)", async () => {
    onFailure('whatsapp-sms');
    // 1. Missed WhatsApp reply → SMS follow-up: the SMS number picked; the 2 h wait shortened to 3 s.
    flowId = await useTemplate('whatsapp-missed-reply-sms', (form) =>
      form.getByLabel('SMS number to follow up from').selectOption(smsAccount),
    );
    await shortenWait('reply', 3);
    await publish();
    expect(
      (
        await fakes.wa.sendInboundMessage(messaging.whatsapp.inboundUrl, {
          from: '14155550111',
          name: 'Ann Whats',
          text: 'Hi, can I change my booking?',
        })
      ).status,
    ).toBe(200);
    await expect
      .poll(() => waTexts('14155550111'), { timeout: 30_000 })
      .toEqual(['Thanks for your message! Could you tell us a bit more so we can help?']);
    await expect
      .poll(() => smsTo('+14155550111'), { timeout: 30_000 })
      .toEqual(['Hi! We answered you on WhatsApp but did not hear back. Reply here if you still need help.']);
    await runCompleted(['answer', 'reply', 'sms']);
    await done(flowId, '1-whatsapp-sms');
  });

  it('new web chat lead → HubSpot contact + welcome email, once', async () => {
    onFailure('webchat-lead');
    // 2. New web chat lead → HubSpot contact + welcome email.
    flowId = await useTemplate('webchat-lead-crm-welcome', async (form) => {
      await form.getByLabel('HubSpot account').selectOption(accounts.hubspot!.id);
      await form.getByLabel('Mailbox the welcome email is sent from').selectOption(accounts.email!.id);
    });
    await publish();
    const session = await call('POST', `/webchat/${accounts.webchat!.id}/sessions`, {}, false);
    const visit = (text: string, n: number) =>
      call(
        'POST',
        `/hooks/channels/${accounts.webchat!.id}`,
        { ...session.json, text, clientMessageId: `lead-${n}`, name: 'Lea Lead', email: 'Lea@Example.com' },
        false,
      );
    expect((await visit('Do you deliver to Lyon?', 1)).status).toBe(202);
    await expect
      .poll(() => smtp.received.filter((m) => m.envelope.rcptTo.includes('lea@example.com')).length, {
        timeout: 30_000,
      })
      .toBe(1);
    expect(smtp.received.at(-1)!.raw.toString()).toMatch(/Subject: Welcome!/);
    expect(hubspot.records('contacts').find((r) => r.properties.email === 'lea@example.com')).toBeDefined();
    await runCompleted(['crm', 'welcome', 'mark']);
    // Welcomed once: her next message starts no run (the trigger's filter sees contact.attributes.welcomedAt).
    expect((await visit('And to Paris?', 2)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await call('GET', `/api/runs?flowId=${flowId}`)).json.items).toHaveLength(1);
    await done(flowId, '2-webchat-lead');
  });

  it('STOP handling: confirmed on WhatsApp, recorded on both channels', async () => {
    onFailure('stop');
    // 3. STOP handling: needs nothing, so one click creates it.
    flowId = await useTemplate('stop-opt-out');
    await publish();
    await fakes.wa.sendInboundMessage(messaging.whatsapp.inboundUrl, {
      from: '14155550133',
      name: 'Sam',
      text: ' Stop ',
    });
    await expect
      .poll(() => waTexts('14155550133'), { timeout: 30_000 })
      .toEqual(['You are unsubscribed and will get no more messages from us here. Write START any time to come back.']);
    await runCompleted(['whatsapp', 'confirm', 'optout']);
    const sam = (await call('GET', `/api/contacts?identity=${encodeURIComponent('phone:+14155550133')}`)).json.items[0];
    const consent = await confluo.prisma.consent.findMany({ where: { contactId: sam.id } });
    expect(consent.map((c) => [c.channel, c.status])).toEqual([['whatsapp', 'opted_out']]);
    // On SMS, Twilio confirms a STOP itself: the run records the opt-out and sends nothing.
    const before = fakes.twilio.messages.length;
    await fakes.twilio.sendInboundSms({
      url: messaging.sms.inboundUrl,
      from: '+14155550134',
      to: BUSINESS,
      body: 'STOP',
    });
    await runCompleted(['whatsapp', 'optout'], ['confirm'], 2);
    const tom = (await call('GET', `/api/contacts?identity=${encodeURIComponent('phone:+14155550134')}`)).json.items[0];
    const tomConsent = await confluo.prisma.consent.findMany({ where: { contactId: tom.id } });
    expect(tomConsent.map((c) => [c.channel, c.status])).toEqual([['sms', 'opted_out']]);
    expect(fakes.twilio.messages.length).toBe(before);
    expect((await call('GET', `/api/runs?flowId=${flowId}`)).json.items).toHaveLength(2);
    await done(flowId, '3-stop');
  });

  it('order status by keyword: the shop asked, the status answered (or the order not found)', async () => {
    onFailure('order-status');
    // 4. Order status by keyword: the shop's URL typed in; an SMS asks, the SMS answer carries the status.
    flowId = await useTemplate('order-status-keyword', (form) =>
      form.getByLabel("Your shop's order lookup URL").fill(shop.url),
    );
    await publish();
    await fakes.twilio.sendInboundSms({
      url: messaging.sms.inboundUrl,
      from: '+14155550144',
      to: BUSINESS,
      body: 'Hello, where is my order #1042?',
    });
    await expect.poll(() => smsTo('+14155550144'), { timeout: 30_000 }).toEqual(['Your order 1042 is shipped.']);
    expect(shop.asked).toEqual(['1042']);
    await runCompleted(['order', 'lookup', 'answer'], ['unknown']);
    // An order the shop does not know (404): the error branch says so.
    await fakes.twilio.sendInboundSms({
      url: messaging.sms.inboundUrl,
      from: '+14155550145',
      to: BUSINESS,
      body: 'ORDER 9999 status please',
    });
    await expect
      .poll(() => smsTo('+14155550145'), { timeout: 30_000 })
      .toEqual(['Sorry, we could not find order 9999. A member of the team will look into it.']);
    await runCompleted(['order', 'unknown'], ['answer'], 2);
    expect(await page.getByTestId('status-lookup').textContent()).toBe('failed');
    await done(flowId, '4-order-status');
  });

  it("escalate after no reply: Slack alerted (the wait's timeout path)", async () => {
    onFailure('escalate');
    // 5. Escalate after no reply: Slack workspace and channel picked; the 24 h wait shortened to 3 s.
    flowId = await useTemplate('escalate-no-reply-24h', async (form) => {
      await form.getByLabel('Slack workspace').selectOption(accounts.slack!.id);
      await form.getByLabel('Slack channel id for escalations').fill('C0SUPPORT');
    });
    await shortenWait('reply', 3);
    await publish();
    await fakes.wa.sendInboundMessage(messaging.whatsapp.inboundUrl, {
      from: '14155550155',
      name: 'Eve Silent',
      text: 'My parcel arrived damaged',
    });
    await expect
      .poll(() => slackIn('C0SUPPORT'), { timeout: 30_000 })
      .toEqual([
        ':warning: No reply in 24 h from Eve Silent (whatsapp 14155550155). They wrote: "My parcel arrived damaged". Please follow up.',
      ]);
    expect(waTexts('14155550155')).toHaveLength(1);
    await runCompleted(['ask', 'reply', 'escalate']);
    await done(flowId, '5-escalate');
  });

  it('daily digest of open conversations, on its schedule', async () => {
    onFailure('digest');
    // 6. Daily digest: Dana's question is the one conversation nobody answered; the schedule triggered in Temporal.
    await fakes.wa.sendInboundMessage(messaging.whatsapp.inboundUrl, {
      from: '14155550166',
      name: 'Dana Open',
      text: 'Are you open on Sunday?',
    });
    await expect
      .poll(
        async () =>
          (await call('GET', '/api/conversations?limit=100')).json.items.some(
            (c: any) => c.contact.name === 'Dana Open',
          ),
        {
          timeout: 30_000,
        },
      )
      .toBe(true);
    flowId = await useTemplate('daily-open-digest', async (form) => {
      expect(await form.getByLabel('Your time zone').inputValue()).toBe('UTC');
      await form.getByLabel('Your time zone').fill('Europe/Paris');
      await form.getByLabel('Slack workspace').selectOption(accounts.slack!.id);
      await form.getByLabel('Slack channel id').fill('C0DIGEST');
    });
    expect(await canvasNode(page, 'trigger').getByTestId('trigger-summary').textContent()).toBe(
      '0 8 * * 1-5 · Europe/Paris',
    );
    await publish();
    await new Client({ connection: temporal }).schedule.getHandle(scheduleIdFor(flowId)).trigger();
    await expect.poll(() => slackIn('C0DIGEST').length, { timeout: 30_000 }).toBe(1);
    const digest = String(slackIn('C0DIGEST')[0]);
    expect(digest).toMatch(/^\*\d+ conversations waiting for an answer\*\n/);
    expect(digest).toMatch(/• Dana Open \(whatsapp, since \d{4}-\d\d-\d\d \d\d:\d\d UTC\): Are you open on Sunday\?/);
    // Answered conversations are not in it (Ann got her SMS, Sam his confirmation).
    expect(digest).not.toMatch(/Ann Whats|Sam/);
    await runCompleted(['open', 'post']);
    await done(flowId, '6-digest');
  });

  it('review request after a conversation is closed', async () => {
    onFailure('review');
    // 7. Review request after resolution: Dana's conversation closed in the inbox's API.
    flowId = await useTemplate('review-after-resolution', (form) =>
      form.getByLabel('Your review page').fill('https://g.page/r/acme/review'),
    );
    await publish();
    const dana = (await call('GET', '/api/conversations?limit=100')).json.items.find(
      (c: any) => c.contact.name === 'Dana Open',
    );
    expect((await call('POST', `/api/conversations/${dana.id}/close`, {})).status).toBe(200);
    await expect
      .poll(() => waTexts('14155550166'), { timeout: 30_000 })
      .toEqual([
        'Thanks for getting in touch! If we helped, would you leave us a short review? https://g.page/r/acme/review',
      ]);
    await runCompleted(['settings', 'ask']);
    await done(flowId, '7-review');
  });

  it('new CRM deal (Pipedrive webhook) → Slack channel', async () => {
    onFailure('deal-slack');
    // 8. New CRM deal → Slack: Pipedrive's create.deal webhook posted to the flow's webhook URL.
    flowId = await useTemplate('crm-deal-to-slack', async (form) => {
      await form.getByLabel('Slack workspace').selectOption(accounts.slack!.id);
      await form.getByLabel('Slack channel id for new deals').fill('C0DEALS');
    });
    const webhookUrl = (await (await publish()).locator('code').textContent())!;
    const res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        meta: { action: 'create', entity: 'deal', entity_id: '42', id: 'evt-1', company_id: '1', user_id: '1' },
        data: { id: 42, title: 'Acme renewal', value: 4800, currency: 'EUR', stage_id: 2, status: 'open' },
        previous: null,
      }),
    });
    expect(res.status).toBe(202);
    await expect
      .poll(() => slackIn('C0DEALS'), { timeout: 30_000 })
      .toEqual([':moneybag: New deal *Acme renewal*: 4800 EUR (stage 2)']);
    await runCompleted(['isDeal', 'post']);
    await done(flowId, '8-deal-slack');
    expect(pageErrors).toEqual([]);
  });
});
