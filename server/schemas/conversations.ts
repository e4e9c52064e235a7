// Shapes of /api/conversations: the inbox. One conversation per contact, every channel's messages in it.
import { Type, type Static } from 'typebox';
import { DateTime, Json, Limit } from './common.js';
import { Address, Contact } from './contacts.js';

export const Message = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  contactId: Type.String(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  channel: Type.String(),
  accountId: Type.String(),
  providerMessageId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'in: received; out: pending, queued, sent, delivered, read or failed' }),
  statusError: Type.Union([Type.String(), Type.Null()]),
  address: Address,
  replyTo: Type.Union([Address, Type.Null()]),
  text: Type.Union([Type.String(), Type.Null()]),
  content: Json,
  attachments: Type.Array(Json),
  thread: Json,
  sentAt: DateTime,
  statusAt: Type.Union([DateTime, Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()]),
});
export type Message = Static<typeof Message>;

export const Conversation = Type.Object({
  id: Type.String(),
  contact: Contact,
  lastMessageAt: Type.Union([DateTime, Type.Null()]),
  lastMessage: Type.Union([Message, Type.Null()]),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')], {
    description: '`closed` by POST /api/conversations/{id}/close until reopened (POST …/reopen, or a message in)',
  }),
  closedAt: Type.Union([DateTime, Type.Null()]),
});
export type Conversation = Static<typeof Conversation>;

export const ConversationListQuery = Type.Object({
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String({ maxLength: 300 })),
});
export type ConversationListQuery = Static<typeof ConversationListQuery>;
export const ConversationList = Type.Object({
  items: Type.Array(Conversation),
  nextCursor: Type.Optional(Type.String()),
});
export type ConversationList = Static<typeof ConversationList>;

export const MessageListQuery = Type.Object({
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String({ maxLength: 300, description: 'from `nextCursor`: older messages' })),
});
export type MessageListQuery = Static<typeof MessageListQuery>;
export const MessageList = Type.Object({
  items: Type.Array(Message, { description: 'newest first' }),
  nextCursor: Type.Optional(Type.String()),
});
export type MessageList = Static<typeof MessageList>;

export const SendBody = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 10_000 }),
  subject: Type.Optional(Type.String({ maxLength: 500, description: 'email only' })),
  html: Type.Optional(Type.String({ maxLength: 200_000, description: 'email only' })),
});
export type SendBody = Static<typeof SendBody>;

export const SendResult = Type.Object({
  id: Type.String({ description: 'the send (workflow) id, `snd_…`' }),
  status: Type.Union([Type.Literal('sent'), Type.Literal('sending')], {
    description: '`sending`: not finished within a few seconds; it goes on durably',
  }),
  message: Type.Optional(Json),
});
export type SendResult = Static<typeof SendResult>;
