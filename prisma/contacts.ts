// The contact store behind the built-in CRM (ContactsService) and the server's contacts API.
// One contact per person: a valid identity's match key (kind+key) is unique per workspace, so the database, not the
// code, decides who wins when two runs see the same new email at once; the loser retries and finds the winner's
// contact. Keys come from the matching rules (connectors/contacts/identity.ts), applied by the callers: the store only
// compares them. Invalid identities are kept on the contact, flagged, and never looked up.
import type { JsonObject } from '../connectors/flow/types.js';
import type {
  ContactIdentity,
  ContactRecord,
  ContactsService,
  ContactUpsertInput,
  ContactUpsertResult,
  IdentitySource,
  ResolvedIdentity,
} from '../connectors/sdk/types.js';
import { isTransientTxError, Prisma, retryTransient, type PrismaClient } from './client.js';
import {
  autoMergeInTx,
  suggestInTx,
  suggestWeakInTx,
  type DuplicateReason,
  type Suggested,
} from './contact-duplicates.js';
import { checkExact, checkLenient, definitionsInTx, type AttributeFilter } from './contact-attributes.js';
import { contactSettingsInTx } from './workspace-settings.js';
import { ConnectorError } from '../connectors/sdk/errors.js';
import { MergeRefused, mergeInTx, type MergeActor } from './contact-merges.js';
import { recordContactEventsInTx, type ContactEventInput, type EventCause } from './contact-events.js';
import { refileSharedLineInTx } from './contact-shared-lines.js';
import { markCrmPendingInTx } from './crm-sync.js';
import { MAX_TAG_LENGTH, MAX_TAGS } from './contact-limits.js';
import { newId } from './ids.js';

type Tx = Prisma.TransactionClient;

const MAX_ATTEMPTS = 3;

/** A contact's attached identities (a detached one is history: the timeline shows it, nothing else does). */
export const withIdentities = {
  identities: { where: { detachedAt: null }, orderBy: [{ createdAt: 'asc' }, { kind: 'asc' }, { value: 'asc' }] },
} satisfies Prisma.ContactInclude;
export type ContactRow = Prisma.ContactGetPayload<{ include: typeof withIdentities }>;

/** One row as it is (a merged row says where it went); a root's merged view is `clusterRecords`. */
export function toRecord(row: ContactRow): ContactRecord {
  return {
    id: row.id,
    name: row.name,
    attributes: (row.attributes ?? {}) as JsonObject,
    tags: row.tags ?? [],
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
  return roots.map((root) =>
    clusterView(
      root,
      members.filter((m) => m.mergedIntoId === root.id),
      mergeOf,
    ),
  );
}

/** The order of a cluster's members: oldest first (clusterRecords reads them so; a merge preview sorts by it). */
export const byCreated = (a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The one definition of a merged view (pure): `root` over its members `own` (oldest first, byCreated), the members'
 * attributes overlaid by the root's, the root's name else the oldest member's, the tags of all once each (the root's
 * first), every identity once. `mergeOf`: the merge that moved each member. clusterRecords shows a cluster with it;
 * the merge preview (contact-merges.ts) shows the cluster a merge would make.
 */
export function clusterView(root: ContactRow, own: ContactRow[], mergeOf: ReadonlyMap<string, string>): ContactRecord {
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
    tags: unionTags([root.tags, ...own.map((m) => m.tags)]),
    identities: onceEach([...root.identities, ...own.flatMap((m) => m.identities)].sort(byAdded)).map(toIdentity),
    members: own.map((m) => ({
      id: m.id,
      name: m.name,
      mergeId: mergeOf.get(m.id) ?? null,
      mergedAt: m.mergedAt?.toISOString() ?? null,
    })),
  } satisfies ContactRecord;
}

/** A tag that normalizeTags refuses: `index` in the given list, `problem` in words. */
export class TagRefused extends Error {
  constructor(
    readonly index: number,
    readonly problem: string,
  ) {
    super(`tag ${index}: ${problem}`);
    this.name = 'TagRefused';
  }
}

/** One tag as stored and matched: trimmed and lower case (`  VIP ` is `vip`). Throws TagRefused (index 0). */
export function normalizeTag(tag: string): string {
  return normalizeTags([tag])[0]!;
}

/**
 * Tags as stored: each trimmed and lower-cased, the first of case-insensitive duplicates kept, in the given order.
 * Throws TagRefused for a blank tag, one over MAX_TAG_LENGTH, or more than MAX_TAGS.
 */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  tags.forEach((raw, index) => {
    const tag = raw.trim().toLowerCase();
    if (tag === '') throw new TagRefused(index, 'a tag cannot be blank');
    if ([...tag].length > MAX_TAG_LENGTH) throw new TagRefused(index, `at most ${MAX_TAG_LENGTH} characters`);
    if (!out.includes(tag)) out.push(tag);
  });
  if (out.length > MAX_TAGS) throw new TagRefused(MAX_TAGS, `at most ${MAX_TAGS} tags`);
  return out;
}

