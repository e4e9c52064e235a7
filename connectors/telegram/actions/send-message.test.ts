import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import {
  actionContext,
  directChannels,
  startTelegramFake,
  testAccount,
  type TelegramFake,
} from '../../testkit/index.js';
import { telegramConnector } from '../index.js';

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

const action = telegramConnector.actions.find((a) => a.id === 'sendMessage')!;
const run = (input: Record<string, unknown>) => {
  const channels = directChannels(telegramConnector, [
    testAccount({ id: 'cha_tg', credentials: { botToken: TOKEN }, settings: { apiBaseUrl: tg.url } }),
  ]);
  return action.run(actionContext({ channels }), input);
};

describe('telegram.sendMessage', () => {
  it('is listed as telegram.sendMessage on the telegram channel with its rate limit', () => {
    expect(telegramConnector.manifest.actions.map((a) => a.id)).toEqual(['telegram.sendMessage']);
    expect(telegramConnector.manifest.triggers.map((t) => t.id)).toEqual(['telegram.message']);
    expect(telegramConnector.manifest.channel).toEqual({
      name: 'telegram',
      addressKinds: ['telegram'],
      settings: expect.any(Object),
      inbound: 'webhook',
      handshake: false,
      rateLimit: { limit: 30, intervalMs: 1000 },
    });
  });

  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'cha_tg', chatId: 555, text: 'hi' })).toBe(true);
    expect(
      validate({ account: 'cha_tg', chatId: '-1001234567890', text: 'hi', replyToMessageId: '-1001234567890:5' }),
    ).toBe(true);
    expect(validate({ account: 'cha_tg', chatId: '@news_channel', text: 'hi', replyToMessageId: 5 })).toBe(true);
    expect(validate({ account: 'cha_tg', chatId: 'jane', text: 'hi' })).toBe(false);
    expect(validate({ account: 'cha_tg', chatId: 1, text: '' })).toBe(false);
    expect(validate({ account: 'cha_tg', chatId: 1, text: 'x'.repeat(4097) })).toBe(false);
    expect(validate({ chatId: 1, text: 'hi' })).toBe(false);
    expect(validate({ account: 'cha_tg', chatId: 1, text: 'hi', extra: 1 })).toBe(false);
  });

  it('sends through the platform and returns the sent message', async () => {
    const out = await run({ account: 'cha_tg', chatId: 555000111, text: 'Your order shipped', replyToMessageId: 41 });
    const sent = tg.sent.at(-1)!;
    expect(tg.requests.map((r) => r.body)).toEqual([
      {
        chat_id: 555000111,
        text: 'Your order shipped',
        reply_parameters: { message_id: 41, allow_sending_without_reply: true },
      },
    ]);
    expect(out).toEqual({
      id: 'msg_1',
      conversationId: 'cnv_test',
      contactId: null,
      channel: 'telegram',
      accountId: 'cha_tg',
      providerMessageId: `555000111:${sent.message_id}`,
      status: 'sent',
      to: { kind: 'telegram', value: '555000111' },
      provider: { chatId: 555000111, messageId: sent.message_id, date: sent.date },
    });
    expect(createAjv().compile(action.output)(out)).toBe(true);
    expect(tg.violations).toEqual([]);
  });
});
