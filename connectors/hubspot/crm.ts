// The `crm` capability over client.ts: HubSpot contacts as CrmPersons. A contact's emails are `email` (the one
// writable, unique one) and `hs_additional_emails` (read-only, `;`-separated); phones are `phone` and `mobilephone`;
// the name is `firstname` + `lastname`; `updatedAt` is `lastmodifieddate`; `mergedIds` is `hs_merged_object_ids`.
import type { JsonObject } from '../flow/types.js';
import {
  ConnectorError,
  type CrmCallContext,
  type CrmClient,
  type CrmPerson,
  type CrmPersonWrite,
} from '../sdk/index.js';
import {
  ASSOCIATION,
  associateTo,
  createObject,
  getObject,
  mergeContacts,
  portalId,
  searchObjects,
  updateObject,
  type HubspotCallContext,
  type HubspotObject,
  type SearchRequest,
} from './client.js';
import { readHubspotSettings } from './settings.js';

/** Contact attribute → HubSpot contact property (HubSpot's default contact properties); name, emails, phones aside. */
export const HUBSPOT_FIELD_MAP: Record<string, string> = {
  company: 'company',
  jobTitle: 'jobtitle',
  city: 'city',
  state: 'state',
  country: 'country',
  zip: 'zip',
  address: 'address',
  website: 'website',
  lifecycleStage: 'lifecyclestage',
};

/** The properties the person mapping itself reads; never in `fields`. */
const BASE_PROPERTIES = [
  'email',
  'hs_additional_emails',
  'firstname',
  'lastname',
  'phone',
  'mobilephone',
  'createdate',
  'lastmodifieddate',
  'hs_merged_object_ids',
  'hs_object_id',
] as const;
const BASE = new Set<string>(BASE_PROPERTIES);

/** HubSpot's note body limit (notes guide: "limited to 65,536 characters"). */
export const NOTE_MAX = 65_536;
/** PublicObjectSearchRequest allows up to 6 filter groups (NOTES.md); one group per email or phone property. */
const MAX_GROUPS = 6;
/** HubSpot's search page size limit (NOTES.md: "up to 200 objects"). */
export const SEARCH_LIMIT_MAX = 200;

/** The properties read for a person: the mapping's own, the default field map's and the account's `fieldMap`. */
export function personProperties(account: CrmCallContext['account']): string[] {
  const { fieldMap } = readHubspotSettings(account);
  return [...new Set([...BASE_PROPERTIES, ...Object.values(HUBSPOT_FIELD_MAP), ...Object.values(fieldMap ?? {})])];
}

const list = (...values: (string | null | undefined)[]): string[] => [
  ...new Set(
    values
      .flatMap((v) => (v ?? '').split(';'))
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ),
];

/** A HubSpot datetime (ISO-8601, or Unix milliseconds as HubSpot writes some) as ISO-8601, else undefined. */
export function hubspotTime(v: string | null | undefined): string | undefined {
  if (!v) return undefined;
  const ms = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function toPerson(o: HubspotObject): CrmPerson {
  const p = o.properties;
  const name = [p.firstname, p.lastname]
    .filter((v) => v && v.trim() !== '')
    .join(' ')
    .trim();
  const fields: JsonObject = {};
  for (const [k, v] of Object.entries(p)) if (!BASE.has(k)) fields[k] = v;
  const mergedIds = list(p.hs_merged_object_ids);
  return {
    id: o.id,
    name: name === '' ? null : name,
    emails: list(p.email, p.hs_additional_emails),
    phones: list(p.phone, p.mobilephone),
    fields,
    updatedAt: hubspotTime(p.lastmodifieddate) ?? hubspotTime(o.updatedAt) ?? new Date(0).toISOString(),
    ...(mergedIds.length > 0 && { mergedIds }),
  };
}

/** A property value as HubSpot takes it: a string ('' clears). Objects and arrays are refused. */
function propertyValue(name: string, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ConnectorError('validation', `HubSpot property ${name} takes a string, number or boolean`, {
    code: 'HUBSPOT_PROPERTY_VALUE',
    retryable: false,
    details: { property: name },
  });
}

/**
 * The properties for a write. The name is split at its first space (firstname, lastname); the first email is
 * `email` (HubSpot's additional emails cannot be written through the CRM API, so later ones stay in Confluo only);
 * the first two phones are `phone` and `mobilephone`, a given list clearing what it leaves out.
 */
export function toProperties(write: CrmPersonWrite): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(write.fields ?? {})) {
    if (BASE.has(k)) continue; // written through name/emails/phones, or read-only
    out[k] = propertyValue(k, v);
  }
  if (write.name !== undefined) {
    const name = (write.name ?? '').trim();
    const at = name.indexOf(' ');
    out.firstname = at < 0 ? name : name.slice(0, at);
    out.lastname = at < 0 ? '' : name.slice(at + 1).trim();
  }
  if (write.emails !== undefined) out.email = (write.emails[0] ?? '').trim().toLowerCase();
  if (write.phones !== undefined) {
    out.phone = write.phones[0] ?? '';
    out.mobilephone = write.phones[1] ?? '';
  }
  return out;
}

