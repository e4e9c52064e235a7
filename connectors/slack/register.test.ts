import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger, startSlackFake, testAccount, type SlackFake } from '../testkit/index.js';
import { slackConnector } from './index.js';

const BOT = 'xoxb-1234-5678-fake-bot-token';
let sl: SlackFake;
beforeAll(async () => {
  sl = await startSlackFake({ botToken: BOT, signingSecret: 'secret' });
});
afterAll(() => sl.close());
beforeEach(() => {
  sl.violations.length = 0;
  sl.requests.length = 0;
});

const channel = slackConnector.channel!;
const registerCtx = (settings: Record<string, string> = {}, botToken = BOT) => ({
  account: testAccount({
    id: 'cha_sl',
    credentials: { botToken, signingSecret: 'secret' },
    settings: { apiBaseUrl: `${sl.url}/api`, ...settings },
  }),
  signal: AbortSignal.timeout(10_000),
  logger: memoryLogger(),
});

describe('slack register', () => {
  it('checks the token with auth.test and records the workspace and bot user in settings', async () => {
    const ctx = registerCtx();
    expect(await channel.register!(ctx)).toEqual({ settings: { teamId: sl.teamId, botUserId: sl.botUserId } });
    expect(sl.requests).toHaveLength(1);
    expect(sl.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/auth.test',
      headers: { authorization: `Bearer ${BOT}` },
      body: {},
    });
    expect(sl.violations).toEqual([]);
    expect(JSON.stringify(ctx.logger.lines)).not.toContain(BOT);
  });

  it('accepts a matching teamId and refuses a token of another workspace', async () => {
    expect(await channel.register!(registerCtx({ teamId: sl.teamId }))).toEqual({
      settings: { teamId: sl.teamId, botUserId: sl.botUserId },
    });
    await expect(channel.register!(registerCtx({ teamId: 'T0OTHER001' }))).rejects.toMatchObject({
      kind: 'config',
      code: 'TEAM_MISMATCH',
      retryable: false,
    });
  });

  it('a wrong token fails with a non-retryable auth error', async () => {
    await expect(channel.register!(registerCtx({}, 'xoxb-wrong'))).rejects.toMatchObject({
      kind: 'auth',
      retryable: false,
      code: 'SLACK_INVALID_AUTH',
    });
  });

  it('has nothing to unregister: the Request URL lives in the Slack app configuration', () => {
    expect(channel.unregister).toBeUndefined();
  });
});
