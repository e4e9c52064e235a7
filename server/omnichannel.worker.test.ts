// One customer, many channels, through the API against the providers' fakes and real mail servers: the example flow
// "WhatsApp or SMS message → wait for a reply on any channel (1 day) → reply on the channel the customer used last",
// webhook registration (Telegram), handshakes and replay windows (Meta, Slack) through the gateway, and email received
// by the IMAP polling loop and answered over SMTP with threading headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import {
  startSlackFake,
  startTelegramFake,
  startTwilioFake,
  startWhatsAppFake,
  textMessageUpdate,
  type SlackFake,
  type TelegramFake,
  type TwilioFake,
  type WhatsAppFake,
} from '../connectors/testkit/index.js';
import { startDovecot, startSmtpServer, type DovecotHandle, type SmtpServerHandle } from '../test/mail-servers.js';
import { eventually } from './test-app.js';
import { settledStatus, startChannelHarness, type ChannelHarness } from './test-channels.js';

const BUSINESS = '+14155550100';
const TWILIO = { accountSid: `AC${'2'.repeat(32)}`, authToken: 'tw-token' };
const META = {
  accessToken: 'EAAG-test',
  phoneNumberId: '106540352242922',
  appSecret: 'meta-app-secret',
  verifyToken: 'verify-me',
};

let h: ChannelHarness;
let twilio: TwilioFake;
let wa: WhatsAppFake;
let sms: string;
let whatsapp: { id: string; inboundUrl: string };

beforeAll(async () => {
  h = await startChannelHarness();
  twilio = await startTwilioFake(TWILIO);
  wa = await startWhatsAppFake({
    accessToken: META.accessToken,
    phoneNumberId: META.phoneNumberId,
    appSecret: META.appSecret,
  });
  sms = (
    await h.createAccount({
      connector: 'sms',
      name: 'SMS',
      credentials: TWILIO,
      settings: { from: BUSINESS, apiBaseUrl: twilio.url },
    })
  ).id;
  whatsapp = await h.createAccount({
    connector: 'whatsapp',
    name: 'WhatsApp',
    credentials: { accessToken: META.accessToken, appSecret: META.appSecret, verifyToken: META.verifyToken },
    settings: { phoneNumberId: META.phoneNumberId, apiBaseUrl: wa.url },
  });
});

afterAll(async () => {
  await Promise.all([twilio?.close(), wa?.close()]);
  await h?.close();
});

/** The example flow of issue 4. */
const replyFlow = {
  schemaVersion: 1,
  trigger: {
    type: 'channel.message',
    channels: ['whatsapp', 'sms'],
    filter: { in: ['#support', { var: 'trigger.message.text' }] },
  },
  nodes: [
    { id: 'reply', type: 'wait', for: 'reply', timeout: 'P1D' },
    {
      id: 'answer',
      type: 'action',
      action: 'conversations.reply',
      input: {
        contact: '{{ contact.id }}',
        text: 'Thanks {{ contact.name }}, you said: {{ steps.reply.output.message.text }} (on {{ steps.reply.output.channel }})',
      },
    },
  ],
  edges: [
    { from: 'trigger', to: 'reply' },
    { from: 'reply', to: 'answer', branch: 'received' },
  ],
};