/** The first contact whose email or phone is one of these: exact matches (EQ), emails first, one search each. */
async function findContact(ctx: HubspotCallContext, by: { emails: string[]; phones: string[] }, properties: string[]) {
  const emails = list(...by.emails.map((e) => e.toLowerCase())).slice(0, MAX_GROUPS);
  const phones = list(...by.phones).slice(0, MAX_GROUPS / 2);
  const searches: SearchRequest['filterGroups'][] = [
    emails.map((e) => ({ filters: [{ propertyName: 'email', operator: 'EQ' as const, value: e }] })),
    phones.flatMap((p) => [
      { filters: [{ propertyName: 'phone', operator: 'EQ' as const, value: p }] },
      { filters: [{ propertyName: 'mobilephone', operator: 'EQ' as const, value: p }] },
    ]),
  ];
  for (const filterGroups of searches) {
    if (filterGroups.length === 0) continue;
    const page = await searchObjects(ctx, 'contacts', {
      filterGroups,
      properties,
      sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
      limit: 10,
    });
    if (page.results.length === 0) continue;
    // The contact holding the earliest given email (or phone), else the oldest match.
    for (const e of emails) {
      const hit = page.results.find((r) => (r.properties.email ?? '').toLowerCase() === e);
      if (hit) return hit;
    }
    return page.results[0]!;
  }
  return null;
}

/** `<lastmodifieddate ms>` or `<ms>|<after>` (paging inside one millisecond that holds more than a page). */
function readCursor(cursor: string): { ms: number; after?: string } {
  const m = /^(\d{1,15})(?:\|(\d{1,10}))?$/.exec(cursor);
  if (!m)
    throw new ConnectorError('validation', 'a HubSpot sync cursor is <milliseconds> or <milliseconds>|<after>', {
      code: 'HUBSPOT_CURSOR',
      retryable: false,
    });
  return { ms: Number(m[1]), ...(m[2] !== undefined && { after: m[2] }) };
}

const portals = new Map<string, string>();

export const hubspotCrmClient: CrmClient = {
  // Always asks HubSpot (a portalId setting would let `scope` answer without checking the token).
  async register(ctx) {
    const real = await portalId(ctx);
    const { portalId: given } = readHubspotSettings(ctx.account);
    if (given !== undefined && given !== real)
      throw new ConnectorError('validation', `the access token belongs to portal ${real}, not ${given}`, {
        code: 'HUBSPOT_PORTAL_MISMATCH',
        retryable: false,
      });
    portals.set(ctx.account.id, real);
    return {};
  },

  async scope(ctx) {
    const { portalId: fromSettings } = readHubspotSettings(ctx.account);
    if (fromSettings) return fromSettings;
    const cached = portals.get(ctx.account.id);
    if (cached) return cached;
    const id = await portalId(ctx);
    portals.set(ctx.account.id, id);
    return id;
  },

  async getPerson(ctx, id) {
    const got = await getObject(ctx, 'contacts', id, personProperties(ctx.account));
    return got && toPerson(got);
  },

  async findPerson(ctx, by) {
    const got = await findContact(ctx, by, personProperties(ctx.account));
    return got && toPerson(got);
  },

  async createPerson(ctx, write) {
    try {
      return toPerson(await createObject(ctx, 'contacts', toProperties(write)));
    } catch (e) {
      // The email is HubSpot's unique key: a retried create (or a contact made meanwhile) says which record has it.
      const existingId = conflictId(e);
      if (existingId === undefined) throw e;
      return hubspotCrmClient.updatePerson(ctx, existingId, write);
    }
  },

  async updatePerson(ctx, id, write) {
    return toPerson(await updateObject(ctx, 'contacts', id, toProperties(write)));
  },

  async mergePersons(ctx, primaryId, mergedId) {
    return toPerson(await mergeContacts(ctx, primaryId, mergedId));
  },

  async addNote(ctx, personId, note) {
    const text = note.text.length > NOTE_MAX ? `${note.text.slice(0, NOTE_MAX - 1)}…` : note.text;
    const at = hubspotTime(note.at) ?? new Date().toISOString();
    const created = await createObject(ctx, 'notes', { hs_timestamp: at, hs_note_body: text }, [
      associateTo(personId, ASSOCIATION.noteToContact),
    ]);
    return { id: created.id };
  },

  async changedSince(ctx, cursor, limit) {
    if (cursor === null) return { people: [], cursor: String(Date.now()), more: false };
    const { ms, after } = readCursor(cursor);
    const page = await searchObjects(ctx, 'contacts', {
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(ms) }] }],
      properties: personProperties(ctx.account),
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      limit: Math.max(1, Math.min(SEARCH_LIMIT_MAX, Math.floor(limit))),
      ...(after !== undefined && { after }),
    });
    const people = page.results.map(toPerson);
    const next = page.paging?.next?.after;
    if (people.length === 0) return { people, cursor, more: false };
    const last = Math.max(...people.map((p) => Date.parse(p.updatedAt)));
    // GTE from the newest change seen: the records of that millisecond come again (the sync is idempotent), none is
    // skipped. A page that is all one millisecond pages on with `after` instead, so it cannot repeat forever.
    if (last > ms) return { people, cursor: String(last), more: next !== undefined };
    return { people, cursor: next !== undefined ? `${ms}|${next}` : String(ms), more: next !== undefined };
  },
};

function conflictId(e: unknown): string | undefined {
  if (!(e instanceof ConnectorError) || e.code !== 'HUBSPOT_CONFLICT') return undefined;
  const d = e.details as { existingId?: unknown } | undefined;
  return typeof d?.existingId === 'string' ? d.existingId : undefined;
}
