// Sending on channel accounts, the same way for every channel: open the account (credentials decrypted), find or
// create the recipient's contact, refuse contacts who opted out of the channel, return the message a previous attempt
// of the same step already sent (never send twice), wait for the account's rate limit, call the connector's `send`,
// and record the message in the contact's conversation with the provider's id.
import { setTimeout as delay } from 'node:timers/promises';
import type { JsonObject } from '../connectors/flow/types.js';
import type { ChannelsService, OutboundMessage, RateLimit, SentMessage } from '../connectors/sdk/channel.js';
import { ConnectorError, isConnectorError } from '../connectors/sdk/errors.js';
import type { Connector, ContactsService, Logger } from '../connectors/sdk/types.js';
import { AccountUnavailable, type ChannelAccountStore, type OpenedAccount } from '../prisma/channel-accounts.js';
import type { ConversationStore, MessageRecord } from '../prisma/conversations.js';
import { LATE_MS, slotStep, type RateLimiter } from '../prisma/rate-limits.js';
import { resolveIdentities } from '../connectors/contacts/identity.js';
import type { IdentitySource } from '../connectors/sdk/types.js';
import type { ChannelRuntime } from './activities.js';
import { RATE_LIMIT_WAIT } from './contract.js';

/** The error code a connector uses when the provider refuses a send because the recipient unsubscribed (Twilio 21610). */
export const PROVIDER_OPTED_OUT = 'RECIPIENT_OPTED_OUT';

export interface ChannelRuntimeDeps {
  /** Opens accounts; without a secret key every send fails with a config error saying so. */
  accounts: ChannelAccountStore;
  contacts: ContactsService;
  store: ConversationStore;
  rateLimiter: RateLimiter;
}

/** The worker's one reading of why an account cannot be opened: a ConnectorError that says who can fix it. */
export function accountError(err: AccountUnavailable): ConnectorError {
  const id = err.accountId;
  switch (err.reason) {
    case 'no_key':
      return new ConnectorError(
        'config',
        'channel accounts are unavailable: the worker has no CONFLUO_SECRET_KEY to decrypt their credentials',
        { code: 'SECRETS_UNAVAILABLE' },
      );
    case 'not_found':
      return new ConnectorError('not_found', `no channel account "${id}" in this workspace`, {
        code: 'ACCOUNT_NOT_FOUND',
      });
    case 'not_channel':
      return new ConnectorError('config', err.message, { code: 'CHANNEL_NOT_INSTALLED' });
    case 'unreadable':
      // Another key or altered bytes: retried, since the operator may be rolling out the right key.
      return new ConnectorError('config', `${err.message} with this worker's CONFLUO_SECRET_KEY`, {
        code: 'ACCOUNT_UNREADABLE',
        retryable: true,
      });
  }
}

/** The account's limit: its settings' `rateLimit` when valid, else the connector's declared one. */
export function rateLimitOf(connector: Connector, settings: JsonObject): RateLimit | undefined {
  const s = settings.rateLimit as { limit?: unknown; intervalMs?: unknown } | undefined;
  if (s && Number.isInteger(s.limit) && (s.limit as number) > 0 && typeof s.intervalMs === 'number' && s.intervalMs > 0)
    return { limit: s.limit as number, intervalMs: s.intervalMs };
  return connector.channel?.rateLimit ?? connector.crm?.rateLimit;
}

/** A step's idempotency key is `<runId>:<nodeId>` (activities.ts); anything else is recorded as it is. */
function stepSource(idempotencyKey: string): IdentitySource {
  const at = idempotencyKey.indexOf(':');
  return at > 0
    ? { type: 'run', runId: idempotencyKey.slice(0, at), nodeId: idempotencyKey.slice(at + 1) }
    : { type: 'api', ref: idempotencyKey };
}

