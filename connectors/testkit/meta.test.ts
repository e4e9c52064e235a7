import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../../test/sink.js';
import { metaHandshake, signMeta, verifyMeta } from '../sdk/index.js';
import {
  compileWhatsAppSchema,
  graphError,
  loadSpec,
  startInstagramFake,
  startMessengerFake,
  startWhatsAppFake,
  WHATSAPP_SPEC,
  type PageFake,
  type WhatsAppFake,
} from './index.js';

const TOKEN = 'EAAtestaccesstoken123';
const PHONE_ID = '106540352242922';
const SECRET = 'TEST_APP_SECRET';
const VERIFY = 'meatyhamhock';
const PAGE_TOKEN = 'EAApagetoken456';
const IG_TOKEN = 'IGQVJtesttoken789';

let wa: WhatsAppFake;
let messenger: PageFake;
let instagram: PageFake;
let sink: Sink;
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  [wa, messenger, instagram, sink] = await Promise.all([
    startWhatsAppFake({ accessToken: TOKEN, phoneNumberId: PHONE_ID, appSecret: SECRET }),
    startMessengerFake({ pageAccessToken: PAGE_TOKEN, appSecret: SECRET, pageId: '1234567890' }),
    startInstagramFake({ accessToken: IG_TOKEN, appSecret: SECRET, igAccountId: '17841400000000000' }),
    startSink(),
  ]);
  // A receiver that answers the verification GET the way a connector does, with metaHandshake.
  receiver = createServer((req, res) => {
    const r = metaHandshake(new URL(req.url ?? '/', 'http://x').searchParams, VERIFY);
    res.writeHead(r.ok ? 200 : 403, { 'content-type': 'text/plain' });
    res.end(r.ok ? r.challenge : r.reason);
  });
  await new Promise<void>((res) => receiver.listen(0, '127.0.0.1', res));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/channels/wa1`;
});
afterAll(() =>
  Promise.all([
    wa.close(),
    messenger.close(),
    instagram.close(),
    sink.close(),
    new Promise<void>((res) => receiver.close(() => res())),
  ]),
);
beforeEach(() => {
  for (const f of [wa, messenger, instagram]) f.violations.length = 0;
});

const sendExamples = (): Record<string, { value: Record<string, unknown> }> =>
  loadSpec<any>(WHATSAPP_SPEC).paths['/{Version}/{Phone-Number-ID}/messages'].post.requestBody.content[
    'application/json'
  ].examples;

async function waSend(
  body: unknown,
  opts: { auth?: string; phoneId?: string; contentType?: string } = {},
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${wa.url}/v23.0/${opts.phoneId ?? PHONE_ID}/messages`, {
    method: 'POST',
    headers: { authorization: opts.auth ?? `Bearer ${TOKEN}`, 'content-type': opts.contentType ?? 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** The structure of a JSON value: leaves become their type, so two payloads of the same shape compare equal. */
const shapeOf = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(shapeOf)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, shapeOf(x)]),
        )
      : typeof v;

