// Slack account settings (not secret): the Web API base, and the workspace and bot user the token belongs to
// (filled in by `register` from auth.test; teamId may be set up front to pin the account to one workspace).
import {
  Type,
  accountReader,
  defineProvider,
  rateLimitSetting,
  type ChannelAccount,
  type Static,
} from '../sdk/index.js';

export const SLACK_API_BASE = 'https://slack.com/api';

/** The Web API: calls go to slack.com unless the operator allows another host (a proxy, a test fake). */
export const slackApi = defineProvider({ name: 'Slack Web API', hosts: ['slack.com'], defaultBaseUrl: SLACK_API_BASE });

export const slackSettings = Type.Object({
  apiBaseUrl: Type.Optional(
    slackApi.baseUrlField({
      title: 'Web API base URL',
      description:
        'Methods are called at <base>/<method>, e.g. https://slack.com/api/chat.postMessage; another host must be in CONFLUO_HTTP_ALLOWLIST.',
    }),
  ),
  rateLimit: Type.Optional(rateLimitSetting('Posts per interval on this workspace; default 5 per 1000 ms.')),
  teamId: Type.Optional(
    Type.String({
      pattern: '^[TE][A-Z0-9]+$',
      title: 'Workspace id',
      description: 'The workspace (team) id. Events from other workspaces are ignored. Filled in on registration.',
    }),
  ),
  botUserId: Type.Optional(
    Type.String({
      pattern: '^[UWB][A-Z0-9]+$',
      title: 'Bot user id',
      description: "The bot's own user id, so its messages are not taken for customers'. Filled in on registration.",
    }),
  ),
});
/** As read: `apiBaseUrl` with the default applied and without a trailing slash. */
export type SlackSettings = Omit<Static<typeof slackSettings>, 'apiBaseUrl' | 'rateLimit'> & { apiBaseUrl: string };

const readSettings = accountReader(slackSettings, 'Slack').settings;

/** The account's settings, checked against the schema, with an allowed `apiBaseUrl` (trailing slashes trimmed). */
export function readSlackSettings(account: ChannelAccount): SlackSettings {
  const { apiBaseUrl, teamId, botUserId } = readSettings(account);
  return {
    apiBaseUrl: slackApi.baseUrl(apiBaseUrl),
    ...(teamId !== undefined && teamId !== '' && { teamId }),
    ...(botUserId !== undefined && botUserId !== '' && { botUserId }),
  };
}
