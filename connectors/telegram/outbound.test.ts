import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type OutboundMessage } from '../sdk/index.js';
import {
  memoryLogger,
  startFakeServer,
  startTelegramFake,
  testAccount,
  type FakeReply,
  type FakeServer,
  type TelegramFake,
} from '../testkit/index.js';
import { telegramConnector } from './index.js';

const TOKEN = '7000000001:AAH-fake-token_for_tests';
const channel = telegramConnector.channel!;
let tg: TelegramFake;
beforeAll(async () => {
  tg = await startTelegramFake({ token: TOKEN });
});
afterAll(() => tg.close());
beforeEach(() => {
  tg.violations.length = 0;
  tg.requests.length = 0;
});

const account = (apiBaseUrl: string, token = TOKEN) =>
  testAccount({ id: 'cha_tg', credentials: { botToken: token, webhookSecret: 'whsec' }, settings: { apiBaseUrl } });
const sendCtx = (apiBaseUrl = tg.url, token = TOKEN, signal = AbortSignal.timeout(10_000)) => ({
  account: account(apiBaseUrl, token),
  idempotencyKey: 'run_1:send',
  signal,
  logger: memoryLogger(),
});
const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};

describe('telegram send against the fake', () => {
  it('sends sendMessage with the numeric chat id and text; providerMessageId is <chat id>:<message id>', async () => {
    const result = await channel.send(sendCtx(), { to: { kind: 'telegram', value: '555000111' }, text: 'Hi Jane' });
    const sent = tg.sent.at(-1)!;
    expect(tg.requests).toHaveLength(1);
    expect(tg.requests[0]).toMatchObject({
      method: 'POST',
      path: `/bot${TOKEN}/sendMessage`,
      headers: { 'content-type': 'application/json' },
    });
    expect(tg.requests[0]!.body).toEqual({ chat_id: 555000111, text: 'Hi Jane' });
    expect(result).toEqual({
      providerMessageId: `555000111:${sent.message_id}`,
      status: 'sent',
      provider: { chatId: 555000111, messageId: sent.message_id, date: sent.date },
    });
    expect(tg.violations).toEqual([]);
  });

  it('replies: thread.inReplyTo as a providerMessageId or a bare id becomes reply_parameters', async () => {
    await channel.send(sendCtx(), {
      to: { kind: 'telegram', value: '-1001234567890' },
      text: 'answer',
      thread: { id: '-1001234567890', inReplyTo: '-1001234567890:899' },
    });
    expect(tg.requests.at(-1)!.body).toEqual({
      chat_id: -1001234567890,
      text: 'answer',
      reply_parameters: { message_id: 899, allow_sending_without_reply: true },
    });
    await channel.send(sendCtx(), { to: { kind: 'telegram', value: '42' }, text: 'quote', thread: { inReplyTo: '7' } });
    expect(tg.requests.at(-1)!.body).toEqual({
      chat_id: 42,
      text: 'quote',
      reply_parameters: { message_id: 7, allow_sending_without_reply: true },
    });
    await channel.send(sendCtx(), {
      to: { kind: 'telegram', value: '42' },
      text: 'cross',
      thread: { inReplyTo: '-100:5' },
    });
    expect(tg.requests.at(-1)!.body).toEqual({
      chat_id: 42,
      text: 'cross',
      reply_parameters: { message_id: 5, chat_id: -100, allow_sending_without_reply: true },
    });
    expect(tg.violations).toEqual([]);
  });

  it('keeps a forum topic when answering in its chat, passes allowed payload options and @usernames', async () => {
    await channel.send(sendCtx(), {
      to: { kind: 'telegram', value: '-100200' },
      text: '<b>hi</b>',
      thread: { id: '-100200', extra: { messageThreadId: 17 } },
      payload: { parse_mode: 'HTML', disable_notification: true },
    });
    expect(tg.requests.at(-1)!.body).toEqual({
      chat_id: -100200,
      text: '<b>hi</b>',
      message_thread_id: 17,
      parse_mode: 'HTML',
      disable_notification: true,
    });
    const result = await channel.send(sendCtx(), { to: { kind: 'telegram', value: '@confluo_news' }, text: 'news' });
    expect(tg.requests.at(-1)!.body).toEqual({ chat_id: '@confluo_news', text: 'news' });
    expect(result.providerMessageId).toMatch(/^-1000000000001:\d+$/);
    expect(tg.violations).toEqual([]);
  });

  it.each<[string, OutboundMessage, string]>([
    ['another identity kind', { to: { kind: 'phone', value: '+4915112345678' }, text: 'x' }, 'INPUT_INVALID'],
    [
      'a chat id that is neither a number nor @username',
      { to: { kind: 'telegram', value: 'jane' }, text: 'x' },
      'INPUT_INVALID',
    ],
    ['no text', { to: { kind: 'telegram', value: '1' } }, 'INPUT_INVALID'],
    [
      'attachments',
      { to: { kind: 'telegram', value: '1' }, text: 'x', attachments: [{ type: 'image', ref: 'f' }] },
      'ATTACHMENTS_UNSUPPORTED',
    ],
    [
      'a malformed inReplyTo',
      { to: { kind: 'telegram', value: '1' }, text: 'x', thread: { inReplyTo: 'abc' } },
      'INPUT_INVALID',
    ],
    [
      'an unknown payload option',
      { to: { kind: 'telegram', value: '1' }, text: 'x', payload: { chat_id: 2 } },
      'INPUT_INVALID',
    ],
  ])('%s is a validation error and nothing is sent', async (_, message, code) => {
    const err = await failure(channel.send(sendCtx(), message));
    expect(err).toMatchObject({ kind: 'validation', retryable: false, code });
    expect(tg.requests).toEqual([]);
  });

  it('a wrong token is a non-retryable auth error and the token is not in the message', async () => {
    const err = await failure(
      channel.send(sendCtx(tg.url, '7000000001:bad-token'), { to: { kind: 'telegram', value: '1' }, text: 'x' }),
    );
    expect(err).toMatchObject({
      kind: 'auth',
      retryable: false,
      code: 'HTTP_401',
      message: 'Telegram sendMessage failed with 401: Unauthorized',
    });
  });
});

