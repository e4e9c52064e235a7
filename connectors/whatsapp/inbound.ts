// WhatsApp webhooks: `whatsapp_business_account` deliveries whose `messages` changes carry customer messages and the
// statuses of ours. Messages for another business number of the same WABA are skipped (each number is its own
// account); reactions, system notices, orders and unsupported types are skipped too.
import { whatsappPhone } from '../contacts/identity.js';
import type { JsonObject } from '../flow/types.js';
import {
  array,
  credential,
  invalid,
  isoFromSeconds,
  metaHandshakeResponse,
  object,
  optionalArray,
  optionalString,
  readJson,
  string,
  verifyMetaRequest,
} from '../meta/webhook.js';
import type {
  AttachmentRef,
  ChannelEvent,
  InboundContract,
  MessageReceived,
  MessageStatus,
  ContactIdentityInput,
} from '../sdk/index.js';
import { readWhatsappSettings } from './settings.js';

type Content = Pick<MessageReceived, 'text' | 'attachments'>;

const MEDIA = { image: 'image', audio: 'audio', video: 'video', document: 'file', sticker: 'sticker' } as const;

/**
 * The sender's phone, when the WhatsApp id is one (it is not always: contacts are keyed by WhatsApp id), WhatsApp's
 * quirks repaired (Mexican `521…`, Brazilian mobiles without the ninth digit: identity.ts whatsappPhone).
 */
export const phoneOf = (waId: string): string | undefined => whatsappPhone(waId);

function mediaAttachment(m: JsonObject, type: keyof typeof MEDIA, where: string): AttachmentRef {
  const media = object(m[type], `${where}.${type}`);
  const ref: AttachmentRef = { type: MEDIA[type], ref: string(media.id, `${where}.${type}.id`) };
  const mimeType = optionalString(media.mime_type);
  const caption = optionalString(media.caption);
  const name = optionalString(media.filename);
  if (mimeType) ref.mimeType = mimeType;
  if (caption) ref.caption = caption;
  if (name) ref.name = name;
  return ref;
}

function coordinate(v: unknown, where: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw invalid(where, 'must be a number');
  return n;
}

/** What a message says, or undefined for the kinds Confluo does not handle. */
function contentOf(m: JsonObject, type: string, where: string): Content | undefined {
  switch (type) {
    case 'text':
      return { text: string(object(m.text, `${where}.text`).body, `${where}.text.body`) };
    case 'button':
      // A tap on a template's quick-reply button: its label is what the customer "said".
      return { text: string(object(m.button, `${where}.button`).text, `${where}.button.text`) };
    case 'interactive': {
      const i = object(m.interactive, `${where}.interactive`);
      if (i.type !== 'button_reply' && i.type !== 'list_reply') return undefined;
      return {
        text: string(object(i[i.type], `${where}.interactive.${i.type}`).title, `${where}.interactive.${i.type}.title`),
      };
    }
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return { attachments: [mediaAttachment(m, type, where)] };
    case 'location': {
      const loc = object(m.location, `${where}.location`);
      const ref: AttachmentRef = {
        type: 'location',
        ref: `geo:${coordinate(loc.latitude, `${where}.location.latitude`)},${coordinate(loc.longitude, `${where}.location.longitude`)}`,
      };
      const name = optionalString(loc.name);
      const address = optionalString(loc.address);
      if (name) ref.name = name;
      if (address) ref.caption = address;
      return { attachments: [ref] };
    }
    case 'contacts': {
      // Shared contact cards, by the card's WhatsApp id or phone; cards without either are dropped.
      const cards = array(m.contacts, `${where}.contacts`).flatMap((c): AttachmentRef[] => {
        const card = typeof c === 'object' && c !== null && !Array.isArray(c) ? c : {};
        const phone = Array.isArray(card.phones)
          ? card.phones.find((p) => typeof p === 'object' && p !== null && !Array.isArray(p))
          : undefined;
        const p = (phone ?? {}) as JsonObject;
        const ref = optionalString(p.wa_id) ?? optionalString(p.phone);
        if (!ref) return [];
        const name =
          typeof card.name === 'object' && card.name !== null && !Array.isArray(card.name)
            ? optionalString(card.name.formatted_name)
            : undefined;
        return [{ type: 'contact', ref, ...(name && { name }) }];
      });
      return cards.length > 0 ? { attachments: cards } : undefined;
    }
    default:
      return undefined;
  }
}

