// Telegram account settings (not secret): where the Bot API lives.
import type { JsonObject } from '../flow/types.js';
import { RATE_LIMIT_SETTING } from '../sdk/channel-schemas.js';
import { ConnectorError } from '../sdk/errors.js';
import type { JsonSchema } from '../sdk/types.js';

export const TELEGRAM_API_BASE = 'https://api.telegram.org';

export const telegramSettingsSchema: JsonSchema = {
  type: 'object',
  properties: {
    apiBaseUrl: {
      type: 'string',
      format: 'uri',
      default: TELEGRAM_API_BASE,
      title: 'Bot API base URL',
      description: 'A self-hosted Bot API server or a test fake; calls go to <base>/bot<token>/<method>.',
    },
    rateLimit: {
      ...RATE_LIMIT_SETTING,
      description: "Sends per interval on this bot; default 30 per 1000 ms (Telegram's bulk limit).",
    },
  },
};

export interface TelegramSettings {
  apiBaseUrl: string;
}

export function telegramSettings(settings: JsonObject): TelegramSettings {
  const raw = settings.apiBaseUrl ?? TELEGRAM_API_BASE;
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConnectorError('config', 'the Telegram account setting apiBaseUrl must be an http(s) URL', {
      code: 'SETTINGS_INVALID',
      retryable: false,
    });
  }
  return { apiBaseUrl: (raw as string).replace(/\/+$/, '') };
}
