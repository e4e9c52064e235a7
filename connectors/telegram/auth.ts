// Telegram credentials: the bot token from @BotFather, plus the webhook secret that `register` generates and the
// platform merges in (declared here so the stored credentials still match the schema).
import type { JsonObject } from '../flow/types.js';
import { ConnectorError } from '../sdk/errors.js';
import type { JsonSchema } from '../sdk/types.js';

/** `<bot id>:<secret>`, as @BotFather issues it. */
const BOT_TOKEN = '^[0-9]+:[A-Za-z0-9_-]+$';

export const telegramAuth: JsonSchema = {
  type: 'object',
  properties: {
    botToken: {
      type: 'string',
      pattern: BOT_TOKEN,
      title: 'Bot token',
      description: 'The token @BotFather gave the bot, e.g. 123456789:AAH...',
      writeOnly: true,
      'x-ui': { widget: 'password' },
    },
    webhookSecret: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{1,256}$',
      title: 'Webhook secret',
      description: 'Set by Confluo when it registers the webhook; leave empty.',
      writeOnly: true,
      'x-ui': { widget: 'hidden' },
    },
  },
  required: ['botToken'],
  additionalProperties: false,
};

/** The bot token, or a config error naming what is missing (never the value). */
export function botToken(credentials: JsonObject): string {
  const token = credentials.botToken;
  if (typeof token !== 'string' || !new RegExp(BOT_TOKEN).test(token)) {
    throw new ConnectorError('config', 'the Telegram account has no valid botToken credential', {
      code: 'CREDENTIALS_INVALID',
      retryable: false,
    });
  }
  return token;
}
