import { describe, expect, it } from 'vitest';
import { messagingChannelSuite } from '../meta/messaging-suite.js';
import { startInstagramFake } from '../testkit/fakes/meta.js';
import { instagramConnector } from './index.js';

const IG_ID = '17841400000000000';
const TOKEN = 'IGQVJtesttoken789';
const SECRET = 'TEST_APP_SECRET';

describe('Instagram connector', () => {
  it('declares the instagram channel', () => {
    expect(instagramConnector.manifest).toMatchObject({
      id: 'instagram',
      actions: [{ id: 'instagram.send' }],
      triggers: [{ id: 'instagram.message' }],
      channel: { name: 'instagram', addressKinds: ['instagram'], inbound: 'webhook', handshake: true },
    });
  });

  messagingChannelSuite({
    connector: instagramConnector,
    kind: 'instagram',
    object: 'instagram',
    accountId: IG_ID,
    token: TOKEN,
    appSecret: SECRET,
    startFake: () => startInstagramFake({ accessToken: TOKEN, appSecret: SECRET, igAccountId: IG_ID }),
    credentials: (token, over = {}) => ({
      accessToken: token,
      appSecret: over.appSecret ?? SECRET,
      ...(over.verifyToken !== null && { verifyToken: over.verifyToken ?? 'meatyhamhock' }),
    }),
    settings: (apiBaseUrl, igAccountId = IG_ID) => ({ igAccountId, apiBaseUrl }),
  });
});
