// One fetched IMAP message → a normalized `message.received` event. Text comes from mailparser (the text part, or
// the HTML part converted to text); attachments are listed from the IMAP BODYSTRUCTURE, by reference, so their bytes
// never need to be parsed or stored.
import { simpleParser, type AddressObject } from 'mailparser';
import type { MessageStructureObject } from 'imapflow';
import type { JsonObject } from '../flow/types.js';
import type { AttachmentRef, MessageReceived, Logger } from '../sdk/index.js';
import { messageIdsIn } from './headers.js';

export interface FetchedMessage {
  mailbox: string;
  uidValidity: number;
  uid: number;
  /** The message, or its first bytes when `truncated`. */
  source: Buffer;
  truncated: boolean;
  internalDate?: Date;
  bodyStructure?: MessageStructureObject;
}

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((a) => a.value)
    .flatMap((v) => (v.group ? v.group : [v]))
    .map((v) => v.address?.trim().toLowerCase())
    .filter((a): a is string => !!a);

const validDate = (d: Date | undefined): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

/**
 * The event for one message, or undefined for mail Confluo must not treat as a customer writing: no usable From
 * address, or sent from the account's own address (a copy of our own outbound mail).
 */
export async function toEvent(
  msg: FetchedMessage,
  ownAddress: string,
  logger: Logger,
  now = new Date(),
): Promise<MessageReceived | undefined> {
  const where = { mailbox: msg.mailbox, uidValidity: msg.uidValidity, uid: msg.uid };
  const parsed = await simpleParser(msg.source, { skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  const fromValue = parsed.from?.value.find((v) => v.address?.includes('@'));
  const from = fromValue?.address?.trim().toLowerCase();
  if (!from) {
    logger.warn(where, 'skipping a message without a From address');
    return undefined;
  }
  if (from === ownAddress) {
    logger.debug(where, "skipping a message from the account's own address");
    return undefined;
  }
  const messageId = messageIdsIn(parsed.messageId)[0];
  const key = messageId ?? `uid:${msg.uidValidity}:${msg.uid}`;
  const references = messageIdsIn(parsed.references);
  const inReplyTo = messageIdsIn(parsed.inReplyTo)[0];
  const replyTo = addresses(parsed.replyTo)[0];
  const text = (
    parsed.text?.trim() ? parsed.text : typeof parsed.html === 'string' ? await htmlText(parsed.html) : undefined
  )?.replace(/\s+$/, '');
  const attachments = msg.bodyStructure ? attachmentsOf(msg.bodyStructure, `imap:${msg.mailbox}:${msg.uid}`) : [];
  const date = validDate(parsed.date) ? parsed.date : validDate(msg.internalDate) ? msg.internalDate : now;
  const autoSubmitted = parsed.headers.get('auto-submitted');

  const extra: JsonObject = { references, ...(parsed.subject !== undefined && { subject: parsed.subject }) };
  const raw: JsonObject = {
    ...where,
    ...(parsed.subject !== undefined && { subject: parsed.subject }),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    ...(typeof autoSubmitted === 'string' && { autoSubmitted }),
    ...(msg.truncated && { truncated: true }),
  };
  return {
    type: 'message.received',
    dedupeKey: key,
    providerMessageId: key,
    timestamp: date.toISOString(),
    sender: {
      identity: { kind: 'email', value: from },
      ...(fromValue?.name?.trim() && { name: fromValue.name.trim() }),
    },
    ...(replyTo !== undefined && replyTo !== from && { replyTo: { kind: 'email', value: replyTo } }),
    ...(text && { text }),
    ...(attachments.length > 0 && { attachments }),
    thread: { id: references[0] ?? key, ...(inReplyTo !== undefined && { inReplyTo }), extra },
    raw,
  };
}

/**
 * mailparser renders HTML as text only when the HTML is the whole message or sits beside a text part; an HTML-only
 * body inside multipart/mixed or related keeps no text. Parsing the HTML as a message of its own gets the rendering.
 */
async function htmlText(html: string): Promise<string | undefined> {
  const alone = await simpleParser(`Content-Type: text/html; charset=utf-8\r\n\r\n${html}`, {
    skipTextToHtml: true,
    skipImageLinks: true,
  });
  // Images embedded by Content-ID render as "[cid:...]": noise in a conversation.
  return alone.text?.replace(/\[cid:[^\]\s]*\]/g, '');
}

const isBodyText = (node: MessageStructureObject) =>
  (node.type === 'text/plain' || node.type === 'text/html') && node.disposition !== 'attachment';

function kindOf(mimeType: string): AttachmentRef['type'] {
  const top = mimeType.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}

/**
 * Every part a person would call an attachment: leaves that are not the message's text, not multipart containers,
 * and not images embedded in the HTML (the non-root parts of a multipart/related that carry a Content-ID).
 * The ref is `<prefix>:<IMAP part id>`, enough to download the part later with FETCH BODY[<part>].
 */
export function attachmentsOf(root: MessageStructureObject, prefix: string): AttachmentRef[] {
  const out: AttachmentRef[] = [];
  const walk = (node: MessageStructureObject, embedded: boolean) => {
    if (node.childNodes && node.type.startsWith('multipart/')) {
      const related = node.type === 'multipart/related';
      node.childNodes.forEach((child, i) => walk(child, related && i > 0));
      return;
    }
    if (isBodyText(node)) return;
    if (embedded && node.id && node.disposition !== 'attachment') return;
    const name = node.dispositionParameters?.filename ?? node.parameters?.name;
    out.push({
      type: kindOf(node.type),
      ref: `${prefix}:${node.part ?? '1'}`,
      mimeType: node.type,
      ...(name && { name }),
    });
  };
  walk(root, false);
  return out;
}
