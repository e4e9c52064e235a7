import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../../test/sink.js';
import { verifyTwilio } from '../sdk/index.js';
import { loadSpec, startTwilioFake, type TwilioFake } from './index.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-auth-token-for-tests';
const MG = 'MG0123456789abcdef0123456789abcdef';
let tw: TwilioFake;
let sink: Sink;
beforeAll(async () => {
  [tw, sink] = await Promise.all([startTwilioFake({ accountSid: SID, authToken: TOKEN }), startSink()]);
});
afterAll(() => Promise.all([tw.close(), sink.close()]));
beforeEach(() => {
  tw.violations.length = 0;
});

const basic = (user = SID, pass = TOKEN): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** A create as a connector sends it: form-encoded, HTTP Basic. */
async function createMessage(
  form: Record<string, string> | URLSearchParams,
  auth = basic(),
  account = SID,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${tw.url}/2010-04-01/Accounts/${account}/Messages.json`, {
    method: 'POST',
    headers: { authorization: auth },
    body: new URLSearchParams(form),
  });
  return { status: res.status, json: await res.json() };
}

describe('Twilio fake: Messages create', () => {
  it('answers 201 with the documented message resource (the same fields as the spec example)', async () => {
    const { status, json } = await createMessage({
      To: '+14155552345',
      From: '+14155550000',
      Body: 'Hello! 👍',
      StatusCallback: 'https://example.com/status',
    });
    expect(status).toBe(201);
    const spec = loadSpec<any>('twilio/twilio_api_v2010.json');
    const example =
      spec.paths['/2010-04-01/Accounts/{AccountSid}/Messages.json'].post.responses['201'].content['application/json']
        .examples.create.value;
    expect(Object.keys(json).sort()).toEqual(Object.keys(example).sort());
    expect(json).toMatchObject({
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      account_sid: SID,
      status: 'queued',
      direction: 'outbound-api',
      to: '+14155552345',
      from: '+14155550000',
      body: 'Hello! 👍',
      num_media: '0',
      num_segments: '1',
      api_version: '2010-04-01',
      date_created: expect.stringMatching(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/),
    });
    expect(tw.created.at(-1)).toMatchObject({ To: '+14155552345', Body: 'Hello! 👍' });
    const fetched = await fetch(`${tw.url}${json.uri}`, { headers: { authorization: basic() } });
    expect(await fetched.json()).toEqual(json);
    expect(tw.violations).toEqual([]);
  });

  it('accepts MessagingServiceSid instead of From, and MediaUrl (repeated) instead of Body', async () => {
    const form = new URLSearchParams({
      To: 'whatsapp:+14155552345',
      MessagingServiceSid: MG,
      ValidityPeriod: '600',
      SmartEncoded: 'true',
    });
    form.append('MediaUrl', 'https://example.com/a.png');
    form.append('MediaUrl', 'https://example.com/b.png');
    const { status, json } = await createMessage(form);
    expect(status).toBe(201);
    expect(json).toMatchObject({ messaging_service_sid: MG, from: null, num_media: '2', status: 'accepted' });
    expect(tw.violations).toEqual([]);
  });
});

describe('Twilio fake: requests that break the spec are rejected and recorded', () => {
  it.each([
    ['missing To', { From: '+1555', Body: 'x' }, 21604, "must have required property 'To'"],
    [
      'none of Body, MediaUrl, ContentSid',
      { To: '+1555', From: '+1666' },
      21602,
      'one of Body, MediaUrl, ContentSid is required',
    ],
    [
      'neither From nor MessagingServiceSid',
      { To: '+1555', Body: 'x' },
      21603,
      'one of From, MessagingServiceSid is required',
    ],
    [
      'an unknown parameter',
      { To: '+1555', From: '+1666', Body: 'x', Colour: 'red' },
      20001,
      'unknown parameter Colour',
    ],
    [
      'a snake_case name (the JSON name, not the form name)',
      { to: '+1555', To: '+1555', From: '+1666', Body: 'x' },
      20001,
      'unknown parameter to',
    ],
    [
      'an integer that is not one',
      { To: '+1555', From: '+1666', Body: 'x', ValidityPeriod: 'soon' },
      20001,
      'ValidityPeriod must be integer',
    ],
    [
      'a boolean that is not one',
      { To: '+1555', From: '+1666', Body: 'x', SmartEncoded: 'yes' },
      20001,
      'SmartEncoded must be boolean',
    ],
    [
      'a value outside the enum',
      { To: '+1555', From: '+1666', Body: 'x', ContentRetention: 'keep' },
      20001,
      'ContentRetention must be equal to one of the allowed values',
    ],
    [
      'a sid of the wrong pattern',
      { To: '+1555', MessagingServiceSid: 'MG123', Body: 'x' },
      20001,
      'MessagingServiceSid must',
    ],
    [
      'a StatusCallback that is not a URI',
      { To: '+1555', From: '+1666', Body: 'x', StatusCallback: 'not a url' },
      20001,
      'StatusCallback must match format "uri"',
    ],
  ])('%s', async (_, form, code, problem) => {
    const { status, json } = await createMessage(form);
    expect(status).toBe(400);
    expect(json).toEqual({
      code,
      message: expect.stringContaining(problem),
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status: 400,
    });
    expect(tw.violations).toEqual([
      { method: 'POST', path: `/2010-04-01/Accounts/${SID}/Messages.json`, message: expect.stringContaining(problem) },
    ]);
  });

  it('reports every problem, not the first', async () => {
    const { json } = await createMessage({ Colour: 'red', ValidityPeriod: 'x' });
    expect(json.message.split('; ')).toHaveLength(5);
  });

  it.each([
    ['a wrong auth token', basic(SID, 'nope')],
    ['another account', basic('AC' + 'f'.repeat(32), TOKEN)],
    ['no credentials', ''],
  ])("%s is 401 with Twilio's error shape", async (_, auth) => {
    const { status, json } = await createMessage({ To: '+1555', From: '+1666', Body: 'x' }, auth);
    expect(status).toBe(401);
    expect(json).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
    expect(tw.violations).toHaveLength(1);
  });

  it('a JSON body is rejected (the operation takes a form)', async () => {
    const res = await fetch(`${tw.url}/2010-04-01/Accounts/${SID}/Messages.json`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/json' },
      body: JSON.stringify({ To: '+1555', From: '+1666', Body: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(tw.violations.map((v) => v.message)).toEqual([expect.stringContaining('not a form')]);
  });

  it('an AccountSid path parameter that breaks its pattern is rejected', async () => {
    const { status, json } = await createMessage({ To: '+1555', From: '+1666', Body: 'x' }, basic(), 'ACnope');
    expect(status).toBe(400);
    expect(json.message).toContain('path parameter AccountSid');
    expect(tw.violations).toHaveLength(1);
  });

  it('an undocumented path is 404 and recorded', async () => {
    const res = await fetch(`${tw.url}/2010-04-01/Accounts/${SID}/Messages/SMnope.json`, {
      headers: { authorization: basic() },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).code).toBe(20404);
    expect(tw.violations).toHaveLength(1);
  });
});

describe('Twilio fake: signed webhooks', () => {
  const formOf = (body: string): URLSearchParams => new URLSearchParams(body);

  it('delivers an incoming SMS signed over the exact URL; a tampered body or wrong token fails verification', async () => {
    const url = `${sink.url}/hooks/channels/sms1?account=1`;
    const sent = await tw.sendInboundSms({ url, from: '+14155550100', to: '+14155552345', body: 'Hi there & welcome' });
    expect(sent.status).toBe(200);
    const got = sink.on('/hooks/channels/sms1').at(-1)!;
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = formOf(got.body);
    expect(Object.fromEntries(form)).toMatchObject({
      MessageSid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      AccountSid: SID,
      From: '+14155550100',
      To: '+14155552345',
      Body: 'Hi there & welcome',
      NumMedia: '0',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    });
    expect(form.get('SmsSid')).toBe(form.get('MessageSid'));
    const header = got.headers['x-twilio-signature'];
    expect(header).toBe(sent.signature);
    expect(verifyTwilio(TOKEN, url, form, header)).toBe(true);

    const tampered = formOf(got.body.replace('welcome', 'welcomE'));
    expect(verifyTwilio(TOKEN, url, tampered, header)).toBe(false);
    expect(verifyTwilio('another-token', url, form, header)).toBe(false);
    expect(verifyTwilio(TOKEN, `${sink.url}/hooks/channels/sms1?account=2`, form, header)).toBe(false);
  });

  it('delivers status callbacks for a sent message, signed, with ErrorCode only when given', async () => {
    const { json: msg } = await createMessage({ To: '+14155552345', From: '+14155550000', Body: 'x' });
    const url = `${sink.url}/hooks/channels/sms1/status`;
    await tw.sendStatusCallback({ url, messageSid: msg.sid, status: 'delivered' });
    await tw.sendStatusCallback({ url, messageSid: msg.sid, status: 'undelivered', errorCode: '30003' });
    const [delivered, failed] = sink
      .on('/hooks/channels/sms1/status')
      .slice(-2)
      .map((r) => ({ r, form: formOf(r.body) }));
    expect(Object.fromEntries(delivered!.form)).toEqual({
      SmsSid: msg.sid,
      SmsStatus: 'delivered',
      MessageStatus: 'delivered',
      To: '+14155552345',
      MessageSid: msg.sid,
      AccountSid: SID,
      From: '+14155550000',
      ApiVersion: '2010-04-01',
    });
    expect(failed!.form.get('ErrorCode')).toBe('30003');
    for (const { r, form } of [delivered!, failed!])
      expect(verifyTwilio(TOKEN, url, form, r.headers['x-twilio-signature'])).toBe(true);
    expect(tw.messages.find((m) => m.sid === msg.sid)?.status).toBe('undelivered');
  });
});
