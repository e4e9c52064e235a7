// `whatsapp.sendTemplate`: an approved message template, the only thing WhatsApp delivers outside the 24-hour
// customer service window. The template travels as the message's payload, so every send goes through channel.send.
import type { JsonValue } from '../../flow/types.js';
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA } from '../../sdk/channel-schemas.js';
import type { SentMessage } from '../../sdk/channel.js';
import type { ActionDefinition } from '../../sdk/types.js';
import { TO_INPUT, toIdentity } from './recipient.js';

export interface SendTemplateInput {
  account: string;
  to: string;
  name: string;
  language: string;
  components?: JsonValue[] | null;
}

export const sendTemplateAction: ActionDefinition<SendTemplateInput, SentMessage> = {
  id: 'sendTemplate',
  name: 'Send WhatsApp template',
  description: 'Sends an approved message template, with its variables. Works outside the 24-hour window.',
  input: {
    type: 'object',
    required: ['account', 'to', 'name', 'language'],
    properties: {
      account: ACCOUNT_INPUT,
      to: TO_INPUT,
      name: { type: 'string', minLength: 1, maxLength: 512, title: 'Template name' },
      language: {
        type: 'string',
        minLength: 2,
        title: 'Language',
        description: 'The template language code, e.g. en_US.',
      },
      components: {
        type: ['array', 'null'],
        items: { type: 'object' },
        title: 'Components',
        description:
          'The variables, as the Cloud API takes them: [{ "type": "body", "parameters": [{ "type": "text", "text": "…" }] }].',
      },
    },
    additionalProperties: false,
  },
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
};
