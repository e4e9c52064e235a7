// Custom attribute definitions: a per-workspace schema over `contacts.attributes` (text, number, date, select). A
// defined key's values are checked when written: a person's or an API call's write (updateContact) exactly, refused
// with the key named; a machine's (a flow's contacts.upsert, a CRM pull) leniently, the way a CRM's strings arrive
// ("42" for a number, a date-time for a date), and a value that still does not fit is left out and reported, so a sync
// or a run never dies on one field. Keys without a definition stay free (as before). A definition's type never changes
// (the stored values were checked against it); deleting one keeps every value.
import type { JsonObject, JsonValue } from '../connectors/flow/types.js';
import { Prisma, type PrismaClient } from './client.js';
import {
  ATTRIBUTE_KEY_PATTERN,
  MAX_ATTRIBUTE_DEFINITIONS,
  MAX_ATTRIBUTE_LABEL,
  MAX_ATTRIBUTE_OPTIONS,
  MAX_ATTRIBUTE_TEXT,
} from './contact-limits.js';

type Tx = Prisma.TransactionClient;

export const ATTRIBUTE_TYPES = ['text', 'number', 'date', 'select'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface AttributeDefinition {
  key: string;
  label: string;
  type: AttributeType;
  /** select: the values it may take, in the order shown. */
  options?: string[];
  createdAt: string;
  updatedAt: string;
}

/** Why a definition was not written; `field` is the body field at fault. The server answers 400/404/409. */
export class AttributeDefinitionRefused extends Error {
  constructor(
    readonly reason: 'invalid' | 'not_found' | 'exists' | 'too_many',
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'AttributeDefinitionRefused';
  }
}

/** A value of a defined attribute that does not fit its type: `key` is the attribute, `problem` in words. */
export class AttributeRefused extends Error {
  constructor(
    readonly key: string,
    readonly problem: string,
  ) {
    super(`attributes.${key}: ${problem}`);
    this.name = 'AttributeRefused';
  }
}

/** An attribute value a machine write left out (reported on the run step, the CRM sync item). */
export interface RejectedAttribute {
  key: string;
  value: JsonValue;
  problem: string;
}

const KEY = new RegExp(ATTRIBUTE_KEY_PATTERN);
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

type Check = { ok: true; value: JsonValue } | { ok: false; problem: string };

/**
 * A value checked against its definition. `exact` (people, the API): the JSON type the definition says, as sent.
 * `lenient` (flows, CRM pulls): also a number written as text, a date-time or epoch milliseconds for a date (its UTC
 * day: CRMs send dates as midnight UTC), a select option in any case, a number or boolean for text; the value comes
 * back in its stored form.
 */
export function checkAttributeValue(
  def: Pick<AttributeDefinition, 'type' | 'options'>,
  value: JsonValue,
  mode: 'exact' | 'lenient',
): Check {
  const lenient = mode === 'lenient';
  switch (def.type) {
    case 'text': {
      const text = typeof value === 'string' ? value : lenient && typeof value !== 'object' ? String(value) : undefined;
      if (text === undefined) return { ok: false, problem: 'must be text' };
      if ([...text].length > MAX_ATTRIBUTE_TEXT)
        return { ok: false, problem: `at most ${MAX_ATTRIBUTE_TEXT} characters` };
      return { ok: true, value: text };
    }
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      if (lenient && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value.trim())))
        return { ok: true, value: Number(value.trim()) };
      return { ok: false, problem: 'must be a number' };
    }
    case 'date': {
      if (typeof value === 'string' && isIsoDate(value)) return { ok: true, value };
      if (lenient) {
        const at =
          typeof value === 'number'
            ? new Date(value)
            : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)
              ? new Date(value)
              : typeof value === 'string' && /^\d{12,14}$/.test(value)
                ? new Date(Number(value))
                : undefined;
        if (at && !Number.isNaN(at.getTime())) return { ok: true, value: at.toISOString().slice(0, 10) };
      }
      return { ok: false, problem: 'must be a date written YYYY-MM-DD' };
    }
    case 'select': {
      const options = def.options ?? [];
      if (typeof value === 'string' && options.includes(value)) return { ok: true, value };
      if (lenient && (typeof value === 'string' || typeof value === 'number')) {
        const found = options.find((o) => o.toLowerCase() === String(value).trim().toLowerCase());
        if (found !== undefined) return { ok: true, value: found };
      }
      return { ok: false, problem: `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}` };
    }
  }
}

