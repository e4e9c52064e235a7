import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { actionContext, directChannels, testAccount } from '../../testkit/channel.js';
import { startInstagramFake, type PageFake } from '../../testkit/fakes/meta.js';
import { instagramConnector } from '../index.js';
import { sendAction } from './send.js';

const IG_ID = '17841400000000000';
const TOKEN = 'IGQVJtesttoken789';

let fake: PageFake;
let channels: ReturnType<typeof directChannels>;
beforeAll(async () => {
  fake = await startInstagramFake({ accessToken: TOKEN, appSecret: 'TEST_APP_SECRET', igAccountId: IG_ID });
  channels = directChannels(instagramConnector, [
    testAccount({
      id: 'cha_ig',
      credentials: { accessToken: TOKEN, appSecret: 'TEST_APP_SECRET', verifyToken: 'v' },
      settings: { igAccountId: IG_ID, apiBaseUrl: fake.url },
    }),
  ]);
});
afterAll(() => fake.close());

describe('instagram.send', () => {
  it('validates its input: a recipient is an igsid or <igAccountId>:<igsid>', () => {
    const validate = createAjv().compile(sendAction.input);
    expect(validate({ account: 'cha_ig', recipient: `${IG_ID}:6543210987654321`, text: 'hi' })).toBe(true);
    expect(validate({ account: 'cha_ig', recipient: '@someone', text: 'hi' })).toBe(false);
  });

  it('sends through the channel and returns the sent message', async () => {
    const out = await sendAction.run(actionContext({ channels }), {
      account: 'cha_ig',
      recipient: '6543210987654321',
      text: 'Thanks for the mention!',
    });
    expect(fake.sent.map((s) => s.body)).toEqual([
      {
        recipient: { id: '6543210987654321' },
        messaging_type: 'RESPONSE',
        message: { text: 'Thanks for the mention!' },
      },
    ]);
    expect(out).toMatchObject({
      channel: 'instagram',
      accountId: 'cha_ig',
      providerMessageId: fake.sent[0]!.messageId,
      status: 'sent',
      to: { kind: 'instagram', value: '6543210987654321' },
    });
    expect(createAjv().compile(sendAction.output)(out)).toBe(true);
    expect(fake.violations).toEqual([]);
  });
});
