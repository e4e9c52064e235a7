// HubSpot CRM v3 calls: `Authorization: Bearer <token>`, JSON bodies, ids and property values as strings
// (NOTES.md "Key schemas": SimplePublicObject). HubSpot's error body `{ status: 'error', message, correlationId,
// category, ... }` (NOTES.md "Error") becomes a ConnectorError here; only its `message` and `category`, sanitised,
// reach an error message. Rate limits (429) carry retryAfterMs from Retry-After, else from the
// X-HubSpot-RateLimit-* headers (HubSpot's "API usage guidelines" page and changelog: Max/Remaining per
// Interval-Milliseconds, Secondly, Daily).
import type { JsonObject } from '../flow/types.js';
import { ConnectorError, parseRetryAfter, providerText, type ChannelAccount } from '../sdk/index.js';
import { readHubspotAuth } from './auth.js';
import { hubspotApi, readHubspotSettings } from './settings.js';

export const REQUEST_TIMEOUT_MS = 30_000;

/** What every call needs: the account (credentials decrypted) and the step's signal. */
export interface HubspotCallContext {
  account: ChannelAccount;
  signal: AbortSignal;
}

/** HubSpot's SimplePublicObject: ids and property values are strings (values null when unset). */
export interface HubspotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface HubspotSearchPage {
  total: number;
  results: HubspotObject[];
  paging?: { next?: { after: string } };
}

export type FilterOperator =
  | 'EQ'
  | 'NEQ'
  | 'LT'
  | 'LTE'
  | 'GT'
  | 'GTE'
  | 'BETWEEN'
  | 'IN'
  | 'NOT_IN'
  | 'HAS_PROPERTY'
  | 'NOT_HAS_PROPERTY'
  | 'CONTAINS_TOKEN'
  | 'NOT_CONTAINS_TOKEN';

export interface SearchFilter {
  propertyName: string;
  operator: FilterOperator;
  value?: string;
  values?: string[];
}

export interface SearchRequest {
  filterGroups: { filters: SearchFilter[] }[];
  properties?: string[];
  sorts?: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  limit?: number;
  after?: string;
}

/** HubSpot's default association types (its association-type table; NOTES.md "Notes": 202 note→contact, 214 note→deal). */
export const ASSOCIATION = { noteToContact: 202, noteToDeal: 214, dealToContact: 3 } as const;

