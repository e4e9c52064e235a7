// Graph API errors (`{ error: { message, type, code, error_subcode, fbtrace_id, is_transient, error_data } }`) as
// ConnectorErrors. Meta asks apps to act on `code` rather than on the HTTP status (its sends answer most errors with
// 400), so the code decides first; the status only where the code says nothing.
import type { JsonObject } from '../flow/types.js';
import {
  ConnectorError,
  errorFromHttpStatus,
  parseRetryAfter,
  providerText,
  type ConnectorErrorKind,
} from '../sdk/index.js';

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  fbtrace_id?: string;
  is_transient?: boolean;
  error_user_msg?: string;
  error_data?: { details?: string };
}

/** The `error` object of a Graph answer, or undefined when the body is not Graph's error shape (a proxy's HTML page). */
export function parseGraphError(body: string): GraphErrorBody | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    const e = parsed?.error;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return undefined;
    // Only fields of the documented types: a code that is not a number must not match a rule.
    const o = e as Record<string, unknown>;
    const str = (k: string) => (typeof o[k] === 'string' ? { [k]: o[k] as string } : {});
    const int = (k: string) => (typeof o[k] === 'number' && Number.isInteger(o[k]) ? { [k]: o[k] as number } : {});
    const data =
      typeof o.error_data === 'object' && o.error_data !== null ? (o.error_data as Record<string, unknown>) : undefined;
    return {
      ...str('message'),
      ...str('type'),
      ...int('code'),
      ...int('error_subcode'),
      ...str('fbtrace_id'),
      ...str('error_user_msg'),
      ...(typeof o.is_transient === 'boolean' && { is_transient: o.is_transient }),
      ...(typeof data?.details === 'string' && { error_data: { details: data.details } }),
    };
  } catch {
    return undefined;
  }
}

interface Rule {
  kind: ConnectorErrorKind;
  retryable: boolean;
  /** Said after Meta's message: what to do about it. */
  hint?: string;
}

// Throughput, pair-rate, spam-rate and app/business call limits: another attempt later can succeed.
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80007, 130429, 131048, 131056]);
// Meta-side trouble it calls temporary ("API Unknown", "API Service", "Something went wrong", "Service unavailable").
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 133004]);
// The business account itself must be fixed (policy block, locked account, payment, certificate, unregistered number).
const ACCOUNT_CODES = new Set([368, 131031, 131042, 131045, 133010]);
// The request's content: parameters, unsupported types, templates (1320xx), flows (1350xx).
const VALIDATION_CODES = new Set([100, 131008, 131009, 131021, 131051, 131052, 131053]);

const WINDOW_CLOSED: Rule = {
  kind: 'validation',
  retryable: false,
  hint: 'The 24-hour customer service window is closed (the customer has not written in the last 24 hours): only an approved template can be sent now (whatsapp.sendTemplate)',
};

function ruleFor(status: number, e: GraphErrorBody | undefined): Rule | undefined {
  const code = e?.code;
  if (code === 190 || status === 401)
    return {
      kind: 'auth',
      retryable: false,
      hint: 'The access token is invalid or expired: update the account credentials',
    };
  if (code !== undefined && RATE_LIMIT_CODES.has(code)) return { kind: 'rate_limited', retryable: true };
  if (status >= 500) return { kind: 'upstream', retryable: true };
  if (code === undefined) return undefined;
  if (code === 131047) return WINDOW_CLOSED;
  if (code === 131026) {
    return {
      kind: 'validation',
      retryable: false,
      hint: 'The recipient cannot receive this message (not on WhatsApp, blocked the business, or an outdated app)',
    };
  }
  // Messenger and Instagram: (#10) with this subcode is their "outside of allowed window", (#551) an unreachable user.
  if (code === 10 && e?.error_subcode === 2018278) {
    return {
      kind: 'validation',
      retryable: false,
      hint: 'The 24-hour standard messaging window is closed: the person must write first (or the message needs a message tag)',
    };
  }
  if (code === 551)
    return { kind: 'validation', retryable: false, hint: 'This person is not available to receive messages right now' };
  if (code === 100 && e?.error_subcode === 33) {
    return {
      kind: 'config',
      retryable: false,
      hint: 'The account id in the settings does not exist or the token cannot use it',
    };
  }
  if (code === 10 || (code >= 200 && code <= 299))
    return { kind: 'auth', retryable: false, hint: 'The token lacks a permission this call needs' };
  if (TRANSIENT_CODES.has(code)) return { kind: 'upstream', retryable: true };
  if (ACCOUNT_CODES.has(code))
    return { kind: 'config', retryable: false, hint: 'The business account must be fixed in Meta Business Manager' };
  if (VALIDATION_CODES.has(code) || (code >= 132000 && code < 133000) || (code >= 135000 && code < 136000))
    return { kind: 'validation', retryable: false };
  return undefined;
}

/**
 * The ConnectorError for a non-2xx Graph answer. `target` names the call (`POST …/messages`), never a token.
 * Code 190 or HTTP 401 is auth; Meta's rate-limit codes are retryable rate_limited (honouring Retry-After); 5xx is a
 * retryable upstream error; 131047 (window closed) and 131026 (undeliverable) fail for good with what to do next.
 */
export function graphError(
  status: number,
  body: string,
  retryAfter: string | null | undefined,
  target: string,
): ConnectorError {
  const e = parseGraphError(body);
  let rule = ruleFor(status, e);
  if (!rule && e?.is_transient === true) rule = { kind: 'upstream', retryable: true };
  // Not Graph's shape (a proxy's error page, never quoted), or a code nothing above knows: the HTTP status decides.
  if (!rule || !e) {
    const said = e?.message !== undefined ? providerText(e.message) : undefined;
    return errorFromHttpStatus(status, {
      retryAfter,
      message: `${target} answered HTTP ${status}${e ? '' : ' (not a Graph API error)'}`,
      ...(said && { body: said }),
    });
  }
  const said = e.message !== undefined ? providerText(e.message) : 'no message';
  const prefix = e.code !== undefined && !said.startsWith('(#') ? `(#${e.code}) ` : '';
  const details = e.error_data?.details !== undefined ? providerText(e.error_data.details) : undefined;
  const message = `${target} answered HTTP ${status}: ${prefix}${said}${details && details !== said ? ` (${details})` : ''}${rule.hint ? `. ${rule.hint}` : ''}`;
  const retryAfterMs = rule.retryable ? parseRetryAfter(retryAfter) : undefined;
  const info: JsonObject = { status };
  if (e.code !== undefined) info.code = e.code;
  if (e.error_subcode !== undefined) info.subcode = e.error_subcode;
  if (e.type !== undefined) info.type = providerText(e.type);
  if (details !== undefined) info.details = details;
  if (e.fbtrace_id !== undefined) info.fbtraceId = providerText(e.fbtrace_id);
  return new ConnectorError(rule.kind, message, {
    retryable: rule.retryable,
    code: e.code !== undefined ? `GRAPH_${e.code}` : `HTTP_${status}`,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    details: info,
  });
}
