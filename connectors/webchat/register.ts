// "Registration" of a web chat account: nothing to tell a provider, only a widget secret to make when there is none.
// An existing secret is kept (settings changes re-register too), so visitors stay signed in.
import type { RegisterContext, RegisterResult } from '../sdk/index.js';
import { isWidgetSecret, newWidgetSecret } from './auth.js';

export async function registerWebchat(ctx: RegisterContext): Promise<RegisterResult> {
  if (isWidgetSecret(ctx.account.credentials.widgetSecret)) return {};
  ctx.logger.info({ accountId: ctx.account.id }, 'web chat widget secret generated');
  return { credentials: { widgetSecret: newWidgetSecret() } };
}
