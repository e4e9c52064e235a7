import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type OutboundMessage } from '../sdk/index.js';
import {
  memoryLogger,
  startFakeServer,
  startSlackFake,
  testAccount,
  type FakeReply,
  type FakeServer,
  type SlackFake,
} from '../testkit/index.js';
import { slackConnector } from './index.js';

const BOT = 'xoxb-1234-5678-fake-bot-token';
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const channel = slackConnector.channel!;
let sl: SlackFake;
beforeAll(async () => {
  sl = await startSlackFake({ botToken: BOT, signingSecret: SECRET });
});
afterAll(() => sl.close());
beforeEach(() => {
  sl.violations.length = 0;
  sl.requests.length = 0;
});

const sendCtx = (
  apiBaseUrl = `${sl.url}/api`,
  botToken = BOT,
  settings: Record<string, string> = { teamId: 'T0FAKE0001' },
) => ({
  account: testAccount({
    id: 'cha_sl',
    credentials: { botToken, signingSecret: SECRET },
    settings: { apiBaseUrl, ...settings },
  }),
  idempotencyKey: 'run_1:post',
  signal: AbortSignal.timeout(10_000),
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

describe('slack send against the fake', () => {
  it('posts text to a channel with Bearer auth and JSON; providerMessageId is <channel>:<ts>', async () => {
    const result = await channel.send(sendCtx(), {
      to: { kind: 'slack_channel', value: 'C0G9QF9GZ' },
      text: 'Hello from Confluo',
    });
    const posted = sl.posted.at(-1)!;
    expect(sl.requests).toHaveLength(1);
    expect(sl.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/chat.postMessage',
      headers: { authorization: `Bearer ${BOT}`, 'content-type': 'application/json; charset=utf-8' },
    });
    expect(sl.requests[0]!.body).toEqual({ channel: 'C0G9QF9GZ', text: 'Hello from Confluo' });
    expect(result).toEqual({
      providerMessageId: `C0G9QF9GZ:${posted.ts}`,
      status: 'sent',
      provider: { channel: 'C0G9QF9GZ', ts: posted.ts },
    });
    expect(sl.violations).toEqual([]);
  });

  it('replies in a thread with blocks; a slack user identity posts to the user id', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Order shipped*' } }];
    await channel.send(sendCtx(), {
      to: { kind: 'slack', value: 'T0FAKE0001:U061F7AUR' },
      text: 'Order shipped',
      thread: { id: '1525215129.000001', extra: { channel: 'D0PNCRP9N' } },
      payload: { blocks, unfurl_links: false },
    });
    expect(sl.requests.at(-1)!.body).toEqual({
      channel: 'U061F7AUR',
      text: 'Order shipped',
      blocks,
      unfurl_links: false,
      thread_ts: '1525215129.000001',
    });
    const blocksOnly = await channel.send(sendCtx(), {
      to: { kind: 'slack_channel', value: 'C1' },
      payload: { blocks },
    });
    expect(sl.requests.at(-1)!.body).toEqual({ channel: 'C1', blocks });
    expect(blocksOnly.providerMessageId).toBe(`C1:${sl.posted.at(-1)!.ts}`);
    expect(sl.violations).toEqual([]);
  });

  it.each<[string, OutboundMessage, string]>([
    ['another identity kind', { to: { kind: 'email', value: 'a@b.c' }, text: 'x' }, 'INPUT_INVALID'],
    ['a user identity without a team', { to: { kind: 'slack', value: 'U061F7AUR' }, text: 'x' }, 'INPUT_INVALID'],
    ['a user of another workspace', { to: { kind: 'slack', value: 'T0OTHER001:U1' }, text: 'x' }, 'INPUT_INVALID'],
    [
      'a channel name instead of an id',
      { to: { kind: 'slack_channel', value: '#general' }, text: 'x' },
      'INPUT_INVALID',
    ],
    ['neither text nor blocks', { to: { kind: 'slack_channel', value: 'C1' } }, 'INPUT_INVALID'],
    [
      'blocks that are not an array',
      { to: { kind: 'slack_channel', value: 'C1' }, payload: { blocks: { type: 'section' } } },
      'INPUT_INVALID',
    ],
    [
      'an unknown payload option',
      { to: { kind: 'slack_channel', value: 'C1' }, text: 'x', payload: { channel: 'C2' } },
      'INPUT_INVALID',
    ],
    [
      'a thread id that is not a ts',
      { to: { kind: 'slack_channel', value: 'C1' }, text: 'x', thread: { id: 'C1' } },
      'INPUT_INVALID',
    ],
    [
      'attachments',
      { to: { kind: 'slack_channel', value: 'C1' }, text: 'x', attachments: [{ type: 'file', ref: 'F1' }] },
      'ATTACHMENTS_UNSUPPORTED',
    ],
  ])('%s is a validation error and nothing is sent', async (_, message, code) => {
    expect(await failure(channel.send(sendCtx(), message))).toMatchObject({
      kind: 'validation',
      retryable: false,
      code,
    });
    expect(sl.requests).toEqual([]);
  });

  it('a wrong token is a non-retryable auth error (invalid_auth)', async () => {
    const err = await failure(
      channel.send(sendCtx(`${sl.url}/api`, 'xoxb-wrong'), { to: { kind: 'slack_channel', value: 'C1' }, text: 'x' }),
    );
    expect(err).toMatchObject({
      kind: 'auth',
      retryable: false,
      code: 'SLACK_INVALID_AUTH',
      message: 'Slack chat.postMessage failed: invalid_auth',
      details: { error: 'invalid_auth' },
    });
  });
});

