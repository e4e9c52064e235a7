// Pipedrive webhooks v2 (pipedrive.readme.io "Guide for Webhooks v2" and "Webhooks v2 migration guide"): Pipedrive
// signs nothing; the webhook's http_auth_user / http_auth_password come as `Authorization: Basic` on every delivery,
// checked here in constant time (both parts compared as SHA-256 digests, so neither the length nor the first wrong
// byte shows in the timing, and both are always compared). The JSON body is `{ meta, data, previous }`; `meta` has
// `action` (create | change | delete), `entity`, `entity_id`, `id` (the event's), `correlation_id`, `timestamp`, and
// on the delete half of a merge `merged_to_id` (v2 has no merged action: a merge is a delete of the merged record plus
// a change of the survivor). Ids and times come as strings in the guide's examples and as numbers (unix seconds) in
// some deliveries; both are taken. Retries repeat `meta.id` with a higher `meta.attempt`, so `meta.id` is the dedupe key.
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  InboundPayloadError,
  type CrmChange,
  type CrmInbound,
  type InboundContext,
  type InboundRequest,
  type VerifyResult,
} from '../sdk/index.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality of two strings of any lengths (compares their SHA-256 digests). */
export function digestEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The user and password of an `Authorization: Basic` header, or undefined when there is none or it is malformed. */
export function basicCredentials(
  header: string | string[] | undefined,
): { user: string; password: string } | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const REASONS = {
  unset: 'the account has no webhook user and password set (credentials webhookUser, webhookPassword)',
  missing: 'Authorization: Basic is missing or malformed',
  wrong: 'the webhook user or password does not match',
} as const;

export function verifyPipedrive(req: InboundRequest, ctx: InboundContext): VerifyResult {
  // Read directly, not through the account reader: a bad API token setting must not turn every delivery into a 500.
  const { webhookUser, webhookPassword } = ctx.account.credentials;
  if (
    typeof webhookUser !== 'string' ||
    webhookUser === '' ||
    typeof webhookPassword !== 'string' ||
    webhookPassword === ''
  )
    return { ok: false, reason: REASONS.unset };
  const given = basicCredentials(req.headers.authorization);
  if (!given) return { ok: false, reason: REASONS.missing };
  // Both compared, always: which of the two is wrong does not show.
  const userOk = digestEqual(given.user, webhookUser);
  const passwordOk = digestEqual(given.password, webhookPassword);
  return userOk && passwordOk ? { ok: true } : { ok: false, reason: REASONS.wrong };
}

/** An id as the payload gives it (string or number) as a decimal string, or undefined. */
function idOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return String(v);
  if (typeof v === 'string' && /^[1-9][0-9]{0,15}$/.test(v)) return v;
  return undefined;
}

/** `meta.timestamp`: ISO 8601, or unix seconds (or milliseconds) as a number or digit string. */
function timeOf(v: unknown, now: number): string {
  if (typeof v === 'string' && /^\d+$/.test(v)) v = Number(v);
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return new Date(v < 1e12 ? v * 1000 : v).toISOString();
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  return new Date(now).toISOString();
}

export function parsePipedrive(req: InboundRequest, ctx: InboundContext): CrmChange[] {
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw new InboundPayloadError('the Pipedrive webhook body is not JSON');
  }
  if (!isObject(body) || !isObject(body.meta))
    throw new InboundPayloadError('a Pipedrive webhook v2 body is an object with meta');
  const meta = body.meta;
  if (typeof meta.version === 'string' && !meta.version.startsWith('2'))
    throw new InboundPayloadError('only Pipedrive webhooks v2 are handled (create the webhook with version 2.0)');
  const action = meta.action;
  if (action !== 'create' && action !== 'change' && action !== 'delete')
    throw new InboundPayloadError('meta.action must be create, change or delete');
  if (typeof meta.entity !== 'string') throw new InboundPayloadError('meta.entity must be a string');
  // Deals, notes, organizations, ...: not the people the platform keeps in step.
  if (meta.entity !== 'person') return [];
  // A webhook of another company than the account's (a token or webhook set up on the wrong account).
  const companyId = ctx.account.settings.companyId;
  if (companyId !== undefined && meta.company_id !== undefined && idOf(meta.company_id) !== String(companyId))
    return [];
  const recordId = idOf(meta.entity_id);
  if (!recordId) throw new InboundPayloadError('meta.entity_id must be a Pipedrive id');
  const eventId = typeof meta.id === 'string' || typeof meta.id === 'number' ? String(meta.id) : undefined;
  const occurredAt = timeOf(meta.timestamp, ctx.now);
  // Without an event id (never in the documented payloads), the change itself is the key.
  const dedupeKey =
    eventId && eventId.length <= 200 ? `pipedrive:${eventId}` : `pipedrive:${action}:${recordId}:${occurredAt}`;
  // Made through the API as the account's token user (settings.userId, stored when the account was saved).
  const userId = ctx.account.settings.userId;
  const own =
    meta.change_source === 'api' &&
    userId !== undefined &&
    meta.user_id !== undefined &&
    idOf(meta.user_id) === String(userId);
  const mine = own ? { ownWrite: true as const } : {};
  if (action === 'create') return [{ dedupeKey, type: 'person.created', recordId, occurredAt, ...mine }];
  if (action === 'change') {
    const properties = isObject(body.previous) ? Object.keys(body.previous).slice(0, 100) : undefined;
    return [{ dedupeKey, type: 'person.updated', recordId, occurredAt, ...(properties && { properties }), ...mine }];
  }
  const mergedTo = idOf(meta.merged_to_id);
  if (mergedTo) return [{ dedupeKey, type: 'person.merged', recordId: mergedTo, mergedIds: [recordId], occurredAt }];
  return [{ dedupeKey, type: 'person.deleted', recordId, occurredAt }];
}

export const pipedriveInbound: CrmInbound = { verify: verifyPipedrive, parse: parsePipedrive };
