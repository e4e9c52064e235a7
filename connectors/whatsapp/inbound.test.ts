import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundPayloadError, type InboundRequest } from '../sdk/index.js';
import { inboundContext, startInboundCapture, testAccount, type InboundCapture } from '../testkit/channel.js';
import { startWhatsAppFake, WHATSAPP_SPEC, type MetaDelivery, type WhatsAppFake } from '../testkit/fakes/meta.js';
import { loadSpec } from '../testkit/specs.js';
import { whatsappConnector } from './index.js';

const TOKEN = 'EAAtestaccesstoken123';
const PHONE_ID = '106540352242922';
const SECRET = 'TEST_APP_SECRET';
const VERIFY = 'meatyhamhock';

const inbound = whatsappConnector.channel!.inbound!;
const account = testAccount({
  id: 'cha_wa',
  credentials: { accessToken: TOKEN, appSecret: SECRET, verifyToken: VERIFY },
  settings: { phoneNumberId: PHONE_ID },
});
const ctx = inboundContext(account, Date.parse('2025-06-10T00:00:00Z'));

let wa: WhatsAppFake;
let capture: InboundCapture;
let url: string;
beforeAll(async () => {
  [wa, capture] = await Promise.all([
    startWhatsAppFake({ accessToken: TOKEN, phoneNumberId: PHONE_ID, appSecret: SECRET }),
    startInboundCapture(),
  ]);
  url = `${capture.url}/hooks/channels/cha_wa`;
});
afterAll(() => Promise.all([wa.close(), capture.close()]));

/** What the gateway gets from a delivery: the request as received, verified. */
async function receive(deliver: () => Promise<MetaDelivery>): Promise<InboundRequest> {
  const delivery = await deliver();
  expect(delivery.status).toBe(200);
  const req = await capture.next();
  expect(inbound.verify(req, ctx)).toEqual({ ok: true });
  return req;
}

/** ...and then parsed. */
async function received(
  deliver: () => Promise<MetaDelivery>,
): Promise<{ req: InboundRequest; events: ReturnType<typeof inbound.parse> }> {
  const req = await receive(deliver);
  return { req, events: inbound.parse(req, ctx) };
}

const SHEENA = {
  identity: { kind: 'whatsapp', value: '16505551234' },
  identities: [{ kind: 'phone', value: '+16505551234', verified: true }],
  name: 'Sheena Nelson',
};

