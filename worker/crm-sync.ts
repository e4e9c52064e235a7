// The two directions of CRM sync, the same for every CRM connector (connectors/sdk/crm.ts), over the state in
// prisma/crm-sync.ts.
//
// Out (`syncCrmRound`, the activity of the `crmSync` loop): each contact marked pending on the account (every contact
// write marks it in its own transaction) is written once its first change is `debounceMs` old: the contact's record
// is updated with the fields that differ from what was last written (`sent`), or, unlinked, found (by email or
// phone) or created and linked, its record id one more identity. Calls are paced by the account's rate limit (the
// shared GCRA of prisma/rate-limits.ts); a 429 blocks the account for its Retry-After; an outage or a garbled answer
// leaves the change pending and is tried again with backoff (shown on the contact meanwhile); a refusal (a value the
// CRM rejects) is shown on the contact and waits for its next change. Nothing is cleared before the CRM took it.
//
// In (`importPerson`, for webhooks and for the catch-up poll of `changedSince`): a record read from the CRM is
// compared with what was last read of it (`seen`): unchanged (our own write coming back, or a redelivery) does
// nothing; otherwise only the fields that changed in the CRM are written to the contact. Per field, the change made
// later (in the order the sync sees them) wins; emails and phones are only ever added by the CRM, never removed.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CountryCode } from 'libphonenumber-js/max';
import { resolveIdentities } from '../connectors/contacts/identity.js';
import type { JsonObject } from '../connectors/flow/types.js';
import type { CrmCallContext, CrmClient, CrmDefinition, CrmPerson, CrmPersonWrite } from '../connectors/sdk/crm.js';
import { isConnectorError } from '../connectors/sdk/index.js';
import type { ContactRecord, ContactsService, ContactUpsertResult, Logger } from '../connectors/sdk/types.js';
import { AccountUnavailable, type ChannelAccountStore } from '../prisma/channel-accounts.js';
import { Prisma, type PrismaClient } from '../prisma/client.js';
import { createContactMergeStore, MergeRefused } from '../prisma/contact-merges.js';
import { contactView } from '../prisma/contacts.js';
import {
  createCrmSyncStore,
  crmMergePlan,
  type CrmLinkRow,
  type CrmSnapshot,
  type CrmSyncStore,
} from '../prisma/crm-sync.js';
import type { RateLimiter } from '../prisma/rate-limits.js';
import { accountError, rateLimitOf } from './channels.js';
import { toFailure } from './failures.js';

export interface CrmSyncDeps {
  prisma: PrismaClient;
  accounts: ChannelAccountStore;
  contacts: ContactsService;
  rateLimiter: RateLimiter;
  defaultCountry?: string;
  logger?: Logger;
  /** How long a contact's first change waits before it is written (coalescing a burst); default 1,000 ms. */
  debounceMs?: number;
  /** How often the catch-up poll asks the CRM what changed; default 60,000 ms. */
  catchUpMs?: number;
  /** How long one round may go on writing while changes keep coming due; default 15,000 ms. */
  roundMs?: number;
  /**
   * When nothing is due, the round ends and the loop sleeps this long (a durable timer) before the next: an idle
   * account holds no activity slot. Default 1,000 ms.
   */
  idleMs?: number;
}

export interface CrmRoundInput {
  accountId: string;
  /** Consecutive rounds that met an outage (backoff grows with it). */
  failures: number;
}

export interface CrmRoundResult {
  /** The account was deleted (or is no longer a CRM's): the loop ends. */
  gone?: true;
  /** Sleep this long before the next round (a rate limit, the CRM down). */
  waitMs: number;
  failures: number;
  written: number;
}

