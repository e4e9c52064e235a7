// The inbound side of SMS: Twilio's incoming-message webhook and the delivery status callbacks, both form POSTs signed
// with X-Twilio-Signature and both sent to the account's one inbound URL (sends set StatusCallback to it).
import type { JsonObject } from '../flow/types.js';
import {
  InboundPayloadError,
  verifyTwilio,
  verifyTwilioBody,
  type AttachmentRef,
  type ChannelEvent,
  type InboundContext,
  type InboundContract,
  type InboundRequest,
  type InboundResponse,
  type MessageReceived,
  type MessageStatus,
  type VerifyResult,
} from '../sdk/index.js';
import { consentOf } from './keywords.js';
import { attachmentType } from './media.js';
import { reportedPhone } from './phone.js';

/** Empty TwiML: Twilio sends no reply of its own (replies are flows' business). */
export const TWIML_ACK: InboundResponse = { status: 200, body: '<Response/>', contentType: 'text/xml' };

const header = (req: InboundRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function hasBodyHash(url: string): boolean {
  try {
    return new URL(url).searchParams.has('bodySHA256');
  } catch {
    return false;
  }
}

export function verifySms(req: InboundRequest, ctx: InboundContext): VerifyResult {
  const token = ctx.account.credentials.authToken;
  if (typeof token !== 'string' || token === '')
    return { ok: false, reason: 'the account has no authToken to check X-Twilio-Signature with' };
  const signature = req.headers['x-twilio-signature'];
  if (signature === undefined || signature === '') return { ok: false, reason: 'no X-Twilio-Signature header' };
  // Every parameter as received: Twilio adds parameters without notice, and all of them are signed.
  const ok = hasBodyHash(req.url)
    ? verifyTwilioBody(token, req.url, req.rawBody, signature)
    : verifyTwilio(token, req.url, new URLSearchParams(req.rawBody.toString('utf8')), signature);
  return ok
    ? { ok: true }
    : {
        ok: false,
        reason:
          'X-Twilio-Signature does not match this URL and body (Twilio signs the public URL it called: check CONFLUO_PUBLIC_URL and any proxy rewriting)',
      };
}

// Statuses of an outbound message that are news to a conversation. queued, sending, accepted and scheduled come before
// "sent" (the send already recorded them as queued); receiving/received belong to inbound messages;
// partially_delivered has no counterpart in Confluo's model. All of those are skipped.
const STATUS: Readonly<Record<string, MessageStatus['status']>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

function formOf(req: InboundRequest): URLSearchParams {
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== '' && type !== 'application/x-www-form-urlencoded') {
    throw new InboundPayloadError(`expected Twilio's form-encoded webhook, got content type ${JSON.stringify(type)}`);
  }
  return new URLSearchParams(req.rawBody.toString('utf8'));
}

/** Form parameters as JSON (a repeated name becomes an array), for the event's `raw`. */
function rawOf(form: URLSearchParams): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of form) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev as string, v];
  }
  return out;
}

const nonEmpty = (v: string | null): string | undefined => (v === null || v.trim() === '' ? undefined : v);

function statusEvent(
  form: URLSearchParams,
  sid: string,
  twilioStatus: string,
  timestamp: string,
): MessageStatus | undefined {
  const status = STATUS[twilioStatus];
  if (status === undefined) return undefined;
  const code = nonEmpty(form.get('ErrorCode'));
  const detail = nonEmpty(form.get('ErrorMessage'));
  const error =
    code !== undefined
      ? `Twilio error ${code}${detail !== undefined ? `: ${detail}` : ''}`
      : (detail ?? (twilioStatus === 'canceled' ? 'canceled before it was sent' : undefined));
  const to = nonEmpty(form.get('To'));
  const recipient = to === undefined ? undefined : reportedPhone(to);
  return {
    type: 'message.status',
    dedupeKey: `${sid}:${twilioStatus}`,
    timestamp,
    providerMessageId: sid,
    status,
    ...(error !== undefined && { error }),
    ...(recipient !== undefined && { recipient: { kind: 'phone', value: recipient } }),
  };
}

function attachmentsOf(form: URLSearchParams): AttachmentRef[] {
  const declared = form.get('NumMedia');
  if (declared !== null && !/^\d{1,2}$/.test(declared.trim()))
    throw new InboundPayloadError(`NumMedia is not a count: ${JSON.stringify(declared)}`);
  const out: AttachmentRef[] = [];
  // Without NumMedia (never seen, but cheap to honour) the MediaUrl{N} present are taken in order.
  const count = declared !== null ? Number(declared) : Infinity;
  for (let i = 0; i < count; i++) {
    const url = nonEmpty(form.get(`MediaUrl${i}`));
    if (url === undefined) {
      if (declared === null) break;
      throw new InboundPayloadError(`NumMedia is ${count} but MediaUrl${i} is missing`);
    }
    const mimeType = nonEmpty(form.get(`MediaContentType${i}`));
    out.push({ type: attachmentType(mimeType), ref: url, ...(mimeType !== undefined && { mimeType }) });
  }
  return out;
}

function messageEvent(
  form: URLSearchParams,
  sid: string,
  timestamp: string,
  ctx: InboundContext,
): MessageReceived | undefined {
  const from = nonEmpty(form.get('From'));
  if (from === undefined) throw new InboundPayloadError('an incoming message without From');
  if (/^[a-z][a-z0-9+.-]*:/i.test(from)) {
    // `whatsapp:+1…`, `messenger:…`: another channel's sender configured to this SMS account's URL.
    ctx.logger.warn(
      { accountId: ctx.account.id, sid, channel: from.slice(0, from.indexOf(':')) },
      'skipped a non-SMS message sent to an SMS account',
    );
    return undefined;
  }
  const phone = reportedPhone(from);
  if (phone === undefined) {
    ctx.logger.warn(
      { accountId: ctx.account.id, sid },
      'skipped an SMS whose sender is not a phone number (short code or sender id)',
    );
    return undefined;
  }
  const body = form.get('Body');
  const attachments = attachmentsOf(form);
  const consent = consentOf(body, form.get('OptOutType'));
  return {
    type: 'message.received',
    dedupeKey: sid,
    timestamp,
    providerMessageId: sid,
    sender: { identity: { kind: 'phone', value: phone } },
    ...(body !== null && body !== '' && { text: body }),
    ...(attachments.length > 0 && { attachments }),
    ...(consent !== undefined && { consent }),
    raw: rawOf(form),
  };
}

export function parseSms(req: InboundRequest, ctx: InboundContext): ChannelEvent[] {
  const form = formOf(req);
  const sid = nonEmpty(form.get('MessageSid')) ?? nonEmpty(form.get('SmsSid')) ?? nonEmpty(form.get('SmsMessageSid'));
  if (sid === undefined) throw new InboundPayloadError('no MessageSid: not a Twilio messaging webhook');
  // Twilio's webhooks carry no event time: the time they arrive is the closest there is.
  const timestamp = new Date(ctx.now).toISOString();
  // Status callbacks carry MessageStatus; incoming messages carry SmsStatus=received (and no MessageStatus).
  const status = (nonEmpty(form.get('MessageStatus')) ?? nonEmpty(form.get('SmsStatus')))?.toLowerCase();
  const inbound = status === undefined || status === 'received' || status === 'receiving';
  const event = inbound ? messageEvent(form, sid, timestamp, ctx) : statusEvent(form, sid, status, timestamp);
  return event === undefined ? [] : [event];
}

export const smsInbound: InboundContract = { verify: verifySms, parse: parseSms, ack: TWIML_ACK };
