// Pipedrive API calls: persons and deals are API v2 (`/api/v2/...`, PATCH for updates, ISO times, cursor paging),
// notes, merges and the current user are v1 (`/v1/...`, "YYYY-MM-DD HH:MM:SS" UTC times): the split recorded in
// ../shared/contracts/pipedrive/NOTES.md (the v1 spec no longer lists persons or deals; notes are v1 only). Every answer
// is the envelope `{ success, data, additional_data }`; errors `{ success: false, error, error_info }`, of which only
// `error` (through providerText) may reach a message. 429s carry x-ratelimit-reset, the seconds left in the 2-second
// window (developers.pipedrive.com "Rate limiting"), which becomes retryAfterMs when there is no Retry-After.
import { ConnectorError, errorFromHttpStatus, providerText, type CrmAccount, type JsonObject } from '../sdk/index.js';
import { readPipedriveAuth } from './auth.js';
import { pipedriveApi, readPipedriveSettings } from './settings.js';

export const REQUEST_TIMEOUT_MS = 30_000;
/** The window of Pipedrive's burst limit: the wait when a 429 names none. */
const WINDOW_MS = 2_000;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PipedriveValue {
  value: string;
  primary?: boolean;
  label?: string;
}

/** A v2 person, as far as the connector reads it. */
export interface PipedrivePersonV2 {
  id: number;
  name?: string | null;
  emails?: PipedriveValue[];
  phones?: PipedriveValue[];
  add_time?: string;
  update_time?: string;
  is_deleted?: boolean;
  custom_fields?: Obj | null;
  [field: string]: unknown;
}

export interface PipedriveDealV2 {
  id: number;
  title: string;
  person_id: number | null;
  pipeline_id: number;
  stage_id: number;
  value: number | null;
  currency: string | null;
  status: string;
  add_time?: string;
  update_time?: string;
  stage_change_time?: string | null;
}

export interface PipedriveNoteV1 {
  id: number;
  content: string;
  person_id: number | null;
  deal_id: number | null;
  add_time: string;
}

export interface PipedriveCall {
  /** Names the call in messages, e.g. `persons search`. */
  label: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** From the base URL, e.g. `/api/v2/persons`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: JsonObject;
}

export interface PipedriveAnswer<T> {
  data: T;
  additional: Obj;
}

/** The ConnectorError for a non-2xx answer, quoting only the envelope's `error` text. */
export function pipedriveError(
  label: string,
  status: number,
  text: string,
  headers: { retryAfter?: string | null; reset?: string | undefined } = {},
): ConnectorError {
  let error: string | undefined;
  try {
    const body: unknown = JSON.parse(text);
    if (isObject(body) && body.success === false && typeof body.error === 'string' && body.error.trim())
      error = providerText(body.error);
  } catch {
    // not the documented envelope (a proxy's page): nothing of it is quoted
  }
  const base = errorFromHttpStatus(status, {
    retryAfter: headers.retryAfter ?? null,
    message: `Pipedrive ${label} answered HTTP ${status}${error ? `: ${error}` : ''}`,
  });
  let retryAfterMs = base.retryAfterMs;
  if (status === 429 && retryAfterMs === undefined) {
    const reset = Number(headers.reset);
    retryAfterMs = Number.isFinite(reset) && reset >= 0 ? Math.min(Math.ceil(reset * 1000), 60_000) : WINDOW_MS;
  }
  return new ConnectorError(base.kind, base.message, {
    retryable: base.retryable,
    code: status === 429 ? 'PIPEDRIVE_RATE_LIMITED' : `PIPEDRIVE_HTTP_${status}`,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    details: error === undefined ? { status } : { status, error },
  });
}

