// /api/conversations: the inbox. One conversation per contact across channels, its messages newest first, and an
// agent's reply, sent on the channel the contact last wrote from (durably: a `sendMessage` workflow).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toRecord, withIdentities } from '../../prisma/contacts.js';
import { toMessage } from '../../prisma/conversations.js';
import { SendFailedError } from '../../worker/client.js';
import type { SendMessageInput } from '../../worker/contract.js';
import { HttpError, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { errors, IdParams } from '../schemas/common.js';
import {
  Conversation,
  ConversationList,
  ConversationListQuery,
  MessageList,
  MessageListQuery,
  SendBody,
  SendResult,
} from '../schemas/conversations.js';
import { after, encodeKey } from '../services/keyset.js';

const tags = ['conversations'];
/** How long a send request waits for the message to go out before answering 202 `sending`. */
const SEND_WAIT_MS = 10_000;

export const conversationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const include = {
    contact: { include: withIdentities },
    messages: { orderBy: [{ sentAt: 'desc' as const }, { id: 'desc' as const }], take: 1 },
  };
  type Row = Awaited<ReturnType<typeof load>>[number];
  const load = (where: object, take: number) =>
    app.prisma.conversation.findMany({
      where,
      include,
      orderBy: [{ lastMessageAt: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
      take,
    });
  const toConversation = (row: Row) => ({
    id: row.id,
    contact: toRecord(row.contact),
    lastMessageAt: row.lastMessageAt?.toISOString() ?? null,
    lastMessage: row.messages[0] ? toMessage(row.messages[0]) : null,
  });

  app.get(
    '/conversations',
    {
      schema: {
        tags,
        summary: 'The inbox: conversations, the most recently active first',
        querystring: ConversationListQuery,
        response: { 200: ConversationList, ...errors(400, 401) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await load(
        {
          workspaceId: request.workspaceId,
          lastMessageAt: { not: null },
          ...after(request.query.cursor, 'lastMessageAt'),
        },
        limit + 1,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toConversation),
        ...(rows.length > limit && last?.lastMessageAt && { nextCursor: encodeKey(last.lastMessageAt, last.id) }),
      };
    },
  );

  async function owned(workspaceId: string, id: string) {
    const [row] = await load({ id, workspaceId }, 1);
    if (!row) throw notFound('conversation');
    return row;
  }

  app.get(
    '/conversations/:id',
    {
      schema: {
        tags,
        summary: 'A conversation with its contact and latest message',
        params: IdParams,
        response: { 200: Conversation, ...errors(401, 404) },
      },
    },
    async (request) => toConversation(await owned(request.workspaceId, request.params.id)),
  );

  app.get(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: "A conversation's messages, newest first, on every channel",
        params: IdParams,
        querystring: MessageListQuery,
        response: { 200: MessageList, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const conversation = await owned(request.workspaceId, request.params.id);
      const limit = request.query.limit ?? 50;
      const rows = await app.prisma.message.findMany({
        where: { conversationId: conversation.id, ...after(request.query.cursor, 'sentAt') },
        orderBy: [{ sentAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toMessage),
        ...(rows.length > limit && last && { nextCursor: encodeKey(last.sentAt, last.id) }),
      };
    },
  );

  app.post(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'Reply as an agent, on the channel the contact last wrote from',
        description:
          "Sent durably (retried, rate-limited, recorded like a flow's send). Answers 201 with the message once it went out, or 202 `sending` if that takes longer than a few seconds. A contact who opted out of the channel, or never wrote, gets 422.",
        params: IdParams,
        body: SendBody,
        response: { 201: SendResult, 202: SendResult, ...errors(400, 401, 404, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const conversation = await owned(request.workspaceId, request.params.id);
      const id = newId('snd');
      const input: SendMessageInput = {
        id,
        workspaceId: request.workspaceId,
        contactId: conversation.contactId,
        ...request.body,
      };
      const result = await app.workflows.sendAgentReply(input, { waitMs: SEND_WAIT_MS }).catch((err: unknown) => {
        if (err instanceof SendFailedError)
          throw new HttpError(422, 'send_failed', err.message, [
            { path: '/body', code: err.code, message: err.message },
          ]);
        throw err;
      });
      if (result === 'sending') return reply.code(202).send({ id, status: 'sending' as const });
      return reply.code(201).send({ id, status: 'sent' as const, message: result.output });
    },
  );
};
