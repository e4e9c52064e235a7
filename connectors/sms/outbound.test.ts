import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type ChannelAccount, type OutboundMessage } from '../sdk/index.js';
import { memoryLogger, startInboundCapture, type InboundCapture } from '../testkit/channel.js';
import { startTwilioFake, type TwilioFake } from '../testkit/fakes/twilio.js';
import { smsConnector } from './index.js';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, SERVICE_SID, smsAccount } from './test-support.js';

let tw: TwilioFake;
let capture: InboundCapture;
beforeAll(async () => {
  [tw, capture] = await Promise.all([
    startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }),
    startInboundCapture(),
  ]);
});
afterAll(() => Promise.all([tw.close(), capture.close()]));
beforeEach(() => {
  tw.violations.length = 0;
  tw.requests.length = 0;
  tw.created.length = 0;
  tw.optedOut.clear();
});

const channel = smsConnector.channel!;
const send = (account: ChannelAccount, message: OutboundMessage, signal = AbortSignal.timeout(10_000)) =>
  channel.send({ account, idempotencyKey: 'run_1:send', signal, logger: memoryLogger() }, message);
const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};
const to = (value: string) => ({ kind: 'phone', value });

describe('sms channel send', () => {
  it('creates the message with the exact form, HTTP Basic, and StatusCallback set to the inbound URL', async () => {
    const account = smsAccount(tw.url);
    const result = await send(account, { to: to('+14155552345'), text: 'Your order shipped 📦' });
    expect(tw.violations).toEqual([]);
    expect(tw.created).toEqual([
      { To: '+14155552345', From: OUR_NUMBER, Body: 'Your order shipped 📦', StatusCallback: account.inboundUrl },
    ]);
    const req = tw.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const sid = tw.messages.at(-1)!.sid;
    expect(result).toEqual({
      providerMessageId: sid,
      status: 'queued',
      provider: {
        sid,
        status: 'queued',
        to: '+14155552345',
        from: OUR_NUMBER,
        messagingServiceSid: null,
        numSegments: '1',
      },
    });
  });

  it('sends from a Messaging Service, with media URLs, and without StatusCallback when turned off', async () => {
    const account = smsAccount(tw.url, {
      settings: { messagingServiceSid: SERVICE_SID, apiBaseUrl: `${tw.url}/`, statusCallback: false },
    });
    const result = await send(account, {
      to: to('+14155552345'),
      attachments: [
        { type: 'image', ref: 'https://cdn.example.com/a.png' },
        { type: 'file', ref: 'https://cdn.example.com/b.pdf' },
      ],
    });
    expect(tw.violations).toEqual([]);
    expect(tw.created).toEqual([
      {
        To: '+14155552345',
        MessagingServiceSid: SERVICE_SID,
        MediaUrl: ['https://cdn.example.com/a.png', 'https://cdn.example.com/b.pdf'],
      },
    ]);
    // The Messaging Service answers `accepted` until it picks a sender: still queued for the platform.
    expect(result).toMatchObject({
      status: 'queued',
      provider: { status: 'accepted', from: null, messagingServiceSid: SERVICE_SID },
    });
  });

  it('sends both From and MessagingServiceSid when both are set, and a Content template from the payload', async () => {
    const account = smsAccount(tw.url, {
      settings: { from: OUR_NUMBER, messagingServiceSid: SERVICE_SID, apiBaseUrl: tw.url },
    });
    const contentSid = 'HX0123456789abcdef0123456789abcdef';
    await send(account, { to: to('+14155552345'), payload: { contentSid, contentVariables: { 1: 'Ada' } } });
    expect(tw.violations).toEqual([]);
    expect(tw.created).toEqual([
      {
        To: '+14155552345',
        From: OUR_NUMBER,
        MessagingServiceSid: SERVICE_SID,
        ContentSid: contentSid,
        ContentVariables: '{"1":"Ada"}',
        StatusCallback: account.inboundUrl,
      },
    ]);
  });

  it('keeps a path prefix of apiBaseUrl (a self-hosted proxy)', async () => {
    const err = await failure(
      send(smsAccount(tw.url, { settings: { from: OUR_NUMBER, apiBaseUrl: `${tw.url}/twilio` } }), {
        to: to('+14155552345'),
        text: 'x',
      }),
    );
    expect(tw.requests.map((r) => r.path)).toEqual([`/twilio/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`]);
    expect(err).toMatchObject({ kind: 'not_found', retryable: false, details: { status: 404, twilioCode: 20404 } });
  });

  it('refuses an account with neither from nor messagingServiceSid, before calling Twilio', async () => {
    const err = await failure(
      send(smsAccount(tw.url, { settings: { apiBaseUrl: tw.url } }), { to: to('+14155552345'), text: 'x' }),
    );
    expect(err).toMatchObject({ kind: 'config', retryable: false, code: 'SETTINGS_INVALID' });
    expect(err.message).toContain('set from (a Twilio number) or messagingServiceSid');
    expect(tw.requests).toEqual([]);
  });

  it('refuses bad settings and credentials with every problem named, never the secret', async () => {
    const bad = await failure(
      send(smsAccount(tw.url, { settings: { from: '0044 20', messagingServiceSid: 'MG1', apiBaseUrl: tw.url } }), {
        to: to('+14155552345'),
        text: 'x',
      }),
    );
    expect(bad.message).toMatch(/from must match pattern.*messagingServiceSid must match pattern/);
    const creds = await failure(
      send(smsAccount(tw.url, { credentials: { accountSid: 'nope', authToken: 'super-secret' } }), {
        to: to('+14155552345'),
        text: 'x',
      }),
    );
    expect(creds).toMatchObject({ kind: 'config', code: 'CREDENTIALS_INVALID', details: { fields: ['accountSid'] } });
    expect(creds.message).not.toContain('super-secret');
    expect(tw.requests).toEqual([]);
  });

  it.each([
    [
      'an address kind SMS cannot reach',
      { to: { kind: 'email', value: 'a@example.com' }, text: 'x' },
      'to: SMS sends to phone numbers',
    ],
    ['a number that is not one', { to: to('12'), text: 'x' }, 'to: "12" is not a valid phone number'],
    ['nothing to send', { to: to('+14155552345') }, 'nothing to send'],
    [
      'media that is not a URL',
      { to: to('+14155552345'), attachments: [{ type: 'image', ref: 'media-id-123' }] },
      'attachments/0/ref',
    ],
    [
      'an unknown payload field',
      { to: to('+14155552345'), text: 'x', payload: { blocks: [] } },
      'payload: unknown field(s) blocks',
    ],
  ] as const)('%s is a validation error and nothing is sent', async (_, message, text) => {
    const err = await failure(send(smsAccount(tw.url), message as OutboundMessage));
    expect(err).toMatchObject({ kind: 'validation', retryable: false, code: 'INPUT_INVALID' });
    expect(err.message).toContain(text);
    expect(tw.requests).toEqual([]);
  });
});