const RATE_HEADERS = [
  'x-hubspot-ratelimit-max',
  'x-hubspot-ratelimit-remaining',
  'x-hubspot-ratelimit-interval-milliseconds',
  'x-hubspot-ratelimit-secondly-remaining',
  'x-hubspot-ratelimit-daily-remaining',
] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "Contact already exists. Existing ID: 12345" (HubSpot's 409 CONFLICT message, as seen in the wild; NOTES.md). */
const EXISTING_ID = /Existing ID:\s*([0-9]{1,20})/i;
/** HubSpot's categories are UPPER_SNAKE words; anything else is not quoted. */
const CATEGORY = /^[A-Z][A-Z0-9_]{0,60}$/;

const MS_TO_UTC_MIDNIGHT = (now: number) => 86_400_000 - (now % 86_400_000);

/** How long to wait after a 429, from what HubSpot said (Retry-After, then its rate-limit headers and policy). */
export function hubspotRetryAfterMs(
  retryAfter: string | null,
  headers: Record<string, string>,
  policyName: string | undefined,
  now = Date.now(),
): number {
  const fromHeader = parseRetryAfter(retryAfter, now);
  if (fromHeader !== undefined) return fromHeader;
  const int = (name: string) => {
    const v = headers[name];
    return v !== undefined && /^\d{1,12}$/.test(v) ? Number(v) : undefined;
  };
  // The daily limit resets at midnight (HubSpot's usage guidelines); the sync waits, it does not hammer.
  if (policyName === 'DAILY' || int('x-hubspot-ratelimit-daily-remaining') === 0) return MS_TO_UTC_MIDNIGHT(now);
  if (int('x-hubspot-ratelimit-secondly-remaining') === 0 || policyName === 'SECONDLY') return 1_000;
  const interval = int('x-hubspot-ratelimit-interval-milliseconds');
  if (interval !== undefined && interval > 0) return Math.min(interval, 60_000);
  // The CRM search endpoints send no rate-limit headers and are limited per second.
  return 1_000;
}

/** The ConnectorError for a non-2xx HubSpot answer. */
export function hubspotError(
  label: string,
  status: number,
  text: string,
  retryAfter: string | null,
  headers: Record<string, string>,
): ConnectorError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) body = parsed;
  } catch {
    // Not HubSpot's error shape (a proxy's page): only the status is said.
  }
  const message = typeof body.message === 'string' && body.message !== '' ? providerText(body.message) : undefined;
  const category =
    typeof body.category === 'string' && CATEGORY.test(body.category)
      ? body.category
      : typeof body.errorType === 'string' && CATEGORY.test(body.errorType)
        ? body.errorType
        : undefined;
  const said = `${label} failed: HTTP ${status}${category ? ` ${category}` : ''}${message ? `: ${message}` : ''}`;
  const details: JsonObject = { status, ...(category && { category }) };
  if (typeof body.correlationId === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(body.correlationId))
    details.correlationId = body.correlationId;

  if (status === 429) {
    const policyName =
      typeof body.policyName === 'string' && CATEGORY.test(body.policyName) ? body.policyName : undefined;
    if (policyName) details.policyName = policyName;
    return new ConnectorError('rate_limited', said, {
      code: policyName === 'DAILY' ? 'HUBSPOT_DAILY_LIMIT' : 'HUBSPOT_RATE_LIMITED',
      retryAfterMs: hubspotRetryAfterMs(retryAfter, headers, policyName),
      details,
    });
  }
  if (status === 401 || status === 403)
    return new ConnectorError('auth', said, {
      code: `HUBSPOT_${status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN'}`,
      retryable: false,
      details,
    });
  if (status === 404)
    return new ConnectorError('not_found', said, { code: 'HUBSPOT_NOT_FOUND', retryable: false, details });
  if (status === 409) {
    const existingId = typeof body.message === 'string' ? EXISTING_ID.exec(body.message)?.[1] : undefined;
    if (existingId) details.existingId = existingId;
    return new ConnectorError('validation', said, { code: 'HUBSPOT_CONFLICT', retryable: false, details });
  }
  if (status >= 500 || status === 408)
    return new ConnectorError('upstream', said, { code: `HUBSPOT_HTTP_${status}`, retryable: true, details });
  if (status === 400 || status === 422)
    return new ConnectorError('validation', said, { code: 'HUBSPOT_BAD_REQUEST', retryable: false, details });
  return new ConnectorError('config', said, { code: `HUBSPOT_HTTP_${status}`, retryable: false, details });
}

export interface HubspotRequest {
  label: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** On the base URL, e.g. `/crm/v3/objects/contacts/search`. */
  path: string;
  query?: Record<string, string>;
  body?: JsonObject;
}

/** One call; the parsed JSON answer (undefined for 204), or a ConnectorError. */
export async function callHubspot<T>(ctx: HubspotCallContext, req: HubspotRequest): Promise<T> {
  const { accessToken } = readHubspotAuth(ctx.account);
  const { apiBaseUrl } = readHubspotSettings(ctx.account);
  const qs = req.query ? `?${new URLSearchParams(req.query).toString()}` : '';
  const label = `HubSpot ${req.label}`;
  const answer = await hubspotApi.call({
    label,
    url: `${apiBaseUrl}${req.path}${qs}`,
    init: {
      method: req.method,
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/json',
        ...(req.body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(req.body !== undefined && { body: JSON.stringify(req.body) }),
    },
    signal: ctx.signal,
    timeoutMs: REQUEST_TIMEOUT_MS,
    responseHeaders: RATE_HEADERS,
  });
  const { status, text, retryAfter } = answer;
  if (status < 200 || status > 299) throw hubspotError(label, status, text, retryAfter, answer.headers ?? {});
  if (status === 204) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    // A truncated or garbled answer: HubSpot's trouble, another attempt can succeed.
    throw new ConnectorError('upstream', `${label} answered HTTP ${status} with a body that is not JSON`, {
      code: 'BAD_RESPONSE',
      details: { status },
    });
  }
}

