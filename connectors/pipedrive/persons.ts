// Between a v2 person and the platform's CrmPerson: emails and phones from the `emails[]` / `phones[]` arrays of
// `{ value, primary, label }` (primary first), `updatedAt` from `update_time` (ISO 8601 in v2), the standard fields
// Confluo may map by their API names, and custom fields (40-character hash keys) under `custom_fields`, as the v2
// addPerson body in ../shared/contracts/pipedrive/NOTES.md lays them out.
import type { CrmPerson, CrmPersonWrite, JsonObject, JsonValue } from '../sdk/index.js';
import type { PipedrivePersonV2, PipedriveValue } from './client.js';

/** Top-level person fields a field map may name; any other name is a custom field key. */
export const STANDARD_FIELDS = [
  'job_title',
  'birthday',
  'org_id',
  'owner_id',
  'label_ids',
  'visible_to',
  'marketing_status',
  'postal_address',
] as const;
const STANDARD = new Set<string>(STANDARD_FIELDS);

/** The values of a `{ value, primary }` list, primary first, each once, in the order given otherwise. */
export function primaryFirst(list: PipedriveValue[] | undefined): string[] {
  const entries = (list ?? []).filter((v) => typeof v?.value === 'string' && v.value.trim() !== '');
  const sorted = [...entries.filter((v) => v.primary === true), ...entries.filter((v) => v.primary !== true)];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { value } of sorted) {
    const key = value.trim().toLowerCase();
    if (!seen.has(key)) out.push(value.trim());
    seen.add(key);
  }
  return out;
}

const iso = (t: unknown): string | undefined => {
  if (typeof t !== 'string') return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

export function toCrmPerson(p: PipedrivePersonV2): CrmPerson {
  const fields: JsonObject = {};
  for (const name of STANDARD_FIELDS) if (p[name] !== undefined) fields[name] = p[name] as JsonValue;
  for (const [k, v] of Object.entries(p.custom_fields ?? {})) if (v !== undefined) fields[k] = v as JsonValue;
  return {
    id: String(p.id),
    name: typeof p.name === 'string' && p.name !== '' ? p.name : null,
    emails: primaryFirst(p.emails),
    phones: primaryFirst(p.phones),
    fields,
    // A record without times is taken as old: the platform's "later change wins" then prefers Confluo's side.
    updatedAt: iso(p.update_time) ?? iso(p.add_time) ?? new Date(0).toISOString(),
  };
}

const valueList = (values: string[]) =>
  values.map((value, i) => ({ value, primary: i === 0, label: 'work' }) satisfies PipedriveValue);

/** The v2 body for a write: only the parts given; the first email and phone become primary. */
export function toPipedriveBody(write: CrmPersonWrite): JsonObject {
  const body: JsonObject = {};
  if (write.name !== undefined && write.name !== null && write.name.trim() !== '') body.name = write.name.trim();
  if (write.emails !== undefined) body.emails = valueList(write.emails);
  if (write.phones !== undefined) body.phones = valueList(write.phones);
  const custom: JsonObject = {};
  for (const [k, v] of Object.entries(write.fields ?? {})) {
    if (STANDARD.has(k)) body[k] = v;
    else custom[k] = v;
  }
  if (Object.keys(custom).length > 0) body.custom_fields = custom;
  return body;
}

/** A plain-text note as the HTML `content` Pipedrive expects: escaped, line breaks kept. */
export function noteHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\r?\n/g, '<br>');
}

/** An ISO time as v1's "YYYY-MM-DD HH:MM:SS" (UTC), or undefined when it is not a time. */
export function v1Time(at: string): string | undefined {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** v1's "YYYY-MM-DD HH:MM:SS" (UTC) as ISO 8601. */
export function fromV1Time(t: string): string | undefined {
  return iso(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(t) ? `${t.replace(' ', 'T')}Z` : t);
}
