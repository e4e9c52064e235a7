// `webchat.sendMessage`: write to a web chat visitor through the platform (consent, rate limit, conversation).
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA } from '../../sdk/channel-schemas.js';
import type { SentMessage } from '../../sdk/channel.js';
import type { ActionDefinition } from '../../sdk/types.js';
import { MAX_TEXT } from '../inbound.js';
import { VISITOR_ID_PATTERN } from '../token.js';

export interface WebchatSendMessageInput {
  account: string;
  visitorId: string;
  text: string;
}

export const sendMessageInputSchema = {
  type: 'object',
  properties: {
    account: ACCOUNT_INPUT,
    visitorId: {
      type: 'string',
      pattern: VISITOR_ID_PATTERN,
      title: 'Visitor',
      description: 'The visitor id (the value of their webchat identity), e.g. {{ trigger.sender.identity.value }}',
    },
    text: { type: 'string', minLength: 1, maxLength: MAX_TEXT, title: 'Text', 'x-ui': { widget: 'textarea' } },
  },
  required: ['account', 'visitorId', 'text'],
  additionalProperties: false,
};

export const sendMessageAction: ActionDefinition<WebchatSendMessageInput, SentMessage> = {
  id: 'sendMessage',
  name: 'Send message',
  description: 'Write to a website visitor in the web chat.',
  input: sendMessageInputSchema,
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  run: (ctx, input) =>
    ctx.services.channels.send(input.account, { to: { kind: 'webchat', value: input.visitorId }, text: input.text }),
};
