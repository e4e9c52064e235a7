// The channel contract: what a messaging connector (SMS, WhatsApp, Telegram, ...) declares so the gateway can receive
// from it and the platform can send through it. The gateway does the rest the same way for every channel: look up the
// account, answer handshakes, verify, parse, deduplicate on each event's key, make it durable in Temporal, acknowledge.
// Sends go through the platform too (consent, rate limit, idempotent outbound record), which calls `send`.
import type { JsonObject, JsonValue } from '../flow/types.js';
import type { ContactIdentityInput, JsonSchema, Logger, SchemaLike } from './base.js';

/** An inbound HTTP request as the provider sent it. Header names are lower-case. */
export interface InboundRequest {
  method: string;
  /**
   * The public URL the provider called: `CONFLUO_PUBLIC_URL` + path + query string, exactly as received. Twilio signs
   * this URL, so it must be what the provider saw, not the address behind a proxy.
   */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string>;
  /** The body bytes exactly as received (signatures are over these). */
  rawBody: Buffer;
}

/** One channel account, as the platform hands it to connector code. Credentials are decrypted; never log them. */
export interface ChannelAccount {
  id: string;
  workspaceId: string;
  credentials: JsonObject;
  settings: JsonObject;
  /** The account's inbound URL (`<public URL>/hooks/channels/<id>`). */
  inboundUrl: string;
}

export interface InboundContext {
  account: ChannelAccount;
  /** Milliseconds since the epoch (replay windows are checked against it; tests pass a fixed one). */
  now: number;
  logger: Logger;
}