/** A person in Confluo's terms: a contact's name, its valid emails and phones, its mapped attributes. */
export function desiredOf(contact: ContactRecord, fieldMap: Record<string, string>): Required<CrmSnapshot> {
  const ids = contact.identities
    .filter((i) => i.valid)
    .sort((a, b) => Number(b.verified) - Number(a.verified) || a.addedAt.localeCompare(b.addedAt));
  const fields: JsonObject = {};
  for (const [attribute, field] of Object.entries(fieldMap)) {
    const v = contact.attributes[attribute];
    if (v !== undefined && v !== null && typeof v !== 'object') fields[field] = v;
  }
  return {
    name: contact.name,
    // A household's shared email is left out: in a CRM where emails are unique it would pull both into one record.
    emails: unique(ids.filter((i) => i.kind === 'email' && !i.shared).map((i) => i.value)),
    phones: unique(ids.filter((i) => i.kind === 'phone').map((i) => i.value)),
    fields,
  };
}

/** What of `want` differs from `had`: the fields to write. */
export function changedFields(want: CrmSnapshot, had: CrmSnapshot): CrmPersonWrite {
  const out: CrmPersonWrite = {};
  if (want.name !== undefined && (want.name ?? null) !== (had.name ?? null)) out.name = want.name;
  if (want.emails && !sameList(want.emails, had.emails)) out.emails = want.emails;
  if (want.phones && !sameList(want.phones, had.phones)) out.phones = want.phones;
  const fields: JsonObject = {};
  for (const [k, v] of Object.entries(want.fields ?? {}))
    if (JSON.stringify(v) !== JSON.stringify(had.fields?.[k])) fields[k] = v;
  if (Object.keys(fields).length > 0) out.fields = fields;
  return out;
}

/** A snapshot with a write's fields laid over it. */
export function withWrite(base: CrmSnapshot, write: CrmPersonWrite): CrmSnapshot {
  return {
    ...base,
    ...(write.name !== undefined && { name: write.name }),
    ...(write.emails && { emails: write.emails }),
    ...(write.phones && { phones: write.phones }),
    ...(write.fields && { fields: { ...base.fields, ...write.fields } }),
  };
}

const unique = (xs: string[]) => [...new Set(xs)];
/** Emails and phones as the identities someone typed into the CRM. */
const typed = (emails: readonly string[] = [], phones: readonly string[] = []) => [
  ...emails.map((value) => ({ kind: 'email', value })),
  ...phones.map((value) => ({ kind: 'phone', value })),
];
const sameList = (a: string[], b: string[] | undefined) =>
  b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
const isEmpty = (w: CrmPersonWrite) => Object.keys(w).length === 0;

