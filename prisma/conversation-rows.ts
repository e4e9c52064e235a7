// A contact's conversation row, shared by the conversation store and the shared-line re-filing (contact-shared-lines.ts)
// without either importing the other.
import type { Prisma } from './client.js';
import { newId } from './ids.js';

/** The contact's conversation (created the first time), its last message time moved forward to `at`. */
export async function conversationFor(
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

/** How a conversation became open: its first message (`created`), or an inbound message on a closed one (`message`). */
export type OpenedBy = 'created' | 'message';

/**
 * As `conversationFor`; with `reopen` (an inbound message) a closed conversation opens again. Says whether the call
 * opened it, so the caller records conversation.opened in the same transaction. The reopening UPDATE locks the row, so
 * two messages arriving together on a closed conversation reopen it once.
 */
export async function openConversationFor(
  tx: Prisma.TransactionClient,
  workspaceId: string,
  contactId: string,
  at: Date,
  reopen: boolean,
): Promise<{ id: string; opened?: OpenedBy }> {
  if (reopen) {
    const [row] = await tx.$queryRaw<{ id: string }[]>`
      UPDATE conversations SET status = 'open', closed_at = NULL, closed_by = NULL,
        last_message_at = GREATEST(last_message_at, ${at})
      WHERE contact_id = ${contactId} AND status = 'closed'
      RETURNING id`;
    if (row) return { id: row.id, opened: 'message' };
  }
  // xmax = 0: the row was inserted by this statement, not updated.
  const [row] = await tx.$queryRaw<{ id: string; created: boolean }[]>`
    INSERT INTO conversations (id, workspace_id, contact_id, last_message_at) VALUES (${newId('cnv')}, ${workspaceId}, ${contactId}, ${at})
    ON CONFLICT (contact_id) DO UPDATE SET last_message_at = GREATEST(conversations.last_message_at, EXCLUDED.last_message_at)
    RETURNING id, (xmax = 0) AS created`;
  return { id: row!.id, ...(row!.created && { opened: 'created' as const }) };
}
