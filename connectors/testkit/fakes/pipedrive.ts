// A fake Pipedrive: an in-memory company serving the API paths the Pipedrive connector calls, checked against request
// schemas written from ../shared/contracts/pipedrive/NOTES.md (pipedrive-schemas.ts), answering the documented
// envelopes `{ success, data, additional_data }` and errors `{ success: false, error, error_info, data, additional_data }`.
//   v2 (`/api/v2`): persons search/list/get/create/PATCH/delete, deals search/get/create/PATCH; times ISO 8601 `Z`,
//     cursor paging with `additional_data.next_cursor`.
//   v1 (`/v1`): notes create, persons merge, users/me; times "YYYY-MM-DD HH:MM:SS" (UTC).
// Auth is the `x-api-token` header (a token in the query string is recorded as a violation: we never send one). A
// burst limit per window answers 429 with the x-ratelimit-* headers of developers.pipedrive.com "Rate limiting"
// (x-ratelimit-limit, -remaining, -reset = seconds left in the window). It can be told to fail (a reply, malformed
// JSON, `success: false` on 200, an outage), and it sends webhooks v2 (pipedrive.readme.io "Guide for Webhooks v2":
// `meta` with action create/change/delete, entity, entity_id, id, correlation_id, timestamp; `data`, `previous`; a
// merge is a delete with `meta.merged_to_id` plus a change of the survivor) with HTTP Basic auth to a subscribed URL,
// whenever a person changes, through the API or "in the CRM" (createPerson/changePerson/... on the fake).
import { randomUUID } from 'node:crypto';
import { createAjv } from '../../sdk/index.js';
import { startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from '../fake-server.js';
import * as S from './pipedrive-schemas.js';

type Obj = Record<string, unknown>;

export interface PipedriveValue {
  value: string;
  primary: boolean;
  label: string;
}

/** A person as v2 answers it. */
export interface PipedrivePerson {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  owner_id: number;
  org_id: number | null;
  add_time: string;
  update_time: string;
  emails: PipedriveValue[];
  phones: PipedriveValue[];
  is_deleted: boolean;
  visible_to: number;
  label_ids: number[];
  picture_id: number | null;
  custom_fields: Obj;
  im: PipedriveValue[];
  birthday: string | null;
  job_title: string | null;
  postal_address: Obj | null;
  notes?: string;
  marketing_status?: string;
}

/** A deal as v2 answers it. */
export interface PipedriveDeal {
  id: number;
  title: string;
  owner_id: number;
  person_id: number | null;
  org_id: number | null;
  pipeline_id: number;
  stage_id: number;
  value: number;
  currency: string;
  add_time: string;
  update_time: string;
  stage_change_time: string | null;
  is_deleted: boolean;
  is_archived: boolean;
  status: 'open' | 'won' | 'lost';
  probability: number | null;
  lost_reason: string | null;
  visible_to: number;
  close_time: string | null;
  won_time: string | null;
  lost_time: string | null;
  expected_close_date: string | null;
  label_ids: number[];
  origin: string;
  custom_fields: Obj;
}

/** A note as v1 answers it (v1 times). */
export interface PipedriveNote {
  id: number;
  active_flag: boolean;
  add_time: string;
  update_time: string;
  content: string;
  deal_id: number | null;
  person_id: number | null;
  org_id: number | null;
  lead_id: string | null;
  project_id: number | null;
  user_id: number;
}

export interface PipedriveWebhookPayload {
  meta: Obj & { action: 'create' | 'change' | 'delete'; entity: string; entity_id: string; id: string };
  data: Obj | null;
  previous: Obj | null;
}

export interface PipedriveDelivery {
  /** The receiver's answer. */
  status: number;
  body: string;
  payload: PipedriveWebhookPayload;
  rawBody: string;
  headers: Record<string, string>;
}

export interface PipedriveSubscription {
  url: string;
  /** The webhook's http_auth_user / http_auth_password: sent as `Authorization: Basic`. */
  user: string;
  password: string;
}

export type PipedriveFailure = FakeReply | 'malformed' | 'success-false';

export interface PipedriveFake extends FakeServer {
  apiToken: string;
  companyId: number;
  companyDomain: string;
  userId: number;
  persons: Map<number, PipedrivePerson>;
  deals: Map<number, PipedriveDeal>;
  notes: Map<number, PipedriveNote>;
  /** Pipelines and their stage ids (1: stages 1-3, 2: stages 4-5). */
  pipelines: Array<{ id: number; name: string; stages: number[] }>;
  /** Requests allowed per window (default 20 per 2000 ms: the Essential plan's api_token burst). */
  burst: { limit: number; windowMs: number };
  /** The next API request gets this answer instead (after the outage check, before auth). */
  failNext(failure: PipedriveFailure): void;
  /** While on, every API request gets 503 with a non-JSON body, as a load balancer answers. */
  outage(on: boolean): void;
  /** Where webhooks v2 go (null: nowhere). */
  subscribe(hook: PipedriveSubscription | null): void;
  deliveries: PipedriveDelivery[];
  /** Waits for the webhooks queued so far. */
  flush(): Promise<void>;
  /** "Changed in the CRM": a person added, edited, deleted or merged in Pipedrive's UI (webhooks sent, awaited). */
  createPerson(p: { name: string; emails?: string[]; phones?: string[]; job_title?: string }): Promise<PipedrivePerson>;
  changePerson(
    id: number,
    patch: Partial<Pick<PipedrivePerson, 'name' | 'job_title' | 'birthday'>> & {
      emails?: string[];
      phones?: string[];
    },
  ): Promise<PipedrivePerson>;
  deletePerson(id: number): Promise<void>;
  mergePersons(keepId: number, goneId: number): Promise<PipedrivePerson>;
  /** Sends a delivery's payload again as Pipedrive's retry does (`meta.attempt` + 1, same `meta.id`). */
  redeliver(delivery: PipedriveDelivery): Promise<PipedriveDelivery>;
  /** POSTs any payload to the subscription (or `url`) with the subscription's Basic auth unless `authorization` is given. */
  deliver(
    payload: PipedriveWebhookPayload,
    opts?: { url?: string; authorization?: string | null },
  ): Promise<PipedriveDelivery>;
}

export interface PipedriveFakeOptions {
  apiToken: string;
  companyId?: number;
  companyDomain?: string;
  burst?: { limit: number; windowMs?: number };
  /** The clock (record times, the burst window); default Date.now. */
  now?: () => number;
}

/** ISO 8601 at second precision with `Z`, as v2 answers. */
export const v2Time = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** "YYYY-MM-DD HH:MM:SS" (UTC), as v1 answers. */
export const v1Time = (ms: number): string => v2Time(ms).replace('T', ' ').replace('Z', '');

const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';
const envelope = (data: unknown, additional: unknown = null) => ({ success: true, data, additional_data: additional });
const fail = (status: number, error: string): FakeReply => ({
  status,
  body: { success: false, error, error_info: ERROR_INFO, data: null, additional_data: null },
});

const encodeCursor = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url');
function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return 0;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    return Number.isInteger(v.offset) && (v.offset as number) >= 0 ? (v.offset as number) : undefined;
  } catch {
    return undefined;
  }
}

