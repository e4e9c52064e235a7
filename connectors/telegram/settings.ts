// Telegram account settings (not secret): where the Bot API lives.
import { ConnectorError, Type, accountReader, rateLimitSetting, type ChannelAccount } from '../sdk/index.js';

export const TELEGRAM_API_BASE = 'https://api.telegram.org';

export const telegramSettings = Type.Object({
  apiBaseUrl: Type.Optional(
    Type.String({
      format: 'uri',
      default: TELEGRAM_API_BASE,
      title: 'Bot API base URL',
      description: 'A self-hosted Bot API server or a test fake; calls go to <base>/bot<token>/<method>.',
    }),
  ),
  rateLimit: Type.Optional(
    rateLimitSetting("Sends per interval on this bot; default 30 per 1000 ms (Telegram's bulk limit)."),
  ),
});
/** As read: `apiBaseUrl` with the default applied and without a trailing slash. */
export interface TelegramSettings {
  apiBaseUrl: string;
}

const readSettings = accountReader(telegramSettings, 'Telegram').settings;

/** The account's settings, checked against the schema, with an http(s) `apiBaseUrl` (trailing slashes trimmed). */
export function readTelegramSettings(account: ChannelAccount): TelegramSettings {
  const { apiBaseUrl = TELEGRAM_API_BASE } = readSettings(account);
  if (!/^https?:\/\//i.test(apiBaseUrl))
    throw new ConnectorError('config', 'the Telegram account setting apiBaseUrl must be an http(s) URL', {
      code: 'SETTINGS_INVALID',
      retryable: false,
    });
  return { apiBaseUrl: apiBaseUrl.replace(/\/+$/, '') };
}
