// JSON Schemas of the channel shapes flows see: the event a channel-triggered run gets as `trigger`, and the sent
// message a send action returns. Plain data, served in connector manifests for the editor's data picker.
import type { JsonSchema } from './types.js';

const identity = {
  type: 'object',
  required: ['kind', 'value'],
  properties: { kind: { type: 'string' }, value: { type: 'string' } },
} as const;

const attachment = {
  type: 'object',
  required: ['type', 'ref'],
  properties: {
    type: { enum: ['image', 'audio', 'video', 'file', 'sticker', 'location', 'contact', 'other'] },
    ref: { type: 'string' },
    mimeType: { type: 'string' },
    name: { type: 'string' },
    caption: { type: 'string' },
  },
} as const;

export const IDENTITY_SCHEMA: JsonSchema = identity;
export const ATTACHMENT_SCHEMA: JsonSchema = attachment;

/** `trigger` in a run started by an inbound message (channel.message trigger). */
export const MESSAGE_EVENT_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'channel', 'accountId', 'message', 'sender', 'contactId', 'conversationId', 'receivedAt'],
  properties: {
    type: { const: 'message.received' },
    channel: { type: 'string', description: 'sms, whatsapp, telegram, email, ...' },
    accountId: { type: 'string' },
    message: {
      type: 'object',
      required: ['id', 'providerMessageId', 'timestamp'],
      properties: {
        id: { type: 'string', description: "Confluo's message id" },
        providerMessageId: { type: 'string' },
        text: { type: 'string' },
        attachments: { type: 'array', items: attachment },
        thread: { type: 'object' },
        timestamp: { type: 'string', format: 'date-time' },
      },
    },
    sender: {
      type: 'object',
      required: ['identity'],
      properties: { identity, identities: { type: 'array', items: identity }, name: { type: 'string' } },
    },
    replyTo: identity,
    contactId: { type: 'string' },
    conversationId: { type: 'string' },
    receivedAt: { type: 'string', format: 'date-time' },
  },
};

/** What a send action returns. */
export const SENT_MESSAGE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['id', 'conversationId', 'channel', 'accountId', 'providerMessageId', 'status', 'to'],
  properties: {
    id: { type: 'string' },
    conversationId: { type: 'string' },
    contactId: { type: ['string', 'null'] },
    channel: { type: 'string' },
    accountId: { type: 'string' },
    providerMessageId: { type: 'string' },
    status: { type: 'string' },
    to: identity,
    provider: {},
  },
};

/** The input property every channel send action has: which channel account to send from. */
export const ACCOUNT_INPUT: JsonSchema = {
  type: 'string',
  minLength: 1,
  title: 'Channel account',
  description: 'The id of the channel account to send from (GET /api/channel-accounts)',
  'x-ui': { widget: 'channel-account' },
};

/**
 * The optional `rateLimit` setting every channel's settings may carry: the platform paces the account's sends by it
 * instead of the connector's declared limit. Spread it and give your own description.
 */
export const RATE_LIMIT_SETTING: JsonSchema = {
  type: 'object',
  required: ['limit', 'intervalMs'],
  properties: { limit: { type: 'integer', minimum: 1 }, intervalMs: { type: 'integer', minimum: 1 } },
  additionalProperties: false,
  title: 'Rate limit',
  description: 'Sends per interval on this account, instead of the connector’s declared limit.',
};
