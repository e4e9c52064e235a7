// `email.send`: send an email from a channel account. Thin on purpose: the platform checks consent and the rate limit
// and records the message, then calls the channel's `send` (outbound.ts), which builds and sends it.
import {
  ACCOUNT_INPUT,
  SENT_MESSAGE_SCHEMA,
  Type,
  defineAction,
  type JsonObject,
  type OutboundMessage,
  type Static,
} from '../../sdk/index.js';

export const sendInputSchema = Type.Object(
  {
    account: ACCOUNT_INPUT,
    to: Type.String({ format: 'email', title: 'To' }),
    subject: Type.String({ minLength: 1, title: 'Subject' }),
    text: Type.Optional(Type.String({ title: 'Text', 'x-ui': { widget: 'textarea' } })),
    html: Type.Optional(Type.String({ title: 'HTML', 'x-ui': { widget: 'textarea' } })),
    /** The Message-ID this email answers (e.g. `{{ trigger.message.providerMessageId }}`). */
    inReplyTo: Type.Optional(
      Type.String({
        minLength: 3,
        title: 'In reply to',
        description: 'The Message-ID of the email this one answers, to keep the thread.',
      }),
    ),
    /** The thread's earlier Message-IDs, oldest first (e.g. `{{ trigger.message.thread.extra.references }}`). */
    references: Type.Optional(
      Type.Array(Type.String({ minLength: 3 }), {
        title: 'References',
        description: "The thread's earlier Message-IDs, oldest first.",
      }),
    ),
  },
  { anyOf: [{ required: ['text'] }, { required: ['html'] }], additionalProperties: false },
);

export type EmailSendInput = Static<typeof sendInputSchema>;

export const sendAction = defineAction({
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
});
