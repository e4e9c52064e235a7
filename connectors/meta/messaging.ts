// Messenger and Instagram messaging are one platform with two names: the same webhook envelope (`entry[].messaging[]`)
// and the same Send API (`POST /v23.0/me/messages`). Each connector declares its names and schemas; this builds the
// channel. Identities are scoped to the account: `<pageId>:<psid>` or `<igAccountId>:<igsid>`.
import type { JsonObject } from '../flow/types.js';
import {
  ConnectorError,
  accountReader,
  type AttachmentRef,
  type ChannelDefinition,
  type ChannelEvent,
  type MessageReceived,
  type MessageStatus,
  type OutboundMessage,
  type SendContext,
  type SendResult,
  type TSchema,
} from '../sdk/index.js';
import { graphPost } from './graph.js';
import {
  array,
  credential,
  invalid,
  isoFromMillis,
  metaHandshakeResponse,
  object,
  optionalArray,
  optionalString,
  readJson,
  string,
  verifyMetaRequest,
} from './webhook.js';

export interface MessagingChannelConfig {
  /** The channel name and identity kind: `messenger` or `instagram`. */
  kind: 'messenger' | 'instagram';
  /** For messages: `Messenger`, `Instagram`. */
  label: string;
  /** The webhook's `object`. */
  object: 'page' | 'instagram';
  /** The credentials key holding the access token (Page access token, Instagram token). */
  tokenKey: string;
  /** The settings key holding the account id (`entry[].id`, the first half of identities). */
  accountIdKey: string;
  auth: TSchema;
  settings: TSchema;
}

interface ParseOptions {
  object: string;
  kind: string;
  accountId: string;
}

const ATTACHMENT_TYPES: Record<string, AttachmentRef['type']> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'file',
};

function attachmentRef(a: unknown): AttachmentRef[] {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return [];
  const att = a as JsonObject;
  const payload =
    typeof att.payload === 'object' && att.payload !== null && !Array.isArray(att.payload) ? att.payload : {};
  // By reference only; shares, story mentions and reels keep their URL under `other`. No URL, nothing to point at.
  const url = optionalString(payload.url);
  if (!url) return [];
  const type = payload.sticker_id !== undefined ? 'sticker' : (ATTACHMENT_TYPES[String(att.type)] ?? 'other');
  const title = optionalString(payload.title);
  return [{ type, ref: url, ...(title && { name: title }) }];
}

function receivedEvent(ev: JsonObject, opts: ParseOptions, where: string): MessageReceived | undefined {
  const m = object(ev.message, `${where}.message`);
  // Echoes are the account's own messages; deleted ones were unsent.
  if (m.is_echo === true || m.is_deleted === true) return undefined;
  const psid = string(object(ev.sender, `${where}.sender`).id, `${where}.sender.id`);
  const mid = string(m.mid, `${where}.message.mid`);
  const timestamp = isoFromMillis(ev.timestamp, `${where}.timestamp`);
  const text = optionalString(m.text);
  const attachments = optionalArray(m.attachments, `${where}.message.attachments`).flatMap(attachmentRef);
  if (text === undefined && attachments.length === 0) return undefined;
  const replyTo =
    m.reply_to === undefined ? undefined : optionalString(object(m.reply_to, `${where}.message.reply_to`).mid);
  return {
    type: 'message.received',
    dedupeKey: mid,
    providerMessageId: mid,
    timestamp,
    sender: { identity: { kind: opts.kind, value: `${opts.accountId}:${psid}` } },
    ...(text !== undefined && { text }),
    ...(attachments.length > 0 && { attachments }),
    ...(replyTo && { thread: { inReplyTo: replyTo } }),
    raw: ev,
  };
}

