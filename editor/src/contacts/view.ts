// Pure helpers of the Contacts screen and the contact page: identities grouped by kind, where each came from, its
// flags, and each CRM account's sync of the contact in words (the timeline's are in timeline.ts).
import type { Contact, CrmLinkStatus, Duplicate, Identity } from '../api/types.js';
import { clockTime, shortDate } from '../inbox/format.js';

/** What a kind is called on screen; kinds not listed (a connector's own) show as they are. */
const KIND_LABELS: Record<string, string> = {
  email: 'Email',
  phone: 'Phone',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  messenger: 'Messenger',
  instagram: 'Instagram',
  slack: 'Slack',
  webchat: 'Web chat',
  // A CRM's record id, linked by the sync.
  hubspot: 'HubSpot',
  pipedrive: 'Pipedrive',
};

export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind;

/** The contact's name, or "Unnamed" (the list shows identities beside it). */
export const contactName = (c: Pick<Contact, 'name'>) => (c.name?.trim() ? c.name.trim() : 'Unnamed');

/** Identities grouped by kind, kinds in order of first appearance, each group in the order given (oldest first). */
export function groupIdentities(identities: Identity[]): { kind: string; label: string; items: Identity[] }[] {
  const groups = new Map<string, Identity[]>();
  for (const i of identities) groups.set(i.kind, [...(groups.get(i.kind) ?? []), i]);
  return [...groups].map(([kind, items]) => ({ kind, label: kindLabel(kind), items }));
}

/** One reason of a duplicate suggestion, in words. */
export function reasonText(r: Duplicate['reasons'][number]): string {
  const what = `${kindLabel(r.kind ?? '')} ${r.value ?? ''}`.trim();
  switch (r.code) {
    case 'shared_identity':
      return `Both use ${what}`;
    case 'linked_identity':
      return `One message came with ${what} of both`;
    case 'names_differ':
      return `Names differ: ${(r.names ?? []).join(' / ')}`;
    case 'email_tag':
      return `Same mailbox but for a +tag: ${(r.values ?? []).join(' / ')}`;
    case 'email_typo':
      return `Same mailbox, one domain looks misspelt: ${(r.values ?? []).join(' / ')}`;
    case 'name_and_city':
      return `Same name in the same city: ${(r.names ?? []).join(' / ')}, ${r.value ?? ''}`;
  }
}

/** The one plain flag an identity carries: invalid (never matched) beats verified/unverified. */
export const identityFlag = (i: Pick<Identity, 'valid' | 'verified'>): 'invalid' | 'verified' | 'unverified' =>
  !i.valid ? 'invalid' : i.verified ? 'verified' : 'unverified';

/**
 * Where an identity came from, in words; `accountName` names a channel account by id when the editor knows it.
 * The run id is given whole: the editor has no run route of its own to link to.
 */
export function provenanceText(source: Identity['source'], accountName?: (id: string) => string | undefined): string {
  switch (source.type) {
    case 'message':
      return `message ${source.providerMessageId} on ${accountName?.(source.accountId) ?? source.accountId}`;
    case 'run':
      return `run ${source.runId}, step ${source.nodeId}`;
    case 'crm':
      return `CRM ${accountName?.(source.accountId) ?? source.accountId}, record ${source.recordId}`;
    case 'api':
      return source.ref ? `API (${source.ref})` : 'API';
    case 'person':
      return source.ref ? `added by ${source.ref}` : 'added by a person';
  }
}

/** A timeline event in words (contacts/timeline.ts), here too for the screens that import it from here. */
export { eventTitle } from './timeline.js';

/** An attribute's value as shown (and edited): text as it is, anything else as JSON. */
export const attributeText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** A CRM account's sync of the contact, in words (the status badge). */
export function crmStatusText(link: Pick<CrmLinkStatus, 'status' | 'error'>): string {
  switch (link.status) {
    case 'synced':
      return 'In sync';
    case 'pending':
      return 'Syncing…';
    case 'retrying':
      return `Retrying: ${link.error?.message ?? 'the CRM did not answer'}`;
    case 'failed':
      return `Failed: ${link.error?.message ?? 'the CRM refused the change'}`;
    case 'not_synced':
      return 'Not synced (no email or phone)';
  }
}

/** Whether a sync is under way on some account (the CRM section polls meanwhile). */
export const crmSyncing = (links: readonly Pick<CrmLinkStatus, 'status'>[]) =>
  links.some((l) => l.status === 'pending' || l.status === 'retrying');

/** When the CRM last took a change: `last synced just now`, `5 min ago`, `3 h ago`, then the date and time. */
export function syncedText(syncedAt: string | null, now: number): string {
  if (!syncedAt) return 'never synced';
  const ago = Math.max(0, now - Date.parse(syncedAt));
  if (ago < 45_000) return 'last synced just now';
  if (ago < 3_600_000) return `last synced ${Math.max(1, Math.round(ago / 60_000))} min ago`;
  if (ago < 86_400_000) return `last synced ${Math.floor(ago / 3_600_000)} h ago`;
  return `last synced ${shortDate(syncedAt, now)}, ${clockTime(syncedAt)}`;
}
