import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { InboundPayloadError, signTwilio, type ChannelAccount, type InboundRequest } from '../sdk/index.js';
import { inboundContext, startInboundCapture, type InboundCapture } from '../testkit/channel.js';
import { startTwilioFake, type TwilioFake } from '../testkit/fakes/twilio.js';
import { smsConnector } from './index.js';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, smsAccount } from './test-support.js';

const NOW = Date.parse('2026-05-04T10:20:30.000Z');
const AT = '2026-05-04T10:20:30.000Z';
const CUSTOMER = '+14155552345';

let tw: TwilioFake;
let capture: InboundCapture;
let account: ChannelAccount;
beforeAll(async () => {
  [tw, capture] = await Promise.all([
    startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }),
    startInboundCapture(),
  ]);
  account = smsAccount(tw.url, { inboundUrl: `${capture.url}/hooks/channels/cha_sms` });
});
afterAll(() => Promise.all([tw.close(), capture.close()]));
beforeEach(() => {
  tw.violations.length = 0;
});

const inbound = smsConnector.channel!.inbound!;
const ctx = () => inboundContext(account, NOW);
/** Verifies (must pass) and parses, as the gateway does. */
const receive = (req: InboundRequest) => {
  expect(inbound.verify(req, ctx())).toEqual({ ok: true });
  return inbound.parse(req, ctx());
};

/** An SMS from CUSTOMER delivered by the fake to the capture: the request as the gateway sees it, and what was signed. */
async function deliverSms(
  body: string,
  opts: { media?: { url: string; contentType: string }[]; extra?: Record<string, string> } = {},
) {
  const sent = await tw.sendInboundSms({ url: account.inboundUrl, from: CUSTOMER, to: OUR_NUMBER, body, ...opts });
  return { req: await capture.next(), sent };
}

