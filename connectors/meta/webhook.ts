// The inbound side every Meta webhook shares: the `hub.challenge` subscription handshake, the X-Hub-Signature-256
// check, and reading the JSON body with shape checks that turn an impossible payload into InboundPayloadError (400).
import type { JsonObject, JsonValue } from '../flow/types.js';
import {
  InboundPayloadError,
  metaHandshake,
  verifyMeta,
  type InboundRequest,
  type InboundResponse,
  type VerifyResult,
  type Logger,
} from '../sdk/index.js';

const HUB_PARAMS = ['hub.mode', 'hub.verify_token', 'hub.challenge'];

/**
 * The answer to Meta's verification GET: 200 text/plain with the challenge when `hub.verify_token` equals ours
 * (constant time), 403 otherwise. Undefined for a request that is not a handshake (a POST, a GET without `hub.*`).
 */
export function metaHandshakeResponse(
  req: InboundRequest,
  verifyToken: string | undefined,
  logger: Logger,
): InboundResponse | undefined {
  if (req.method.toUpperCase() !== 'GET' || !HUB_PARAMS.some((p) => req.query[p] !== undefined)) return undefined;
  const result = metaHandshake(req.query, verifyToken ?? '');
  if (result.ok) return { status: 200, body: result.challenge, contentType: 'text/plain' };
  logger.warn({ reason: result.reason }, 'Meta webhook verification refused');
  return { status: 403, body: `verification refused: ${result.reason}`, contentType: 'text/plain' };
}

/** X-Hub-Signature-256 over the raw body, keyed with the App Secret. */
export function verifyMetaRequest(req: InboundRequest, appSecret: string | undefined): VerifyResult {
  if (!appSecret) return { ok: false, reason: 'the account has no appSecret credential' };
  const header = req.headers['x-hub-signature-256'];
  if (header === undefined || header === '') return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  return verifyMeta(appSecret, req.rawBody, header)
    ? { ok: true }
    : { ok: false, reason: 'X-Hub-Signature-256 does not match the body' };
}

/** The string credential `key`, if set (verify and handshake must answer, not throw, when an account lacks it). */
export function credential(credentials: JsonObject, key: string): string | undefined {
  const v = credentials[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Shape checks: each names the path at fault, so a 400 says what was wrong.

export const invalid = (where: string, what: string): InboundPayloadError =>
  new InboundPayloadError(`${where}: ${what}`);

export function readJson(req: InboundRequest): JsonValue {
  try {
    return JSON.parse(req.rawBody.toString('utf8')) as JsonValue;
  } catch {
    throw new InboundPayloadError('the body is not JSON');
  }
}

export function object(v: unknown, where: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(where, 'must be an object');
  return v as JsonObject;
}

export function array(v: unknown, where: string): JsonValue[] {
  if (!Array.isArray(v)) throw invalid(where, 'must be an array');
  return v as JsonValue[];
}

/** An optional array: absent is empty. */
export function optionalArray(v: unknown, where: string): JsonValue[] {
  return v === undefined ? [] : array(v, where);
}

export function string(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') throw invalid(where, 'must be a non-empty string');
  return v;
}

export function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The latest Unix second a Date can hold (8.64e15 ms): past it, toISOString throws. */
const MAX_DATE_SECONDS = 8.64e12;

/** Unix seconds (WhatsApp sends them as a decimal string) as ISO-8601. */
export function isoFromSeconds(v: unknown, where: string): string {
  const n =
    typeof v === 'string' && /^\d{1,12}$/.test(v)
      ? Number(v)
      : typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_DATE_SECONDS
        ? v
        : NaN;
  if (Number.isNaN(n)) throw invalid(where, 'must be Unix seconds');
  return new Date(n * 1000).toISOString();
}

/** Unix milliseconds (Messenger and Instagram) as ISO-8601. */
export function isoFromMillis(v: unknown, where: string): string {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 8.64e15)
    throw invalid(where, 'must be Unix milliseconds');
  return new Date(v).toISOString();
}
