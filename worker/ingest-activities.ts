// The activities of `ingest`: record an inbound message (contact, conversation, consent, who waits for it), apply a
// delivery status, and find the published flows a message starts. Decisions that need no I/O (the trigger filter)
// stay in the workflow.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { senderIdentities } from '../connectors/contacts/identity.js';
import { isDuration, parseDuration } from '../connectors/flow/duration.js';
import type { FlowDefinition, JsonObject, JsonValue } from '../connectors/flow/types.js';
import type { ChannelEvent, MessageReceived } from '../connectors/sdk/channel.js';
import type { Logger } from '../connectors/sdk/types.js';
import { AccountUnavailable, type ChannelAccountStore } from '../prisma/channel-accounts.js';
import type { ConversationStore } from '../prisma/conversations.js';
import type { FlowStore } from '../prisma/flows.js';
import { accountError } from './channels.js';
import type { IngestInput } from './contract.js';
import { channelRunIdFor, ingestIdFor } from './ids.js';

export interface IngestDeps {
  store: ConversationStore;
  /** The published flows a message starts. */
  flows: FlowStore;
  /** For polling channels: their accounts (opened with the worker's secret key) and cursors. */
  accounts: ChannelAccountStore;
  logger?: Logger;
}

export interface PollOutcome {
  /** The account is gone or no longer a polling channel: the loop ends. */
  gone?: boolean;
  /** New events, ready for `ingest`, each with its workflow id. */
  events: { workflowId: string; input: IngestInput }[];
  /** How long to sleep before the next poll. */
  intervalMs: number;
  /** Where the next poll starts: saved (saveCursor) only once the events' ingests exist, so a crash loses none. */
  cursor?: JsonValue;
}

export interface RecordedInbound {
  duplicate: boolean;
  messageId: string;
  contactId: string;
  /** The run context's `trigger` for runs this message starts or wakes. */
  trigger: JsonObject;
  contact: JsonValue;
  waits: { runId: string; nodeId: string; flowId: string }[];
}

export interface FlowMatch {
  flowId: string;
  version: number;
  definition: FlowDefinition;
  /** Derived from flow, version and ingest, so the same event never starts a second run of a version. */
  runId: string;
}

/** The `trigger` a channel-triggered run sees (MESSAGE_EVENT_SCHEMA). */
export function messageTrigger(
  input: IngestInput,
  event: MessageReceived,
  ids: { messageId: string; contactId: string; conversationId: string },
): JsonObject {
  return {
    type: 'message.received',
    channel: input.channel,
    accountId: input.accountId,
    message: {
      id: ids.messageId,
      providerMessageId: event.providerMessageId,
      ...(event.text !== undefined && { text: event.text }),
      ...(event.attachments && { attachments: event.attachments as unknown as JsonValue }),
      ...(event.thread && { thread: event.thread as unknown as JsonValue }),
      timestamp: event.timestamp,
    },
    sender: event.sender as unknown as JsonValue,
    ...(event.replyTo && { replyTo: event.replyTo as unknown as JsonValue }),
    contactId: ids.contactId,
    conversationId: ids.conversationId,
    receivedAt: input.receivedAt,
  };
}

const notConfigured = () => {
  throw ApplicationFailure.nonRetryable(
    'this worker has no conversation store (database) for channel events',
    'INGEST_UNAVAILABLE',
  );
};

export function createIngestActivities(deps: IngestDeps | undefined) {
  if (!deps) {
    const names = [
      'recordInbound',
      'recordStatus',
      'matchFlows',
      'registerWait',
      'clearWait',
      'pollAccount',
      'saveCursor',
    ] as const;
    return Object.fromEntries(names.map((n) => [n, notConfigured])) as unknown as IngestActivities;
  }
  return ingestActivities(deps);
}