describe('WhatsApp fake: sendMessage', () => {
  const text = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: '+16505551234',
    type: 'text',
    text: { body: 'Hello 👋', preview_url: false },
  };

  it('answers a text message with the documented MessageResponsePayload', async () => {
    const { status, json } = await waSend(text);
    expect(status).toBe(200);
    expect(json).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+16505551234', wa_id: '16505551234' }],
      messages: [{ id: expect.stringMatching(/^wamid\./) }],
    });
    const valid = compileWhatsAppSchema('MessageResponsePayload');
    expect(valid(json)).toBe(true);
    expect(wa.sent.at(-1)).toEqual({ id: json.messages[0].id, phoneNumberId: PHONE_ID, body: text });
    expect(wa.violations).toEqual([]);
  });

  it('accepts a reply (context.message_id) and a template message', async () => {
    const reply = await waSend({
      ...text,
      context: { message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA' },
    });
    expect(reply.status).toBe(200);
    const template = await waSend({
      messaging_product: 'whatsapp',
      to: '16505551234',
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'A-1' }] }],
      },
    });
    expect(template.status).toBe(200);
    expect(wa.violations).toEqual([]);
  });

  it.each([
    'Send Text Message',
    'Send Reply to Text Message',
    'Send Message Template Text',
    'Send Test Message',
    'Send Reply with Reaction Message',
  ])('accepts the spec example "%s"', async (name) => {
    const { status } = await waSend(sendExamples()[name]!.value);
    expect(status).toBe(200);
    expect(wa.violations).toEqual([]);
  });

  it.each([
    [
      'missing messaging_product',
      { to: '1555', type: 'text', text: { body: 'x' } },
      "must have required property 'messaging_product'",
    ],
    [
      'messaging_product other than whatsapp',
      { ...text, messaging_product: 'sms' },
      'messaging_product must be "whatsapp"',
    ],
    ['an unknown type', { ...text, type: 'fax' }, 'type "fax" is not one of text, audio'],
    [
      'no type',
      { messaging_product: 'whatsapp', to: '1555', text: { body: 'x' } },
      "must have required property 'type'",
    ],
    [
      'missing to',
      { messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } },
      "body must have required property 'to'",
    ],
    [
      'type text without its text object',
      { messaging_product: 'whatsapp', to: '1555', type: 'text' },
      "body must have required property 'text'",
    ],
    ['an unknown field in text', { ...text, text: { body: 'x', bodyy: 'y' } }, 'text: unknown property bodyy'],
    [
      'a template without name',
      { messaging_product: 'whatsapp', to: '1555', type: 'template', template: { language: { code: 'en' } } },
      "template must have required property 'name'",
    ],
    [
      'a context message_id that is not a string',
      { ...text, context: { message_id: 42 } },
      'context.message_id must be string',
    ],
    [
      'recipient_type outside the enum',
      { ...text, recipient_type: 'channel' },
      'recipient_type must be equal to one of the allowed values',
    ],
  ])('rejects %s with 400 (#100) and records it', async (_, body, problem) => {
    const { status, json } = await waSend(body);
    expect(status).toBe(400);
    expect(json).toEqual({
      error: {
        message: expect.stringContaining(problem),
        type: 'OAuthException',
        code: 100,
        fbtrace_id: expect.any(String),
      },
    });
    expect(wa.violations).toEqual([
      { method: 'POST', path: `/v23.0/${PHONE_ID}/messages`, message: expect.stringContaining(problem) },
    ]);
  });

  it.each([
    ['a wrong token', `Bearer nope`],
    ['no Bearer scheme', TOKEN],
    ['no Authorization header', ''],
  ])('%s is 401 OAuthException code 190', async (_, auth) => {
    const { status, json } = await waSend(text, { auth });
    expect(status).toBe(401);
    expect(json).toEqual({
      error: {
        message: expect.stringContaining('access token'),
        type: 'OAuthException',
        code: 190,
        fbtrace_id: expect.any(String),
      },
    });
    expect(compileWhatsAppSchema('GraphAPIError')(json)).toBe(true);
    expect(wa.violations).toEqual([
      { method: 'POST', path: `/v23.0/${PHONE_ID}/messages`, message: 'missing or wrong Bearer access token' },
    ]);
  });

  it('another phone number id, a form body and an unknown path are rejected and recorded', async () => {
    const other = await waSend(text, { phoneId: '999' });
    expect(other.status).toBe(400);
    expect(other.json.error).toMatchObject({ type: 'GraphMethodException', code: 100, error_subcode: 33 });
    const form = await waSend(new URLSearchParams({ messaging_product: 'whatsapp' }).toString(), {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(400);
    const path = await fetch(`${wa.url}/v22.0/${PHONE_ID}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(path.status).toBe(400);
    expect(wa.violations.map((v) => v.message)).toEqual([
      'unknown phone number id 999',
      expect.stringContaining('body is not JSON'),
      expect.stringContaining('no such endpoint'),
    ]);
  });
});

describe('Meta fakes: injected failures and arbitrary signed deliveries', () => {
  const text = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: '16505551234',
    type: 'text',
    text: { body: 'x', preview_url: false },
  };

  it('failNextSend answers the next valid send with the reply once, after the spec checks', async () => {
    wa.failNextSend({ ...graphError(400, 130429, '(#130429) Rate limit hit'), headers: { 'retry-after': '7' } });
    const invalid = await waSend({ ...text, type: 'fax' });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe(100);
    const res = await fetch(`${wa.url}/v23.0/${PHONE_ID}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(text),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({
      code: 130429,
      message: '(#130429) Rate limit hit',
    });
    expect((await waSend(text)).status).toBe(200);
    expect(wa.violations.map((v) => v.message)).toEqual([expect.stringContaining('type "fax"')]);

    messenger.failNextSend({ status: 503, body: 'busy' });
    const page = (body: unknown) =>
      fetch(`${messenger.url}/v23.0/me/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PAGE_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await page({ recipient: { id: '1' }, message: { text: 'x' } })).status).toBe(503);
    expect((await page({ recipient: { id: '1' }, message: { text: 'x' } })).status).toBe(200);
  });

  it('deliver posts any payload, Meta-serialized and signed', async () => {
    const url = `${sink.url}/hooks/channels/any`;
    for (const fake of [wa, messenger, instagram]) {
      const sent = await fake.deliver(url, { object: 'x', entry: [{ text: 'ü' }] });
      const got = sink.on('/hooks/channels/any').at(-1)!;
      expect(got.body).toBe('{"object":"x","entry":[{"text":"\\u00fc"}]}');
      expect(got.headers['x-hub-signature-256']).toBe(signMeta(SECRET, got.body));
      expect(sent.signature).toBe(got.headers['x-hub-signature-256']);
    }
  });
});

describe('WhatsApp fake: webhooks', () => {
  it("delivers an inbound text message in the spec example's shape, signed over the exact bytes", async () => {
    const url = `${sink.url}/hooks/channels/wa1`;
    const sent = await wa.sendInboundMessage(url, {
      from: '16505551234',
      name: 'Sheena Nelson',
      text: 'Does it come in another colour? — ünïcode 👍',
    });
    expect(sent.status).toBe(200);
    const got = sink.on('/hooks/channels/wa1').at(-1)!;
    expect(got.body).toBe(sent.rawBody);
    expect(got.body).not.toMatch(/[\u0080-\uffff]/); // non-ASCII arrives \u-escaped, as Meta sends it
    expect(got.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(got.body);
    const example =
      loadSpec<any>(WHATSAPP_SPEC).paths['/whatsapp/webhooks'].post.requestBody.content['application/json'].examples[
        'Text Message'
      ].value;
    expect(shapeOf(payload)).toEqual(shapeOf(example));
    expect(payload.entry[0].changes[0].value.metadata.phone_number_id).toBe(PHONE_ID);
    expect(payload.entry[0].changes[0].value.messages[0]).toMatchObject({
      from: '16505551234',
      type: 'text',
      text: { body: 'Does it come in another colour? — ünïcode 👍' },
    });

    const header = got.headers['x-hub-signature-256'];
    expect(header).toBe(sent.signature);
    expect(header).toBe(signMeta(SECRET, got.body));
    expect(verifyMeta(SECRET, got.body, header)).toBe(true);
    expect(verifyMeta(SECRET, got.body.replace('colour', 'color'), header)).toBe(false);
    expect(verifyMeta(SECRET, JSON.stringify(payload), header)).toBe(false); // re-serialized (unescaped) bytes differ
    expect(verifyMeta('another-secret', got.body, header)).toBe(false);
  });

  it('a reply carries context { from, id } as in the "Text Message with Context" example', async () => {
    const url = `${sink.url}/hooks/channels/wa1`;
    await wa.sendInboundMessage(url, {
      from: '16505551234',
      text: 'this one',
      context: { from: '15550783881', id: 'wamid.prev' },
    });
    const msg = JSON.parse(sink.on('/hooks/channels/wa1').at(-1)!.body).entry[0].changes[0].value.messages[0];
    expect(msg.context).toEqual({ from: '15550783881', id: 'wamid.prev' });
  });

  it('delivers statuses (sent, read without delivered, failed with errors), signed', async () => {
    const { json } = await waSend({
      messaging_product: 'whatsapp',
      to: '16505551234',
      type: 'text',
      text: { body: 'x' },
    });
    const id = json.messages[0].id as string;
    const url = `${sink.url}/hooks/channels/wa1/status`;
    await wa.sendStatus(url, { id, status: 'sent', recipientId: '16505551234' });
    await wa.sendStatus(url, { id, status: 'read', recipientId: '16505551234' });
    await wa.sendStatus(url, {
      id,
      status: 'failed',
      recipientId: '16505551234',
      errors: [{ code: 131047, title: 'Re-engagement message' }],
    });
    const got = sink.on('/hooks/channels/wa1/status').slice(-3);
    const statuses = got.map((r) => JSON.parse(r.body));
    for (const [i, s] of statuses.entries()) {
      expect(s).toMatchObject({
        object: 'whatsapp_business_account',
        entry: [
          {
            changes: [
              { field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: PHONE_ID } } },
            ],
          },
        ],
      });
      expect(s.entry[0].changes[0].value.contacts).toBeUndefined();
      expect(verifyMeta(SECRET, got[i]!.body, got[i]!.headers['x-hub-signature-256'])).toBe(true);
    }
    expect(statuses.map((s) => s.entry[0].changes[0].value.statuses[0].status)).toEqual(['sent', 'read', 'failed']);
    expect(statuses[2].entry[0].changes[0].value.statuses[0]).toEqual({
      id,
      status: 'failed',
      timestamp: expect.stringMatching(/^\d+$/),
      recipient_id: '16505551234',
      errors: [{ code: 131047, title: 'Re-engagement message' }],
    });
  });

  it('the handshake gets the challenge echoed by a metaHandshake receiver, and a refusal for a wrong token', async () => {
    const ok = await wa.handshake(receiverUrl, VERIFY);
    expect(ok.challenge).toMatch(/^\d+$/);
    expect(ok).toEqual({ status: 200, body: ok.challenge, challenge: ok.challenge });
    const fixed = await wa.handshake(receiverUrl, VERIFY, { challenge: '1158201444' });
    expect(fixed.body).toBe('1158201444');
    const bad = await wa.handshake(receiverUrl, 'wrong-token');
    expect(bad.status).toBe(403);
    expect(bad.body).not.toBe(bad.challenge);
    expect((await wa.handshake(receiverUrl, VERIFY, { mode: 'unsubscribe' })).status).toBe(403);
  });
});

describe.each([
  ['Messenger', () => messenger, PAGE_TOKEN, 'page', '1234567890'],
  ['Instagram', () => instagram, IG_TOKEN, 'instagram', '17841400000000000'],
] as const)('%s fake: Send API and webhooks', (_, get, token, object, accountId) => {
  const send = async (body: unknown, auth = `Bearer ${token}`, who = 'me'): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${get().url}/v23.0/${who}/messages`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };

  it('answers { recipient_id, message_id } with or without messaging_type, on /me and /{id}', async () => {
    const a = await send({ recipient: { id: '5275811702471834' }, message: { text: 'Hello!' } });
    expect(a).toEqual({
      status: 200,
      json: { recipient_id: '5275811702471834', message_id: expect.stringMatching(/^m_/) },
    });
    const b = await send(
      { recipient: { id: '5275811702471834' }, messaging_type: 'RESPONSE', message: { text: 'Hi' } },
      undefined,
      accountId,
    );
    expect(b.status).toBe(200);
    expect(get().sent.at(-1)).toMatchObject({
      recipientId: '5275811702471834',
      messageId: b.json.message_id,
      body: { messaging_type: 'RESPONSE' },
    });
    expect(get().violations).toEqual([]);
  });

  it.each([
    ['no recipient', { message: { text: 'x' } }, "must have required property 'recipient'"],
    ['recipient without id', { recipient: {}, message: { text: 'x' } }, "recipient must have required property 'id'"],
    [
      'a message with neither text nor attachment',
      { recipient: { id: '1' }, message: {} },
      "message must have required property 'text'",
    ],
    [
      'an unknown messaging_type',
      { recipient: { id: '1' }, messaging_type: 'PROMO', message: { text: 'x' } },
      'messaging_type must be equal to one of the allowed values',
    ],
    ['an unknown field', { recipient: { id: '1' }, message: { text: 'x' }, colour: 'red' }, 'unknown property colour'],
  ])('rejects %s with 400 and records it', async (_n, body, problem) => {
    const { status, json } = await send(body);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'OAuthException', code: 100, message: expect.stringContaining(problem) });
    expect(get().violations).toEqual([
      { method: 'POST', path: '/v23.0/me/messages', message: expect.stringContaining(problem) },
    ]);
  });

  it('a wrong token is 401 code 190', async () => {
    const { status, json } = await send({ recipient: { id: '1' }, message: { text: 'x' } }, 'Bearer nope');
    expect(status).toBe(401);
    expect(json.error).toMatchObject({ type: 'OAuthException', code: 190 });
    expect(get().violations).toHaveLength(1);
  });

  it('delivers an inbound message (entry[].messaging[]), signed; a tampered body fails', async () => {
    const url = `${sink.url}/hooks/channels/${object}`;
    const sent = await get().sendInboundMessage(url, { senderId: '5275811702471834', text: 'hello, world!' });
    expect(sent.status).toBe(200);
    const got = sink.on(`/hooks/channels/${object}`).at(-1)!;
    const payload = JSON.parse(got.body);
    expect(payload).toEqual({
      object,
      entry: [
        {
          id: accountId,
          time: expect.any(Number),
          messaging: [
            {
              sender: { id: '5275811702471834' },
              recipient: { id: accountId },
              timestamp: expect.any(Number),
              message: { mid: expect.stringMatching(/^mid\./), text: 'hello, world!' },
            },
          ],
        },
      ],
    });
    expect(verifyMeta(SECRET, got.body, got.headers['x-hub-signature-256'])).toBe(true);
    expect(verifyMeta(SECRET, got.body.replace('world', 'World'), got.headers['x-hub-signature-256'])).toBe(false);
  });

  it('the handshake works the same way', async () => {
    const r = await get().handshake(receiverUrl, VERIFY);
    expect(r.status).toBe(200);
    expect(r.body).toBe(r.challenge);
  });
});
