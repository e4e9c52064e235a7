// The contact store behind the built-in CRM (ContactsService) and the server's contacts API.
// One contact per person: a valid identity's match key (kind+key) is unique per workspace, so the database, not the
// code, decides who wins when two runs see the same new email at once; the loser retries and finds the winner's
// contact. Keys come from the matching rules (connectors/contacts/identity.ts), applied by the callers: the store only
// compares them. Invalid identities are kept on the contact, flagged, and never looked up.
import type { JsonObject } from '../connectors/flow/types.js';
import type {
  ContactIdentity,
  ContactIdentityInput,
  ContactRecord,
  ContactsService,
  ContactUpsertInput,
  ContactUpsertResult,
  IdentitySource,
  ResolvedIdentity,
} from '../connectors/sdk/types.js';
import { Prisma, type PrismaClient } from './client.js';
import { MergeRefused, mergeInTx } from './contact-merges.js';
import { newId } from './ids.js';

type Tx = Prisma.TransactionClient;

const MAX_ATTEMPTS = 3;
// P2002: unique violation (a concurrent upsert created the identity first); P2034: write conflict or deadlock.
const RETRYABLE_CODES = new Set(['P2002', 'P2034']);

export const withIdentities = {
  identities: { orderBy: [{ createdAt: 'asc' }, { kind: 'asc' }, { value: 'asc' }] },
} satisfies Prisma.ContactInclude;
type ContactRow = Prisma.ContactGetPayload<{ include: typeof withIdentities }>;

/** One row as it is (a merged row says where it went); a root's merged view is `clusterRecords`. */
export function toRecord(row: ContactRow): ContactRecord {
  return {
    id: row.id,
    name: row.name,
    attributes: (row.attributes ?? {}) as JsonObject,
    identities: row.identities.map(toIdentity),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(row.mergedIntoId && { mergedInto: row.mergedIntoId }),
  };
}

const byAdded = (a: IdentityRow, b: IdentityRow) =>
  a.createdAt.getTime() - b.createdAt.getTime() || a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value);

/**
 * The merged view of roots: the identities of every row of the cluster, the members' attributes (oldest first)
 * overlaid by the root's, the root's name else the oldest member's, and the members. Two queries for any number of
 * roots (lists).
 */
export async function clusterRecords(db: Tx | PrismaClient, workspaceId: string, roots: ContactRow[]) {
  const ids = roots.map((r) => r.id);
  const members =
    ids.length === 0
      ? []
      : await db.contact.findMany({
          where: { workspaceId, mergedIntoId: { in: ids } },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          include: withIdentities,
        });
  if (members.length === 0) return roots.map(toRecord);
  // The live merge that moved each member last (a member moved twice, with its first cluster, names the later one).
  const merges = await db.$queryRaw<{ member: string; id: string }[]>`
    SELECT DISTINCT ON (m) m AS member, id FROM contact_merges, unnest(members) AS m
    WHERE workspace_id = ${workspaceId} AND undone_at IS NULL AND m = ANY(${members.map((m) => m.id)}::text[])
    ORDER BY m, created_at DESC`;
  const mergeOf = new Map(merges.map((m) => [m.member, m.id]));
  return roots.map((root) => {
    const own = members.filter((m) => m.mergedIntoId === root.id);
    if (own.length === 0) return toRecord(root);
    const attributes = Object.assign(
      {},
      ...own.map((m) => (m.attributes ?? {}) as JsonObject),
      (root.attributes ?? {}) as JsonObject,
    ) as JsonObject;
    return {
      ...toRecord(root),
      name: root.name ?? own.find((m) => m.name !== null)?.name ?? null,
      attributes,
      identities: [...root.identities, ...own.flatMap((m) => m.identities)].sort(byAdded).map(toIdentity),
      members: own.map((m) => ({
        id: m.id,
        name: m.name,
        mergeId: mergeOf.get(m.id) ?? null,
        mergedAt: m.mergedAt?.toISOString() ?? null,
      })),
    } satisfies ContactRecord;
  });
}

