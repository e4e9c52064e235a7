// A conversation's status (open or closed) and the platform events it makes (README.md "Platform events"): closing and
// reopening through the API, and the conversation.opened an inbound message or a first message records, each in the
// transaction of its change (the outbox: contact-events.ts).
import type { JsonObject } from '../connectors/flow/types.js';
import type { Prisma, PrismaClient } from './client.js';
import { recordEventsInTx, type EventCause } from './contact-events.js';
import type { OpenedBy } from './conversation-rows.js';

type Tx = Prisma.TransactionClient;

export type ConversationStatus = 'open' | 'closed';

/** Why a conversation.opened happened: its first message, an inbound message on a closed one, or POST /reopen. */
export type OpenedReason = OpenedBy | 'reopened';

/** The conversation's channel and account: those of its latest message (null before any). */
async function lastChannel(tx: Tx, conversationId: string) {
  const row = await tx.message.findFirst({
    where: { conversationId },
    orderBy: [{ sentAt: 'desc' }, { id: 'desc' }],
    select: { channel: true, accountId: true },
  });
  return { channel: row?.channel ?? null, accountId: row?.accountId ?? null };
}

/**
 * Records conversation.opened for a conversation the caller's transaction just opened. `channel`/`accountId`: the
 * message that opened it (else its latest message's).
 */
export async function recordOpenedInTx(
  tx: Tx,
  workspaceId: string,
  c: {
    conversationId: string;
    contactId: string;
    reason: OpenedReason;
    channel?: string;
    accountId?: string;
    messageId?: string;
  },
  by: EventCause,
): Promise<void> {
  const where = c.channel
    ? { channel: c.channel, accountId: c.accountId ?? null }
    : await lastChannel(tx, c.conversationId);
  const data: JsonObject = {
    conversationId: c.conversationId,
    ...where,
    reason: c.reason,
    ...(c.messageId !== undefined && { messageId: c.messageId }),
  };
  await recordEventsInTx(tx, workspaceId, [{ type: 'conversation.opened', contactId: c.contactId, data }], by);
}

export interface StatusChange {
  id: string;
  status: ConversationStatus;
  /** False when it already had that status: nothing changed, no event. */
  changed: boolean;
}

/**
 * Closes or reopens the workspace's conversation `id`, recording conversation.closed / conversation.opened (reason
 * `reopened`) in the same transaction; only a real change records one, so a repeated request is harmless. Null when
 * the workspace has no such conversation.
 */
export async function setConversationStatus(
  prisma: PrismaClient,
  workspaceId: string,
  id: string,
  status: ConversationStatus,
  by: EventCause,
): Promise<StatusChange | null> {
  return prisma.$transaction(async (tx) => {
    const from = status === 'closed' ? 'open' : 'closed';
    const at = new Date();
    // One conditional UPDATE: of two requests at once, one changes the row and records the event.
    const [row] = await tx.$queryRaw<{ contact_id: string }[]>`
      UPDATE conversations SET status = ${status},
        closed_at = ${status === 'closed' ? at : null}, closed_by = ${status === 'closed' ? JSON.stringify(by) : null}::jsonb
      WHERE id = ${id} AND workspace_id = ${workspaceId} AND status = ${from}
      RETURNING contact_id`;
    if (!row) {
      const exists = await tx.conversation.findFirst({ where: { id, workspaceId }, select: { status: true } });
      return exists ? { id, status: exists.status as ConversationStatus, changed: false } : null;
    }
    if (status === 'open')
      await recordOpenedInTx(
        tx,
        workspaceId,
        { conversationId: id, contactId: row.contact_id, reason: 'reopened' },
        by,
      );
    else {
      const data: JsonObject = { conversationId: id, ...(await lastChannel(tx, id)), closedAt: at.toISOString() };
      await recordEventsInTx(tx, workspaceId, [{ type: 'conversation.closed', contactId: row.contact_id, data }], by);
    }
    return { id, status, changed: true };
  });
}
