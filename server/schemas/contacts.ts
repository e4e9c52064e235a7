// Shapes of /api/contacts: the unified record (ContactRecord of the connector SDK).
import { Type, type Static } from 'typebox';
import { DateTime, Json, Limit } from './common.js';

export const Identity = Type.Object({ kind: Type.String(), value: Type.String() });
export type Identity = Static<typeof Identity>;

export const Contact = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  attributes: Json,
  identities: Type.Array(Identity),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Contact = Static<typeof Contact>;

export const ContactListQuery = Type.Object({
  identity: Type.Optional(
    Type.String({
      pattern: '^[a-z][a-z0-9_.-]*:.+$',
      maxLength: 500,
      description: '`kind:value`, e.g. `email:ada@example.com`',
    }),
  ),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type ContactListQuery = Static<typeof ContactListQuery>;

export const ContactList = Type.Object({ items: Type.Array(Contact), nextCursor: Type.Optional(Type.String()) });

export const TimelineEvent = Type.Object({
  type: Type.Union([
    Type.Literal('contact.created'),
    Type.Literal('identity.added'),
    Type.Literal('message.received'),
    Type.Literal('message.sent'),
  ]),
  at: DateTime,
  identity: Type.Optional(Identity),
  message: Type.Optional(
    Type.Object({
      id: Type.String(),
      channel: Type.String(),
      accountId: Type.String(),
      text: Type.Union([Type.String(), Type.Null()]),
      status: Type.String(),
    }),
  ),
  source: Type.Optional(Type.String({ description: 'provenance, e.g. `run:<runId>:<nodeId>`' })),
  runId: Type.Optional(Type.String()),
  nodeId: Type.Optional(Type.String()),
});
export const Timeline = Type.Object({ items: Type.Array(TimelineEvent) });