/** A contact as the API shows it: a root's merged view, or a merged row as it is with `mergedInto`. */
export async function contactView(db: Tx | PrismaClient, workspaceId: string, id: string) {
  const row = await db.contact.findFirst({ where: { id, workspaceId }, include: withIdentities });
  if (!row) return null;
  if (row.mergedIntoId) return toRecord(row);
  const [record] = await clusterRecords(db, workspaceId, [row]);
  return record!;
}

/** The ids of a root's cluster: itself and the rows merged into it. */
export async function clusterIds(db: Tx | PrismaClient, rootId: string): Promise<string[]> {
  const rows = await db.contact.findMany({ where: { mergedIntoId: rootId }, select: { id: true } });
  return [rootId, ...rows.map((r) => r.id)];
}

type IdentityRow = ContactRow['identities'][number];

const toIdentity = (i: IdentityRow): ContactIdentity => ({
  kind: i.kind,
  value: i.value,
  valid: i.valid,
  verified: i.verified,
  source: i.source as IdentitySource,
  addedAt: i.createdAt.toISOString(),
});

export function createContactsService(prisma: PrismaClient): ContactsService {
  return {
    async upsert(workspaceId, input) {
      if (!input.identities.some((i) => i.valid)) throw new Error('contacts.upsert needs at least one valid identity');
      for (let attempt = 1; ; attempt++) {
        try {
          return await prisma.$transaction((tx) => upsertInTx(tx, workspaceId, input), {
            maxWait: 10_000,
            timeout: 15_000,
          });
        } catch (err) {
          const code = err instanceof Prisma.PrismaClientKnownRequestError ? err.code : undefined;
          if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE_CODES.has(code)) throw err;
        }
      }
    },
  };
}

