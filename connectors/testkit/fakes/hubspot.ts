// A fake HubSpot CRM v3 (contacts, deals, notes, account details) kept in memory, for connector and sync tests.
// Requests are checked against the schemas in hubspot-schemas.ts (written from ../shared/contracts/hubspot/NOTES.md)
// and the rules NOTES.md states (201 on create, ids and property values strings, `paging.next.after`, unique
// contact email answered 409 CONFLICT "Contact already exists. Existing ID: …", the error body
// `{ status, message, correlationId, category }`). It enforces a declared rate limit the way HubSpot's usage
// guidelines describe it (a rolling 10-second window with X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds,
// the search endpoints limited per second without those headers; 429 `{ errorType: 'RATE_LIMIT', policyName }`),
// can be told to fail (5xx, malformed JSON, an outage), and sends webhook batches signed v3 (and v1) to a URL
// when records change, the way HubSpot's webhooks docs describe them.
import { createHash, randomUUID } from 'node:crypto';
import { createAjv, signHubSpotV3 } from '../../sdk/index.js';
import { postTo, startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from '../fake-server.js';
import { CREATE_SCHEMA, MERGE_SCHEMA, SEARCH_SCHEMA, UPDATE_SCHEMA, type FilterOperator } from './hubspot-schemas.js';

export type HubSpotObjectType = 'contacts' | 'deals' | 'notes';

/** Path segments HubSpot accepts for each type: the name and the objectTypeId (NOTES.md: deals as `0-3`). */
const TYPE_SEGMENTS: Record<string, HubSpotObjectType> = {
  contacts: 'contacts',
  '0-1': 'contacts',
  deals: 'deals',
  '0-3': 'deals',
  notes: 'notes',
  '0-46': 'notes',
};

/** The writable properties per type (HubSpot's default properties the connector and tests use). */
const WRITABLE: Record<HubSpotObjectType, string[]> = {
  contacts: [
    'email',
    'firstname',
    'lastname',
    'phone',
    'mobilephone',
    'company',
    'jobtitle',
    'city',
    'state',
    'country',
    'zip',
    'address',
    'website',
    'lifecyclestage',
    'hubspot_owner_id',
  ],
  deals: ['dealname', 'amount', 'pipeline', 'dealstage', 'closedate', 'hubspot_owner_id', 'description'],
  notes: ['hs_timestamp', 'hs_note_body', 'hubspot_owner_id', 'hs_attachment_ids'],
};
/** Set by HubSpot only: writing one is a 400 READ_ONLY_VALUE. */
const READ_ONLY: Record<HubSpotObjectType, string[]> = {
  contacts: ['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_additional_emails', 'hs_merged_object_ids'],
  deals: ['hs_object_id', 'createdate', 'hs_lastmodifieddate', 'hs_merged_object_ids'],
  notes: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
};
const MODIFIED: Record<HubSpotObjectType, string> = {
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  notes: 'hs_lastmodifieddate',
};
const CREATED: Record<HubSpotObjectType, string> = {
  contacts: 'createdate',
  deals: 'createdate',
  notes: 'hs_createdate',
};
/** Returned when a request names no properties (HubSpot's defaults, roughly). */
const DEFAULT_READ: Record<HubSpotObjectType, string[]> = {
  contacts: ['email', 'firstname', 'lastname'],
  deals: ['dealname', 'amount', 'pipeline', 'dealstage', 'closedate'],
  notes: ['hs_timestamp', 'hs_note_body'],
};
const DATE_PROPERTIES = new Set([
  'createdate',
  'lastmodifieddate',
  'hs_lastmodifieddate',
  'hs_createdate',
  'hs_timestamp',
  'closedate',
]);
const NUMBER_PROPERTIES = new Set(['amount', 'hs_object_id']);

/** Association type ids per (from, to), HubSpot-defined (its default association table; NOTES.md "Notes"). */
const ASSOCIATION_TYPES: Record<string, number[]> = {
  'notes>contacts': [202],
  'notes>deals': [214],
  'deals>contacts': [3],
  'contacts>deals': [4],
};

/** The default sales pipeline's stages (HubSpot's "Sales Pipeline"). */
const DEFAULT_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
];

/** HubSpot's search paging stops at 10,000 results (its search guide). */
const SEARCH_MAX_RESULTS = 10_000;
/** HubSpot sends at most 100 events per webhook request (its webhooks docs). */
const EVENTS_PER_REQUEST = 100;

export interface HubSpotRecord {
  id: string;
  type: HubSpotObjectType;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** To type → ids. */
  associations: Record<string, string[]>;
}

export interface HubSpotEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId?: number;
  changeSource: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
  sourceId?: string;
  primaryObjectId?: number;
  mergedObjectIds?: number[];
  newObjectId?: number;
  numberOfPropertiesMoved?: number;
}

