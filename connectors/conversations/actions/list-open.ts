// `conversations.listOpen`: the open conversations still waiting for an answer (not closed, the customer wrote last),
// the longest waiting first, with a ready-made text list for a digest (Slack, email).
import { ConnectorError, Type, defineAction, type OpenConversation } from '../../sdk/index.js';

const EXCERPT = 120;

export const listOpenInput = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 200, default: 50, title: 'At most', description: 'Conversations listed.' }),
    ),
  },
  { additionalProperties: false },
);

export const listOpenOutput = Type.Object({
  count: Type.Integer(),
  conversations: Type.Array(
    Type.Object({
      id: Type.String(),
      contactId: Type.String(),
      name: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
      channel: Type.String(),
      text: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
      since: Type.String({ format: 'date-time' }),
    }),
  ),
  text: Type.String({ description: 'One line per conversation: "• <name> (<channel>, since <time> UTC): <text>".' }),
});

/** One digest line: who, where, since when (UTC), and what they wrote (one line, cut). */
export function digestLine(c: OpenConversation): string {
  const text = (c.text ?? '(no text)').replace(/\s+/g, ' ').trim();
  const cut = text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text;
  return `• ${c.name ?? 'Unknown'} (${c.channel}, since ${c.since.slice(0, 16).replace('T', ' ')} UTC): ${cut}`;
}

export const listOpenAction = defineAction({
  id: 'listOpen',
  name: 'List open conversations',
  description:
    'The open conversations whose latest message is from the customer (nobody answered yet), the longest waiting first.',
  input: listOpenInput,
  output: listOpenOutput,
  ui: { group: 'Inbox' },
  async run(ctx, input) {
    if (!ctx.services.conversations)
      throw new ConnectorError('config', 'the inbox is not available here (no database)', { retryable: false });
    const conversations = await ctx.services.conversations.listOpen(ctx.workspaceId, { limit: input.limit ?? 50 });
    return {
      count: conversations.length,
      conversations,
      text: conversations.length === 0 ? 'Nobody is waiting for an answer.' : conversations.map(digestLine).join('\n'),
    };
  },
});