export function createChannelRuntime(deps: ChannelRuntimeDeps): ChannelRuntime {
  const { store } = deps;

  const open = (workspaceId: string, accountId: string): Promise<OpenedAccount> =>
    deps.accounts.open(accountId, { workspaceId }).catch((err: unknown) => {
      throw err instanceof AccountUnavailable ? accountError(err) : err;
    });

  const sent = (m: MessageRecord, provider?: unknown): SentMessage => ({
    id: m.id,
    conversationId: m.conversationId,
    contactId: m.contactId,
    channel: m.channel,
    accountId: m.accountId,
    providerMessageId: m.providerMessageId ?? '',
    status: m.status,
    to: m.address,
    ...(provider !== undefined && { provider: provider as JsonObject }),
  });

  return {
    forStep(step) {
      const log: Logger = step.logger;
      const maxWaitMs = step.maxWaitMs ?? 3_000;

      const waitAgain = (accountId: string, rate: RateLimit, ms: number, why: string) =>
        new ConnectorError(
          'rate_limited',
          `account ${accountId} ${why} (${rate.limit} per ${rate.intervalMs} ms); waiting ${ms} ms`,
          {
            code: RATE_LIMIT_WAIT,
            retryable: false,
            details: { retryAfterMs: ms },
          },
        );

      /**
       * Waits for the account's next send slot. A queue longer than this attempt may wait, or a provider's Retry-After,
       * sends the run to sleep instead (RATE_LIMIT_WAIT); a slot missed by more than LATE_MS is reserved again.
       */
      async function paced(accountId: string, rate: RateLimit): Promise<void> {
        for (let tries = 0; ; tries++) {
          const r = await deps.rateLimiter.reserve(accountId, rate, maxWaitMs);
          if (!r.ok) throw waitAgain(accountId, rate, r.retryAfterMs, 'is at its rate limit');
          const slotAt = Date.now() + r.waitMs;
          if (r.waitMs > 0) await delay(r.waitMs, undefined, { signal: step.signal });
          const blocked = await deps.rateLimiter.blockedFor(accountId);
          if (blocked > 0) throw waitAgain(accountId, rate, blocked, 'was told to wait by the provider');
          if (Date.now() - slotAt <= LATE_MS) return;
          if (tries >= 5) throw waitAgain(accountId, rate, slotStep(rate), 'kept missing its send slots');
        }
      }

      async function send(accountId: string, message: OutboundMessage, contactId?: string): Promise<SentMessage> {
        const { account, connector } = await open(step.workspaceId, accountId);
        const channel = connector.channel!;
        if (channel.normalizeAddress) message = { ...message, to: channel.normalizeAddress(account, message.to) };
        if (!channel.addressKinds.includes(message.to.kind)) {
          throw new ConnectorError(
            'validation',
            `${channel.name} sends to ${channel.addressKinds.join(' or ')} addresses, not "${message.to.kind}"`,
            { code: 'ADDRESS_KIND' },
          );
        }
        // A second attempt of the same step: the message went out already, or we are retrying one that did not.
        const previous = await store.findOutbound(accountId, step.idempotencyKey);
        if (previous?.providerMessageId) return sent(previous);

        const recipient =
          contactId ??
          (
            await deps.contacts.upsert(step.workspaceId, {
              identities: resolveIdentities([message.to]),
              source: stepSource(step.idempotencyKey),
            })
          ).contact.id;
        const consent = await store.consent(recipient, channel.name);
        if (consent?.status === 'opted_out') {
          throw new ConnectorError(
            'config',
            `the recipient opted out of ${channel.name} messages (${consent.source ?? 'recorded'} at ${consent.updatedAt}); nothing was sent`,
            {
              code: 'OPTED_OUT',
              retryable: false,
            },
          );
        }

        const content: JsonObject = {
          ...(message.subject !== undefined && { subject: message.subject }),
          ...(message.html !== undefined && { html: message.html }),
          ...(message.payload !== undefined && { payload: message.payload }),
        };
        const record =
          previous ??
          (await store.beginOutbound({
            workspaceId: step.workspaceId,
            accountId,
            channel: channel.name,
            contactId: recipient,
            address: message.to,
            idempotencyKey: step.idempotencyKey,
            ...(message.text !== undefined && { text: message.text }),
            content,
            ...(message.attachments && { attachments: message.attachments as unknown as JsonObject[] }),
            ...(message.thread && { thread: message.thread as unknown as JsonObject }),
            source: `run:${step.idempotencyKey}`,
            ...(step.origin !== undefined && { origin: step.origin }),
          }));
        const rate = rateLimitOf(connector, account.settings);
        if (rate) await paced(accountId, rate);
        try {
          const result = await channel.send(
            { account, idempotencyKey: step.idempotencyKey, signal: step.signal, logger: log },
            message,
          );
          const done = await store.completeOutbound(record.id, {
            providerMessageId: result.providerMessageId,
            status: result.status ?? 'sent',
          });
          return sent(done, result.provider);
        } catch (err) {
          if (isConnectorError(err)) {
            if (err.kind === 'rate_limited' && err.retryAfterMs !== undefined)
              await deps.rateLimiter.pushBack(accountId, err.retryAfterMs);
            if (!err.retryable) await store.failOutbound(record.id, err.message, err.code ?? err.kind);
            // The provider knows of an opt-out Confluo never saw (a STOP sent before the account was connected).
            if (err.code === PROVIDER_OPTED_OUT)
              await store.setConsent(step.workspaceId, recipient, channel.name, 'opted_out', `provider:${accountId}`);
          }
          throw err;
        }
      }

      const service: ChannelsService = {
        send: (accountId, message) => send(accountId, message),
        async reply(contactId, message) {
          const last = await store.lastInbound(step.workspaceId, contactId);
          if (!last)
            throw new ConnectorError(
              'not_found',
              `contact "${contactId}" has not written on any channel yet, so there is no channel to reply on`,
              { code: 'NO_CHANNEL' },
            );
          const thread = {
            ...(last.thread ?? {}),
            ...(last.providerMessageId && { inReplyTo: last.providerMessageId }),
          };
          return send(
            last.accountId,
            { ...message, to: last.replyTo ?? last.address, thread: { ...thread, ...message.thread } },
            contactId,
          );
        },
      };
      return service;
    },
  };
}