async function upsertInTx(tx: Tx, workspaceId: string, input: ContactUpsertInput): Promise<ContactUpsertResult> {
  // A canonical order, so two transactions inserting the same identities lock them in the same order (no deadlock).
  const given = dedupe(input.identities).sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key) || a.value.localeCompare(b.value),
  );
  const wanted = given.filter((i) => i.valid);
  const flagged = given.filter((i) => !i.valid);
  // Only valid identities match: an invalid phone of one person must never pull in another's record.
  const owned = await tx.identity.findMany({
    where: { workspaceId, valid: true, OR: wanted.map(({ kind, key }) => ({ kind, key })) },
    select: { id: true, kind: true, key: true, verified: true, contactId: true },
  });
  const source = (input.source ?? { type: 'api' }) as Prisma.InputJsonObject;
  const row = (contactId: string | undefined, i: ResolvedIdentity) => ({
    id: newId('idn'),
    workspaceId,
    ...(contactId && { contactId }),
    kind: i.kind,
    value: i.value,
    key: i.key,
    valid: i.valid,
    verified: i.verified,
    source,
  });

  if (owned.length === 0) {
    const created = await tx.contact.create({
      data: {
        id: newId('ct'),
        workspaceId,
        name: input.name ?? null,
        attributes: input.attributes ?? {},
        identities: { create: given.map((i) => row(undefined, i)) },
      },
      include: withIdentities,
    });
    return { contact: toRecord(created), created: true };
  }

  // An identity's owner stands for its root (a merged row for the contact it was merged into). Several roots: those
  // this input vouches for by a shared delivery are merged (sharedDeliveryMerges); of the rest, the oldest is used,
  // only unowned identities are attached to it, and the others are reported as conflicts.
  const ownerIds = [...new Set(owned.map((o) => o.contactId))];
  const owners = await tx.contact.findMany({
    where: { id: { in: ownerIds } },
    select: { mergedIntoId: true, id: true },
  });
  const rootOf = new Map(owners.map((o) => [o.id, o.mergedIntoId ?? o.id]));
  let roots = await tx.contact.findMany({
    where: { id: { in: [...new Set(rootOf.values())] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true },
  });
  const merged: string[] = [];
  const joined: string[] = [];
  const [survivor, ...others] = sharedDeliveryRoots(input, wanted, owned, rootOf, roots);
  for (const other of others) {
    try {
      await mergeInTx(tx, workspaceId, survivor!, other, {
        type: 'rule',
        ref: `shared-delivery ${sourceText(source as IdentitySource)}`,
      });
      merged.push(other);
    } catch (err) {
      // Merged with the survivor by someone else since the read: nothing left to do for this one.
      if (!(err instanceof MergeRefused && err.reason === 'already_merged')) throw err;
    }
    joined.push(other);
  }
  if (joined.length > 0) roots = roots.filter((r) => !joined.includes(r.id));
  let contactId = roots[0]!.id;

  // Lock the root so concurrent attribute merges serialize instead of losing each other's keys (a merge locks it too).
  const lock = (id: string) =>
    tx.$queryRaw<{ name: string | null; attributes: JsonObject | null; merged_into_id: string | null }[]>`
      SELECT name, attributes, merged_into_id FROM contacts WHERE id = ${id} FOR UPDATE`;
  let [current] = await lock(contactId);
  // Merged between the read and the lock: its new root (flat, so one step).
  if (current?.merged_into_id) {
    contactId = current.merged_into_id;
    [current] = await lock(contactId);
  }
  const conflicts = roots.map((r) => r.id).filter((id) => id !== contactId && id !== roots[0]!.id);
  const cluster = await clusterIds(tx, contactId);
  const stored = current?.attributes ?? {};
  const missing = wanted.filter((w) => !owned.some((o) => o.kind === w.kind && o.key === w.key));
  // An invalid identity is attached once per contact and written value (it has no unique key to lean on).
  const keptInvalid =
    flagged.length === 0
      ? []
      : await tx.identity.findMany({
          where: { contactId: { in: cluster }, valid: false, OR: flagged.map(({ kind, value }) => ({ kind, value })) },
          select: { kind: true, value: true },
        });
  const missingInvalid = flagged.filter((f) => !keptInvalid.some((k) => k.kind === f.kind && k.value === f.value));
  const added = [...missing, ...missingInvalid];
  if (added.length > 0) await tx.identity.createMany({ data: added.map((i) => row(contactId, i) as never) });
  // A provider now vouches for an identity someone typed before (a web chat email, then a delivery from it).
  const upgrade = owned.filter(
    (o) =>
      cluster.includes(o.contactId) &&
      !o.verified &&
      wanted.some((w) => w.verified && w.kind === o.kind && w.key === o.key),
  );
  if (upgrade.length > 0)
    await tx.identity.updateMany({ where: { id: { in: upgrade.map((o) => o.id) } }, data: { verified: true } });

  // Write only what changes, so repeating an upsert (a retried step) touches nothing.
  const data: Prisma.ContactUpdateInput = {};
  if (input.name != null && input.name !== current?.name) data.name = input.name;
  const attributes = input.attributes ?? {};
  if (Object.entries(attributes).some(([k, v]) => JSON.stringify(stored[k]) !== JSON.stringify(v)))
    data.attributes = { ...stored, ...attributes };
  // Touch updatedAt when anything changed, identities included.
  const changed = Object.keys(data).length > 0 || added.length > 0 || upgrade.length > 0;
  const result = changed
    ? await tx.contact.update({
        where: { id: contactId },
        data: { ...data, updatedAt: new Date() },
        include: withIdentities,
      })
    : await tx.contact.findUniqueOrThrow({ where: { id: contactId }, include: withIdentities });
  const [contact] = await clusterRecords(tx, workspaceId, [result]);
  return {
    contact: contact!,
    created: false,
    ...(conflicts.length > 0 && { conflicts }),
    ...(merged.length > 0 && { merged }),
  };
}

/** A name's words, case- and accent-folded (`María  García` → maria, garcia). */
const nameWords = (name: string) =>
  name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/**
 * Names that can be one person's: either unknown, or the words of one are all among the other's (`María` and `Maria
 * García`). `Ana García` and `Luis García` are not: two people of one household.
 */
export function compatibleNames(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a?.trim() || !b?.trim()) return true;
  const [x, y] = [new Set(nameWords(a)), new Set(nameWords(b))];
  const within = (p: Set<string>, q: Set<string>) => [...p].every((w) => q.has(w));
  return within(x, y) || within(y, x);
}