/** A reply the gateway sends as is. A string body is sent as text (with `contentType`, default text/plain). */
export interface InboundResponse {
  status: number;
  body?: string | JsonValue;
  contentType?: string;
  headers?: Record<string, string>;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** An attachment by reference: Confluo stores the provider's id or URL, never the bytes. */
export interface AttachmentRef {
  type: 'image' | 'audio' | 'video' | 'file' | 'sticker' | 'location' | 'contact' | 'other';
  /** The provider's media id, file id or URL. */
  ref: string;
  mimeType?: string;
  name?: string;
  caption?: string;
}

/** Where to send a reply so it lands in the same thread (an email's Message-ID, a Slack thread, a chat id). */
export interface ThreadContext {
  /** The thread or chat the message belongs to (Slack channel + thread_ts, Telegram chat id, email References root). */
  id?: string;
  /** The provider id of the message this one answers, when the provider says. */
  inReplyTo?: string;
  /** Provider-specific extras needed to reply in place (e.g. Slack `channel`, email `references`). */
  extra?: JsonObject;
}

interface EventBase {
  /**
   * Unique per account for this event: a provider retry of the same delivery carries the same key, so it starts
   * nothing new. Usually the provider's message id (statuses add the status).
   */
  dedupeKey: string;
  /** ISO-8601 time the provider says the event happened. */
  timestamp: string;
}

export interface MessageReceived extends EventBase {
  type: 'message.received';
  providerMessageId: string;
  /** Who wrote: the identity the contact is found or created by, plus others the provider gave (a phone beside a WhatsApp id). */
  sender: { identity: ContactIdentityInput; identities?: ContactIdentityInput[]; name?: string };
  /**
   * The address a reply goes to on this channel (a Telegram chat id, a Slack channel, a phone). Defaults to the
   * sender's identity.
   */
  replyTo?: ContactIdentityInput;
  text?: string;
  attachments?: AttachmentRef[];
  thread?: ThreadContext;
  /** A consent keyword in the message (SMS STOP/START): recorded as the contact's consent for this channel. */
  consent?: 'opted_out' | 'opted_in';
  /** The provider's payload for this message, for flows that need a field Confluo does not normalize. */
  raw?: JsonValue;
}

export interface MessageStatus extends EventBase {
  type: 'message.status';
  /** The provider id of the outbound message this status is about. */
  providerMessageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  error?: string;
  recipient?: ContactIdentityInput;
}

export type ChannelEvent = MessageReceived | MessageStatus;

/** Thrown by `parse` for a payload the provider would never send: the gateway answers 400 with the message. */
export class InboundPayloadError extends Error {
  override readonly name = 'InboundPayloadError';
}

export interface InboundContract {
  /**
   * Provider handshakes. GET requests reach only this (Meta's `hub.challenge`); POST requests reach it after `verify`
   * succeeded (Slack's `url_verification`). Return undefined when the request is not a handshake.
   */
  handshake?(req: InboundRequest, ctx: InboundContext): InboundResponse | undefined;
  /** Checks the provider's signature in constant time (see signatures.ts). */
  verify(req: InboundRequest, ctx: InboundContext): VerifyResult;
  /** The normalized events in a verified request (may be none: provider pings, event kinds Confluo ignores). */
  parse(req: InboundRequest, ctx: InboundContext): ChannelEvent[];
  /** What the provider expects once the events are durable. Default: 200 with an empty body. */
  ack?: InboundResponse;
}

/** What the platform asks a channel to send. */
export interface OutboundMessage {
  /** The recipient's address on this channel (an identity kind the channel accepts, see `addressKinds`). */
  to: ContactIdentityInput;
  text?: string;
  /** Email only. */
  subject?: string;
  html?: string;
  attachments?: AttachmentRef[];
  thread?: ThreadContext;
  /** Provider-specific message content (a WhatsApp template, Slack blocks): passed to `send` as is. */
  payload?: JsonObject;
}

export interface SendContext {
  account: ChannelAccount;
  /** The same on every attempt of the step: send it to providers that deduplicate. */
  idempotencyKey: string;
  signal: AbortSignal;
  logger: Logger;
}

export interface SendResult {
  providerMessageId: string;
  /** Default `sent`. */
  status?: 'queued' | 'sent' | 'delivered';
  /** The provider's answer, trimmed to what a flow may want (returned as the step's output `provider`). */
  provider?: JsonValue;
}

export interface RegisterContext {
  account: ChannelAccount;
  signal: AbortSignal;
  logger: Logger;
}

/** What registration changed: merged into the stored account (e.g. a generated webhook secret). */
export interface RegisterResult {
  credentials?: JsonObject;
  settings?: JsonObject;
}

export interface PollContext {
  account: ChannelAccount;
  signal: AbortSignal;
  logger: Logger;
}

export interface ChannelDefinition {
  /** The channel's name in flows and conversations: `sms`, `whatsapp`, `telegram`, `email`, ... */
  name: string;
  /** Identity kinds a recipient may be addressed by, preferred first (`phone` for SMS, `whatsapp` then `phone`, ...). */
  addressKinds: string[];
  /** JSON Schema of the account's settings (not secret), e.g. an API base URL or a phone number id. */
  settings?: SchemaLike;
  /** Webhook-based channels. */
  inbound?: InboundContract;
  /** Polling channels (IMAP): new events since `cursor`, and the cursor to pass next time. */
  poll?(ctx: PollContext, cursor: JsonValue | null): Promise<{ events: ChannelEvent[]; cursor: JsonValue }>;
  /** How often `poll` runs, ISO-8601 duration. Default PT1M. */
  pollInterval?: string;
  send(ctx: SendContext, message: OutboundMessage): Promise<SendResult>;
  /**
   * The canonical identity of a recipient address on this account (e.g. a bare page-scoped id becomes
   * `<pageId>:<psid>`), so a send is filed under the contact the inbound side knows. Throws a ConnectorError for an
   * address the account cannot reach. Default: the address as given.
   */
  normalizeAddress?(account: ChannelAccount, address: ContactIdentityInput): ContactIdentityInput;
  /** Registers the inbound URL with the provider when the account is created or its credentials change. */
  register?(ctx: RegisterContext): Promise<RegisterResult | void>;
  /** Undoes `register` when the account is deleted (best effort). */
  unregister?(ctx: RegisterContext): Promise<void>;
  /** The provider's documented limit for one account; sends beyond it wait. Settings may lower it (`rateLimit`). */
  rateLimit?: RateLimit;
}

export interface RateLimit {
  /** At most this many sends... */
  limit: number;
  /** ...per this many milliseconds. */
  intervalMs: number;
}

/** The plain-data part of a channel, in the connector's manifest. */
export interface ChannelManifest {
  name: string;
  addressKinds: string[];
  settings?: JsonSchema;
  inbound: 'webhook' | 'poll' | 'none';
  handshake: boolean;
  rateLimit?: RateLimit;
}

/** A sent message as a send action returns it (also the step's output). */
export interface SentMessage {
  /** Confluo's message id (in the conversation). */
  id: string;
  conversationId: string;
  contactId: string | null;
  channel: string;
  accountId: string;
  providerMessageId: string;
  status: string;
  to: ContactIdentityInput;
  provider?: JsonValue;
}

/** Sending through the platform, lent to actions (bound to the step: its idempotency key, signal and logger). */
export interface ChannelsService {
  /** Sends on one account: checks consent, waits for the rate limit, records the message in the conversation. */
  send(accountId: string, message: OutboundMessage): Promise<SentMessage>;
  /** Sends to a contact on the channel (and account) they wrote from last. */
  reply(contactId: string, message: Omit<OutboundMessage, 'to'>): Promise<SentMessage>;
}
