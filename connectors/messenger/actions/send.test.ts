import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { actionContext, directChannels, testAccount } from '../../testkit/channel.js';
import { startMessengerFake, type PageFake } from '../../testkit/fakes/meta.js';
import { messengerConnector } from '../index.js';
import { sendAction } from './send.js';

const PAGE_ID = '1234567890';
const TOKEN = 'EAApagetoken456';

let fake: PageFake;
let channels: ReturnType<typeof directChannels>;
beforeAll(async () => {
  fake = await startMessengerFake({ pageAccessToken: TOKEN, appSecret: 'TEST_APP_SECRET', pageId: PAGE_ID });
  channels = directChannels(messengerConnector, [
    testAccount({
      id: 'cha_fb',
      credentials: { pageAccessToken: TOKEN, appSecret: 'TEST_APP_SECRET', verifyToken: 'v' },
      settings: { pageId: PAGE_ID, apiBaseUrl: fake.url },
    }),
  ]);
});
afterAll(() => fake.close());

describe('messenger.send', () => {
  it('validates its input: a recipient is a psid or <pageId>:<psid>', () => {
    const validate = createAjv().compile(sendAction.input);
    expect(validate({ account: 'cha_fb', recipient: `${PAGE_ID}:5275811702471834`, text: 'hi' })).toBe(true);
    expect(validate({ account: 'cha_fb', recipient: '5275811702471834', text: 'hi' })).toBe(true);
    expect(validate({ account: 'cha_fb', recipient: 'someone@example.com', text: 'hi' })).toBe(false);
    expect(validate({ account: 'cha_fb', recipient: '5275811702471834' })).toBe(false);
  });

  it('sends through the channel and returns the sent message', async () => {
    const out = await sendAction.run(actionContext({ channels }), {
      account: 'cha_fb',
      recipient: `${PAGE_ID}:5275811702471834`,
      text: 'We are open until 6',
    });
    expect(fake.sent.map((s) => s.body)).toEqual([
      { recipient: { id: '5275811702471834' }, messaging_type: 'RESPONSE', message: { text: 'We are open until 6' } },
    ]);
    expect(out).toEqual({
      id: expect.any(String),
      conversationId: 'cnv_test',
      contactId: null,
      channel: 'messenger',
      accountId: 'cha_fb',
      providerMessageId: fake.sent[0]!.messageId,
      status: 'sent',
      to: { kind: 'messenger', value: `${PAGE_ID}:5275811702471834` },
      provider: { recipientId: '5275811702471834' },
    });
    expect(createAjv().compile(sendAction.output)(out)).toBe(true);
    expect(fake.violations).toEqual([]);
  });
});