describe('WhatsApp inbound: messages', () => {
  it('parses a signed text message from the fake into one exact event', async () => {
    const { events } = await received(() =>
      wa.sendInboundMessage(url, {
        from: '16505551234',
        name: 'Sheena Nelson',
        text: 'Does it come in another colour? — ünïcode 👍',
        id: 'wamid.in1',
        timestamp: '1749416383',
      }),
    );
    expect(events).toEqual([
      {
        type: 'message.received',
        dedupeKey: 'wamid.in1',
        providerMessageId: 'wamid.in1',
        timestamp: '2025-06-08T20:59:43.000Z',
        sender: SHEENA,
        text: 'Does it come in another colour? — ünïcode 👍',
        raw: {
          from: '16505551234',
          id: 'wamid.in1',
          timestamp: '1749416383',
          type: 'text',
          text: { body: 'Does it come in another colour? — ünïcode 👍' },
        },
      },
    ]);
  });

  it('a reply carries the quoted message id as thread.inReplyTo', async () => {
    const { events } = await received(() =>
      wa.sendInboundMessage(url, {
        from: '16505551234',
        text: 'this one',
        id: 'wamid.in2',
        timestamp: '1749416400',
        context: { from: '15550783881', id: 'wamid.ours' },
      }),
    );
    expect(events).toEqual([
      expect.objectContaining({ dedupeKey: 'wamid.in2', text: 'this one', thread: { inReplyTo: 'wamid.ours' } }),
    ]);
  });

  it('a WhatsApp id that is not a phone number identifies the contact alone', async () => {
    for (const from of ['12345', 'US.13491208655302741918']) {
      const { events } = await received(() =>
        wa.sendInboundMessage(url, {
          from,
          name: 'No Phone',
          text: 'hi',
          id: `wamid.${from}`,
          timestamp: '1749416383',
        }),
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'message.received',
        sender: { identity: { kind: 'whatsapp', value: from }, name: 'No Phone' },
      });
      expect(events[0]).not.toHaveProperty('sender.identities');
    }
  });

  const examples = loadSpec<any>(WHATSAPP_SPEC).paths['/whatsapp/webhooks'].post.requestBody.content['application/json']
    .examples as Record<string, { value: unknown }>;
  const message = (name: string) => (examples[name]!.value as any).entry[0].changes[0].value.messages[0];
  const event = (name: string, content: object) => ({
    type: 'message.received',
    dedupeKey: message(name).id,
    providerMessageId: message(name).id,
    timestamp: new Date(Number(message(name).timestamp) * 1000).toISOString(),
    sender: SHEENA,
    ...content,
    raw: message(name),
  });
  const expected: Record<string, () => object[]> = {
    'Text Message': () => [event('Text Message', { text: 'Does it come in another color?' })],
    'Text Message with Context (Product Inquiry)': () => [
      event('Text Message with Context (Product Inquiry)', {
        text: 'Is this still available?',
        thread: { inReplyTo: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA' },
      }),
    ],
    'Text Message from Click to WhatsApp Ad': () => [
      event('Text Message from Click to WhatsApp Ad', { text: 'Hello! Can I get more info on this?' }),
    ],
    'Reaction Message': () => [],
    'Image Message': () => [
      event('Image Message', {
        attachments: [{ type: 'image', ref: '1003383421387256', mimeType: 'image/jpeg', caption: 'Taj Mahal' }],
      }),
    ],
    'Location Message': () => [
      event('Location Message', {
        attachments: [
          {
            type: 'location',
            ref: 'geo:37.44221496582,-122.16165924072',
            name: 'Philz Coffee',
            caption: '101 Forest Ave, Palo Alto, CA 94301',
          },
        ],
      }),
    ],
    'Contact Sharing Message': () => [
      event('Contact Sharing Message', { attachments: [{ type: 'contact', ref: '19835552319', name: 'Lucía Gómez' }] }),
    ],
    'Unsupported Message': () => [],
    'Button Message': () => [
      event('Button Message', {
        text: 'Unsubscribe',
        thread: { inReplyTo: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA' },
      }),
    ],
    'Interactive List Reply Message': () => [
      event('Interactive List Reply Message', {
        text: 'Priority Mail Express',
        thread: { inReplyTo: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGMzEyNzhENTZDMzNGODlDRDgA' },
      }),
    ],
    'Interactive Button Reply Message': () => [
      event('Interactive Button Reply Message', {
        text: 'Cancel',
        thread: { inReplyTo: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA' },
      }),
    ],
    'Order Message': () => [],
    'System Message': () => [],
    'Group Create Message': () => [],
    'Group Settings Update': () => [],
    'Group Remove Participants': () => [],
  };

  it('covers every webhook example of the spec', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(examples).sort());
  });

  it.each(Object.keys(expected))('the spec example "%s", delivered signed, parses as expected', async (name) => {
    const { events } = await received(() => wa.deliver(url, examples[name]!.value));
    expect(events).toEqual(expected[name]!());
  });

  it('audio, video, documents and stickers become attachments by media id', async () => {
    const base = { from: '16505551234', timestamp: '1749416383' };
    const messages = [
      {
        ...base,
        id: 'wamid.a',
        type: 'audio',
        audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'x', id: 'media-audio', voice: true },
      },
      {
        ...base,
        id: 'wamid.v',
        type: 'video',
        video: { mime_type: 'video/mp4', sha256: 'x', id: 'media-video', caption: 'look' },
      },
      {
        ...base,
        id: 'wamid.d',
        type: 'document',
        document: {
          mime_type: 'application/pdf',
          sha256: 'x',
          id: 'media-doc',
          filename: 'invoice.pdf',
          caption: 'March',
        },
      },
      {
        ...base,
        id: 'wamid.s',
        type: 'sticker',
        sticker: { mime_type: 'image/webp', sha256: 'x', id: 'media-sticker', animated: false },
      },
    ];
    const { events } = await received(() =>
      wa.deliver(url, {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: wa.wabaId,
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_ID },
                  contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
                  messages,
                },
              },
            ],
          },
        ],
      }),
    );
    expect(events.map((e) => (e.type === 'message.received' ? [e.dedupeKey, e.attachments] : e))).toEqual([
      ['wamid.a', [{ type: 'audio', ref: 'media-audio', mimeType: 'audio/ogg; codecs=opus' }]],
      ['wamid.v', [{ type: 'video', ref: 'media-video', mimeType: 'video/mp4', caption: 'look' }]],
      [
        'wamid.d',
        [{ type: 'file', ref: 'media-doc', mimeType: 'application/pdf', caption: 'March', name: 'invoice.pdf' }],
      ],
      ['wamid.s', [{ type: 'sticker', ref: 'media-sticker', mimeType: 'image/webp' }]],
    ]);
  });

  it('skips messages for another business number of the same WhatsApp Business Account', async () => {
    const other = await startWhatsAppFake({ accessToken: TOKEN, phoneNumberId: '200000000000001', appSecret: SECRET });
    try {
      const { events } = await received(() =>
        other.sendInboundMessage(url, { from: '16505551234', text: 'for the other number' }),
      );
      expect(events).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('WhatsApp inbound: statuses', () => {
  it('sent, delivered, read and failed (with its errors) become message.status events keyed <id>:<status>', async () => {
    const id = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA';
    const events = [];
    for (const status of ['sent', 'delivered', 'read'] as const) {
      events.push(
        ...(
          await received(() => wa.sendStatus(url, { id, status, recipientId: '16505551234', timestamp: '1750025136' }))
        ).events,
      );
    }
    events.push(
      ...(
        await received(() =>
          wa.sendStatus(url, {
            id,
            status: 'failed',
            recipientId: '16505551234',
            timestamp: '1750025200',
            errors: [
              {
                code: 131047,
                title: 'Re-engagement message',
                message: 'Re-engagement message',
                error_data: {
                  details:
                    'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
                },
              },
            ],
          }),
        )
      ).events,
    );
    const recipient = { kind: 'whatsapp', value: '16505551234' };
    expect(events).toEqual([
      {
        type: 'message.status',
        dedupeKey: `${id}:sent`,
        providerMessageId: id,
        timestamp: '2025-06-15T22:05:36.000Z',
        status: 'sent',
        recipient,
      },
      {
        type: 'message.status',
        dedupeKey: `${id}:delivered`,
        providerMessageId: id,
        timestamp: '2025-06-15T22:05:36.000Z',
        status: 'delivered',
        recipient,
      },
      {
        type: 'message.status',
        dedupeKey: `${id}:read`,
        providerMessageId: id,
        timestamp: '2025-06-15T22:05:36.000Z',
        status: 'read',
        recipient,
      },
      {
        type: 'message.status',
        dedupeKey: `${id}:failed`,
        providerMessageId: id,
        timestamp: '2025-06-15T22:06:40.000Z',
        status: 'failed',
        recipient,
        error:
          '(#131047) Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    ]);
  });

  it('a delivery with messages and statuses of several changes yields every event, in order', async () => {
    const metadata = { display_phone_number: '15550783881', phone_number_id: PHONE_ID };
    const { events } = await received(() =>
      wa.deliver(url, {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: wa.wabaId,
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata,
                  contacts: [
                    { profile: { name: 'A' }, wa_id: '16505551234' },
                    { profile: { name: 'B' }, wa_id: '4915112345678' },
                  ],
                  messages: [
                    {
                      from: '16505551234',
                      id: 'wamid.1',
                      timestamp: '1750000000',
                      type: 'text',
                      text: { body: 'one' },
                    },
                    {
                      from: '4915112345678',
                      id: 'wamid.2',
                      timestamp: '1750000001',
                      type: 'text',
                      text: { body: 'two' },
                    },
                  ],
                },
              },
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata,
                  statuses: [
                    { id: 'wamid.out', status: 'delivered', timestamp: '1750000002', recipient_id: '16505551234' },
                  ],
                },
              },
            ],
          },
        ],
      }),
    );
    expect(events.map((e) => [e.type, e.dedupeKey, e.type === 'message.received' ? e.sender : undefined])).toEqual([
      [
        'message.received',
        'wamid.1',
        {
          identity: { kind: 'whatsapp', value: '16505551234' },
          identities: [{ kind: 'phone', value: '+16505551234', verified: true }],
          name: 'A',
        },
      ],
      [
        'message.received',
        'wamid.2',
        {
          identity: { kind: 'whatsapp', value: '4915112345678' },
          identities: [{ kind: 'phone', value: '+4915112345678', verified: true }],
          name: 'B',
        },
      ],
      ['message.status', 'wamid.out:delivered', undefined],
    ]);
  });
});

