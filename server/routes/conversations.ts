// /api/conversations: the inbox. One conversation per contact across channels, its messages newest first, and an
// agent's reply, sent on the channel the contact last wrote from (durably: a `sendMessage` workflow).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createContactsService } from '../../prisma/contacts.js';
import { createConversationStore, type ConversationRecord } from '../../prisma/conversations.js';
import { newId } from '../../prisma/ids.js';
import { SendFailedError } from '../../worker/client.js';
import type { SendMessageInput } from '../../worker/contract.js';
import { httpErrors } from '../errors.js';
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
import { decodeCursor, nextCursor } from '../services/keyset.js';

const tags = ['conversations'];
/** How long a send request waits for the message to go out before answering 202 `sending`. */
const SEND_WAIT_MS = 10_000;

export const conversationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const store = createConversationStore(app.prisma, createContactsService(app.prisma));
  const toConversation = (c: ConversationRecord) => ({
    id: c.id,
    contact: c.contact,
    lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
    lastMessage: c.lastMessage,
    status: c.status,
    closedAt: c.closedAt?.toISOString() ?? null,
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
      const page = await store.listConversations(request.workspaceId, {
        limit: request.query.limit ?? 50,
        cursor: decodeCursor(request.query.cursor, 'cnv'),
      });
      return { items: page.items.map(toConversation), ...nextCursor(page.next) };
    },
  );

  async function owned(workspaceId: string, id: string) {
    const conversation = await store.getConversation(workspaceId, id);
    if (!conversation) throw httpErrors.notFound('conversation');
    return conversation;
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
      const page = await store.listMessages(conversation.id, {
        limit: request.query.limit ?? 50,
        cursor: decodeCursor(request.query.cursor, 'msg'),
      });
      return { items: page.items, ...nextCursor(page.next) };
    },
  );

  // Closing and reopening (conversation-status.ts): each records its event, so flows start on it; a repeat is a no-op.
  for (const [verb, status] of [
    ['close', 'closed'],
    ['reopen', 'open'],
  ] as const)
    app.post(
      `/conversations/:id/${verb}`,
      {
        schema: {
          tags,
          summary: verb === 'close' ? 'Close a conversation (resolved)' : 'Reopen a closed conversation',
          description:
            `Records conversation.${status === 'open' ? 'opened' : 'closed'} (flows with that trigger start on it, ` +
            'once); a conversation already ' +
            status +
            ' is answered as it is, and nothing starts.',
          params: IdParams,
          response: { 200: Conversation, ...errors(401, 404) },
        },
      },
      async (request) => {
        const changed = await store.setStatus(request.workspaceId, request.params.id, status, { type: 'api' });
        if (!changed) throw httpErrors.notFound('conversation');
        return toConversation(await owned(request.workspaceId, request.params.id));
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
          throw httpErrors.sendFailed(err.message, [{ path: '/body', code: err.code, message: err.message }]);
        throw err;
      });
      if (result === 'sending') return reply.code(202).send({ id, status: 'sending' as const });
      return reply.code(201).send({ id, status: 'sent' as const, message: result.output });
    },
  );
};
