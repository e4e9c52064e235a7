// The tests Messenger and Instagram share (their channel is one builder, messaging.ts), run by each connector's
// channel.test.ts against its own fake: Send API bodies, Graph errors, inbound events, handshake, signatures.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../flow/types.js';
import {
  InboundPayloadError,
  ConnectorError,
  type InboundRequest,
  type OutboundMessage,
  type Connector,
} from '../sdk/index.js';
import {
  inboundContext,
  memoryLogger,
  startInboundCapture,
  testAccount,
  type InboundCapture,
} from '../testkit/channel.js';
import { graphError, type MetaDelivery, type PageFake } from '../testkit/fakes/meta.js';

export interface MessagingSuite {
  connector: Connector;
  kind: 'messenger' | 'instagram';
  object: 'page' | 'instagram';
  /** The account id the fake speaks for (Page id or Instagram account id). */
  accountId: string;
  token: string;
  appSecret: string;
  startFake(): Promise<PageFake>;
  /** The account's credentials for a token (and optionally another app secret / no verify token). */
  credentials(token: string, over?: { appSecret?: string; verifyToken?: string | null }): JsonObject;
  /** The account's settings, pointed at the fake. */
  settings(apiBaseUrl: string, accountId?: string): JsonObject;
}

const PSID = '5275811702471834';
const VERIFY = 'meatyhamhock';