const values = (list: Array<{ value: string; primary?: boolean; label?: string }> | string[] | undefined) => {
  const out = (list ?? []).map((v) =>
    typeof v === 'string'
      ? { value: v, primary: false, label: 'work' }
      : { value: v.value, primary: v.primary ?? false, label: v.label ?? 'work' },
  );
  if (out.length > 0 && !out.some((v) => v.primary)) out[0]!.primary = true;
  return out;
};
const digitsOf = (s: string) => s.replace(/\D/g, '');

export async function startPipedriveFake(opts: PipedriveFakeOptions): Promise<PipedriveFake> {
  const now = opts.now ?? Date.now;
  const companyId = opts.companyId ?? 7_654_321;
  const companyDomain = opts.companyDomain ?? 'fakecompany';
  const userId = 1_000_001;
  const ajv = createAjv();
  const compiled = new Map<object, ReturnType<typeof ajv.compile>>();
  const problems = (schema: object, value: unknown): string[] => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => {
      const extra = e.params.additionalProperty ?? e.params.missingProperty;
      return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra ? ` (${String(extra)})` : ''}`;
    });
  };

  let nextId = 1;
  let window = { start: 0, count: 0 };
  let failure: PipedriveFailure | undefined;
  let down = false;
  let subscription: PipedriveSubscription | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let pd!: PipedriveFake;

  const person = (id: number) => {
    const p = pd.persons.get(id);
    return p && !p.is_deleted ? p : undefined;
  };

  // Webhooks v2: one per change, queued in order; API changes say change_source "api", CRM-side ones "app".
  const notify = (
    action: 'create' | 'change' | 'delete',
    p: PipedrivePerson,
    previous: Obj | null,
    source: 'api' | 'app',
    extra: Obj = {},
  ): Promise<unknown> => {
    if (!subscription) return queue;
    const at = now();
    const payload: PipedriveWebhookPayload = {
      meta: {
        action,
        entity: 'person',
        entity_id: String(p.id),
        id: randomUUID(),
        correlation_id: randomUUID(),
        company_id: String(companyId),
        user_id: String(userId),
        version: '2.0',
        timestamp: new Date(at).toISOString(),
        type: 'general',
        change_source: source,
        is_bulk_edit: false,
        webhook_id: '42',
        webhook_owner_id: String(userId),
        permitted_user_ids: [String(userId)],
        attempt: 1,
        host: `${companyDomain}.pipedrive.com`,
        ...extra,
      },
      data: structuredClone(p) as unknown as Obj,
      previous,
    };
    const sent = (queue = queue.then(() => pd.deliver(payload)).catch(() => undefined));
    return sent;
  };

  const changedFields = (before: PipedrivePerson, after: PipedrivePerson): Obj => {
    const prev: Obj = {};
    for (const k of Object.keys(after) as Array<keyof PipedrivePerson>)
      if (k !== 'update_time' && JSON.stringify(before[k]) !== JSON.stringify(after[k])) prev[k] = before[k] ?? null;
    return prev;
  };

  const splitName = (name: string) => {
    const [first = '', ...rest] = name.trim().split(/\s+/);
    return { first_name: first, last_name: rest.join(' ') };
  };

  const newPerson = (body: Obj): PipedrivePerson => {
    const t = v2Time(now());
    const name = String(body.name);
    const p: PipedrivePerson = {
      id: nextId++,
      name,
      ...splitName(name),
      owner_id: (body.owner_id as number | undefined) ?? userId,
      org_id: (body.org_id as number | null | undefined) ?? null,
      add_time: t,
      update_time: t,
      emails: values(body.emails as PipedriveValue[] | undefined),
      phones: values(body.phones as PipedriveValue[] | undefined),
      is_deleted: false,
      visible_to: (body.visible_to as number | undefined) ?? 3,
      label_ids: (body.label_ids as number[] | undefined) ?? [],
      picture_id: null,
      custom_fields: (body.custom_fields as Obj | undefined) ?? {},
      im: values(body.im as PipedriveValue[] | undefined),
      birthday: (body.birthday as string | null | undefined) ?? null,
      job_title: (body.job_title as string | null | undefined) ?? null,
      postal_address: (body.postal_address as Obj | undefined) ?? null,
      ...(typeof body.marketing_status === 'string' && { marketing_status: body.marketing_status }),
    };
    pd.persons.set(p.id, p);
    return p;
  };

  const patchPerson = (p: PipedrivePerson, body: Obj): PipedrivePerson => {
    const before = structuredClone(p);
    for (const [k, v] of Object.entries(body)) {
      if (k === 'emails' || k === 'phones' || k === 'im') (p as unknown as Obj)[k] = values(v as PipedriveValue[]);
      else if (k === 'custom_fields') p.custom_fields = { ...p.custom_fields, ...(v as Obj) };
      else (p as unknown as Obj)[k] = v;
    }
    if (typeof body.name === 'string') Object.assign(p, splitName(body.name));
    if (JSON.stringify(before) !== JSON.stringify(p)) p.update_time = v2Time(now());
    return before;
  };

  const searchItem = (p: PipedrivePerson, score: number) => ({
    result_score: score,
    item: {
      id: p.id,
      type: 'person',
      name: p.name,
      phones: p.phones.map((v) => v.value),
      emails: p.emails.map((v) => v.value),
      visible_to: p.visible_to,
      owner: { id: p.owner_id },
      organization: null,
      custom_fields: [],
      notes: [],
    },
  });

  const page = <T>(items: T[], q: Record<string, string>): { data: T[]; next: string | null } | undefined => {
    const offset = decodeCursor(q.cursor);
    if (offset === undefined) return undefined;
    const size = q.limit ? Number(q.limit) : 100;
    const data = items.slice(offset, offset + size);
    return { data, next: offset + size < items.length ? encodeCursor(offset + size) : null };
  };

  const stageOf = (stageId: number) => pd.pipelines.find((pl) => pl.stages.includes(stageId));

  const rateHeaders = (): Record<string, string> => {
    const t = now();
    if (t - window.start >= pd.burst.windowMs) window = { start: t, count: 0 };
    window.count++;
    const reset = Math.max(1, Math.ceil((window.start + pd.burst.windowMs - t) / 1000));
    return {
      'x-ratelimit-limit': String(pd.burst.limit),
      'x-ratelimit-remaining': String(Math.max(0, pd.burst.limit - window.count)),
      'x-ratelimit-reset': String(reset),
    };
  };

  const route = (req: RecordedRequest, q: Record<string, string>, fake: FakeServer): FakeReply => {
    const refuse = (status: number, error: string, why: string): FakeReply => (
      fake.violate(req, why),
      fail(status, error)
    );
    const checkQuery = (schema: object, op: string): FakeReply | undefined => {
      const found = problems(schema, q);
      return found.length > 0
        ? refuse(400, `Validation failed: ${found.join('; ')}`, `${op} query: ${found.join('; ')}`)
        : undefined;
    };
    /** The JSON body if it passes `schema`, else the error answer (and a violation). */
    const body = (schema: object, op: string): { value: Obj } | { reply: FakeReply } => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (type !== 'application/json')
        return { reply: refuse(415, 'Unsupported content type', `${op}: content-type ${type || 'none'}`) };
      if (req.bodyError) return { reply: refuse(400, 'Invalid JSON', `${op}: ${req.bodyError}`) };
      const found = problems(schema, req.body);
      if (found.length > 0)
        return { reply: refuse(400, `Validation failed: ${found.join('; ')}`, `${op}: ${found.join('; ')}`) };
      return { value: req.body as Obj };
    };
    const { method, path } = req;
    let m: RegExpExecArray | null;

    if (path === '/v1/users/me' && method === 'GET') {
      return (
        checkQuery(S.NO_QUERY, 'getCurrentUser') ?? {
          status: 200,
          body: envelope({
            id: userId,
            name: 'Fake Admin',
            email: 'admin@fakecompany.example',
            lang: 1,
            locale: 'en_US',
            timezone_name: 'Europe/Tallinn',
            company_id: companyId,
            company_name: 'Fake Company',
            company_domain: companyDomain,
            default_currency: 'USD',
            active_flag: true,
            is_admin: 1,
            created: v1Time(0),
            modified: v1Time(now()),
          }),
        }
      );
    }

    if (path === '/v1/notes' && method === 'POST') {
      const parsed = body(S.ADD_NOTE, 'addNote');
      if ('reply' in parsed) return parsed.reply;
      const b = parsed.value;
      if (b.person_id !== undefined && !person(b.person_id as number)) return fail(400, 'Person not found');
      if (b.deal_id !== undefined && !pd.deals.get(b.deal_id as number)) return fail(400, 'Deal not found');
      const t = now();
      const note: PipedriveNote = {
        id: nextId++,
        active_flag: true,
        add_time: (b.add_time as string | undefined) ?? v1Time(t),
        update_time: v1Time(t),
        content: String(b.content),
        deal_id: (b.deal_id as number | undefined) ?? null,
        person_id: (b.person_id as number | undefined) ?? null,
        org_id: (b.org_id as number | undefined) ?? null,
        lead_id: (b.lead_id as string | undefined) ?? null,
        project_id: (b.project_id as number | undefined) ?? null,
        user_id: (b.user_id as number | undefined) ?? userId,
      };
      pd.notes.set(note.id, note);
      return { status: 201, body: envelope(note) };
    }

    if ((m = /^\/v1\/persons\/(\d+)\/merge$/.exec(path))) {
      if (method !== 'PUT') return refuse(405, 'Method not allowed', `mergePersons is PUT, got ${method}`);
      const parsed = body(S.MERGE_PERSONS, 'mergePersons');
      if ('reply' in parsed) return parsed.reply;
      const b = parsed.value;
      const gone = person(Number(m[1]));
      const keep = person(b.merge_with_id as number);
      if (!gone || !keep) return fail(404, 'Person not found');
      if (gone.id === keep.id) return refuse(400, 'Cannot merge a person with itself', 'mergePersons: same id twice');
      const merged = mergeInto(keep, gone, 'api');
      return {
        status: 200,
        body: envelope({
          id: merged.id,
          name: merged.name,
          email: merged.emails,
          phone: merged.phones,
          add_time: v1Time(Date.parse(merged.add_time)),
          update_time: v1Time(Date.parse(merged.update_time)),
          merge_what_id: gone.id,
        }),
      };
    }

    if (path === '/api/v2/persons/search' && method === 'GET') {
      const bad = checkQuery(S.SEARCH_PERSONS, 'searchPersons');
      if (bad) return bad;
      const exact = q.exact_match === 'true' || q.exact_match === '1';
      if (!exact && q.term!.length < 2)
        return refuse(400, 'Search term must be at least 2 characters', 'searchPersons: short term');
      const fields = (q.fields ?? 'custom_fields,email,notes,phone,name').split(',');
      const term = q.term!.toLowerCase();
      const hit = (v: string) => {
        const s = v.toLowerCase();
        if (exact) return s === term || (digitsOf(term).length >= 6 && digitsOf(s) === digitsOf(term));
        return s.includes(term);
      };
      const found = [...pd.persons.values()].filter(
        (p) =>
          !p.is_deleted &&
          ((fields.includes('email') && p.emails.some((e) => hit(e.value))) ||
            (fields.includes('phone') && p.phones.some((e) => hit(e.value))) ||
            (fields.includes('name') && hit(p.name))),
      );
      const paged = page(found, q);
      if (!paged) return refuse(400, 'Invalid cursor', 'searchPersons: cursor not one we gave');
      return {
        status: 200,
        body: envelope({ items: paged.data.map((p) => searchItem(p, 1)) }, { next_cursor: paged.next }),
      };
    }

    if (path === '/api/v2/persons' && method === 'GET') {
      const bad = checkQuery(S.LIST_PERSONS, 'getPersons');
      if (bad) return bad;
      const since = q.updated_since ? Date.parse(q.updated_since) : -Infinity;
      const until = q.updated_until ? Date.parse(q.updated_until) : Infinity;
      const key = (q.sort_by ?? 'id') as 'id' | 'update_time' | 'add_time';
      const dir = q.sort_direction === 'desc' ? -1 : 1;
      const list = [...pd.persons.values()]
        .filter((p) => !p.is_deleted && Date.parse(p.update_time) >= since && Date.parse(p.update_time) < until)
        .sort((a, b) => {
          const x = key === 'id' ? a.id - b.id : Date.parse(a[key]) - Date.parse(b[key]) || a.id - b.id;
          return x * dir;
        });
      const paged = page(list, q);
      if (!paged) return refuse(400, 'Invalid cursor', 'getPersons: cursor not one we gave');
      return { status: 200, body: envelope(paged.data, { next_cursor: paged.next }) };
    }

    if (path === '/api/v2/persons' && method === 'POST') {
      const parsed = body(S.ADD_PERSON, 'addPerson');
      if ('reply' in parsed) return parsed.reply;
      const b = parsed.value;
      const p = newPerson(b);
      void notify('create', p, null, 'api');
      return { status: 200, body: envelope(p) };
    }

    if ((m = /^\/api\/v2\/persons\/(\d+)$/.exec(path))) {
      if (method === 'PUT') return refuse(405, 'Method not allowed', 'v2 updates are PATCH, not PUT');
      const p = person(Number(m[1]));
      if (method === 'GET') {
        const bad = checkQuery(S.NO_QUERY, 'getPerson');
        if (bad) return bad;
        return p ? { status: 200, body: envelope(p) } : fail(404, 'Person not found');
      }
      if (method === 'PATCH') {
        const parsed = body(S.UPDATE_PERSON, 'updatePerson');
        if ('reply' in parsed) return parsed.reply;
        const b = parsed.value;
        if (!p) return fail(404, 'Person not found');
        const before = patchPerson(p, b);
        if (before.update_time !== p.update_time || JSON.stringify(before) !== JSON.stringify(p))
          void notify('change', p, changedFields(before, p), 'api');
        return { status: 200, body: envelope(p) };
      }
      if (method === 'DELETE') {
        if (!p) return fail(404, 'Person not found');
        p.is_deleted = true;
        void notify('delete', p, null, 'api');
        return { status: 200, body: envelope({ id: p.id }) };
      }
    }

    if (path === '/api/v2/deals' && method === 'POST') {
      const parsed = body(S.ADD_DEAL, 'addDeal');
      if ('reply' in parsed) return parsed.reply;
      const b = parsed.value;
      const pipelineId = (b.pipeline_id as number | undefined) ?? (b.stage_id ? stageOf(b.stage_id as number)?.id : 1);
      const pipeline = pd.pipelines.find((pl) => pl.id === pipelineId);
      if (!pipeline) return fail(400, 'Pipeline not found');
      const stageId = (b.stage_id as number | undefined) ?? pipeline.stages[0]!;
      if (!pipeline.stages.includes(stageId)) return fail(400, 'Stage does not belong to the pipeline');
      if (typeof b.person_id === 'number' && !person(b.person_id)) return fail(400, 'Person not found');
      const t = v2Time(now());
      const deal: PipedriveDeal = {
        id: nextId++,
        title: String(b.title),
        owner_id: (b.owner_id as number | undefined) ?? userId,
        person_id: (b.person_id as number | null | undefined) ?? null,
        org_id: (b.org_id as number | null | undefined) ?? null,
        pipeline_id: pipeline.id,
        stage_id: stageId,
        value: (b.value as number | undefined) ?? 0,
        currency: (b.currency as string | undefined) ?? 'USD',
        add_time: t,
        update_time: t,
        stage_change_time: null,
        is_deleted: false,
        is_archived: false,
        status: (b.status as PipedriveDeal['status'] | undefined) ?? 'open',
        probability: null,
        lost_reason: null,
        visible_to: 3,
        close_time: null,
        won_time: null,
        lost_time: null,
        expected_close_date: (b.expected_close_date as string | undefined) ?? null,
        label_ids: [],
        origin: 'API',
        custom_fields: (b.custom_fields as Obj | undefined) ?? {},
      };
      pd.deals.set(deal.id, deal);
      return { status: 200, body: envelope(deal) };
    }

    if (path === '/api/v2/deals/search' && method === 'GET') {
      const bad = checkQuery(S.SEARCH_DEALS, 'searchDeals');
      if (bad) return bad;
      const exact = q.exact_match === 'true' || q.exact_match === '1';
      const term = q.term!.toLowerCase();
      const found = [...pd.deals.values()].filter(
        (d) =>
          !d.is_deleted &&
          (exact ? d.title.toLowerCase() === term : d.title.toLowerCase().includes(term)) &&
          (q.person_id === undefined || d.person_id === Number(q.person_id)) &&
          (q.status === undefined || d.status === q.status),
      );
      const paged = page(found, q);
      if (!paged) return refuse(400, 'Invalid cursor', 'searchDeals: cursor not one we gave');
      const items = paged.data.map((d) => ({
        result_score: 1,
        item: {
          id: d.id,
          type: 'deal',
          title: d.title,
          value: d.value,
          currency: d.currency,
          status: d.status,
          visible_to: d.visible_to,
          owner: { id: d.owner_id },
          stage: { id: d.stage_id, name: `Stage ${d.stage_id}` },
          person: d.person_id === null ? null : { id: d.person_id, name: pd.persons.get(d.person_id)?.name ?? '' },
          organization: null,
          custom_fields: [],
          notes: [],
        },
      }));
      return { status: 200, body: envelope({ items }, { next_cursor: paged.next }) };
    }

    if ((m = /^\/api\/v2\/deals\/(\d+)$/.exec(path))) {
      if (method === 'PUT') return refuse(405, 'Method not allowed', 'v2 updates are PATCH, not PUT');
      const deal = pd.deals.get(Number(m[1]));
      if (method === 'GET') {
        const bad = checkQuery(S.NO_QUERY, 'getDeal');
        if (bad) return bad;
        return deal && !deal.is_deleted ? { status: 200, body: envelope(deal) } : fail(404, 'Deal not found');
      }
      if (method === 'PATCH') {
        const parsed = body(S.UPDATE_DEAL, 'updateDeal');
        if ('reply' in parsed) return parsed.reply;
        const b = parsed.value;
        if (!deal || deal.is_deleted) return fail(404, 'Deal not found');
        if (typeof b.stage_id === 'number') {
          const pipeline = stageOf(b.stage_id);
          if (!pipeline || (b.pipeline_id !== undefined && b.pipeline_id !== pipeline.id))
            return fail(400, 'Stage does not belong to the pipeline');
          if (b.stage_id !== deal.stage_id) deal.stage_change_time = v2Time(now());
          deal.pipeline_id = pipeline.id;
        }
        Object.assign(deal, b);
        deal.update_time = v2Time(now());
        return { status: 200, body: envelope(deal) };
      }
    }

    return refuse(404, `Unknown method ${method} ${path}`, `no simulated endpoint ${method} ${path}`);
  };

  const mergeInto = (keep: PipedrivePerson, gone: PipedrivePerson, source: 'api' | 'app'): PipedrivePerson => {
    const before = structuredClone(keep);
    const add = (into: PipedriveValue[], from: PipedriveValue[]) => {
      for (const v of from)
        if (!into.some((x) => x.value.toLowerCase() === v.value.toLowerCase())) into.push({ ...v, primary: false });
    };
    add(keep.emails, gone.emails);
    add(keep.phones, gone.phones);
    keep.job_title ??= gone.job_title;
    keep.birthday ??= gone.birthday;
    keep.custom_fields = { ...gone.custom_fields, ...keep.custom_fields };
    keep.update_time = v2Time(now());
    gone.is_deleted = true;
    for (const n of pd.notes.values()) if (n.person_id === gone.id) n.person_id = keep.id;
    for (const d of pd.deals.values()) if (d.person_id === gone.id) d.person_id = keep.id;
    void notify('delete', gone, null, source, { merged_to_id: String(keep.id) });
    void notify('change', keep, changedFields(before, keep), source);
    return keep;
  };

  const handle = (req: RecordedRequest, fake: FakeServer): FakeReply => {
    if (down)
      return {
        status: 503,
        body: '<html><body>503 Service Unavailable</body></html>',
        headers: { 'content-type': 'text/html' },
      };
    const f = failure;
    failure = undefined;
    if (f === 'malformed') return { status: 200, body: '{"success":true,"data":{"id":' };
    if (f === 'success-false')
      return { status: 200, body: { success: false, error: 'Internal error', error_info: ERROR_INFO } };
    if (f) return f;
    const headers = rateHeaders();
    const withHeaders = (r: FakeReply): FakeReply => ({ ...r, headers: { ...headers, ...r.headers } });
    if (window.count > pd.burst.limit)
      return withHeaders({
        status: 429,
        body: {
          success: false,
          error: 'Request over limit',
          errorCode: 429,
          error_info: ERROR_INFO,
          data: null,
          additional_data: null,
        },
      });
    const q: Record<string, string> = {};
    for (const k of new Set(req.query.keys())) {
      const all = req.query.getAll(k);
      if (all.length > 1) fake.violate(req, `query parameter ${k} is repeated`);
      q[k] = all[0]!;
    }
    if ('api_token' in q) {
      fake.violate(req, 'the API token is in the query string; send it in the x-api-token header');
      delete q.api_token;
    }
    const token = req.headers['x-api-token'];
    if (token !== opts.apiToken) {
      fake.violate(req, token === undefined ? 'no x-api-token header' : 'wrong x-api-token');
      return withHeaders({
        status: 401,
        body: {
          success: false,
          error: 'unauthorized access',
          errorCode: 401,
          error_info: ERROR_INFO,
          data: null,
          additional_data: null,
        },
      });
    }
    return withHeaders(route(req, q, fake));
  };

  const fake = await startFakeServer(handle);
  pd = Object.assign(fake, {
    apiToken: opts.apiToken,
    companyId,
    companyDomain,
    userId,
    persons: new Map<number, PipedrivePerson>(),
    deals: new Map<number, PipedriveDeal>(),
    notes: new Map<number, PipedriveNote>(),
    pipelines: [
      { id: 1, name: 'Sales', stages: [1, 2, 3] },
      { id: 2, name: 'Partners', stages: [4, 5] },
    ],
    burst: { limit: opts.burst?.limit ?? 20, windowMs: opts.burst?.windowMs ?? 2_000 },
    failNext: (f: PipedriveFailure) => void (failure = f),
    outage: (on: boolean) => void (down = on),
    subscribe: (hook: PipedriveSubscription | null) => void (subscription = hook),
    deliveries: [] as PipedriveDelivery[],
    flush: async () => {
      let last: Promise<unknown>;
      do {
        last = queue;
        await last;
      } while (last !== queue);
    },
    createPerson: async (p: { name: string; emails?: string[]; phones?: string[]; job_title?: string }) => {
      const created = newPerson({ name: p.name, emails: p.emails, phones: p.phones, job_title: p.job_title });
      await notify('create', created, null, 'app');
      return created;
    },
    changePerson: async (
      id: number,
      patch: Partial<Pick<PipedrivePerson, 'name' | 'job_title' | 'birthday'>> & {
        emails?: string[];
        phones?: string[];
      },
    ) => {
      const p = person(id);
      if (!p) throw new Error(`no person ${id} in the fake`);
      const before = patchPerson(p, patch as Obj);
      await notify('change', p, changedFields(before, p), 'app');
      return p;
    },
    deletePerson: async (id: number) => {
      const p = person(id);
      if (!p) throw new Error(`no person ${id} in the fake`);
      p.is_deleted = true;
      await notify('delete', p, null, 'app');
    },
    mergePersons: async (keepId: number, goneId: number) => {
      const keep = person(keepId);
      const gone = person(goneId);
      if (!keep || !gone || keep === gone) throw new Error('mergePersons needs two live persons');
      const merged = mergeInto(keep, gone, 'app');
      await pd.flush();
      return merged;
    },
    redeliver: (d: PipedriveDelivery) => {
      const meta = { ...d.payload.meta, attempt: Number(d.payload.meta.attempt ?? 1) + 1 };
      return pd.deliver({ ...d.payload, meta });
    },
    deliver: async (payload: PipedriveWebhookPayload, o: { url?: string; authorization?: string | null } = {}) => {
      const url = o.url ?? subscription?.url;
      if (!url) throw new Error('no webhook subscription and no url');
      const rawBody = JSON.stringify(payload);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Pipedrive-Webhook' };
      const auth =
        o.authorization === undefined
          ? subscription && `Basic ${Buffer.from(`${subscription.user}:${subscription.password}`).toString('base64')}`
          : o.authorization;
      if (auth) headers.authorization = auth;
      const res = await fetch(url, { method: 'POST', body: rawBody, headers });
      const delivery: PipedriveDelivery = { status: res.status, body: await res.text(), payload, rawBody, headers };
      pd.deliveries.push(delivery);
      return delivery;
    },
  });
  return pd;
}
