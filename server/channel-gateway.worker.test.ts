// The channel gateway end to end, on the real PostgreSQL and Temporal server with a real worker: a fake Twilio delivers
// signed webhooks to the listening server, `ingest` records the message and starts or wakes runs, and sends go back to
// the fake through the platform (consent, rate limit, outbound record).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTwilio } from '../connectors/sdk/index.js';
import { startTwilioFake, type TwilioFake } from '../connectors/testkit/index.js';
import { eventually } from './test-app.js';
import { startChannelHarness, type ChannelHarness } from './test-channels.js';

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-auth-token';
const BUSINESS = '+14155550100';

let h: ChannelHarness;
let twilio: TwilioFake;
let smsAccount: string;

beforeAll(async () => {
  h = await startChannelHarness();
  twilio = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const account = await h.createAccount({
    connector: 'sms',
    name: 'Main line',
    credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
    settings: { from: BUSINESS, apiBaseUrl: twilio.url, rateLimit: { limit: 50, intervalMs: 1000 } },
  });
  smsAccount = account.id;
});

afterAll(async () => {
  await twilio?.close();
  await h?.close();
});

const hook = () => `${h.base}/hooks/channels/${smsAccount}`;
let nextCustomer = 1000;
const customer = () => `+1415555${nextCustomer++}`;

const contactByPhone = (phone: string) => h.contactBy('phone', phone);
const publish = (definition: object) => h.publish(definition);
const runsOf = (flowId: string, want: number) => h.runsOf(flowId, want);
const run = (runId: string, until: (status: string) => boolean) => h.run(runId, until);