/** One call: token in the `x-api-token` header, JSON in and out, the envelope unwrapped. */
export async function callPipedrive<T>(
  account: CrmAccount,
  call: PipedriveCall,
  signal: AbortSignal,
): Promise<PipedriveAnswer<T>> {
  const { apiToken } = readPipedriveAuth(account);
  const { apiBaseUrl } = readPipedriveSettings(account);
  const url = new URL(`${apiBaseUrl}${call.path}`);
  for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { 'x-api-token': apiToken, accept: 'application/json' };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  const answer = await pipedriveApi.call({
    label: `Pipedrive ${call.label}`,
    url: url.toString(),
    init: {
      method: call.method,
      headers,
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
    },
    signal,
    timeoutMs: REQUEST_TIMEOUT_MS,
    responseHeaders: ['x-ratelimit-reset'],
  });
  const { status, text, retryAfter } = answer;
  if (status < 200 || status > 299)
    throw pipedriveError(call.label, status, text, { retryAfter, reset: answer.headers?.['x-ratelimit-reset'] });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!isObject(body) || typeof body.success !== 'boolean')
    throw new ConnectorError('upstream', `Pipedrive ${call.label} answered HTTP ${status} without an API response`, {
      code: 'BAD_RESPONSE',
      details: { status },
    });
  if (!body.success) {
    const error = typeof body.error === 'string' && body.error.trim() ? providerText(body.error) : undefined;
    throw new ConnectorError('upstream', `Pipedrive ${call.label} failed${error ? `: ${error}` : ''}`, {
      code: 'PIPEDRIVE_UNSUCCESSFUL',
      details: error === undefined ? { status } : { status, error },
    });
  }
  return { data: body.data as T, additional: isObject(body.additional_data) ? body.additional_data : {} };
}

/** Pipedrive's ids are positive integers; anything else is refused before a call (it would land in a path). */
export function pipedriveId(value: string | number, what: string): number {
  const n = typeof value === 'number' ? value : /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ConnectorError('validation', `${what} must be a Pipedrive id (a positive integer)`, {
      code: 'INVALID_ID',
      retryable: false,
    });
  return n;
}

const nextCursor = (additional: Obj): string | null =>
  typeof additional.next_cursor === 'string' && additional.next_cursor !== '' ? additional.next_cursor : null;

export interface SearchHit {
  id: number;
  emails: string[];
  phones: string[];
}

/** `GET /api/v2/persons/search` with `exact_match=true` on one field: the ids of people holding `term` (first page). */
export async function searchPersons(
  account: CrmAccount,
  field: 'email' | 'phone',
  term: string,
  signal: AbortSignal,
  limit = 10,
): Promise<SearchHit[]> {
  const { data } = await callPipedrive<{ items?: Array<{ item?: Obj }> }>(
    account,
    {
      label: 'persons search',
      method: 'GET',
      path: '/api/v2/persons/search',
      query: { term, fields: field, exact_match: true, limit },
    },
    signal,
  );
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  return (data?.items ?? []).flatMap(({ item }) =>
    isObject(item) && typeof item.id === 'number'
      ? [{ id: item.id, emails: strings(item.emails), phones: strings(item.phones) }]
      : [],
  );
}

/** `GET /api/v2/persons/{id}`: null on 404 or a deleted person. */
export async function getPerson(
  account: CrmAccount,
  id: number,
  signal: AbortSignal,
): Promise<PipedrivePersonV2 | null> {
  try {
    const { data } = await callPipedrive<PipedrivePersonV2>(
      account,
      { label: 'person get', method: 'GET', path: `/api/v2/persons/${id}` },
      signal,
    );
    return data && !data.is_deleted ? data : null;
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'not_found') return null;
    throw err;
  }
}

export async function createPerson(account: CrmAccount, body: JsonObject, signal: AbortSignal) {
  const { data } = await callPipedrive<PipedrivePersonV2>(
    account,
    { label: 'person create', method: 'POST', path: '/api/v2/persons', body },
    signal,
  );
  return data;
}

/** `PATCH /api/v2/persons/{id}` (v2 has no PUT): only the fields given change. */
export async function updatePerson(account: CrmAccount, id: number, body: JsonObject, signal: AbortSignal) {
  const { data } = await callPipedrive<PipedrivePersonV2>(
    account,
    { label: 'person update', method: 'PATCH', path: `/api/v2/persons/${id}`, body },
    signal,
  );
  return data;
}

