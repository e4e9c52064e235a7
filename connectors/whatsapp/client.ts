// Sending on WhatsApp: `POST /v23.0/{phone-number-id}/messages` with a text message or, when the message's payload
// carries one, an approved template; `thread.inReplyTo` makes it a reply (context.message_id).
import type { JsonObject, JsonValue } from '../flow/types.js';
import { graphPost } from '../meta/graph.js';
import {
  ConnectorError,
  type OutboundMessage,
  type SendContext,
  type SendResult,
  type ContactIdentityInput,
} from '../sdk/index.js';
import { readWhatsappAuth } from './auth.js';
import { readWhatsappSettings } from './settings.js';

const invalid = (message: string, field?: string) =>
  new ConnectorError('validation', message, {
    code: 'INPUT_INVALID',
    retryable: false,
    ...(field !== undefined && { details: { field } }),
  });

/** The template of a send, as `message.payload.template` carries it (the sendTemplate action builds it). */
export interface WhatsAppTemplate {
  name: string;
  /** A language code (`en_US`) or the API's `{ code }` object. */
  language: string | { code: string };
  /** The API's components (header/body/button parameters), passed through as given. */
  components?: JsonValue[];
}

const WA_ID = /^\+?[A-Za-z0-9._-]{1,64}$/;

/** The Cloud API's `to`: a WhatsApp id as given, a phone (E.164) without its `+`. */
export function recipientOf(to: ContactIdentityInput): string {
  const value = typeof to.value === 'string' ? to.value.trim() : '';
  if (to.kind === 'whatsapp') {
    // Usually the number's digits, but not always a phone: taken as inbound messages name the sender.
    if (!WA_ID.test(value)) throw invalid(`to: ${JSON.stringify(to.value)} is not a WhatsApp id`, 'to');
    return value.replace(/^\+/, '');
  }
  if (to.kind === 'phone') {
    if (!/^\+[1-9][0-9]{4,14}$/.test(value))
      throw invalid(`to: ${JSON.stringify(to.value)} is not an E.164 phone number`, 'to');
    return value.slice(1);
  }
  throw invalid(`to: WhatsApp sends to a whatsapp or phone identity, not ${JSON.stringify(to.kind)}`, 'to');
}

function templateOf(raw: JsonValue): JsonObject {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('payload.template must be an object', 'payload.template');
  const { name, language, components } = raw as Partial<Record<keyof WhatsAppTemplate, JsonValue>>;
  if (typeof name !== 'string' || name.trim() === '')
    throw invalid('payload.template.name must be a template name', 'payload.template.name');
  const code =
    typeof language === 'string'
      ? language
      : typeof language === 'object' && language !== null && !Array.isArray(language)
        ? language.code
        : undefined;
  if (typeof code !== 'string' || code.trim() === '')
    throw invalid('payload.template.language must be a language code such as en_US', 'payload.template.language');
  if (components !== undefined && !Array.isArray(components))
    throw invalid('payload.template.components must be an array', 'payload.template.components');
  return { name: name.trim(), language: { code: code.trim() }, ...(components !== undefined && { components }) };
}

/** The sendMessage body for an outbound message (exported for tests). */
export function messageBody(message: OutboundMessage): JsonObject {
  if (message.attachments?.length)
    throw invalid('the WhatsApp connector sends text and templates; attachments are not supported', 'attachments');
  const template = message.payload?.template;
  const base: JsonObject = { messaging_product: 'whatsapp', recipient_type: 'individual', to: recipientOf(message.to) };
  if (message.thread?.inReplyTo) base.context = { message_id: message.thread.inReplyTo };
  if (template !== undefined) return { ...base, type: 'template', template: templateOf(template) };
  if (typeof message.text !== 'string' || message.text === '')
    throw invalid('text is required (or payload.template for a template message)', 'text');
  return { ...base, type: 'text', text: { body: message.text, preview_url: false } };
}

interface MessageResponse {
  contacts?: { input?: string; wa_id?: string }[];
  messages?: { id?: string; message_status?: string }[];
}

export async function sendWhatsApp(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  const { accessToken } = readWhatsappAuth(ctx.account);
  const { phoneNumberId, apiBaseUrl } = readWhatsappSettings(ctx.account);
  const body = messageBody(message);
  const res = (await graphPost({
    baseUrl: apiBaseUrl,
    path: [phoneNumberId, 'messages'],
    token: accessToken,
    body,
    signal: ctx.signal,
  })) as MessageResponse;
  const sent = res?.messages?.[0];
  if (typeof sent?.id !== 'string' || sent.id === '') {
    // Accepted by Meta without an id we could track: retrying might send it twice.
    throw new ConnectorError('upstream', 'WhatsApp accepted the message but answered no messages[0].id', {
      code: 'BAD_RESPONSE',
      retryable: false,
    });
  }
  const provider: JsonObject = {};
  const waId = res.contacts?.[0]?.wa_id;
  if (typeof waId === 'string') provider.waId = waId;
  if (typeof sent.message_status === 'string') provider.messageStatus = sent.message_status;
  // Cloud API answers on acceptance; the `sent`/`delivered`/`read` statuses arrive later as webhooks.
  return { providerMessageId: sent.id, status: 'queued', provider };
}
