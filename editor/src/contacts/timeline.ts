// Pure helpers of the contact page's timeline (components/TimelineSection.tsx): the type filter's groups and what
// each sends to the API, the channel filter's choices, and every event in words.
import type { TimelineEvent } from '../api/types.js';
import { kindLabel } from './view.js';

type EventType = TimelineEvent['type'];

/** Events per page of the contact page's timeline. */
export const TIMELINE_PAGE = 25;

/** The type filter: each choice and the event types it asks the API for (none: every type). */
export const TIMELINE_GROUPS: readonly { id: string; label: string; types?: readonly EventType[] }[] = [
  { id: 'all', label: 'Everything' },
  { id: 'messages', label: 'Messages', types: ['message.received', 'message.sent'] },
  { id: 'notes', label: 'Notes', types: ['note.added'] },
  { id: 'identities', label: 'Identities', types: ['identity.added', 'identity.detached'] },
  { id: 'merges', label: 'Merges', types: ['contact.merged', 'contact.unmerged'] },
  { id: 'changes', label: 'Changes', types: ['contact.created', 'contact.updated'] },
  { id: 'crm', label: 'CRM', types: ['crm.updated', 'crm.synced', 'crm.sync_failed'] },
];

/** The API query of a filter: the group's types and, when the group holds messages, the channel. */
export function timelineQuery(group: string, channel: string): { types?: readonly EventType[]; channel?: string } {
  const types = TIMELINE_GROUPS.find((g) => g.id === group)?.types;
  return { ...(types && { types }), ...(channel && channelFilters(group) && { channel }) };
}

/** Whether the channel filter applies to a group (only messages are on a channel). */
export const channelFilters = (group: string) => group === 'all' || group === 'messages';

/** The channel filter's choices: the channels Confluo has (`known`) and those on the timeline, sorted, once each. */
export const timelineChannels = (events: readonly TimelineEvent[], known: readonly string[] = []) =>
  [...new Set([...known, ...events.flatMap((e) => (e.message ? [e.message.channel] : []))])].sort();

/** Events once each (by id), in order: a page appended to the ones shown. */
export const appendPage = (shown: readonly TimelineEvent[], page: readonly TimelineEvent[]) => {
  const seen = new Set(shown.map((e) => e.id));
  return [...shown, ...page.filter((e) => !seen.has(e.id))];
};

/** A value of a change as shown: text as it is, nothing as "nothing", anything else as JSON. */
const valueText = (v: unknown) =>
  v === null || v === undefined ? 'nothing' : typeof v === 'string' ? v : JSON.stringify(v);

/** One change of a contact.updated / crm.updated, in words. */
export function changeText(c: { field: string; from: unknown; to: unknown }): string {
  if (c.field === 'tags') {
    const from = Array.isArray(c.from) ? (c.from as string[]) : [];
    const to = Array.isArray(c.to) ? (c.to as string[]) : [];
    const added = to.filter((t) => !from.includes(t));
    const removed = from.filter((t) => !to.includes(t));
    const parts = [
      ...(added.length ? [`added ${added.join(', ')}`] : []),
      ...(removed.length ? [`removed ${removed.join(', ')}`] : []),
    ];
    return `Tags: ${parts.join('; ') || 'reordered'}`;
  }
  // Messages re-filed on a shared line's own contact (prisma/contact-shared-lines.ts): both sides are sentences.
  if (c.field === 'messages') return `${valueText(c.from)} → ${valueText(c.to)}`;
  const label = c.field === 'name' ? 'Name' : c.field.replace(/^attributes\./, '');
  if (c.from === null || c.from === undefined) return `${label} set to ${valueText(c.to)}`;
  if (c.to === null || c.to === undefined) return `${label} removed (was ${valueText(c.from)})`;
  return `${label}: ${valueText(c.from)} → ${valueText(c.to)}`;
}

