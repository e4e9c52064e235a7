// `conversations.reply`: answer a contact on the channel (and account) they last wrote from, whatever it is. The
// omnichannel send: a flow that waits for a reply on any channel answers where the customer is now.
import type { ActionDefinition } from '../../sdk/types.js';
import { SENT_MESSAGE_SCHEMA } from '../../sdk/channel-schemas.js';
import type { SentMessage } from '../../sdk/channel.js';

export interface ReplyInput {
  contact: string;
  text: string;
  subject?: string;
  html?: string;
}

export const replyAction: ActionDefinition<ReplyInput, SentMessage> = {
  id: 'reply',
  name: 'Reply on the last channel',
  description:
    'Sends a message to the contact on the channel they last wrote from (threaded where the channel allows).',
  input: {
    type: 'object',
    required: ['contact', 'text'],
    additionalProperties: false,
    properties: {
      contact: { type: 'string', minLength: 1, title: 'Contact', description: 'A contact id, e.g. {{ contact.id }}' },
      text: { type: 'string', minLength: 1, title: 'Text', 'x-ui': { widget: 'textarea' } },
      subject: { type: 'string', title: 'Subject (email)' },
      html: { type: 'string', title: 'HTML body (email)', 'x-ui': { widget: 'textarea' } },
    },
  },
  output: SENT_MESSAGE_SCHEMA,
  run: (ctx, input) =>
    ctx.services.channels.reply(input.contact, {
      text: input.text,
      ...(input.subject !== undefined && { subject: input.subject }),
      ...(input.html !== undefined && { html: input.html }),
    }),
};
