// The one error type connector code throws. `kind` says who can fix it; `retryable` tells the worker whether
// another attempt can succeed (executeStep turns a non-retryable error into a non-retryable activity failure).
import type { ConnectorErrorKind, ConnectorErrorOptions } from './types.js';
import type { JsonValue } from '../flow/types.js';

const RETRYABLE_BY_DEFAULT: ReadonlySet<ConnectorErrorKind> = new Set(['upstream', 'rate_limited']);

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  readonly kind: ConnectorErrorKind;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly code?: string;
  readonly details?: JsonValue;

  constructor(kind: ConnectorErrorKind, message: string, opts: ConnectorErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.retryable = opts.retryable ?? RETRYABLE_BY_DEFAULT.has(kind);
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.code !== undefined) this.code = opts.code;
    if (opts.details !== undefined) this.details = opts.details;
  }
}

/** Also recognizes errors from another copy of the SDK (a plugin package bundling its own), by shape. */
export function isConnectorError(e: unknown): e is ConnectorError {
  if (e instanceof ConnectorError) return true;
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return o.name === 'ConnectorError' && typeof o.kind === 'string' && typeof o.retryable === 'boolean';
}

/** Retry-After is either delta-seconds or an HTTP-date; returns milliseconds from `now`, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const EXCERPT_MAX = 500;
const excerpt = (body: string) => (body.length > EXCERPT_MAX ? `${body.slice(0, EXCERPT_MAX)}…` : body);

function kindOf(status: number): { kind: ConnectorErrorKind; retryable: boolean } {
  if (status === 429) return { kind: 'rate_limited', retryable: true };
  if (status === 408 || status >= 500) return { kind: 'upstream', retryable: true };
  if (status === 401 || status === 403 || status === 407) return { kind: 'auth', retryable: false };
  if (status === 404 || status === 410) return { kind: 'not_found', retryable: false };
  // The request's content was rejected: the flow's input is wrong.
  if ([400, 409, 413, 415, 422].includes(status)) return { kind: 'validation', retryable: false };
  // Anything else (405, 406, unfollowed 3xx, ...): the node is configured wrong.
  return { kind: 'config', retryable: false };
}

/**
 * The ConnectorError for a non-2xx answer: 408/5xx upstream and 429 rate_limited are retryable, other 4xx not.
 * A Retry-After header becomes `retryAfterMs`; a body excerpt (≤ 500 chars) is appended to the message.
 */
export function errorFromHttpStatus(
  status: number,
  opts: { retryAfter?: string | null; message?: string; body?: string } = {},
): ConnectorError {
  const { kind, retryable } = kindOf(status);
  const body = opts.body?.trim() ? excerpt(opts.body.trim()) : undefined;
  const message = `${opts.message ?? `upstream answered HTTP ${status}`}${body ? `: ${body}` : ''}`;
  const retryAfterMs = parseRetryAfter(opts.retryAfter);
  return new ConnectorError(kind, message, {
    retryable,
    code: `HTTP_${status}`,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    details: body === undefined ? { status } : { status, body },
  });
}
