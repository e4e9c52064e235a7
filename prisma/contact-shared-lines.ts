// Shared lines (README.md "Matching rules", households). When an identifier turns out to be shared by differently
// named people (a second person arrives through a family's phone under their own name), the nameless messages that
// came through it before (an SMS says nothing of who wrote it) could be either person's. They are re-filed on the
// identifier's own nameless contact, "the line", where nameless deliveries through it go from then on (contacts.ts,
// the `either` rule), with a contact.updated event on both sides saying what moved and why; the identities stay where
// they are (each person keeps a shared copy). A person merges the line into the right contact to file them back.
import { checkIdentity } from '../connectors/contacts/identity.js';
import type { IdentitySource, ResolvedIdentity } from '../connectors/sdk/types.js';
import type { Prisma } from './client.js';
import { recordContactEventsInTx, type ContactEventInput, type EventCause } from './contact-events.js';
import { conversationFor } from './conversation-rows.js';
import { newId } from './ids.js';

type Tx = Prisma.TransactionClient;

/** The most messages one re-filing moves (the oldest first); the rest stay where they are. */
export const MAX_REFILED_MESSAGES = 1000;

/** A row holding the identifier whose copy just turned shared, with its root (the contact it shows as) and name. */
export interface LineHolder {
  row: string;
  root: string;
  name: string | null;
}

/**
 * Moves the nameless inbound messages addressed by `identity` off the holders' rows onto the line (`line`, or a new
 * nameless contact with a shared copy of the identity), in the caller's transaction. Nothing happens (and no line is
 * created) when no such message exists.
 */
export async function refileSharedLineInTx(
  tx: Tx,
  workspaceId: string,
  input: {
    identity: ResolvedIdentity;
    holders: LineHolder[];
    /** The identifier's existing line contact, if any. */
    line?: string;
    /** Who arrived through the identifier under another name (the reason, in the events). */
    newcomer: { id: string; name: string };
    /** What made the change: the line's copy of the identity records the input's source; the events, the rule. */
    source: IdentitySource;
    cause: EventCause;
  },
): Promise<{ line: string; moved: string[] } | undefined> {
  const { identity, holders, newcomer, cause } = input;
  if (holders.length === 0) return undefined;
  const candidates = await tx.$queryRaw<
    { id: string; contact_id: string; conversation_id: string; value: string; sent_at: Date; channel: string }[]
  >`
    SELECT id, contact_id, conversation_id, address->>'value' AS value, sent_at, channel FROM messages
     WHERE workspace_id = ${workspaceId} AND contact_id = ANY(${holders.map((h) => h.row)}::text[])
       AND direction = 'in' AND address->>'kind' = ${identity.kind} AND NOT (content ? 'senderName')
     ORDER BY sent_at, id LIMIT ${MAX_REFILED_MESSAGES * 2}`;
  const same = (value: string) => {
    const checked = checkIdentity(identity.kind, value);
    return checked.ok && checked.key === identity.key;
  };
  const moving = candidates.filter((m) => same(m.value)).slice(0, MAX_REFILED_MESSAGES);
  if (moving.length === 0) return undefined;

  const events: ContactEventInput[] = [];
  let line = input.line;
  if (!line) {
    line = newId('ct');
    await tx.contact.create({
      data: {
        id: line,
        workspaceId,
        name: null,
        attributes: {},
        identities: {
          create: {
            id: newId('idn'),
            workspaceId,
            kind: identity.kind,
            value: identity.value,
            key: identity.key,
            valid: true,
            verified: identity.verified,
            shared: true,
            source: input.source as Prisma.InputJsonObject,
          },
        },
      },
    });
    events.push({ type: 'contact.created', contactId: line });
  }
  const ids = moving.map((m) => m.id);
  const last = moving.reduce((a, m) => (m.sent_at > a ? m.sent_at : a), moving[0]!.sent_at);
  const conversationId = await conversationFor(tx, workspaceId, line, last);
  await tx.$executeRaw`
    UPDATE messages SET contact_id = ${line}, conversation_id = ${conversationId} WHERE id = ANY(${ids}::text[])`;
  const left = [...new Set(moving.map((m) => m.conversation_id))];
  await tx.$executeRaw`
    UPDATE conversations c SET last_message_at = (SELECT max(sent_at) FROM messages m WHERE m.conversation_id = c.id)
     WHERE id = ANY(${left}::text[])`;
  // An opt-out the line sent (STOP) stays with the line: its consent is copied (the holder keeps its own).
  const consents = await tx.consent.findMany({
    where: { contactId: { in: holders.map((h) => h.row) }, source: { in: ids.map((id) => `message:${id}`) } },
  });
  if (consents.length > 0)
    await tx.consent.createMany({
      data: consents.map((c) => ({
        workspaceId,
        contactId: line!,
        channel: c.channel,
        status: c.status,
        source: c.source,
      })),
      skipDuplicates: true,
    });

  const channels = [...new Set(moving.map((m) => m.channel))].join(', ');
  const why = `${identity.value} is shared with ${newcomer.name}`;
  for (const root of [...new Set(holders.map((h) => h.root))]) {
    const rows = holders.filter((h) => h.root === root).map((h) => h.row);
    const messages = moving.filter((m) => rows.includes(m.contact_id)).map((m) => m.id);
    const n = messages.length;
    if (n === 0) continue;
    const what = `${n} ${channels} message${n === 1 ? '' : 's'} from ${identity.value}`;
    events.push(
      {
        type: 'contact.updated',
        contactId: root,
        data: {
          fields: ['messages'],
          changes: { messages: { from: what, to: `re-filed on the line's own contact ${line} (${why})` } },
          refiled: { to: line, messages },
        },
      },
      {
        type: 'contact.updated',
        contactId: line,
        data: {
          fields: ['messages'],
          changes: {
            messages: {
              from: `on ${holders.find((h) => h.root === root)!.name ?? root} (${root})`,
              to: `${what} re-filed here (${why})`,
            },
          },
          refiled: { from: root, messages },
        },
      },
    );
  }
  await recordContactEventsInTx(tx, workspaceId, events, cause);
  return { line, moved: ids };
}
