// message.failed (README.md "Platform events"): an outbound message turning `failed`, whether the provider refused the
// send (worker/channels.ts, failOutbound) or a delivery status said so later (recordStatus), records one event in the
// transaction of that change. Once per message: only the update that makes it `failed` records it, and the dedupe key
// drops any second one. No cascade: a message that a message.failed run sent (messages.origin) records none, so a flow
// whose own reply fails never starts itself (or another message.failed flow) again.
import type { JsonObject, JsonValue } from '../connectors/flow/types.js';
import type { Prisma } from './client.js';
import { recordEventsInTx } from './contact-events.js';

/** The columns of the failed message the event needs (conversations.ts FAILED_COLUMNS). */
export interface FailedRow {
  id: string;
  workspace_id: string;
  conversation_id: string;
  /** The conversation's contact (the cluster's root), the run's `contact`. */
  contact_id: string;
  channel: string;
  account_id: string;
  address: JsonValue;
  text: string | null;
  source: string | null;
  /** The platform event that started the sending run, e.g. `message.failed`. */
  origin: string | null;
  provider_message_id: string | null;
}

export async function recordMessageFailedInTx(
  tx: Prisma.TransactionClient,
  row: FailedRow,
  error: { message: string; code?: string },
): Promise<void> {
  if (row.origin === 'message.failed') return;
  const data: JsonObject = {
    messageId: row.id,
    conversationId: row.conversation_id,
    channel: row.channel,
    accountId: row.account_id,
    to: row.address,
    text: row.text,
    providerMessageId: row.provider_message_id,
    source: row.source,
    error: { message: error.message, code: error.code ?? null },
  };
  await recordEventsInTx(tx, row.workspace_id, [
    { type: 'message.failed', contactId: row.contact_id, data, dedupeKey: `message.failed:${row.id}` },
  ]);
}
