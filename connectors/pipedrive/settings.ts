// Pipedrive account settings (not secret): the API base (api.pipedrive.com, or the company's own
// https://<company>.pipedrive.com, which serves the same API), the company id the account's record ids are scoped by,
// and an optional rate limit for plans above Essential.
import {
  LOG_MESSAGES_SETTING,
  Type,
  accountReader,
  defineProvider,
  rateLimitSetting,
  type CrmAccount,
  type Static,
} from '../sdk/index.js';

export const PIPEDRIVE_API_BASE = 'https://api.pipedrive.com';

/** Calls go to Pipedrive's hosts unless the operator allows another (a proxy, a test fake). */
export const pipedriveApi = defineProvider({
  name: 'Pipedrive API',
  hosts: ['api.pipedrive.com', '*.pipedrive.com'],
  defaultBaseUrl: PIPEDRIVE_API_BASE,
});

export const pipedriveSettings = Type.Object(
  {
    apiBaseUrl: Type.Optional(
      pipedriveApi.baseUrlField({
        title: 'API base URL',
        description:
          'https://api.pipedrive.com or your company domain https://<company>.pipedrive.com (v2 under /api/v2, v1 under /v1); another host must be in CONFLUO_HTTP_ALLOWLIST.',
      }),
    ),
    companyId: Type.Optional(
      Type.Integer({
        minimum: 1,
        title: 'Company id',
        description: 'The Pipedrive company the token belongs to; read from /v1/users/me when not set.',
      }),
    ),
    userId: Type.Optional(
      Type.Integer({
        minimum: 1,
        title: 'Token user id',
        description:
          "The user the API token acts as, stored when the account is saved: this user's API changes are this integration's own writes.",
      }),
    ),
    logMessages: Type.Optional(LOG_MESSAGES_SETTING),
    rateLimit: Type.Optional(
      rateLimitSetting('Calls per interval on this account; default 10 per 2000 ms (see the README for your plan).'),
    ),
  },
  { additionalProperties: false },
);

/** As read: `apiBaseUrl` with the default applied and without a trailing slash. */
export type PipedriveSettings = Omit<Static<typeof pipedriveSettings>, 'apiBaseUrl' | 'rateLimit'> & {
  apiBaseUrl: string;
};

const readSettings = accountReader(pipedriveSettings, 'Pipedrive').settings;

/** The account's settings, checked against the schema, with an allowed `apiBaseUrl` (trailing slashes trimmed). */
export function readPipedriveSettings(account: CrmAccount): PipedriveSettings {
  const { apiBaseUrl, companyId } = readSettings(account);
  return { apiBaseUrl: pipedriveApi.baseUrl(apiBaseUrl), ...(companyId !== undefined && { companyId }) };
}
