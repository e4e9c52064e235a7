// The conversation store: every message in and out, one conversation per contact across channels, consent per
// channel, and the runs waiting for a contact's reply. Inbound messages are unique per (account, provider id) and
// outbound ones per (account, step), so neither a provider's redelivery nor a retried step writes a message twice.
import type { JsonObject, JsonValue } from '../connectors/flow/types.js';
import type { MessageReceived, MessageStatus } from '../connectors/sdk/channel.js';
import type { ContactIdentityInput, ContactRecord, ContactsService } from '../connectors/sdk/types.js';
import { Prisma, type PrismaClient } from './client.js';
import { newId, toRecord, withIdentities } from './contacts.js';

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

async function conversationFor(
  tx: Prisma.TransactionClient,
  workspaceId: string,
  contactId: string,
  at: Date,
): Promise<string> {
  // Insert-or-bump in one statement: two messages of a new contact at once still make one conversation.
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO conversations (id, workspace_id, contact_id, last_message_at) VALUES (${newId('cnv')}, ${workspaceId}, ${contactId}, ${at})
    ON CONFLICT (contact_id) DO UPDATE SET last_message_at = GREATEST(conversations.last_message_at, EXCLUDED.last_message_at)
    RETURNING id`;
  return row!.id;
}

export interface InboundInput {
  workspaceId: string;
  accountId: string;
  channel: string;
  event: MessageReceived;
}

export interface InboundResult {
  /** The message was already recorded (a redelivery after the ingest workflow id was forgotten): do nothing more. */
  duplicate: boolean;
  message: MessageRecord;
  contact: ContactRecord;
  /** Runs waiting for this contact's reply (not expired). */
  waits: { runId: string; nodeId: string; flowId: string }[];
}

/** Status order: a late `delivered` never overwrites `read`. `failed` wins over everything but `read`. */
const STATUS_ORDER = ['pending', 'queued', 'sent', 'delivered', 'failed', 'read'];

export function createConversationStore(prisma: PrismaClient, contacts: ContactsService) {
  return {
    /** Finds or creates the sender's contact, records the message in their conversation, applies consent. */
    async recordInbound(input: InboundInput): Promise<InboundResult> {
      const { workspaceId, accountId, channel, event } = input;
      const identities = [event.sender.identity, ...(event.sender.identities ?? [])];
      const { contact } = await contacts.upsert(workspaceId, {
        identities,
        ...(event.sender.name && { name: event.sender.name }),
        source: `channel:${accountId}:${event.providerMessageId}`,
      });
      const sentAt = new Date(event.timestamp);
      const at = Number.isNaN(sentAt.getTime()) ? new Date() : sentAt;
      return prisma.$transaction(async (tx) => {
        const existing = await tx.message.findUnique({
          where: { accountId_providerMessageId: { accountId, providerMessageId: event.providerMessageId } },
        });
        if (existing) return { duplicate: true, message: toMessage(existing), contact, waits: [] };
        const conversationId = await conversationFor(tx, workspaceId, contact.id, at);
        const row = await tx.message.create({
          data: {
            id: newId('msg'),
            workspaceId,
            conversationId,
            contactId: contact.id,
            direction: 'in',
            channel,
            accountId,
            providerMessageId: event.providerMessageId,
            status: 'received',
            address: event.sender.identity as unknown as Prisma.InputJsonObject,
            replyTo: json(event.replyTo),
            text: event.text ?? null,
            content: (event.raw !== undefined ? { raw: event.raw } : {}) as Prisma.InputJsonObject,
            attachments: (event.attachments ?? []) as unknown as Prisma.InputJsonArray,
            thread: json(event.thread),
            sentAt: at,
          },
        });
        if (event.consent) {
          await tx.consent.upsert({
            where: { contactId_channel: { contactId: contact.id, channel } },
            create: { workspaceId, contactId: contact.id, channel, status: event.consent, source: `message:${row.id}` },
            update: { status: event.consent, source: `message:${row.id}`, updatedAt: new Date() },
          });
        }
        const waits = await tx.runWait.findMany({
          where: { contactId: contact.id, expiresAt: { gt: new Date() } },
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
      const updated = await prisma.$executeRaw`
        UPDATE messages SET status = ${event.status}, status_error = ${event.error ?? null}, status_at = ${Number.isNaN(at.getTime()) ? new Date() : at}
        WHERE account_id = ${accountId} AND provider_message_id = ${event.providerMessageId}
          AND COALESCE(array_position(${STATUS_ORDER}::text[], status), 0) < array_position(${STATUS_ORDER}::text[], ${event.status}::text)`;
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
    }): Promise<MessageRecord> {
      const at = new Date();
      return prisma.$transaction(async (tx) => {
        const conversationId = await conversationFor(tx, input.workspaceId, input.contactId, at);
        const [row] = await tx.$queryRaw<{ id: string }[]>`
          INSERT INTO messages (id, workspace_id, conversation_id, contact_id, direction, channel, account_id, idempotency_key, status,
                                address, text, content, attachments, thread, sent_at, source)
          VALUES (${newId('msg')}, ${input.workspaceId}, ${conversationId}, ${input.contactId}, 'out', ${input.channel}, ${input.accountId},
                  ${input.idempotencyKey}, 'pending', ${JSON.stringify(input.address)}::jsonb, ${input.text ?? null},
                  ${JSON.stringify(input.content)}::jsonb, ${JSON.stringify(input.attachments ?? [])}::jsonb,
                  ${input.thread ? JSON.stringify(input.thread) : null}::jsonb, ${at}, ${input.source})
          ON CONFLICT (account_id, idempotency_key) DO UPDATE SET status = messages.status
          RETURNING id`;
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
      return toMessage(row);
    },

    async failOutbound(id: string, error: string): Promise<void> {
      await prisma.message.update({
        where: { id },
        data: { status: 'failed', statusError: error, statusAt: new Date() },
      });
    },

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
      const row = await prisma.consent.findUnique({ where: { contactId_channel: { contactId, channel } } });
      return row ? { status: row.status, source: row.source, updatedAt: row.updatedAt.toISOString() } : null;
    },

    /** The contact's latest inbound message: where "reply on the channel they used last" goes. */
    async lastInbound(workspaceId: string, contactId: string): Promise<MessageRecord | null> {
      const row = await prisma.message.findFirst({
        where: { workspaceId, contactId, direction: 'in' },
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
      const row = await prisma.contact.findFirst({ where: { id, workspaceId }, include: withIdentities });
      return row ? toRecord(row) : null;
    },
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;
