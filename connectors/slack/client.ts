// Web API calls: POST <base>/<method>, JSON body, `Authorization: Bearer <bot token>`. Slack answers errors with
// HTTP 200 `{ ok: false, error }` and rate limiting with HTTP 429 + Retry-After; both become ConnectorErrors here.
import type { JsonObject } from '../flow/types.js';
import {
  ConnectorError,
  errorFromHttpStatus,
  parseRetryAfter,
  providerText,
  type ChannelAccount,
  type ConnectorErrorKind,
} from '../sdk/index.js';
import { readSlackAuth } from './auth.js';
import { readSlackSettings, slackApi } from './settings.js';

export const REQUEST_TIMEOUT_MS = 30_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const AUTH_ERRORS = new Set([
  'not_authed',
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'not_allowed_token_type',
  'no_permission',
  'ekm_access_denied',
  'team_access_not_granted',
  'org_login_required',
]);
const NOT_FOUND_ERRORS = new Set(['channel_not_found', 'user_not_found']);
/** Slack's own trouble: another attempt can succeed. */
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

function kindOf(error: string): ConnectorErrorKind {
  if (error === 'ratelimited' || error === 'rate_limited') return 'rate_limited';
  if (AUTH_ERRORS.has(error)) return 'auth';
  if (NOT_FOUND_ERRORS.has(error)) return 'not_found';
  if (TRANSIENT_ERRORS.has(error)) return 'upstream';
  // not_in_channel, is_archived, msg_too_long, no_text, invalid_blocks, ...: the message or its target is wrong.
  return 'validation';
}

/** The ConnectorError for `{ ok: false, error }`. */
export function slackError(
  method: string,
  error: string,
  opts: { retryAfter?: string | null; messages?: unknown } = {},
): ConnectorError {
  const kind = kindOf(error);
  const retryAfterMs = parseRetryAfter(opts.retryAfter);
  const details: JsonObject = { error };
  if (Array.isArray(opts.messages))
    details.messages = opts.messages
      .filter((m): m is string => typeof m === 'string')
      .slice(0, 10)
      .map(providerText);
  return new ConnectorError(kind, `Slack ${method} failed: ${error}`, {
    code: `SLACK_${error.toUpperCase()}`,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    details,
  });
}

export async function callSlack<T extends object>(
  account: ChannelAccount,
  method: string,
  params: JsonObject,
  signal: AbortSignal,
): Promise<T> {
  const token = readSlackAuth(account).botToken;
  const { apiBaseUrl } = readSlackSettings(account);
  const { status, text, retryAfter } = await slackApi.call({
    label: `Slack ${method}`,
    url: `${apiBaseUrl}/${method}`,
    init: {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(params),
    },
    signal,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  if (status < 200 || status > 299) {
    // Slack answers errors as 200 { ok: false, error }; a non-2xx body (a proxy's page, an internal server) is not quoted.
    throw errorFromHttpStatus(status, { retryAfter, message: `Slack ${method} answered HTTP ${status}` });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!isObject(body) || typeof body.ok !== 'boolean') {
    throw new ConnectorError('upstream', `Slack ${method} answered HTTP ${status} without a Web API response`, {
      code: 'BAD_RESPONSE',
      details: { status },
    });
  }
  if (body.ok) return body as T;
  // Slack's error codes are snake_case words; anything else is not quoted.
  const error = typeof body.error === 'string' && /^[a-z0-9_]{1,80}$/.test(body.error) ? body.error : 'unknown_error';
  const metadata = isObject(body.response_metadata) ? body.response_metadata : undefined;
  throw slackError(method, error, { retryAfter, messages: metadata?.messages });
}