describe('sms inbound: incoming messages', () => {
  it('verifies the signed SMS and parses it into exactly one message.received', async () => {
    const { req, sent } = await deliverSms('Hi, is my order on its way?');
    const sid = sent.params.MessageSid!;
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(receive(req)).toEqual([
      {
        type: 'message.received',
        dedupeKey: sid,
        timestamp: AT,
        providerMessageId: sid,
        sender: { identity: { kind: 'phone', value: CUSTOMER } },
        text: 'Hi, is my order on its way?',
        raw: sent.params,
      },
    ]);
  });

  it('acknowledges with empty TwiML so Twilio sends no reply of its own', () => {
    expect(inbound.ack).toEqual({ status: 200, body: '<Response/>', contentType: 'text/xml' });
  });

  it('MMS media become attachments by URL with their content types; an empty Body is no text', async () => {
    const media = [
      {
        url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM1/Media/ME1`,
        contentType: 'image/jpeg',
      },
      {
        url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM1/Media/ME2`,
        contentType: 'text/vcard',
      },
      {
        url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM1/Media/ME3`,
        contentType: 'application/pdf',
      },
    ];
    const { req, sent } = await deliverSms('', { media });
    expect(sent.params).toMatchObject({
      NumMedia: '3',
      MediaUrl2: media[2]!.url,
      MediaContentType2: 'application/pdf',
    });
    const [event] = receive(req);
    expect(event).toEqual({
      type: 'message.received',
      dedupeKey: sent.params.MessageSid,
      timestamp: AT,
      providerMessageId: sent.params.MessageSid,
      sender: { identity: { kind: 'phone', value: CUSTOMER } },
      attachments: [
        { type: 'image', ref: media[0]!.url, mimeType: 'image/jpeg' },
        { type: 'contact', ref: media[1]!.url, mimeType: 'text/vcard' },
        { type: 'file', ref: media[2]!.url, mimeType: 'application/pdf' },
      ],
      raw: sent.params,
    });
    expect(sent.params.MessageSid).toMatch(/^MM/);
  });

  it.each([
    ['STOP', 'opted_out'],
    [' stop ', 'opted_out'],
    ['StopAll', 'opted_out'],
    ['unsubscribe', 'opted_out'],
    ['Cancel', 'opted_out'],
    ['END', 'opted_out'],
    ['quit', 'opted_out'],
    ['REVOKE', 'opted_out'],
    ['optout', 'opted_out'],
    ['START', 'opted_in'],
    ['yes', 'opted_in'],
    ['Unstop', 'opted_in'],
    ['OPTIN', 'opted_in'],
    ['HELP', undefined],
    ['info', undefined],
    ['stop please', undefined],
    ['Please STOP', undefined],
    ['STOP!', undefined],
  ])('%j sets consent %s', async (body, consent) => {
    const { req } = await deliverSms(body);
    const [event] = receive(req);
    expect(event).toMatchObject({ type: 'message.received', text: body });
    expect(event && 'consent' in event ? event.consent : undefined).toBe(consent);
  });

  it.each([
    ['ARRET', 'STOP', 'opted_out'],
    ['Commencer', 'START', 'opted_in'],
    ['AIDE', 'HELP', undefined],
    // The service's own keywords win: a default keyword it re-purposed is what OptOutType says.
    ['YES', 'HELP', undefined],
  ])('Advanced Opt-Out: %j with OptOutType %s sets consent %s', async (body, optOutType, consent) => {
    const { req, sent } = await deliverSms(body, { extra: { OptOutType: optOutType } });
    expect(sent.params.OptOutType).toBe(optOutType);
    const [event] = receive(req);
    expect(event && 'consent' in event ? event.consent : undefined).toBe(consent);
  });

  it("a sender outside libphonenumber's known ranges is kept in E.164 as Twilio gave it", async () => {
    const sent = await tw.sendInboundSms({
      url: account.inboundUrl,
      from: '+447700900123',
      to: OUR_NUMBER,
      body: 'hello',
    });
    const [event] = receive(await capture.next());
    expect(event).toMatchObject({
      sender: { identity: { kind: 'phone', value: '+447700900123' } },
      dedupeKey: sent.params.MessageSid,
    });
  });

  it("a message from another channel's address (whatsapp:) is skipped, not failed", async () => {
    await tw.sendInboundSms({
      url: account.inboundUrl,
      from: `whatsapp:${CUSTOMER}`,
      to: `whatsapp:${OUR_NUMBER}`,
      body: 'hi',
    });
    expect(receive(await capture.next())).toEqual([]);
  });
});

describe('sms inbound: status callbacks', () => {
  it.each([
    ['sent', {}, { status: 'sent' }],
    ['delivered', {}, { status: 'delivered' }],
    ['read', {}, { status: 'read' }],
    [
      'undelivered',
      { errorCode: '30003', errorMessage: 'Unreachable destination handset' },
      { status: 'failed', error: 'Twilio error 30003: Unreachable destination handset' },
    ],
    ['failed', { errorCode: '30008' }, { status: 'failed', error: 'Twilio error 30008' }],
    ['canceled', {}, { status: 'failed', error: 'canceled before it was sent' }],
  ] as const)('%s becomes message.status', async (twilioStatus, extra, expected) => {
    const messageSid = `SM${'a'.repeat(32)}`;
    await tw.sendStatusCallback({
      url: account.inboundUrl,
      messageSid,
      status: twilioStatus,
      from: OUR_NUMBER,
      to: CUSTOMER,
      ...extra,
    });
    expect(receive(await capture.next())).toEqual([
      {
        type: 'message.status',
        dedupeKey: `${messageSid}:${twilioStatus}`,
        timestamp: AT,
        providerMessageId: messageSid,
        recipient: { kind: 'phone', value: CUSTOMER },
        ...expected,
      },
    ]);
  });

  it.each(['queued', 'sending', 'accepted', 'scheduled', 'partially_delivered'])(
    '%s is verified and skipped',
    async (status) => {
      await tw.sendStatusCallback({
        url: account.inboundUrl,
        messageSid: `SM${'b'.repeat(32)}`,
        status,
        from: OUR_NUMBER,
        to: CUSTOMER,
      });
      expect(receive(await capture.next())).toEqual([]);
    },
  );

  it("a status for a message the connector sent arrives at the account's inbound URL (StatusCallback)", async () => {
    const sent = await smsConnector.channel!.send(
      {
        account,
        idempotencyKey: 'run_1:send',
        signal: AbortSignal.timeout(10_000),
        logger: inboundContext(account).logger,
      },
      { to: { kind: 'phone', value: CUSTOMER }, text: 'Your code is 1234' },
    );
    const callback = tw.created.at(-1)!.StatusCallback as string;
    expect(callback).toBe(account.inboundUrl);
    await tw.sendStatusCallback({ url: callback, messageSid: sent.providerMessageId, status: 'delivered' });
    expect(receive(await capture.next())).toEqual([
      {
        type: 'message.status',
        dedupeKey: `${sent.providerMessageId}:delivered`,
        timestamp: AT,
        providerMessageId: sent.providerMessageId,
        status: 'delivered',
        recipient: { kind: 'phone', value: CUSTOMER },
      },
    ]);
    expect(tw.violations).toEqual([]);
  });
});

describe('sms inbound: signatures', () => {
  it("fails a bad signature, a tampered body, another account's token, and a missing header", async () => {
    const { req } = await deliverSms('Pay me');
    const bad = {
      ...req,
      headers: {
        ...req.headers,
        'x-twilio-signature': signTwilio('another-token', req.url, new URLSearchParams(req.rawBody.toString())),
      },
    };
    expect(inbound.verify(bad, ctx())).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    const tampered = { ...req, rawBody: Buffer.from(req.rawBody.toString().replace('Pay+me', 'Pay+you')) };
    expect(tampered.rawBody.equals(req.rawBody)).toBe(false);
    expect(inbound.verify(tampered, ctx())).toMatchObject({ ok: false });
    const other = smsAccount(tw.url, {
      inboundUrl: account.inboundUrl,
      credentials: { accountSid: ACCOUNT_SID, authToken: 'rotated-token' },
    });
    expect(inbound.verify(req, inboundContext(other, NOW))).toMatchObject({ ok: false });
    const { 'x-twilio-signature': _, ...headers } = req.headers;
    expect(inbound.verify({ ...req, headers }, ctx())).toEqual({ ok: false, reason: 'no X-Twilio-Signature header' });
  });

  it('fails when the URL seen differs from the URL Twilio signed (a proxy rewriting host, scheme or query)', async () => {
    const { req } = await deliverSms('Hello');
    for (const url of [
      req.url.replace('127.0.0.1', 'localhost'),
      req.url.replace('http://', 'https://'),
      `${req.url}?retry=1`,
      req.url.replace('/hooks/channels/cha_sms', '/hooks/channels/cha_other'),
    ])
      expect(inbound.verify({ ...req, url }, ctx())).toMatchObject({ ok: false });
  });

  it('accepts the public URL with or without the default port, as Twilio may sign either', () => {
    const params = { MessageSid: `SM${'c'.repeat(32)}`, From: CUSTOMER, To: OUR_NUMBER, Body: 'hi', NumMedia: '0' };
    const rawBody = Buffer.from(new URLSearchParams(params).toString());
    const signature = signTwilio(AUTH_TOKEN, 'https://hooks.example.com/hooks/channels/cha_sms', params);
    const req = (url: string): InboundRequest => ({
      method: 'POST',
      url,
      headers: { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' },
      query: {},
      rawBody,
    });
    expect(inbound.verify(req('https://hooks.example.com:443/hooks/channels/cha_sms'), ctx())).toEqual({ ok: true });
    expect(inbound.verify(req('https://hooks.example.com/hooks/channels/cha_sms'), ctx())).toEqual({ ok: true });
  });

  it('verifies the JSON-body variant (bodySHA256 in the URL) with the body hash, and parse refuses the JSON', () => {
    const rawBody = Buffer.from('{"MessageSid":"SM1"}');
    const url = `https://hooks.example.com/hooks/channels/cha_sms?bodySHA256=${createHash('sha256').update(rawBody).digest('hex')}`;
    const req: InboundRequest = {
      method: 'POST',
      url,
      headers: { 'x-twilio-signature': signTwilio(AUTH_TOKEN, url), 'content-type': 'application/json' },
      query: {},
      rawBody,
    };
    expect(inbound.verify(req, ctx())).toEqual({ ok: true });
    expect(inbound.verify({ ...req, rawBody: Buffer.from('{"MessageSid":"SM2"}') }, ctx())).toMatchObject({
      ok: false,
    });
    expect(() => inbound.parse(req, ctx())).toThrow(InboundPayloadError);
  });
});

describe('sms inbound: malformed payloads', () => {
  /** A signed request with these exact form parameters (so only parse can object). */
  const signed = (params: Record<string, string>): InboundRequest => {
    const url = account.inboundUrl;
    return {
      method: 'POST',
      url,
      query: {},
      rawBody: Buffer.from(new URLSearchParams(params).toString()),
      headers: {
        'x-twilio-signature': signTwilio(AUTH_TOKEN, url, params),
        'content-type': 'application/x-www-form-urlencoded',
      },
    };
  };
  const sid = `SM${'d'.repeat(32)}`;

  it.each([
    ['no MessageSid', { From: CUSTOMER, To: OUR_NUMBER, Body: 'hi' }, 'no MessageSid'],
    ['no From', { MessageSid: sid, To: OUR_NUMBER, Body: 'hi', SmsStatus: 'received' }, 'without From'],
    [
      'NumMedia that is not a count',
      { MessageSid: sid, From: CUSTOMER, Body: 'hi', NumMedia: 'two' },
      'NumMedia is not a count',
    ],
    [
      'NumMedia without its MediaUrl',
      { MessageSid: sid, From: CUSTOMER, Body: '', NumMedia: '1' },
      'MediaUrl0 is missing',
    ],
    ['an empty body', {}, 'no MessageSid'],
  ])('%s throws InboundPayloadError', (_, params, message) => {
    const req = signed(params);
    expect(() => receive(req)).toThrow(InboundPayloadError);
    expect(() => inbound.parse(req, ctx())).toThrow(message);
  });

  it('a status callback may omit From (MessageSid and MessageStatus are enough)', () => {
    expect(receive(signed({ MessageSid: sid, MessageStatus: 'delivered' }))).toEqual([
      {
        type: 'message.status',
        dedupeKey: `${sid}:delivered`,
        timestamp: AT,
        providerMessageId: sid,
        status: 'delivered',
      },
    ]);
  });

  it('the SmsSid of older payloads stands in for MessageSid', () => {
    expect(receive(signed({ SmsSid: sid, From: CUSTOMER, Body: 'old school', SmsStatus: 'received' }))).toMatchObject([
      { dedupeKey: sid, text: 'old school' },
    ]);
  });
});