describe('sms channel send: Twilio errors', () => {
  it('429 with Retry-After is rate_limited, retryable, with retryAfterMs', async () => {
    tw.failNextCreate({ status: 429, code: 20429, message: 'Too Many Requests', headers: { 'retry-after': '3' } });
    const err = await failure(send(smsAccount(tw.url), { to: to('+14155552345'), text: 'x' }));
    expect(err).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 3000,
      code: 'HTTP_429',
      details: { status: 429, twilioCode: 20429, twilioMessage: 'Too Many Requests' },
    });
    expect(tw.violations).toEqual([]);
  });

  it('5xx is upstream and retryable', async () => {
    tw.failNextCreate({ status: 503, code: 20500, message: 'Service Unavailable' });
    const err = await failure(send(smsAccount(tw.url), { to: to('+14155552345'), text: 'x' }));
    expect(err).toMatchObject({ kind: 'upstream', retryable: true, code: 'HTTP_503' });
  });

  it("400 is a non-retryable validation error carrying Twilio's message and code", async () => {
    tw.failNextCreate({ status: 400, code: 21211, message: "Invalid 'To' Phone Number: +1415555XXXX" });
    const err = await failure(send(smsAccount(tw.url), { to: to('+14155552345'), text: 'x' }));
    expect(err).toMatchObject({
      kind: 'validation',
      retryable: false,
      code: 'HTTP_400',
      details: {
        status: 400,
        twilioCode: 21211,
        twilioMessage: "Invalid 'To' Phone Number: +1415555XXXX",
        moreInfo: 'https://www.twilio.com/docs/errors/21211',
      },
    });
    expect(err.message).toBe("Twilio error 21211: Invalid 'To' Phone Number: +1415555XXXX");
  });

  it('a 400 about the sender is a config error (the account is set up wrong)', async () => {
    tw.failNextCreate({
      status: 400,
      code: 21606,
      message:
        "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination.",
    });
    const err = await failure(send(smsAccount(tw.url), { to: to('+14155552345'), text: 'x' }));
    expect(err).toMatchObject({ kind: 'config', retryable: false, details: { twilioCode: 21606 } });
  });

  it('a wrong auth token is a non-retryable auth error', async () => {
    const err = await failure(
      send(smsAccount(tw.url, { credentials: { accountSid: ACCOUNT_SID, authToken: 'wrong' } }), {
        to: to('+14155552345'),
        text: 'x',
      }),
    );
    expect(err).toMatchObject({ kind: 'auth', retryable: false, details: { status: 401, twilioCode: 20003 } });
  });

  it('a non-JSON error (a proxy page) keeps the status mapping and never quotes the body', async () => {
    const err = await failure(
      send(smsAccount(capture.url, { settings: { from: OUR_NUMBER, apiBaseUrl: capture.url } }), {
        to: to('+14155552345'),
        text: 'x',
      }),
    );
    // The capture answers 200 with an empty body: accepted, but no sid, so a retry could double-send.
    expect(err).toMatchObject({ kind: 'upstream', retryable: false, code: 'BAD_RESPONSE' });
    capture.reply = { status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' };
    try {
      const bad = await failure(
        send(smsAccount(capture.url, { settings: { from: OUR_NUMBER, apiBaseUrl: capture.url } }), {
          to: to('+14155552345'),
          text: 'x',
        }),
      );
      expect(bad).toMatchObject({
        kind: 'upstream',
        retryable: true,
        code: 'HTTP_502',
        message: 'Twilio answered HTTP 502 (not a Twilio error)',
        details: { status: 502 },
      });
      expect(JSON.stringify({ m: bad.message, d: bad.details })).not.toContain('Bad gateway');
    } finally {
      capture.reply = { status: 200 };
    }
  });

  it('an unreachable Twilio is a retryable network error; a cancelled step is not sent on', async () => {
    const err = await failure(
      send(smsAccount('http://127.0.0.1:9', { settings: { from: OUR_NUMBER, apiBaseUrl: 'http://127.0.0.1:9' } }), {
        to: to('+14155552345'),
        text: 'x',
      }),
    );
    expect(err).toMatchObject({ kind: 'upstream', retryable: true, code: 'NETWORK_ERROR' });
    const aborted = new AbortController();
    aborted.abort();
    const cancelled = await failure(send(smsAccount(tw.url), { to: to('+14155552345'), text: 'x' }, aborted.signal));
    expect(cancelled).toMatchObject({ kind: 'upstream', code: 'ABORTED' });
    expect(tw.requests).toEqual([]);
  });

  it('21610 (the recipient texted STOP) is non-retryable and says the recipient opted out; START lets sends through again', async () => {
    const account = smsAccount(tw.url, { inboundUrl: `${capture.url}/hooks/channels/cha_sms` });
    await tw.sendInboundSms({ url: account.inboundUrl, from: '+14155552345', to: OUR_NUMBER, body: 'Stop' });
    const err = await failure(send(account, { to: to('+14155552345'), text: 'One more thing' }));
    expect(err).toMatchObject({
      kind: 'validation',
      retryable: false,
      code: 'RECIPIENT_OPTED_OUT',
      details: { status: 400, twilioCode: 21610, twilioMessage: 'Attempt to send to unsubscribed recipient' },
    });
    expect(err.message).toMatch(/^\+14155552345 opted out of messages from this sender/);
    expect(tw.violations).toEqual([]);

    await tw.sendInboundSms({ url: account.inboundUrl, from: '+14155552345', to: OUR_NUMBER, body: 'START' });
    await expect(send(account, { to: to('+14155552345'), text: 'Welcome back' })).resolves.toMatchObject({
      status: 'queued',
    });
  });
});
