// `messenger.send`: a text message to a person who wrote to the Page (a page-scoped id). Without a message tag it
// reaches them only within 24 hours of their last message.
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA } from '../../sdk/channel-schemas.js';
import type { SentMessage } from '../../sdk/channel.js';
import type { ActionDefinition } from '../../sdk/types.js';

export interface MessengerSendInput {
  account: string;
  recipient: string;
  text: string;
}

export const sendAction: ActionDefinition<MessengerSendInput, SentMessage> = {
  id: 'send',
  name: 'Send Messenger message',
  description: 'Sends a text message to a person on Messenger, within 24 hours of their last message.',
  input: {
    type: 'object',
    required: ['account', 'recipient', 'text'],
    properties: {
      account: ACCOUNT_INPUT,
      recipient: {
        type: 'string',
        pattern: '^\\s*([0-9]+:)?[0-9]+\\s*$',
        title: 'Recipient',
        description: "The person's identity (<pageId>:<psid>, e.g. {{ trigger.sender.identity.value }}) or their page-scoped id.",
      },
      text: { type: 'string', minLength: 1, maxLength: 2000, title: 'Text', 'x-ui': { widget: 'textarea' } },
    },
    additionalProperties: false,
  },
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  async run(ctx, input) {
    return ctx.services.channels.send(input.account, { to: { kind: 'messenger', value: input.recipient.trim() }, text: input.text });
  },
};
