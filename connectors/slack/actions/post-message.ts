// `slack.postMessage`: post to a Slack channel or a user's DM through the platform (consent, rate limit, conversation).
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA, Type, defineAction, type JsonObject } from '../../sdk/index.js';

export const postMessageInputSchema = Type.Object(
  {
    account: ACCOUNT_INPUT,
    channel: Type.String({
      pattern: '^([A-Z0-9]+|[A-Z0-9]+:[A-Z0-9]+)$',
      title: 'Channel',
      description: 'A channel id (C0123ABCD), or a user as <teamId>:<userId> to send them a direct message.',
    }),
    text: Type.Optional(
      Type.String({
        minLength: 1,
        title: 'Text',
        description: 'Slack mrkdwn; the notification text when blocks are given.',
        'x-ui': { widget: 'textarea' },
      }),
    ),
    threadTs: Type.Optional(
      Type.String({
        pattern: '^[0-9]+\\.[0-9]+$',
        title: 'Thread',
        description: "The ts of the thread's first message, to reply in the thread.",
      }),
    ),
    blocks: Type.Optional(
      Type.Array(Type.Unsafe<JsonObject>({ type: 'object', required: ['type'] }), {
        maxItems: 50,
        title: 'Blocks',
        description: 'Block Kit blocks.',
      }),
    ),
  },
  { anyOf: [{ required: ['text'] }, { required: ['blocks'] }], additionalProperties: false },
);

export const postMessageAction = defineAction({
  id: 'postMessage',
  name: 'Post message',
  description: 'Post a message to a Slack channel, thread or direct message.',
  input: postMessageInputSchema,
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  run: (ctx, input) =>
    ctx.services.channels.send(input.account, {
      to: input.channel.includes(':')
        ? { kind: 'slack', value: input.channel }
        : { kind: 'slack_channel', value: input.channel },
      ...(input.text !== undefined && { text: input.text }),
      ...(input.threadTs !== undefined && { thread: { id: input.threadTs } }),
      ...(input.blocks !== undefined && { payload: { blocks: input.blocks } }),
    }),
});
