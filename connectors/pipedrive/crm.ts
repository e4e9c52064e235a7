// The platform's side of Pipedrive (connectors/sdk/crm.ts): people read and written over v2, notes over v1, merges
// with v1 `PUT /persons/{id}/merge` (listed as mergePersons in the current v1 spec, and Pipedrive's "Merging two
// persons" tutorial: the URL's person is removed, `merge_with_id`'s data wins), and the catch-up poll over
// `GET /api/v2/persons?updated_since=…&sort_by=update_time` with the v2 cursor.
import { createHash } from 'node:crypto';
import { ConnectorError, type CrmCallContext, type CrmClient, type CrmPerson } from '../sdk/index.js';
import * as api from './client.js';
import { noteHtml, toCrmPerson, toPipedriveBody, v1Time } from './persons.js';
import { readPipedriveAuth } from './auth.js';
import { readPipedriveSettings } from './settings.js';

/** Each lookup tries at most this many emails and phones (one search call each). */
const MAX_LOOKUPS = 5;
/** v2 list pages hold at most 500 records. */
const MAX_PAGE = 500;
/**
 * Ids remembered for the second the cursor stands at. Beyond this (a bulk import in one second) the rest may come
 * again on the next poll: a repeat only makes the platform read a record twice, a skip would lose a change.
 */
const MAX_SKIP = 1_000;

// users/me answers per token: remembered, so `scope` costs one call per account and token, not one per sync item.
const scopes = new Map<string, string>();
const SCOPE_CACHE_MAX = 1_000;

/** The catch-up cursor: the `update_time` reached, the ids already delivered at exactly that time, a v2 page cursor. */
interface ChangeCursor {
  v: 1;
  since: string;
  skip: number[];
  page?: string;
  /** While paging: the latest time delivered so far and its ids. */
  seen?: { at: string; ids: number[] };
}

const encode = (c: ChangeCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decode(cursor: string): ChangeCursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    c = undefined;
  }
  const o = c as Partial<ChangeCursor> | undefined;
  const isIds = (v: unknown) => Array.isArray(v) && v.every((n) => Number.isSafeInteger(n));
  const time = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
  if (
    !o ||
    o.v !== 1 ||
    !time(o.since) ||
    !isIds(o.skip) ||
    (o.page !== undefined && typeof o.page !== 'string') ||
    (o.seen !== undefined && !(time(o.seen.at) && isIds(o.seen.ids)))
  )
    throw new ConnectorError('validation', 'the Pipedrive change cursor is not one this connector made', {
      code: 'CURSOR_INVALID',
      retryable: false,
    });
  return o as ChangeCursor;
}

/** Seconds precision, as Pipedrive's `update_time` has. */
const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