/**
 * The merge on a shared delivery (README: matching rules): the roots owning a verified identity that this input
 * carries verified too — one delivery from a provider vouching for identities already on two contacts, like a
 * Telegram user sharing their own phone, or a WhatsApp id and the phone behind it — when every known name among them
 * and the input's is compatible (compatibleNames). The oldest comes first (the survivor); fewer than two: none. A
 * typed email (unverified) or a household's shared number (names that differ) never merges; it stays a conflict.
 */
function sharedDeliveryRoots(
  input: ContactUpsertInput,
  wanted: ResolvedIdentity[],
  owned: { kind: string; key: string; verified: boolean; contactId: string }[],
  rootOf: Map<string, string>,
  roots: { id: string; name: string | null }[],
): string[] {
  const vouched = new Set(
    owned
      .filter((o) => o.verified && wanted.some((w) => w.verified && w.kind === o.kind && w.key === o.key))
      .map((o) => rootOf.get(o.contactId)!),
  );
  const candidates = roots.filter((r) => vouched.has(r.id));
  if (candidates.length < 2) return [];
  const names = [input.name, ...candidates.map((r) => r.name)];
  const compatible = names.every((a, i) => names.slice(i + 1).every((b) => compatibleNames(a, b)));
  return compatible ? candidates.map((r) => r.id) : [];
}

/** One per match key (valid) or written value (invalid); verified when any copy is. */
function dedupe(identities: ResolvedIdentity[]): ResolvedIdentity[] {
  const seen = new Map<string, ResolvedIdentity>();
  for (const i of identities) {
    const id = `${i.kind}\u0000${i.valid ? `k:${i.key}` : `v:${i.value}`}`;
    const prev = seen.get(id);
    seen.set(id, prev ? { ...prev, verified: prev.verified || i.verified } : { ...i });
  }
  return [...seen.values()];
}

/** A root's merged view, or a merged row as it is with `mergedInto`. */
export async function getContact(prisma: PrismaClient, workspaceId: string, id: string): Promise<ContactRecord | null> {
  return contactView(prisma, workspaceId, id);
}

/**
 * The contact owning a valid identity, as its root's merged view; `key` is its match key (checkIdentity of
 * connectors/contacts/identity.ts).
 */
export async function findContactByIdentity(
  prisma: PrismaClient,
  workspaceId: string,
  kind: string,
  key: string,
): Promise<ContactRecord | null> {
  const identity = await prisma.identity.findFirst({
    where: { workspaceId, kind, key, valid: true },
    select: { contact: { select: { id: true, mergedIntoId: true } } },
  });
  if (!identity) return null;
  return contactView(prisma, workspaceId, identity.contact.mergedIntoId ?? identity.contact.id);
}

/** A page of the workspace's contacts (roots, merged views), newest first; the cursor is the last id of the previous page. */
export async function listContacts(
  prisma: PrismaClient,
  workspaceId: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: ContactRecord[]; nextCursor?: string }> {
  const rows = await prisma.contact.findMany({
    where: { workspaceId, mergedIntoId: null },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
    ...(page.cursor && { cursor: { id: page.cursor }, skip: 1 }),
    include: withIdentities,
  });
  const items = await clusterRecords(prisma, workspaceId, rows.slice(0, page.limit));
  const last = items.at(-1);
  return { items, ...(rows.length > page.limit && last && { nextCursor: last.id }) };
}

/** `text` for a LIKE pattern, matched literally: `%`, `_` and the escape character itself escaped (PostgreSQL's `\`). */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Contacts whose name or any identity's value contains `text`, case-insensitively (ILIKE), newest first, paged like
 * listContacts (roots, merged views). A scan bounded by `limit`; the identity lookup (findContactByIdentity) is the indexed path.
 */