describe('WhatsApp inbound: handshake and signatures', () => {
  it('echoes hub.challenge as text/plain for the right verify token', async () => {
    await wa.handshake(url, VERIFY, { challenge: '1158201444' });
    const req = await capture.next();
    expect(req.method).toBe('GET');
    expect(inbound.handshake!(req, ctx)).toEqual({ status: 200, body: '1158201444', contentType: 'text/plain' });
  });

  it('refuses a wrong verify token, another mode, or an account without a verify token', async () => {
    await wa.handshake(url, 'wrong-token');
    const wrong = await capture.next();
    expect(inbound.handshake!(wrong, ctx)).toMatchObject({ status: 403 });
    await wa.handshake(url, VERIFY, { mode: 'unsubscribe' });
    expect(inbound.handshake!(await capture.next(), ctx)).toMatchObject({ status: 403 });
    await wa.handshake(url, VERIFY);
    const noToken = inboundContext(
      testAccount({
        id: 'cha_wa',
        credentials: { accessToken: TOKEN, appSecret: SECRET },
        settings: { phoneNumberId: PHONE_ID },
      }),
    );
    expect(inbound.handshake!(await capture.next(), noToken)).toMatchObject({ status: 403 });
  });

  it('a POST is not a handshake', async () => {
    const { req } = await received(() => wa.sendInboundMessage(url, { from: '16505551234', text: 'x' }));
    expect(inbound.handshake!(req, ctx)).toBeUndefined();
  });

  it('refuses a tampered body, another app secret and a missing signature', async () => {
    const { req } = await received(() => wa.sendInboundMessage(url, { from: '16505551234', text: 'pay 10' }));
    const tampered = { ...req, rawBody: Buffer.from(req.rawBody.toString('utf8').replace('pay 10', 'pay 99')) };
    expect(inbound.verify(tampered, ctx)).toMatchObject({ ok: false });
    const otherSecret = inboundContext(
      testAccount({
        id: 'cha_wa',
        credentials: { accessToken: TOKEN, appSecret: 'another', verifyToken: VERIFY },
        settings: { phoneNumberId: PHONE_ID },
      }),
    );
    expect(inbound.verify(req, otherSecret)).toMatchObject({ ok: false });
    const { 'x-hub-signature-256': _, ...headers } = req.headers;
    expect(inbound.verify({ ...req, headers }, ctx)).toEqual({
      ok: false,
      reason: 'missing X-Hub-Signature-256 header',
    });
  });
});