async function findBy(ctx: CrmCallContext, field: 'email' | 'phone', values: string[]): Promise<CrmPerson | null> {
  const same =
    field === 'email'
      ? (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()
      : (a: string, b: string) => a.replace(/\D/g, '') === b.replace(/\D/g, '') && /\d/.test(a);
  for (const value of values.slice(0, MAX_LOOKUPS)) {
    if (value.trim() === '') continue;
    const hits = await api.searchPersons(ctx.account, field, value.trim(), ctx.signal);
    // Exact match is Pipedrive's; checked again here so a looser answer never links two people.
    const hit = hits.find((h) => (field === 'email' ? h.emails : h.phones).some((v) => same(v, value)));
    if (!hit) continue;
    const person = await api.getPerson(ctx.account, hit.id, ctx.signal);
    if (person) return toCrmPerson(person);
  }
  return null;
}

async function mustGet(ctx: CrmCallContext, id: number): Promise<CrmPerson> {
  const person = await api.getPerson(ctx.account, id, ctx.signal);
  if (!person)
    throw new ConnectorError('not_found', `Pipedrive person ${id} does not exist`, {
      code: 'PERSON_NOT_FOUND',
      retryable: false,
    });
  return toCrmPerson(person);
}

export const pipedriveCrmClient: CrmClient = {
  // Always asks Pipedrive who the token is; the token's user is kept, so its API changes read as this integration's.
  async register(ctx) {
    const me = await api.currentUser(ctx.account, ctx.signal);
    const { companyId } = readPipedriveSettings(ctx.account);
    if (typeof me.company_id !== 'number' || !Number.isSafeInteger(me.company_id))
      throw new ConnectorError('upstream', 'Pipedrive users/me answered without a company_id', {
        code: 'BAD_RESPONSE',
      });
    if (companyId !== undefined && companyId !== me.company_id)
      throw new ConnectorError('validation', `the API token belongs to company ${me.company_id}, not ${companyId}`, {
        code: 'PIPEDRIVE_COMPANY_MISMATCH',
        retryable: false,
      });
    return typeof me.id === 'number' && Number.isSafeInteger(me.id) ? { settings: { userId: me.id } } : {};
  },

  async scope(ctx) {
    const { companyId } = readPipedriveSettings(ctx.account);
    if (companyId !== undefined) return String(companyId);
    const token = createHash('sha256').update(readPipedriveAuth(ctx.account).apiToken).digest('hex').slice(0, 16);
    const key = `${ctx.account.id}:${token}`;
    const known = scopes.get(key);
    if (known) return known;
    const me = await api.currentUser(ctx.account, ctx.signal);
    if (typeof me.company_id !== 'number' || !Number.isSafeInteger(me.company_id))
      throw new ConnectorError('upstream', 'Pipedrive users/me answered without a company_id', {
        code: 'BAD_RESPONSE',
      });
    const scope = String(me.company_id);
    if (scopes.size >= SCOPE_CACHE_MAX) scopes.delete(scopes.keys().next().value!);
    scopes.set(key, scope);
    return scope;
  },

  async getPerson(ctx, id) {
    const person = await api.getPerson(ctx.account, api.pipedriveId(id, 'the person id'), ctx.signal);
    return person ? toCrmPerson(person) : null;
  },

  async findPerson(ctx, by) {
    return (await findBy(ctx, 'email', by.emails)) ?? (await findBy(ctx, 'phone', by.phones));
  },

  async createPerson(ctx, write) {
    const body = toPipedriveBody(write);
    // Pipedrive needs a name: the first email or phone stands in when Confluo has none.
    body.name ??= write.emails?.[0] ?? write.phones?.[0] ?? 'Unknown';
    return toCrmPerson(await api.createPerson(ctx.account, body, ctx.signal));
  },

  async updatePerson(ctx, id, write) {
    const personId = api.pipedriveId(id, 'the person id');
    const body = toPipedriveBody(write);
    if (Object.keys(body).length === 0) return mustGet(ctx, personId);
    return toCrmPerson(await api.updatePerson(ctx.account, personId, body, ctx.signal));
  },

  async mergePersons(ctx, primaryId, mergedId) {
    const keep = api.pipedriveId(primaryId, 'the primary person id');
    const gone = api.pipedriveId(mergedId, 'the merged person id');
    if (keep === gone)
      throw new ConnectorError('validation', 'a Pipedrive person cannot be merged with itself', {
        code: 'MERGE_SAME',
        retryable: false,
      });
    await api.mergePersons(ctx.account, keep, gone, ctx.signal);
    return mustGet(ctx, keep);
  },

  async addNote(ctx, personId, note) {
    const addTime = v1Time(note.at);
    const created = await api.addNote(
      ctx.account,
      {
        content: noteHtml(note.text),
        personId: api.pipedriveId(personId, 'the person id'),
        ...(addTime !== undefined && { addTime }),
      },
      ctx.signal,
    );
    return { id: String(created.id) };
  },

  async changedSince(ctx, cursor, limit) {
    if (cursor === null)
      return { people: [], cursor: encode({ v: 1, since: second(Date.now()), skip: [] }), more: false };
    const c = decode(cursor);
    const size = Math.max(1, Math.min(MAX_PAGE, Math.floor(limit)));
    const { people, next } = await api.listPersonsUpdatedSince(ctx.account, c.since, size, c.page ?? null, ctx.signal);
    const skip = new Set(c.skip);
    const sinceMs = Date.parse(c.since);
    const fresh = people
      .map(toCrmPerson)
      .filter((p) => !(skip.has(Number(p.id)) && Date.parse(p.updatedAt) <= sinceMs));
    // The latest update_time delivered in this run of pages, and who was delivered at exactly that time.
    let seen = c.seen ?? { at: c.since, ids: [...c.skip] };
    for (const p of fresh) {
      const at = second(Date.parse(p.updatedAt));
      const ms = Date.parse(at);
      if (ms > Date.parse(seen.at)) seen = { at, ids: [Number(p.id)] };
      else if (ms === Date.parse(seen.at) && !seen.ids.includes(Number(p.id)) && seen.ids.length < MAX_SKIP)
        seen.ids.push(Number(p.id));
    }
    if (next !== null) return { people: fresh, cursor: encode({ ...c, page: next, seen }), more: true };
    return { people: fresh, cursor: encode({ v: 1, since: seen.at, skip: seen.ids }), more: false };
  },
};
