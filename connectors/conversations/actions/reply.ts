// `conversations.reply`: answer a contact on the channel (and account) they last wrote from, whatever it is. The
// omnichannel send: a flow that waits for a reply on any channel answers where the customer is now.
import { SENT_MESSAGE_SCHEMA, Type, defineAction } from '../../sdk/index.js';

export const replyAction = defineAction({
  id: 'reply',
  name: 'Reply on the last channel',
  description:
    'Sends a message to the contact on the channel they last wrote from (threaded where the channel allows).',
  input: Type.Object(
    {
      contact: Type.String({ minLength: 1, title: 'Contact', description: 'A contact id, e.g. {{ contact.id }}' }),
      text: Type.String({ minLength: 1, title: 'Text', 'x-ui': { widget: 'textarea' } }),
      subject: Type.Optional(Type.String({ title: 'Subject (email)' })),
      html: Type.Optional(Type.String({ title: 'HTML body (email)', 'x-ui': { widget: 'textarea' } })),
    },
    { additionalProperties: false },
  ),
  output: SENT_MESSAGE_SCHEMA,
  run: (ctx, input) =>
    ctx.services.channels.reply(input.contact, {
      text: input.text,
      ...(input.subject !== undefined && { subject: input.subject }),
      ...(input.html !== undefined && { html: input.html }),
    }),
});
