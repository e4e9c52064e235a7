// HubSpot account settings (not secret): the API base, the portal (hub) id when known (else read from
// GET /account-info/v3/details), extra contact properties to read, and a rate limit for higher HubSpot tiers.
import {
  Type,
  accountReader,
  defineProvider,
  LOG_MESSAGES_SETTING,
  rateLimitSetting,
  type ChannelAccount,
  type Static,
} from '../sdk/index.js';

export const HUBSPOT_API_BASE = 'https://api.hubapi.com';

/** The CRM API: calls go to api.hubapi.com unless the operator allows another host (a proxy, a test fake). */
export const hubspotApi = defineProvider({
  name: 'HubSpot API',
  hosts: ['api.hubapi.com'],
  defaultBaseUrl: HUBSPOT_API_BASE,
});

const PROPERTY_NAME = '^[a-z0-9_]{1,100}$';

export const hubspotSettings = Type.Object({
  apiBaseUrl: Type.Optional(
    hubspotApi.baseUrlField({
      title: 'API base URL',
      description:
        'Calls go to <base>/crm/v3/..., e.g. https://api.hubapi.com; another host must be in CONFLUO_HTTP_ALLOWLIST.',
    }),
  ),
  portalId: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,20}$',
      title: 'Portal id',
      description:
        'The HubSpot account (hub) id. Webhooks from other portals are ignored; read from the account when absent.',
    }),
  ),
  fieldMap: Type.Optional(
    Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ pattern: PROPERTY_NAME }), {
      title: 'Field map',
      description: "A contact attribute name to a HubSpot contact property, on top of the connector's defaults.",
      maxProperties: 100,
    }),
  ),
  logMessages: Type.Optional(LOG_MESSAGES_SETTING),
  rateLimit: Type.Optional(
    rateLimitSetting(
      'Calls per interval on this account; default 100 per 10000 ms (190 on Professional and Enterprise).',
    ),
  ),
});
/** As read: `apiBaseUrl` with the default applied and without a trailing slash. */
export type HubspotSettings = Omit<Static<typeof hubspotSettings>, 'apiBaseUrl'> & { apiBaseUrl: string };

const readSettings = accountReader(hubspotSettings, 'HubSpot').settings;

/** The account's settings, checked against the schema, with an allowed `apiBaseUrl` (trailing slashes trimmed). */
export function readHubspotSettings(account: ChannelAccount): HubspotSettings {
  const { apiBaseUrl, portalId, ...rest } = readSettings(account);
  return {
    ...rest,
    apiBaseUrl: hubspotApi.baseUrl(apiBaseUrl),
    ...(portalId !== undefined && portalId !== '' && { portalId }),
  };
}
