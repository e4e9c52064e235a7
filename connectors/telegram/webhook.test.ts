import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, isValidTelegramSecret } from '../sdk/index.js';
import { memoryLogger, startTelegramFake, testAccount, type TelegramFake } from '../testkit/index.js';
import { telegramConnector } from './index.js';

const TOKEN = '7000000001:AAH-fake-token_for_tests';
let tg: TelegramFake;
beforeAll(async () => {
  tg = await startTelegramFake({ token: TOKEN });
});
afterAll(() => tg.close());
beforeEach(() => {
  tg.violations.length = 0;
  tg.requests.length = 0;
});

const channel = telegramConnector.channel!;
const account = (token = TOKEN) =>
  testAccount({
    id: 'cha_tg',
    credentials: { botToken: token },
    settings: { apiBaseUrl: tg.url },
    inboundUrl: 'https://confluo.example/hooks/channels/cha_tg',
  });
const registerCtx = (a = account()) => ({ account: a, signal: AbortSignal.timeout(10_000), logger: memoryLogger() });

describe('telegram register / unregister', () => {
  it('register calls setWebhook with the inbound URL, a fresh secret and message updates, and returns the secret', async () => {
    const ctx = registerCtx();
    const result = await channel.register!(ctx);
    const secret = (result as { credentials: { webhookSecret: string } }).credentials.webhookSecret;
    expect(result).toEqual({ credentials: { webhookSecret: expect.any(String) } });
    expect(isValidTelegramSecret(secret)).toBe(true);
    expect(secret).toHaveLength(64);
    expect(tg.requests.map((r) => [r.method, r.path])).toEqual([['POST', `/bot${TOKEN}/setWebhook`]]);
    expect(tg.requests[0]!.body).toEqual({
      url: 'https://confluo.example/hooks/channels/cha_tg',
      secret_token: secret,
      allowed_updates: ['message'],
    });
    expect(tg.webhook).toEqual({
      url: 'https://confluo.example/hooks/channels/cha_tg',
      secretToken: secret,
      maxConnections: undefined,
      allowedUpdates: ['message'],
    });
    expect(tg.violations).toEqual([]);
    expect(JSON.stringify(ctx.logger.lines)).not.toContain(secret);
    expect(JSON.stringify(ctx.logger.lines)).not.toContain(TOKEN);
  });

  it('each registration generates a new secret', async () => {
    const a = (await channel.register!(registerCtx())) as { credentials: { webhookSecret: string } };
    const b = (await channel.register!(registerCtx())) as { credentials: { webhookSecret: string } };
    expect(a.credentials.webhookSecret).not.toBe(b.credentials.webhookSecret);
    expect(tg.webhook?.secretToken).toBe(b.credentials.webhookSecret);
  });

  it('unregister calls deleteWebhook and the webhook is gone', async () => {
    await channel.register!(registerCtx());
    expect(tg.webhook).toBeDefined();
    await channel.unregister!(registerCtx());
    expect(tg.requests.at(-1)).toMatchObject({ method: 'POST', path: `/bot${TOKEN}/deleteWebhook`, body: {} });
    expect(tg.webhook).toBeUndefined();
    expect(tg.violations).toEqual([]);
  });

  it('a wrong token fails registration as a non-retryable auth error that does not quote the token', async () => {
    const err = (await channel.register!(registerCtx(account('7000000001:wrong'))).catch(
      (e: unknown) => e,
    )) as ConnectorError;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'auth', retryable: false, code: 'HTTP_401' });
    expect(err.message).toBe('Telegram setWebhook failed with 401: Unauthorized');
    expect(err.message).not.toContain('wrong');
  });

  it('an account without a bot token is a config error before any call', async () => {
    const a = testAccount({ credentials: {}, settings: { apiBaseUrl: tg.url } });
    await expect(channel.register!(registerCtx(a))).rejects.toMatchObject({
      kind: 'config',
      code: 'CREDENTIALS_INVALID',
    });
    expect(tg.requests).toEqual([]);
  });
});
