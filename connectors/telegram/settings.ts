// Telegram account settings (not secret): where the Bot API lives.
import { Type, accountReader, defineProvider, rateLimitSetting, type ChannelAccount } from '../sdk/index.js';

export const TELEGRAM_API_BASE = 'https://api.telegram.org';

/** The Bot API: calls go to api.telegram.org unless the operator allows another host (a self-hosted Bot API server). */
export const telegramApi = defineProvider({
  name: 'Telegram Bot API',
  hosts: ['api.telegram.org'],
  defaultBaseUrl: TELEGRAM_API_BASE,
});

export const telegramSettings = Type.Object({
  apiBaseUrl: Type.Optional(
    telegramApi.baseUrlField({
      title: 'Bot API base URL',
      description:
        'A self-hosted Bot API server or a test fake (its host must be in CONFLUO_HTTP_ALLOWLIST); calls go to <base>/bot<token>/<method>.',
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

/** The account's settings, checked against the schema, with an allowed `apiBaseUrl` (trailing slashes trimmed). */
export function readTelegramSettings(account: ChannelAccount): TelegramSettings {
  return { apiBaseUrl: telegramApi.baseUrl(readSettings(account).apiBaseUrl) };
}