/** The field map of an account: the connector's defaults under the account's `fieldMap` setting. */
export function fieldMapOf(crm: CrmDefinition, settings: JsonObject): Record<string, string> {
  const own = settings.fieldMap;
  const extra =
    own && typeof own === 'object' && !Array.isArray(own)
      ? Object.fromEntries(Object.entries(own).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : {};
  return { ...crm.defaultFieldMap, ...extra };
}

/** A record as the CRM holds it, in the CRM's terms (what `seen` keeps): the mapped fields only. */
function seenOf(person: CrmPerson, fieldMap: Record<string, string>): CrmSnapshot {
  const fields: JsonObject = {};
  for (const field of Object.values(fieldMap)) {
    const v = person.fields[field];
    if (v !== undefined) fields[field] = v;
  }
  return { name: person.name ?? null, emails: person.emails, phones: person.phones, fields };
}

/** The account's round stops here and the loop sleeps `waitMs` (a rate limit, an outage, bad credentials). */
class RoundStop extends Error {
  constructor(
    readonly waitMs: number,
    readonly outage = false,
  ) {
    super('round stopped');
  }
}

const BACKOFF_MAX_MS = 5 * 60_000;
/** A record's retry delay after `attempts` failed writes: 1 s, 2 s, 4 s, … 5 min. */
const retryDelay = (attempts: number) => Math.min(BACKOFF_MAX_MS, 1000 * 2 ** Math.min(attempts, 20));
/** The loop's sleep after `failures` rounds in a row met an outage: 1 s, 2 s, 4 s, 8 s, then 10 s. */
const outageDelay = (failures: number) => Math.min(10_000, 1000 * 2 ** Math.max(0, failures - 1));

interface Opened {
  accountId: string;
  workspaceId: string;
  connector: string;
  crm: CrmDefinition;
  client: CrmClient;
  ctx: CrmCallContext;
  fieldMap: Record<string, string>;
  scope: string;
}

export function createCrmSync(deps: CrmSyncDeps) {
  const store: CrmSyncStore = createCrmSyncStore(deps.prisma);
  const merges = createContactMergeStore(deps.prisma);
  const debounceMs = deps.debounceMs ?? 1000;
  const catchUpMs = deps.catchUpMs ?? 60_000;
  const roundMs = deps.roundMs ?? 15_000;
  const idleMs = deps.idleMs ?? 1000;

  /** The account opened for a round, its client paced by the account's rate limit; null when it is gone. */
  async function open(accountId: string, signal: AbortSignal, log: Logger): Promise<Opened | null> {
    let opened;
    try {
      opened = await deps.accounts.open(accountId);
    } catch (err) {
      if (err instanceof AccountUnavailable && err.reason === 'not_found') return null;
      throw err instanceof AccountUnavailable ? accountError(err) : err;
    }
    const crm = opened.connector.crm;
    if (!crm) return null;
    const rate = rateLimitOf(opened.connector, opened.account.settings);
    const paced = async <T>(call: () => Promise<T>): Promise<T> => {
      if (rate) {
        const r = await deps.rateLimiter.reserve(accountId, rate, 3000);
        if (!r.ok) throw new RoundStop(r.retryAfterMs);
        if (r.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, r.waitMs));
      }
      return call();
    };
    const raw = crm.client;
    const client: CrmClient = {
      scope: (c) => raw.scope(c),
      getPerson: (c, id) => paced(() => raw.getPerson(c, id)),
      findPerson: (c, by) => paced(() => raw.findPerson(c, by)),
      createPerson: (c, w) => paced(() => raw.createPerson(c, w)),
      updatePerson: (c, id, w) => paced(() => raw.updatePerson(c, id, w)),
      addNote: (c, id, n) => paced(() => raw.addNote(c, id, n)),
      changedSince: (c, cursor, limit) => paced(() => raw.changedSince(c, cursor, limit)),
      ...(raw.mergePersons && { mergePersons: (c, a, b) => paced(() => raw.mergePersons!(c, a, b)) }),
    };
    const ctx: CrmCallContext = { account: opened.account, signal, logger: log };
    const scope = await paced(() => raw.scope(ctx));
    return {
      accountId,
      workspaceId: opened.account.workspaceId,
      connector: opened.connector.id,
      crm,
      client,
      ctx,
      fieldMap: fieldMapOf(crm, opened.account.settings),
      scope,
    };
  }

  const recordIdentity = (a: Opened, recordId: string) => ({ kind: a.connector, value: `${a.scope}:${recordId}` });

  /** Writes one pending contact to the CRM; throws what the CRM answered. */
  async function push(a: Opened, link: CrmLinkRow): Promise<boolean> {
    const root = await store.rootOf(a.workspaceId, link.contactId);
    const contact = root && (await contactView(deps.prisma, a.workspaceId, root));
    if (!contact) return false;
    const cluster = [contact.id, ...(contact.members ?? []).map((m) => m.id)];
    const desired = desiredOf(contact, a.fieldMap);
    const targets = await store.linked(a.accountId, cluster);
    const ctx = { ...a.ctx, idempotencyKey: `${a.accountId}:${link.contactId}:${link.version}` };
    if (targets.length === 0) {
      // Nothing to find it by, nothing a CRM user could reach it by: a contact known only by a chat id stays here.
      if (desired.emails.length === 0 && desired.phones.length === 0) return false;
      const found =
        a.crm.createFindsByEmail && desired.emails.length > 0
          ? null
          : await a.client.findPerson(ctx, {
              emails: desired.emails,
              phones: contact.identities.filter((i) => i.kind === 'phone' && i.valid && !i.shared).map((i) => i.value),
            });
      let person: CrmPerson;
      let seen: CrmSnapshot;
      if (found) {
        // Found by email or phone: Confluo's change is the later one, so its differing fields are written.
        const write = changedFields(desired, inConfluoTerms(found, a));
        seen = seenOf(found, a.fieldMap);
        person = isEmpty(write) ? found : await a.client.updatePerson(ctx, found.id, write);
        if (!isEmpty(write)) seen = withWrite(seen, write);
      } else {
        person = await a.client.createPerson(ctx, desired);
        seen = withWrite({}, desired);
      }
      await saveLinked(a, contact.id, person, desired, seen);
      await logMessages(a, ctx, { accountId: a.accountId, contactId: contact.id, recordId: person.id }, cluster);
      return true;
    }
    let wrote = false;
    // Merged in Confluo, so merged in the CRM too (into the oldest contact's record); the other records' ids stay
    // identities of their contacts (the CRM answers them as the survivor).
    const { keep: live, mergeAway } = crmMergePlan(targets, a.client.mergePersons !== undefined);
    for (const t of mergeAway) {
      await a.client.mergePersons!(ctx, live[0]!.recordId!, t.recordId!);
      await store.unlink(a.accountId, t.contactId);
      wrote = true;
    }
    for (const t of live) {
      const write = changedFields(desired, t.sent);
      if (isEmpty(write)) continue;
      const person = await a.client.updatePerson(ctx, t.recordId!, write);
      await store.saveRecord(a.workspaceId, {
        accountId: a.accountId,
        contactId: t.contactId,
        recordId: t.recordId!,
        identity: recordIdentity(a, t.recordId!),
        sent: withWrite(t.sent, write),
        seen: withWrite(t.seen, write),
        seenUpdatedAt: person.updatedAt,
      });
      wrote = true;
    }
    const primary = live[0]!;
    if (await logMessages(a, ctx, { ...primary, recordId: primary.recordId! }, cluster)) wrote = true;
    return wrote;
  }

  /**
   * The account's `logMessages`: the cluster's messages since the link's cursor, each a note on the record (in order;
   * the cursor moves after each, so a retry writes no note twice unless the CRM took one and its answer was lost).
   */
  async function logMessages(
    a: Opened,
    ctx: CrmCallContext,
    link: { accountId: string; contactId: string; recordId: string },
    rows: string[],
  ): Promise<boolean> {
    if (a.ctx.account.settings.logMessages !== true) return false;
    const key = { accountId: link.accountId, contactId: link.contactId };
    let wrote = false;
    for (const m of await store.messagesToLog(key, rows, 50)) {
      if (m.direction === 'in' || m.status !== 'failed') {
        const what = m.direction === 'in' ? `Received on ${m.channel}` : `Sent on ${m.channel}`;
        await a.client.addNote({ ...ctx, idempotencyKey: m.id }, link.recordId, {
          text: `${what}: ${m.text ?? '(no text)'}`,
          at: m.sentAt.toISOString(),
        });
        wrote = true;
      }
      await store.logged(key, m);
    }
    return wrote;
  }

  async function saveLinked(a: Opened, contactId: string, person: CrmPerson, sent: CrmSnapshot, seen: CrmSnapshot) {
    try {
      await store.saveRecord(a.workspaceId, {
        accountId: a.accountId,
        contactId,
        recordId: person.id,
        identity: recordIdentity(a, person.id),
        sent,
        seen,
        seenUpdatedAt: person.updatedAt,
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw new LinkTaken(person.id);
      throw err;
    }
  }

  /** A CRM record in Confluo's terms (what `sent` compares with): its emails and phones normalised. */
  function inConfluoTerms(person: CrmPerson, a: Opened): CrmSnapshot {
    const ids = resolveIdentities(typed(person.emails, person.phones), deps.defaultCountry as CountryCode | undefined);
    const fields: JsonObject = {};
    for (const field of Object.values(a.fieldMap)) {
      const v = person.fields[field];
      if (v !== undefined && v !== null && v !== '') fields[field] = v;
    }
    return {
      name: person.name ?? null,
      emails: ids.filter((i) => i.kind === 'email' && i.valid).map((i) => i.value),
      phones: ids.filter((i) => i.kind === 'phone' && i.valid).map((i) => i.value),
      fields,
    };
  }

  /**
   * A record read from the CRM into the contacts. First sight: the whole record through the matching rules (its
   * id a verified identity, its emails and phones typed ones). Known: only what changed since it was last read.
   */
  async function importPerson(
    a: Opened,
    person: CrmPerson,
  ): Promise<{ outcome: 'created' | 'updated' | 'skipped'; contactId?: string; reason?: string }> {
    // Compared by value, not by updatedAt: Pipedrive's times are whole seconds, so two changes can share one.
    const link = await store.byRecord(a.accountId, person.id);
    const seen = seenOf(person, a.fieldMap);
    const terms = inConfluoTerms(person, a);
    const recordId = { kind: a.connector, value: `${a.scope}:${person.id}`, verified: true };
    const source = { type: 'crm' as const, accountId: a.accountId, recordId: person.id };
    const attributesFrom = (fields: JsonObject) => {
      const out: JsonObject = {};
      for (const [attribute, field] of Object.entries(a.fieldMap))
        if (fields[field] !== undefined) out[attribute] = fields[field]!;
      return out;
    };
    if (!link) {
      const attributes = attributesFrom(terms.fields ?? {});
      const result = await deps.contacts.upsert(a.workspaceId, {
        identities: resolveIdentities(
          [recordId, ...typed(person.emails, person.phones)],
          deps.defaultCountry as CountryCode | undefined,
        ),
        ...(person.name && { name: person.name }),
        ...(Object.keys(attributes).length > 0 && { attributes }),
        source,
      });
      const rowOf = await deps.prisma.identity.findFirst({
        where: { workspaceId: a.workspaceId, kind: a.connector, key: recordId.value, detachedAt: null },
        select: { contactId: true },
      });
      // What the CRM holds is what Confluo last "sent": only what Confluo has beyond it is written back.
      await store.saveRecord(a.workspaceId, {
        accountId: a.accountId,
        contactId: rowOf?.contactId ?? result.contact.id,
        recordId: person.id,
        identity: recordIdentity(a, person.id),
        sent: terms,
        seen,
        seenUpdatedAt: person.updatedAt,
      });
      return {
        outcome: result.created ? 'created' : 'updated',
        contactId: result.contact.id,
        ...leftOut(result.rejectedAttributes),
      };
    }
    // Changed in the CRM since it was last read: those fields, in Confluo's terms.
    const inCrm = changedFields(seen, link.seen);
    const apply = changedFields(terms, link.sent);
    const write: CrmPersonWrite = {
      ...(inCrm.name !== undefined && apply.name !== undefined && { name: apply.name }),
      ...(inCrm.emails && apply.emails && { emails: apply.emails.filter((e) => !link.sent.emails?.includes(e)) }),
      ...(inCrm.phones && apply.phones && { phones: apply.phones.filter((p) => !link.sent.phones?.includes(p)) }),
    };
    const fields: JsonObject = {};
    for (const k of Object.keys(inCrm.fields ?? {})) if (terms.fields?.[k] !== undefined) fields[k] = terms.fields[k]!;
    const attributes = attributesFrom(fields);
    const newIds = typed(write.emails, write.phones);
    let outcome: 'updated' | 'skipped' = 'skipped';
    let rejected: ContactUpsertResult['rejectedAttributes'];
    if (write.name || newIds.length > 0 || Object.keys(attributes).length > 0) {
      ({ rejectedAttributes: rejected } = await deps.contacts.upsert(a.workspaceId, {
        identities: resolveIdentities([recordId, ...newIds], deps.defaultCountry as CountryCode | undefined),
        ...(write.name && { name: write.name }),
        ...(Object.keys(attributes).length > 0 && { attributes }),
        source,
      }));
      outcome = 'updated';
    }
    await store.saveRecord(a.workspaceId, {
      accountId: a.accountId,
      contactId: link.contactId,
      recordId: person.id,
      identity: recordIdentity(a, person.id),
      sent: withWrite(link.sent, {
        ...(write.name && { name: write.name }),
        ...(newIds.length > 0 && {
          emails: unique([...(link.sent.emails ?? []), ...(write.emails ?? [])]),
          phones: unique([...(link.sent.phones ?? []), ...(write.phones ?? [])]),
        }),
        ...(Object.keys(fields).length > 0 && { fields }),
      }),
      seen,
      seenUpdatedAt: person.updatedAt,
    });
    return { outcome, contactId: link.contactId, ...leftOut(rejected) };
  }

  /**
   * A CRM value of a Confluo-defined attribute that does not fit its type even read leniently (prisma/
   * contact-attributes.ts): left out of the contact, the rest of the record read in, and said in the sync item's
   * `reason` (the activity's result) and the log, never failing the sync (HubSpot refuses a bad typed property; a
   * pull must not stop on one field of one record).
   */
  function leftOut(rejected: ContactUpsertResult['rejectedAttributes']): { reason?: string } {
    if (!rejected?.length) return {};
    const reason = `attributes left out: ${rejected.map((r) => `attributes.${r.key} ${r.problem}`).join('; ')}`;
    deps.logger?.warn({ rejected }, reason);
    return { reason };
  }

  /** The catch-up poll, when due: the records changed since the cursor, read in like webhooks' (a few pages). */
  async function catchUp(a: Opened): Promise<void> {
    const sync = await store.sync(a.accountId);
    if (!sync || (sync.polledAt && Date.now() - sync.polledAt.getTime() < catchUpMs)) return;
    let cursor = sync.pollCursor;
    for (let page = 0; page < 5; page++) {
      const r = await a.client.changedSince(a.ctx, cursor, 100);
      for (const person of r.people) await importPerson(a, person);
      cursor = r.cursor;
      await store.polled(a.accountId, cursor);
      if (!r.more) break;
    }
  }

  /** One error of a write: how the round goes on (continue) or stops (throws RoundStop). */
  async function onWriteError(a: Opened, link: CrmLinkRow, err: unknown): Promise<void> {
    if (err instanceof RoundStop) throw err;
    const fail = (error: { code: string; message: string }, retry: boolean) =>
      store.failed(
        a.accountId,
        link.contactId,
        link.version,
        error,
        retry ? new Date(Date.now() + retryDelay(link.attempts)) : null,
      );
    if (err instanceof LinkTaken) return fail({ code: 'RECORD_LINKED', message: err.message }, false);
    // fetch failed (a TypeError): the CRM unreachable, as good as down.
    const connectorError = isConnectorError(err) ? err : null;
    if (!connectorError && !(err instanceof TypeError)) throw err;
    const error = {
      code: connectorError ? (connectorError.code ?? connectorError.kind) : 'UNREACHABLE',
      message: (err as Error).message,
    };
    if (connectorError?.kind === 'rate_limited') {
      const wait = connectorError.retryAfterMs ?? 1000;
      await deps.rateLimiter.pushBack(a.accountId, wait);
      throw new RoundStop(wait);
    }
    if (connectorError?.kind === 'auth' || connectorError?.kind === 'config') {
      await store.accountError(a.accountId, error);
      throw new RoundStop(60_000);
    }
    if (!connectorError || connectorError.retryable) {
      await fail(error, true);
      throw new RoundStop(0, true);
    }
    await fail(error, false);
  }

  return {
    store,
    open,
    importPerson,

    /**
     * The CRM merged `mergedRecordId` into the record of `contactId`: the contact linked to the merged-away record (if
     * another) is merged into this one, and the merged-away link dropped (its id stays an identity).
     */
    async mergeLinked(a: Opened, contactId: string, mergedRecordId: string): Promise<void> {
      const link = await store.byRecord(a.accountId, mergedRecordId);
      if (!link) return;
      const [survivor, other] = await Promise.all([
        store.rootOf(a.workspaceId, contactId),
        store.rootOf(a.workspaceId, link.contactId),
      ]);
      if (survivor && other && survivor !== other) {
        try {
          await merges.merge(a.workspaceId, survivor, other, { type: 'rule', ref: `crm-merge ${a.accountId}` });
        } catch (err) {
          if (!(err instanceof MergeRefused)) throw err;
        }
      }
      await store.unlink(a.accountId, link.contactId);
    },

    /** When the sync last wrote or read the record (the CRM's updatedAt, ms), null if never. */
    async seenAt(accountId: string, recordId: string): Promise<number | null> {
      const link = await store.byRecord(accountId, recordId);
      const at = link?.seenUpdatedAt ? Date.parse(link.seenUpdatedAt) : NaN;
      return Number.isNaN(at) ? null : at;
    },

    /**
     * One round of the account's loop: the catch-up poll when due, then the pending contacts that are due, batch
     * after batch for up to `roundMs`, until none is (then the loop sleeps `idleMs`). Says how long to sleep before
     * the next round.
     */
    async syncCrmRound(input: CrmRoundInput): Promise<CrmRoundResult> {
      const actx = Context.current();
      const log: Logger = deps.logger ?? (actx.log as unknown as Logger);
      const a = await open(input.accountId, actx.cancellationSignal, log).catch((err) => {
        if (err instanceof RoundStop) return err;
        throw err;
      });
      if (a instanceof RoundStop) return { waitMs: a.waitMs, failures: input.failures, written: 0 };
      if (!a) return { gone: true, waitMs: 0, failures: 0, written: 0 };
      const blocked = await deps.rateLimiter.blockedFor(a.accountId);
      if (blocked > 0) return { waitMs: blocked, failures: input.failures, written: 0 };
      const until = Date.now() + roundMs;
      let written = 0;
      let waitMs = 0;
      try {
        try {
          await catchUp(a);
        } catch (err) {
          if (err instanceof RoundStop) throw err;
          if (!isConnectorError(err)) throw err;
          if (err.kind === 'rate_limited') {
            await deps.rateLimiter.pushBack(a.accountId, err.retryAfterMs ?? 1000);
            throw new RoundStop(err.retryAfterMs ?? 1000);
          }
          // The catch-up is a safety net: its failure is logged and tried again next time, the writes go on.
          log.warn({ accountId: a.accountId, error: err.message }, 'CRM catch-up poll failed');
        }
        while (Date.now() < until && !actx.cancellationSignal.aborted) {
          const due = await store.due(a.accountId, { limit: 20, debounceMs });
          if (due.length === 0) {
            waitMs = idleMs;
            break;
          }
          for (const link of due) {
            try {
              if (await push(a, link)) written++;
              await store.done(a.accountId, link.contactId, link.version);
            } catch (err) {
              await onWriteError(a, link, err);
            }
          }
        }
        await store.accountError(a.accountId, null);
        return { waitMs, failures: 0, written };
      } catch (err) {
        if (err instanceof RoundStop) {
          const failures = err.outage ? input.failures + 1 : input.failures;
          return { waitMs: err.outage ? outageDelay(failures) : err.waitMs, failures, written };
        }
        if (err instanceof ApplicationFailure) throw err;
        // Cancelled (the worker shutting down): the next round takes up what is pending.
        if (actx.cancellationSignal.aborted) return { waitMs: 0, failures: input.failures, written };
        throw toFailure(err, actx.info.attempt);
      }
    },
  };
}

class LinkTaken extends Error {
  constructor(recordId: string) {
    super(`the CRM record ${recordId} is linked to another contact already (one CRM record holds both people's email)`);
  }
}

export type CrmSync = ReturnType<typeof createCrmSync>;
export type CrmSyncActivities = Pick<CrmSync, 'syncCrmRound'>;
