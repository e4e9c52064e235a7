// `whatsapp.sendText`: a text message, optionally as a reply to one of the customer's messages (`replyTo`, a wamid:
// WhatsApp shows it quoted). This also covers "reply": there is no separate reply action.
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA } from '../../sdk/channel-schemas.js';
import type { SentMessage } from '../../sdk/channel.js';
import type { ActionDefinition } from '../../sdk/types.js';
import { TO_INPUT, toIdentity } from './recipient.js';

export interface SendTextInput {
  account: string;
  to: string;
  text: string;
  replyTo?: string | null;
}

export const sendTextAction: ActionDefinition<SendTextInput, SentMessage> = {
  id: 'sendText',
  name: 'Send WhatsApp message',
  description:
    'Sends a text message. Free-form text reaches the customer only within 24 hours of their last message; otherwise send a template.',
  input: {
    type: 'object',
    required: ['account', 'to', 'text'],
    properties: {
      account: ACCOUNT_INPUT,
      to: TO_INPUT,
      text: { type: 'string', minLength: 1, maxLength: 4096, title: 'Text', 'x-ui': { widget: 'textarea' } },
      replyTo: {
        type: ['string', 'null'],
        title: 'Reply to',
        description: 'The WhatsApp message id (wamid…) to quote, e.g. {{ trigger.message.providerMessageId }}.',
      },
    },
    additionalProperties: false,
  },
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
};
