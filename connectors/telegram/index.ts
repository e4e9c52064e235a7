// The Telegram channel: a bot account receives messages by webhook and sends with the Bot API.
import { defineConnector } from '../sdk/index.js';
import { sendMessageAction } from './actions/send-message.js';
import { telegramAuth } from './auth.js';
import { telegramInbound } from './inbound.js';
import { sendTelegram } from './outbound.js';
import { telegramSettings } from './settings.js';
import { registerTelegram, unregisterTelegram } from './webhook.js';

export const telegramConnector = defineConnector({
  id: 'telegram',
  name: 'Telegram',
  version: '1.0.0',
  description: 'Talk to customers through a Telegram bot.',
  auth: telegramAuth,
  actions: [sendMessageAction],
  channel: {
    name: 'telegram',
    addressKinds: ['telegram'],
    settings: telegramSettings,
    inbound: telegramInbound,
    send: sendTelegram,
    register: registerTelegram,
    unregister: unregisterTelegram,
    // Telegram's FAQ: no more than about 30 messages per second per bot (1 per second per chat, 20 per minute per group).
    rateLimit: { limit: 30, intervalMs: 1_000 },
  },
});
export default telegramConnector;
