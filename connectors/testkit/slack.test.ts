import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../../test/sink.js';
import { createAjv, signSlack, verifySlack } from '../sdk/index.js';
import { loadSpec, slackMethod, startSlackFake, type SlackFake } from './index.js';

const BOT = 'xoxb-1234-5678-fake-bot-token';
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
let sl: SlackFake;
let sink: Sink;
beforeAll(async () => {
  [sl, sink] = await Promise.all([startSlackFake({ botToken: BOT, signingSecret: SECRET }), startSink()]);
});
afterAll(() => Promise.all([sl.close(), sink.close()]));
beforeEach(() => {
  sl.violations.length = 0;
});

/** A Web API call as a connector sends it: JSON with Bearer, or a form. */
async function call(
  method: string,
  body: Record<string, unknown> | URLSearchParams,
  auth: string | null = `Bearer ${BOT}`,
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = auth === null ? {} : { authorization: auth };
  let payload: string | URLSearchParams;
  if (body instanceof URLSearchParams) payload = body;
  else {
    headers['content-type'] = 'application/json; charset=utf-8';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${sl.url}/api/${method}`, { method: 'POST', headers, body: payload });
  return { status: res.status, json: await res.json() };
}

const web = loadSpec<any>('slack/slack_web_openapi_v2.json');
const postSchemas = web.paths['/chat.postMessage'].post.responses;

describe('Slack fake: chat.postMessage', () => {
  it('a JSON post with Bearer answers the documented success shape', async () => {
    const { status, json } = await call('chat.postMessage', {
      channel: 'C1H9RESGL',
      text: 'Hello <@U123>',
      unfurl_links: false,
    });
    expect(status).toBe(200);
    for (const k of postSchemas['200'].schema.required) expect(json).toHaveProperty(k);
    for (const k of web.definitions.objs_message.required) expect(json.message).toHaveProperty(k);
    expect(json).toMatchObject({
      ok: true,
      channel: 'C1H9RESGL',
      ts: expect.stringMatching(new RegExp(web.definitions.defs_ts.pattern)),
    });
    expect(json.message).toMatchObject({
      type: 'message',
      text: 'Hello <@U123>',
      ts: json.ts,
      bot_id: expect.stringMatching(new RegExp(web.definitions.defs_bot_id.pattern)),
    });
    expect(sl.posted.at(-1)).toEqual({
      channel: 'C1H9RESGL',
      ts: json.ts,
      params: { channel: 'C1H9RESGL', text: 'Hello <@U123>', unfurl_links: false },
    });
    expect(sl.violations).toEqual([]);
  });

  it('a form post with the token parameter, blocks as a JSON string and a thread reply', async () => {
    const form = new URLSearchParams({
      token: BOT,
      channel: 'C1H9RESGL',
      blocks: JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }]),
      thread_ts: '1503435956.000247',
      reply_broadcast: 'true',
      username: 'ecto1',
    });
    const { json } = await call('chat.postMessage', form, null);
    expect(json).toMatchObject({ ok: true, channel: 'C1H9RESGL' });
    expect(json.message).toMatchObject({
      thread_ts: '1503435956.000247',
      username: 'ecto1',
      subtype: 'bot_message',
      blocks: [{ type: 'section' }],
    });
    expect(sl.posted.at(-1)!.params).not.toHaveProperty('token');
    expect(sl.violations).toEqual([]);
  });

  it('attachments alone are content; each ts is unique', async () => {
    const a = await call('chat.postMessage', {
      channel: 'C1H9RESGL',
      attachments: [{ fallback: 'f', text: 'This is an attachment' }],
    });
    const b = await call('chat.postMessage', { channel: 'C1H9RESGL', text: 'x' });
    expect(a.json.message.attachments).toEqual([{ id: 1, fallback: 'f', text: 'This is an attachment' }]);
    expect(a.json.ts).not.toBe(b.json.ts);
    expect(sl.violations).toEqual([]);
  });

  it('auth.test answers ok, url, team, user, team_id, user_id, bot_id', async () => {
    const { json } = await call('auth.test', {});
    for (const k of web.paths['/auth.test'].get.responses['200'].schema.required) expect(json).toHaveProperty(k);
    expect(json).toEqual({
      ok: true,
      url: expect.stringMatching(/^https:\/\/.*\.slack\.com\/$/),
      team: expect.any(String),
      user: expect.any(String),
      team_id: sl.teamId,
      user_id: sl.botUserId,
      bot_id: sl.botId,
    });
    expect(sl.violations).toEqual([]);
  });
});

describe('Slack fake: requests that break the spec are ok:false (HTTP 200) and recorded', () => {
  const errorEnum: string[] = postSchemas.default.schema.properties.error.enum;
  it.each([
    ['missing channel', { text: 'x' }, 'channel_not_found', 'missing required parameter channel'],
    ['no text, blocks or attachments', { channel: 'C1' }, 'no_text', 'one of text, blocks, attachments is required'],
    [
      'an unknown parameter',
      { channel: 'C1', text: 'x', colour: 'red' },
      'invalid_arguments',
      'unknown parameter colour',
    ],
    [
      'a boolean that is not one',
      { channel: 'C1', text: 'x', mrkdwn: 'yes' },
      'invalid_arguments',
      'parameter mrkdwn must be boolean',
    ],
    ['a string that is not one', { channel: 'C1', text: 42 }, 'invalid_arguments', 'parameter text must be string'],
    [
      'blocks that are not a JSON array',
      { channel: 'C1', blocks: '{nope' },
      'invalid_arguments',
      'parameter blocks must be a JSON array',
    ],
  ])('%s', async (_, body, error, problem) => {
    const { status, json } = await call('chat.postMessage', body);
    expect(status).toBe(200);
    expect(json).toEqual({ ok: false, error });
    if (error !== 'invalid_arguments') expect(errorEnum).toContain(error);
    expect(sl.violations).toEqual([
      { method: 'POST', path: '/api/chat.postMessage', message: expect.stringContaining(problem) },
    ]);
  });

  it.each([
    ['no token', null, 'not_authed'],
    ['a wrong Bearer token', 'Bearer xoxb-nope', 'invalid_auth'],
    ['a non-Bearer scheme', `Basic ${BOT}`, 'not_authed'],
  ])('%s', async (_, auth, error) => {
    const { status, json } = await call('chat.postMessage', { channel: 'C1', text: 'x' }, auth);
    expect(status).toBe(200);
    expect(json).toEqual({ ok: false, error });
    expect(errorEnum).toContain(error);
    expect(sl.violations).toHaveLength(1);
  });

  it('a form token that is wrong is invalid_auth; auth.test without a token is not_authed', async () => {
    expect(
      (await call('chat.postMessage', new URLSearchParams({ token: 'xoxb-nope', channel: 'C1', text: 'x' }), null)).json
        .error,
    ).toBe('invalid_auth');
    expect((await call('auth.test', {}, null)).json).toEqual({ ok: false, error: 'not_authed' });
    expect(sl.violations).toHaveLength(2);
  });

  it('a repeated form parameter, unparsable JSON and an unsimulated method are rejected and recorded', async () => {
    const before = sl.posted.length;
    const form = new URLSearchParams({ channel: 'C1', text: 'x' });
    form.append('text', 'y');
    expect((await call('chat.postMessage', form)).json).toEqual({ ok: false, error: 'invalid_arguments' });
    const bad = await fetch(`${sl.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT}`, 'content-type': 'application/json' },
      body: '{',
    });
    expect(await bad.json()).toEqual({ ok: false, error: 'invalid_json' });
    expect((await call('chat.update', { channel: 'C1', ts: '1.2', text: 'x' })).json).toEqual({
      ok: false,
      error: 'unknown_method',
    });
    expect(sl.violations.map((v) => v.message)).toEqual([
      expect.stringContaining('parameter text is repeated'),
      expect.stringContaining('invalid JSON'),
      expect.stringContaining('no simulated method'),
    ]);
    expect(sl.posted).toHaveLength(before);
  });

  it('a token inside a JSON body is not auth (Slack ignores it there): not_authed, recorded', async () => {
    expect((await call('chat.postMessage', { token: BOT, channel: 'C1', text: 'x' }, null)).json).toEqual({
      ok: false,
      error: 'not_authed',
    });
    expect(sl.violations).toHaveLength(1);
  });

  it('the checker reads its parameter list from the spec', () => {
    const names = slackMethod('chat.postMessage')
      .params.map((p) => p.name)
      .sort();
    expect(names).toEqual([
      'as_user',
      'attachments',
      'blocks',
      'channel',
      'icon_emoji',
      'icon_url',
      'link_names',
      'mrkdwn',
      'parse',
      'reply_broadcast',
      'text',
      'thread_ts',
      'unfurl_links',
      'unfurl_media',
      'username',
    ]);
  });
});

describe('Slack fake: signed Events API deliveries', () => {
  const header = (h: string | string[] | undefined): string | undefined => (Array.isArray(h) ? h[0] : h);

  it('url_verification reaches the receiver signed; the test sees the receiver echo the challenge', async () => {
    sink.script('/hooks/slack', (req) => {
      const b = JSON.parse(req.body) as { type: string; challenge?: string };
      return b.type === 'url_verification'
        ? { status: 200, headers: { 'content-type': 'text/plain' }, body: b.challenge }
        : { status: 200, body: '' };
    });
    const d = await sl.sendUrlVerification(`${sink.url}/hooks/slack`);
    expect(d.status).toBe(200);
    expect(d.body).toBe(d.challenge);
    const got = sink.on('/hooks/slack').at(-1)!;
    expect(JSON.parse(got.body)).toEqual({
      token: expect.any(String),
      challenge: d.challenge,
      type: 'url_verification',
    });
    expect(
      verifySlack(SECRET, got.body, got.headers['x-slack-request-timestamp'], got.headers['x-slack-signature']),
    ).toEqual({ ok: true });
  });

  it('a message event_callback matches the wrapper schema and verifies; a tampered body or another secret does not', async () => {
    const d = await sl.sendMessageEvent(`${sink.url}/hooks/slack`, {
      user: 'U061F7AUR',
      channel: 'C0G9QF9GZ',
      text: 'How many cats did we herd yesterday?',
    });
    expect(d.status).toBe(200);
    const got = sink.on('/hooks/slack').at(-1)!;
    expect(got.body).toBe(d.rawBody);
    expect(got.headers['content-type']).toBe('application/json');
    const body = JSON.parse(got.body);
    const { $schema: _, ...wrapper } = loadSpec<Record<string, unknown>>(
      'slack/slack_common_event_wrapper_schema.json',
    );
    const validate = createAjv().compile(wrapper);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(body).toMatchObject({
      token: expect.any(String),
      team_id: sl.teamId,
      api_app_id: sl.appId,
      type: 'event_callback',
      event_id: expect.stringMatching(/^Ev/),
      event_time: expect.any(Number),
      event: {
        type: 'message',
        user: 'U061F7AUR',
        channel: 'C0G9QF9GZ',
        text: 'How many cats did we herd yesterday?',
        channel_type: 'channel',
        ts: expect.stringMatching(/^\d{10}\.\d{6}$/),
      },
    });
    expect(body.event.event_ts).toBe(body.event.ts);
    const ts = header(got.headers['x-slack-request-timestamp']);
    const sig = header(got.headers['x-slack-signature']);
    expect(sig).toBe(signSlack(SECRET, got.body, ts!));
    expect(verifySlack(SECRET, got.body, ts, sig)).toEqual({ ok: true });
    expect(verifySlack(SECRET, got.body.replace('cats', 'dogs'), ts, sig)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifySlack('another-secret', got.body, ts, sig)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('a thread reply carries thread_ts and the given ts; a DM is channel_type im', async () => {
    const d = await sl.sendMessageEvent(`${sink.url}/hooks/slack`, {
      user: 'U1',
      channel: 'D0PNCRP9N',
      text: 'r',
      ts: '1525215129.000002',
      thread_ts: '1525215129.000001',
    });
    expect(d.payload.event).toMatchObject({
      ts: '1525215129.000002',
      event_ts: '1525215129.000002',
      thread_ts: '1525215129.000001',
      channel_type: 'im',
    });
    expect(d.payload.event_time).toBe(1525215129);
  });

  it('a stale timestamp (replay) is signed correctly but rejected as stale', async () => {
    const d = await sl.sendMessageEvent(
      `${sink.url}/hooks/slack`,
      { user: 'U1', channel: 'C1', text: 'old' },
      { ageSeconds: 301 },
    );
    const got = sink.on('/hooks/slack').at(-1)!;
    expect(got.headers['x-slack-signature']).toBe(signSlack(SECRET, got.body, d.timestamp));
    expect(
      verifySlack(SECRET, got.body, got.headers['x-slack-request-timestamp'], got.headers['x-slack-signature']),
    ).toEqual({ ok: false, reason: 'stale' });
  });

  it('a retry re-sends the same body and event_id with X-Slack-Retry-Num / -Reason, freshly signed', async () => {
    const first = await sl.sendMessageEvent(`${sink.url}/hooks/slack`, { user: 'U1', channel: 'C1', text: 'once' });
    const again = await sl.retry(`${sink.url}/hooks/slack`, first, { num: 2, reason: 'http_error' });
    const [a, b] = sink.on('/hooks/slack').slice(-2);
    expect(JSON.parse(b!.body).event_id).toBe(JSON.parse(a!.body).event_id);
    expect(b!.body).toBe(a!.body);
    expect(again.payload.event_id).toBe(first.payload.event_id);
    expect(a!.headers['x-slack-retry-num']).toBeUndefined();
    expect(b!.headers).toMatchObject({ 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' });
    expect(
      verifySlack(SECRET, b!.body, b!.headers['x-slack-request-timestamp'], b!.headers['x-slack-signature']),
    ).toEqual({ ok: true });
  });
});
