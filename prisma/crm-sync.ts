// CRM sync state (schema.prisma: CrmSync, CrmLink): which CRM accounts a workspace syncs, and per (account, contact)
// the linked record, whether a change waits to be written, and the snapshots that decide per field which side
// changed. Every contact write marks its contact pending on each CRM account of the workspace inside its own
// transaction (markCrmPendingInTx), so a change is never lost between the write and the sync: the sync loop
// (worker/crm-sync.ts) takes what is due, writes it, and clears the mark only if no change came in meanwhile.
import { Prisma, type PrismaClient } from './client.js';
import type { JsonObject } from '../connectors/flow/types.js';
import { newId } from './ids.js';

type Tx = Prisma.TransactionClient;

/** A person in Confluo's terms, as last written to or read from a CRM (the fields a sync compares). */
export interface CrmSnapshot {
  name?: string | null;
  emails?: string[];
  phones?: string[];
  fields?: JsonObject;
}

export interface CrmLinkError {
  code: string;
  message: string;
  at: string;
  /** Still retried (the CRM was down or answered garbage); false: waits for the contact's next change. */
  retrying: boolean;
}

export interface CrmLinkRow {
  accountId: string;
  contactId: string;
  recordId: string | null;
  pending: boolean;
  version: number;
  sent: CrmSnapshot;
  seen: CrmSnapshot;
  seenUpdatedAt: string | null;
  syncedAt: Date | null;
  attempts: number;
  error: CrmLinkError | null;
}

const toLink = (r: Prisma.CrmLinkGetPayload<object>): CrmLinkRow => ({
  accountId: r.accountId,
  contactId: r.contactId,
  recordId: r.recordId,
  pending: r.pending,
  version: r.version,
  sent: r.sent as CrmSnapshot,
  seen: r.seen as CrmSnapshot,
  seenUpdatedAt: r.seenUpdatedAt,
  syncedAt: r.syncedAt,
  attempts: r.attempts,
  error: r.error as CrmLinkError | null,
});

/**
 * Marks a contact changed (its root, for a merged row) on every CRM account its workspace syncs. A contact already
 * pending keeps its first change time, so the sync's debounce coalesces a burst of changes into one write without
 * putting it off for as long as the burst lasts. `message`: a message was recorded, which only accounts that log
 * messages care about.
 */
export async function markCrmPendingInTx(
  tx: Tx | PrismaClient,
  workspaceId: string,
  contactIds: string[],
  opts: { message?: boolean } = {},
): Promise<void> {
  if (contactIds.length === 0) return;
  // A message concerns only the accounts that log messages (the `logMessages` setting).
  const onlyLogging = opts.message === true;
  await tx.$executeRaw`
    INSERT INTO crm_links (account_id, contact_id, workspace_id, pending, version, changed_at)
    SELECT s.account_id, c.root, ${workspaceId}, true, 1, now()
      FROM crm_syncs s
      JOIN channel_accounts a ON a.id = s.account_id,
           (SELECT DISTINCT coalesce(merged_into_id, id) AS root FROM contacts
             WHERE id = ANY(${contactIds}) AND workspace_id = ${workspaceId}) c
     WHERE s.workspace_id = ${workspaceId}
       AND (NOT ${onlyLogging} OR a.settings->>'logMessages' = 'true')
    ON CONFLICT (account_id, contact_id) DO UPDATE
       SET pending = true, version = crm_links.version + 1,
           changed_at = CASE WHEN crm_links.pending THEN crm_links.changed_at ELSE now() END`;
}

/**
 * What a sync does with one account's records of a (merged) contact, `targets` in `linked` order (the oldest contact's
 * first): where the CRM merges (HubSpot, Pipedrive) several records are merged into the first, and their links
 * dropped; else every record is kept and written. The worker's push follows it; the merge preview shows it.
 */
export function crmMergePlan<T>(targets: readonly T[], canMerge: boolean): { keep: T[]; mergeAway: T[] } {
  if (targets.length > 1 && canMerge) return { keep: [targets[0]!], mergeAway: targets.slice(1) };
  return { keep: [...targets], mergeAway: [] };
}

/** How far back message logging starts on a link that has logged nothing yet: one day. */
export const LOG_BACKFILL_MS = 24 * 3600_000;

