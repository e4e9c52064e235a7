// Duplicate suggestions: pairs of contacts that may be one person, which the matching rules would not merge on their
// own (connectors/contacts/README.md): a household's shared identifier, contacts one delivery links whose full names
// differ. The upsert writes them (suggestInTx); a merge of the pair closes them and its undo reopens them
// (contact-merges.ts); a person merges or dismisses them through the API.
import emailSpellChecker from '@zootools/email-spell-checker';
import { Prisma, type PrismaClient } from './client.js';
import { contactView, likeLiteral } from './contacts.js';
import { MergeRefused, mergeInTx } from './contact-merges.js';
import { contactSettingsInTx } from './workspace-settings.js';
import { newId } from './ids.js';
import type { ContactRecord } from '../connectors/sdk/types.js';

type Tx = Prisma.TransactionClient;

export type DuplicateStatus = 'open' | 'merged' | 'dismissed';

export interface DuplicateReason {
  /**
   * shared_identity: both hold a copy of this identifier (kept on both, a household); linked_identity: one delivery
   * carried identifiers of both; names_differ: their full names are different people's. Weaker, never merged by a
   * rule: email_tag: the same mailbox but for a `+tag` on a provider where tags are not documented to be one mailbox
   * (`values`: both emails); email_typo: the same mailbox at a domain and its common misspelling (`gmial.com`);
   * name_and_city: the same full name in the same city (`names`, `value`: the city).
   */
  code: 'shared_identity' | 'linked_identity' | 'names_differ' | WeakReason;
  kind?: string;
  value?: string;
  values?: string[];
  names?: string[];
}

type WeakReason = 'email_tag' | 'email_typo' | 'name_and_city';
/** What each weak reason adds to a score: alone they stay below any pair a delivery linked. */
const WEAK_POINTS: Record<WeakReason, number> = { email_tag: 40, email_typo: 35, name_and_city: 25 };