export interface HubSpotDelivery {
  url: string;
  status: number;
  body: string;
  rawBody: string;
  headers: Record<string, string>;
  events: HubSpotEvent[];
}

export interface HubSpotFakeOptions {
  accessToken: string;
  /** Signs webhooks (the app's client secret). */
  clientSecret?: string;
  portalId?: number;
  appId?: number;
  /** The rolling window every non-search call counts in; false: none. Default 100 per 10 s (private apps, Free/Starter). */
  rateLimit?: { max: number; intervalMs: number } | false;
  /** Search calls per second; false: none. Default 4 (HubSpot's changelog "CRM Search API Rate Limit Increase"). */
  searchPerSecond?: number | false;
  /** Whether 429s carry Retry-After (default true); without it only the X-HubSpot-RateLimit-* headers say when. */
  retryAfterHeader?: boolean;
  /** Where webhook batches go; none are sent until one is set (`setWebhookUrl`). */
  webhookUrl?: string;
  /** Whether changes made through the API send webhooks too, as HubSpot's do (changeSource INTEGRATION). Default true. */
  notifyApiChanges?: boolean;
  /** Custom properties per type, writable like the defaults. */
  customProperties?: Partial<Record<HubSpotObjectType, string[]>>;
  /** The clock (ms). Default Date.now, kept strictly increasing so every write has its own lastmodifieddate. */
  now?: () => number;
}

export type HubSpotFailure = { status: number; body?: unknown; headers?: Record<string, string> } | 'malformed';

export interface HubSpotFake extends FakeServer {
  portalId: number;
  appId: number;
  /** The token the API accepts; set another to revoke the one in use (a private app's token rotated in HubSpot). */
  accessToken: string;
  /** Every webhook request sent, in order. */
  deliveries: HubSpotDelivery[];
  /** 429s answered. */
  rateLimited: number;
  /** The stored records of a type (merged-away and deleted ones excluded). */
  records(type: HubSpotObjectType): HubSpotRecord[];
  get(type: HubSpotObjectType, id: string): HubSpotRecord | undefined;
  /** Answer the next `times` API calls (after auth) with this failure instead. */
  failNext(failure: HubSpotFailure, times?: number): void;
  /** While on, every call is a 503 with a non-JSON body. */
  outage(on: boolean): void;
  /** While on, writes are not seen by search until `reindex()` (HubSpot's search lags its writes). */
  searchLag(on: boolean): void;
  reindex(): void;
  setWebhookUrl(url: string | undefined): void;
  /** Changes "made in the CRM" (by a person in HubSpot): stored, then sent as webhooks (changeSource CRM_UI). */
  crm: {
    create(type: HubSpotObjectType, properties: Record<string, string>): HubSpotRecord;
    update(type: HubSpotObjectType, id: string, properties: Record<string, string>): HubSpotRecord;
    remove(type: HubSpotObjectType, id: string): void;
    merge(type: HubSpotObjectType, primaryId: string, mergedId: string): HubSpotRecord;
  };
  /** Waits until every queued webhook batch was sent and answered. */
  flush(): Promise<void>;
  /** POST these events to `url`, signed (v3, timestamp `ageMs` in the past; `secret` to sign with another one). */
  deliver(url: string, events: HubSpotEvent[], opts?: { ageMs?: number; secret?: string }): Promise<HubSpotDelivery>;
  /** HubSpot's retry of a delivery: the same events with attemptNumber + 1, signed afresh. */
  retry(delivery: HubSpotDelivery): Promise<HubSpotDelivery>;
  /** An event as HubSpot would send it (eventId and subscriptionId filled in). */
  event(subscriptionType: string, fields: Partial<HubSpotEvent>): HubSpotEvent;
}

interface Problem {
  message: string;
  in?: string;
  code?: string;
}

const SUBSCRIPTIONS: Record<string, number> = {
  'contact.creation': 1001,
  'contact.propertyChange': 1002,
  'contact.deletion': 1003,
  'contact.merge': 1004,
  'deal.creation': 2001,
  'deal.propertyChange': 2002,
  'deal.deletion': 2003,
  'deal.merge': 2004,
};

const singular = (t: HubSpotObjectType) => (t === 'contacts' ? 'contact' : t === 'deals' ? 'deal' : 'note');
const label = (t: HubSpotObjectType) => (t === 'contacts' ? 'Contact' : t === 'deals' ? 'Deal' : 'Note');

/** HubSpot's error body (NOTES.md "Error"; `status: 'error'` as HubSpot sends it). */
function hubspotError(
  status: number,
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): FakeReply {
  return { status, body: { status: 'error', message, correlationId: randomUUID(), category, ...extra } };
}

/** HubSpot's 429 body, as its API usage guidelines show it (errorType and policyName, no category). */
function rateLimitError(message: string, policyName: string): FakeReply {
  const correlationId = randomUUID();
  return {
    status: 429,
    body: { status: 'error', message, errorType: 'RATE_LIMIT', correlationId, policyName, requestId: correlationId },
  };
}