export function createCrmSyncStore(prisma: PrismaClient) {
  return {
    /**
     * Starts syncing an account (idempotent): every contact of the workspace is marked pending on it, so connecting
     * a CRM writes the contacts Confluo already has (the initial sync) as well as every later change.
     */
    async ensure(accountId: string, workspaceId: string): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const made = await tx.$executeRaw`
          INSERT INTO crm_syncs (account_id, workspace_id) VALUES (${accountId}, ${workspaceId})
          ON CONFLICT (account_id) DO NOTHING`;
        if (made === 0) return;
        await tx.$executeRaw`
          INSERT INTO crm_links (account_id, contact_id, workspace_id, pending, version, changed_at)
          SELECT ${accountId}, id, workspace_id, true, 1, created_at FROM contacts
           WHERE workspace_id = ${workspaceId} AND merged_into_id IS NULL
          ON CONFLICT DO NOTHING`;
      });
    },

    async sync(accountId: string) {
      return prisma.crmSync.findUnique({ where: { accountId } });
    },

    /** Pending contacts whose first change is at least `debounceMs` old and whose retry time has come, oldest first. */
    async due(accountId: string, opts: { limit: number; debounceMs: number }): Promise<CrmLinkRow[]> {
      const before = new Date(Date.now() - opts.debounceMs);
      const rows = await prisma.crmLink.findMany({
        where: {
          accountId,
          pending: true,
          changedAt: { lte: before },
          OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: new Date() } }],
        },
        orderBy: [{ changedAt: 'asc' }, { contactId: 'asc' }],
        take: opts.limit,
      });
      return rows.map(toLink);
    },

    /** The root of a contact row (itself unless merged), null when it is gone. */
    async rootOf(workspaceId: string, contactId: string): Promise<string | null> {
      const row = await prisma.contact.findFirst({
        where: { id: contactId, workspaceId },
        select: { id: true, mergedIntoId: true },
      });
      return row ? (row.mergedIntoId ?? row.id) : null;
    },

    /** The links of these contact rows on the account that have a record, oldest contact first. */
    async linked(accountId: string, contactIds: string[]): Promise<CrmLinkRow[]> {
      const rows = await prisma.crmLink.findMany({
        where: { accountId, contactId: { in: contactIds }, recordId: { not: null } },
        orderBy: [{ contact: { createdAt: 'asc' } }, { contactId: 'asc' }],
      });
      return rows.map(toLink);
    },

    async byRecord(accountId: string, recordId: string): Promise<CrmLinkRow | null> {
      const row = await prisma.crmLink.findUnique({ where: { accountId_recordId: { accountId, recordId } } });
      return row && toLink(row);
    },

    /**
     * Records what a write to (or a read from) the CRM left: the record, both snapshots, and the record id as one
     * more identity of the contact (verified: the CRM says so), unless another contact already holds it.
     */
    async saveRecord(
      workspaceId: string,
      link: {
        accountId: string;
        contactId: string;
        recordId: string;
        identity: { kind: string; value: string };
        sent?: CrmSnapshot;
        seen: CrmSnapshot;
        seenUpdatedAt: string;
      },
    ): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { accountId, contactId, recordId } = link;
        const data = {
          recordId,
          ...(link.sent && { sent: link.sent as Prisma.InputJsonObject }),
          seen: link.seen as Prisma.InputJsonObject,
          seenUpdatedAt: link.seenUpdatedAt,
          syncedAt: new Date(),
          attempts: 0,
          nextAttemptAt: null,
          error: Prisma.DbNull,
        };
        await tx.crmLink.upsert({
          where: { accountId_contactId: { accountId, contactId } },
          create: { accountId, contactId, workspaceId, pending: false, ...data },
          update: data,
        });
        await tx.identity.createMany({
          data: [
            {
              id: newId('idn'),
              workspaceId,
              contactId,
              kind: link.identity.kind,
              value: link.identity.value,
              key: link.identity.value,
              valid: true,
              verified: true,
              source: { type: 'crm', accountId, recordId },
            },
          ],
          skipDuplicates: true,
        });
      });
    },

    /** The contact row's record was merged into another in the CRM: the row keeps no link of its own. */
    async unlink(accountId: string, contactId: string): Promise<void> {
      await prisma.crmLink.deleteMany({ where: { accountId, contactId } });
    },

    /** The write of `version` went through: no longer pending, unless a change came in during it. */
    async done(accountId: string, contactId: string, version: number): Promise<void> {
      await prisma.crmLink.updateMany({
        where: { accountId, contactId, version },
        data: { pending: false, attempts: 0, nextAttemptAt: null, error: Prisma.DbNull, syncedAt: new Date() },
      });
    },

    /**
     * A write failed. `retryAt`: tried again then (the change stays pending); null: not retried until the contact
     * changes again, the error shown on the contact meanwhile.
     */
    async failed(
      accountId: string,
      contactId: string,
      version: number,
      error: Omit<CrmLinkError, 'at' | 'retrying'>,
      retryAt: Date | null,
    ): Promise<void> {
      const stored = { ...error, at: new Date().toISOString(), retrying: retryAt !== null };
      await prisma.crmLink.updateMany({
        where: { accountId, contactId },
        data: {
          attempts: { increment: 1 },
          nextAttemptAt: retryAt,
          error: stored as unknown as Prisma.InputJsonObject,
        },
      });
      if (retryAt === null)
        await prisma.crmLink.updateMany({ where: { accountId, contactId, version }, data: { pending: false } });
    },

    /**
     * The messages of these contact rows to log after the link's cursor, oldest first: received ones, and sent ones
     * once the channel took them. A send still under way stops the list there (it is logged when it went out); a
     * failed one is passed over. No cursor yet: from LOG_BACKFILL_MS ago (a new contact's first message, which came
     * before its record existed, is logged; a long history is not).
     */
    async messagesToLog(link: { accountId: string; contactId: string }, rows: string[], limit: number) {
      const row = await prisma.crmLink.findUnique({
        where: { accountId_contactId: link },
        select: { loggedUntil: true, loggedId: true },
      });
      if (!row) return [];
      const after = row.loggedUntil ?? new Date(Date.now() - LOG_BACKFILL_MS);
      const found = await prisma.message.findMany({
        where: {
          contactId: { in: rows },
          OR: [{ createdAt: { gt: after } }, { createdAt: after, id: { gt: row.loggedId ?? '' } }],
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
        select: { id: true, direction: true, channel: true, status: true, text: true, sentAt: true, createdAt: true },
      });
      const out: typeof found = [];
      for (const m of found) {
        if (m.direction === 'out' && m.status === 'pending') break;
        out.push(m);
      }
      return out;
    },

    /** A message was logged (or passed over): the cursor moves past it. */
    async logged(link: { accountId: string; contactId: string }, message: { id: string; createdAt: Date }) {
      await prisma.crmLink.update({
        where: { accountId_contactId: link },
        data: { loggedUntil: message.createdAt, loggedId: message.id },
      });
    },

    /** The catch-up poll's new cursor. */
    async polled(accountId: string, cursor: string): Promise<void> {
      await prisma.crmSync.update({ where: { accountId }, data: { pollCursor: cursor, polledAt: new Date() } });
    },

    /** What stopped a round for the whole account, or null once one goes through. */
    async accountError(accountId: string, error: { code: string; message: string } | null): Promise<void> {
      // Every good round clears it: a write only when there is something to clear.
      if (error === null) {
        await prisma.$executeRaw`
          UPDATE crm_syncs SET error = NULL, updated_at = now() WHERE account_id = ${accountId} AND error IS NOT NULL`;
        return;
      }
      await prisma.crmSync.updateMany({
        where: { accountId },
        data: {
          error: { ...error, at: new Date().toISOString() } as Prisma.InputJsonObject,
          updatedAt: new Date(),
        },
      });
    },

    /**
     * The sync state of these CRM accounts: what stopped the last round for the whole account (bad credentials, a
     * setting the CRM refuses; null while it runs), when the catch-up poll last ran, and how many contacts wait to be
     * written. Accounts without a sync row (not CRM accounts) are left out.
     */
    async accountStates(accountIds: string[]): Promise<Map<string, CrmAccountState>> {
      if (accountIds.length === 0) return new Map();
      const [syncs, pending] = await Promise.all([
        prisma.crmSync.findMany({ where: { accountId: { in: accountIds } } }),
        prisma.crmLink.groupBy({
          by: ['accountId'],
          where: { accountId: { in: accountIds }, pending: true },
          _count: { _all: true },
        }),
      ]);
      const waiting = new Map(pending.map((p) => [p.accountId, p._count._all]));
      return new Map(
        syncs.map((s) => [
          s.accountId,
          {
            error: (s.error as CrmAccountState['error']) ?? null,
            polledAt: s.polledAt?.toISOString() ?? null,
            pending: waiting.get(s.accountId) ?? 0,
          },
        ]),
      );
    },

    /** The CRM links of these contact rows on every account, with each account's connector and name. */
    async linksOf(workspaceId: string, contactIds: string[]) {
      return prisma.crmLink.findMany({
        where: { workspaceId, contactId: { in: contactIds } },
        include: { account: { select: { connector: true, name: true } } },
        orderBy: [{ accountId: 'asc' }, { contactId: 'asc' }],
      });
    },
  };
}

export type CrmSyncStore = ReturnType<typeof createCrmSyncStore>;

/** A CRM account's sync as the Channels screen shows it (CrmSyncStore.accountStates). */
export interface CrmAccountState {
  error: { code: string; message: string; at: string } | null;
  polledAt: string | null;
  pending: number;
}
