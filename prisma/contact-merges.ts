// Merging contacts: logical, exactly reversible, never destructive, never across workspaces. A merge only points rows
// at a root (`contacts.merged_into_id`, flat: always a contact not merged itself) and files the messages of the merged
// rows in the root's conversation; every row keeps what it owns (identities, messages by contact_id, consents,
// attributes), so undoing a merge is moving the same rows back. `contact_merges` records each merge and the rows it
// moved (`members`). Both operations lock the two root rows (id order, so two merges of the same pair cannot
// deadlock) and re-read them under the lock: the second of two concurrent merges of one pair finds one cluster.
import { Prisma, type PrismaClient } from './client.js';
import { closeOnMergeInTx, reopenOnUndoInTx } from './contact-duplicates.js';
import { clusterIds, contactView } from './contacts.js';
import { recordContactEventsInTx, type EventCause } from './contact-events.js';
import { markCrmPendingInTx } from './crm-sync.js';
import { newId } from './ids.js';
import type { ContactRecord } from '../connectors/sdk/types.js';

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
      SELECT merged_into_id FROM contacts WHERE id = ${id} AND workspace_id = ${workspaceId} FOR UPDATE`;
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