/** The tags of several rows once each, in order (a root's first). */
const unionTags = (lists: (string[] | null)[]) => [...new Set(lists.flatMap((l) => l ?? []))];

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

/** A valid identity once (the first): two copies of a shared identifier meet when their two people are merged. */
const onceEach = (rows: IdentityRow[]) =>
  rows.filter((r, i) => !r.valid || rows.findIndex((o) => o.valid && o.kind === r.kind && o.key === r.key) === i);

const toIdentity = (i: IdentityRow): ContactIdentity => ({
  id: i.id,
  kind: i.kind,
  value: i.value,
  valid: i.valid,
  verified: i.verified,
  ...(i.shared && { shared: true as const }),
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
          // A unique violation: a concurrent upsert created the identity first (found on the next attempt).
          if (attempt >= MAX_ATTEMPTS || !isTransientTxError(err, { uniqueViolation: true })) throw err;
        }
      }
    },

    async merge(workspaceId, { survivorId, mergedId, source }) {
      const by: MergeActor =
        source.type === 'run'
          ? { type: 'run', ref: `${source.runId}:${source.nodeId}`, ...(source.flowId && { flowId: source.flowId }) }
          : {
              type: source.type === 'person' ? 'person' : 'api',
              ...('ref' in source && source.ref && { ref: source.ref }),
            };
      try {
        return await prisma.$transaction(
          async (tx) => {
            const { merge, survivor } = await mergeInTx(tx, workspaceId, survivorId, mergedId, by);
            return {
              mergeId: merge.id,
              alreadyMerged: false,
              contact: (await contactView(tx, workspaceId, survivor))!,
            };
          },
          { maxWait: 10_000, timeout: 15_000 },
        );
      } catch (err) {
        if (!(err instanceof MergeRefused)) throw err;
        if (err.reason === 'already_merged') {
          const row = await prisma.contact.findFirst({
            where: { id: survivorId, workspaceId },
            select: { mergedIntoId: true },
          });
          const contact = await contactView(prisma, workspaceId, row?.mergedIntoId ?? survivorId);
          return { mergeId: null, alreadyMerged: true, contact: contact! };
        }
        if (err.reason === 'merge_self')
          throw new ConnectorError('validation', 'a contact cannot be merged with itself', { code: 'merge_self' });
        throw new ConnectorError(
          'not_found',
          `contact ${survivorId} or ${mergedId} is not a contact of this workspace`,
        );
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
  // A defined attribute's value that does not fit its type is left out and reported; the rest is written (a machine's
  // write, read leniently: prisma/contact-attributes.ts).
  const checked =
    input.attributes && Object.keys(input.attributes).length > 0
      ? checkLenient(await definitionsInTx(tx, workspaceId), input.attributes)
      : { attributes: input.attributes ?? {}, rejected: [] };
  const attributesIn = checked.attributes;
  const rejected = checked.rejected.length > 0 ? { rejectedAttributes: checked.rejected } : {};
  // Only valid identities match: an invalid phone of one person must never pull in another's record.
  const owned = await tx.identity.findMany({
    where: { workspaceId, valid: true, detachedAt: null, OR: wanted.map(({ kind, key }) => ({ kind, key })) },
    select: { id: true, kind: true, key: true, verified: true, shared: true, contactId: true },
  });
  const source = (input.source ?? { type: 'api' }) as Prisma.InputJsonObject;
  const cause = (input.source ?? { type: 'api' }) as EventCause;
  const row = (contactId: string | undefined, i: ResolvedIdentity, shared = false) => ({
    id: newId('idn'),
    workspaceId,
    ...(contactId && { contactId }),
    kind: i.kind,
    value: i.value,
    key: i.key,
    valid: i.valid,
    verified: i.verified,
    shared,
    source,
  });

  if (owned.length === 0) {
    const created = await tx.contact.create({
      data: {
        id: newId('ct'),
        workspaceId,
        name: input.name ?? null,
        attributes: attributesIn,
        identities: { create: given.map((i) => row(undefined, i)) },
      },
      include: withIdentities,
    });
    await markCrmPendingInTx(tx, workspaceId, [created.id]);
    await recordContactEventsInTx(tx, workspaceId, [{ type: 'contact.created', contactId: created.id }], cause);
    const weak = await suggestWeakInTx(
      tx,
      workspaceId,
      created.id,
      [created.id],
      validEmails(wanted),
      nameAndCity(created),
    );
    const auto = await autoMergeInTx(tx, workspaceId, weak);
    if (auto.length === 0) return { contact: toRecord(created), created: true, ...rejected };
    return { ...(await afterAutoMerge(tx, workspaceId, created.id, auto)), created: true, ...rejected };
  }

  // An identity's owner stands for its root (a merged row for the contact it was merged into). Which root is this
  // input's person (README: matching rules, households): of the roots whose name fits the input's, those it links to
  // by an identity only they hold are one person (merged into the oldest, or the oldest kept and the rest reported as
  // conflicts when their own names differ); else the oldest holding a shared copy (for a nameless input that could
  // be several people: the identifier's own nameless contact); else nobody: a new contact, which gets its own copy of
  // the identifiers the others hold (the household's phone, kept on both).
  const ownerIds = [...new Set(owned.map((o) => o.contactId))];
  const owners = await tx.contact.findMany({
    where: { id: { in: ownerIds } },
    select: { mergedIntoId: true, id: true },
  });
  const rootOf = new Map(owners.map((o) => [o.id, o.mergedIntoId ?? o.id]));
  const roots = await tx.contact.findMany({
    where: { id: { in: [...new Set(rootOf.values())] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true },
  });
  const nameOfRoot = (row: string) => roots.find((r) => r.id === rootOf.get(row))?.name ?? null;
  // A root is another person only through identifiers people share (an email, a phone), never an account of one
  // person (a Telegram user renaming themselves is still them).
  const viaShareable = (r: { id: string }) =>
    owned.every((o) => rootOf.get(o.contactId) !== r.id || SHAREABLE_KINDS.has(o.kind));
  // A nameless contact reached only through shared copies (a household phone's own contact, below) is nobody's name.
  const lineOnly = (r: { id: string; name: string | null }) =>
    r.name === null && owned.every((o) => rootOf.get(o.contactId) !== r.id || o.shared);
  const fits = roots.filter(
    (r) => !(viaShareable(r) && differentPeople(input.name, r.name)) && !(input.name && lineOnly(r)),
  );
  const linked = fits.filter((r) => owned.some((o) => !o.shared && rootOf.get(o.contactId) === r.id));
  const merged: string[] = [];
  let conflicts: string[] = [];
  let contactId = (linked[0] ?? fits[0])?.id;
  // A delivery that says nothing of who wrote it (no name: an SMS) and reaches people only through an identifier that
  // differently named people share (a household's phone) could be either of them: it is filed on the identifier's
  // own nameless contact (created with a shared copy the first time), never on one person's history. A person can
  // merge it into the right one.
  const either =
    !input.name &&
    linked.length === 0 &&
    fits.some((a, i) => fits.slice(i + 1).some((b) => differentPeople(a.name, b.name)));
  if (either) contactId = fits.find((r) => r.name === null)?.id;
  // The shared-delivery rule, unless the workspace turned it off (then the pair is a suggestion, reported a conflict).
  if (
    linked.length > 1 &&
    linked.every((a, i) => linked.slice(i + 1).every((b) => !differentPeople(a.name, b.name))) &&
    (await contactSettingsInTx(tx, workspaceId)).mergeOnSharedDelivery
  ) {
    for (const other of linked.slice(1)) {
      try {
        await mergeInTx(tx, workspaceId, contactId!, other.id, {
          type: 'rule',
          ref: `shared-delivery ${sourceText(source as IdentitySource)}`,
        });
        merged.push(other.id);
      } catch (err) {
        // Merged with the survivor by someone else since the read: nothing left to do for this one.
        if (!(err instanceof MergeRefused && err.reason === 'already_merged')) throw err;
      }
    }
  } else conflicts = linked.slice(1).map((r) => r.id);

  // Lock the root so concurrent attribute merges serialize instead of losing each other's keys (a merge locks it too).
  const lock = (id: string) =>
    tx.$queryRaw<{ name: string | null; attributes: JsonObject | null; merged_into_id: string | null }[]>`
      SELECT name, attributes, merged_into_id FROM contacts WHERE id = ${id} FOR NO KEY UPDATE`;
  let current: { name: string | null; attributes: JsonObject | null; merged_into_id: string | null } | undefined;
  const created = contactId === undefined;
  if (contactId === undefined) {
    contactId = newId('ct');
    await tx.contact.create({
      data: { id: contactId, workspaceId, name: input.name ?? null, attributes: attributesIn },
    });
  } else {
    [current] = await lock(contactId);
    // Merged between the read and the lock: its new root (flat, so one step).
    if (current?.merged_into_id) {
      contactId = current.merged_into_id;
      [current] = await lock(contactId);
    }
  }
  const cluster = created ? [contactId] : await clusterIds(tx, contactId);
  const stored = current?.attributes ?? {};
  const elsewhere = (w: ResolvedIdentity) =>
    owned.filter((o) => o.kind === w.kind && o.key === w.key && !cluster.includes(o.contactId));
  const missing = wanted.filter(
    (w) => !owned.some((o) => o.kind === w.kind && o.key === w.key && cluster.includes(o.contactId)),
  );
  // An identifier another person holds (one left as a conflict aside) is shared: this contact gets its own copy and
  // every other copy is flagged shared; one nobody holds is this contact's alone.
  const fresh = missing.filter((w) => elsewhere(w).length === 0);
  const toShare = missing.filter(
    (w) => elsewhere(w).length > 0 && !elsewhere(w).some((o) => conflicts.includes(rootOf.get(o.contactId)!)),
  );
  const sharedWith = [...new Set(toShare.flatMap((w) => elsewhere(w).map((o) => rootOf.get(o.contactId)!)))];
  const unshared = toShare.flatMap((w) =>
    elsewhere(w)
      .filter((o) => !o.shared)
      .map((o) => o.id),
  );
  if (unshared.length > 0) await tx.identity.updateMany({ where: { id: { in: unshared } }, data: { shared: true } });
  // An invalid identity is attached once per contact and written value (it has no unique key to lean on).
  const keptInvalid =
    flagged.length === 0 || created
      ? []
      : await tx.identity.findMany({
          where: {
            contactId: { in: cluster },
            valid: false,
            detachedAt: null,
            OR: flagged.map(({ kind, value }) => ({ kind, value })),
          },
          select: { kind: true, value: true },
        });
  const missingInvalid = flagged.filter((f) => !keptInvalid.some((k) => k.kind === f.kind && k.value === f.value));
  const added = [
    ...fresh.map((i) => row(contactId, i)),
    ...toShare.map((i) => row(contactId, i, true)),
    ...missingInvalid.map((i) => row(contactId, i)),
  ];
  if (added.length > 0) await tx.identity.createMany({ data: added as never });
  // A named person arriving through an identifier a differently named person held alone: the nameless messages that
  // came through it are re-filed on the identifier's own contact (contact-shared-lines.ts).
  for (const w of input.name ? toShare : []) {
    if (!SHAREABLE_KINDS.has(w.kind)) continue;
    const holders = elsewhere(w)
      .filter((o) => !o.shared)
      .map((o) => ({ row: o.contactId, root: rootOf.get(o.contactId)!, name: nameOfRoot(o.contactId) }))
      .filter((h) => differentPeople(input.name, h.name));
    const line = roots.find(
      (r) => lineOnly(r) && owned.some((o) => o.kind === w.kind && o.key === w.key && rootOf.get(o.contactId) === r.id),
    )?.id;
    await refileSharedLineInTx(tx, workspaceId, {
      identity: w,
      holders,
      ...(line && { line }),
      newcomer: { id: contactId, name: input.name! },
      source: source as IdentitySource,
      cause: { type: 'rule', ref: `shared-line ${sourceText(source as IdentitySource)}` },
    });
  }
  // What the rules would not merge becomes a duplicate suggestion (README: duplicate suggestions).
  const nameOf = new Map(roots.map((r) => [r.id, r.name]));
  const namesDiffer = (other: string): DuplicateReason[] =>
    differentPeople(input.name, nameOf.get(other)) || differentPeople(current?.name, nameOf.get(other))
      ? [{ code: 'names_differ', names: [current?.name ?? input.name ?? '', nameOf.get(other) ?? ''] }]
      : [];
  const heldBy = (other: string) =>
    wanted.filter((w) => owned.some((o) => o.kind === w.kind && o.key === w.key && rootOf.get(o.contactId) === other));
  const suggested: Suggested[] = [];
  const suggest = async (other: string, reasons: DuplicateReason[]) => {
    const s = await suggestInTx(tx, workspaceId, contactId!, other, reasons);
    if (s) suggested.push(s);
  };
  for (const other of conflicts)
    await suggest(other, [
      ...heldBy(other).map((w): DuplicateReason => ({ code: 'linked_identity', kind: w.kind, value: w.value })),
      ...namesDiffer(other),
    ]);
  for (const other of sharedWith)
    await suggest(other, [
      ...heldBy(other).map((w): DuplicateReason => ({ code: 'shared_identity', kind: w.kind, value: w.value })),
      ...namesDiffer(other),
    ]);
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
  if (!created && input.name != null && input.name !== current?.name) data.name = input.name;
  const attributes = attributesIn;
  if (!created && Object.entries(attributes).some(([k, v]) => JSON.stringify(stored[k]) !== JSON.stringify(v)))
    data.attributes = { ...stored, ...attributes };
  // Touch updatedAt when anything changed, identities included.
  const changed = !created && (Object.keys(data).length > 0 || added.length > 0 || upgrade.length > 0);
  const result = changed
    ? await tx.contact.update({
        where: { id: contactId },
        data: { ...data, updatedAt: new Date() },
        include: withIdentities,
      })
    : await tx.contact.findUniqueOrThrow({ where: { id: contactId }, include: withIdentities });
  if (created || changed || merged.length > 0) await markCrmPendingInTx(tx, workspaceId, [contactId]);
  const events: ContactEventInput[] = created
    ? [{ type: 'contact.created', contactId }]
    : [
        ...added.map((i) => identityAdded(contactId, i)),
        ...updated(contactId, { name: current?.name ?? null, attributes: stored }, data),
      ];
  await recordContactEventsInTx(tx, workspaceId, events, cause);
  const nameOrCityNew =
    created ||
    data.name !== undefined ||
    JSON.stringify(stored.city) !== JSON.stringify((result.attributes as JsonObject | null)?.city);
  suggested.push(
    ...(await suggestWeakInTx(
      tx,
      workspaceId,
      contactId,
      cluster,
      validEmails([...fresh, ...toShare]),
      nameOrCityNew ? nameAndCity(result) : undefined,
    )),
  );
  const auto = await autoMergeInTx(tx, workspaceId, suggested);
  if (auto.length > 0) {
    const after = await afterAutoMerge(tx, workspaceId, contactId, auto, merged);
    const one = new Set([after.contact.id, ...(after.merged ?? [])]);
    conflicts = conflicts.filter((c) => !one.has(c));
    const shared = sharedWith.filter((c) => !one.has(c));
    return {
      ...after,
      created,
      ...(conflicts.length > 0 && { conflicts }),
      ...(shared.length > 0 && { sharedWith: shared }),
      ...rejected,
    };
  }
  const [contact] = await clusterRecords(tx, workspaceId, [result]);
  return {
    contact: contact!,
    created,
    ...(conflicts.length > 0 && { conflicts }),
    ...(merged.length > 0 && { merged }),
    ...(sharedWith.length > 0 && { sharedWith }),
    ...rejected,
  };
}

/**
 * The upsert's answer after the auto-merge rule merged some of its suggestions (autoMergeInTx): the root `contactId`
 * is in now, and the contacts merged into it (those merged by the shared-delivery rule before, `already`).
 */
async function afterAutoMerge(
  tx: Tx,
  workspaceId: string,
  contactId: string,
  auto: { survivor: string; merged: string }[],
  already: string[] = [],
): Promise<{ contact: ContactRecord; merged?: string[] }> {
  const [row] = await tx.$queryRaw<{ root: string }[]>`
    SELECT COALESCE(merged_into_id, id) AS root FROM contacts WHERE id = ${contactId}`;
  const root = row!.root;
  const merged = [...new Set([...already, ...auto.map((m) => m.merged)])].filter((id) => id !== root);
  const contact = (await contactView(tx, workspaceId, root))!;
  return { contact, ...(merged.length > 0 && { merged }) };
}

/** The valid emails among identities (what the weak duplicate checks look at). */
const validEmails = (ids: ResolvedIdentity[]) => ids.filter((i) => i.valid && i.kind === 'email').map((i) => i.value);

/** A contact's full name and city, when it has both (the name_and_city duplicate check). */
function nameAndCity(row: { name: string | null; attributes: unknown }): { name: string; city: string } | undefined {
  const city = (row.attributes as JsonObject | null)?.city;
  if (!row.name || nameWords(row.name).length < 2 || typeof city !== 'string' || !city.trim()) return undefined;
  return { name: row.name.trim(), city: city.trim() };
}

/** The identity.added event of a new identity row. */
const identityAdded = (
  contactId: string,
  i: { kind: string; value: string; valid: boolean; verified: boolean; shared?: boolean },
): ContactEventInput => ({
  type: 'identity.added',
  contactId,
  data: { identity: { kind: i.kind, value: i.value, valid: i.valid, verified: i.verified, shared: !!i.shared } },
});

/**
 * The contact.updated event of a write to name, attributes and tags, when it changes any: `fields` lists what changed
 * (`name`, `attributes.<key>`, `tags`), `changes` each one's `from` and `to` (null: absent; tags: the view's lists).
 */
function updated(
  contactId: string,
  before: { name: string | null; attributes: JsonObject; tags?: string[] },
  data: { name?: unknown; attributes?: unknown; tags?: unknown },
): ContactEventInput[] {
  const changes: JsonObject = {};
  if (typeof data.name === 'string' || data.name === null)
    changes.name = { from: before.name, to: data.name as string | null };
  if (Array.isArray(data.tags)) changes.tags = { from: before.tags ?? [], to: data.tags as string[] };
  if (data.attributes && typeof data.attributes === 'object') {
    const after = data.attributes as JsonObject;
    for (const key of new Set([...Object.keys(before.attributes), ...Object.keys(after)]))
      if (JSON.stringify(before.attributes[key]) !== JSON.stringify(after[key]))
        changes[`attributes.${key}`] = { from: before.attributes[key] ?? null, to: after[key] ?? null };
  }
  const fields = Object.keys(changes);
  return fields.length === 0 ? [] : [{ type: 'contact.updated', contactId, data: { fields, changes } }];
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

/** The kinds of identifier two people of one household can truly share (README: households). */
const SHAREABLE_KINDS = new Set(['email', 'phone', 'whatsapp']);

/**
 * Two people's names: both full (two words or more) and not compatible (`Ana García` and `Luis García`). A one-word
 * name is a nickname or a profile name (`Bob`, then `Robert`), never enough to tell people apart.
 */
export function differentPeople(a: string | null | undefined, b: string | null | undefined): boolean {
  const full = (n: string | null | undefined) => !!n && nameWords(n).length >= 2;
  return full(a) && full(b) && !compatibleNames(a, b);
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
 * Changes a contact's name and attributes (merged in, a null value removing one) and its tags; what changes is marked
 * for every CRM account. `tags` are the view's tags after the write (normalizeTags; throws TagRefused): on a root with
 * merged contacts, a new tag goes on the root, a tag left out is taken off every row of the cluster holding it, and a
 * kept one stays on the row that has it, so an unmerge gives each side its own. Null: no such contact.
 */
export async function updateContact(
  prisma: PrismaClient,
  workspaceId: string,
  id: string,
  patch: { name?: string | null; attributes?: Record<string, JsonObject[string] | null>; tags?: string[] },
  by: EventCause = { type: 'api' },
): Promise<ContactRecord | null> {
  const wanted = patch.tags && normalizeTags(patch.tags);
  // A deadlock with a concurrent write (a CRM sync saving a record of this contact) runs it again.
  return retryTransient(() =>
    prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<
        { name: string | null; attributes: JsonObject | null; tags: string[] | null; merged_into_id: string | null }[]
      >`
      SELECT name, attributes, tags, merged_into_id FROM contacts
      WHERE id = ${id} AND workspace_id = ${workspaceId} FOR NO KEY UPDATE`;
      if (!row) return null;
      const data: Prisma.ContactUpdateInput = {};
      if (patch.name !== undefined && patch.name !== row.name) data.name = patch.name;
      // A defined attribute's value must fit its type exactly (prisma/contact-attributes.ts; throws AttributeRefused).
      if (patch.attributes && Object.keys(patch.attributes).length > 0)
        checkExact(await definitionsInTx(tx, workspaceId), patch.attributes);
      if (patch.attributes) {
        const next: JsonObject = { ...row.attributes };
        for (const [k, v] of Object.entries(patch.attributes)) {
          if (v === null) delete next[k];
          else next[k] = v;
        }
        if (JSON.stringify(next) !== JSON.stringify(row.attributes ?? {})) data.attributes = next;
      }
      let tags: { from: string[]; to: string[] } | undefined;
      if (wanted) {
        // The members, locked under the root's lock (merges and unmerges take it too, so the cluster stays as read).
        const members = row.merged_into_id
          ? []
          : await tx.$queryRaw<{ id: string; tags: string[] | null }[]>`
            SELECT id, tags FROM contacts WHERE merged_into_id = ${id} ORDER BY created_at, id FOR NO KEY UPDATE`;
        const own = row.tags ?? [];
        const kept = members.map((m) => ({ ...m, next: (m.tags ?? []).filter((t) => wanted.includes(t)) }));
        const elsewhere = new Set(kept.flatMap((m) => m.next));
        const ownNext = wanted.filter((t) => own.includes(t) || !elsewhere.has(t));
        if (JSON.stringify(ownNext) !== JSON.stringify(own)) data.tags = ownNext;
        for (const m of kept)
          if (m.next.length !== (m.tags ?? []).length)
            await tx.contact.update({ where: { id: m.id }, data: { tags: m.next } });
        const from = unionTags([own, ...members.map((m) => m.tags)]);
        const to = unionTags([ownNext, ...kept.map((m) => m.next)]);
        if (JSON.stringify(from) !== JSON.stringify(to)) tags = { from, to };
        else if (data.tags) delete data.tags;
      }
      if (Object.keys(data).length > 0 || tags) {
        await tx.contact.update({ where: { id }, data: { ...data, updatedAt: new Date() } });
        await markCrmPendingInTx(tx, workspaceId, [id]);
        await recordContactEventsInTx(
          tx,
          workspaceId,
          updated(
            id,
            { name: row.name, attributes: row.attributes ?? {}, ...(tags && { tags: tags.from }) },
            { name: data.name, attributes: data.attributes, ...(tags && { tags: tags.to }) },
          ),
          by,
        );
      }
      return contactView(tx, workspaceId, id);
    }),
  );
}

/** How many holders of one shared identifier a lookup answers (a household is a handful of people). */
const MAX_HOLDERS = 20;

/**
 * The contacts holding a valid identity, as their roots' merged views: one, or the people of a household sharing it
 * (oldest first, as upsert files a nameless delivery). `key` is its match key (checkIdentity of
 * connectors/contacts/identity.ts).
 */
export async function findContactsByIdentity(
  prisma: PrismaClient,
  workspaceId: string,
  kind: string,
  key: string,
): Promise<ContactRecord[]> {
  const rows = await prisma.identity.findMany({
    where: { workspaceId, kind, key, valid: true, detachedAt: null },
    orderBy: [{ contact: { createdAt: 'asc' } }, { contactId: 'asc' }],
    take: MAX_HOLDERS,
    select: { contact: { select: { id: true, mergedIntoId: true } } },
  });
  const roots = [...new Set(rows.map((r) => r.contact.mergedIntoId ?? r.contact.id))];
  const views = await Promise.all(roots.map((id) => contactView(prisma, workspaceId, id)));
  return views.filter((v): v is ContactRecord => v !== null);
}

/** The (oldest) contact holding a valid identity, as its root's merged view; null when nobody does. */
export async function findContactByIdentity(
  prisma: PrismaClient,
  workspaceId: string,
  kind: string,
  key: string,
): Promise<ContactRecord | null> {
  return (await findContactsByIdentity(prisma, workspaceId, kind, key))[0] ?? null;
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
 * Contacts whose name or any identity's value contains `text`, case-insensitively (ILIKE), and/or that carry `tag`
 * (normalizeTag'd), newest first, paged like listContacts (roots, merged views; a root is found by any row merged into
 * it too). The trigram indexes of migration 20261204131500_contact_search_trigrams find the matching rows for three
 * characters or more (shorter text scans); the GIN index on `tags` finds tagged rows.
 */
export async function searchContacts(
  prisma: PrismaClient,
  workspaceId: string,
  filter: { text?: string; tag?: string; attributes?: AttributeFilter[] },
  page: { limit: number; cursor?: string },
): Promise<{ items: ContactRecord[]; nextCursor?: string }> {
  const conditions = (filter.attributes ?? []).map((f) => attributeCondition(workspaceId, f));
  const attributes = conditions.length > 0 ? Prisma.join(conditions, ' ') : Prisma.empty;
  const text = filter.text ?? null;
  const pattern = text === null ? null : `%${likeLiteral(text)}%`;
  const tag = filter.tag ?? null;
  const cursor = page.cursor ?? null;
  const found = await prisma.$queryRaw<{ id: string }[]>`
    WITH hits AS (
      SELECT id, merged_into_id FROM contacts WHERE workspace_id = ${workspaceId} AND name ILIKE ${pattern}
      UNION
      SELECT c.id, c.merged_into_id FROM identities i JOIN contacts c ON c.id = i.contact_id
      WHERE i.workspace_id = ${workspaceId} AND i.detached_at IS NULL AND i.value ILIKE ${pattern}
    ), tagged AS (
      SELECT id, merged_into_id FROM contacts WHERE workspace_id = ${workspaceId} AND tags @> ARRAY[${tag}]::text[]
    ), after AS (
      SELECT created_at, id FROM contacts WHERE id = ${cursor} AND workspace_id = ${workspaceId}
    )
    SELECT c.id FROM contacts c
    WHERE c.workspace_id = ${workspaceId} AND c.merged_into_id IS NULL
      AND (${pattern}::text IS NULL OR c.id IN (SELECT COALESCE(merged_into_id, id) FROM hits))
      AND (${tag}::text IS NULL OR c.id IN (SELECT COALESCE(merged_into_id, id) FROM tagged))
      ${attributes}
      AND (${cursor}::text IS NULL OR (c.created_at, c.id) < (SELECT created_at, id FROM after))
    ORDER BY c.created_at DESC, c.id DESC
    LIMIT ${page.limit + 1}`;
  const ids = found.map((r) => r.id);
  const byId = new Map(
    (await prisma.contact.findMany({ where: { id: { in: ids } }, include: withIdentities })).map((r) => [r.id, r]),
  );
  const rows = ids.map((id) => byId.get(id)!);
  const items = await clusterRecords(prisma, workspaceId, rows.slice(0, page.limit));
  const last = items.at(-1);
  return { items, ...(rows.length > page.limit && last && { nextCursor: last.id }) };
}

/**
 * One attribute condition of searchContacts, on a root `c`: its own value matches, or it has none and a row merged
 * into it matches (its view shows the root's value over its members'). Exact values through `attributes @>` (the
 * jsonb_path_ops GIN index); a text's substring through `attributes::text` (its trigram index: three characters or
 * more, when the text needs no JSON escaping) before `attributes->>key` decides. The members' part is an array, so
 * both sides stay indexable (a BitmapOr for a rare value; a common one walks the created_at index and stops at the
 * page): at 100,000 contacts, 3–16 ms for a rare value, under 1 ms for a common one (EXPLAIN ANALYZE, prisma/README.md).
 */
function attributeCondition(workspaceId: string, f: AttributeFilter): Prisma.Sql {
  const on = (t: Prisma.Sql) =>
    f.op === 'equals'
      ? Prisma.sql`${t}.attributes @> ${JSON.stringify({ [f.key]: f.value })}::jsonb`
      : Prisma.sql`(${t}.attributes->>${f.key} ILIKE ${`%${likeLiteral(f.text)}%`}${
          // eslint-disable-next-line no-control-regex
          /["\\\u0000-\u001f]/.test(f.text)
            ? Prisma.empty
            : Prisma.sql` AND ${t}.attributes::text ILIKE ${`%${likeLiteral(f.text)}%`}`
        })`;
  return Prisma.sql`AND (${on(Prisma.raw('c'))} OR c.id = ANY(ARRAY(
      SELECT a.merged_into_id FROM contacts a JOIN contacts r ON r.id = a.merged_into_id
      WHERE a.workspace_id = ${workspaceId} AND a.merged_into_id IS NOT NULL AND ${on(Prisma.raw('a'))}
        AND r.attributes -> ${f.key} IS NULL)))`;
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

/** Why an identity was not added or detached; the server answers each with its own status and code. */
export class IdentityRefused extends Error {
  constructor(
    readonly reason: 'not_found' | 'identity_claimed',
    /** identity_claimed: the other contacts (roots) holding it. */
    readonly holders: string[] = [],
    /** not_found: what was not found. */
    readonly what: 'contact' | 'identity' = 'contact',
  ) {
    super(reason);
    this.name = 'IdentityRefused';
  }
}

/**
 * The contact row and the rows of its view (whose notes, timeline and runs it shows): a root's cluster, a merged row
 * alone. Null when not in the workspace.
 */
export async function viewRows(tx: Tx | PrismaClient, workspaceId: string, contactId: string) {
  const contact = await tx.contact.findFirst({ where: { id: contactId, workspaceId }, select: { mergedIntoId: true } });
  if (!contact) return null;
  return contact.mergedIntoId ? [contactId] : await clusterIds(tx, contactId);
}

/**
 * Adds an identity to a contact by hand (verified: false; `source` says who). Already on the contact: nothing
 * changes (`added: false`). Held by another contact: refused (identity_claimed, naming them) unless `shared`, which
 * keeps it on both, every copy flagged shared (a household's phone, README: households).
 */
export async function addIdentity(
  prisma: PrismaClient,
  workspaceId: string,
  contactId: string,
  identity: ResolvedIdentity,
  opts: { shared: boolean; source: IdentitySource },
): Promise<{ contact: ContactRecord; added: boolean }> {
  try {
    return await prisma.$transaction(async (tx) => {
      const rows = await viewRows(tx, workspaceId, contactId);
      if (!rows) throw new IdentityRefused('not_found');
      await tx.$queryRaw`SELECT id FROM contacts WHERE id = ${contactId} FOR NO KEY UPDATE`;
      const { kind, key, value, valid } = identity;
      const held = valid
        ? await tx.identity.findMany({
            where: { workspaceId, kind, key, valid: true, detachedAt: null },
            select: { id: true, contactId: true, shared: true, contact: { select: { mergedIntoId: true } } },
          })
        : await tx.identity.findMany({
            where: { contactId: { in: rows }, kind, value, valid: false, detachedAt: null },
            select: { id: true, contactId: true, shared: true, contact: { select: { mergedIntoId: true } } },
          });
      const view = async (added: boolean) => ({ contact: (await contactView(tx, workspaceId, contactId))!, added });
      if (held.some((h) => rows.includes(h.contactId))) return view(false);
      if (held.length > 0 && !opts.shared)
        throw new IdentityRefused('identity_claimed', [
          ...new Set(held.map((h) => h.contact.mergedIntoId ?? h.contactId)),
        ]);
      const unshared = held.filter((h) => !h.shared).map((h) => h.id);
      if (unshared.length > 0)
        await tx.identity.updateMany({ where: { id: { in: unshared } }, data: { shared: true } });
      await tx.identity.create({
        data: {
          id: newId('idn'),
          workspaceId,
          contactId,
          kind,
          value,
          key,
          valid,
          verified: false,
          shared: held.length > 0,
          source: opts.source as Prisma.InputJsonObject,
        },
      });
      await tx.contact.update({ where: { id: contactId }, data: { updatedAt: new Date() } });
      await markCrmPendingInTx(tx, workspaceId, [contactId]);
      await recordContactEventsInTx(
        tx,
        workspaceId,
        [identityAdded(contactId, { ...identity, verified: false, shared: held.length > 0 })],
        opts.source as EventCause,
      );
      return view(true);
    });
  } catch (err) {
    // Another contact took it between the read and the insert.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002' && !opts.shared) {
      const holders = await prisma.identity.findMany({
        where: { workspaceId, kind: identity.kind, key: identity.key, valid: true, detachedAt: null },
        select: { contactId: true, contact: { select: { mergedIntoId: true } } },
      });
      throw new IdentityRefused('identity_claimed', [
        ...new Set(holders.map((h) => h.contact.mergedIntoId ?? h.contactId)),
      ]);
    }
    throw err;
  }
}

/**
 * Detaches an identity from a contact (a family's email taken off the person who does not use it): it stays in the
 * timeline (`identity.detached`, with who) and matches nobody any more. A shared identifier left with one holder is
 * that holder's alone again. Not on this contact's view: not_found.
 */
export async function detachIdentity(
  prisma: PrismaClient,
  workspaceId: string,
  contactId: string,
  identityId: string,
  by: IdentitySource,
): Promise<ContactRecord> {
  return prisma.$transaction(async (tx) => {
    const rows = await viewRows(tx, workspaceId, contactId);
    if (!rows) throw new IdentityRefused('not_found');
    const found = await tx.identity.findFirst({
      where: { id: identityId, workspaceId, contactId: { in: rows }, detachedAt: null },
    });
    if (!found) throw new IdentityRefused('not_found', [], 'identity');
    await tx.identity.update({
      where: { id: found.id },
      data: { detachedAt: new Date(), detachedBy: by as Prisma.InputJsonObject },
    });
    if (found.shared && found.valid) {
      const left = await tx.identity.findMany({
        where: { workspaceId, kind: found.kind, key: found.key, valid: true, shared: true, detachedAt: null },
        select: { id: true },
      });
      if (left.length === 1) await tx.identity.update({ where: { id: left[0]!.id }, data: { shared: false } });
    }
    await tx.contact.update({ where: { id: found.contactId }, data: { updatedAt: new Date() } });
    await markCrmPendingInTx(tx, workspaceId, [found.contactId]);
    return (await contactView(tx, workspaceId, contactId))!;
  });
}
