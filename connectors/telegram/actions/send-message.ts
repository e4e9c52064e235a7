// `telegram.sendMessage`: send a text to a Telegram chat through the platform (consent, rate limit, conversation).
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA, Type, defineAction } from '../../sdk/index.js';

export const sendMessageInputSchema = Type.Object(
  {
    account: ACCOUNT_INPUT,
    chatId: Type.Unsafe<string | number>({
      type: ['string', 'integer'],
      pattern: '^(-?[0-9]{1,16}|@[A-Za-z0-9_]{4,32})$',
      title: 'Chat',
      description: 'The chat id (a user id for private chats, negative for groups) or a public @channelusername.',
    }),
    text: Type.String({ minLength: 1, maxLength: 4096, title: 'Text', 'x-ui': { widget: 'textarea' } }),
    replyToMessageId: Type.Optional(
      Type.Unsafe<string | number>({
        type: ['string', 'integer'],
        pattern: '^(-?[0-9]+:)?[0-9]+$',
        title: 'Reply to message',
        description: 'A message id in the chat, or a message providerMessageId (<chat id>:<message id>).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const sendMessageAction = defineAction({
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
});
