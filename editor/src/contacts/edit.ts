// The contact page's edit form as data: a draft of the contact's name and custom attributes, the PATCH body it makes
// (only what changed; a removed attribute sent as null, which removes it), and the API's refusal in words.
import type { Contact, ContactPatch, ErrorIssue } from '../api/types.js';
import { definedValue, type RowDefinition } from './attributes.js';
import { attributeText } from './view.js';

export interface AttributeRow {
  /** The row's React key: stable while rows are added and removed. */
  id: number;
  key: string;
  value: string;
  /** A nested object or list: shown as JSON and kept as it is (the form edits plain values only); removable. */
  fixed?: true;
  /** A workspace-defined attribute (contacts/attributes.ts withDefinitions): a typed input, its key fixed. */
  def?: RowDefinition;
}

export interface ContactDraft {
  name: string;
  rows: AttributeRow[];
}

type Value = string | number | boolean | null;
const attributesOf = (c: Pick<Contact, 'attributes'>) => (c.attributes ?? {}) as Record<string, unknown>;
const isPlain = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** The form's starting point: the stored name and one row per attribute, in stored order. */
export function contactDraft(c: Pick<Contact, 'name' | 'attributes'>): ContactDraft {
  return {
    name: c.name ?? '',
    rows: Object.entries(attributesOf(c)).map(([key, v], id) => ({
      id,
      key,
      value: attributeText(v),
      ...(!isPlain(v) && { fixed: true as const }),
    })),
  };
}

export const addRow = (d: ContactDraft): ContactDraft => ({
  ...d,
  rows: [...d.rows, { id: Math.max(-1, ...d.rows.map((r) => r.id)) + 1, key: '', value: '' }],
});

export const removeRow = (d: ContactDraft, id: number): ContactDraft => ({
  ...d,
  rows: d.rows.filter((r) => r.id !== id),
});

export const changeRow = (d: ContactDraft, id: number, change: Partial<Pick<AttributeRow, 'key' | 'value'>>) => ({
  ...d,
  rows: d.rows.map((r) => (r.id === id && !r.fixed ? { ...r, ...change } : r)),
});

/**
 * A changed value as sent: text (trimmed), except that an attribute stored as a number or true/false stays one when
 * the new text still reads as one. New attributes are text.
 */
function typedValue(text: string, was: unknown): Value {
  const t = text.trim();
  if (typeof was === 'number' && t !== '' && Number.isFinite(Number(t))) return Number(t);
  if (typeof was === 'boolean' && (t === 'true' || t === 'false')) return t === 'true';
  return t;
}

/**
 * The PATCH body of a draft: the name when it changed (blank: no name), the attributes whose text changed, and null
 * for each stored attribute no longer in the form (a renamed one is removed and added). `patch` is null when there is
 * nothing to send or the draft has `problems` (a value without a name, a name given twice). Attribute names are
 * checked by the API, which says what it accepts.
 */
export function contactPatch(
  c: Pick<Contact, 'name' | 'attributes'>,
  d: ContactDraft,
): { patch: ContactPatch | null; problems: string[] } {
  const before = attributesOf(c);
  const attributes: Record<string, Value> = {};
  const problems: string[] = [];
  const kept = new Set<string>();
  d.rows.forEach((r, n) => {
    const key = r.key.trim();
    if (!key) {
      if (r.value.trim() !== '') problems.push(`Attribute ${n + 1} has a value but no name.`);
      return;
    }
    if (kept.has(key)) {
      problems.push(`“${key}” is in the form twice.`);
      return;
    }
    kept.add(key);
    if (r.fixed) return;
    if (Object.hasOwn(before, key) && r.value === attributeText(before[key])) return;
    if (r.def) {
      // A defined attribute left blank has no value (removed if it had one); else it must fit its type.
      if (r.value.trim() === '') {
        if (Object.hasOwn(before, key)) attributes[key] = null;
        return;
      }
      const typed = definedValue(r.def, r.value);
      if ('problem' in typed) problems.push(`${r.def.label}: ${typed.problem}.`);
      else attributes[key] = typed.value;
      return;
    }
    attributes[key] = typedValue(r.value, before[key]);
  });
  for (const key of Object.keys(before)) if (!kept.has(key)) attributes[key] = null;

  const patch: ContactPatch = {};
  const name = d.name.trim() || null;
  if (name !== (c.name?.trim() || null)) patch.name = name;
  if (Object.keys(attributes).length > 0) patch.attributes = attributes;
  return { patch: problems.length > 0 || Object.keys(patch).length === 0 ? null : patch, problems };
}

const sentence = (s: string) => {
  const t = s.trim().replace(/\bNOT\b/g, 'not');
  return t ? t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.') : t;
};

/**
 * The API's refusal of an edit (400 issues under `/body/name`, `/body/attributes`, `/body/attributes/<key>`), one line
 * per problem. A value of the wrong kind comes as one issue per member of the accepted union plus the union's own:
 * the specific ones (too long) are kept, or else one line saying what is accepted.
 */
export function patchProblems(issues: readonly ErrorIssue[]): string[] {
  const byPath = new Map<string, ErrorIssue[]>();
  for (const i of issues) byPath.set(i.path, [...(byPath.get(i.path) ?? []), i]);
  return [...byPath].flatMap(([path, list]) => {
    const specific = list.filter((i) => i.code !== 'type' && i.code !== 'anyOf');
    const what =
      path === '/body/name'
        ? 'Name'
        : path.startsWith('/body/attributes/')
          ? `“${path.slice('/body/attributes/'.length).replace(/~1/g, '/').replace(/~0/g, '~')}”`
          : undefined;
    return (specific.length > 0 ? specific : [undefined]).map((issue) => {
      if (issue?.code === 'additionalProperties' && path === '/body/attributes')
        return 'An attribute name is letters, digits and _ only (no spaces), not starting with a digit, up to 64 characters.';
      if (issue?.code === 'maxProperties') return 'At most 100 attributes.';
      const text = sentence(issue?.message ?? 'must be text, a number, true or false');
      return what ? `${what}: ${text[0]!.toLowerCase()}${text.slice(1)}` : text;
    });
  });
}
