// JSON Schemas of the channel shapes flows see: the event a channel-triggered run gets as `trigger`, and the sent
// message a send action returns. Written with TypeBox (which is JSON Schema); plain data in connector manifests, for
// the editor's data picker.
import { Type, type Static } from 'typebox';
import type { JsonObject, JsonValue } from '../flow/types.js';
import type { RateLimit, SentMessage } from './channel.js';

export const IDENTITY_SCHEMA = Type.Object({
  kind: Type.String(),
  value: Type.String(),
  /** The provider vouches for it (a sender's phone); absent when not. */
  verified: Type.Optional(Type.Boolean()),
});

export const ATTACHMENT_SCHEMA = Type.Object({
  type: Type.Enum(['image', 'audio', 'video', 'file', 'sticker', 'location', 'contact', 'other']),
  ref: Type.String(),
  mimeType: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  caption: Type.Optional(Type.String()),
});

/** `trigger` in a run started by an inbound message (channel.message trigger). */
export const MESSAGE_EVENT_SCHEMA = Type.Object({
  type: Type.Unsafe<'message.received'>({ const: 'message.received' }),
  channel: Type.String({ description: 'sms, whatsapp, telegram, email, ...' }),
  accountId: Type.String(),
  message: Type.Object({
    id: Type.String({ description: "Confluo's message id" }),
    providerMessageId: Type.String(),
    text: Type.Optional(Type.String()),
    attachments: Type.Optional(Type.Array(ATTACHMENT_SCHEMA)),
    thread: Type.Optional(Type.Unsafe<JsonObject>({ type: 'object' })),
    timestamp: Type.String({ format: 'date-time' }),
  }),
  sender: Type.Object({
    identity: IDENTITY_SCHEMA,
    identities: Type.Optional(Type.Array(IDENTITY_SCHEMA)),
    name: Type.Optional(Type.String()),
  }),
  replyTo: Type.Optional(IDENTITY_SCHEMA),
  contactId: Type.String(),
  conversationId: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
});

/** What a send action returns (the SDK's `SentMessage`). */
export const SENT_MESSAGE_SCHEMA = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  contactId: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'] })),
  channel: Type.String(),
  accountId: Type.String(),
  providerMessageId: Type.String(),
  status: Type.String(),
  to: IDENTITY_SCHEMA,
  provider: Type.Optional(Type.Unsafe<JsonValue>({})),
});

/** The input property every channel send action has: which channel account to send from. */
export const ACCOUNT_INPUT = Type.String({
  minLength: 1,
  title: 'Channel account',
  description: 'The id of the channel account to send from (GET /api/channel-accounts)',
  'x-ui': { widget: 'channel-account' },
});

/**
 * The optional `rateLimit` setting every channel's settings may carry: the platform paces the account's sends by it
 * instead of the connector's declared limit. `rateLimitSetting(description)` gives it your own description.
 */
export const rateLimitSetting = (
  description = 'Sends per interval on this account, instead of the connector’s declared limit.',
) =>
  Type.Unsafe<RateLimit>(
    Type.Object(
      { limit: Type.Integer({ minimum: 1 }), intervalMs: Type.Integer({ minimum: 1 }) },
      { additionalProperties: false, title: 'Rate limit', description },
    ),
  );

export const RATE_LIMIT_SETTING = rateLimitSetting();

/**
 * The optional `logMessages` setting of a CRM account (every CRM's settings carry it): the platform's sync then writes
 * each conversation message of a linked contact as a note on the CRM person (worker/crm-sync.ts).
 */
export const LOG_MESSAGES_SETTING = Type.Boolean({
  title: 'Log messages',
  description:
    "Write each conversation message (received, and sent once the channel took it) as a note on the person's CRM record, from when this is turned on.",
});

// Every SentMessage fits the schema (the schema leaves `contactId` optional, the interface always sets it).
true satisfies [SentMessage] extends [Static<typeof SENT_MESSAGE_SCHEMA>] ? true : false;