/** What the changes touched, in short: `name, plan and tags`. */
const fieldsText = (changes: TimelineEvent['changes']) => {
  const names = (changes ?? []).map((c) => (c.field === 'name' ? 'name' : c.field.replace(/^attributes\./, '')));
  return names.length <= 1 ? (names[0] ?? 'nothing') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
};

const who = (c: { id: string; name: string | null }) => c.name?.trim() || c.id;

/** The CRM account of an event: its name when the editor knows it, else the connector's or "the CRM". */
function crmName(e: TimelineEvent, accountName?: (id: string) => string | undefined) {
  if (e.crm) return accountName?.(e.crm.accountId) ?? e.crm.accountName ?? kindLabel(e.crm.connector);
  const account = e.source?.startsWith('crm:') ? e.source.split(':')[1] : undefined;
  return (account && accountName?.(account)) || 'the CRM';
}

/**
 * One line for an event: what happened, seen from the contact whose page it is (`contactId`); `accountName` names a
 * channel or CRM account by id when the editor knows it.
 */
export function eventTitle(e: TimelineEvent, contactId = '', accountName?: (id: string) => string | undefined): string {
  switch (e.type) {
    case 'contact.created':
      return e.contactId && contactId && e.contactId !== contactId
        ? `Contact ${e.contactId} created (merged into this one)`
        : 'Contact created';
    case 'identity.added':
      return e.identity ? `${kindLabel(e.identity.kind)} ${e.identity.value} added` : 'Identity added';
    case 'identity.detached':
      return e.identity ? `${kindLabel(e.identity.kind)} ${e.identity.value} detached` : 'Identity detached';
    case 'message.received':
      return `Received on ${e.message?.channel ?? 'a channel'}`;
    case 'message.sent':
      return `Sent on ${e.message?.channel ?? 'a channel'}`;
    case 'note.added':
      return 'Note added';
    case 'contact.updated':
      return e.changes?.length === 1 && e.changes[0]!.field === 'messages'
        ? 'Messages re-filed: a shared line'
        : `Changed ${fieldsText(e.changes)}`;
    case 'crm.updated':
      return `Changed in ${crmName(e, accountName)}: ${fieldsText(e.changes)}`;
    case 'contact.merged':
    case 'contact.unmerged': {
      const m = e.merge;
      const undone = e.type === 'contact.unmerged' ? ' undone' : '';
      if (!m) return e.type === 'contact.merged' ? 'Merged' : 'Merge undone';
      if (m.survivor.id === contactId) return `${undone ? 'Merge with' : 'Merged with'} ${who(m.merged)}${undone}`;
      if (m.merged.id === contactId) return `${undone ? 'Merge into' : 'Merged into'} ${who(m.survivor)}${undone}`;
      return `${who(m.merged)} merged into ${who(m.survivor)}${undone}`;
    }
    case 'crm.synced':
      return `Synced with ${crmName(e, accountName)}${e.crm?.recordId ? ` (record ${e.crm.recordId})` : ''}`;
    case 'crm.sync_failed':
      return `${crmName(e, accountName)} sync ${e.crm?.error?.retrying ? 'failed, retrying' : 'failed'}: ${
        e.crm?.error?.message ?? 'no answer'
      }`;
  }
}

/** Who or what did it, in words (empty when nothing says). */
export function sourceWords(e: TimelineEvent, accountName?: (id: string) => string | undefined): string {
  if (e.runId) return `run ${e.runId}, step ${e.nodeId}`;
  const s = e.source;
  if (!s) return '';
  const [type, a, b] = s.split(':');
  switch (type) {
    case 'api':
      return 'by the API';
    case 'person':
      return a ? `by ${s.slice('person:'.length)}` : 'by a person';
    case 'rule':
      return 'by a workspace rule';
    case 'crm':
      return `from ${accountName?.(a ?? '') ?? a} record ${b}`;
    case 'channel':
      return `from a message on ${accountName?.(a ?? '') ?? a}`;
    default:
      return s;
  }
}