/** The workspace's definitions by key (what a write checks against), read in the writer's transaction. */
export async function definitionsInTx(db: Tx | PrismaClient, workspaceId: string) {
  const rows = await db.contactAttribute.findMany({ where: { workspaceId } });
  return new Map(rows.map((r) => [r.key, toDefinition(r)]));
}

/**
 * `attributes` as written by a person or the API: every defined key's value must fit (a null removes it, always
 * allowed). Throws AttributeRefused for the first key (in the given order) that does not.
 */
export function checkExact(
  defs: ReadonlyMap<string, AttributeDefinition>,
  attributes: Record<string, JsonValue | null>,
): void {
  for (const [key, value] of Object.entries(attributes)) {
    const def = defs.get(key);
    if (!def || value === null) continue;
    const checked = checkAttributeValue(def, value, 'exact');
    if (!checked.ok) throw new AttributeRefused(key, checked.problem);
  }
}

/** `attributes` as a machine wrote them: defined keys in their stored form, those that do not fit left out. */
export function checkLenient(
  defs: ReadonlyMap<string, AttributeDefinition>,
  attributes: JsonObject,
): { attributes: JsonObject; rejected: RejectedAttribute[] } {
  const out: JsonObject = {};
  const rejected: RejectedAttribute[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const def = defs.get(key);
    if (!def || value === null) {
      out[key] = value;
      continue;
    }
    const checked = checkAttributeValue(def, value, 'lenient');
    if (checked.ok) out[key] = checked.value;
    else rejected.push({ key, value, problem: checked.problem });
  }
  return { attributes: out, rejected };
}

type Row = Prisma.ContactAttributeGetPayload<object>;

