// Bot API calls: POST <base>/bot<token>/<method> with a JSON body, answered `{ ok, result }` or
// `{ ok: false, error_code, description, parameters?: { retry_after } }`. The token is part of the URL, so no URL and
// no error text that may quote one leaves this module unredacted.
import type { JsonObject, JsonValue } from '../flow/types.js';
import { ConnectorError, errorFromHttpStatus, providerText, type ChannelAccount } from '../sdk/index.js';
import { readTelegramAuth } from './auth.js';
import { readTelegramSettings, telegramApi } from './settings.js';

/** A Bot API call that hangs longer than this is given up on (and retried by the step). */
export const REQUEST_TIMEOUT_MS = 30_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function callTelegram<T = JsonValue>(
  account: ChannelAccount,
  method: string,
  params: JsonObject,
  signal: AbortSignal,
): Promise<T> {
  const token = readTelegramAuth(account).botToken;
  const { apiBaseUrl } = readTelegramSettings(account);
  const redact = (s: string) => s.split(token).join('<bot token>');
  // keepCause false: fetch's errors quote the URL, token included.
  const { status, text, retryAfter } = await telegramApi.call({
    label: `Telegram ${method}`,
    url: `${apiBaseUrl}/bot${token}/${method}`,
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) },
    signal,
    timeoutMs: REQUEST_TIMEOUT_MS,
    keepCause: false,
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isObject(body) && body.ok === true && 'result' in body) return body.result as T;
  throw telegramError(method, status, body, retryAfter, redact);
}

/** The ConnectorError for a failed call: error_code decides the kind (429 → rate_limited with retry_after). */
export function telegramError(
  method: string,
  httpStatus: number,
  body: unknown,
  retryAfterHeader: string | null,
  redact: (s: string) => string = (s) => s,
): ConnectorError {
  const b = isObject(body) ? body : undefined;
  const code = typeof b?.error_code === 'number' && Number.isInteger(b.error_code) ? b.error_code : httpStatus;
  if (code >= 200 && code < 300) {
    return new ConnectorError('upstream', `Telegram ${method} answered HTTP ${httpStatus} without a result`, {
      code: 'BAD_RESPONSE',
      details: { status: httpStatus },
    });
  }
  const params = isObject(b?.parameters) ? b.parameters : undefined;
  const retryAfter = typeof params?.retry_after === 'number' ? String(params.retry_after) : retryAfterHeader;
  // Only the Bot API's own description, never a body in another shape (a proxy's page, an internal server's answer).
  const description = typeof b?.description === 'string' ? providerText(redact(b.description)) : '';
  return errorFromHttpStatus(code, {
    retryAfter,
    message: `Telegram ${method} failed with ${code}${b?.ok === false ? '' : ' (not a Bot API answer)'}`,
    body: description,
  });
}