function messageEvent(m: JsonObject, names: Map<string, string>, where: string): MessageReceived | undefined {
  const from = string(m.from, `${where}.from`);
  const id = string(m.id, `${where}.id`);
  const timestamp = isoFromSeconds(m.timestamp, `${where}.timestamp`);
  const content = contentOf(m, string(m.type, `${where}.type`), where);
  if (!content) return undefined;
  const phone = phoneOf(from);
  const name = names.get(from);
  const context = m.context === undefined ? undefined : object(m.context, `${where}.context`);
  const inReplyTo = optionalString(context?.id);
  return {
    type: 'message.received',
    dedupeKey: id,
    providerMessageId: id,
    timestamp,
    sender: {
      identity: { kind: 'whatsapp', value: from },
      // Verified: WhatsApp delivered the message from this number.
      ...(phone && { identities: [{ kind: 'phone', value: phone, verified: true }] }),
      ...(name && { name }),
    },
    ...content,
    ...(inReplyTo && { thread: { inReplyTo } }),
    raw: m,
  };
}

const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

function statusEvent(s: JsonObject, where: string): MessageStatus | undefined {
  const id = string(s.id, `${where}.id`);
  const status = string(s.status, `${where}.status`);
  const timestamp = isoFromSeconds(s.timestamp, `${where}.timestamp`);
  if (!STATUSES.has(status)) return undefined;
  const recipient: ContactIdentityInput | undefined = optionalString(s.recipient_id)
    ? { kind: 'whatsapp', value: s.recipient_id as string }
    : undefined;
  const errors = optionalArray(s.errors, `${where}.errors`).map((e) => {
    const err = typeof e === 'object' && e !== null && !Array.isArray(e) ? e : {};
    const title = optionalString(err.title) ?? optionalString(err.message) ?? 'error';
    const data =
      typeof err.error_data === 'object' && err.error_data !== null && !Array.isArray(err.error_data)
        ? optionalString(err.error_data.details)
        : undefined;
    return `${typeof err.code === 'number' ? `(#${err.code}) ` : ''}${title}${data && data !== title ? `: ${data}` : ''}`;
  });
  return {
    type: 'message.status',
    dedupeKey: `${id}:${status}`,
    providerMessageId: id,
    timestamp,
    status: status as MessageStatus['status'],
    ...(errors.length > 0 && { error: errors.join('; ') }),
    ...(recipient && { recipient }),
  };
}

export function parseWhatsAppWebhook(body: unknown, phoneNumberId: string): ChannelEvent[] {
  const payload = object(body, 'body');
  if (payload.object !== 'whatsapp_business_account')
    throw invalid('object', `must be "whatsapp_business_account", not ${JSON.stringify(payload.object)}`);
  const events: ChannelEvent[] = [];
  array(payload.entry, 'entry').forEach((e, i) => {
    const entry = object(e, `entry[${i}]`);
    array(entry.changes, `entry[${i}].changes`).forEach((c, j) => {
      const at = `entry[${i}].changes[${j}]`;
      const change = object(c, at);
      // Group lifecycle/settings/participant changes are not conversations with a contact.
      if (change.field !== 'messages') return;
      const value = object(change.value, `${at}.value`);
      const metadata = object(value.metadata, `${at}.value.metadata`);
      if (string(metadata.phone_number_id, `${at}.value.metadata.phone_number_id`) !== phoneNumberId) return;
      const names = new Map<string, string>();
      optionalArray(value.contacts, `${at}.value.contacts`).forEach((k, n) => {
        const contact = object(k, `${at}.value.contacts[${n}]`);
        const waId = optionalString(contact.wa_id);
        const profile =
          contact.profile === undefined ? undefined : object(contact.profile, `${at}.value.contacts[${n}].profile`);
        const name = optionalString(profile?.name);
        if (waId && name) names.set(waId, name);
      });
      optionalArray(value.messages, `${at}.value.messages`).forEach((m, n) => {
        const event = messageEvent(object(m, `${at}.value.messages[${n}]`), names, `${at}.value.messages[${n}]`);
        if (event) events.push(event);
      });
      optionalArray(value.statuses, `${at}.value.statuses`).forEach((s, n) => {
        const event = statusEvent(object(s, `${at}.value.statuses[${n}]`), `${at}.value.statuses[${n}]`);
        if (event) events.push(event);
      });
    });
  });
  return events;
}

export const whatsappInbound: InboundContract = {
  handshake: (req, ctx) => metaHandshakeResponse(req, credential(ctx.account.credentials, 'verifyToken'), ctx.logger),
  verify: (req, ctx) => verifyMetaRequest(req, credential(ctx.account.credentials, 'appSecret')),
  parse(req, ctx) {
    const { phoneNumberId } = readWhatsappSettings(ctx.account);
    return parseWhatsAppWebhook(readJson(req), phoneNumberId);
  },
};
