import { describe, expect, it } from 'vitest';
import { messagingChannelSuite } from '../meta/messaging-suite.js';
import { startMessengerFake } from '../testkit/fakes/meta.js';
import { messengerConnector } from './index.js';

const PAGE_ID = '1234567890';
const TOKEN = 'EAApagetoken456';
const SECRET = 'TEST_APP_SECRET';

describe('Messenger connector', () => {
  it('declares the messenger channel', () => {
    expect(messengerConnector.manifest).toMatchObject({
      id: 'messenger',
      actions: [{ id: 'messenger.send' }],
      triggers: [{ id: 'messenger.message' }],
      channel: { name: 'messenger', addressKinds: ['messenger'], inbound: 'webhook', handshake: true },
    });
  });

  messagingChannelSuite({
    connector: messengerConnector,
    kind: 'messenger',
    object: 'page',
    accountId: PAGE_ID,
    token: TOKEN,
    appSecret: SECRET,
    startFake: () => startMessengerFake({ pageAccessToken: TOKEN, appSecret: SECRET, pageId: PAGE_ID }),
    credentials: (token, over = {}) => ({
      pageAccessToken: token,
      appSecret: over.appSecret ?? SECRET,
      ...(over.verifyToken !== null && { verifyToken: over.verifyToken ?? 'meatyhamhock' }),
    }),
    settings: (apiBaseUrl, pageId = PAGE_ID) => ({ pageId, apiBaseUrl }),
  });
});