describe('one customer across channels', () => {
  let flowId: string;
  beforeAll(async () => {
    flowId = await h.publish(replyFlow);
  });

  it('starts on WhatsApp, is woken by the SMS reply of the same person, and answers by SMS', async () => {
    const phone = '+14155552671';
    const first = await wa.sendInboundMessage(whatsapp.inboundUrl, {
      from: phone.slice(1),
      text: '#support my parcel is late',
      name: 'Ada',
    });
    expect(first.status).toBe(200);
    const [started] = await h.runsOf(flowId, 1);
    await h.run(started!.id, (s) => s === 'waiting');

    await twilio.sendInboundSms({
      url: `${h.base}/hooks/channels/${sms}`,
      from: phone,
      to: BUSINESS,
      body: 'order 4411',
    });
    const done = await h.run(started!.id, settledStatus);
    expect(done.status, JSON.stringify(done.steps)).toBe('completed');
    expect(await h.runsOf(flowId, 1)).toHaveLength(1);

    // The answer went by SMS (the channel used last), not WhatsApp.
    expect(twilio.created.filter((m) => m.To === phone).map((m) => m.Body)).toEqual([
      'Thanks Ada, you said: order 4411 (on sms)',
    ]);
    expect(wa.sent).toEqual([]);
    expect([...twilio.violations, ...wa.violations]).toEqual([]);

    // One contact, known by WhatsApp id and phone, one conversation with the three messages in order.
    const contact = await h.contactBy('whatsapp', phone.slice(1));
    expect(contact).toMatchObject({ name: 'Ada' });
    expect(contact.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'whatsapp', value: phone.slice(1), verified: true }),
        expect.objectContaining({ kind: 'phone', value: phone, valid: true, verified: true }),
      ]),
    );
    const conv = (await h.t.api({ method: 'GET', url: '/api/conversations?limit=100' }))
      .json()
      .items.find((c: any) => c.contact.id === contact.id);
    const messages = (await h.t.api({ method: 'GET', url: `/api/conversations/${conv.id}/messages` }))
      .json()
      .items.reverse();
    expect(messages.map((m: any) => [m.direction, m.channel, m.text])).toEqual([
      ['in', 'whatsapp', '#support my parcel is late'],
      ['in', 'sms', 'order 4411'],
      ['out', 'sms', 'Thanks Ada, you said: order 4411 (on sms)'],
    ]);
    // The contact's timeline tells the same story, newest first, with the run step behind the answer.
    const timeline = (await h.t.api({ method: 'GET', url: `/api/contacts/${contact.id}/timeline` })).json().items;
    const said = timeline.filter((e: any) => e.type.startsWith('message.'));
    expect(said.map((e: any) => [e.type, e.message.channel, e.message.text])).toEqual([
      ['message.sent', 'sms', 'Thanks Ada, you said: order 4411 (on sms)'],
      ['message.received', 'sms', 'order 4411'],
      ['message.received', 'whatsapp', '#support my parcel is late'],
    ]);
    expect(said[0]).toMatchObject({ runId: started!.id, nodeId: 'answer' });
  });

  it("files WhatsApp's Mexican 521 sender and an SMS from the same +52 number under one contact", async () => {
    const waId = '5215512345678';
    expect((await wa.sendInboundMessage(whatsapp.inboundUrl, { from: waId, text: 'hola', name: 'Lupe' })).status).toBe(
      200,
    );
    const contact = await eventually(() => h.contactBy('whatsapp', waId), 30_000);
    expect(contact.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'phone', value: '+525512345678', valid: true, verified: true }),
      ]),
    );
    await twilio.sendInboundSms({
      url: `${h.base}/hooks/channels/${sms}`,
      from: '+525512345678',
      to: BUSINESS,
      body: 'soy yo',
    });
    await eventually(async () => {
      const n = await h.t.prisma.message.count({ where: { contactId: contact.id, direction: 'in' } });
      return n === 2 || undefined;
    }, 30_000);
    expect((await h.contactBy('phone', '+52 1 55 1234 5678')).id).toBe(contact.id);
    expect(await h.t.prisma.contact.count({ where: { name: 'Lupe' } })).toBe(1);
  });

  it('starts on SMS and answers on WhatsApp when the reply comes from WhatsApp, threaded on it', async () => {
    const phone = '+14155552672';
    await twilio.sendInboundSms({
      url: `${h.base}/hooks/channels/${sms}`,
      from: phone,
      to: BUSINESS,
      body: '#support hello',
    });
    // This flow may have other runs (other tests): find the one this customer started, waiting.
    const mine = await eventually(async () => {
      const items = (await h.t.api({ method: 'GET', url: `/api/runs?flowId=${flowId}` })).json().items as {
        id: string;
      }[];
      for (const r of items) {
        const d = (await h.t.api({ method: 'GET', url: `/api/runs/${r.id}` })).json();
        if (d.status === 'waiting' && d.trigger?.sender?.identity?.value === phone) return d;
      }
      return undefined;
    }, 30_000);
    const delivered = await wa.sendInboundMessage(whatsapp.inboundUrl, {
      from: phone.slice(1),
      text: 'it is 99',
      name: 'Bo',
      id: 'wamid.reply-99',
    });
    expect(delivered.status).toBe(200);
    const done = await h.run(mine.id, settledStatus);
    expect(done.status, JSON.stringify(done.steps)).toBe('completed');
    expect(wa.sent, JSON.stringify(done.steps)).toHaveLength(1);
    expect(wa.sent[0]!.body).toMatchObject({
      to: phone.slice(1),
      type: 'text',
      text: { body: 'Thanks Bo, you said: it is 99 (on whatsapp)' },
      context: { message_id: 'wamid.reply-99' },
    });
    expect(twilio.created.filter((m) => m.To === phone)).toEqual([]);
    expect(wa.violations).toEqual([]);
  });

  it("answers Meta's verification handshake with the challenge, and refuses a wrong verify token", async () => {
    const ok = await wa.handshake(whatsapp.inboundUrl, META.verifyToken, { challenge: '1158201444' });
    expect(ok).toMatchObject({ status: 200, body: '1158201444' });
    const bad = await wa.handshake(whatsapp.inboundUrl, 'guess', { challenge: '1' });
    expect(bad.status).toBe(403);
    // In the API's one error body, not text/plain.
    expect(JSON.parse(bad.body)).toEqual({
      error: { code: 'handshake_refused', message: expect.stringContaining('verification refused') },
    });
  });

  it('records delivery statuses from WhatsApp on the message they are about', async () => {
    const phone = '+14155552673';
    await wa.sendInboundMessage(whatsapp.inboundUrl, { from: phone.slice(1), text: 'hi there' });
    const contact = await eventually(() => h.contactBy('whatsapp', phone.slice(1)));
    const conv = (await h.t.api({ method: 'GET', url: '/api/conversations?limit=100' }))
      .json()
      .items.find((c: any) => c.contact.id === contact.id);
    const sent = (
      await h.t.api({ method: 'POST', url: `/api/conversations/${conv.id}/messages`, payload: { text: 'hello back' } })
    ).json();
    expect(sent).toMatchObject({ status: 'sent', message: { channel: 'whatsapp', status: 'queued' } });
    // Both at once: whichever is applied last, the message ends `read` (statuses never go backwards).
    await Promise.all(
      (['delivered', 'read'] as const).map((status) =>
        wa.sendStatus(whatsapp.inboundUrl, { id: sent.message.providerMessageId, status, recipientId: phone.slice(1) }),
      ),
    );
    await eventually(async () =>
      (await h.t.prisma.message.findUnique({ where: { id: sent.message.id } }))?.status === 'read' ? true : undefined,
    );
  });
});

