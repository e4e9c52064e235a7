// Slack credentials: the app's bot token (OAuth & Permissions) and its signing secret (Basic Information), which
// signs every Events API request.
import { Type, accountReader, type Static } from '../sdk/index.js';

export const slackAuth = Type.Object(
  {
    botToken: Type.String({
      // A bot token, optionally a rotating one (`xoxe.xoxb-...`).
      pattern: '^(xoxe\\.)?xoxb-[A-Za-z0-9-]+$',
      title: 'Bot token',
      description: 'The Bot User OAuth Token (xoxb-...) with the chat:write scope.',
      writeOnly: true,
      'x-ui': { widget: 'password' },
    }),
    signingSecret: Type.String({
      minLength: 1,
      title: 'Signing secret',
      description: "The app's signing secret (Basic Information > App Credentials); verifies inbound events.",
      writeOnly: true,
      'x-ui': { widget: 'password' },
    }),
  },
  { additionalProperties: false },
);
export type SlackAuth = Static<typeof slackAuth>;

export const readSlackAuth = accountReader(slackAuth, 'Slack').credentials;
