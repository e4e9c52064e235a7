// channel.send for SMS: the platform's outbound message as Twilio's CreateMessage form.
import type { JsonObject } from '../flow/types.js';
import { ConnectorError, type OutboundMessage, type SendContext, type SendResult } from '../sdk/index.js';
import { readSmsAuth } from './auth.js';
import { createMessage } from './client.js';
import { toE164 } from './phone.js';
import { readSmsSettings, type SmsSettings } from './settings.js';

const invalid = (field: string, message: string) =>
  new ConnectorError('validation', `${field}: ${message}`, {
    code: 'INPUT_INVALID',
    retryable: false,
    details: { field },
  });

/** Provider-specific content in `payload`: a Content API template (ContentSid, with its variables). */
interface SmsPayload {
  contentSid?: string;
  contentVariables?: JsonObject;
}

function payloadOf(payload: JsonObject | undefined): SmsPayload {
  if (payload === undefined) return {};
  const unknown = Object.keys(payload).filter((k) => k !== 'contentSid' && k !== 'contentVariables');
  if (unknown.length > 0)
    throw invalid('payload', `unknown field(s) ${unknown.join(', ')}; SMS takes contentSid and contentVariables`);
  const { contentSid, contentVariables } = payload;
  if (contentSid !== undefined && (typeof contentSid !== 'string' || !/^HX[0-9a-fA-F]{32}$/.test(contentSid)))
    throw invalid('payload.contentSid', 'must be HX followed by 32 hex digits');
  if (
    contentVariables !== undefined &&
    (typeof contentVariables !== 'object' || contentVariables === null || Array.isArray(contentVariables))
  )
    throw invalid('payload.contentVariables', 'must be an object');
  return {
    ...(contentSid !== undefined && { contentSid }),
    ...(contentVariables !== undefined && { contentVariables }),
  };
}

function mediaUrl(ref: string, i: number): string {
  let url: URL;
  try {
    url = new URL(ref);
  } catch {
    throw invalid(`attachments/${i}/ref`, 'SMS sends media by public URL (http or https); got no URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(`attachments/${i}/ref`, 'must be an http or https URL Twilio can fetch');
  return ref;
}

/** The CreateMessage form for `message`, sent from the account's sender; statuses are asked to `inboundUrl`. */
export function messageForm(settings: SmsSettings, inboundUrl: string, message: OutboundMessage): URLSearchParams {
  if (message.to.kind !== 'phone')
    throw invalid('to', `SMS sends to phone numbers, not ${JSON.stringify(message.to.kind)}`);
  const form = new URLSearchParams({ To: toE164(message.to.value) });
  // Both may be set: Twilio then sends from `From` and applies the Messaging Service's features.
  if (settings.from) form.set('From', settings.from);
  if (settings.messagingServiceSid) form.set('MessagingServiceSid', settings.messagingServiceSid);
  if (message.text) form.set('Body', message.text);
  (message.attachments ?? []).forEach((a, i) => form.append('MediaUrl', mediaUrl(a.ref, i)));
  const payload = payloadOf(message.payload);
  if (payload.contentSid) form.set('ContentSid', payload.contentSid);
  if (payload.contentVariables) form.set('ContentVariables', JSON.stringify(payload.contentVariables));
  if (!form.has('Body') && !form.has('MediaUrl') && !form.has('ContentSid'))
    throw invalid('text', 'nothing to send: give a text, media URLs or a contentSid');
  if (settings.statusCallback) form.set('StatusCallback', inboundUrl);
  return form;
}

// Twilio's status of a just-created message: anything before "sent" is queued for the platform.
const sendStatus = (s: string): SendResult['status'] => (s === 'sent' || s === 'delivered' ? s : 'queued');

export async function sendSms(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  const settings = readSmsSettings(ctx.account);
  const credentials = readSmsAuth(ctx.account);
  const form = messageForm(settings, ctx.account.inboundUrl, message);
  const created = await createMessage({ apiBaseUrl: settings.apiBaseUrl, credentials, form, signal: ctx.signal });
  ctx.logger.debug({ accountId: ctx.account.id, sid: created.sid, status: created.status }, 'Twilio accepted the SMS');
  return {
    providerMessageId: created.sid,
    status: sendStatus(created.status),
    provider: {
      sid: created.sid,
      status: created.status,
      to: created.to ?? form.get('To'),
      from: created.from ?? null,
      messagingServiceSid: created.messaging_service_sid ?? null,
      ...(created.num_segments !== undefined && { numSegments: created.num_segments }),
    },
  };
}
