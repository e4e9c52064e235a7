// Registration: Slack has no API to set an app's Request URL (it is entered once in the app's Event Subscriptions),
// so `register` checks the bot token with auth.test and records the workspace and the bot's own user id in settings:
// inbound uses them to ignore other workspaces and the bot's own messages.
import { ConnectorError, type RegisterContext, type RegisterResult } from '../sdk/index.js';
import { callSlack } from './client.js';
import { readSlackSettings } from './settings.js';

interface AuthTestResponse {
  ok: true;
  team_id: string;
  user_id: string;
  bot_id?: string;
}

export async function registerSlack(ctx: RegisterContext): Promise<RegisterResult> {
  const who = await callSlack<AuthTestResponse>(ctx.account, 'auth.test', {}, ctx.signal);
  if (typeof who.team_id !== 'string' || typeof who.user_id !== 'string') {
    throw new ConnectorError('upstream', 'Slack auth.test answered without team_id and user_id', {
      code: 'BAD_RESPONSE',
    });
  }
  const { teamId } = readSlackSettings(ctx.account);
  if (teamId !== undefined && teamId !== who.team_id) {
    throw new ConnectorError(
      'config',
      `the bot token belongs to workspace ${who.team_id}, but the account is set to ${teamId}`,
      { code: 'TEAM_MISMATCH', retryable: false },
    );
  }
  ctx.logger.info(
    { accountId: ctx.account.id, teamId: who.team_id, botUserId: who.user_id },
    'slack bot token checked',
  );
  return { settings: { teamId: who.team_id, botUserId: who.user_id } };
}
