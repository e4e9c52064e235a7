// A contact's one timeline: every source that records something about a contact, read newest first and paged by one
// keyset across all of them. Each source is a table that keeps its history (identities, messages, notes, merges,
// contacts, CRM links) or the contact-event outbox for what nothing else keeps (a change's from→to and who made it:
// `contact.updated`, and who undid a merge: `contact.unmerged`; prisma/contact-events.ts keeps those when it prunes).
//
// Order: (at, rank, id) descending. `rank` is fixed per event type (at one instant, a contact's creation comes before
// the identities it was created with, which come before anything else); each rank is read from one source in one
// query, ordered by (time, id) there, so equal (at, rank) pairs are only ever compared by the database that pages
// them. A page asks every source (those the filters leave) for `limit + 1` rows after the key, then merges them:
// O(limit) rows per source, whatever the length of the history.
import type { JsonValue } from '../connectors/flow/types.js';
import type { ContactIdentityInput, IdentitySource } from '../connectors/sdk/types.js';
import type { Prisma, PrismaClient } from './client.js';
import { sourceText, viewRows } from './contacts.js';
import type { CrmSnapshot } from './crm-sync.js';
import { NUMERIC_KEY_TYPES, type TimelineEventType } from './contact-timeline-types.js';

export { NUMERIC_KEY_TYPES, TIMELINE_EVENT_TYPES, type TimelineEventType } from './contact-timeline-types.js';

/** Rank at one instant (higher: shown first). Types read by one query share one rank. */
const RANK: Record<TimelineEventType, number> = {
  'contact.created': 0,
  'identity.added': 1,
  'contact.merged': 2,
  'contact.updated': 3,
  'crm.updated': 3,
  'identity.detached': 4,
  'contact.unmerged': 5,
  'crm.synced': 6,
  'crm.sync_failed': 7,
  'message.received': 8,
  'message.sent': 9,
  'note.added': 10,
};

/** Where a page starts: the key of the last event of the previous one (the event's type, time and source id). */
export interface TimelineKey {
  at: Date;
  type: TimelineEventType;
  id: string;
}

export interface TimelineQuery {
  /** Only these types; absent: all. */
  types?: readonly TimelineEventType[];
  /** Only messages on this channel (every other type has none, so it is left out). */
  channel?: string;
  before?: TimelineKey;
  limit: number;
}

export interface TimelineChange {
  /** `name`, `tags` or `attributes.<key>`. */
  field: string;
  /** null: absent. */
  from: JsonValue | null;
  to: JsonValue | null;
}

export interface TimelineContactRef {
  id: string;
  name: string | null;
}

export interface TimelineEvent {
  /** `<type>:<source id>`, unique on the timeline. */
  id: string;
  type: TimelineEventType;
  at: string;
  /** The contact row the event is on (a root's timeline holds its merged rows' events too). */
  contactId?: string;
  identity?: ContactIdentityInput;
  /** note.added: the note (prisma/contact-notes.ts) and the row it is on. */
  note?: { id: string; contactId: string; text: string };
  /** Messages: which one, on which channel and account, its text and (sent ones) delivery status. */
  message?: { id: string; channel: string; accountId: string; text: string | null; status: string };
  /** contact.merged / contact.unmerged: the merge (prisma/contact-merges.ts), its two sides with their names. */
  merge?: {
    id: string;
    survivor: TimelineContactRef;
    merged: TimelineContactRef;
    members: string[];
    undoneAt: string | null;
  };
  /** contact.updated / crm.updated: what changed, from what to what. */
  changes?: TimelineChange[];
  /** crm.synced / crm.sync_failed: the CRM account's link of the row (prisma/crm-sync.ts). */
  crm?: {
    accountId: string;
    connector: string;
    accountName: string;
    recordId: string | null;
    /** crm.synced: what Confluo last wrote to the record, in its own terms. */
    sent?: CrmSnapshot;
    /** crm.sync_failed: the last write's failure. */
    error?: { code: string; message: string; retrying: boolean };
  };
  /** Who or what did it, e.g. `run:<runId>:<nodeId>`, `api`, `crm:<account>:<record>`; run ids split out. */
  source?: string;
  runId?: string;
  nodeId?: string;
  /** The run's flow, when the change recorded it (contact changes, identities a run step added). */
  flowId?: string;
}

