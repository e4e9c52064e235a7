import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../../test/sink.js';
import { newTelegramSecret, verifyTelegram } from '../sdk/index.js';
import {
  loadSpec,
  startTelegramFake,
  telegramParamProblems,
  textMessageUpdate,
  tooManyRequests,
  type TelegramApiMethod,
  type TelegramFake,
} from './index.js';

const TOKEN = '7000000001:AAH-fake-token_for_tests';
let tg: TelegramFake;
let sink: Sink;
beforeAll(async () => {
  [tg, sink] = await Promise.all([startTelegramFake({ token: TOKEN }), startSink()]);
});
afterAll(() => Promise.all([tg.close(), sink.close()]));
beforeEach(() => {
  tg.violations.length = 0;
});

/** A call as a connector makes it: JSON body by default. */
async function call(
  method: string,
  params?: Record<string, unknown>,
  token = TOKEN,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${tg.url}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params ?? {}),
  });
  return { status: res.status, json: await res.json() };
}

describe('Telegram fake: valid calls', () => {
  it('getMe answers the bot User', async () => {
    const { status, json } = await call('getMe');
    expect(status).toBe(200);
    expect(json).toMatchObject({ ok: true, result: { id: 7000000001, is_bot: true, first_name: expect.any(String) } });
    expect(tg.violations).toEqual([]);
  });

  it('sendMessage (JSON) answers a Message with message_id, date, chat and text', async () => {
    const { status, json } = await call('sendMessage', {
      chat_id: 123456789,
      text: 'hi',
      parse_mode: 'HTML',
      disable_notification: true,
      reply_parameters: { message_id: 1 },
    });
    expect(status).toBe(200);
    expect(json.ok).toBe(true);
    expect(json.result).toMatchObject({
      message_id: expect.any(Number),
      date: expect.any(Number),
      chat: { id: 123456789, type: 'private' },
      text: 'hi',
    });
    expect(tg.sent.at(-1)).toEqual(json.result);
    expect(tg.violations).toEqual([]);
  });

  it('accepts parameters as a form, as a query string, and method names in any case', async () => {
    const form = await fetch(`${tg.url}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      body: new URLSearchParams({ chat_id: '@news', text: 'x', disable_notification: 'true' }),
    });
    expect(form.status).toBe(200);
    expect(((await form.json()) as any).result.chat).toMatchObject({ type: 'channel', username: 'news' });
    const query = await fetch(`${tg.url}/bot${TOKEN}/SENDMESSAGE?chat_id=-42&text=y`);
    expect(query.status).toBe(200);
    expect(((await query.json()) as any).result.chat).toEqual({ id: -42, type: 'group' });
    expect(tg.violations).toEqual([]);
  });
});

describe('Telegram fake: failures on demand', () => {
  it('failNextSend answers the next valid sendMessage once, after the spec checks; requests carry receivedAt', async () => {
    const before = Date.now();
    tg.failNextSend(tooManyRequests(2));
    expect((await call('sendMessage', { chat_id: 1 })).status).toBe(400); // invalid: checked first, failure kept
    tg.violations.length = 0;
    const sentBefore = tg.sent.length;
    const limited = await call('sendMessage', { chat_id: 1, text: 'x' });
    expect(limited).toEqual({
      status: 429,
      json: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 2',
        parameters: { retry_after: 2 },
      },
    });
    expect(tg.sent.length).toBe(sentBefore);
    expect((await call('sendMessage', { chat_id: 1, text: 'y' })).status).toBe(200);
    expect(tg.sent.length).toBe(sentBefore + 1);
    const last = tg.requests.at(-1)!;
    expect(last.receivedAt).toBeGreaterThanOrEqual(before);
    expect(last.receivedAt).toBeLessThanOrEqual(Date.now());
    expect(tg.violations).toEqual([]);
  });
});

describe('Telegram fake: calls that break the spec are rejected and recorded', () => {
  it.each([
    ['a missing required parameter', { chat_id: 1 }, 'parameter "text" is required'],
    ['an unknown parameter', { chat_id: 1, text: 'x', colour: 'red' }, 'unknown parameter "colour"'],
    ['chat_id of the wrong type', { chat_id: true, text: 'x' }, 'parameter "chat_id" must be Integer or String'],
    [
      'an Integer given as a float',
      { chat_id: 1, text: 'x', message_thread_id: 1.5 },
      'parameter "message_thread_id" must be Integer',
    ],
    [
      'a Boolean given as a string in JSON',
      { chat_id: 1, text: 'x', disable_notification: 'yes' },
      'parameter "disable_notification" must be Boolean',
    ],
    [
      'an object given as a string',
      { chat_id: 1, text: 'x', reply_parameters: 'x' },
      'parameter "reply_parameters" must be ReplyParameters',
    ],
    [
      'an array given as an object',
      { chat_id: 1, text: 'x', entities: {} },
      'parameter "entities" must be Array of MessageEntity',
    ],
  ])('%s', async (_, params, problem) => {
    const { status, json } = await call('sendMessage', params);
    expect(status).toBe(400);
    expect(json).toEqual({ ok: false, error_code: 400, description: expect.stringContaining(problem) });
    expect(tg.violations).toEqual([
      { method: 'POST', path: `/bot${TOKEN}/sendMessage`, message: expect.stringContaining(problem) },
    ]);
  });

  it('a wrong form value type is rejected too', async () => {
    const res = await fetch(`${tg.url}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      body: new URLSearchParams({ chat_id: 'abc', text: 'x', message_thread_id: 'one' }),
    });
    expect(res.status).toBe(400);
    expect(tg.violations.map((v) => v.message)).toEqual([
      expect.stringContaining('"message_thread_id" must be Integer'),
    ]);
  });

  it('an unknown token is 401 Unauthorized', async () => {
    const { status, json } = await call('getMe', {}, '1:wrong');
    expect(status).toBe(401);
    expect(json).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    expect(tg.violations).toHaveLength(1);
  });

  it('an unknown method is 404 and recorded; a broken JSON body is 400 and recorded', async () => {
    expect((await call('sendTelepathy', { chat_id: 1 })).status).toBe(404);
    const res = await fetch(`${tg.url}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(res.status).toBe(400);
    expect(tg.violations).toHaveLength(2);
  });

  it('setWebhook rejects a secret_token outside A-Z a-z 0-9 _ -', async () => {
    const { status } = await call('setWebhook', { url: 'https://example.com/hook', secret_token: 'no spaces!' });
    expect(status).toBe(400);
    expect(tg.violations).toHaveLength(1);
  });

  it('checks against the spec table itself: every documented sendMessage parameter name is known', () => {
    const method = loadSpec<{ methods: Record<string, TelegramApiMethod> }>('telegram/api.json').methods.sendMessage!;
    expect(method.fields!.length).toBeGreaterThan(10);
    const all = Object.fromEntries(method.fields!.map((f) => [f.name, f.name === 'chat_id' ? '1' : 'x']));
    expect(telegramParamProblems(method, all, true).filter((p) => p.startsWith('unknown'))).toEqual([]);
  });
});

describe('Telegram fake: webhooks', () => {
  it('remembers setWebhook, reports it in getWebhookInfo, and delivers updates with the secret header', async () => {
    const secret = newTelegramSecret();
    const url = `${sink.url}/hooks/channels/tg1`;
    expect(
      (await call('setWebhook', { url, secret_token: secret, allowed_updates: ['message'], max_connections: 10 })).json,
    ).toEqual({ ok: true, result: true });
    expect((await call('getWebhookInfo')).json.result).toEqual({
      url,
      has_custom_certificate: false,
      pending_update_count: 0,
      max_connections: 10,
      allowed_updates: ['message'],
    });

    const update = textMessageUpdate({ from: { id: 555, is_bot: false, first_name: 'Jane' }, text: 'hello' });
    expect((await tg.sendUpdate(update)).status).toBe(200);
    const got = sink.on('/hooks/channels/tg1').at(-1)!;
    expect(JSON.parse(got.body)).toEqual(update);
    expect(update.message).toMatchObject({
      message_id: expect.any(Number),
      date: expect.any(Number),
      chat: { id: 555, type: 'private' },
      from: { id: 555 },
      text: 'hello',
    });
    expect(verifyTelegram(secret, got.headers['x-telegram-bot-api-secret-token'])).toBe(true);
    expect(verifyTelegram(newTelegramSecret(), got.headers['x-telegram-bot-api-secret-token'])).toBe(false);
    expect(tg.violations).toEqual([]);
  });

  it('deleteWebhook clears it: getWebhookInfo has an empty url and sendUpdate refuses', async () => {
    expect((await call('deleteWebhook', { drop_pending_updates: true })).json).toEqual({ ok: true, result: true });
    expect((await call('getWebhookInfo')).json.result.url).toBe('');
    await expect(
      tg.sendUpdate(textMessageUpdate({ from: { id: 1, is_bot: false, first_name: 'A' }, text: 'x' })),
    ).rejects.toThrow(/no webhook/);
  });

  it('update ids increase sequentially', () => {
    const from = { id: 1, is_bot: false, first_name: 'A' };
    const a = textMessageUpdate({ from, text: 'a' });
    const b = textMessageUpdate({ from, text: 'b' });
    expect(b.update_id).toBe(a.update_id + 1);
  });
});
