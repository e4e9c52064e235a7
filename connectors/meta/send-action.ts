// The send action Messenger and Instagram share (`messenger.send`, `instagram.send`): a text to a person who wrote to
// the account, by their account-scoped identity or bare scoped id. Without a message tag it reaches them only within
// 24 hours of their last message.
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA, Type, defineAction } from '../sdk/index.js';

export function messagingSendAction(cfg: {
  kind: 'messenger' | 'instagram';
  name: string;
  description: string;
  /** How the recipient field describes the id, e.g. "<pageId>:<psid> … or their page-scoped id". */
  recipientHelp: string;
  maxText: number;
}) {
  return defineAction({
    id: 'send',
    name: cfg.name,
    description: cfg.description,
    input: Type.Object(
      {
        account: ACCOUNT_INPUT,
        recipient: Type.String({
          pattern: '^\\s*([0-9]+:)?[0-9]+\\s*$',
          title: 'Recipient',
          description: cfg.recipientHelp,
        }),
        text: Type.String({ minLength: 1, maxLength: cfg.maxText, title: 'Text', 'x-ui': { widget: 'textarea' } }),
      },
      { additionalProperties: false },
    ),
    output: SENT_MESSAGE_SCHEMA,
    ui: { group: 'Messages' },
    run: (ctx, input) =>
      ctx.services.channels.send(input.account, {
        to: { kind: cfg.kind, value: input.recipient.trim() },
        text: input.text,
      }),
  });
}