export function messagingChannelSuite(s: MessagingSuite): void {
  const channel = s.connector.channel!;
  const inbound = channel.inbound!;
  let fake: PageFake;
  let capture: InboundCapture;
  let url: string;

  beforeAll(async () => {
    [fake, capture] = await Promise.all([s.startFake(), startInboundCapture()]);
    url = `${capture.url}/hooks/channels/cha_${s.kind}`;
  });
  afterAll(() => Promise.all([fake.close(), capture.close()]));
  beforeEach(() => {
    fake.violations.length = 0;
    fake.sent.length = 0;
  });

  const account = (over: { token?: string; accountId?: string } = {}) =>
    testAccount({
      id: `cha_${s.kind}`,
      credentials: s.credentials(over.token ?? s.token),
      settings: s.settings(fake.url, over.accountId),
    });
  const ctx = () => inboundContext(account(), Date.parse('2025-06-10T00:00:00Z'));
  const send = (message: OutboundMessage, acc = account()) =>
    channel.send(
      { account: acc, idempotencyKey: 'run_1:send', signal: AbortSignal.timeout(10_000), logger: memoryLogger() },
      message,
    );
  const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectorError);
    return err as ConnectorError;
  };
  const to = (value: string) => ({ kind: s.kind, value });

  async function receive(deliver: () => Promise<MetaDelivery>): Promise<InboundRequest> {
    expect((await deliver()).status).toBe(200);
    const req = await capture.next();
    expect(inbound.verify(req, ctx())).toEqual({ ok: true });
    return req;
  }
  const received = async (deliver: () => Promise<MetaDelivery>) => inbound.parse(await receive(deliver), ctx());
  const envelope = (messaging: object[], entryId = s.accountId) => ({
    object: s.object,
    entry: [{ id: entryId, time: 1458692752478, messaging }],
  });
  const identity = (psid = PSID) => ({ kind: s.kind, value: `${s.accountId}:${psid}` });

  describe(`${s.connector.name} channel.send`, () => {
    it('sends a text with messaging_type RESPONSE to the scoped id and answers message_id', async () => {
      const result = await send({ to: to(`${s.accountId}:${PSID}`), text: 'Hello! 👋' });
      expect(fake.sent.map((x) => x.body)).toEqual([
        { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Hello! 👋' } },
      ]);
      expect(result).toEqual({
        providerMessageId: fake.sent[0]!.messageId,
        status: 'sent',
        provider: { recipientId: PSID },
      });
      const req = fake.requests.at(-1)!;
      expect([req.method, req.path, req.headers.authorization]).toEqual([
        'POST',
        '/v23.0/me/messages',
        `Bearer ${s.token}`,
      ]);
      expect(fake.violations).toEqual([]);
    });

    it('takes a bare scoped id too', async () => {
      await send({ to: to(PSID), text: 'Hi' });
      expect(fake.sent[0]!.body).toEqual({
        recipient: { id: PSID },
        messaging_type: 'RESPONSE',
        message: { text: 'Hi' },
      });
      expect(fake.violations).toEqual([]);
    });

    it('normalizes a bare id to the account-scoped identity the inbound side files contacts under', () => {
      expect(channel.normalizeAddress!(account(), to(` ${PSID} `))).toEqual(identity());
      expect(channel.normalizeAddress!(account(), identity())).toEqual(identity());
      expect(() => channel.normalizeAddress!(account(), to(`999:${PSID}`))).toThrow(/scoped to one account/);
    });

    it('payload.tag sends a tagged message (e.g. HUMAN_AGENT, after the 24-hour window)', async () => {
      await send({ to: to(PSID), text: 'Following up', payload: { tag: 'HUMAN_AGENT' } });
      expect(fake.sent[0]!.body).toEqual({
        recipient: { id: PSID },
        messaging_type: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
        message: { text: 'Following up' },
      });
      expect(fake.violations).toEqual([]);
    });

    it.each([
      [
        'an id scoped to another account',
        { to: { kind: s.kind, value: `999:${PSID}` }, text: 'x' },
        /belongs to account 999/,
      ],
      ['another identity kind', { to: { kind: 'email', value: 'a@b.co' }, text: 'x' }, /not "email"/],
      ['a malformed id', { to: { kind: s.kind, value: 'abc' }, text: 'x' }, /not a .* user id/],
      ['no text', { to: { kind: s.kind, value: PSID } }, /text is required/],
      [
        'attachments',
        { to: { kind: s.kind, value: PSID }, text: 'x', attachments: [{ type: 'image', ref: 'https://x/y.png' }] },
        /attachments are not supported/,
      ],
    ])('refuses %s before calling the API', async (_, message, why) => {
      const before = fake.requests.length;
      const e = await failure(send(message as OutboundMessage));
      expect(e).toMatchObject({ kind: 'validation', retryable: false, code: 'INPUT_INVALID' });
      expect(e.message).toMatch(why);
      expect(fake.requests).toHaveLength(before);
    });

    it('a wrong token (190) is auth', async () => {
      const e = await failure(send({ to: to(PSID), text: 'x' }, account({ token: 'EAAwrong' })));
      expect(e).toMatchObject({ kind: 'auth', retryable: false, code: 'GRAPH_190' });
      expect(e.message).not.toContain('EAAwrong');
    });

    it('outside the 24-hour window (#10/2018278) fails for good', async () => {
      fake.failNextSend(
        graphError(400, 10, '(#10) This message is sent outside of allowed window.', 'OAuthException', 2018278),
      );
      const e = await failure(send({ to: to(PSID), text: 'x' }));
      expect(e).toMatchObject({ kind: 'validation', retryable: false, code: 'GRAPH_10' });
      expect(e.message).toMatch(/24-hour/);
    });

    it('a rate limit (613) is retryable, with or without Retry-After', async () => {
      fake.failNextSend({
        ...graphError(400, 613, 'Calls to this api have exceeded the rate limit.'),
        headers: { 'retry-after': '2' },
      });
      expect(await failure(send({ to: to(PSID), text: 'x' }))).toMatchObject({
        kind: 'rate_limited',
        retryable: true,
        retryAfterMs: 2000,
      });
      fake.failNextSend(graphError(400, 613, 'Calls to this api have exceeded the rate limit.'));
      const e = await failure(send({ to: to(PSID), text: 'x' }));
      expect(e).toMatchObject({ kind: 'rate_limited', retryable: true });
      expect(e.retryAfterMs).toBeUndefined();
    });

    it('5xx is a retryable upstream error', async () => {
      fake.failNextSend(graphError(500, 2, 'An unexpected error has occurred. Please retry your request later.'));
      expect(await failure(send({ to: to(PSID), text: 'x' }))).toMatchObject({ kind: 'upstream', retryable: true });
      fake.failNextSend({ status: 502, body: 'Bad Gateway' });
      expect(await failure(send({ to: to(PSID), text: 'x' }))).toMatchObject({
        kind: 'upstream',
        retryable: true,
        code: 'HTTP_502',
      });
      expect(fake.sent).toHaveLength(0);
    });
  });

  describe(`${s.connector.name} inbound`, () => {
    it("parses the fake's signed message into one exact event", async () => {
      const events = await received(() =>
        fake.sendInboundMessage(url, {
          senderId: PSID,
          text: 'hello, world! ünïcode 👍',
          mid: 'mid.1457764197618:41d102a3e1ae206a38',
          timestamp: 1458692752478,
        }),
      );
      expect(events).toEqual([
        {
          type: 'message.received',
          dedupeKey: 'mid.1457764197618:41d102a3e1ae206a38',
          providerMessageId: 'mid.1457764197618:41d102a3e1ae206a38',
          timestamp: '2016-03-23T00:25:52.478Z',
          sender: { identity: identity() },
          text: 'hello, world! ünïcode 👍',
          raw: {
            sender: { id: PSID },
            recipient: { id: s.accountId },
            timestamp: 1458692752478,
            message: { mid: 'mid.1457764197618:41d102a3e1ae206a38', text: 'hello, world! ünïcode 👍' },
          },
        },
      ]);
    });

    it('attachments by URL and reply_to as thread.inReplyTo', async () => {
      const ev = {
        sender: { id: PSID },
        recipient: { id: s.accountId },
        timestamp: 1458692752478,
        message: {
          mid: 'm_att',
          reply_to: { mid: 'm_ours' },
          attachments: [
            { type: 'image', payload: { url: 'https://cdn.example/img.jpg' } },
            { type: 'image', payload: { url: 'https://cdn.example/sticker.png', sticker_id: 369239263222822 } },
            { type: 'file', payload: { url: 'https://cdn.example/a.pdf' } },
            { type: 'fallback', payload: { url: 'https://example.com/page', title: 'A page' } },
            { type: 'location', payload: {} },
          ],
        },
      };
      const events = await received(() => fake.deliver(url, envelope([ev])));
      expect(events).toEqual([
        {
          type: 'message.received',
          dedupeKey: 'm_att',
          providerMessageId: 'm_att',
          timestamp: '2016-03-23T00:25:52.478Z',
          sender: { identity: identity() },
          attachments: [
            { type: 'image', ref: 'https://cdn.example/img.jpg' },
            { type: 'sticker', ref: 'https://cdn.example/sticker.png' },
            { type: 'file', ref: 'https://cdn.example/a.pdf' },
            { type: 'other', ref: 'https://example.com/page', name: 'A page' },
          ],
          thread: { inReplyTo: 'm_ours' },
          raw: ev,
        },
      ]);
    });

    it('deliveries with mids become delivered statuses; reads with a mid become read; watermark-only reads are skipped', async () => {
      const events = await received(() =>
        fake.deliver(
          url,
          envelope([
            {
              sender: { id: PSID },
              recipient: { id: s.accountId },
              timestamp: 1458668856463,
              delivery: { mids: ['m_1', 'm_2'], watermark: 1458668856253 },
            },
            { sender: { id: PSID }, recipient: { id: s.accountId }, timestamp: 1458668856500, read: { mid: 'm_1' } },
            {
              sender: { id: PSID },
              recipient: { id: s.accountId },
              timestamp: 1458668856600,
              read: { watermark: 1458668856253 },
            },
            { sender: { id: PSID }, recipient: { id: s.accountId }, delivery: { watermark: 1458668856253 } },
          ]),
        ),
      );
      const base = { type: 'message.status', recipient: identity() };
      expect(events).toEqual([
        {
          ...base,
          dedupeKey: 'm_1:delivered',
          providerMessageId: 'm_1',
          status: 'delivered',
          timestamp: '2016-03-22T17:47:36.463Z',
        },
        {
          ...base,
          dedupeKey: 'm_2:delivered',
          providerMessageId: 'm_2',
          status: 'delivered',
          timestamp: '2016-03-22T17:47:36.463Z',
        },
        {
          ...base,
          dedupeKey: 'm_1:read',
          providerMessageId: 'm_1',
          status: 'read',
          timestamp: '2016-03-22T17:47:36.500Z',
        },
      ]);
    });

    it('a postback is a message whose text is the button title', async () => {
      const ev = {
        sender: { id: PSID },
        recipient: { id: s.accountId },
        timestamp: 1458692752478,
        postback: { mid: 'm_pb', title: 'Talk to a human', payload: 'HUMAN' },
      };
      expect(await received(() => fake.deliver(url, envelope([ev])))).toEqual([
        {
          type: 'message.received',
          dedupeKey: 'm_pb',
          providerMessageId: 'm_pb',
          timestamp: '2016-03-23T00:25:52.478Z',
          sender: { identity: identity() },
          text: 'Talk to a human',
          raw: ev,
        },
      ]);
    });

    it("skips echoes, deleted messages, reactions, standby events and other accounts' entries", async () => {
      const echo = {
        sender: { id: s.accountId },
        recipient: { id: PSID },
        timestamp: 1,
        message: { mid: 'm_echo', is_echo: true, app_id: 1517776481860111, text: 'ours' },
      };
      const deleted = {
        sender: { id: PSID },
        recipient: { id: s.accountId },
        timestamp: 1,
        message: { mid: 'm_del', is_deleted: true },
      };
      const reaction = {
        sender: { id: PSID },
        recipient: { id: s.accountId },
        timestamp: 1,
        reaction: { mid: 'm_1', action: 'react', reaction: 'love' },
      };
      const payload = {
        object: s.object,
        entry: [
          {
            id: s.accountId,
            time: 1,
            messaging: [echo, deleted, reaction],
            standby: [
              {
                sender: { id: PSID },
                recipient: { id: s.accountId },
                timestamp: 1,
                message: { mid: 'm_sb', text: 'x' },
              },
            ],
          },
          {
            id: '999',
            time: 1,
            messaging: [
              { sender: { id: PSID }, recipient: { id: '999' }, timestamp: 1, message: { mid: 'm_other', text: 'x' } },
            ],
          },
        ],
      };
      expect(await received(() => fake.deliver(url, payload))).toEqual([]);
    });

    it('echoes hub.challenge for the right verify token and refuses a wrong one', async () => {
      await fake.handshake(url, VERIFY, { challenge: '1158201444' });
      expect(inbound.handshake!(await capture.next(), ctx())).toEqual({
        status: 200,
        body: '1158201444',
        contentType: 'text/plain',
      });
      await fake.handshake(url, 'wrong');
      expect(inbound.handshake!(await capture.next(), ctx())).toMatchObject({ status: 403 });
      await fake.handshake(url, VERIFY);
      const noToken = inboundContext(
        testAccount({
          id: `cha_${s.kind}`,
          credentials: s.credentials(s.token, { verifyToken: null }),
          settings: s.settings(fake.url),
        }),
      );
      expect(inbound.handshake!(await capture.next(), noToken)).toMatchObject({ status: 403 });
    });

    it('refuses a tampered body, another app secret and a missing signature', async () => {
      const req = await receive(() => fake.sendInboundMessage(url, { senderId: PSID, text: 'pay 10' }));
      expect(
        inbound.verify({ ...req, rawBody: Buffer.from(req.rawBody.toString().replace('pay 10', 'pay 99')) }, ctx()),
      ).toMatchObject({ ok: false });
      const other = inboundContext(
        testAccount({
          id: `cha_${s.kind}`,
          credentials: s.credentials(s.token, { appSecret: 'another' }),
          settings: s.settings(fake.url),
        }),
      );
      expect(inbound.verify(req, other)).toMatchObject({ ok: false });
      const { 'x-hub-signature-256': _, ...headers } = req.headers;
      expect(inbound.verify({ ...req, headers }, ctx())).toEqual({
        ok: false,
        reason: 'missing X-Hub-Signature-256 header',
      });
    });

    it.each([
      ['another object', { object: s.object === 'page' ? 'instagram' : 'page', entry: [] }, /object: must be/],
      ['no entry', { object: s.object }, /entry: must be an array/],
      [
        'a message without mid',
        envelope([{ sender: { id: PSID }, recipient: { id: s.accountId }, timestamp: 1, message: { text: 'x' } }]),
        /message\.mid/,
      ],
      [
        'a message without sender',
        envelope([{ recipient: { id: s.accountId }, timestamp: 1, message: { mid: 'm', text: 'x' } }]),
        /sender: must be an object/,
      ],
      [
        'a timestamp that is not milliseconds',
        envelope([
          { sender: { id: PSID }, recipient: { id: s.accountId }, timestamp: '2016', message: { mid: 'm', text: 'x' } },
        ]),
        /timestamp: must be Unix milliseconds/,
      ],
    ])('%s is an InboundPayloadError', async (_, payload, why) => {
      const req = await receive(() => fake.deliver(url, payload));
      expect(() => inbound.parse(req, ctx())).toThrow(InboundPayloadError);
      expect(() => inbound.parse(req, ctx())).toThrow(why);
    });

    it('a body that is not JSON is an InboundPayloadError', () => {
      const req: InboundRequest = { method: 'POST', url, headers: {}, query: {}, rawBody: Buffer.from('<xml/>') };
      expect(() => inbound.parse(req, ctx())).toThrow(new InboundPayloadError('the body is not JSON'));
    });
  });
}