/** `PUT /v1/persons/{mergedId}/merge` with `merge_with_id`: the URL's person is merged into (and removed for) the other. */
export async function mergePersons(account: CrmAccount, keepId: number, mergedId: number, signal: AbortSignal) {
  await callPipedrive<Obj>(
    account,
    { label: 'persons merge', method: 'PUT', path: `/v1/persons/${mergedId}/merge`, body: { merge_with_id: keepId } },
    signal,
  );
}

/** One page of `GET /api/v2/persons?updated_since=…&sort_by=update_time&sort_direction=asc`. */
export async function listPersonsUpdatedSince(
  account: CrmAccount,
  since: string,
  limit: number,
  cursor: string | null,
  signal: AbortSignal,
): Promise<{ people: PipedrivePersonV2[]; next: string | null }> {
  const { data, additional } = await callPipedrive<PipedrivePersonV2[]>(
    account,
    {
      label: 'persons list',
      method: 'GET',
      path: '/api/v2/persons',
      query: {
        updated_since: since,
        sort_by: 'update_time',
        sort_direction: 'asc',
        limit,
        ...(cursor !== null && { cursor }),
      },
    },
    signal,
  );
  return { people: Array.isArray(data) ? data : [], next: nextCursor(additional) };
}

/** `POST /v1/notes`: `content` is HTML (Pipedrive sanitizes it), on a person and/or a deal. */
export async function addNote(
  account: CrmAccount,
  note: { content: string; personId?: number; dealId?: number; addTime?: string },
  signal: AbortSignal,
): Promise<PipedriveNoteV1> {
  const { data } = await callPipedrive<PipedriveNoteV1>(
    account,
    {
      label: 'note add',
      method: 'POST',
      path: '/v1/notes',
      body: {
        content: note.content,
        ...(note.personId !== undefined && { person_id: note.personId }),
        ...(note.dealId !== undefined && { deal_id: note.dealId }),
        ...(note.addTime !== undefined && { add_time: note.addTime }),
      },
    },
    signal,
  );
  return data;
}

export async function createDeal(account: CrmAccount, body: JsonObject, signal: AbortSignal) {
  const { data } = await callPipedrive<PipedriveDealV2>(
    account,
    { label: 'deal create', method: 'POST', path: '/api/v2/deals', body },
    signal,
  );
  return data;
}

export async function updateDeal(account: CrmAccount, id: number, body: JsonObject, signal: AbortSignal) {
  const { data } = await callPipedrive<PipedriveDealV2>(
    account,
    { label: 'deal update', method: 'PATCH', path: `/api/v2/deals/${id}`, body },
    signal,
  );
  return data;
}

export async function getDeal(account: CrmAccount, id: number, signal: AbortSignal) {
  const { data } = await callPipedrive<PipedriveDealV2>(
    account,
    { label: 'deal get', method: 'GET', path: `/api/v2/deals/${id}` },
    signal,
  );
  return data;
}

/** `GET /api/v2/deals/search` by exact title, optionally of one person: the matching deal ids. */
export async function searchDeals(
  account: CrmAccount,
  title: string,
  personId: number | undefined,
  signal: AbortSignal,
): Promise<number[]> {
  const { data } = await callPipedrive<{ items?: Array<{ item?: Obj }> }>(
    account,
    {
      label: 'deals search',
      method: 'GET',
      path: '/api/v2/deals/search',
      query: { term: title, fields: 'title', exact_match: true, limit: 10, person_id: personId },
    },
    signal,
  );
  return (data?.items ?? []).flatMap(({ item }) => (isObject(item) && typeof item.id === 'number' ? [item.id] : []));
}

/** `GET /v1/users/me`: the token's user, with the company it belongs to. */
export async function currentUser(account: CrmAccount, signal: AbortSignal) {
  const { data } = await callPipedrive<{ id?: unknown; company_id?: unknown; company_domain?: unknown }>(
    account,
    { label: 'users/me', method: 'GET', path: '/v1/users/me' },
    signal,
  );
  return data ?? {};
}
