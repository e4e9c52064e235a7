import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InboundPayloadError, signSlack, type InboundRequest } from '../sdk/index.js';
import {
  inboundContext,
  startInboundCapture,
  startSlackFake,
  testAccount,
  type InboundCapture,
  type SlackFake,
} from '../testkit/index.js';
import { slackConnector } from './index.js';

const BOT = 'xoxb-1234-5678-fake-bot-token';
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const inbound = slackConnector.channel!.inbound!;

let sl: SlackFake;
let capture: InboundCapture;
let hook: string;
beforeAll(async () => {
  [sl, capture] = await Promise.all([startSlackFake({ botToken: BOT, signingSecret: SECRET }), startInboundCapture()]);
  hook = `${capture.url}/hooks/channels/cha_sl`;
});
afterAll(() => Promise.all([sl.close(), capture.close()]));
beforeEach(() => {
  sl.violations.length = 0;
});

const account = (
  settings: Record<string, string> = { teamId: 'T0FAKE0001', botUserId: 'U0FAKEBOT1' },
  signingSecret = SECRET,
) =>
  testAccount({
    id: 'cha_sl',
    credentials: { botToken: BOT, signingSecret },
    settings: { apiBaseUrl: `${sl.url}/api`, ...settings },
  });
const ctx = (now = Date.now(), a = account()) => inboundContext(a, now);

/** A request as the gateway builds it, signed now (for parse-only cases the fake has no delivery for). */
function signed(body: unknown, at = Math.floor(Date.now() / 1000)): InboundRequest {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    method: 'POST',
    url: hook,
    query: {},
    rawBody: Buffer.from(raw),
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(at),
      'x-slack-signature': signSlack(SECRET, raw, at),
    },
  };
}
const envelope = (event: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  token: 'x',
  team_id: 'T0FAKE0001',
  api_app_id: 'A0FAKE0001',
  type: 'event_callback',
  event_id: 'Ev0TEST0001',
  event_time: 1525215129,
  authed_users: ['U0FAKEBOT1'],
  event: { ts: '1525215129.000001', event_ts: '1525215129.000001', ...event },
  ...over,
});
const message = (over: Record<string, unknown> = {}) => ({
  type: 'message',
  user: 'U061F7AUR',
  channel: 'C0G9QF9GZ',
  text: 'hi',
  channel_type: 'channel',
  ...over,
});