describe('the channel gateway', () => {
  it('refuses unknown accounts (404) and bad signatures (401) and starts nothing', async () => {
    const unknown = await fetch(`${h.base}/hooks/channels/cha_nope`, {
      method: 'POST',
      body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unknown.status).toBe(404);

    const from = customer();
    const params = {
      MessageSid: `SM${'a'.repeat(32)}`,
      AccountSid: ACCOUNT_SID,
      From: from,
      To: BUSINESS,
      Body: 'hi',
      NumMedia: '0',
    };
    const body = new URLSearchParams(params).toString();
    const forged = await fetch(hook(), {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilio('wrong-token', hook(), params),
      },
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('signature_invalid');
    const unsigned = await fetch(hook(), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unsigned.status).toBe(401);
    // Readable by browsers (the web chat widget posts here from other sites), errors included.
    expect(unsigned.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(hook(), {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    // Nothing was ingested: no contact for that number.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await contactByPhone(from)).toBeUndefined();
  });

  it('answers 400 for a payload Twilio would never send', async () => {
    const params = { AccountSid: ACCOUNT_SID, To: BUSINESS, Body: 'no sid, no sender' };
    const res = await fetch(hook(), {
      method: 'POST',
      body: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilio(AUTH_TOKEN, hook(), params),
      },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: object }).error).toMatchObject({ code: 'payload_invalid' });
  });

  it('records a message once, however often it is delivered, and runs each matching flow once', async () => {
    const flowId = await publish({
      schemaVersion: 1,
      trigger: {
        type: 'channel.message',
        channels: ['sms'],
        filter: { in: ['order', { var: 'trigger.message.text' }] },
      },
      nodes: [
        {
          id: 'ack',
          type: 'action',
          action: 'conversations.reply',
          input: { contact: '{{ contact.id }}', text: 'Got your order, {{ contact.name }}' },
        },
      ],
      edges: [{ from: 'trigger', to: 'ack' }],
    });
    const from = customer();
    const first = await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'my order #12' });
    expect(first.status).toBe(200);
    expect(first.body).toContain('<Response');
    // The same delivery twice more (Twilio retries carry the same MessageSid).
    for (let i = 0; i < 2; i++) {
      const again = await fetch(hook(), {
        method: 'POST',
        body: new URLSearchParams(first.params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': first.signature },
      });
      expect(again.status).toBe(200);
    }
    const [only] = await runsOf(flowId, 1);
    const done = await run(only!.id, (s) => s === 'completed' || s === 'failed');
    expect(done.status, JSON.stringify(done.steps)).toBe('completed');
    // A message the filter rejects starts nothing.
    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'just saying hi' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await runsOf(flowId, 1)).toHaveLength(1);

    const sent = twilio.created.filter((m) => m.To === from);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ From: BUSINESS, Body: 'Got your order, ' });
    expect(twilio.violations).toEqual([]);

    const contact = await contactByPhone(from);
    expect(contact.identities).toEqual([
      expect.objectContaining({ kind: 'phone', value: from, valid: true, verified: true }),
    ]);
    const messages = await h.t.prisma.message.findMany({
      where: { contactId: contact.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(messages.map((m) => [m.direction, m.channel, m.text, m.status])).toEqual([
      ['in', 'sms', 'my order #12', 'received'],
      ['out', 'sms', 'Got your order, ', 'queued'],
      ['in', 'sms', 'just saying hi', 'received'],
    ]);
    expect(new Set(messages.map((m) => m.conversationId)).size).toBe(1);

    // Twilio's status callback for the reply updates it.
    const out = messages[1]!;
    const cb = await twilio.sendStatusCallback({
      url: hook(),
      messageSid: out.providerMessageId!,
      status: 'delivered',
    });
    expect(cb.status).toBe(200);
    await eventually(async () =>
      (await h.t.prisma.message.findUnique({ where: { id: out.id } }))?.status === 'delivered' ? true : undefined,
    );
  });

  it('wakes a waiting run with the reply instead of starting another, and answers on the channel last used', async () => {
    const flowId = await publish({
      schemaVersion: 1,
      trigger: {
        type: 'channel.message',
        channels: ['sms'],
        filter: { in: ['help', { var: 'trigger.message.text' }] },
      },
      nodes: [
        {
          id: 'ask',
          type: 'action',
          action: 'conversations.reply',
          input: { contact: '{{ contact.id }}', text: 'What is your order number?' },
        },
        { id: 'answer', type: 'wait', for: 'reply', timeout: 'P1D' },
        {
          id: 'thanks',
          type: 'action',
          action: 'conversations.reply',
          input: { contact: '{{ contact.id }}', text: 'Thanks, looking up {{ steps.answer.output.message.text }}' },
        },
        {
          id: 'late',
          type: 'action',
          action: 'conversations.reply',
          input: { contact: '{{ contact.id }}', text: 'Still there?' },
        },
      ],
      edges: [
        { from: 'trigger', to: 'ask' },
        { from: 'ask', to: 'answer' },
        { from: 'answer', to: 'thanks', branch: 'received' },
        { from: 'answer', to: 'late', branch: 'timeout' },
      ],
    });
    const from = customer();
    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'help please' });
    const [started] = await runsOf(flowId, 1);
    await run(started!.id, (s) => s === 'waiting');
    await eventually(async () =>
      (await h.t.prisma.runWait.count({ where: { runId: started!.id } })) === 1 ? true : undefined,
    );

    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'help: number 77' });
    const done = await run(started!.id, (s) => s === 'completed' || s === 'failed');
    expect(done.status, JSON.stringify(done.steps)).toBe('completed');
    const steps = Object.fromEntries((done.steps as { nodeId: string }[]).map((s) => [s.nodeId, s]));
    expect(steps.answer).toMatchObject({
      status: 'completed',
      branch: 'received',
      output: { channel: 'sms', message: { text: 'help: number 77' } },
    });
    expect(steps.late).toMatchObject({ status: 'skipped' });
    // The reply woke the run: it did not start a second one, though it matches the trigger.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await runsOf(flowId, 1)).toHaveLength(1);
    expect(twilio.created.filter((m) => m.To === from).map((m) => m.Body)).toEqual([
      'What is your order number?',
      'Thanks, looking up help: number 77',
    ]);
    expect(await h.t.prisma.runWait.count({ where: { runId: started!.id } })).toBe(0);
  });

  it("records STOP as the contact's SMS opt-out and fails later sends without sending", async () => {
    const from = customer();
    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'STOP' });
    const contact = await eventually(() => contactByPhone(from));
    await eventually(async () =>
      (await h.t.prisma.consent.findUnique({ where: { contactId_channel: { contactId: contact.id, channel: 'sms' } } }))
        ?.status === 'opted_out'
        ? true
        : undefined,
    );

    const flowId = await publish({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        { id: 'promo', type: 'action', action: 'sms.send', input: { account: smsAccount, to: from, body: 'Sale!' } },
      ],
      edges: [{ from: 'trigger', to: 'promo' }],
    });
    const { webhookUrl } = (await h.t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json();
    const runId = (await h.t.app.inject({ method: 'POST', url: new URL(webhookUrl).pathname, payload: {} })).json()
      .runId;
    const failed = await run(runId, (s) => s === 'failed' || s === 'completed');
    expect(failed.status).toBe('failed');
    const step = failed.steps.find((s: { nodeId: string }) => s.nodeId === 'promo');
    expect(step).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'OPTED_OUT', retryable: false } });
    expect(step.error.message).toMatch(/opted out of sms/);
    expect(twilio.created.filter((m) => m.To === from)).toEqual([]);

    // START opts back in.
    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'START' });
    await eventually(async () =>
      (await h.t.prisma.consent.findUnique({ where: { contactId_channel: { contactId: contact.id, channel: 'sms' } } }))
        ?.status === 'opted_in'
        ? true
        : undefined,
    );
  });

  it('lists the conversation in the inbox and sends an agent reply on the channel the contact used', async () => {
    const from = customer();
    await twilio.sendInboundSms({ url: hook(), from, to: BUSINESS, body: 'anyone there?' });
    const contact = await eventually(() => contactByPhone(from));
    const inbox = await eventually(async () => {
      const items = (await h.t.api({ method: 'GET', url: '/api/conversations?limit=100' })).json().items as any[];
      return items.find((c) => c.contact.id === contact.id);
    });
    expect(inbox.lastMessage).toMatchObject({
      direction: 'in',
      channel: 'sms',
      text: 'anyone there?',
      address: { kind: 'phone', value: from },
    });

    const sent = await h.t.api({
      method: 'POST',
      url: `/api/conversations/${inbox.id}/messages`,
      payload: { text: 'Yes, how can I help?' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json()).toMatchObject({
      status: 'sent',
      message: { channel: 'sms', accountId: smsAccount, to: { kind: 'phone', value: from }, status: 'queued' },
    });
    expect(twilio.created.filter((m) => m.To === from).map((m) => m.Body)).toEqual(['Yes, how can I help?']);

    const messages = (await h.t.api({ method: 'GET', url: `/api/conversations/${inbox.id}/messages` })).json().items;
    expect(messages.map((m: any) => [m.direction, m.text])).toEqual([
      ['out', 'Yes, how can I help?'],
      ['in', 'anyone there?'],
    ]);
    const empty = await h.t.api({
      method: 'POST',
      url: `/api/conversations/${inbox.id}/messages`,
      payload: { text: '' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.issues[0]).toMatchObject({ path: '/body/text' });
    expect((await h.t.api({ method: 'GET', url: '/api/conversations/cnv_nope/messages' })).statusCode).toBe(404);
  });

  it('refuses a webhook call for a flow that starts on channel messages', async () => {
    const flowId = await publish({
      schemaVersion: 1,
      trigger: { type: 'channel.message', channels: ['sms'], filter: { '==': [1, 2] } },
      nodes: [{ id: 'noop', type: 'set', values: {} }],
      edges: [{ from: 'trigger', to: 'noop' }],
    });
    const { webhookUrl } = (await h.t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json();
    const res = await h.t.app.inject({ method: 'POST', url: new URL(webhookUrl).pathname, payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('trigger_mismatch');
  });

  it("paces a burst to the account's rate limit: sends beyond what an attempt may wait sleep and go later, none fails", async () => {
    const paced = await h.createAccount({
      connector: 'sms',
      name: 'Paced line',
      credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
      settings: { from: BUSINESS, apiBaseUrl: twilio.url, rateLimit: { limit: 4, intervalMs: 1000 } },
    });
    // A 3 s step timeout lets an attempt wait 1 s for its slot at most: most of the burst is sent back to sleep.
    const flowId = await publish({
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [
        {
          id: 'send',
          type: 'action',
          action: 'sms.send',
          timeout: 'PT3S',
          input: { account: paced.id, to: '{{ trigger.body.to }}', body: 'burst' },
        },
      ],
      edges: [{ from: 'trigger', to: 'send' }],
    });
    const { webhookUrl } = (await h.t.api({ method: 'GET', url: `/api/flows/${flowId}` })).json();
    const recipients = Array.from({ length: 12 }, () => customer());
    const runIds = await Promise.all(
      recipients.map(
        async (to) =>
          (await h.t.app.inject({ method: 'POST', url: new URL(webhookUrl).pathname, payload: { to } })).json()
            .runId as string,
      ),
    );
    const done = await Promise.all(runIds.map((id) => run(id, (s) => s === 'completed' || s === 'failed')));
    expect(done.map((d) => d.status)).toEqual(runIds.map(() => 'completed'));
    expect(done.map((d) => d.steps[0].attempts)).toEqual(runIds.map(() => 1));
    const sent = twilio.created.filter((m) => recipients.includes(m.To as string));
    expect(sent).toHaveLength(12);
    expect(new Set(sent.map((m) => m.To)).size).toBe(12);
    // The queue was longer than an attempt may wait: some runs slept on RATE_LIMIT_WAIT before sending.
    const histories = await Promise.all(
      runIds.map(async (id) => JSON.stringify(await h.t.client.workflow.getHandle(id).fetchHistory())),
    );
    expect(histories.filter((text) => text.includes('RATE_LIMIT_WAIT')).length).toBeGreaterThan(0);
  });

  it("validation names channel accounts that do not exist, belong to another connector, or sit outside the trigger's channels", async () => {
    const definition = {
      schemaVersion: 1,
      trigger: { type: 'channel.message', channels: ['whatsapp'], accounts: [smsAccount, 'cha_gone'] },
      nodes: [
        { id: 'a', type: 'action', action: 'sms.send', input: { account: 'cha_gone', to: '+14155550100', body: 'x' } },
        {
          id: 'b',
          type: 'action',
          action: 'telegram.sendMessage',
          input: { account: smsAccount, chatId: '1', text: 'x' },
        },
        {
          id: 'c',
          type: 'action',
          action: 'sms.send',
          input: { account: '{{ trigger.accountId }}', to: '+14155550100', body: 'x' },
        },
      ],
      edges: [
        { from: 'trigger', to: 'a' },
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ],
    };
    const res = await h.t.api({ method: 'POST', url: '/api/flows/validate', payload: { definition } });
    expect(res.json().valid).toBe(false);
    expect(res.json().issues.map((i: any) => `${i.path} ${i.code}`)).toEqual([
      '/trigger/accounts/0 account_channel',
      '/trigger/accounts/1 unknown_account',
      '/nodes/0/input/account unknown_account',
      '/nodes/1/input/account account_connector',
    ]);
    const flow = (
      await h.t.api({ method: 'POST', url: '/api/flows', payload: { name: 'bad accounts', definition } })
    ).json();
    const published = await h.t.api({ method: 'POST', url: `/api/flows/${flow.id}/publish` });
    expect(published.statusCode).toBe(422);
    expect(published.json().error.issues).toHaveLength(4);
  });
});
