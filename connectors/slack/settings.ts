// Slack account settings (not secret): the Web API base, and the workspace and bot user the token belongs to
// (filled in by `register` from auth.test; teamId may be set up front to pin the account to one workspace).
import type { JsonObject } from '../flow/types.js';
import { RATE_LIMIT_SETTING } from '../sdk/channel-schemas.js';
import { ConnectorError } from '../sdk/errors.js';
import type { JsonSchema } from '../sdk/types.js';

export const SLACK_API_BASE = 'https://slack.com/api';

export const slackSettingsSchema: JsonSchema = {
  type: 'object',
  properties: {
    apiBaseUrl: {
      type: 'string',
      format: 'uri',
      default: SLACK_API_BASE,
      title: 'Web API base URL',
      description: 'Methods are called at <base>/<method>, e.g. https://slack.com/api/chat.postMessage.',
    },
    rateLimit: { ...RATE_LIMIT_SETTING, description: 'Posts per interval on this workspace; default 5 per 1000 ms.' },
    teamId: {
      type: 'string',
      pattern: '^[TE][A-Z0-9]+$',
      title: 'Workspace id',
      description: 'The workspace (team) id. Events from other workspaces are ignored. Filled in on registration.',
    },
    botUserId: {
      type: 'string',
      pattern: '^[UWB][A-Z0-9]+$',
      title: 'Bot user id',
      description: "The bot's own user id, so its messages are not taken for customers'. Filled in on registration.",
    },
  },
};

export interface SlackSettings {
  apiBaseUrl: string;
  teamId?: string;
  botUserId?: string;
}

const invalid = (message: string) =>
  new ConnectorError('config', message, { code: 'SETTINGS_INVALID', retryable: false });

export function slackSettings(settings: JsonObject): SlackSettings {
  const raw = settings.apiBaseUrl ?? SLACK_API_BASE;
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw invalid('the Slack account setting apiBaseUrl must be an http(s) URL');
  const out: SlackSettings = { apiBaseUrl: (raw as string).replace(/\/+$/, '') };
  if (typeof settings.teamId === 'string' && settings.teamId !== '') out.teamId = settings.teamId;
  if (typeof settings.botUserId === 'string' && settings.botUserId !== '') out.botUserId = settings.botUserId;
  return out;
}