/** A tap on a postback button: its title is what the person "said" (like WhatsApp's button replies). */
function postbackEvent(ev: JsonObject, opts: ParseOptions, where: string): MessageReceived | undefined {
  const p = object(ev.postback, `${where}.postback`);
  const mid = optionalString(p.mid);
  const title = optionalString(p.title);
  if (!mid || !title) return undefined;
  const psid = string(object(ev.sender, `${where}.sender`).id, `${where}.sender.id`);
  return {
    type: 'message.received',
    dedupeKey: mid,
    providerMessageId: mid,
    timestamp: isoFromMillis(ev.timestamp, `${where}.timestamp`),
    sender: { identity: { kind: opts.kind, value: `${opts.accountId}:${psid}` } },
    text: title,
    raw: ev,
  };
}

/**
 * Deliveries name the delivered messages (`delivery.mids`), and Instagram's reads name one (`read.mid`): those map
 * to statuses exactly. Messenger's reads carry only a watermark ("everything before this time"), which names no
 * message, so they are skipped, as are deliveries without `mids`.
 */
function statusEvents(ev: JsonObject, opts: ParseOptions, where: string): MessageStatus[] {
  const psid = optionalString(
    typeof ev.sender === 'object' && ev.sender !== null && !Array.isArray(ev.sender) ? ev.sender.id : undefined,
  );
  const recipient = psid ? { recipient: { kind: opts.kind, value: `${opts.accountId}:${psid}` } } : {};
  const status = (mid: string, s: 'delivered' | 'read', at: unknown, atWhere: string): MessageStatus => ({
    type: 'message.status',
    dedupeKey: `${mid}:${s}`,
    providerMessageId: mid,
    timestamp: isoFromMillis(at, atWhere),
    status: s,
    ...recipient,
  });
  if (ev.delivery !== undefined) {
    const d = object(ev.delivery, `${where}.delivery`);
    const at = ev.timestamp ?? d.watermark;
    return optionalArray(d.mids, `${where}.delivery.mids`)
      .map((mid, i) => string(mid, `${where}.delivery.mids[${i}]`))
      .map((mid) => status(mid, 'delivered', at, `${where}.timestamp`));
  }
  const r = object(ev.read, `${where}.read`);
  const mid = optionalString(r.mid);
  return mid ? [status(mid, 'read', ev.timestamp, `${where}.timestamp`)] : [];
}

export function parseMessagingWebhook(body: unknown, opts: ParseOptions): ChannelEvent[] {
  const payload = object(body, 'body');
  if (payload.object !== opts.object)
    throw invalid('object', `must be ${JSON.stringify(opts.object)}, not ${JSON.stringify(payload.object)}`);
  const events: ChannelEvent[] = [];
  array(payload.entry, 'entry').forEach((e, i) => {
    const entry = object(e, `entry[${i}]`);
    // Another Page (or Instagram account) of the same app: that account's endpoint gets it too.
    if (string(entry.id, `entry[${i}].id`) !== opts.accountId) return;
    // Only `messaging`: `standby` is for threads another app owns (handover protocol), `changes` are feed/comments.
    optionalArray(entry.messaging, `entry[${i}].messaging`).forEach((m, j) => {
      const where = `entry[${i}].messaging[${j}]`;
      const ev = object(m, where);
      if (ev.message !== undefined) {
        const r = receivedEvent(ev, opts, where);
        if (r) events.push(r);
      } else if (ev.postback !== undefined) {
        const r = postbackEvent(ev, opts, where);
        if (r) events.push(r);
      } else if (ev.delivery !== undefined || ev.read !== undefined) {
        events.push(...statusEvents(ev, opts, where));
      }
      // Reactions, referrals, opt-ins, handovers: not messages; skipped.
    });
  });
  return events;
}

const invalidInput = (message: string, field: string) =>
  new ConnectorError('validation', message, { code: 'INPUT_INVALID', retryable: false, details: { field } });

