// Twilio's Messages API (2010-04-01): one call, create a message, and the mapping of Twilio's answers to
// ConnectorErrors. Twilio has no idempotency key for creates, so an error after the request may have reached Twilio
// (a timeout) is retryable like any upstream failure: the platform's outbound record is what prevents re-sends.
import type { JsonObject } from '../flow/types.js';
import { ConnectorError, errorFromHttpStatus, providerText } from '../sdk/index.js';
import type { SmsAuth } from './auth.js';
import { twilioApi } from './settings.js';

export const REQUEST_TIMEOUT_MS = 30_000;

/** The fields of Twilio's message resource this connector reads (the rest is ignored). */
export interface TwilioMessageResource {
  sid: string;
  status: string;
  to?: string;
  from?: string | null;
  messaging_service_sid?: string | null;
  num_segments?: string;
  num_media?: string;
}

/** Twilio's JSON error body (twilio-node's RestException fields). */
interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
}

// Codes that mean the account's sender is wrong, not the message: fixed in the account settings.
const SENDER_ERRORS = new Set([21212, 21606, 21659, 21660]);
/** "Attempt to send to unsubscribed recipient": the recipient texted STOP to this sender. */
export const TWILIO_UNSUBSCRIBED = 21610;

export function messagesUrl(apiBaseUrl: string, accountSid: string): string {
  return `${apiBaseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
}

function parseError(body: string): TwilioErrorBody | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && typeof (v as TwilioErrorBody).code === 'number'
      ? (v as TwilioErrorBody)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The ConnectorError for a non-2xx answer of the Messages API. */
export function twilioError(status: number, body: string, retryAfter: string | null, to: string): ConnectorError {
  const err = parseError(body);
  // Not Twilio's error shape (a proxy's page, an internal server's answer): never quoted.
  if (!err)
    return errorFromHttpStatus(status, { retryAfter, message: `Twilio answered HTTP ${status} (not a Twilio error)` });
  const twilioMessage = typeof err.message === 'string' ? providerText(err.message) : '';
  const details: JsonObject = {
    status,
    twilioCode: err.code ?? null,
    twilioMessage,
    ...(typeof err.more_info === 'string' && { moreInfo: providerText(err.more_info) }),
  };
  if (err.code === TWILIO_UNSUBSCRIBED) {
    return new ConnectorError(
      'validation',
      `${to} opted out of messages from this sender (replied STOP or another opt-out keyword); Twilio will not send to them until they text START (Twilio error 21610)`,
      { code: 'RECIPIENT_OPTED_OUT', retryable: false, details },
    );
  }
  const base = errorFromHttpStatus(status, { retryAfter, message: `Twilio error ${err.code}: ${twilioMessage}` });
  const kind = status === 400 && SENDER_ERRORS.has(err.code!) ? 'config' : base.kind;
  return new ConnectorError(kind, base.message, {
    retryable: base.retryable,
    ...(base.code !== undefined && { code: base.code }),
    ...(base.retryAfterMs !== undefined && { retryAfterMs: base.retryAfterMs }),
    details,
  });
}

/** POST .../Messages.json with the form; the created message, or a ConnectorError. */
export async function createMessage(opts: {
  apiBaseUrl: string;
  credentials: SmsAuth;
  form: URLSearchParams;
  signal: AbortSignal;
  timeoutMs?: number;
}): Promise<TwilioMessageResource> {
  const url = messagesUrl(twilioApi.baseUrl(opts.apiBaseUrl), opts.credentials.accountSid);
  const timeoutMs = opts.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const to = opts.form.get('To') ?? '';
  const res = await twilioApi.call({
    label: `Twilio message create (${new URL(url).origin})`,
    url,
    init: {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${opts.credentials.accountSid}:${opts.credentials.authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: opts.form.toString(),
    },
    signal: opts.signal,
    timeoutMs,
  });
  const text = res.text;
  if (res.status < 200 || res.status > 299) throw twilioError(res.status, text, res.retryAfter, to);
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    message = undefined;
  }
  const m = message as Partial<TwilioMessageResource> | undefined;
  if (typeof m?.sid !== 'string' || m.sid === '' || typeof m.status !== 'string') {
    // Twilio accepted the request: retrying could send the message twice.
    throw new ConnectorError('upstream', `Twilio answered HTTP ${res.status} without a message sid`, {
      code: 'BAD_RESPONSE',
      retryable: false,
      details: { status: res.status },
    });
  }
  return m as TwilioMessageResource;
}