export interface TimelinePage {
  items: TimelineEvent[];
  /** The key of the next (older) page; absent on the last one. */
  next?: TimelineKey;
}

/** One source's events in its own order, each with the id its key carries. */
type Keyed = { event: TimelineEvent; key: TimelineKey };

const fromSource = (source: string | null | undefined) => {
  const m = source ? /^run:([^:]+):(.+)$/.exec(source) : null;
  return { ...(source && { source }), ...(m && { runId: m[1]!, nodeId: m[2]! }) };
};

/** A cause (`by`) of a contact event or a merge in the timeline's text form. */
function causeText(by: unknown): string | undefined {
  if (!by || typeof by !== 'object') return undefined;
  const b = by as { type?: unknown; ref?: unknown; runId?: unknown; accountId?: unknown };
  if (typeof b.type !== 'string') return undefined;
  // An identity source (a run step, a CRM record, a message); a note's or a merge's author is `type` and `ref`.
  if (b.type === 'run' ? typeof b.runId === 'string' : ['crm', 'message'].includes(b.type) && !!b.accountId)
    return sourceText(by as IdentitySource);
  return typeof b.ref === 'string' && b.ref ? `${b.type}:${b.ref}` : b.type;
}

/** `source` (and run ids, and the run's flow when recorded) of a cause object: an identity source, a `by`. */
function fromCause(by: unknown) {
  const flowId = (by as { type?: unknown; flowId?: unknown } | null | undefined)?.flowId;
  return { ...fromSource(causeText(by)), ...(typeof flowId === 'string' && flowId && { flowId }) };
}

const keyed = (type: TimelineEventType, at: Date, id: string, rest: Omit<TimelineEvent, 'id' | 'type' | 'at'>) => ({
  event: { id: `${type}:${id}`, type, at: at.toISOString(), ...rest },
  key: { at, type, id },
});

/**
 * The `where` selecting a source's rows after `key`, for a source of rank `rank` ordered by (`atField`, `idField`)
 * descending: a lower rank at the key's time comes after it, a higher one before it.
 */
function after(key: TimelineKey | undefined, rank: number, atField: string, idField = 'id', id: unknown = key?.id) {
  if (!key) return {};
  const r = RANK[key.type];
  if (rank < r) return { [atField]: { lte: key.at } };
  if (rank > r) return { [atField]: { lt: key.at } };
  return { OR: [{ [atField]: { lt: key.at } }, { [atField]: key.at, [idField]: { lt: id } }] };
}

/** Whether a (at, rank, id) is after the key (the same test as `after`, for sources filtered here). */
function isAfter(key: TimelineKey | undefined, at: Date, rank: number, id: string) {
  if (!key) return true;
  const t = at.getTime() - key.at.getTime();
  if (t !== 0) return t < 0;
  const r = rank - RANK[key.type];
  return r !== 0 ? r < 0 : id < key.id;
}

const desc = (field: string) => [{ [field]: 'desc' as const }, { id: 'desc' as const }];

