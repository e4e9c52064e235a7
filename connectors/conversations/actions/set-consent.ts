// `conversations.setConsent`: record that a contact opted out of (or back into) messages on a channel, as an SMS
// STOP does by itself. Later sends to an opted-out contact on that channel fail with OPTED_OUT without being sent.
import { ConnectorError, Type, defineAction } from '../../sdk/index.js';

export const setConsentInput = Type.Object(
  {
    contact: Type.String({ minLength: 1, title: 'Contact', description: 'A contact id, e.g. {{ contact.id }}' }),
    channel: Type.String({
      minLength: 1,
      title: 'Channel',
      description: 'sms, whatsapp, email, ... e.g. {{ trigger.channel }}',
    }),
    status: Type.Enum(['opted_out', 'opted_in'], { title: 'Consent', default: 'opted_out' }),
  },
  { additionalProperties: false },
);

export const setConsentAction = defineAction({
  id: 'setConsent',
  name: 'Record consent',
  description: 'Records that the contact opted out of (or back into) messages on a channel.',
  input: setConsentInput,
  output: Type.Object({ contact: Type.String(), channel: Type.String(), status: Type.String() }),
  ui: { group: 'Inbox' },
  async run(ctx, input) {
    if (!ctx.services.conversations)
      throw new ConnectorError('config', 'the inbox is not available here (no database)', { retryable: false });
    await ctx.services.conversations.setConsent(ctx.workspaceId, {
      contactId: input.contact,
      channel: input.channel,
      status: input.status,
      source: `run:${ctx.runId}:${ctx.nodeId}`,
    });
    return { contact: input.contact, channel: input.channel, status: input.status };
  },
});
