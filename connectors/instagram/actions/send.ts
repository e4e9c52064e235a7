// `instagram.send`: a text message in an Instagram Direct conversation, to a person who wrote to the account
// (an Instagram-scoped id). Without a message tag it reaches them only within 24 hours of their last message.
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA } from '../../sdk/channel-schemas.js';
import type { SentMessage } from '../../sdk/channel.js';
import type { ActionDefinition } from '../../sdk/types.js';

export interface InstagramSendInput {
  account: string;
  recipient: string;
  text: string;
}

export const sendAction: ActionDefinition<InstagramSendInput, SentMessage> = {
  id: 'send',
  name: 'Send Instagram message',
  description: 'Sends a text message to a person in Instagram Direct, within 24 hours of their last message.',
  input: {
    type: 'object',
    required: ['account', 'recipient', 'text'],
    properties: {
      account: ACCOUNT_INPUT,
      recipient: {
        type: 'string',
        pattern: '^\\s*([0-9]+:)?[0-9]+\\s*$',
        title: 'Recipient',
        description: "The person's identity (<igAccountId>:<igsid>, e.g. {{ trigger.sender.identity.value }}) or their Instagram-scoped id.",
      },
      text: { type: 'string', minLength: 1, maxLength: 1000, title: 'Text', 'x-ui': { widget: 'textarea' } },
    },
    additionalProperties: false,
  },
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  async run(ctx, input) {
    return ctx.services.channels.send(input.account, { to: { kind: 'instagram', value: input.recipient.trim() }, text: input.text });
  },
};
