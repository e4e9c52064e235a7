import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InboundPayloadError, newTelegramSecret, type ChannelAccount, type InboundRequest } from '../sdk/index.js';
import {
  inboundContext,
  memoryLogger,
  startInboundCapture,
  startTelegramFake,
  testAccount,
  textMessageUpdate,
  type InboundCapture,
  type TelegramFake,
  type TelegramUpdate,
} from '../testkit/index.js';
import { telegramConnector } from './index.js';

const TOKEN = '7000000001:AAH-fake-token_for_tests';
const inbound = telegramConnector.channel!.inbound!;
const jane = { id: 555000111, is_bot: false, first_name: 'Jane', last_name: 'Doe', username: 'jane' };

let tg: TelegramFake;
let capture: InboundCapture;
let account: ChannelAccount;

beforeAll(async () => {
  [tg, capture] = await Promise.all([startTelegramFake({ token: TOKEN }), startInboundCapture()]);
  // Registered through the connector itself, so the fake delivers to the capture with the secret the platform stores.
  const base = testAccount({
    id: 'cha_tg',
    credentials: { botToken: TOKEN },
    settings: { apiBaseUrl: tg.url },
    inboundUrl: `${capture.url}/hooks/channels/cha_tg`,
  });
  const result = await telegramConnector.channel!.register!({
    account: base,
    signal: AbortSignal.timeout(10_000),
    logger: memoryLogger(),
  });
  account = { ...base, credentials: { ...base.credentials, ...result?.credentials } };
});
afterAll(() => Promise.all([tg.close(), capture.close()]));
beforeEach(() => {
  tg.violations.length = 0;
});