function timeOf(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const ms = /^-?\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

export async function startHubSpotFake(opts: HubSpotFakeOptions): Promise<HubSpotFake> {
  const ajv = createAjv();
  const check = {
    create: ajv.compile(CREATE_SCHEMA),
    update: ajv.compile(UPDATE_SCHEMA),
    search: ajv.compile(SEARCH_SCHEMA),
    merge: ajv.compile(MERGE_SCHEMA),
  };
  const portalId = opts.portalId ?? 62515;
  const appId = opts.appId ?? 54321;
  const rate = opts.rateLimit === undefined ? { max: 100, intervalMs: 10_000 } : opts.rateLimit;
  const searchPerSecond = opts.searchPerSecond === undefined ? 4 : opts.searchPerSecond;
  const retryAfterHeader = opts.retryAfterHeader ?? true;
  const notifyApi = opts.notifyApiChanges ?? true;
  const writable = (t: HubSpotObjectType) => new Set([...WRITABLE[t], ...(opts.customProperties?.[t] ?? [])]);
  let last = 0;
  const now = opts.now ?? (() => (last = Math.max(last + 1, Date.now())));

  const stores: Record<HubSpotObjectType, Map<string, HubSpotRecord>> = {
    contacts: new Map(),
    deals: new Map(),
    notes: new Map(),
  };
  /** What search sees (a copy per record), equal to the stores unless search lags. */
  const index: Record<HubSpotObjectType, Map<string, HubSpotRecord>> = {
    contacts: new Map(),
    deals: new Map(),
    notes: new Map(),
  };
  /** A merged-away id → the id that absorbed it (GET of a merged id answers the survivor). */
  const mergedInto = new Map<string, string>();
  let nextId = 1000;
  let nextEventId = 100;
  let lag = false;
  let down = false;
  const failures: HubSpotFailure[] = [];
  const calls: number[] = [];
  const searches: number[] = [];
  let webhookUrl = opts.webhookUrl;
  const pending: HubSpotEvent[] = [];
  let sending: Promise<void> = Promise.resolve();

  const indexRecord = (r: HubSpotRecord) => {
    if (!lag) index[r.type].set(r.id, structuredClone(r));
  };
  const unindex = (r: HubSpotRecord) => {
    if (!lag) index[r.type].delete(r.id);
  };

  const event = (subscriptionType: string, fields: Partial<HubSpotEvent>): HubSpotEvent => ({
    eventId: nextEventId++,
    subscriptionId: SUBSCRIPTIONS[subscriptionType] ?? 9999,
    portalId,
    appId,
    occurredAt: now(),
    subscriptionType,
    attemptNumber: 0,
    changeSource: 'CRM_UI',
    ...fields,
  });

  const notify = (events: HubSpotEvent[], source: 'CRM_UI' | 'INTEGRATION') => {
    if (webhookUrl === undefined || (source === 'INTEGRATION' && !notifyApi)) return;
    const sourceId = source === 'CRM_UI' ? 'userId:45678' : String(appId);
    pending.push(...events.map((e) => ({ ...e, changeSource: source, sourceId })));
    const url = webhookUrl;
    sending = sending.then(async () => {
      while (pending.length > 0) {
        const batch = pending.splice(0, EVENTS_PER_REQUEST);
        await send(url, batch).catch(() => undefined);
      }
    });
  };

  const send = async (url: string, events: HubSpotEvent[], ageMs = 0, secret = opts.clientSecret) => {
    const rawBody = JSON.stringify(events);
    const timestamp = String(Date.now() - ageMs);
    const key = secret ?? '';
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon-executor',
      'x-hubspot-request-timestamp': timestamp,
      'x-hubspot-signature-v3': signHubSpotV3(key, 'POST', url, rawBody, timestamp),
      // v1 for backwards compatibility (HubSpot's "Validating requests": sha256 hex of secret + body).
      'x-hubspot-signature': createHash('sha256')
        .update(key + rawBody, 'utf8')
        .digest('hex'),
      'x-hubspot-signature-version': 'v1',
    };
    const res = await postTo(url, rawBody, headers);
    const delivery: HubSpotDelivery = { url, ...res, rawBody, headers, events };
    hs.deliveries.push(delivery);
    return delivery;
  };

  // ---- records ------------------------------------------------------------------------------------------------

  const resolveId = (id: string) => {
    let at = id;
    for (let i = 0; i < 10 && mergedInto.has(at); i++) at = mergedInto.get(at)!;
    return at;
  };

  const emailOwner = (email: string, except?: string) => {
    for (const r of stores.contacts.values()) {
      if (r.id === except) continue;
      if ((r.properties.email ?? '').toLowerCase() === email) return r;
    }
    return undefined;
  };

  const propertyProblems = (type: HubSpotObjectType, props: Record<string, string>, creating: boolean) => {
    const problems: Problem[] = [];
    const ok = writable(type);
    for (const [name, value] of Object.entries(props)) {
      if (READ_ONLY[type].includes(name))
        problems.push({ message: `Property "${name}" is read-only`, code: 'READ_ONLY_VALUE', in: name });
      else if (!ok.has(name))
        problems.push({ message: `Property "${name}" does not exist`, code: 'PROPERTY_DOESNT_EXIST', in: name });
      else if (name === 'email' && value !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
        problems.push({ message: `Email address ${value} is invalid`, code: 'INVALID_EMAIL', in: name });
      else if (DATE_PROPERTIES.has(name) && value !== '' && timeOf(value) === undefined)
        problems.push({ message: `${value} is not a valid datetime for ${name}`, code: 'INVALID_DATE', in: name });
      else if (NUMBER_PROPERTIES.has(name) && value !== '' && !Number.isFinite(Number(value)))
        problems.push({ message: `${value} is not a valid number for ${name}`, code: 'INVALID_INTEGER', in: name });
      else if (type === 'deals' && name === 'dealstage' && !DEFAULT_STAGES.includes(value))
        problems.push({ message: `${value} is not a valid deal stage`, code: 'INVALID_OPTION', in: name });
      else if (type === 'deals' && name === 'pipeline' && value !== 'default')
        problems.push({ message: `${value} is not a valid pipeline`, code: 'INVALID_OPTION', in: name });
    }
    if (creating && type === 'notes' && !props.hs_timestamp)
      problems.push({ message: 'hs_timestamp is required', code: 'REQUIRED_PROPERTY', in: 'hs_timestamp' });
    return problems;
  };

  const create = (type: HubSpotObjectType, props: Record<string, string>, associations: [string, string][] = []) => {
    const at = now();
    const id = String(++nextId);
    const iso = new Date(at).toISOString();
    const properties: Record<string, string> = { ...props, hs_object_id: id };
    properties[CREATED[type]] = iso;
    properties[MODIFIED[type]] = iso;
    if (type === 'contacts' && properties.email) properties.email = properties.email.toLowerCase();
    const r: HubSpotRecord = { id, type, properties, createdAt: iso, updatedAt: iso, associations: {} };
    for (const [to, toId] of associations) associate(r, to as HubSpotObjectType, toId);
    stores[type].set(id, r);
    indexRecord(r);
    return r;
  };

  const associate = (r: HubSpotRecord, to: HubSpotObjectType, toId: string) => {
    const mine = (r.associations[to] ??= []);
    if (!mine.includes(toId)) mine.push(toId);
    const other = stores[to].get(toId);
    if (other) {
      const theirs = (other.associations[r.type] ??= []);
      if (!theirs.includes(r.id)) theirs.push(r.id);
      indexRecord(other);
    }
  };

  /** Applies the write; the names of the properties whose value changed. */
  const update = (r: HubSpotRecord, props: Record<string, string>): string[] => {
    const changed: string[] = [];
    for (const [k, v0] of Object.entries(props)) {
      const v = r.type === 'contacts' && k === 'email' ? v0.toLowerCase() : v0;
      if ((r.properties[k] ?? '') === v) continue;
      changed.push(k);
      if (v === '') delete r.properties[k];
      else r.properties[k] = v;
    }
    const iso = new Date(now()).toISOString();
    r.properties[MODIFIED[r.type]] = iso;
    r.updatedAt = iso;
    indexRecord(r);
    return changed;
  };

  const remove = (r: HubSpotRecord) => {
    stores[r.type].delete(r.id);
    unindex(r);
  };

  /** HubSpot's merge: the primary keeps its id and takes the other's missing properties and associations. */
  const merge = (primary: HubSpotRecord, other: HubSpotRecord) => {
    let moved = 0;
    for (const [k, v] of Object.entries(other.properties)) {
      if (READ_ONLY[primary.type].includes(k) || k in primary.properties) continue;
      primary.properties[k] = v;
      moved++;
    }
    if (primary.type === 'contacts' && other.properties.email && other.properties.email !== primary.properties.email) {
      const extra = (primary.properties.hs_additional_emails ?? '').split(';').filter((e) => e !== '');
      primary.properties.hs_additional_emails = [...new Set([...extra, other.properties.email])].join(';');
    }
    const mergedIds = (primary.properties.hs_merged_object_ids ?? '').split(';').filter((e) => e !== '');
    primary.properties.hs_merged_object_ids = [...new Set([...mergedIds, other.id])].join(';');
    for (const [to, ids] of Object.entries(other.associations))
      for (const toId of ids) associate(primary, to as HubSpotObjectType, toId);
    remove(other);
    mergedInto.set(other.id, primary.id);
    const iso = new Date(now()).toISOString();
    primary.properties[MODIFIED[primary.type]] = iso;
    primary.updatedAt = iso;
    indexRecord(primary);
    return moved;
  };

  /** A record as HubSpot answers it: the named properties (null when unset) plus id, created and modified. */
  const view = (r: HubSpotRecord, names: string[] | undefined) => {
    const wanted = new Set([
      ...(names && names.length > 0 ? names : DEFAULT_READ[r.type]),
      'hs_object_id',
      CREATED[r.type],
      MODIFIED[r.type],
    ]);
    const properties: Record<string, string | null> = {};
    for (const n of wanted)
      if (writable(r.type).has(n) || READ_ONLY[r.type].includes(n)) properties[n] = r.properties[n] ?? null;
    return { id: r.id, properties, createdAt: r.createdAt, updatedAt: r.updatedAt, archived: false };
  };

  // ---- search ---------------------------------------------------------------------------------------------------

  type Filter = {
    propertyName: string;
    operator: FilterOperator;
    value?: string;
    highValue?: string;
    values?: string[];
  };

  const filterProblem = (f: Filter): string | undefined => {
    const needsValue = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN', 'BETWEEN'];
    if (needsValue.includes(f.operator) && f.value === undefined) return `operator ${f.operator} needs a value`;
    if (f.operator === 'BETWEEN' && f.highValue === undefined) return 'operator BETWEEN needs a highValue';
    if ((f.operator === 'IN' || f.operator === 'NOT_IN') && (f.values === undefined || f.values.length === 0))
      return `operator ${f.operator} needs values`;
    return undefined;
  };

  const compare = (name: string, a: string, b: string): number => {
    if (DATE_PROPERTIES.has(name)) return (timeOf(a) ?? 0) - (timeOf(b) ?? 0);
    if (NUMBER_PROPERTIES.has(name)) return Number(a) - Number(b);
    return a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
  };

  const matches = (r: HubSpotRecord, f: Filter): boolean => {
    if (f.propertyName.startsWith('associations.')) {
      const to = `${f.propertyName.slice('associations.'.length)}s`;
      const ids = r.associations[to] ?? [];
      if (f.operator === 'EQ') return ids.includes(f.value ?? '');
      if (f.operator === 'IN') return (f.values ?? []).some((v) => ids.includes(v));
      return false;
    }
    const name = f.propertyName === 'id' ? 'hs_object_id' : f.propertyName;
    const v = r.properties[name];
    const has = v !== undefined && v !== '';
    switch (f.operator) {
      case 'HAS_PROPERTY':
        return has;
      case 'NOT_HAS_PROPERTY':
        return !has;
      case 'IN':
        return has && (f.values ?? []).some((x) => compare(name, v, x) === 0);
      case 'NOT_IN':
        return !has || !(f.values ?? []).some((x) => compare(name, v, x) === 0);
      case 'CONTAINS_TOKEN':
      case 'NOT_CONTAINS_TOKEN': {
        const token = (f.value ?? '').toLowerCase().replace(/\*/g, '');
        const found =
          has &&
          v
            .toLowerCase()
            .split(/[\s@.;,]+/)
            .some((t) => t.includes(token));
        return f.operator === 'CONTAINS_TOKEN' ? found : !found;
      }
      case 'NEQ':
        return !has || compare(name, v, f.value!) !== 0;
    }
    if (!has) return false;
    const c = compare(name, v, f.value!);
    switch (f.operator) {
      case 'EQ':
        return c === 0;
      case 'LT':
        return c < 0;
      case 'LTE':
        return c <= 0;
      case 'GT':
        return c > 0;
      case 'GTE':
        return c >= 0;
      case 'BETWEEN':
        return c >= 0 && compare(name, v, f.highValue!) <= 0;
    }
    return false;
  };

  interface SearchBody {
    query?: string;
    filterGroups?: { filters: Filter[] }[];
    sorts?: (string | { propertyName: string; direction?: 'ASCENDING' | 'DESCENDING' })[];
    properties?: string[];
    limit?: number;
    after?: string;
  }

  const search = (type: HubSpotObjectType, body: SearchBody): FakeReply => {
    const groups = body.filterGroups ?? [];
    for (const g of groups)
      for (const f of g.filters) {
        const problem = filterProblem(f);
        if (problem) return hubspotError(400, 'VALIDATION_ERROR', `Invalid filter: ${problem}`);
      }
    const limit = body.limit ?? 10;
    const offset = Number(body.after ?? '0');
    if (offset + limit > SEARCH_MAX_RESULTS)
      return hubspotError(400, 'VALIDATION_ERROR', `Search paging is limited to ${SEARCH_MAX_RESULTS} results`);
    const q = body.query?.toLowerCase();
    let hits = [...index[type].values()].filter(
      (r) =>
        (groups.length === 0 || groups.some((g) => g.filters.every((f) => matches(r, f)))) &&
        (q === undefined || Object.values(r.properties).some((v) => v.toLowerCase().includes(q))),
    );
    const sort = body.sorts?.[0];
    const sortName = typeof sort === 'string' ? sort : sort?.propertyName;
    const dir = typeof sort === 'object' && sort.direction === 'DESCENDING' ? -1 : 1;
    hits = hits.sort((a, b) => {
      const c = sortName ? compare(sortName, a.properties[sortName] ?? '', b.properties[sortName] ?? '') : 0;
      return c !== 0 ? c * dir : Number(a.id) - Number(b.id);
    });
    const page = hits.slice(offset, offset + limit);
    const more = offset + limit < hits.length;
    return {
      status: 200,
      body: {
        total: hits.length,
        results: page.map((r) => view(r, body.properties)),
        ...(more && { paging: { next: { after: String(offset + limit), link: '' } } }),
      },
    };
  };

  // ---- requests ---------------------------------------------------------------------------------------------------

  const invalid = (req: RecordedRequest, what: string, errors: { instancePath: string; message?: string }[]) => {
    const problems = errors.map((e) => ({
      message: `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
      in: e.instancePath,
    }));
    hs.violate(req, `${what}: ${problems.map((p) => p.message).join('; ')}`);
    return hubspotError(400, 'VALIDATION_ERROR', `Invalid input JSON: ${problems.map((p) => p.message).join('; ')}`, {
      errors: problems,
    });
  };

  const rateHeaders = (remaining: number): Record<string, string> =>
    rate
      ? {
          'x-hubspot-ratelimit-max': String(rate.max),
          'x-hubspot-ratelimit-remaining': String(Math.max(0, remaining)),
          'x-hubspot-ratelimit-interval-milliseconds': String(rate.intervalMs),
        }
      : {};

  /** A 429 when the call does not fit its window, else undefined (and the call is counted). */
  const limit = (isSearch: boolean): FakeReply | { headers: Record<string, string> } => {
    const t = Date.now();
    if (isSearch) {
      if (searchPerSecond === false) return { headers: {} };
      while (searches.length > 0 && searches[0]! <= t - 1000) searches.shift();
      if (searches.length >= searchPerSecond) {
        hs.rateLimited++;
        const wait = Math.max(1, Math.ceil((searches[0]! + 1000 - t) / 1000));
        return {
          ...rateLimitError('You have reached your secondly limit.', 'SECONDLY'),
          headers: retryAfterHeader ? { 'retry-after': String(wait) } : {},
        };
      }
      searches.push(t);
      return { headers: {} };
    }
    if (!rate) return { headers: {} };
    while (calls.length > 0 && calls[0]! <= t - rate.intervalMs) calls.shift();
    if (calls.length >= rate.max) {
      hs.rateLimited++;
      const wait = Math.max(1, Math.ceil((calls[0]! + rate.intervalMs - t) / 1000));
      return {
        ...rateLimitError('You have reached your ten_secondly_rolling limit.', 'TEN_SECONDLY_ROLLING'),
        headers: { ...rateHeaders(0), ...(retryAfterHeader && { 'retry-after': String(wait) }) },
      };
    }
    calls.push(t);
    return { headers: rateHeaders(rate.max - calls.length) };
  };

  const parseAssociations = (
    type: HubSpotObjectType,
    list: { to: { id: string }; types: { associationTypeId: number }[] }[] | undefined,
  ): [string, string][] | Problem => {
    const out: [string, string][] = [];
    for (const a of list ?? []) {
      for (const t of a.types) {
        const target = Object.entries(ASSOCIATION_TYPES).find(
          ([k, ids]) => k.startsWith(`${type}>`) && ids.includes(t.associationTypeId),
        );
        if (!target)
          return {
            message: `association type ${t.associationTypeId} is not valid from ${singular(type)}`,
            code: 'INVALID_ASSOCIATION',
          };
        const to = target[0].split('>')[1] as HubSpotObjectType;
        if (!stores[to].has(a.to.id))
          return { message: `${label(to)} ${a.to.id} does not exist`, code: 'INVALID_ASSOCIATION' };
        out.push([to, a.to.id]);
      }
    }
    return out;
  };

  const handle = (req: RecordedRequest): FakeReply => {
    if (down) return { status: 503, body: 'Service Unavailable', headers: { 'content-type': 'text/html' } };
    const auth = req.headers.authorization;
    if (auth === undefined || !auth.startsWith('Bearer ')) {
      hs.violate(req, 'no Authorization: Bearer header');
      return hubspotError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
    }
    if (auth.slice(7) !== hs.accessToken)
      return hubspotError(401, 'INVALID_AUTHENTICATION', 'The access token provided is invalid or has expired.');
    const failure = failures.shift();
    if (failure === 'malformed') return { status: 200, body: '{"id":"1","properties":{"email":"trunc' };
    if (failure)
      return { status: failure.status, body: failure.body ?? '', ...(failure.headers && { headers: failure.headers }) };

    if (req.method === 'GET' && req.path === '/account-info/v3/details') {
      const l = limit(false);
      if ('status' in l) return l;
      return {
        status: 200,
        headers: l.headers,
        body: {
          portalId,
          accountType: 'STANDARD',
          timeZone: 'US/Eastern',
          companyCurrency: 'USD',
          additionalCurrencies: [],
          utcOffset: '-05:00',
          utcOffsetMilliseconds: -18_000_000,
          uiDomain: 'app.hubspot.com',
          dataHostingLocation: 'na1',
        },
      };
    }
    const m = /^\/crm\/v3\/objects\/([a-z0-9-]+)(?:\/([^/]+))?$/.exec(req.path);
    const type = m ? TYPE_SEGMENTS[m[1]!] : undefined;
    if (!m || !type) {
      hs.violate(req, `no simulated endpoint at ${req.method} ${req.path}`);
      return hubspotError(404, 'OBJECT_NOT_FOUND', 'resource not found');
    }
    const sub = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const isSearch = sub === 'search';
    const l = limit(isSearch);
    if ('status' in l) return l;
    const ok = (status: number, body: unknown): FakeReply => ({ status, body, headers: l.headers });
    const hasBody = req.method === 'POST' || req.method === 'PATCH';
    if (hasBody) {
      if (
        req.bodyError !== undefined ||
        typeof req.body !== 'object' ||
        req.body === null ||
        req.body instanceof URLSearchParams
      ) {
        hs.violate(req, `body is not a JSON object (${req.bodyError ?? String(req.headers['content-type'])})`);
        return hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: the body must be a JSON object');
      }
    }
    const body = req.body as Record<string, unknown>;
    const names = req.query
      .get('properties')
      ?.split(',')
      .filter((n) => n !== '');

    if (sub === undefined && req.method === 'POST') {
      if (!check.create(body)) return invalid(req, `${type} create`, check.create.errors ?? []);
      const props = body.properties as Record<string, string>;
      const problems = propertyProblems(type, props, true);
      if (problems.length > 0) return propertyError(req, problems);
      if (type === 'contacts' && props.email) {
        const owner = emailOwner(props.email.toLowerCase());
        if (owner) return hubspotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${owner.id}`);
      }
      const assoc = parseAssociations(type, body.associations as never);
      if (!Array.isArray(assoc)) return propertyError(req, [assoc]);
      const r = create(type, props, assoc);
      notify([event(`${singular(type)}.creation`, { objectId: Number(r.id), changeFlag: 'CREATED' })], 'INTEGRATION');
      return ok(201, view(r, Object.keys(props)));
    }
    if (sub === undefined && req.method === 'GET') {
      const lim = Number(req.query.get('limit') ?? '10');
      if (!Number.isInteger(lim) || lim < 1 || lim > 100)
        return hubspotError(400, 'VALIDATION_ERROR', 'limit must be between 1 and 100');
      const all = [...stores[type].values()].sort((a, b) => Number(a.id) - Number(b.id));
      const after = Number(req.query.get('after') ?? '0');
      const page = all.filter((r) => Number(r.id) > after).slice(0, lim);
      const more = page.length === lim && all.some((r) => Number(r.id) > Number(page.at(-1)!.id));
      return ok(200, {
        results: page.map((r) => view(r, names)),
        ...(more && { paging: { next: { after: page.at(-1)!.id, link: '' } } }),
      });
    }
    if (isSearch && req.method === 'POST') {
      if (!check.search(body)) return invalid(req, `${type} search`, check.search.errors ?? []);
      return { ...search(type, body as SearchBody), headers: l.headers };
    }
    if (sub === 'merge' && req.method === 'POST') {
      if (type === 'notes') return hubspotError(400, 'VALIDATION_ERROR', 'notes cannot be merged');
      if (!check.merge(body)) return invalid(req, `${type} merge`, check.merge.errors ?? []);
      const primary = stores[type].get(String(body.primaryObjectId));
      const other = stores[type].get(String(body.objectIdToMerge));
      if (!primary || !other) return hubspotError(404, 'OBJECT_NOT_FOUND', `${label(type)} not found`);
      if (primary.id === other.id) return hubspotError(400, 'VALIDATION_ERROR', 'cannot merge an object with itself');
      const moved = merge(primary, other);
      notify(
        [
          event(`${singular(type)}.merge`, {
            objectId: Number(primary.id),
            primaryObjectId: Number(primary.id),
            mergedObjectIds: [Number(other.id)],
            newObjectId: Number(primary.id),
            numberOfPropertiesMoved: moved,
            changeFlag: 'MERGED',
          }),
        ],
        'INTEGRATION',
      );
      return ok(200, view(primary, Object.keys(primary.properties)));
    }
    if (sub !== undefined && !isSearch && sub !== 'merge') {
      if (!/^[0-9]{1,20}$/.test(sub)) return hubspotError(400, 'VALIDATION_ERROR', `${sub} is not a valid object id`);
      const r = stores[type].get(resolveId(sub));
      if (!r) return hubspotError(404, 'OBJECT_NOT_FOUND', 'resource not found');
      if (req.method === 'GET') return ok(200, view(r, names));
      if (req.method === 'DELETE') {
        remove(r);
        notify([event(`${singular(type)}.deletion`, { objectId: Number(r.id), changeFlag: 'DELETED' })], 'INTEGRATION');
        return { status: 204, headers: l.headers };
      }
      if (req.method === 'PATCH') {
        if (!check.update(body)) return invalid(req, `${type} update`, check.update.errors ?? []);
        const props = body.properties as Record<string, string>;
        const problems = propertyProblems(type, props, false);
        if (problems.length > 0) return propertyError(req, problems);
        if (type === 'contacts' && props.email) {
          const owner = emailOwner(props.email.toLowerCase(), r.id);
          if (owner) return hubspotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${owner.id}`);
        }
        const changed = update(r, props);
        notify(changedEvents(r, changed), 'INTEGRATION');
        return ok(200, view(r, Object.keys(props)));
      }
    }
    hs.violate(req, `no simulated endpoint at ${req.method} ${req.path}`);
    return hubspotError(405, 'VALIDATION_ERROR', `${req.method} is not allowed here`);
  };

  const propertyError = (req: RecordedRequest, problems: Problem[]): FakeReply => {
    hs.violate(req, `property values were not valid: ${problems.map((p) => p.message).join('; ')}`);
    return hubspotError(
      400,
      'VALIDATION_ERROR',
      `Property values were not valid: ${problems.map((p) => p.message).join('; ')}`,
      {
        errors: problems.map((p) => ({ message: p.message, code: p.code, in: p.in })),
      },
    );
  };

  const changedEvents = (r: HubSpotRecord, changed: string[]) =>
    changed.map((name) =>
      event(`${singular(r.type)}.propertyChange`, {
        objectId: Number(r.id),
        propertyName: name,
        propertyValue: r.properties[name] ?? '',
      }),
    );

  const fake = await startFakeServer((req) => handle(req));
  const need = (type: HubSpotObjectType, id: string) => {
    const r = stores[type].get(id);
    if (!r) throw new Error(`no ${singular(type)} ${id} in the HubSpot fake`);
    return r;
  };
  const hs: HubSpotFake = Object.assign(fake, {
    portalId,
    appId,
    accessToken: opts.accessToken,
    deliveries: [] as HubSpotDelivery[],
    rateLimited: 0,
    records: (type: HubSpotObjectType) => [...stores[type].values()],
    get: (type: HubSpotObjectType, id: string) => stores[type].get(id),
    failNext: (failure: HubSpotFailure, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    outage: (on: boolean) => void (down = on),
    searchLag: (on: boolean) => {
      lag = on;
      if (!on) hs.reindex();
    },
    reindex: () => {
      for (const t of Object.keys(stores) as HubSpotObjectType[]) {
        index[t] = new Map([...stores[t]].map(([id, r]) => [id, structuredClone(r)]));
      }
    },
    setWebhookUrl: (url: string | undefined) => void (webhookUrl = url),
    crm: {
      create: (type: HubSpotObjectType, properties: Record<string, string>) => {
        const r = create(type, properties);
        notify([event(`${singular(type)}.creation`, { objectId: Number(r.id), changeFlag: 'CREATED' })], 'CRM_UI');
        return r;
      },
      update: (type: HubSpotObjectType, id: string, properties: Record<string, string>) => {
        const r = need(type, id);
        notify(changedEvents(r, update(r, properties)), 'CRM_UI');
        return r;
      },
      remove: (type: HubSpotObjectType, id: string) => {
        const r = need(type, id);
        remove(r);
        notify([event(`${singular(type)}.deletion`, { objectId: Number(id), changeFlag: 'DELETED' })], 'CRM_UI');
      },
      merge: (type: HubSpotObjectType, primaryId: string, mergedId: string) => {
        const primary = need(type, primaryId);
        const moved = merge(primary, need(type, mergedId));
        notify(
          [
            event(`${singular(type)}.merge`, {
              objectId: Number(primaryId),
              primaryObjectId: Number(primaryId),
              mergedObjectIds: [Number(mergedId)],
              newObjectId: Number(primaryId),
              numberOfPropertiesMoved: moved,
              changeFlag: 'MERGED',
            }),
          ],
          'CRM_UI',
        );
        return primary;
      },
    },
    flush: async () => {
      let seen: Promise<void> | undefined;
      while (seen !== sending) {
        seen = sending;
        await seen;
      }
    },
    deliver: (url: string, events: HubSpotEvent[], o: { ageMs?: number; secret?: string } = {}) =>
      send(url, events, o.ageMs, o.secret ?? opts.clientSecret),
    retry: (d: HubSpotDelivery) =>
      send(
        d.url,
        d.events.map((e) => ({ ...e, attemptNumber: e.attemptNumber + 1 })),
      ),
    event,
  });
  return hs;
}