describe('WhatsApp inbound: malformed payloads', () => {
  const metadata = { display_phone_number: '15550783881', phone_number_id: PHONE_ID };
  const withMessage = (m: object) => ({
    object: 'whatsapp_business_account',
    entry: [
      { id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata, messages: [m] } }] },
    ],
  });

  it.each([
    ['another object', { object: 'page', entry: [] }, /object: must be "whatsapp_business_account"/],
    ['no entry', { object: 'whatsapp_business_account' }, /entry: must be an array/],
    [
      'changes that are not an array',
      { object: 'whatsapp_business_account', entry: [{ id: '1', changes: {} }] },
      /entry\[0\]\.changes: must be an array/,
    ],
    [
      'no metadata',
      {
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'messages', value: { messages: [] } }] }],
      },
      /metadata: must be an object/,
    ],
    [
      'a message without id',
      withMessage({ from: '1', timestamp: '1', type: 'text', text: { body: 'x' } }),
      /messages\[0\]\.id: must be a non-empty string/,
    ],
    [
      'a text message without text',
      withMessage({ from: '1', id: 'w', timestamp: '1', type: 'text' }),
      /messages\[0\]\.text: must be an object/,
    ],
    [
      'a timestamp that is not Unix seconds',
      withMessage({ from: '1', id: 'w', timestamp: 'yesterday', type: 'text', text: { body: 'x' } }),
      /timestamp: must be Unix seconds/,
    ],
    [
      'an image without media id',
      withMessage({ from: '1', id: 'w', timestamp: '1', type: 'image', image: { mime_type: 'image/png' } }),
      /image\.id/,
    ],
  ])('%s is an InboundPayloadError naming the path', async (_, payload, why) => {
    const req = await receive(() => wa.deliver(url, payload));
    expect(() => inbound.parse(req, ctx)).toThrow(InboundPayloadError);
    expect(() => inbound.parse(req, ctx)).toThrow(why);
  });

  it('a body that is not JSON is an InboundPayloadError', () => {
    const req: InboundRequest = { method: 'POST', url, headers: {}, query: {}, rawBody: Buffer.from('{"object":') };
    expect(() => inbound.parse(req, ctx)).toThrow(new InboundPayloadError('the body is not JSON'));
  });

  it('an account without phoneNumberId is a config error, not a 400 (Meta retries; nothing is lost)', async () => {
    const req = await receive(() => wa.sendInboundMessage(url, { from: '16505551234', text: 'x' }));
    const broken = inboundContext(
      testAccount({
        id: 'cha_wa',
        credentials: { accessToken: TOKEN, appSecret: SECRET, verifyToken: VERIFY },
        settings: {},
      }),
    );
    expect(() => inbound.parse(req, broken)).toThrow(
      expect.objectContaining({ name: 'ConnectorError', kind: 'config' }),
    );
  });
});