export interface DuplicateRecord {
  id: string;
  status: DuplicateStatus;
  /** 0–100: how likely one person (linked identifiers score above a shared one, each more identifier adds). */
  score: number;
  reasons: DuplicateReason[];
  /** The older contact first, as each is now (a merged row says where it went). */
  contacts: [ContactRecord, ContactRecord];
  mergeId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Why a suggestion was not resolved; the server answers each with its own status and code. */
export class DuplicateRefused extends Error {
  constructor(readonly reason: 'not_found' | 'not_open' | 'not_in_pair') {
    super(reason);
    this.name = 'DuplicateRefused';
  }
}

/** The score of a pair from its reasons (documented in connectors/contacts/README.md: duplicate suggestions). */
export function duplicateScore(reasons: DuplicateReason[]): number {
  const linked = reasons.filter((r) => r.code === 'linked_identity').length;
  const shared = reasons.filter((r) => r.code === 'shared_identity').length;
  const weak = reasons.flatMap((r) => (r.code in WEAK_POINTS ? [WEAK_POINTS[r.code as WeakReason]] : []));
  if (linked === 0 && shared === 0)
    return Math.min(
      55,
      weak.reduce((a, b) => a + b, 0),
    );
  return Math.min(100, (linked > 0 ? 60 + 10 * (linked - 1) : 30) + 10 * shared + 5 * weak.length);
}

/** An email's mailbox without a `+tag`, and its domain: `ann+shop@acme.io` → [`ann`, `acme.io`]. */
function mailbox(email: string): [string, string] {
  const at = email.lastIndexOf('@');
  return [email.slice(0, at).replace(/\+.*$/, ''), email.slice(at + 1)];
}

/** The domain a misspelt one most likely means (`gmial.com` → `gmail.com`), by @zootools/email-spell-checker. */
const meantDomain = (email: string) => emailSpellChecker.run({ email })?.domain;

/** How many other contacts one weak check looks at (a common mailbox name at many domains stays cheap). */
const WEAK_CANDIDATES = 50;

/**
 * The weak duplicate suggestions (connectors/contacts/README.md: duplicate suggestions) for a contact whose
 * `emails` were just added, or whose name or city just changed (`person`): other contacts with the same mailbox but
 * a `+tag`, or at a misspelling of its domain, and those with the same full name in the same city. `cluster`: the
 * contact's own rows, never suggested.
 */
export async function suggestWeakInTx(
  tx: Tx,
  workspaceId: string,
  contactId: string,
  cluster: string[],
  emails: string[],
  person?: { name: string; city: string },
): Promise<Suggested[]> {
  const found = new Map<string, DuplicateReason[]>();
  const add = (root: string, reason: DuplicateReason) => {
    if (cluster.includes(root)) return;
    found.set(root, [...(found.get(root) ?? []), reason]);
  };
  for (const email of emails) {
    const [box, domain] = mailbox(email);
    if (!box) continue;
    const boxLike = likeLiteral(box);
    const rows = await tx.$queryRaw<{ value: string; root: string }[]>`
      SELECT i.value, COALESCE(c.merged_into_id, c.id) AS root FROM identities i JOIN contacts c ON c.id = i.contact_id
      WHERE i.workspace_id = ${workspaceId} AND i.kind = 'email' AND i.valid AND i.detached_at IS NULL
        AND (i.value LIKE ${boxLike + '@%'} OR i.value LIKE ${boxLike + '+%@%'}) AND i.value <> ${email}
      LIMIT ${WEAK_CANDIDATES}`;
    for (const r of rows) {
      const [theirBox, theirDomain] = mailbox(r.value);
      if (theirBox !== box) continue;
      if (theirDomain === domain) add(r.root, { code: 'email_tag', kind: 'email', values: [email, r.value] });
      else if (meantDomain(email) === theirDomain || meantDomain(r.value) === domain)
        add(r.root, { code: 'email_typo', kind: 'email', values: [email, r.value] });
    }
  }
  if (person) {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM contacts
      WHERE workspace_id = ${workspaceId} AND merged_into_id IS NULL AND name ILIKE ${likeLiteral(person.name)}
        AND lower(btrim(attributes->>'city')) = lower(btrim(${person.city})) AND id <> ALL(${cluster}::text[])
      LIMIT ${WEAK_CANDIDATES}`;
    for (const r of rows) add(r.id, { code: 'name_and_city', names: [person.name], value: person.city });
  }
  const made: Suggested[] = [];
  for (const [root, reasons] of found) {
    const s = await suggestInTx(tx, workspaceId, contactId, root, reasons);
    if (s) made.push(s);
  }
  return made;
}

/** A suggestion an upsert made or saw again while open: what the auto-merge rule looks at. */
export interface Suggested {
  id: string;
  score: number;
  /** The pair, older first. */
  contacts: [string, string];
}

/**
 * Records (or keeps) the suggestion that contacts `x` and `y` are one person (stored older first). A pair seen again
 * stays as it is, only `updatedAt` moves while it is open; a dismissed pair is never reopened by the rules. Returns
 * the open suggestion; null when the pair was dismissed or merged (or a contact is gone).
 */
export async function suggestInTx(
  tx: Tx,
  workspaceId: string,
  x: string,
  y: string,
  reasons: DuplicateReason[],
): Promise<Suggested | null> {
  const rows = await tx.contact.findMany({
    where: { id: { in: [x, y] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true },
  });
  if (rows.length !== 2) return null;
  const [older, newer] = [rows[0]!.id, rows[1]!.id];
  const [row] = await tx.$queryRaw<{ id: string; score: number }[]>`
    INSERT INTO contact_duplicates (id, workspace_id, contact_a, contact_b, reasons, score)
    VALUES (${newId('dup')}, ${workspaceId}, ${older}, ${newer}, ${JSON.stringify(reasons)}::jsonb, ${duplicateScore(reasons)})
    ON CONFLICT (workspace_id, contact_a, contact_b) DO UPDATE SET updated_at = now()
    WHERE contact_duplicates.status = 'open'
    RETURNING id, score`;
  return row ? { id: row.id, score: row.score, contacts: [older, newer] } : null;
}

/**
 * The workspace's auto-merge rule (prisma/workspace-settings.ts `autoMergeScore`) over the suggestions an upsert just
 * made or saw again: each scoring at least the setting is merged at once, the older contact surviving, recorded as
 * `{ type: 'rule', ref: 'auto-merge <suggestion id>' }` (undoable like any merge; its undo reopens the suggestion). A
 * pair a merge of which was undone before is left open: someone separated them, the rule does not overrule them.
 * Runs in the upsert's transaction, which holds its contact's lock; mergeInTx then locks the pair in id order, and
 * a deadlock with another upsert doing the same the other way round is retried by the upsert (P2034).
 * Returns the merges made (survivor, merged root).
 */
export async function autoMergeInTx(
  tx: Tx,
  workspaceId: string,
  suggested: Suggested[],
): Promise<{ survivor: string; merged: string }[]> {
  if (suggested.length === 0) return [];
  const { autoMergeScore } = await contactSettingsInTx(tx, workspaceId);
  if (autoMergeScore === null) return [];
  const done: { survivor: string; merged: string }[] = [];
  for (const s of suggested) {
    if (s.score < autoMergeScore) continue;
    // The pair as it is now (an earlier pair of this upsert may have merged one side): the older root survives.
    const [a, b] = (
      await tx.$queryRaw<{ id: string }[]>`
        SELECT DISTINCT r.id, r.created_at FROM contacts c JOIN contacts r ON r.id = COALESCE(c.merged_into_id, c.id)
        WHERE c.id = ANY(${s.contacts}::text[]) ORDER BY r.created_at, r.id`
    ).map((r) => r.id);
    if (a === undefined || b === undefined) continue;
    const [undone] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM contact_merges WHERE workspace_id = ${workspaceId} AND undone_at IS NOT NULL
        AND ((survivor_id = ${a} AND ${b} = ANY(members)) OR (survivor_id = ${b} AND ${a} = ANY(members)))
      LIMIT 1`;
    if (undone) continue;
    try {
      const { merge } = await mergeInTx(tx, workspaceId, a, b, { type: 'rule', ref: `auto-merge ${s.id}` });
      done.push({ survivor: merge.survivorId, merged: merge.mergedId });
    } catch (err) {
      // One contact already (an earlier pair of this upsert joined them): nothing left to do for this one.
      if (!(err instanceof MergeRefused && err.reason === 'already_merged')) throw err;
    }
  }
  return done;
}

/** A merge of `members` into the cluster of `survivorRows` closes the open suggestions between the two sides. */
export async function closeOnMergeInTx(
  tx: Tx,
  workspaceId: string,
  survivorRows: string[],
  members: string[],
  mergeId: string,
): Promise<void> {
  await tx.$executeRaw`
    UPDATE contact_duplicates SET status = 'merged', merge_id = ${mergeId}, updated_at = now()
    WHERE workspace_id = ${workspaceId} AND status = 'open'
      AND ((contact_a = ANY(${survivorRows}::text[]) AND contact_b = ANY(${members}::text[]))
        OR (contact_a = ANY(${members}::text[]) AND contact_b = ANY(${survivorRows}::text[])))`;
}

/** Undoing a merge reopens what it closed. */
export async function reopenOnUndoInTx(tx: Tx, mergeId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE contact_duplicates SET status = 'open', merge_id = NULL, updated_at = now() WHERE merge_id = ${mergeId}`;
}

type Row = Prisma.ContactDuplicateGetPayload<object>;

async function toRecord(db: Tx | PrismaClient, row: Row): Promise<DuplicateRecord> {
  const [a, b] = await Promise.all([
    contactView(db, row.workspaceId, row.contactA),
    contactView(db, row.workspaceId, row.contactB),
  ]);
  return {
    id: row.id,
    status: row.status as DuplicateStatus,
    score: row.score,
    reasons: row.reasons as unknown as DuplicateReason[],
    contacts: [a!, b!],
    mergeId: row.mergeId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function createContactDuplicateStore(prisma: PrismaClient) {
  return {
    /** A page of suggestions in one status, highest score first, then newest; the cursor is the last id. */
    async list(
      workspaceId: string,
      page: { status: DuplicateStatus; limit: number; cursor?: string },
    ): Promise<{ items: DuplicateRecord[]; nextCursor?: string }> {
      const rows = await prisma.contactDuplicate.findMany({
        where: { workspaceId, status: page.status },
        orderBy: [{ score: 'desc' }, { createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit + 1,
        ...(page.cursor && { cursor: { id: page.cursor }, skip: 1 }),
      });
      const items = await Promise.all(rows.slice(0, page.limit).map((r) => toRecord(prisma, r)));
      const last = items.at(-1);
      return { items, ...(rows.length > page.limit && last && { nextCursor: last.id }) };
    },

    /** The pair's contacts, survivor first (`survivorId`, one of the two; the older by default). Open ones only. */
    async pair(workspaceId: string, id: string, survivorId?: string): Promise<[string, string]> {
      const row = await prisma.contactDuplicate.findFirst({ where: { id, workspaceId } });
      if (!row) throw new DuplicateRefused('not_found');
      if (row.status !== 'open') throw new DuplicateRefused('not_open');
      if (survivorId === undefined || survivorId === row.contactA) return [row.contactA, row.contactB];
      if (survivorId === row.contactB) return [row.contactB, row.contactA];
      throw new DuplicateRefused('not_in_pair');
    },

    /** Not the same person: the pair is closed, and the rules never suggest it again. */
    async dismiss(workspaceId: string, id: string): Promise<DuplicateRecord> {
      return prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ status: string }[]>`
          SELECT status FROM contact_duplicates WHERE id = ${id} AND workspace_id = ${workspaceId} FOR UPDATE`;
        if (!row) throw new DuplicateRefused('not_found');
        if (row.status !== 'open') throw new DuplicateRefused('not_open');
        const updated = await tx.contactDuplicate.update({
          where: { id },
          data: { status: 'dismissed', updatedAt: new Date() },
        });
        return toRecord(tx, updated);
      });
    },
  };
}
