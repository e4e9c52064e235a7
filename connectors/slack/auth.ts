// Slack credentials: the app's bot token (OAuth & Permissions) and its signing secret (Basic Information), which
// signs every Events API request.
import type { JsonObject } from '../flow/types.js';
import { ConnectorError } from '../sdk/errors.js';
import type { JsonSchema } from '../sdk/types.js';

/** A bot token, optionally a rotating one (`xoxe.xoxb-...`). */
const BOT_TOKEN = '^(xoxe\\.)?xoxb-[A-Za-z0-9-]+$';

export const slackAuth: JsonSchema = {
  type: 'object',
  properties: {
    botToken: {
      type: 'string',
      pattern: BOT_TOKEN,
      title: 'Bot token',
      description: 'The Bot User OAuth Token (xoxb-...) with the chat:write scope.',
      writeOnly: true,
      'x-ui': { widget: 'password' },
    },
    signingSecret: {
      type: 'string',
      minLength: 1,
      title: 'Signing secret',
      description: "The app's signing secret (Basic Information > App Credentials); verifies inbound events.",
      writeOnly: true,
      'x-ui': { widget: 'password' },
    },
  },
  required: ['botToken', 'signingSecret'],
  additionalProperties: false,
};

const missing = (name: string) =>
  new ConnectorError('config', `the Slack account has no valid ${name} credential`, {
    code: 'CREDENTIALS_INVALID',
    retryable: false,
  });

export function slackBotToken(credentials: JsonObject): string {
  const token = credentials.botToken;
  if (typeof token !== 'string' || !new RegExp(BOT_TOKEN).test(token)) throw missing('botToken');
  return token;
}
