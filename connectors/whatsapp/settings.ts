// The (non-secret) settings of a WhatsApp account: which business phone number sends and receives, and where the
// Graph API is. The default rate limit is Cloud API's default throughput of 80 messages per second per number.
import { API_BASE_URL_FIELD, graphIdField, RATE_LIMIT_FIELD, settingsReader } from '../meta/account.js';
import type { RateLimit } from '../sdk/channel.js';
import type { JsonSchema } from '../sdk/types.js';

export const WHATSAPP_RATE_LIMIT: RateLimit = { limit: 80, intervalMs: 1000 };

export const WHATSAPP_SETTINGS: JsonSchema = {
  type: 'object',
  required: ['phoneNumberId'],
  properties: {
    phoneNumberId: graphIdField(
      'Phone number ID',
      "The business phone number's id (WhatsApp Manager > API setup), not the number itself.",
    ),
    apiBaseUrl: API_BASE_URL_FIELD,
    rateLimit: {
      ...RATE_LIMIT_FIELD,
      description: 'Sends per interval; default 80 per 1000 ms (Cloud API default throughput per number).',
    },
  },
};

export interface WhatsAppSettings {
  phoneNumberId: string;
  apiBaseUrl: string;
  rateLimit?: RateLimit;
}

export const whatsappSettings = settingsReader<WhatsAppSettings>(WHATSAPP_SETTINGS, 'WhatsApp');
