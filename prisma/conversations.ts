// The conversation store: every message in and out, one conversation per contact across channels, consent per
// channel, and the runs waiting for a contact's reply. Inbound messages are unique per (account, provider id) and
// outbound ones per (account, step), so neither a provider's redelivery nor a retried step writes a message twice.
import type { JsonObject, JsonValue } from '../connectors/flow/types.js';
import type { MessageReceived, MessageStatus } from '../connectors/sdk/channel.js';
import type {
  ContactIdentityInput,
  ContactRecord,
  ContactsService,
  OpenConversation,
  ResolvedIdentity,
} from '../connectors/sdk/types.js';
import { Prisma, type PrismaClient } from './client.js';
import { clusterIds, contactView, toRecord, withIdentities } from './contacts.js';
import { openConversationFor } from './conversation-rows.js';
import { recordOpenedInTx, setConversationStatus, type ConversationStatus } from './conversation-status.js';
import { recordMessageFailedInTx, type FailedRow } from './message-events.js';
import { markCrmPendingInTx } from './crm-sync.js';
import { isIdOf, newId } from './ids.js';
import { afterKey, isStorableTime, pageOf, type Page, type PageQuery } from './page.js';

export interface MessageRecord {
  id: string;
  conversationId: string;
  contactId: string;
  direction: 'in' | 'out';
  channel: string;
  accountId: string;
  providerMessageId: string | null;
  status: string;
  statusError: string | null;
  address: ContactIdentityInput;
  replyTo: ContactIdentityInput | null;
  text: string | null;
  content: JsonObject;
  attachments: JsonValue[];
  thread: JsonObject | null;
  sentAt: string;
  statusAt: string | null;
  source: string | null;
}

type MessageRow = Prisma.MessageGetPayload<object>;

export function toMessage(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    conversationId: row.conversationId,
    contactId: row.contactId,
    direction: row.direction as 'in' | 'out',
    channel: row.channel,
    accountId: row.accountId,
    providerMessageId: row.providerMessageId,
    status: row.status,
    statusError: row.statusError,
    address: row.address as unknown as ContactIdentityInput,
    replyTo: (row.replyTo ?? null) as unknown as ContactIdentityInput | null,
    text: row.text,
    content: (row.content ?? {}) as JsonObject,
    attachments: (row.attachments ?? []) as JsonValue[],
    thread: (row.thread ?? null) as JsonObject | null,
    sentAt: row.sentAt.toISOString(),
    statusAt: row.statusAt?.toISOString() ?? null,
    source: row.source,
  };
}

