// The (non-secret) settings of a WhatsApp account: which business phone number sends and receives, and where the
// Graph API is. The default rate limit is Cloud API's default throughput of 80 messages per second per number.
import { apiBaseUrlField, graphIdField, rateLimitField } from '../meta/account.js';
import { Type, accountReader, type RateLimit, type Static, type WithDefaults } from '../sdk/index.js';

export const WHATSAPP_RATE_LIMIT: RateLimit = { limit: 80, intervalMs: 1000 };

export const whatsappSettings = Type.Object({
  phoneNumberId: graphIdField(
    'Phone number ID',
    "The business phone number's id (WhatsApp Manager > API setup), not the number itself.",
  ),
  apiBaseUrl: Type.Optional(apiBaseUrlField()),
  rateLimit: Type.Optional(
    rateLimitField('Sends per interval; default 80 per 1000 ms (Cloud API default throughput per number).'),
  ),
});
/** With the defaults applied: `apiBaseUrl` is always there. */
export type WhatsappSettings = WithDefaults<Static<typeof whatsappSettings>, 'apiBaseUrl'>;

export const readWhatsappSettings = accountReader<typeof whatsappSettings, WhatsappSettings>(
  whatsappSettings,
  'WhatsApp',
).settings;
