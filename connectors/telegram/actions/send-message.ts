// `telegram.sendMessage`: send a text to a Telegram chat through the platform (consent, rate limit, conversation).
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA } from '../../sdk/channel-schemas.js';
import type { SentMessage } from '../../sdk/channel.js';
import type { ActionDefinition } from '../../sdk/types.js';

export interface TelegramSendMessageInput {
  account: string;
  chatId: string | number;
  text: string;
  replyToMessageId?: string | number;
}

export const sendMessageInputSchema = {
  type: 'object',
  properties: {
    account: ACCOUNT_INPUT,
    chatId: {
      type: ['string', 'integer'],
      pattern: '^(-?[0-9]{1,16}|@[A-Za-z0-9_]{4,32})$',
      title: 'Chat',
      description: 'The chat id (a user id for private chats, negative for groups) or a public @channelusername.',
    },
    text: { type: 'string', minLength: 1, maxLength: 4096, title: 'Text', 'x-ui': { widget: 'textarea' } },
    replyToMessageId: {
      type: ['string', 'integer'],
      pattern: '^(-?[0-9]+:)?[0-9]+$',
      title: 'Reply to message',
      description: 'A message id in the chat, or a message providerMessageId (<chat id>:<message id>).',
    },
  },
  required: ['account', 'chatId', 'text'],
  additionalProperties: false,
};

export const sendMessageAction: ActionDefinition<TelegramSendMessageInput, SentMessage> = {
  id: 'sendMessage',
  name: 'Send message',
  description: 'Send a text message to a Telegram chat from a bot account.',
  input: sendMessageInputSchema,
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  run: (ctx, input) =>
    ctx.services.channels.send(input.account, {
      to: { kind: 'telegram', value: String(input.chatId) },
      text: input.text,
      ...(input.replyToMessageId !== undefined && {
        thread: { id: String(input.chatId), inReplyTo: String(input.replyToMessageId) },
      }),
    }),
};