describe('Telegram and Slack through the gateway', () => {
  let tg: TelegramFake;
  let slack: SlackFake;
  beforeAll(async () => {
    tg = await startTelegramFake({ token: '123456:ABC-test' });
    slack = await startSlackFake({ botToken: 'xoxb-test', signingSecret: 'slack-signing-secret' });
  });
  afterAll(async () => {
    await Promise.all([tg?.close(), slack?.close()]);
  });

  it('registers the Telegram webhook with a secret token on create, takes updates that carry it, and refuses others', async () => {
    const account = await h.createAccount({
      connector: 'telegram',
      name: 'Bot',
      credentials: { botToken: tg.token },
      settings: { apiBaseUrl: tg.url },
    });
    expect(tg.webhook).toMatchObject({
      url: account.inboundUrl,
      secretToken: expect.stringMatching(/^[A-Za-z0-9_-]{16,256}$/),
    });
    const listed = (await h.t.api({ method: 'GET', url: `/api/channel-accounts/${account.id}` })).json();
    expect(listed.credentialKeys).toEqual(['botToken', 'webhookSecret']);
    expect(JSON.stringify(listed)).not.toContain(tg.webhook!.secretToken!);

    const res = await tg.sendUpdate(
      textMessageUpdate({ from: { id: 777001, is_bot: false, first_name: 'Cy' }, text: 'hi bot' }),
    );
    expect(res.status).toBe(200);
    const contact = await eventually(() => h.contactBy('telegram', '777001'));
    expect(contact).toMatchObject({ name: 'Cy' });

    const forged = await fetch(account.inboundUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'not-the-secret' },
      body: JSON.stringify(textMessageUpdate({ from: { id: 777002, is_bot: false, first_name: 'Eve' }, text: 'x' })),
    });
    expect(forged.status).toBe(401);

    // Deleting the account removes the webhook at Telegram.
    expect((await h.t.api({ method: 'DELETE', url: `/api/channel-accounts/${account.id}` })).statusCode).toBe(204);
    expect(tg.webhook).toBeUndefined();
  });

  it('a bad bot token is a 422 naming the credentials, and no account is stored', async () => {
    const before = await h.t.prisma.channelAccount.count();
    const res = await h.t.api({
      method: 'POST',
      url: '/api/channel-accounts',
      payload: {
        connector: 'telegram',
        name: 'Bad',
        credentials: { botToken: '999:wrong' },
        settings: { apiBaseUrl: tg.url },
      },
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'registration_failed',
      issues: [{ path: '/body/credentials', code: 'auth' }],
    });
    expect(await h.t.prisma.channelAccount.count()).toBe(before);
  });

  it("answers Slack's url_verification, takes a signed message once despite retries, and refuses a stale one", async () => {
    const account = await h.createAccount({
      connector: 'slack',
      name: 'Slack',
      credentials: { botToken: slack.botToken, signingSecret: slack.signingSecret },
      settings: { apiBaseUrl: `${slack.url}/api` },
    });
    const verification = await slack.sendUrlVerification(account.inboundUrl);
    expect(verification.status).toBe(200);
    expect(JSON.parse(verification.body)).toEqual({ challenge: verification.challenge });

    const flowId = await h.publish({
      schemaVersion: 1,
      trigger: { type: 'channel.message', channels: ['slack'] },
      nodes: [
        {
          id: 'echo',
          type: 'action',
          action: 'conversations.reply',
          input: { contact: '{{ contact.id }}', text: 'echo: {{ trigger.message.text }}' },
        },
      ],
      edges: [{ from: 'trigger', to: 'echo' }],
    });
    const delivery = await slack.sendMessageEvent(account.inboundUrl, {
      user: 'U0CUSTOMER',
      channel: 'C0SUPPORT',
      text: 'need help',
    });
    expect(delivery.status).toBe(200);
    expect((await slack.retry(account.inboundUrl, delivery, { num: 1, reason: 'http_timeout' })).status).toBe(200);
    const [only] = await h.runsOf(flowId, 1);
    expect((await h.run(only!.id, settledStatus)).status).toBe('completed');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await h.runsOf(flowId, 1)).toHaveLength(1);
    expect(slack.posted.map((p) => [p.channel, p.params.text])).toEqual([['C0SUPPORT', 'echo: need help']]);

    const stale = await slack.sendMessageEvent(
      account.inboundUrl,
      { user: 'U0CUSTOMER', channel: 'C0SUPPORT', text: 'old' },
      { ageSeconds: 600 },
    );
    expect(stale.status).toBe(401);
    expect(slack.violations).toEqual([]);
  });
});

