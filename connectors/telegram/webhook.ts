// Webhook registration: setWebhook with the account's inbound URL and a fresh secret_token, which the platform merges
// into the credentials (inbound.verify compares X-Telegram-Bot-Api-Secret-Token against it); deleteWebhook undoes it.
import { newTelegramSecret, type RegisterContext, type RegisterResult } from '../sdk/index.js';
import { callTelegram } from './client.js';

/** Only the update kinds Confluo turns into events, so Telegram does not POST the rest. */
export const ALLOWED_UPDATES = ['message'];

export async function registerTelegram(ctx: RegisterContext): Promise<RegisterResult> {
  // A new secret on every registration: a changed token or a leaked secret is fixed by re-registering. Updates sent
  // between setWebhook and the platform storing the secret fail verify, and Telegram delivers them again.
  const webhookSecret = newTelegramSecret();
  await callTelegram(
    ctx.account,
    'setWebhook',
    { url: ctx.account.inboundUrl, secret_token: webhookSecret, allowed_updates: ALLOWED_UPDATES },
    ctx.signal,
  );
  ctx.logger.info({ accountId: ctx.account.id }, 'telegram webhook set');
  return { credentials: { webhookSecret } };
}

export async function unregisterTelegram(ctx: RegisterContext): Promise<void> {
  await callTelegram(ctx.account, 'deleteWebhook', {}, ctx.signal);
  ctx.logger.info({ accountId: ctx.account.id }, 'telegram webhook deleted');
}
