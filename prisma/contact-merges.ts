// Merging contacts: logical, exactly reversible, never destructive, never across workspaces. A merge only points rows
// at a root (`contacts.merged_into_id`, flat: always a contact not merged itself) and files the messages of the merged
// rows in the root's conversation; every row keeps what it owns (identities, messages by contact_id, consents,
// attributes), so undoing a merge is moving the same rows back. `contact_merges` records each merge and the rows it
// moved (`members`). Both operations lock the two root rows (id order, so two merges of the same pair cannot
// deadlock) and re-read them under the lock: the second of two concurrent merges of one pair finds one cluster.
import { Prisma, type PrismaClient } from './client.js';
import { closeOnMergeInTx, reopenOnUndoInTx } from './contact-duplicates.js';
import { byCreated, clusterIds, clusterRecords, clusterView, contactView, withIdentities } from './contacts.js';
import { recordContactEventsInTx, type EventCause } from './contact-events.js';
import { crmMergePlan, markCrmPendingInTx } from './crm-sync.js';
import { newId } from './ids.js';
import type { ContactIdentity, ContactRecord } from '../connectors/sdk/types.js';
import type { JsonValue } from '../connectors/flow/types.js';

type Tx = Prisma.TransactionClient;

export interface MergeActor {
  type: 'person' | 'api' | 'run' | 'rule';
  ref?: string;
  /** A run's flow (type run): its merge does not start that flow again. */
  flowId?: string;
}

export interface MergeRecord {
  id: string;
  survivorId: string;
  mergedId: string;
  /** The rows the merge moved under the survivor: the merged contact and what had been merged into it. */
  members: string[];
  by: MergeActor;
  createdAt: string;
  undoneAt: string | null;
}

/** Why nothing was merged or undone; the server answers each with its own status and code. */
export type MergeRefusal = 'not_found' | 'merge_self' | 'already_merged' | 'not_merged';

export class MergeRefused extends Error {
  constructor(readonly reason: MergeRefusal) {
    super(reason);
    this.name = 'MergeRefused';
  }
}

type MergeRow = Prisma.ContactMergeGetPayload<object>;

const toMerge = (row: MergeRow): MergeRecord => ({
  id: row.id,
  survivorId: row.survivorId,
  mergedId: row.mergedId,
  members: row.members,
  by: row.by as unknown as MergeActor,
  createdAt: row.createdAt.toISOString(),
  undoneAt: row.undoneAt?.toISOString() ?? null,
});

/** Merges listed for one contact. */
const LIST_MERGES = 100;

const TX = { maxWait: 10_000, timeout: 15_000 };

/** Locks the rows in id order and returns their roots as they are under the lock. */
async function lockRoots(tx: Tx, workspaceId: string, ids: string[]): Promise<Map<string, string>> {
  const roots = new Map<string, string>();
  for (const id of [...new Set(ids)].sort()) {
    const [row] = await tx.$queryRaw<{ merged_into_id: string | null }[]>`
      SELECT merged_into_id FROM contacts WHERE id = ${id} AND workspace_id = ${workspaceId} FOR NO KEY UPDATE`;
    if (!row) throw new MergeRefused('not_found');
    roots.set(id, row.merged_into_id ?? id);
  }
  return roots;
}

/** The root of each contact (merged rows point at theirs), or not_found when one is not in the workspace. */
async function rootsOf(tx: Tx, workspaceId: string, ids: string[]) {
  const rows = await tx.contact.findMany({
    where: { workspaceId, id: { in: ids } },
    select: { id: true, mergedIntoId: true },
  });
  if (rows.length !== new Set(ids).size) throw new MergeRefused('not_found');
  return ids.map((id) => {
    const row = rows.find((r) => r.id === id)!;
    return row.mergedIntoId ?? row.id;
  });
}

/** Locks both roots, following a root that was merged while waiting for its lock (a few tries: each is a merge). */
async function lockPair(tx: Tx, workspaceId: string, a: string, b: string): Promise<[string, string]> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [ra, rb] = await rootsOf(tx, workspaceId, [a, b]);
    const locked = await lockRoots(tx, workspaceId, [ra!, rb!]);
    if (locked.get(ra!) === ra && locked.get(rb!) === rb) return [ra!, rb!];
  }
  throw new Error('the contacts kept being merged while this merge waited for them; try again');
}