/** Delivers `update` through the fake and returns the request as the gateway sees it. */
async function deliver(update: TelegramUpdate): Promise<InboundRequest> {
  const next = capture.next();
  expect((await tg.sendUpdate(update)).status).toBe(200);
  return next;
}
const parse = (req: InboundRequest) => inbound.parse(req, inboundContext(account));
const request = (body: unknown, headers: Record<string, string> = {}): InboundRequest => ({
  method: 'POST',
  url: `${capture.url}/hooks/channels/cha_tg`,
  headers: { 'content-type': 'application/json', ...headers },
  query: {},
  rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const withMessage = (message: Record<string, unknown>): TelegramUpdate =>
  ({
    update_id: 90001,
    message: {
      message_id: 42,
      date: 1700000000,
      chat: { id: jane.id, type: 'private', first_name: 'Jane' },
      from: jane,
      ...message,
    },
  }) as TelegramUpdate;

describe('telegram inbound: delivered by the fake', () => {
  it('a private text message verifies and parses to one message.received', async () => {
    const update = textMessageUpdate({ from: jane, text: 'hello there', messageId: 7, date: 1700000000 });
    const req = await deliver(update);
    expect(req.method).toBe('POST');
    expect(inbound.verify(req, inboundContext(account))).toEqual({ ok: true });
    expect(parse(req)).toEqual([
      {
        type: 'message.received',
        dedupeKey: '555000111:7',
        providerMessageId: '555000111:7',
        timestamp: '2023-11-14T22:13:20.000Z',
        sender: { identity: { kind: 'telegram', value: '555000111' }, name: 'Jane Doe' },
        text: 'hello there',
        thread: { id: '555000111' },
        raw: update.message,
      },
    ]);
    expect(tg.violations).toEqual([]);
  });

  it('a group message replying to another: replyTo is the group, inReplyTo the replied message', async () => {
    const group = { id: -1001234567890, type: 'supergroup' as const, title: 'Support' };
    const update = textMessageUpdate({
      from: { id: 42, is_bot: false, first_name: 'Sam' },
      chat: group,
      text: 'me too',
      messageId: 900,
      date: 1700000100,
    });
    Object.assign(update.message!, {
      reply_to_message: { message_id: 899, date: 1700000050, chat: group, text: 'anyone?' },
    });
    const req = await deliver(update);
    expect(inbound.verify(req, inboundContext(account))).toEqual({ ok: true });
    const [event] = parse(req);
    expect(event).toEqual({
      type: 'message.received',
      dedupeKey: '-1001234567890:900',
      providerMessageId: '-1001234567890:900',
      timestamp: '2023-11-14T22:15:00.000Z',
      sender: { identity: { kind: 'telegram', value: '42' }, name: 'Sam' },
      replyTo: { kind: 'telegram', value: '-1001234567890' },
      text: 'me too',
      thread: { id: '-1001234567890', inReplyTo: '-1001234567890:899' },
      raw: update.message,
    });
  });

  it('a wrong or missing secret header fails verify; so does an account without a secret', async () => {
    const req = await deliver(textMessageUpdate({ from: jane, text: 'x' }));
    const tampered = { ...req, headers: { ...req.headers, 'x-telegram-bot-api-secret-token': newTelegramSecret() } };
    expect(inbound.verify(tampered, inboundContext(account))).toEqual({
      ok: false,
      reason: 'X-Telegram-Bot-Api-Secret-Token is missing or wrong',
    });
    const { 'x-telegram-bot-api-secret-token': _, ...without } = req.headers;
    expect(inbound.verify({ ...req, headers: without }, inboundContext(account))).toMatchObject({ ok: false });
    const unregistered = { ...account, credentials: { botToken: TOKEN } };
    expect(inbound.verify(req, inboundContext(unregistered))).toEqual({
      ok: false,
      reason: 'the account has no webhook secret yet: register the account',
    });
    const otherAccount = { ...account, credentials: { botToken: TOKEN, webhookSecret: newTelegramSecret() } };
    expect(inbound.verify(req, inboundContext(otherAccount))).toMatchObject({ ok: false });
  });
});

describe('telegram inbound: parse', () => {
  it("a contact the sender shares of themselves (request_contact) is their verified phone; someone else's is not", () => {
    const own = { phone_number: '5215512345678', first_name: 'Jane', user_id: jane.id };
    const [event] = parse(request(withMessage({ contact: own })));
    expect(event).toMatchObject({
      sender: {
        identity: { kind: 'telegram', value: String(jane.id) },
        identities: [{ kind: 'phone', value: '+5215512345678', verified: true }],
      },
      attachments: [{ type: 'contact', ref: '5215512345678' }],
    });
    for (const contact of [
      { phone_number: '+14155550123', first_name: 'Bob', user_id: jane.id + 1 },
      { phone_number: '+14155550123', first_name: 'Bob' },
    ]) {
      const [other] = parse(request(withMessage({ contact })));
      expect(other?.type === 'message.received' && other.sender.identities).toBeFalsy();
    }
  });

  it('photo (largest size), caption as text', () => {
    const photo = [
      { file_id: 'small', file_unique_id: 's', width: 90, height: 60 },
      { file_id: 'large', file_unique_id: 'l', width: 1280, height: 853 },
      { file_id: 'medium', file_unique_id: 'm', width: 320, height: 213 },
    ];
    const [event] = parse(request(withMessage({ photo, caption: 'look' })));
    expect(event).toMatchObject({ text: 'look', attachments: [{ type: 'image', ref: 'large' }] });
  });

  it('document, audio, voice, video, video note, sticker, location and contact become attachments by reference', () => {
    const cases: Array<[Record<string, unknown>, unknown]> = [
      [
        { document: { file_id: 'doc1', file_unique_id: 'u', file_name: 'invoice.pdf', mime_type: 'application/pdf' } },
        { type: 'file', ref: 'doc1', mimeType: 'application/pdf', name: 'invoice.pdf' },
      ],
      [
        { audio: { file_id: 'aud1', file_unique_id: 'u', duration: 3, title: 'Song', mime_type: 'audio/mpeg' } },
        { type: 'audio', ref: 'aud1', mimeType: 'audio/mpeg', name: 'Song' },
      ],
      [
        { voice: { file_id: 'voi1', file_unique_id: 'u', duration: 2, mime_type: 'audio/ogg' } },
        { type: 'audio', ref: 'voi1', mimeType: 'audio/ogg' },
      ],
      [
        {
          video: {
            file_id: 'vid1',
            file_unique_id: 'u',
            width: 1,
            height: 1,
            duration: 1,
            mime_type: 'video/mp4',
            file_name: 'clip.mp4',
          },
        },
        { type: 'video', ref: 'vid1', mimeType: 'video/mp4', name: 'clip.mp4' },
      ],
      [
        { video_note: { file_id: 'vn1', file_unique_id: 'u', length: 240, duration: 4 } },
        { type: 'video', ref: 'vn1' },
      ],
      [
        {
          sticker: {
            file_id: 'stk1',
            file_unique_id: 'u',
            type: 'regular',
            width: 512,
            height: 512,
            is_animated: false,
            is_video: false,
          },
        },
        { type: 'sticker', ref: 'stk1' },
      ],
      [{ location: { latitude: 52.52, longitude: 13.405 } }, { type: 'location', ref: 'geo:52.52,13.405' }],
      [
        { contact: { phone_number: '+4915112345678', first_name: 'Max', last_name: 'M' } },
        { type: 'contact', ref: '+4915112345678', name: 'Max M' },
      ],
      [
        {
          animation: { file_id: 'gif1', file_unique_id: 'u', width: 1, height: 1, duration: 1, mime_type: 'video/mp4' },
          document: { file_id: 'gif1', file_unique_id: 'u', mime_type: 'video/mp4' },
        },
        { type: 'video', ref: 'gif1', mimeType: 'video/mp4' },
      ],
    ];
    for (const [fields, attachment] of cases) {
      const events = parse(request(withMessage(fields)));
      expect(events, JSON.stringify(fields)).toHaveLength(1);
      expect(events[0]).not.toHaveProperty('text');
      expect((events[0] as { attachments: unknown }).attachments).toEqual([attachment]);
    }
  });

  it('a forum topic message carries its topic id in the thread', () => {
    const [event] = parse(request(withMessage({ text: 'in topic', message_thread_id: 17, is_topic_message: true })));
    expect(event).toMatchObject({ thread: { id: '555000111', extra: { messageThreadId: 17 } } });
  });

  it('updates of other kinds, edits, channel posts and service messages produce no events', () => {
    const msg = { message_id: 1, date: 1700000000, chat: { id: -100, type: 'channel' }, text: 'x' };
    expect(parse(request({ update_id: 1, edited_message: { ...msg, edit_date: 1700000001 } }))).toEqual([]);
    expect(parse(request({ update_id: 2, channel_post: msg }))).toEqual([]);
    expect(parse(request({ update_id: 3, callback_query: { id: '1', from: jane, chat_instance: 'c' } }))).toEqual([]);
    expect(parse(request({ update_id: 4, my_chat_member: {} }))).toEqual([]);
    expect(parse(request(withMessage({ new_chat_members: [jane] })))).toEqual([]);
    expect(
      parse(
        request({
          update_id: 5,
          message: { message_id: 2, date: 1700000000, chat: { id: -5, type: 'group' }, text: 'no from' },
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['not JSON', '{"update_id":'],
    ['a JSON array', '[]'],
    ['no update_id', { message: { message_id: 1 } }],
    ['a string update_id', { update_id: '1' }],
    ['a message without chat', { update_id: 1, message: { message_id: 1, date: 1700000000, from: jane, text: 'x' } }],
    [
      'a message id that is not an integer',
      { update_id: 1, message: { message_id: 'one', date: 1700000000, chat: { id: 1, type: 'private' }, text: 'x' } },
    ],
    [
      'a sender without id',
      {
        update_id: 1,
        message: {
          message_id: 1,
          date: 1700000000,
          chat: { id: 1, type: 'private' },
          from: { first_name: 'A' },
          text: 'x',
        },
      },
    ],
    ['a document without file_id', withMessage({ document: { file_name: 'x.pdf' } })],
    // Found by server/fuzz.test.ts: a RangeError from toISOString (a 500 at the gateway) before.
    [
      'a date no Date can hold',
      {
        update_id: 1,
        message: {
          message_id: 1,
          date: Number.MAX_SAFE_INTEGER,
          chat: { id: 1, type: 'private' },
          from: jane,
          text: 'x',
        },
      },
    ],
  ])('%s is an InboundPayloadError', (_, body) => {
    expect(() => parse(request(body))).toThrow(InboundPayloadError);
  });
});
