// `email.send`: send an email from a channel account. Thin on purpose: the platform checks consent and the rate limit
// and records the message, then calls the channel's `send` (smtp.ts), which builds and sends it.
import type { JsonObject } from '../../flow/types.js';
import { ACCOUNT_INPUT, SENT_MESSAGE_SCHEMA } from '../../sdk/channel-schemas.js';
import type { OutboundMessage, SentMessage } from '../../sdk/channel.js';
import type { ActionDefinition } from '../../sdk/types.js';

export interface EmailSendInput {
  account: string;
  to: string;
  subject: string;
  text?: string;
  html?: string;
  /** The Message-ID this email answers (e.g. `{{ trigger.message.providerMessageId }}`). */
  inReplyTo?: string;
  /** The thread's earlier Message-IDs, oldest first (e.g. `{{ trigger.message.thread.extra.references }}`). */
  references?: string[];
}

export const sendInputSchema = {
  type: 'object',
  required: ['account', 'to', 'subject'],
  properties: {
    account: ACCOUNT_INPUT,
    to: { type: 'string', format: 'email', title: 'To' },
    subject: { type: 'string', minLength: 1, title: 'Subject' },
    text: { type: 'string', title: 'Text', 'x-ui': { widget: 'textarea' } },
    html: { type: 'string', title: 'HTML', 'x-ui': { widget: 'textarea' } },
    inReplyTo: {
      type: 'string',
      minLength: 3,
      title: 'In reply to',
      description: 'The Message-ID of the email this one answers, to keep the thread.',
    },
    references: {
      type: 'array',
      items: { type: 'string', minLength: 3 },
      title: 'References',
      description: "The thread's earlier Message-IDs, oldest first.",
    },
  },
  anyOf: [{ required: ['text'] }, { required: ['html'] }],
  additionalProperties: false,
};

export const sendAction: ActionDefinition<EmailSendInput, SentMessage> = {
  id: 'send',
  name: 'Send email',
  description: 'Sends an email (text, HTML or both) from an email account; with inReplyTo it continues that thread.',
  input: sendInputSchema,
  output: SENT_MESSAGE_SCHEMA,
  ui: { group: 'Messages' },
  run(ctx, input) {
    const extra: JsonObject = { references: input.references ?? [] };
    const message: OutboundMessage = {
      to: { kind: 'email', value: input.to },
      subject: input.subject,
      ...(input.text !== undefined && { text: input.text }),
      ...(input.html !== undefined && { html: input.html }),
      ...((input.inReplyTo !== undefined || input.references?.length) && {
        thread: { ...(input.inReplyTo !== undefined && { inReplyTo: input.inReplyTo }), extra },
      }),
    };
    return ctx.services.channels.send(input.account, message);
  },
};
