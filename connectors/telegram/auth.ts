// Telegram credentials: the bot token from @BotFather, plus the webhook secret that `register` generates and the
// platform merges in (declared here so the stored credentials still match the schema).
import { Type, accountReader, type Static } from '../sdk/index.js';

export const telegramAuth = Type.Object(
  {
    botToken: Type.String({
      // `<bot id>:<secret>`, as @BotFather issues it.
      pattern: '^[0-9]+:[A-Za-z0-9_-]+$',
      title: 'Bot token',
      description: 'The token @BotFather gave the bot, e.g. 123456789:AAH...',
      writeOnly: true,
      'x-ui': { widget: 'password' },
    }),
    webhookSecret: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_-]{1,256}$',
        title: 'Webhook secret',
        description: 'Set by Confluo when it registers the webhook; leave empty.',
        writeOnly: true,
        'x-ui': { widget: 'hidden' },
      }),
    ),
  },
  { additionalProperties: false },
);
export type TelegramAuth = Static<typeof telegramAuth>;

/** The credentials, or a config error naming what is missing or malformed (never the value). */
export const readTelegramAuth = accountReader(telegramAuth, 'Telegram').credentials;