function ingestActivities({ store, flows, accounts, logger }: IngestDeps) {
  /** The account, or undefined when it is gone or not a channel; a poll that cannot open it fails as the error says. */
  async function openForPoll(accountId: string) {
    try {
      return await accounts.open(accountId);
    } catch (err) {
      if (!(err instanceof AccountUnavailable)) throw err;
      if (err.reason === 'not_found' || err.reason === 'not_channel') return undefined;
      const e = accountError(err);
      throw ApplicationFailure.create({ message: e.message, type: e.code, nonRetryable: !e.retryable, cause: e });
    }
  }

  return {
    async saveCursor({ accountId, cursor }: { accountId: string; cursor: JsonValue }): Promise<void> {
      await accounts.saveCursor(accountId, cursor);
    },

    /** One poll of a polling channel account (IMAP): new events since the stored cursor, and the next cursor. */
    async pollAccount({ accountId }: { accountId: string }): Promise<PollOutcome> {
      const opened = await openForPoll(accountId);
      const channel = opened?.connector.channel;
      if (!opened || !channel?.poll) return { gone: true, events: [], intervalMs: 0 };
      const loaded = { account: opened.account, connector: opened.connector.id };
      const interval =
        typeof loaded.account.settings.pollInterval === 'string'
          ? loaded.account.settings.pollInterval
          : (channel.pollInterval ?? 'PT1M');
      const intervalMs = Math.max(1000, isDuration(interval) ? parseDuration(interval) : 60_000);
      const stored = await accounts.cursor(accountId);
      const actx = Context.current();
      const log: Logger = logger ?? (actx.log as unknown as Logger);
      const { events, cursor } = await channel.poll(
        { account: loaded.account, signal: actx.cancellationSignal, logger: log },
        stored,
      );
      const receivedAt = new Date().toISOString();
      return {
        intervalMs,
        cursor,
        events: events.map((event) => ({
          workflowId: ingestIdFor(accountId, event.dedupeKey),
          input: {
            workspaceId: loaded.account.workspaceId,
            accountId,
            connector: loaded.connector,
            channel: channel.name,
            event,
            receivedAt,
          },
        })),
      };
    },

    async recordInbound(input: IngestInput): Promise<RecordedInbound> {
      const event = input.event as MessageReceived;
      const r = await store.recordInbound({
        workspaceId: input.workspaceId,
        accountId: input.accountId,
        channel: input.channel,
        event,
        identities: senderIdentities(event.sender),
      });
      return {
        duplicate: r.duplicate,
        messageId: r.message.id,
        contactId: r.contact.id,
        trigger: messageTrigger(input, event, {
          messageId: r.message.id,
          contactId: r.contact.id,
          conversationId: r.message.conversationId,
        }),
        contact: r.contact as unknown as JsonValue,
        waits: r.waits,
      };
    },

    /** Throws (retryably) while the message is unknown: a status can overtake the write of the send it is about. */
    async recordStatus(input: IngestInput): Promise<void> {
      const event = input.event as Extract<ChannelEvent, { type: 'message.status' }>;
      const matched = await store.recordStatus(input.accountId, event);
      if (!matched)
        throw ApplicationFailure.retryable(
          `no message ${event.providerMessageId} on account ${input.accountId} (yet)`,
          'STATUS_UNMATCHED',
        );
    },

    /** The published flows (latest version) whose channel.message trigger names this channel and account, or none. */
    async matchFlows(input: IngestInput & { ingestId: string }): Promise<FlowMatch[]> {
      const found = await flows.channelFlows(input.workspaceId, input.channel, input.accountId);
      return found.map((f) => ({ ...f, runId: channelRunIdFor(f.flowId, f.version, input.ingestId) }));
    },

    async registerWait(w: {
      runId: string;
      nodeId: string;
      workspaceId: string;
      flowId: string;
      contactId: string;
      expiresAt: string;
    }): Promise<void> {
      await store.registerWait({ ...w, expiresAt: new Date(w.expiresAt) });
    },

    async clearWait(w: { runId: string; nodeId: string }): Promise<void> {
      await store.clearWait(w.runId, w.nodeId);
    },
  };
}

export type IngestActivities = ReturnType<typeof ingestActivities>;