/** Checks a 2xx answer has the SimplePublicObject shape the code relies on. */
export function asObject(label: string, v: unknown): HubspotObject {
  if (isObject(v) && typeof v.id === 'string' && isObject(v.properties)) return v as unknown as HubspotObject;
  throw new ConnectorError('upstream', `HubSpot ${label} answered without an object (id, properties)`, {
    code: 'BAD_RESPONSE',
  });
}

function asPage(label: string, v: unknown): HubspotSearchPage {
  if (isObject(v) && Array.isArray(v.results)) {
    return { ...(v as unknown as HubspotSearchPage), results: v.results.map((r) => asObject(label, r)) };
  }
  throw new ConnectorError('upstream', `HubSpot ${label} answered without results`, { code: 'BAD_RESPONSE' });
}

type ObjectType = 'contacts' | 'deals' | 'notes';

export interface Association {
  to: { id: string };
  types: { associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }[];
}

export const associateTo = (id: string, typeId: number): Association => ({
  to: { id },
  types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }],
});

export async function searchObjects(ctx: HubspotCallContext, type: ObjectType, search: SearchRequest) {
  const label = `${type} search`;
  return asPage(
    label,
    await callHubspot(ctx, {
      label,
      method: 'POST',
      path: `/crm/v3/objects/${type}/search`,
      body: search as unknown as JsonObject,
    }),
  );
}

export async function createObject(
  ctx: HubspotCallContext,
  type: ObjectType,
  properties: Record<string, string>,
  associations: Association[] = [],
) {
  const label = `${type} create`;
  const body: JsonObject = {
    properties,
    ...(associations.length > 0 && { associations: associations as unknown as JsonObject[] }),
  };
  return asObject(label, await callHubspot(ctx, { label, method: 'POST', path: `/crm/v3/objects/${type}`, body }));
}

/** Null when HubSpot answers 404 (never existed, deleted). */
export async function getObject(ctx: HubspotCallContext, type: ObjectType, id: string, properties: string[]) {
  const label = `${type} get`;
  try {
    const got = await callHubspot(ctx, {
      label,
      method: 'GET',
      path: `/crm/v3/objects/${type}/${encodeURIComponent(id)}`,
      query: { properties: properties.join(','), archived: 'false' },
    });
    return asObject(label, got);
  } catch (e) {
    if (e instanceof ConnectorError && e.kind === 'not_found') return null;
    throw e;
  }
}

export async function updateObject(
  ctx: HubspotCallContext,
  type: ObjectType,
  id: string,
  properties: Record<string, string>,
) {
  const label = `${type} update`;
  return asObject(
    label,
    await callHubspot(ctx, {
      label,
      method: 'PATCH',
      path: `/crm/v3/objects/${type}/${encodeURIComponent(id)}`,
      body: { properties },
    }),
  );
}

/** `POST /crm/v3/objects/contacts/merge` (NOTES.md: `{ primaryObjectId, objectIdToMerge }` → 200 SimplePublicObject). */
export async function mergeContacts(ctx: HubspotCallContext, primaryObjectId: string, objectIdToMerge: string) {
  const label = 'contacts merge';
  return asObject(
    label,
    await callHubspot(ctx, {
      label,
      method: 'POST',
      path: '/crm/v3/objects/contacts/merge',
      body: { primaryObjectId, objectIdToMerge },
    }),
  );
}

/** The portal (hub) id: `GET /account-info/v3/details` answers `{ portalId, ... }`. */
export async function portalId(ctx: HubspotCallContext): Promise<string> {
  const got = await callHubspot<unknown>(ctx, {
    label: 'account details',
    method: 'GET',
    path: '/account-info/v3/details',
  });
  const id = isObject(got) ? got.portalId : undefined;
  if ((typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && /^[0-9]{1,20}$/.test(id)))
    return String(id);
  throw new ConnectorError('upstream', 'HubSpot account details answered without a portalId', { code: 'BAD_RESPONSE' });
}