export function createContactTimelineStore(prisma: PrismaClient) {
  /** Sources, each reading up to `take` events of its types after `before` for the view's rows `ids`. */
  type Source = {
    types: TimelineEventType[];
    read: (ctx: { workspaceId: string; ids: string[]; q: TimelineQuery; take: number }) => Promise<Keyed[]>;
  };

  const sources: Source[] = [
    {
      // One per row of the view, with the provenance of the row's first identity (created with it).
      types: ['contact.created'],
      async read({ workspaceId, ids, q, take }) {
        const rows = await prisma.contact.findMany({
          where: { workspaceId, id: { in: ids }, ...after(q.before, RANK['contact.created'], 'createdAt') },
          orderBy: desc('createdAt'),
          take,
          select: { id: true, createdAt: true },
        });
        const firsts = await prisma.identity.findMany({
          where: { contactId: { in: rows.map((r) => r.id) } },
          orderBy: [{ contactId: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
          distinct: ['contactId'],
          select: { contactId: true, source: true },
        });
        const first = new Map(firsts.map((f) => [f.contactId, f.source as IdentitySource]));
        return rows.map((r) => {
          const s = first.get(r.id);
          return keyed('contact.created', r.createdAt, r.id, {
            contactId: r.id,
            ...fromCause(s),
          });
        });
      },
    },
    {
      types: ['identity.added'],
      async read({ ids, q, take }) {
        const rows = await prisma.identity.findMany({
          where: { contactId: { in: ids }, ...after(q.before, RANK['identity.added'], 'createdAt') },
          orderBy: desc('createdAt'),
          take,
        });
        return rows.map((i) =>
          keyed('identity.added', i.createdAt, i.id, {
            contactId: i.contactId,
            identity: { kind: i.kind, value: i.value },
            ...fromCause(i.source),
          }),
        );
      },
    },
    {
      types: ['identity.detached'],
      async read({ ids, q, take }) {
        const rows = await prisma.identity.findMany({
          where: {
            contactId: { in: ids },
            detachedAt: { not: null },
            ...after(q.before, RANK['identity.detached'], 'detachedAt'),
          },
          orderBy: desc('detachedAt'),
          take,
        });
        return rows.map((i) =>
          keyed('identity.detached', i.detachedAt!, i.id, {
            contactId: i.contactId,
            identity: { kind: i.kind, value: i.value },
            ...fromCause(i.detachedBy),
          }),
        );
      },
    },
    messages('message.received', 'in'),
    messages('message.sent', 'out'),
    {
      // A deleted note is gone from the timeline too.
      types: ['note.added'],
      async read({ workspaceId, ids, q, take }) {
        const rows = await prisma.contactNote.findMany({
          where: { workspaceId, contactId: { in: ids }, ...after(q.before, RANK['note.added'], 'createdAt') },
          orderBy: desc('createdAt'),
          take,
        });
        return rows.map((n) =>
          keyed('note.added', n.createdAt, n.id, {
            contactId: n.contactId,
            note: { id: n.id, contactId: n.contactId, text: n.text },
            ...fromCause(n.by),
          }),
        );
      },
    },
    {
      // Changes to name, attributes and tags as the outbox recorded them (from→to, and who); a change the CRM sync
      // brought in (its cause a CRM record) is crm.updated.
      types: ['contact.updated', 'crm.updated'],
      async read({ workspaceId, ids, q, take }) {
        const types = q.types ?? ['contact.updated', 'crm.updated'];
        const fromCrm: Prisma.ContactEventWhereInput = { payload: { path: ['by', 'type'], equals: 'crm' } };
        const origin =
          types.includes('contact.updated') && types.includes('crm.updated')
            ? {}
            : types.includes('crm.updated')
              ? fromCrm
              : { NOT: fromCrm };
        const cursorId = q.before && NUMERIC_KEY_TYPES.includes(q.before.type) ? BigInt(q.before.id) : undefined;
        const rows = await prisma.contactEvent.findMany({
          where: {
            workspaceId,
            type: 'contact.updated',
            contactId: { in: ids },
            ...origin,
            ...after(q.before, RANK['contact.updated'], 'createdAt', 'id', cursorId),
          },
          orderBy: desc('createdAt'),
          take,
        });
        return rows.map((e) => {
          const payload = e.payload as { changes?: Record<string, { from?: JsonValue; to?: JsonValue }>; by?: unknown };
          const by = payload.by as { type?: string } | undefined;
          return keyed(by?.type === 'crm' ? 'crm.updated' : 'contact.updated', e.createdAt, e.id.toString(), {
            contactId: e.contactId ?? undefined,
            changes: Object.entries(payload.changes ?? {}).map(([field, c]) => ({
              field,
              from: c.from ?? null,
              to: c.to ?? null,
            })),
            ...fromCause(by),
          });
        });
      },
    },
    {
      types: ['contact.merged'],
      async read({ workspaceId, ids, q, take }) {
        const rows = await prisma.contactMerge.findMany({
          where: {
            workspaceId,
            OR: [{ survivorId: { in: ids } }, { mergedId: { in: ids } }],
            ...after(q.before, RANK['contact.merged'], 'createdAt'),
          },
          orderBy: desc('createdAt'),
          take,
        });
        return mergeEvents(workspaceId, 'contact.merged', rows);
      },
    },
    {
      types: ['contact.unmerged'],
      async read({ workspaceId, ids, q, take }) {
        const rows = await prisma.contactMerge.findMany({
          where: {
            workspaceId,
            OR: [{ survivorId: { in: ids } }, { mergedId: { in: ids } }],
            undoneAt: { not: null },
            ...after(q.before, RANK['contact.unmerged'], 'undoneAt'),
          },
          orderBy: desc('undoneAt'),
          take,
        });
        return mergeEvents(workspaceId, 'contact.unmerged', rows);
      },
    },
    {
      // What is recorded of the sync per CRM account and row: the last time the link went through (a write, or a
      // record read in), with what was last written; and the last write's failure until one goes through. Not a
      // log of every push: crm_links keeps the latest only. A handful of rows (accounts × rows), filtered here.
      types: ['crm.synced', 'crm.sync_failed'],
      async read({ workspaceId, ids, q, take }) {
        const types = q.types ?? ['crm.synced', 'crm.sync_failed'];
        const links = await prisma.crmLink.findMany({
          where: { workspaceId, contactId: { in: ids } },
          include: { account: { select: { connector: true, name: true } } },
        });
        const out: Keyed[] = [];
        for (const l of links) {
          const id = `${l.accountId}:${l.contactId}`;
          const crm = {
            accountId: l.accountId,
            connector: l.account.connector,
            accountName: l.account.name,
            recordId: l.recordId,
          };
          if (types.includes('crm.synced') && l.syncedAt && l.recordId)
            out.push(
              keyed('crm.synced', l.syncedAt, id, {
                contactId: l.contactId,
                crm: { ...crm, sent: l.sent as CrmSnapshot },
              }),
            );
          const error = l.error as { code: string; message: string; at: string; retrying: boolean } | null;
          const failedAt = error ? new Date(error.at) : null;
          if (types.includes('crm.sync_failed') && error && failedAt && !Number.isNaN(failedAt.getTime()))
            out.push(
              keyed('crm.sync_failed', failedAt, id, {
                contactId: l.contactId,
                crm: { ...crm, error: { code: error.code, message: error.message, retrying: error.retrying } },
              }),
            );
        }
        return out
          .filter((k) => isAfter(q.before, k.key.at, RANK[k.key.type], k.key.id))
          .sort(
            (a, b) =>
              b.key.at.getTime() - a.key.at.getTime() ||
              RANK[b.key.type] - RANK[a.key.type] ||
              (a.key.id < b.key.id ? 1 : a.key.id > b.key.id ? -1 : 0),
          )
          .slice(0, take);
      },
    },
  ];

  /**
   * One direction of the messages on every channel (one query each, so the (contact, direction, sent_at) index pages
   * it), on `channel` when asked.
   */
  function messages(type: 'message.received' | 'message.sent', direction: 'in' | 'out'): Source {
    return {
      types: [type],
      async read({ workspaceId, ids, q, take }) {
        const rows = await prisma.message.findMany({
          where: {
            workspaceId,
            contactId: { in: ids },
            direction,
            ...(q.channel && { channel: q.channel }),
            ...after(q.before, RANK[type], 'sentAt'),
          },
          orderBy: desc('sentAt'),
          take,
          select: {
            id: true,
            contactId: true,
            channel: true,
            accountId: true,
            text: true,
            status: true,
            sentAt: true,
            source: true,
          },
        });
        return rows.map((m) =>
          keyed(type, m.sentAt, m.id, {
            contactId: m.contactId,
            message: { id: m.id, channel: m.channel, accountId: m.accountId, text: m.text, status: m.status },
            ...fromSource(m.source),
          }),
        );
      },
    };
  }

  /** Merge rows as events, with both sides' names and (undone ones) who undid them (the contact.unmerged event). */
  async function mergeEvents(
    workspaceId: string,
    type: 'contact.merged' | 'contact.unmerged',
    rows: Prisma.ContactMergeGetPayload<object>[],
  ): Promise<Keyed[]> {
    if (rows.length === 0) return [];
    const names = new Map(
      (
        await prisma.contact.findMany({
          where: { workspaceId, id: { in: rows.flatMap((r) => [r.survivorId, r.mergedId]) } },
          select: { id: true, name: true },
        })
      ).map((c) => [c.id, c.name]),
    );
    const undoneBy = new Map<string, unknown>();
    if (type === 'contact.unmerged') {
      const events = await prisma.contactEvent.findMany({
        where: {
          workspaceId,
          type: 'contact.unmerged',
          OR: rows.map((r) => ({ payload: { path: ['mergeId'], equals: r.id } })),
        },
        select: { payload: true },
      });
      for (const e of events) {
        const p = e.payload as { mergeId?: string; by?: unknown };
        if (p.mergeId) undoneBy.set(p.mergeId, p.by);
      }
    }
    const ref = (id: string) => ({ id, name: names.get(id) ?? null });
    return rows.map((r) =>
      keyed(type, type === 'contact.merged' ? r.createdAt : r.undoneAt!, r.id, {
        contactId: r.survivorId,
        merge: {
          id: r.id,
          survivor: ref(r.survivorId),
          merged: ref(r.mergedId),
          members: r.members,
          undoneAt: r.undoneAt?.toISOString() ?? null,
        },
        ...fromCause(type === 'contact.merged' ? r.by : undoneBy.get(r.id)),
      }),
    );
  }

  return {
    /**
     * One page of the contact's timeline, newest first: a root's is its cluster's (every row's identities, messages,
     * notes, changes, CRM links), a merged row's its own. Null when the contact is not in the workspace.
     */
    async page(workspaceId: string, contactId: string, q: TimelineQuery): Promise<TimelinePage | null> {
      const ids = await viewRows(prisma, workspaceId, contactId);
      if (!ids) return null;
      const wanted = (t: TimelineEventType) =>
        (!q.types || q.types.includes(t)) && (!q.channel || t === 'message.received' || t === 'message.sent');
      const take = q.limit + 1;
      const read = await Promise.all(
        sources
          .filter((s) => s.types.some(wanted))
          .map((s) => s.read({ workspaceId, ids, q: { ...q, types: s.types.filter(wanted) }, take })),
      );
      // Stable: events of one rank keep their source's order (the database's, which the next page's query shares).
      const merged = read
        .flat()
        .sort((a, b) => b.key.at.getTime() - a.key.at.getTime() || RANK[b.key.type] - RANK[a.key.type]);
      const items = merged.slice(0, q.limit);
      const last = merged.length > q.limit ? items.at(-1) : undefined;
      return { items: items.map((k) => k.event), ...(last && { next: last.key }) };
    },
  };
}

export type ContactTimelineStore = ReturnType<typeof createContactTimelineStore>;