export async function searchContacts(
  prisma: PrismaClient,
  workspaceId: string,
  text: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: ContactRecord[]; nextCursor?: string }> {
  const contains = { contains: likeLiteral(text), mode: 'insensitive' } as const;
  const matches = { OR: [{ name: contains }, { identities: { some: { value: contains } } }] };
  // Roots only, found by their own record or any contact merged into them (the merged view shows them all).
  const rows = await prisma.contact.findMany({
    where: { workspaceId, mergedIntoId: null, OR: [matches, { members: { some: matches } }] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
    ...(page.cursor && { cursor: { id: page.cursor }, skip: 1 }),
    include: withIdentities,
  });
  const items = await clusterRecords(prisma, workspaceId, rows.slice(0, page.limit));
  const last = items.at(-1);
  return { items, ...(rows.length > page.limit && last && { nextCursor: last.id }) };
}

/** An identity's provenance in the timeline's text form (`run:<runId>:<nodeId>`, `channel:<account>:<message>`, ...). */
export function sourceText(s: IdentitySource): string {
  switch (s.type) {
    case 'run':
      return `run:${s.runId}:${s.nodeId}`;
    case 'message':
      return `channel:${s.accountId}:${s.providerMessageId}`;
    case 'crm':
      return `crm:${s.accountId}:${s.recordId}`;
    default:
      return s.ref ? `${s.type}:${s.ref}` : s.type;
  }
}

/** Messages shown in a contact's timeline (the newest). */
const TIMELINE_MESSAGES = 100;

export interface TimelineEvent {
  type: 'contact.created' | 'identity.added' | 'message.received' | 'message.sent';
  at: string;
  identity?: ContactIdentityInput;
  /** Messages: which one, on which channel and account, its text and (sent ones) delivery status. */
  message?: { id: string; channel: string; accountId: string; text: string | null; status: string };
  /** Where it came from, e.g. `run:<runId>:<nodeId>`; runId and nodeId are split out when it was a run. */
  source?: string;
  runId?: string;
  nodeId?: string;
}

/**
 * The contact's history, newest first, from what the store records with provenance: when the record was created and
 * when, and by which run step, each identity was attached, and the latest messages in and out on every channel.
 * Null when the contact is not in the workspace.
 */
export async function contactTimeline(
  prisma: PrismaClient,
  workspaceId: string,
  id: string,
): Promise<TimelineEvent[] | null> {
  const row = await prisma.contact.findFirst({ where: { id, workspaceId }, include: withIdentities });
  if (!row) return null;
  // A root's history is its cluster's (every row's identities and messages); a merged row's is its own.
  const ids = row.mergedIntoId ? [id] : await clusterIds(prisma, id);
  const identities =
    ids.length === 1
      ? row.identities
      : (await prisma.contact.findMany({ where: { id: { in: ids } }, include: withIdentities }))
          .flatMap((c) => c.identities)
          .sort(byAdded);
  const fromSource = (source: string | null) => {
    const m = source ? /^run:([^:]+):(.+)$/.exec(source) : null;
    return { ...(source && { source }), ...(m && { runId: m[1], nodeId: m[2] }) };
  };
  const events: TimelineEvent[] = identities.map((i) => ({
    type: 'identity.added',
    at: i.createdAt.toISOString(),
    identity: { kind: i.kind, value: i.value },
    ...fromSource(sourceText(i.source as IdentitySource)),
  }));
  // The identities a contact was created with share its creation, so "created" carries the first one's provenance.
  const first = row.identities[0];
  events.push({
    type: 'contact.created',
    at: row.createdAt.toISOString(),
    ...fromSource(first ? sourceText(first.source as IdentitySource) : null),
  });
  // The conversation, on every channel: the latest messages (the full history is GET /api/conversations/:id/messages).
  const messages = await prisma.message.findMany({
    where: { workspaceId, contactId: { in: ids } },
    orderBy: [{ sentAt: 'desc' }, { id: 'desc' }],
    take: TIMELINE_MESSAGES,
    select: {
      id: true,
      direction: true,
      channel: true,
      accountId: true,
      text: true,
      status: true,
      sentAt: true,
      source: true,
    },
  });
  for (const m of messages) {
    events.push({
      type: m.direction === 'in' ? 'message.received' : 'message.sent',
      at: m.sentAt.toISOString(),
      message: { id: m.id, channel: m.channel, accountId: m.accountId, text: m.text, status: m.status },
      ...fromSource(m.source),
    });
  }
  const rank = (e: TimelineEvent) => (e.type === 'contact.created' ? 0 : e.type === 'identity.added' ? 1 : 2);
  return events.sort((a, b) => (a.at === b.at ? rank(b) - rank(a) : a.at < b.at ? 1 : -1));
}