describe('slack send: provider errors', () => {
  let script: () => FakeReply;
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer(() => script());
  });
  afterAll(() => server.close());
  const send = () => channel.send(sendCtx(server.url), { to: { kind: 'slack_channel', value: 'C1' }, text: 'x' });
  const slackError = (error: string, headers?: Record<string, string>): FakeReply => ({
    status: 200,
    body: { ok: false, error },
    ...(headers && { headers }),
  });

  it('HTTP 429 with Retry-After is rate_limited with retryAfterMs', async () => {
    script = () => ({ status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '30' } });
    expect(await failure(send())).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 30_000,
      code: 'HTTP_429',
    });
  });

  it('ok:false ratelimited is rate_limited too, with the Retry-After when given', async () => {
    script = () => slackError('ratelimited', { 'retry-after': '2' });
    expect(await failure(send())).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 2000,
      code: 'SLACK_RATELIMITED',
    });
  });

  it.each([
    ['not_authed', 'auth', false],
    ['invalid_auth', 'auth', false],
    ['token_revoked', 'auth', false],
    ['channel_not_found', 'not_found', false],
    ['not_in_channel', 'validation', false],
    ['msg_too_long', 'validation', false],
    ['is_archived', 'validation', false],
    ['internal_error', 'upstream', true],
  ])('%s is %s (retryable %s)', async (error, kind, retryable) => {
    script = () => slackError(error);
    expect(await failure(send())).toMatchObject({
      kind,
      retryable,
      code: `SLACK_${error.toUpperCase()}`,
      details: { error },
    });
  });

  it("invalid_arguments keeps Slack's explanation", async () => {
    script = () => ({
      status: 200,
      body: {
        ok: false,
        error: 'invalid_blocks',
        response_metadata: { messages: ['[ERROR] missing required field: text [json-pointer:/blocks/0/text]'] },
      },
    });
    expect(await failure(send())).toMatchObject({
      kind: 'validation',
      details: {
        error: 'invalid_blocks',
        messages: ['[ERROR] missing required field: text [json-pointer:/blocks/0/text]'],
      },
    });
  });

  it('HTTP 5xx is retryable upstream; a 200 that is not a Web API answer is a bad response', async () => {
    script = () => ({ status: 503, body: 'unavailable', headers: { 'content-type': 'text/plain' } });
    expect(await failure(send())).toMatchObject({ kind: 'upstream', retryable: true, code: 'HTTP_503' });
    script = () => ({ status: 200, body: '<html></html>', headers: { 'content-type': 'text/html' } });
    expect(await failure(send())).toMatchObject({ kind: 'upstream', retryable: true, code: 'BAD_RESPONSE' });
  });

  it('a 4xx other than 429 is not retryable', async () => {
    script = () => ({ status: 404, body: 'no such route' });
    expect(await failure(send())).toMatchObject({ kind: 'not_found', retryable: false, code: 'HTTP_404' });
  });
});