/** Creates the root's conversation if it has none; its id. */
async function conversationOf(tx: Tx, workspaceId: string, contactId: string): Promise<string> {
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO conversations (id, workspace_id, contact_id) VALUES (${newId('cnv')}, ${workspaceId}, ${contactId})
    ON CONFLICT (contact_id) DO UPDATE SET contact_id = EXCLUDED.contact_id
    RETURNING id`;
  return row!.id;
}

/** A conversation's last_message_at from its messages (null when it has none left: the inbox hides it). */
async function recompute(tx: Tx, contactId: string) {
  await tx.$executeRaw`
    UPDATE conversations c SET last_message_at = (SELECT max(m.sent_at) FROM messages m WHERE m.conversation_id = c.id)
    WHERE c.contact_id = ${contactId}`;
}

/** Moves the messages of `rows` into `contactId`'s conversation and recomputes both sides' last_message_at. */
async function fileMessages(tx: Tx, workspaceId: string, rows: string[], contactId: string, from: string) {
  const conversationId = await conversationOf(tx, workspaceId, contactId);
  await tx.$executeRaw`
    UPDATE messages SET conversation_id = ${conversationId}
    WHERE workspace_id = ${workspaceId} AND contact_id = ANY(${rows}::text[]) AND conversation_id <> ${conversationId}`;
  await recompute(tx, contactId);
  await recompute(tx, from);
}

/**
 * Merges `mergedId`'s cluster into `survivorId`'s inside the caller's transaction (the store's `merge`, and the upsert's
 * merge on a shared delivery); throws MergeRefused. Returns the merge and the survivor's root.
 */
export async function mergeInTx(
  tx: Tx,
  workspaceId: string,
  survivorId: string,
  mergedId: string,
  by: MergeActor,
): Promise<{ merge: MergeRecord; survivor: string }> {
  if (survivorId === mergedId) throw new MergeRefused('merge_self');
  const [survivor, merged] = await lockPair(tx, workspaceId, survivorId, mergedId);
  if (survivor === merged) throw new MergeRefused('already_merged');
  const members = [
    merged,
    ...(
      await tx.contact.findMany({
        where: { mergedIntoId: merged },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { id: true },
      })
    ).map((r) => r.id),
  ];
  const survivorRows = await clusterIds(tx, survivor);
  const at = new Date();
  await tx.contact.updateMany({
    where: { id: { in: members } },
    data: { mergedIntoId: survivor, mergedAt: at },
  });
  await fileMessages(tx, workspaceId, members, survivor, merged);
  const row = await tx.contactMerge.create({
    data: {
      id: newId('mrg'),
      workspaceId,
      survivorId: survivor,
      mergedId: merged,
      members,
      by: by as unknown as Prisma.InputJsonObject,
      createdAt: at,
    },
  });
  await closeOnMergeInTx(tx, workspaceId, survivorRows, members, row.id);
  await markCrmPendingInTx(tx, workspaceId, [survivor]);
  await recordContactEventsInTx(
    tx,
    workspaceId,
    [{ type: 'contact.merged', contactId: survivor, data: { mergeId: row.id, mergedContactId: merged, members } }],
    by as unknown as EventCause,
  );
  return { merge: toMerge(row), survivor };
}

/** Which side of a merge something comes from: the survivor's cluster, the merged one's, or both hold it. */
export type MergeSide = 'survivor' | 'merged' | 'both';

/** One CRM record of a contact row (a cluster's rows keep their own links). */
export interface CrmRecordRef {
  accountId: string;
  connector: string;
  accountName: string;
  contactId: string;
  recordId: string;
}

/** One side of a merge as it is now: its contact's view and what its rows hold. */
export interface MergePreviewSide {
  contact: ContactRecord;
  /** The rows of its cluster: the contact and the rows merged into it. */
  rows: string[];
  notes: number;
  messages: number;
  /** Conversations its messages are filed in (one per cluster, normally). */
  conversations: number;
  crm: CrmRecordRef[];
}

/** A value a side's view showed that the merged view does not (it stays on its row). */
export interface SetAside<T> {
  from: 'survivor' | 'merged';
  value: T;
}

/** What a merge would make, per field with the side it comes from and what it sets aside. */
export interface MergePreviewResult {
  /** The survivor's view as the merge would make it (the merged rows listed in `members`, not yet merged). */
  contact: ContactRecord;
  /** `from`: the side whose rows hold the value (null: no name); `setAside`: what each side's view showed instead. */
  name: { value: string | null; from: MergeSide | null; setAside: SetAside<string>[] };
  identities: { identity: ContactIdentity; from: MergeSide; conflict: boolean }[];
  attributes: { key: string; value: JsonValue; from: MergeSide; setAside: SetAside<JsonValue>[] }[];
  tags: { tag: string; from: MergeSide }[];
  notes: number;
  messages: number;
  conversations: number;
  /**
   * Per CRM account the workspace syncs: `merge` (the CRM merges `mergeAway` into `keep`), `update_each` (several
   * records, the CRM cannot merge: each is written), `update` (its one record is written), `sync` (no record yet:
   * the sync finds or creates one when the contact has an email or a phone).
   */
  crm: {
    accountId: string;
    connector: string;
    accountName: string;
    action: 'merge' | 'update_each' | 'update' | 'sync';
    keep: CrmRecordRef[];
    mergeAway: CrmRecordRef[];
  }[];
}

export interface MergePreview {
  survivorId: string;
  mergedId: string;
  survivor: MergePreviewSide;
  merged: MergePreviewSide;
  result: MergePreviewResult;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A row of either cluster as the preview compares it (a contact row with its identities, and its side). */
export interface PreviewRow {
  side: 'survivor' | 'merged';
  name: string | null;
  attributes: Record<string, JsonValue>;
  identities: { id: string; kind: string; key: string; valid: boolean }[];
}

/** 'both' when both sides are in `sides`, the one side, or null for none. */
function sideOfSet(sides: Set<'survivor' | 'merged'>): MergeSide | null {
  if (sides.size === 2) return 'both';
  return sides.size === 1 ? [...sides][0]! : null;
}

/**
 * The merge preview's annotations (pure), from the two views, the result (all three made by clusterView: the merge's
 * rules are there, not here) and the rows: each value of the result with the side whose rows hold it, and what each
 * side's view showed instead (set aside: still on its row, shown again after an undo). A CRM record identity
 * conflicts when the other side holds another record of the same CRM account (the sync merges or keeps both).
 */
export function annotateMerge(
  survivor: ContactRecord,
  merged: ContactRecord,
  result: ContactRecord,
  rows: readonly PreviewRow[],
): Pick<MergePreviewResult, 'name' | 'identities' | 'attributes' | 'tags'> {
  const views = [
    ['survivor', survivor],
    ['merged', merged],
  ] as const;
  const holders = (has: (r: PreviewRow) => boolean) => new Set(rows.filter(has).map((r) => r.side));
  const setAside = <T>(value: T, of: (c: ContactRecord) => T | undefined) =>
    views.flatMap(([from, c]) => {
      const v = of(c);
      return v === undefined || v === null || same(v, value) ? [] : [{ from, value: v }];
    });
  const rowOf = new Map(rows.flatMap((r) => r.identities.map((i) => [i.id, { ...i, side: r.side }] as const)));
  const crmAccount = (i: ContactIdentity) =>
    i.source.type === 'crm' ? (i.source as { accountId?: string }).accountId : undefined;
  const everyIdentity = [...survivor.identities, ...merged.identities];
  return {
    name: {
      value: result.name,
      from: result.name === null ? null : sideOfSet(holders((r) => r.name === result.name)),
      setAside: setAside(result.name, (c) => c.name),
    },
    identities: result.identities.map((identity) => {
      const row = rowOf.get(identity.id)!;
      const onOther =
        row.valid &&
        rows.some(
          (r) => r.side !== row.side && r.identities.some((i) => i.valid && i.kind === row.kind && i.key === row.key),
        );
      const account = crmAccount(identity);
      const conflict =
        account !== undefined &&
        everyIdentity.some(
          (o) => crmAccount(o) === account && o.value !== identity.value && rowOf.get(o.id)?.side !== row.side,
        );
      return { identity, from: onOther ? ('both' as const) : row.side, conflict };
    }),
    attributes: Object.entries(result.attributes).map(([key, value]) => ({
      key,
      value,
      // Every value of the result is some row's.
      from: sideOfSet(holders((r) => r.attributes[key] !== undefined && same(r.attributes[key], value))) ?? 'survivor',
      setAside: setAside(value, (c) => c.attributes[key]),
    })),
    tags: result.tags.map((tag) => ({
      tag,
      from: sideOfSet(new Set(views.filter(([, c]) => c.tags.includes(tag)).map(([side]) => side))) ?? 'survivor',
    })),
  };
}

export function createContactMergeStore(prisma: PrismaClient) {
  const run = <T>(fn: (tx: Tx) => Promise<T>) => prisma.$transaction(fn, TX);

  return {
    /** Merges `mergedId`'s cluster into `survivorId`'s; throws MergeRefused, having changed nothing. */
    merge(
      workspaceId: string,
      survivorId: string,
      mergedId: string,
      by: MergeActor,
    ): Promise<{ merge: MergeRecord; contact: ContactRecord }> {
      if (survivorId === mergedId) return Promise.reject(new MergeRefused('merge_self'));
      return run(async (tx) => {
        const { merge, survivor } = await mergeInTx(tx, workspaceId, survivorId, mergedId, by);
        return { merge, contact: (await contactView(tx, workspaceId, survivor))! };
      });
    },

    /**
     * Undoes a merge: the rows it moved that are still in the survivor's cluster go back under the merged contact
     * (itself a root again), with their messages, those that arrived after the merge included (they keep contact_id).
     */
    undo(
      workspaceId: string,
      mergeId: string,
      by: MergeActor = { type: 'api' },
    ): Promise<{ merge: MergeRecord; contacts: ContactRecord[] }> {
      return run(async (tx) => {
        const found = await tx.contactMerge.findFirst({ where: { id: mergeId, workspaceId } });
        if (!found) throw new MergeRefused('not_found');
        // The survivor may have been merged on since: its cluster is its root's.
        const [root] = await rootsOf(tx, workspaceId, [found.survivorId]);
        await lockRoots(tx, workspaceId, [root!, found.mergedId]);
        const [merge] = await tx.$queryRaw<{ undone_at: Date | null }[]>`
          SELECT undone_at FROM contact_merges WHERE id = ${mergeId} FOR UPDATE`;
        const [survivor] = await rootsOf(tx, workspaceId, [found.survivorId]);
        const rows = await tx.contact.findMany({
          where: { id: { in: found.members }, mergedIntoId: survivor! },
          select: { id: true },
        });
        const back = rows.map((r) => r.id);
        if (merge?.undone_at || !back.includes(found.mergedId)) throw new MergeRefused('not_merged');
        const others = back.filter((id) => id !== found.mergedId);
        await tx.contact.update({ where: { id: found.mergedId }, data: { mergedIntoId: null, mergedAt: null } });
        if (others.length > 0)
          await tx.contact.updateMany({ where: { id: { in: others } }, data: { mergedIntoId: found.mergedId } });
        await fileMessages(tx, workspaceId, back, found.mergedId, survivor!);
        const undone = await tx.contactMerge.update({ where: { id: mergeId }, data: { undoneAt: new Date() } });
        await reopenOnUndoInTx(tx, mergeId);
        await markCrmPendingInTx(tx, workspaceId, [survivor!, found.mergedId]);
        await recordContactEventsInTx(
          tx,
          workspaceId,
          [
            {
              type: 'contact.unmerged',
              contactId: survivor!,
              data: { mergeId, restoredContactId: found.mergedId, members: back },
            },
          ],
          by as unknown as EventCause,
        );
        return {
          merge: toMerge(undone),
          contacts: [
            (await contactView(tx, workspaceId, survivor!))!,
            (await contactView(tx, workspaceId, found.mergedId))!,
          ],
        };
      });
    },

    /**
     * What merging `mergedId`'s cluster into `survivorId`'s would make, without writing anything: both sides as they
     * are and the result, by the rules the merge and the merged view apply (clusterView, crmMergePlan). The same
     * refusals as `merge` (MergeRefused). `canMerge`: whether a CRM connector merges records (its manifest's `merge`).
     */
    preview(
      workspaceId: string,
      survivorId: string,
      mergedId: string,
      canMerge: (connector: string) => boolean,
    ): Promise<MergePreview> {
      if (survivorId === mergedId) return Promise.reject(new MergeRefused('merge_self'));
      // One snapshot of both clusters; reads only.
      return prisma.$transaction(
        async (tx) => {
          const [survivor, merged] = await rootsOf(tx, workspaceId, [survivorId, mergedId]);
          if (survivor === merged) throw new MergeRefused('already_merged');
          const rows = await tx.contact.findMany({
            where: {
              workspaceId,
              OR: [{ id: { in: [survivor!, merged!] } }, { mergedIntoId: { in: [survivor!, merged!] } }],
            },
            include: withIdentities,
          });
          const root = (id: string) => rows.find((r) => r.id === id)!;
          const clusterOf = (id: string) => rows.filter((r) => r.id === id || r.mergedIntoId === id);
          const [survivorView, mergedView] = await clusterRecords(tx, workspaceId, [root(survivor!), root(merged!)]);
          // The merge moves the merged root and its members under the survivor, oldest first like every member.
          const moved = new Set(clusterOf(merged!).map((r) => r.id));
          const members = rows
            .filter((r) => r.id !== survivor && (moved.has(r.id) || r.mergedIntoId === survivor))
            .map((r) => (moved.has(r.id) ? { ...r, mergedIntoId: survivor!, mergedAt: null } : r))
            .sort(byCreated);
          const mergeOf = new Map(
            (survivorView!.members ?? []).flatMap((m) => (m.mergeId ? [[m.id, m.mergeId] as const] : [])),
          );
          const resultView = clusterView(root(survivor!), members, mergeOf);
          const previewRows: PreviewRow[] = rows.map((r) => ({
            side: moved.has(r.id) ? 'merged' : 'survivor',
            name: r.name,
            attributes: (r.attributes ?? {}) as Record<string, JsonValue>,
            identities: r.identities.map((i) => ({ id: i.id, kind: i.kind, key: i.key, valid: i.valid })),
          }));

          const links = await tx.crmLink.findMany({
            where: { workspaceId, contactId: { in: rows.map((r) => r.id) }, recordId: { not: null } },
            include: { account: { select: { connector: true, name: true } } },
            // The order the sync's `linked` reads them in: the oldest contact's record first.
            orderBy: [{ contact: { createdAt: 'asc' } }, { contactId: 'asc' }],
          });
          const refs = links.map((l): CrmRecordRef => ({
            accountId: l.accountId,
            connector: l.account.connector,
            accountName: l.account.name,
            contactId: l.contactId,
            recordId: l.recordId!,
          }));
          const syncs = await tx.crmSync.findMany({
            where: { workspaceId },
            include: { account: { select: { connector: true, name: true } } },
            orderBy: { accountId: 'asc' },
          });
          const crm = syncs.map((sync) => {
            const targets = refs.filter((r) => r.accountId === sync.accountId);
            const mergeable = canMerge(sync.account.connector);
            const plan = crmMergePlan(targets, mergeable);
            const action: MergePreviewResult['crm'][number]['action'] =
              plan.mergeAway.length > 0
                ? 'merge'
                : plan.keep.length > 1
                  ? 'update_each'
                  : plan.keep.length === 1
                    ? 'update'
                    : 'sync';
            return {
              accountId: sync.accountId,
              connector: sync.account.connector,
              accountName: sync.account.name,
              action,
              ...plan,
            };
          });

          const side = async (id: string, view: ContactRecord): Promise<MergePreviewSide> => {
            const ids = clusterOf(id).map((r) => r.id);
            const [counts] = await tx.$queryRaw<{ messages: bigint; conversations: bigint }[]>`
              SELECT count(*) AS messages, count(DISTINCT conversation_id) AS conversations FROM messages
              WHERE workspace_id = ${workspaceId} AND contact_id = ANY(${ids}::text[])`;
            return {
              contact: view,
              rows: [id, ...ids.filter((r) => r !== id)],
              notes: await tx.contactNote.count({ where: { workspaceId, contactId: { in: ids } } }),
              messages: Number(counts!.messages),
              conversations: Number(counts!.conversations),
              crm: refs.filter((r) => ids.includes(r.contactId)),
            };
          };
          const s = await side(survivor!, survivorView!);
          const m = await side(merged!, mergedView!);
          const messages = s.messages + m.messages;
          return {
            survivorId: survivor!,
            mergedId: merged!,
            survivor: s,
            merged: m,
            result: {
              contact: resultView,
              ...annotateMerge(survivorView!, mergedView!, resultView, previewRows),
              notes: s.notes + m.notes,
              messages,
              // The merge files every message in the survivor's one conversation.
              conversations: messages > 0 ? 1 : 0,
              crm,
            },
          };
        },
        { ...TX, isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
      );
    },

    /** The merges a contact took part in (as survivor, merged or moved member), newest first; null: no such contact. */
    async list(workspaceId: string, contactId: string): Promise<MergeRecord[] | null> {
      const exists = await prisma.contact.findFirst({ where: { id: contactId, workspaceId }, select: { id: true } });
      if (!exists) return null;
      const rows = await prisma.contactMerge.findMany({
        where: { workspaceId, OR: [{ survivorId: contactId }, { members: { has: contactId } }] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: LIST_MERGES,
      });
      return rows.map(toMerge);
    },
  };
}
