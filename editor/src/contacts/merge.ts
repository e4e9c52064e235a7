// The words of the merge dialog and the merges section (pure): which side a value of a merge preview comes from,
// what the CRM sync does after the merge, and who merged what.
import type { Contact, ContactMerge, MergePreview } from '../api/types.js';
import { contactName } from './view.js';

export type MergeSide = MergePreview['result']['tags'][number]['from'];
type CrmPlan = MergePreview['result']['crm'][number];

/** The side a value of the result comes from, by the two contacts' names. */
export function sideText(from: MergeSide | null, names: { survivor: string; merged: string }): string {
  if (from === 'both') return 'both';
  if (from === 'survivor') return `from ${names.survivor}`;
  if (from === 'merged') return `from ${names.merged}`;
  return '';
}

/** What the CRM sync does with an account's records once the merge is made. */
export function crmPlanText(c: CrmPlan): string {
  const records = (refs: CrmPlan['keep']) => refs.map((r) => r.recordId).join(', ');
  switch (c.action) {
    case 'merge':
      return `${c.accountName} merges record ${records(c.mergeAway)} into ${records(c.keep)} (an undo here does not unmerge it there)`;
    case 'update_each':
      return `${c.accountName} cannot merge records: ${records(c.keep)} are each updated`;
    case 'update':
      return `${c.accountName} updates record ${records(c.keep)}`;
    case 'sync':
      return `${c.accountName} has no record yet: the sync finds or creates one (given an email or a phone)`;
  }
}

/** Who made a merge. */
export function mergeByText(by: ContactMerge['by']): string {
  const ref = by.ref ? ` (${by.ref})` : '';
  switch (by.type) {
    case 'person':
      return `by ${by.ref ?? 'a person'}`;
    case 'api':
      return `through the API${ref}`;
    case 'run':
      return `by a flow run${ref}`;
    case 'rule':
      return `by a rule${ref}`;
  }
}

/** The contacts a search offers to merge with: any but the contact itself and what is already in it. */
export function mergeCandidates(items: readonly Contact[], contact: Pick<Contact, 'id' | 'members'>): Contact[] {
  const inIt = new Set([contact.id, ...(contact.members ?? []).map((m) => m.id)]);
  return items.filter((c) => !inIt.has(c.id) && !inIt.has(c.mergedInto ?? ''));
}

/** The names a merge's contacts are shown by: those of the contacts given (the latest first wins), else the id. */
export function mergeNames(named: readonly Pick<Contact, 'id' | 'name'>[]): (id: string) => string {
  const names = new Map<string, string>();
  for (const c of named) if (!names.has(c.id)) names.set(c.id, contactName(c));
  return (id) => names.get(id) ?? id;
}
