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