describe('telegram send: where it may go', () => {
  it('an account whose apiBaseUrl is not api.telegram.org nor allowed by the operator sends nothing, anywhere', async () => {
    // Stored before the rule, or written to the row directly: the worker refuses it too (the token never leaves).
    for (const apiBaseUrl of ['http://169.254.169.254/latest', 'https://evil.example', 'http://10.0.0.1:8080']) {
      const err = await failure(channel.send(sendCtx(apiBaseUrl), { to: { kind: 'telegram', value: '1' }, text: 'x' }));
      expect(err, apiBaseUrl).toMatchObject({ kind: 'config', retryable: false, code: 'BASE_URL_NOT_ALLOWED' });
      expect(err.message).not.toContain(TOKEN);
    }
  });
});

describe('telegram send: provider errors', () => {
  let script: (path: string) => FakeReply;
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer((req) => script(req.path));
  });
  afterAll(() => server.close());
  const send = () => channel.send(sendCtx(server.url), { to: { kind: 'telegram', value: '1' }, text: 'x' });
  const tgError = (status: number, description: string, parameters?: Record<string, unknown>): FakeReply => ({
    status,
    body: { ok: false, error_code: status, description, ...(parameters && { parameters }) },
  });

  it('429 with parameters.retry_after is rate_limited, retryable, with retryAfterMs', async () => {
    script = () => tgError(429, 'Too Many Requests: retry after 7', { retry_after: 7 });
    const err = await failure(send());
    expect(err).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 7000,
      code: 'HTTP_429',
      message: 'Telegram sendMessage failed with 429: Too Many Requests: retry after 7',
    });
  });

  it.each([
    [403, 'Forbidden: bot was blocked by the user', 'auth'],
    [400, 'Bad Request: chat not found', 'validation'],
    [400, 'Bad Request: message is too long', 'validation'],
  ])('%i %s is %s and not retryable', async (status, description, kind) => {
    script = () => tgError(status, description);
    const err = await failure(send());
    expect(err).toMatchObject({
      kind,
      retryable: false,
      code: `HTTP_${status}`,
      details: { status, body: description },
    });
  });

  it('5xx (with or without a JSON envelope) is a retryable upstream error', async () => {
    script = () => tgError(502, 'Bad Gateway');
    expect(await failure(send())).toMatchObject({ kind: 'upstream', retryable: true, code: 'HTTP_502' });
    script = () => ({
      status: 503,
      body: '<html>down</html>',
      headers: { 'content-type': 'text/html', 'retry-after': '3' },
    });
    expect(await failure(send())).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'HTTP_503',
      retryAfterMs: 3000,
    });
  });

  it('a 200 without ok:true is a retryable bad response; a refused connection is a retryable network error', async () => {
    script = () => ({ status: 200, body: { ok: true } });
    expect(await failure(send())).toMatchObject({ kind: 'upstream', retryable: true, code: 'BAD_RESPONSE' });
    const closed = await startFakeServer(() => ({ status: 200 }));
    await closed.close();
    const err = await failure(channel.send(sendCtx(closed.url), { to: { kind: 'telegram', value: '1' }, text: 'x' }));
    expect(err).toMatchObject({ kind: 'upstream', retryable: true, code: 'ECONNREFUSED' });
    expect(err.message).not.toContain(TOKEN);
  });

  it('a cancelled step aborts the call', async () => {
    script = () => tgError(500, 'never seen');
    const ac = new AbortController();
    ac.abort();
    const err = await failure(
      channel.send(sendCtx(server.url, TOKEN, ac.signal), { to: { kind: 'telegram', value: '1' }, text: 'x' }),
    );
    expect(err).toMatchObject({ kind: 'upstream', code: 'ABORTED' });
  });
});
