// Telegram webhooks: one JSON-serialized Update per POST, authenticated by the secret_token given to setWebhook
// (X-Telegram-Bot-Api-Secret-Token). Only `message` updates become events; every other kind (edits, channel posts,
// callbacks, member changes) is acknowledged and skipped.
import type { JsonObject } from '../flow/types.js';
import {
  InboundPayloadError,
  isValidTelegramSecret,
  verifyTelegram,
  type AttachmentRef,
  type ChannelEvent,
  type InboundContract,
  type MessageReceived,
} from '../sdk/index.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function parseUpdate(rawBody: Buffer): Obj {
  let update: unknown;
  try {
    update = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InboundPayloadError('the Telegram update is not JSON');
  }
  if (!isObject(update) || !isInt(update.update_id))
    throw new InboundPayloadError('a Telegram Update is an object with an integer update_id');
  return update;
}

/** A file-like field (`document`, `audio`, ...) as an attachment, when it carries a file_id. */
function fileRef(type: AttachmentRef['type'], v: unknown): AttachmentRef | undefined {
  if (!isObject(v)) return undefined;
  const ref = str(v.file_id);
  if (!ref) throw new InboundPayloadError(`a Telegram ${type} without a file_id`);
  const mimeType = str(v.mime_type);
  const fileName = str(v.file_name) ?? str(v.title);
  return { type, ref, ...(mimeType && { mimeType }), ...(fileName && { name: fileName }) };
}

function attachmentsOf(m: Obj): AttachmentRef[] {
  const out: Array<AttachmentRef | undefined> = [];
  if (Array.isArray(m.photo) && m.photo.length > 0) {
    // Telegram sends every size of the photo; the largest is the original.
    const area = (p: unknown) => (isObject(p) && isInt(p.width) && isInt(p.height) ? p.width * p.height : 0);
    const largest = m.photo.reduce((a: unknown, b: unknown) => (area(b) >= area(a) ? b : a));
    out.push(fileRef('image', largest));
  }
  // An animation (GIF) is also sent as `document` for old clients: keep only the animation.
  if (m.animation !== undefined) out.push(fileRef('video', m.animation));
  else out.push(fileRef('file', m.document));
  out.push(
    fileRef('audio', m.audio),
    fileRef('audio', m.voice),
    fileRef('video', m.video),
    fileRef('video', m.video_note),
    fileRef('sticker', m.sticker),
  );
  const loc = m.location;
  if (isObject(loc)) {
    if (typeof loc.latitude !== 'number' || typeof loc.longitude !== 'number')
      throw new InboundPayloadError('a Telegram location needs latitude and longitude');
    out.push({ type: 'location', ref: `geo:${loc.latitude},${loc.longitude}` });
  }
  const contact = m.contact;
  if (isObject(contact)) {
    const phone = str(contact.phone_number);
    if (!phone) throw new InboundPayloadError('a Telegram contact needs a phone_number');
    const name = [str(contact.first_name), str(contact.last_name)].filter(Boolean).join(' ');
    out.push({ type: 'contact', ref: phone, ...(name && { name }) });
  }
  return out.filter((a): a is AttachmentRef => a !== undefined);
}

/**
 * The sender's own phone, when the message shares their own contact (a `request_contact` keyboard button, or the
 * contact card of themselves: `contact.user_id` is the sender's id). Telegram vouches for it (verified). A contact of
 * someone else (another user_id, or none) is only an attachment. Telegram gives the number without `+` at times.
 */
function ownPhone(m: Obj, userId: number): { kind: 'phone'; value: string; verified: true } | undefined {
  const contact = m.contact;
  if (!isObject(contact) || contact.user_id !== userId) return undefined;
  const phone = str(contact.phone_number)?.trim();
  if (!phone) return undefined;
  return { kind: 'phone', value: /^[0-9]+$/.test(phone) ? `+${phone}` : phone, verified: true };
}

/** The event for one `message`, or undefined for messages with no person or no content (service messages). */
export function messageEvent(m: unknown): MessageReceived | undefined {
  if (!isObject(m) || !isInt(m.message_id) || !isInt(m.date) || !isObject(m.chat) || !isInt(m.chat.id)) {
    throw new InboundPayloadError('a Telegram Message needs an integer message_id, date and chat.id');
  }
  // Unix seconds a Date can hold (±8.64e12): past them toISOString throws.
  if (Math.abs(m.date) > 8.64e12) throw new InboundPayloadError('a Telegram Message date is Unix seconds');
  const from = m.from;
  if (from === undefined) return undefined;
  if (!isObject(from) || !isInt(from.id))
    throw new InboundPayloadError('a Telegram message sender needs an integer id');
  const text = str(m.text) ?? str(m.caption);
  const attachments = attachmentsOf(m);
  if (text === undefined && attachments.length === 0) return undefined; // joins, pins, title changes, ...

  const chatId = String(m.chat.id);
  const userId = String(from.id);
  const name = [str(from.first_name), str(from.last_name)].filter(Boolean).join(' ');
  const id = `${chatId}:${m.message_id}`;
  const replied =
    isObject(m.reply_to_message) && isInt(m.reply_to_message.message_id)
      ? `${chatId}:${m.reply_to_message.message_id}`
      : undefined;
  const topic = m.is_topic_message === true && isInt(m.message_thread_id) ? m.message_thread_id : undefined;
  const phone = ownPhone(m, from.id);
  return {
    type: 'message.received',
    dedupeKey: id,
    providerMessageId: id,
    timestamp: new Date(m.date * 1000).toISOString(),
    sender: {
      identity: { kind: 'telegram', value: userId },
      ...(phone && { identities: [phone] }),
      ...(name && { name }),
    },
    // In a group the reply goes to the group, not privately to the member.
    ...(chatId !== userId && { replyTo: { kind: 'telegram', value: chatId } }),
    ...(text !== undefined && { text }),
    ...(attachments.length > 0 && { attachments }),
    thread: {
      id: chatId,
      ...(replied && { inReplyTo: replied }),
      ...(topic !== undefined && { extra: { messageThreadId: topic } }),
    },
    raw: m as JsonObject,
  };
}

export const telegramInbound: InboundContract = {
  verify(req, ctx) {
    const secret = ctx.account.credentials.webhookSecret;
    if (!isValidTelegramSecret(secret))
      return { ok: false, reason: 'the account has no webhook secret yet: register the account' };
    return verifyTelegram(secret, req.headers['x-telegram-bot-api-secret-token'])
      ? { ok: true }
      : { ok: false, reason: 'X-Telegram-Bot-Api-Secret-Token is missing or wrong' };
  },
  parse(req, ctx): ChannelEvent[] {
    const update = parseUpdate(req.rawBody);
    if (update.message === undefined) return [];
    const event = messageEvent(update.message);
    if (!event)
      ctx.logger.debug(
        { accountId: ctx.account.id, updateId: update.update_id },
        'telegram message without sender or content skipped',
      );
    return event ? [event] : [];
  },
};