describe('slack inbound: delivered by the fake', () => {
  it('a channel message verifies and parses to one message.received keyed by event_id', async () => {
    const next = capture.next();
    const d = await sl.sendMessageEvent(hook, {
      user: 'U061F7AUR',
      channel: 'C0G9QF9GZ',
      text: 'How many cats did we herd yesterday?',
      ts: '1525215129.000001',
    });
    const req = await next;
    expect(req.rawBody.toString()).toBe(d.rawBody);
    expect(inbound.verify(req, ctx())).toEqual({ ok: true });
    expect(inbound.handshake!(req, ctx())).toBeUndefined();
    expect(inbound.parse(req, ctx())).toEqual([
      {
        type: 'message.received',
        dedupeKey: d.payload.event_id,
        providerMessageId: 'C0G9QF9GZ:1525215129.000001',
        timestamp: '2018-05-01T22:52:09.000Z',
        sender: { identity: { kind: 'slack', value: 'T0FAKE0001:U061F7AUR' } },
        replyTo: { kind: 'slack_channel', value: 'C0G9QF9GZ' },
        text: 'How many cats did we herd yesterday?',
        thread: { id: '1525215129.000001', extra: { channel: 'C0G9QF9GZ' } },
        raw: d.payload.event,
      },
    ]);
  });

  it('a thread reply in a DM: the thread is the parent ts, inReplyTo the parent message', async () => {
    const next = capture.next();
    const d = await sl.sendMessageEvent(hook, {
      user: 'U1',
      channel: 'D0PNCRP9N',
      text: 'r',
      ts: '1525215129.123456',
      thread_ts: '1525215100.000100',
    });
    const req = await next;
    expect(inbound.verify(req, ctx())).toEqual({ ok: true });
    const [event] = inbound.parse(req, ctx());
    expect(event).toEqual({
      type: 'message.received',
      dedupeKey: d.payload.event_id,
      providerMessageId: 'D0PNCRP9N:1525215129.123456',
      timestamp: '2018-05-01T22:52:09.123Z',
      sender: { identity: { kind: 'slack', value: 'T0FAKE0001:U1' } },
      replyTo: { kind: 'slack_channel', value: 'D0PNCRP9N' },
      text: 'r',
      thread: { id: '1525215100.000100', inReplyTo: 'D0PNCRP9N:1525215100.000100', extra: { channel: 'D0PNCRP9N' } },
      raw: d.payload.event,
    });
  });

  it("Slack's retry of a delivery verifies and parses to the same dedupe key", async () => {
    const first = capture.next();
    const d = await sl.sendMessageEvent(hook, { user: 'U1', channel: 'C1', text: 'once' });
    const a = await first;
    const second = capture.next();
    await sl.retry(hook, d, { num: 1, reason: 'http_timeout' });
    const b = await second;
    expect(b.headers['x-slack-retry-num']).toBe('1');
    expect(inbound.verify(b, ctx())).toEqual({ ok: true });
    expect(inbound.parse(b, ctx())[0]!.dedupeKey).toBe(inbound.parse(a, ctx())[0]!.dedupeKey);
  });

  it('url_verification verifies and the handshake answers the challenge as JSON', async () => {
    const next = capture.next();
    const d = await sl.sendUrlVerification(hook);
    const req = await next;
    expect(inbound.verify(req, ctx())).toEqual({ ok: true });
    expect(inbound.handshake!(req, ctx())).toEqual({
      status: 200,
      body: { challenge: d.challenge },
      contentType: 'application/json',
    });
  });

  it('a tampered body, a wrong signing secret or missing headers fail verify', async () => {
    const next = capture.next();
    await sl.sendMessageEvent(hook, { user: 'U1', channel: 'C1', text: 'pay 10 dollars' });
    const req = await next;
    const tampered = { ...req, rawBody: Buffer.from(req.rawBody.toString().replace('10', '99')) };
    expect(inbound.verify(tampered, ctx())).toEqual({ ok: false, reason: 'X-Slack-Signature does not match' });
    expect(inbound.verify(req, ctx(Date.now(), account({}, 'another-secret')))).toEqual({
      ok: false,
      reason: 'X-Slack-Signature does not match',
    });
    const { 'x-slack-signature': _, ...unsigned } = req.headers;
    expect(inbound.verify({ ...req, headers: unsigned }, ctx())).toEqual({
      ok: false,
      reason: 'X-Slack-Signature or X-Slack-Request-Timestamp is missing',
    });
    expect(inbound.verify(req, ctx(Date.now(), account({}, '')))).toEqual({
      ok: false,
      reason: 'the account has no signing secret',
    });
  });

  it('a stale timestamp fails verify even with a valid signature; the window is checked against ctx.now', async () => {
    const next = capture.next();
    const d = await sl.sendMessageEvent(hook, { user: 'U1', channel: 'C1', text: 'old' }, { ageSeconds: 301 });
    const req = await next;
    const stale = { ok: false, reason: 'X-Slack-Request-Timestamp is more than 5 minutes away from now (replay?)' };
    expect(inbound.verify(req, ctx())).toEqual(stale);
    // The same request was fine when it was fresh, and a fresh one is stale from ctx.now ten minutes later.
    expect(inbound.verify(req, ctx(d.timestamp * 1000))).toEqual({ ok: true });
    const fresh = signed(envelope(message()));
    expect(inbound.verify(fresh, ctx())).toEqual({ ok: true });
    expect(inbound.verify(fresh, ctx(Date.now() + 600_000))).toEqual(stale);
  });
});

