// Custom attribute definitions in the editor, as data: a contact form's rows for defined keys (typed inputs), the value
// a typed input's text stands for, a select's options as typed in the settings screen, and the Contacts screen's
// attribute filter as query values. Mirrors the server's exact check (prisma/contact-attributes.ts), so a form says
// what is wrong before the API does.
import type { AttributeDefinition, AttributeType } from '../api/types.js';
import type { AttributeRow, ContactDraft } from './edit.js';

/** What a row of a defined attribute carries: how to show and check its value. */
export interface RowDefinition {
  label: string;
  type: AttributeType;
  options?: string[];
}

/** The key pattern the API accepts (server/schemas/contact-settings.ts), for the settings form's own check. */
export const ATTRIBUTE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date written `YYYY-MM-DD` that exists. */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)).toISOString().slice(0, 10) === text;
}

/** The value a typed input's (non-blank) text stands for, or what is wrong with it. */
export function definedValue(def: RowDefinition, text: string): { value: string | number } | { problem: string } {
  const t = text.trim();
  switch (def.type) {
    case 'number':
      return t !== '' && Number.isFinite(Number(t)) ? { value: Number(t) } : { problem: 'must be a number' };
    case 'date':
      return isIsoDate(t) ? { value: t } : { problem: 'must be a date (YYYY-MM-DD)' };
    case 'select':
      return def.options?.includes(t) ? { value: t } : { problem: `must be one of ${(def.options ?? []).join(', ')}` };
    default:
      return { value: t };
  }
}

/**
 * A draft with the workspace's definitions: a row per defined attribute first (in the definitions' order, an empty
 * one when the contact has no value), each carrying its definition and its key fixed; the contact's other attributes
 * after them as free rows. A stored value that no longer fits (a dropped option) stays in its row as it is.
 */
export function withDefinitions(draft: ContactDraft, defs: readonly AttributeDefinition[]): ContactDraft {
  const byKey = new Map(draft.rows.map((r) => [r.key, r]));
  let next = Math.max(-1, ...draft.rows.map((r) => r.id)) + 1;
  const defined: AttributeRow[] = defs.map((d) => {
    const def: RowDefinition = { label: d.label, type: d.type, ...(d.options && { options: d.options }) };
    const row = byKey.get(d.key);
    return row && !row.fixed ? { ...row, def } : { id: row?.id ?? next++, key: d.key, value: '', def };
  });
  const keys = new Set(defs.map((d) => d.key));
  return { ...draft, rows: [...defined, ...draft.rows.filter((r) => !keys.has(r.key))] };
}

/** A select's options as typed (one per line, or comma-separated): trimmed, blanks dropped, each once. */
export function optionsFromText(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  ];
}

/** The Contacts screen's attribute filter as `listContacts` attrs; none when no attribute or no value is picked. */
export function attributeQuery(key: string, value: string): Record<string, string> {
  return key && value.trim() ? { [key]: value.trim() } : {};
}

/** What the filter's value input is for an attribute. */
export function inputKind(def: Pick<AttributeDefinition, 'type'> | undefined): 'select' | 'number' | 'date' | 'text' {
  return def?.type === 'select' || def?.type === 'number' || def?.type === 'date' ? def.type : 'text';
}

export const TYPE_LABELS: Record<AttributeType, string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  select: 'Select (one of a list)',
};

/**
 * A contact's attributes as its page lists them: the defined ones first, in the settings' order and under their
 * label, then the others under their key, in stored order. Without definitions (not loaded): every one by key.
 */
export function attributeRows(
  attributes: unknown,
  defs: readonly Pick<AttributeDefinition, 'key' | 'label'>[] | null,
): { key: string; label: string; value: unknown }[] {
  const values =
    attributes !== null && typeof attributes === 'object' && !Array.isArray(attributes)
      ? (attributes as Record<string, unknown>)
      : {};
  const defined = (defs ?? []).filter((d) => Object.hasOwn(values, d.key));
  const labelled = new Set(defined.map((d) => d.key));
  return [
    ...defined.map((d) => ({ key: d.key, label: d.label, value: values[d.key] })),
    ...Object.entries(values)
      .filter(([k]) => !labelled.has(k))
      .map(([key, value]) => ({ key, label: key, value })),
  ];
}
