// `webchat.sendMessage`: write to a web chat visitor through the platform (consent, rate limit, conversation).
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA, Type, defineAction } from '../../sdk/index.js';
import { MAX_TEXT } from '../inbound.js';
import { VISITOR_ID_PATTERN } from '../token.js';

export const sendMessageInputSchema = Type.Object(
  {
    account: ACCOUNT_INPUT,
    visitorId: Type.String({
      pattern: VISITOR_ID_PATTERN,
      title: 'Visitor',
      description: 'The visitor id (the value of their webchat identity), e.g. {{ trigger.sender.identity.value }}',
    }),
    text: Type.String({ minLength: 1, maxLength: MAX_TEXT, title: 'Text', 'x-ui': { widget: 'textarea' } }),
  },
  { additionalProperties: false },
);

export const sendMessageAction = defineAction({
  id: 'sendMessage',
  name: 'Send message',
  description: 'Write to a website visitor in the web chat.',
  input: sendMessageInputSchema,
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  run: (ctx, input) =>
    ctx.services.channels.send(input.account, { to: { kind: 'webchat', value: input.visitorId }, text: input.text }),
});