describe('slack inbound: parse', () => {
  const parse = (body: unknown, a = account()) => inbound.parse(signed(body), inboundContext(a));

  it('a file_share message carries its files by id', () => {
    const files = [
      { id: 'F0IMG', name: 'shot.png', mimetype: 'image/png', url_private: 'https://files.slack.com/x' },
      { id: 'F0DOC', name: 'terms.pdf', mimetype: 'application/pdf' },
      { id: 'F0AUD', mimetype: 'audio/webm' },
    ];
    const [event] = parse(envelope(message({ subtype: 'file_share', text: '', files })));
    expect(event).not.toHaveProperty('text');
    expect(event).toMatchObject({
      attachments: [
        { type: 'image', ref: 'F0IMG', mimeType: 'image/png', name: 'shot.png' },
        { type: 'file', ref: 'F0DOC', mimeType: 'application/pdf', name: 'terms.pdf' },
        { type: 'audio', ref: 'F0AUD', mimeType: 'audio/webm' },
      ],
    });
  });

  it('a thread_broadcast is a person writing too', () => {
    expect(parse(envelope(message({ subtype: 'thread_broadcast', thread_ts: '1525215000.000001' })))).toHaveLength(1);
  });

  it.each<[string, unknown]>([
    ['a bot_message', envelope(message({ subtype: 'bot_message', bot_id: 'B1', user: undefined }))],
    ['a message with bot_id', envelope(message({ bot_id: 'B0FAKE0001' }))],
    ['the bot user itself', envelope(message({ user: 'U0FAKEBOT1' }))],
    ['an edit', envelope(message({ subtype: 'message_changed', message: { text: 'new' } }))],
    ['a deletion', envelope(message({ subtype: 'message_deleted', deleted_ts: '1.2' }))],
    ['a channel join', envelope(message({ subtype: 'channel_join' }))],
    [
      'an app_mention (the message event carries it)',
      envelope({ type: 'app_mention', user: 'U1', channel: 'C1', text: '<@U0FAKEBOT1> hi' }),
    ],
    [
      'a reaction',
      envelope({
        type: 'reaction_added',
        user: 'U1',
        reaction: 'thumbsup',
        item: { type: 'message', channel: 'C1', ts: '1.2' },
      }),
    ],
    ['another workspace', envelope(message(), { team_id: 'T0OTHER001' })],
    [
      'app_rate_limited',
      {
        token: 'x',
        type: 'app_rate_limited',
        team_id: 'T0FAKE0001',
        minute_rate_limited: 1518467820,
        api_app_id: 'A1',
      },
    ],
  ])('%s produces no events', (_, body) => {
    expect(parse(body)).toEqual([]);
  });

  it('without registration settings, only bot markers identify bots and every workspace is accepted', () => {
    const a = account({});
    expect(parse(envelope(message({ user: 'U0FAKEBOT1' })), a)).toHaveLength(1);
    expect(parse(envelope(message(), { team_id: 'T0OTHER001' }), a)[0]).toMatchObject({
      sender: { identity: { kind: 'slack', value: 'T0OTHER001:U061F7AUR' } },
    });
  });

  it.each<[string, unknown]>([
    ['not JSON', 'payload=%7B%7D'],
    ['JSON without a type', { challenge: 'x' }],
    ['url_verification without a challenge', { type: 'url_verification', token: 'x' }],
    ['event_callback without event_id', { ...envelope(message()), event_id: undefined }],
    ['event_callback without team_id', { ...envelope(message()), team_id: 7 }],
    ['event_callback without an event', { ...envelope(message()), event: 'message' }],
    ['a message without a channel', envelope(message({ channel: undefined }))],
    ['a message with a malformed ts', envelope(message({ ts: 'yesterday' }))],
    ['a file without an id', envelope(message({ subtype: 'file_share', files: [{ name: 'x' }] }))],
  ])('%s is an InboundPayloadError', (_, body) => {
    expect(() => parse(body)).toThrow(InboundPayloadError);
  });

  it('the handshake ignores GETs, non-JSON bodies and other types', () => {
    expect(
      inbound.handshake!({ ...signed({ type: 'url_verification', challenge: 'c' }), method: 'GET' }, ctx()),
    ).toBeUndefined();
    expect(inbound.handshake!(signed('not json'), ctx())).toBeUndefined();
    expect(inbound.handshake!(signed({ type: 'url_verification', challenge: 42 }), ctx())).toBeUndefined();
  });
});