describe('email: IMAP polling in, SMTP out', () => {
  let smtp: SmtpServerHandle;
  let imap: DovecotHandle;
  beforeAll(async () => {
    [smtp, imap] = await Promise.all([startSmtpServer(), startDovecot()]);
  });
  afterAll(async () => {
    await Promise.all([smtp?.stop(), imap?.stop()]);
  });

  it('polls new mail into the conversation, runs the flow once, and replies in the same thread', async () => {
    const flowId = await h.publish({
      schemaVersion: 1,
      trigger: { type: 'channel.message', channels: ['email'] },
      nodes: [
        {
          id: 'ack',
          type: 'action',
          action: 'conversations.reply',
          input: { contact: '{{ contact.id }}', text: 'We got your mail about "{{ trigger.message.text }}"' },
        },
      ],
      edges: [{ from: 'trigger', to: 'ack' }],
    });
    const account = await h.createAccount({
      connector: 'email',
      name: 'Support mailbox',
      credentials: {
        smtp: { host: smtp.host, port: smtp.port, secure: false },
        imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, pass: imap.pass },
      },
      settings: {
        from: 'Acme Support <support@acme.test>',
        pollInterval: 'PT1S',
        initialSync: 'all',
        tls: { rejectUnauthorized: false },
      },
    });
    const raw = [
      'From: Dee Customer <Dee@Example.com>',
      'To: support@acme.test',
      'Subject: Broken lamp',
      'Message-ID: <lamp-1@example.com>',
      'Date: Sun, 29 Nov 2026 10:00:00 +0000',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The lamp flickers.',
      '',
    ].join('\r\n');
    await imap.append(raw);
    const [only] = await h.runsOf(flowId, 1);
    const done = await h.run(only!.id, settledStatus);
    expect(done.status, JSON.stringify(done.steps)).toBe('completed');

    const contact = await h.contactBy('email', 'dee@example.com');
    expect(contact).toMatchObject({ name: 'Dee Customer' });
    await eventually(async () => (smtp.received.length > 0 ? true : undefined));
    const mail = await simpleParser(smtp.received[0]!.raw);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('dee@example.com');
    expect(mail.subject).toBe('Re: Broken lamp');
    expect(mail.inReplyTo).toBe('<lamp-1@example.com>');
    expect(mail.text?.trim()).toBe('We got your mail about "The lamp flickers."');

    // Later polls find nothing new: still one run, one inbound message.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await h.runsOf(flowId, 1)).toHaveLength(1);
    expect(await h.t.prisma.message.count({ where: { accountId: account.id, direction: 'in' } })).toBe(1);
  });
});