const json = (v: unknown) => (v === undefined || v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/** The row of a cluster owning the sender's identity (the first valid one given that the cluster holds). */
async function senderRow(
  tx: Prisma.TransactionClient,
  workspaceId: string,
  cluster: string[],
  identities: ResolvedIdentity[],
  fallback: string,
): Promise<string> {
  const valid = identities.filter((i) => i.valid);
  if (valid.length === 0) return fallback;
  const rows = await tx.identity.findMany({
    where: {
      workspaceId,
      contactId: { in: cluster },
      valid: true,
      detachedAt: null,
      OR: valid.map(({ kind, key }) => ({ kind, key })),
    },
    select: { contactId: true, kind: true, key: true },
  });
  for (const i of valid) {
    const hit = rows.find((r) => r.kind === i.kind && r.key === i.key);
    if (hit) return hit.contactId;
  }
  return fallback;
}

export interface InboundInput {
  workspaceId: string;
  accountId: string;
  channel: string;
  event: MessageReceived;
  /** The sender's identities through the matching rules (`senderIdentities` of connectors/contacts/identity.ts). */
  identities: ResolvedIdentity[];
}

export interface InboundResult {
  /** The message was already recorded (a redelivery after the ingest workflow id was forgotten): do nothing more. */
  duplicate: boolean;
  message: MessageRecord;
  contact: ContactRecord;
  /** Runs waiting for this contact's reply (not expired). */
  waits: { runId: string; nodeId: string; flowId: string }[];
}

/** A conversation as the inbox shows it: its contact and latest message. */
export interface ConversationRecord {
  id: string;
  contactId: string;
  contact: ContactRecord;
  lastMessageAt: Date | null;
  lastMessage: MessageRecord | null;
  status: ConversationStatus;
  closedAt: Date | null;
}

const inboxInclude = {
  contact: { include: withIdentities },
  messages: { orderBy: [{ sentAt: 'desc' as const }, { id: 'desc' as const }], take: 1 },
};
type ConversationRow = Prisma.ConversationGetPayload<{ include: typeof inboxInclude }>;

const toConversation = (row: ConversationRow): ConversationRecord => ({
  id: row.id,
  contactId: row.contactId,
  contact: toRecord(row.contact),
  lastMessageAt: row.lastMessageAt,
  lastMessage: row.messages[0] ? toMessage(row.messages[0]) : null,
  status: row.status as ConversationStatus,
  closedAt: row.closedAt,
});

/** An open conversation as the `conversations.listOpen` action gives it (connectors/sdk/types.ts OpenConversation). */
export const openConversation = (c: ConversationRecord): OpenConversation => ({
  id: c.id,
  contactId: c.contactId,
  name: c.contact.name,
  channel: c.lastMessage?.channel ?? '',
  text: c.lastMessage?.text ?? null,
  since: (c.lastMessage ? new Date(c.lastMessage.sentAt) : (c.lastMessageAt ?? new Date(0))).toISOString(),
});

/** Status order: a late `delivered` never overwrites `read`. `failed` wins over everything but `read`. */
const STATUS_ORDER = ['pending', 'queued', 'sent', 'delivered', 'failed', 'read'];

/** What message.failed needs of the message row (message-events.ts), with its conversation's contact. */
const FAILED_COLUMNS = Prisma.sql`id, workspace_id, conversation_id, channel, account_id, address, text, source,
  origin, provider_message_id, (SELECT contact_id FROM conversations c WHERE c.id = messages.conversation_id) AS contact_id`;

export function createConversationStore(prisma: PrismaClient, contacts: ContactsService) {
  const inbox = async (where: Prisma.ConversationWhereInput, take: number) =>
    (
      await prisma.conversation.findMany({
        where,
        include: inboxInclude,
        orderBy: [{ lastMessageAt: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
        take,
      })
    ).map(toConversation);

  return {
    /** The inbox: the workspace's conversations with a message, the most recently active first. */
    async listConversations(workspaceId: string, query: PageQuery): Promise<Page<ConversationRecord>> {
      const rows = await inbox(
        { workspaceId, lastMessageAt: { not: null }, ...afterKey(query.cursor, 'lastMessageAt') },
        query.limit + 1,
      );
      return pageOf(rows, query.limit, (c) => (c.lastMessageAt ? { at: c.lastMessageAt, id: c.id } : undefined));
    },

    /**
     * Open conversations waiting for us: not closed, and their latest message (in or out, any channel) is the
     * customer's; the longest waiting first. The daily digest template reads it through `conversations.listOpen`.
     */
    async listOpen(workspaceId: string, limit: number): Promise<ConversationRecord[]> {
      const rows = await prisma.$queryRaw<{ id: string }[]>`
        SELECT c.id FROM conversations c
        JOIN LATERAL (
          SELECT m.direction FROM messages m WHERE m.conversation_id = c.id ORDER BY m.sent_at DESC, m.id DESC LIMIT 1
        ) last ON true
        WHERE c.workspace_id = ${workspaceId} AND c.status = 'open' AND c.last_message_at IS NOT NULL
          AND last.direction = 'in'
        ORDER BY c.last_message_at ASC, c.id ASC
        LIMIT ${limit}`;
      if (rows.length === 0) return [];
      const found = await inbox({ id: { in: rows.map((r) => r.id) } }, rows.length);
      return rows.flatMap((r) => found.filter((c) => c.id === r.id));
    },

    /** Null when the workspace has no such conversation. */
    async getConversation(workspaceId: string, id: string): Promise<ConversationRecord | null> {
      const [row] = await inbox({ id, workspaceId }, 1);
      return row ?? null;
    },

    /** A conversation's messages, newest first, on every channel. */
    async listMessages(conversationId: string, query: PageQuery): Promise<Page<MessageRecord>> {
      const rows = await prisma.message.findMany({
        where: { conversationId, ...afterKey(query.cursor, 'sentAt') },
        orderBy: [{ sentAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      return pageOf(rows.map(toMessage), query.limit, (m) => ({ at: new Date(m.sentAt), id: m.id }));
    },

    /** Finds or creates the sender's contact, records the message in their conversation, applies consent. */
    async recordInbound(input: InboundInput): Promise<InboundResult> {
      const { workspaceId, accountId, channel, event, identities } = input;
      const { contact } = await contacts.upsert(workspaceId, {
        identities,
        ...(event.sender.name && { name: event.sender.name }),
        source: { type: 'message', accountId, providerMessageId: event.providerMessageId },
      });
      // A provider's time PostgreSQL cannot store (or none) is "now", as the message is received now.
      const sentAt = new Date(event.timestamp);
      const at = isStorableTime(sentAt.getTime()) ? sentAt : new Date();
      return prisma.$transaction(async (tx) => {
        const existing = await tx.message.findUnique({
          where: { accountId_providerMessageId: { accountId, providerMessageId: event.providerMessageId } },
        });
        if (existing) return { duplicate: true, message: toMessage(existing), contact, waits: [] };
        // The contact is the root (a merged view); the message belongs to the row owning the sender's identity, so
        // undoing the merge takes it back with that row, but it goes in the root's conversation.
        const cluster = await clusterIds(tx, contact.id);
        const owner =
          cluster.length === 1 ? contact.id : await senderRow(tx, workspaceId, cluster, identities, contact.id);
        const conversation = await openConversationFor(tx, workspaceId, contact.id, at, true);
        const conversationId = conversation.id;
        const row = await tx.message.create({
          data: {
            id: newId('msg'),
            workspaceId,
            conversationId,
            contactId: owner,
            direction: 'in',
            channel,
            accountId,
            providerMessageId: event.providerMessageId,
            status: 'received',
            address: event.sender.identity as unknown as Prisma.InputJsonObject,
            replyTo: json(event.replyTo),
            text: event.text ?? null,
            // The sender's name as the channel gave it: a message without one (an SMS) says nothing of who wrote it,
            // so it may be re-filed when its address turns out to be shared (contact-shared-lines.ts).
            content: {
              ...(event.raw !== undefined && { raw: event.raw }),
              ...(event.sender.name && { senderName: event.sender.name }),
            } as Prisma.InputJsonObject,
            attachments: (event.attachments ?? []) as unknown as Prisma.InputJsonArray,
            thread: json(event.thread),
            sentAt: at,
          },
        });
        if (event.consent) {
          await tx.consent.upsert({
            where: { contactId_channel: { contactId: owner, channel } },
            create: { workspaceId, contactId: owner, channel, status: event.consent, source: `message:${row.id}` },
            update: { status: event.consent, source: `message:${row.id}`, updatedAt: new Date() },
          });
        }
        if (conversation.opened) {
          const opened = { conversationId, contactId: contact.id, reason: conversation.opened, messageId: row.id };
          const by = { type: 'message', messageId: row.id, accountId };
          await recordOpenedInTx(tx, workspaceId, { ...opened, channel, accountId }, by);
        }
        // A CRM account that logs messages writes it on the contact's record (prisma/crm-sync.ts).
        await markCrmPendingInTx(tx, workspaceId, [owner], { message: true });
        const waits = await tx.runWait.findMany({
          where: { contactId: { in: cluster }, expiresAt: { gt: new Date() } },
          select: { runId: true, nodeId: true, flowId: true },
          orderBy: { createdAt: 'asc' },
        });
        return { duplicate: false, message: toMessage(row), contact, waits };
      });
    },

    /**
     * Applies a delivery status to the outbound message it is about, only forwards (one statement, so two statuses
     * arriving together cannot leave the earlier one last). False when no such message is known (yet).
     */
    async recordStatus(accountId: string, event: MessageStatus): Promise<boolean> {
      const at = new Date(event.timestamp);
      // A status turning the message failed records message.failed with it (once: a repeated `failed` changes nothing).
      const updated = await prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<FailedRow[]>`
          UPDATE messages SET status = ${event.status}, status_error = ${event.error ?? null}, status_at = ${isStorableTime(at.getTime()) ? at : new Date()}
          WHERE account_id = ${accountId} AND provider_message_id = ${event.providerMessageId}
            AND COALESCE(array_position(${STATUS_ORDER}::text[], status), 0) < array_position(${STATUS_ORDER}::text[], ${event.status}::text)
          RETURNING ${FAILED_COLUMNS}`;
        if (event.status === 'failed')
          for (const r of rows) await recordMessageFailedInTx(tx, r, { message: event.error ?? 'delivery failed' });
        return rows.length;
      });
      if (updated > 0) return true;
      return (await prisma.message.count({ where: { accountId, providerMessageId: event.providerMessageId } })) > 0;
    },

    /** The message a step already sent (or began to send) on this account. */
    findOutbound: (accountId: string, idempotencyKey: string) =>
      prisma.message
        .findUnique({ where: { accountId_idempotencyKey: { accountId, idempotencyKey } } })
        .then((r) => (r ? toMessage(r) : null)),

    /** Records an outbound message as `pending` before it goes out (or returns the one a previous attempt recorded). */
    async beginOutbound(input: {
      workspaceId: string;
      accountId: string;
      channel: string;
      contactId: string;
      address: ContactIdentityInput;
      idempotencyKey: string;
      text?: string;
      content: JsonObject;
      attachments?: JsonValue[];
      thread?: JsonObject;
      source: string;
      /** The platform event that started the sending run (messages.origin). */
      origin?: string;
    }): Promise<MessageRecord> {
      const at = new Date();
      return prisma.$transaction(async (tx) => {
        const conversation = await openConversationFor(tx, input.workspaceId, input.contactId, at, false);
        const conversationId = conversation.id;
        const [row] = await tx.$queryRaw<{ id: string }[]>`
          INSERT INTO messages (id, workspace_id, conversation_id, contact_id, direction, channel, account_id, idempotency_key, status,
                                address, text, content, attachments, thread, sent_at, source, origin)
          VALUES (${newId('msg')}, ${input.workspaceId}, ${conversationId}, ${input.contactId}, 'out', ${input.channel}, ${input.accountId},
                  ${input.idempotencyKey}, 'pending', ${JSON.stringify(input.address)}::jsonb, ${input.text ?? null},
                  ${JSON.stringify(input.content)}::jsonb, ${JSON.stringify(input.attachments ?? [])}::jsonb,
                  ${input.thread ? JSON.stringify(input.thread) : null}::jsonb, ${at}, ${input.source}, ${input.origin ?? null})
          ON CONFLICT (account_id, idempotency_key) DO UPDATE SET status = messages.status
          RETURNING id`;
        if (conversation.opened) {
          const opened = { conversationId, contactId: input.contactId, reason: conversation.opened };
          const where = { channel: input.channel, accountId: input.accountId, messageId: row!.id };
          await recordOpenedInTx(
            tx,
            input.workspaceId,
            { ...opened, ...where },
            { type: 'send', source: input.source },
          );
        }
        return toMessage(await tx.message.findUniqueOrThrow({ where: { id: row!.id } }));
      });
    },

    async completeOutbound(id: string, result: { providerMessageId: string; status: string }): Promise<MessageRecord> {
      const row = await prisma.message.update({
        where: { id },
        data: {
          providerMessageId: result.providerMessageId,
          status: result.status,
          sentAt: new Date(),
          statusAt: new Date(),
        },
      });
      // Sent: a CRM account that logs messages writes it now (prisma/crm-sync.ts).
      await markCrmPendingInTx(prisma, row.workspaceId, [row.contactId], { message: true });
      return toMessage(row);
    },

    /** The send failed for good: the message is `failed`, and message.failed is recorded with it (once). */
    async failOutbound(id: string, error: string, code?: string): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<FailedRow[]>`
          UPDATE messages SET status = 'failed', status_error = ${error}, status_at = ${new Date()}
          WHERE id = ${id} AND status <> 'failed'
          RETURNING ${FAILED_COLUMNS}`;
        for (const r of rows) await recordMessageFailedInTx(tx, r, { message: error, ...(code && { code }) });
      });
    },

    /**
     * Closes (or reopens) a conversation, recording conversation.closed (or .opened) with it; null when the workspace
     * has no such conversation. Already so: nothing changes and no event.
     */
    setStatus: (workspaceId: string, id: string, status: ConversationStatus, by: { type: string; ref?: string }) =>
      setConversationStatus(prisma, workspaceId, id, status, by),

    /** Records a consent change learnt outside a message (a provider refusing a send to an unsubscribed number). */
    async setConsent(
      workspaceId: string,
      contactId: string,
      channel: string,
      status: 'opted_out' | 'opted_in',
      source: string,
    ): Promise<void> {
      await prisma.consent.upsert({
        where: { contactId_channel: { contactId, channel } },
        create: { workspaceId, contactId, channel, status, source },
        update: { status, source, updatedAt: new Date() },
      });
    },

    async consent(
      contactId: string,
      channel: string,
    ): Promise<{ status: string; source: string | null; updatedAt: string } | null> {
      // A merged contact's rows keep their own consents; an opt-out on any of them holds for the whole contact (the
      // safe side: never write to someone who said STOP), else the latest change.
      const root = await prisma.contact.findUnique({ where: { id: contactId }, select: { mergedIntoId: true } });
      const rows = await prisma.consent.findMany({
        where: { contactId: { in: await clusterIds(prisma, root?.mergedIntoId ?? contactId) }, channel },
        orderBy: { updatedAt: 'desc' },
      });
      const row = rows.find((r) => r.status === 'opted_out') ?? rows[0];
      return row ? { status: row.status, source: row.source, updatedAt: row.updatedAt.toISOString() } : null;
    },

    /** The contact's latest inbound message: where "reply on the channel they used last" goes. */
    async lastInbound(workspaceId: string, contactId: string): Promise<MessageRecord | null> {
      // A merged contact's rows each keep their messages: the latest of any of them.
      const row = await prisma.message.findFirst({
        where: { workspaceId, contactId: { in: await clusterIds(prisma, contactId) }, direction: 'in' },
        // Arrival order, not the providers' clocks: a WhatsApp timestamp has whole seconds, an SMS has none at all.
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      });
      return row ? toMessage(row) : null;
    },

    async registerWait(w: {
      runId: string;
      nodeId: string;
      workspaceId: string;
      flowId: string;
      contactId: string;
      expiresAt: Date;
    }): Promise<void> {
      await prisma.runWait.upsert({
        where: { runId_nodeId: { runId: w.runId, nodeId: w.nodeId } },
        create: w,
        update: { contactId: w.contactId, expiresAt: w.expiresAt },
      });
    },

    async clearWait(runId: string, nodeId: string): Promise<void> {
      await prisma.runWait.deleteMany({ where: { runId, nodeId } });
    },

    async getContact(workspaceId: string, id: string): Promise<ContactRecord | null> {
      return contactView(prisma, workspaceId, id);
    },
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;

// --- A web chat visitor's messages (routes/webchat.ts) -------------------------------------------------------------
// The visitor sees the messages of this account addressed from or to their webchat identity, whatever contact they
// are filed under (a visitor who gives an email joins that contact; its other channels' history is not theirs to read,
// and the email is not verified). Outbound messages count once sent (not while `pending`, nor `failed`).
//
// "New since last time" is keyed by when a message became visible: its insert (in) or its send (out: `sent_at` is set
// when the send completes, `created_at` when it began). Rows do not become visible in that order (a send that waited
// for its rate limit, a transaction committing late, two clocks), so the cursor keeps a window: the watermark `t` and
// the ids already returned within LAG_MS before it. A late row inside the window is still returned, once.

const LAG_MS = 10_000;
const CURSOR_PREFIX = 'c1.';
/** The most messages one answer carries. */
const PAGE = 100;

export interface Visitor {
  accountId: string;
  visitorId: string;
}

interface VisitorRow {
  id: string;
  direction: 'in' | 'out';
  text: string | null;
  providerMessageId: string | null;
  sentAt: Date;
  at: Date;
}

export interface Position {
  /** Watermark: epoch ms of the latest visibility returned. */
  t: number;
  /** Ids already returned whose visibility is within LAG_MS before `t`. */
  seen: Set<string>;
}

const VISIBLE_AT = Prisma.sql`(CASE WHEN direction = 'in' THEN created_at ELSE sent_at END)`;

function visibleRows(
  prisma: PrismaClient,
  v: Visitor,
  where: Prisma.Sql,
  order: 'asc' | 'desc',
  limit: number,
): Promise<VisitorRow[]> {
  const address = JSON.stringify({ kind: 'webchat', value: v.visitorId });
  const direction = order === 'asc' ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  return prisma.$queryRaw<VisitorRow[]>`
    SELECT id, direction, text, provider_message_id AS "providerMessageId", sent_at AS "sentAt", ${VISIBLE_AT} AS at
    FROM messages
    WHERE account_id = ${v.accountId} AND address @> ${address}::jsonb
      AND (direction = 'in' OR status NOT IN ('pending', 'failed'))
      AND ${where}
    ORDER BY at ${direction}, id ${direction}
    LIMIT ${limit}`;
}

/** An `after` that is neither a cursor from this API nor one of the visitor's message ids (the route's 400). */
export class VisitorCursorError extends Error {
  override name = 'VisitorCursorError';
}
const badAfter = (message: string) => new VisitorCursorError(message);

export const encodeVisitorCursor = (p: Position) =>
  CURSOR_PREFIX + Buffer.from(JSON.stringify([p.t, [...p.seen]])).toString('base64url');

/** `after` as a position: a cursor from this API, or the id of one of the visitor's messages (everything up to it is seen). */
async function decodePosition(prisma: PrismaClient, v: Visitor, after: string): Promise<Position> {
  if (after.startsWith(CURSOR_PREFIX)) {
    try {
      const [t, seen] = JSON.parse(Buffer.from(after.slice(CURSOR_PREFIX.length), 'base64url').toString()) as [
        unknown,
        unknown,
      ];
      // Only a watermark PostgreSQL can compare with (the window reaches LAG_MS before it); `seen` stays in memory.
      if (
        typeof t === 'number' &&
        isStorableTime(t - LAG_MS) &&
        isStorableTime(t) &&
        Array.isArray(seen) &&
        seen.every((id) => typeof id === 'string')
      )
        return { t, seen: new Set(seen as string[]) };
    } catch {
      // falls through to the 400
    }
    throw badAfter('not a cursor from this API');
  }
  if (!isIdOf('msg', after)) throw badAfter("not the id of one of this visitor's messages");
  const [message] = await visibleRows(prisma, v, Prisma.sql`id = ${after}`, 'asc', 1);
  if (!message) throw badAfter("not the id of one of this visitor's messages");
  const t = message.at.getTime();
  const window = await visibleRows(
    prisma,
    v,
    Prisma.sql`${VISIBLE_AT} > ${new Date(t - LAG_MS)} AND ${VISIBLE_AT} <= ${message.at}`,
    'asc',
    1000,
  );
  return { t, seen: new Set(window.filter((r) => r.at.getTime() < t || r.id <= message.id).map((r) => r.id)) };
}

/** The messages after `position` (or the latest page without one), and the position after them. */
async function readMessages(prisma: PrismaClient, v: Visitor, position: Position | undefined) {
  let fresh: VisitorRow[];
  let window: VisitorRow[];
  let t: number;
  if (!position) {
    fresh = (await visibleRows(prisma, v, Prisma.sql`TRUE`, 'desc', PAGE)).reverse();
    t = fresh.at(-1)?.at.getTime() ?? 0;
    window = fresh;
  } else {
    window = await visibleRows(
      prisma,
      v,
      Prisma.sql`${VISIBLE_AT} > ${new Date(position.t - LAG_MS)}`,
      'asc',
      PAGE + position.seen.size,
    );
    fresh = window.filter((r) => !position.seen.has(r.id)).slice(0, PAGE);
    t = Math.max(position.t, ...fresh.map((r) => r.at.getTime()));
  }
  const returned = new Set(fresh.map((r) => r.id));
  const seen = new Set(
    window
      .filter((r) => r.at.getTime() > t - LAG_MS && (returned.has(r.id) || position?.seen.has(r.id)))
      .map((r) => r.id),
  );
  return {
    messages: fresh.map((r) => ({
      id: r.id,
      direction: r.direction,
      text: r.text,
      sentAt: r.sentAt.toISOString(),
      // The widget matches its own messages by the id it gave them (`<visitorId>:<clientMessageId>`).
      ...(r.direction === 'in' &&
        r.providerMessageId?.includes(':') && {
          clientMessageId: r.providerMessageId.slice(r.providerMessageId.indexOf(':') + 1),
        }),
    })),
    position: { t, seen } satisfies Position,
  };
}

/** What the web chat routes read for a visitor: `after` as a position, and the messages after a position. */
export function createVisitorMessages(prisma: PrismaClient) {
  return {
    /** A cursor from this API, or the id of one of the visitor's messages; throws VisitorCursorError for anything else. */
    decodePosition: (v: Visitor, after: string) => decodePosition(prisma, v, after),
    /** The messages after `position` (or the latest page without one), and the position after them. */
    read: (v: Visitor, position: Position | undefined) => readMessages(prisma, v, position),
  };
}
