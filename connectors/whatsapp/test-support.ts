// Shared by the WhatsApp action tests: the fake Cloud API and an account pointed at it, reset before each test.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { directChannels, testAccount } from '../testkit/channel.js';
import { startWhatsAppFake, type WhatsAppFake } from '../testkit/fakes/meta.js';
import { whatsappConnector } from './index.js';

export const TOKEN = 'EAAtestaccesstoken123';
export const PHONE_ID = '106540352242922';
export const ACCOUNT_ID = 'cha_wa';

/** Starts the fake for the calling test file; read `fake` and `channels` inside tests. */
export function useWhatsAppFake(): { fake: WhatsAppFake; channels: ReturnType<typeof directChannels> } {
  const state = {} as { fake: WhatsAppFake; channels: ReturnType<typeof directChannels> };
  beforeAll(async () => {
    state.fake = await startWhatsAppFake({ accessToken: TOKEN, phoneNumberId: PHONE_ID, appSecret: 'TEST_APP_SECRET' });
    state.channels = directChannels(whatsappConnector, [
      testAccount({
        id: ACCOUNT_ID,
        credentials: { accessToken: TOKEN, appSecret: 'TEST_APP_SECRET', verifyToken: 'v' },
        settings: { phoneNumberId: PHONE_ID, apiBaseUrl: state.fake.url },
      }),
    ]);
  });
  afterAll(() => state.fake.close());
  beforeEach(() => {
    state.fake.violations.length = 0;
    state.fake.sent.length = 0;
  });
  return state;
}
