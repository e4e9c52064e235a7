// `whatsapp.sendText`: a text message, optionally as a reply to one of the customer's messages (`replyTo`, a wamid:
// WhatsApp shows it quoted). This also covers "reply": there is no separate reply action.
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA, Type, defineAction } from '../../sdk/index.js';
import { TO_INPUT, toIdentity } from '../recipient.js';

export const sendTextAction = defineAction({
  id: 'sendText',
  name: 'Send WhatsApp message',
  description:
    'Sends a text message. Free-form text reaches the customer only within 24 hours of their last message; otherwise send a template.',
  input: Type.Object(
    {
      account: ACCOUNT_INPUT,
      to: TO_INPUT,
      text: Type.String({ minLength: 1, maxLength: 4096, title: 'Text', 'x-ui': { widget: 'textarea' } }),
      replyTo: Type.Optional(
        Type.Unsafe<string | null>({
          type: ['string', 'null'],
          title: 'Reply to',
          description: 'The WhatsApp message id (wamid…) to quote, e.g. {{ trigger.message.providerMessageId }}.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  async run(ctx, input) {
    const replyTo = typeof input.replyTo === 'string' && input.replyTo.trim() !== '' ? input.replyTo.trim() : undefined;
    return ctx.services.channels.send(input.account, {
      to: toIdentity(input.to),
      text: input.text,
      ...(replyTo && { thread: { inReplyTo: replyTo } }),
    });
  },
});