/** The scoped id to send to: `<accountId>:<id>` (the identity) or a bare id; another account's prefix is refused. */
export function scopedRecipient(value: string, accountId: string, label: string): string {
  const v = value.trim();
  const m = /^(?:([0-9]+):)?([0-9]+)$/.exec(v);
  if (!m) throw invalidInput(`to: ${JSON.stringify(value)} is not a ${label} user id (<accountId>:<id> or <id>)`, 'to');
  if (m[1] !== undefined && m[1] !== accountId) {
    throw invalidInput(
      `to: ${JSON.stringify(value)} belongs to account ${m[1]}, but this ${label} account is ${accountId}; ids are scoped to one account`,
      'to',
    );
  }
  return m[2]!;
}

/** The Send API body for a text message (exported for tests). */
export function sendApiBody(message: OutboundMessage, recipientId: string, label: string): JsonObject {
  if (message.attachments?.length)
    throw invalidInput(`the ${label} connector sends text only; attachments are not supported`, 'attachments');
  if (typeof message.text !== 'string' || message.text === '') throw invalidInput('text is required', 'text');
  const tag = message.payload?.tag;
  if (tag !== undefined && (typeof tag !== 'string' || !/^[A-Z_]+$/.test(tag)))
    throw invalidInput('payload.tag must be a message tag such as HUMAN_AGENT', 'payload.tag');
  return {
    recipient: { id: recipientId },
    // A tag lets a message go out after the 24-hour window (e.g. HUMAN_AGENT); otherwise it answers the person.
    ...(tag !== undefined ? { messaging_type: 'MESSAGE_TAG', tag } : { messaging_type: 'RESPONSE' }),
    message: { text: message.text },
  };
}

export function messagingChannel(cfg: MessagingChannelConfig): ChannelDefinition {
  const credentialsOf = accountReader<TSchema, Record<string, string>>(cfg.auth, cfg.label).credentials;
  const settingsOf = accountReader<TSchema, Record<string, string>>(cfg.settings, cfg.label).settings;

  async function send(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
    const token = credentialsOf(ctx.account)[cfg.tokenKey]!;
    const settings = settingsOf(ctx.account);
    const accountId = settings[cfg.accountIdKey]!;
    if (message.to.kind !== cfg.kind)
      throw invalidInput(
        `to: ${cfg.label} sends to a ${cfg.kind} identity, not ${JSON.stringify(message.to.kind)}`,
        'to',
      );
    const body = sendApiBody(message, scopedRecipient(message.to.value, accountId, cfg.label), cfg.label);
    const res = (await graphPost({
      baseUrl: settings.apiBaseUrl!,
      path: ['me', 'messages'],
      token,
      body,
      signal: ctx.signal,
    })) as { message_id?: unknown; recipient_id?: unknown };
    if (typeof res?.message_id !== 'string' || res.message_id === '') {
      throw new ConnectorError('upstream', `${cfg.label} accepted the message but answered no message_id`, {
        code: 'BAD_RESPONSE',
        retryable: false,
      });
    }
    return {
      providerMessageId: res.message_id,
      status: 'sent',
      provider: typeof res.recipient_id === 'string' ? { recipientId: res.recipient_id } : {},
    };
  }

  return {
    name: cfg.kind,
    addressKinds: [cfg.kind],
    settings: cfg.settings,
    // A bare id is scoped to the account, so the send lands on the contact the inbound side created.
    normalizeAddress(account, to) {
      if (to.kind !== cfg.kind) return to;
      const accountId = settingsOf(account)[cfg.accountIdKey]!;
      return { kind: cfg.kind, value: `${accountId}:${scopedRecipient(to.value, accountId, cfg.label)}` };
    },
    inbound: {
      handshake: (req, ctx) =>
        metaHandshakeResponse(req, credential(ctx.account.credentials, 'verifyToken'), ctx.logger),
      verify: (req, ctx) => verifyMetaRequest(req, credential(ctx.account.credentials, 'appSecret')),
      parse(req, ctx) {
        const accountId = settingsOf(ctx.account)[cfg.accountIdKey]!;
        return parseMessagingWebhook(readJson(req), { object: cfg.object, kind: cfg.kind, accountId });
      },
    },
    send,
  };
}