const toDefinition = (r: Row): AttributeDefinition => ({
  key: r.key,
  label: r.label,
  type: r.type as AttributeType,
  ...(r.type === 'select' && { options: r.options }),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** A select's options: trimmed, non-blank, unique, bounded. Throws AttributeDefinitionRefused on `options`. */
function cleanOptions(options: string[] | undefined): string[] {
  if (!options || options.length === 0)
    throw new AttributeDefinitionRefused('invalid', 'options', 'a select attribute needs at least one option');
  const out = options.map((o) => o.trim());
  out.forEach((o, i) => {
    if (o === '') throw new AttributeDefinitionRefused('invalid', `options/${i}`, 'an option cannot be blank');
    if ([...o].length > MAX_ATTRIBUTE_LABEL)
      throw new AttributeDefinitionRefused('invalid', `options/${i}`, `at most ${MAX_ATTRIBUTE_LABEL} characters`);
    if (out.indexOf(o) !== i) throw new AttributeDefinitionRefused('invalid', `options/${i}`, `"${o}" is there twice`);
  });
  if (out.length > MAX_ATTRIBUTE_OPTIONS)
    throw new AttributeDefinitionRefused('invalid', 'options', `at most ${MAX_ATTRIBUTE_OPTIONS} options`);
  return out;
}

function cleanLabel(label: string): string {
  const out = label.trim();
  if (out === '') throw new AttributeDefinitionRefused('invalid', 'label', 'a label cannot be blank');
  return out;
}

export function createContactAttributeStore(prisma: PrismaClient) {
  return {
    /** Every definition, in the order they were made. */
    async list(workspaceId: string): Promise<AttributeDefinition[]> {
      const rows = await prisma.contactAttribute.findMany({
        where: { workspaceId },
        orderBy: [{ createdAt: 'asc' }, { key: 'asc' }],
      });
      return rows.map(toDefinition);
    },

    /**
     * A new definition. Values already stored under its key are left as they are (they were free text): a write
     * from now on is checked. Refused: a bad key, label or options, a key defined already, more than the bound.
     */
    async create(
      workspaceId: string,
      input: { key: string; label: string; type: AttributeType; options?: string[] },
    ): Promise<AttributeDefinition> {
      if (!KEY.test(input.key))
        throw new AttributeDefinitionRefused('invalid', 'key', 'letters, digits and _, not starting with a digit');
      if (!ATTRIBUTE_TYPES.includes(input.type))
        throw new AttributeDefinitionRefused('invalid', 'type', `one of ${ATTRIBUTE_TYPES.join(', ')}`);
      const label = cleanLabel(input.label);
      if (input.type !== 'select' && input.options !== undefined)
        throw new AttributeDefinitionRefused('invalid', 'options', 'only a select attribute has options');
      const options = input.type === 'select' ? cleanOptions(input.options) : [];
      return prisma.$transaction(async (tx) => {
        // One writer of a workspace's definitions at a time, so two creates cannot both pass the bound.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`contact_attributes:${workspaceId}`}))`;
        if (await tx.contactAttribute.findUnique({ where: { workspaceId_key: { workspaceId, key: input.key } } }))
          throw new AttributeDefinitionRefused('exists', 'key', `${input.key} is defined already`);
        if ((await tx.contactAttribute.count({ where: { workspaceId } })) >= MAX_ATTRIBUTE_DEFINITIONS)
          throw new AttributeDefinitionRefused('too_many', 'key', `at most ${MAX_ATTRIBUTE_DEFINITIONS} attributes`);
        const row = await tx.contactAttribute.create({
          data: { workspaceId, key: input.key, label, type: input.type, options },
        });
        return toDefinition(row);
      });
    },

    /** A new label and/or options (select only; a value of a dropped option is kept). The type never changes. */
    async update(
      workspaceId: string,
      key: string,
      patch: { label?: string; options?: string[] },
    ): Promise<AttributeDefinition> {
      const found = await prisma.contactAttribute.findUnique({ where: { workspaceId_key: { workspaceId, key } } });
      if (!found) throw new AttributeDefinitionRefused('not_found', 'key', `no attribute ${key}`);
      if (patch.options !== undefined && found.type !== 'select')
        throw new AttributeDefinitionRefused('invalid', 'options', 'only a select attribute has options');
      const row = await prisma.contactAttribute.update({
        where: { workspaceId_key: { workspaceId, key } },
        data: {
          ...(patch.label !== undefined && { label: cleanLabel(patch.label) }),
          ...(patch.options !== undefined && { options: cleanOptions(patch.options) }),
          updatedAt: new Date(),
        },
      });
      return toDefinition(row);
    },

    /** The definition goes; every contact keeps its value, free text from now on. False: there was none. */
    async remove(workspaceId: string, key: string): Promise<boolean> {
      const { count } = await prisma.contactAttribute.deleteMany({ where: { workspaceId, key } });
      return count > 0;
    },
  };
}

/** A condition of the contacts search on one attribute (`GET /api/contacts?attr.<key>=`). */
export type AttributeFilter =
  { key: string; op: 'equals'; value: JsonValue } | { key: string; op: 'contains'; text: string };

/** Attribute conditions one search takes at most. */
export const MAX_ATTRIBUTE_FILTERS = 10;

/**
 * The search's attribute conditions from `attr.<key>` query values: a number, date or select attribute matches
 * exactly (the value read as its type, leniently: "42", a select option in any case; one that cannot be is refused,
 * AttributeRefused), a text attribute or a key nobody defined by a case-insensitive substring of its text.
 */
export function attributeFilters(
  defs: ReadonlyMap<string, AttributeDefinition>,
  raw: Record<string, string>,
): AttributeFilter[] {
  const keys = Object.keys(raw);
  if (keys.length > MAX_ATTRIBUTE_FILTERS)
    throw new AttributeRefused(keys[MAX_ATTRIBUTE_FILTERS]!, `at most ${MAX_ATTRIBUTE_FILTERS} attribute filters`);
  return keys.map((key): AttributeFilter => {
    const def = defs.get(key);
    const text = raw[key]!;
    if (!def || def.type === 'text') {
      if (text.trim() === '') throw new AttributeRefused(key, 'cannot be blank');
      return { key, op: 'contains', text: text.trim() };
    }
    const checked = checkAttributeValue(def, text.trim(), 'lenient');
    if (!checked.ok) throw new AttributeRefused(key, checked.problem);
    return { key, op: 'equals', value: checked.value };
  });
}

/** What a text condition finds in a view's attributes (the identity lookup filters its few holders with it). */
export function matchesAttributes(attributes: JsonObject, filters: AttributeFilter[]): boolean {
  return filters.every((f) => {
    const v = attributes[f.key];
    if (v === undefined || v === null) return false;
    if (f.op === 'equals') return JSON.stringify(v) === JSON.stringify(f.value);
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return text.toLowerCase().includes(f.text.toLowerCase());
  });
}
