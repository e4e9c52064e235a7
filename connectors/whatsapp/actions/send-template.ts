// `whatsapp.sendTemplate`: an approved message template, the only thing WhatsApp delivers outside the 24-hour
// customer service window. The template travels as the message's payload, so every send goes through channel.send.
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA, Type, defineAction, type JsonObject } from '../../sdk/index.js';
import { TO_INPUT, toIdentity } from '../recipient.js';

export const sendTemplateAction = defineAction({
  id: 'sendTemplate',
  name: 'Send WhatsApp template',
  description: 'Sends an approved message template, with its variables. Works outside the 24-hour window.',
  input: Type.Object(
    {
      account: ACCOUNT_INPUT,
      to: TO_INPUT,
      name: Type.String({ minLength: 1, maxLength: 512, title: 'Template name' }),
      language: Type.String({
        minLength: 2,
        title: 'Language',
        description: 'The template language code, e.g. en_US.',
      }),
      components: Type.Optional(
        Type.Unsafe<JsonObject[] | null>({
          type: ['array', 'null'],
          items: { type: 'object' },
          title: 'Components',
          description:
            'The variables, as the Cloud API takes them: [{ "type": "body", "parameters": [{ "type": "text", "text": "…" }] }].',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  async run(ctx, input) {
    return ctx.services.channels.send(input.account, {
      to: toIdentity(input.to),
      payload: {
        template: {
          name: input.name,
          language: input.language,
          ...(Array.isArray(input.components) && { components: input.components }),
        },
      },
    });
  },
});
