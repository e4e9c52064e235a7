import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { actionContext, directChannels, startSlackFake, testAccount, type SlackFake } from '../../testkit/index.js';
import { slackConnector } from '../index.js';

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

const action = slackConnector.actions.find((a) => a.id === 'postMessage')!;
const run = (input: Record<string, unknown>) => {
  const channels = directChannels(slackConnector, [
    testAccount({
      id: 'cha_sl',
      credentials: { botToken: BOT, signingSecret: 'secret' },
      settings: { apiBaseUrl: `${sl.url}/api` },
    }),
  ]);
  return action.run(actionContext({ channels }), input);
};

describe('slack.postMessage', () => {
  it('is listed as slack.postMessage on the slack channel with its rate limit and handshake', () => {
    expect(slackConnector.manifest.actions.map((a) => a.id)).toEqual(['slack.postMessage']);
    expect(slackConnector.manifest.triggers.map((t) => t.id)).toEqual(['slack.message']);
    expect(slackConnector.manifest.channel).toEqual({
      name: 'slack',
      addressKinds: ['slack_channel', 'slack'],
      settings: expect.any(Object),
      inbound: 'webhook',
      handshake: true,
      rateLimit: { limit: 5, intervalMs: 1000 },
    });
  });

  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'cha_sl', channel: 'C0G9QF9GZ', text: 'hi' })).toBe(true);
    expect(
      validate({
        account: 'cha_sl',
        channel: 'T0FAKE0001:U061F7AUR',
        blocks: [{ type: 'divider' }],
        threadTs: '1525215129.000001',
      }),
    ).toBe(true);
    expect(validate({ account: 'cha_sl', channel: 'C0G9QF9GZ' })).toBe(false);
    expect(validate({ account: 'cha_sl', channel: '#general', text: 'hi' })).toBe(false);
    expect(validate({ account: 'cha_sl', channel: 'C1', text: 'hi', threadTs: 'yesterday' })).toBe(false);
    expect(validate({ account: 'cha_sl', channel: 'C1', blocks: [{ text: 'no type' }] })).toBe(false);
    expect(validate({ channel: 'C1', text: 'hi' })).toBe(false);
  });

  it('posts through the platform in a thread and returns the sent message', async () => {
    const out = await run({ account: 'cha_sl', channel: 'C0G9QF9GZ', text: 'On it!', threadTs: '1525215129.000001' });
    const posted = sl.posted.at(-1)!;
    expect(sl.requests.map((r) => r.body)).toEqual([
      { channel: 'C0G9QF9GZ', text: 'On it!', thread_ts: '1525215129.000001' },
    ]);
    expect(out).toEqual({
      id: 'msg_1',
      conversationId: 'cnv_test',
      contactId: null,
      channel: 'slack',
      accountId: 'cha_sl',
      providerMessageId: `C0G9QF9GZ:${posted.ts}`,
      status: 'sent',
      to: { kind: 'slack_channel', value: 'C0G9QF9GZ' },
      provider: { channel: 'C0G9QF9GZ', ts: posted.ts },
    });
    expect(createAjv().compile(action.output)(out)).toBe(true);
    expect(sl.violations).toEqual([]);
  });

  it('a <team>:<user> channel is a direct message to that user, with blocks', async () => {
    const blocks = [{ type: 'section', text: { type: 'plain_text', text: 'Hi' } }];
    const out = await run({ account: 'cha_sl', channel: 'T0FAKE0001:U061F7AUR', blocks });
    expect(sl.requests.at(-1)!.body).toEqual({ channel: 'U061F7AUR', blocks });
    expect(out).toMatchObject({ to: { kind: 'slack', value: 'T0FAKE0001:U061F7AUR' } });
    expect(sl.violations).toEqual([]);
  });
});
