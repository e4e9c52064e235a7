// Platform events (README.md "Contact events", "Platform events"): every contact change, a conversation opened or
// closed, an outbound message failing, records its events in its own transaction, so an event exists exactly when its
// change does (a failed run records its run.failed from the workflow's failure path, worker/run-failed-activities.ts);
// worker/contact-event-relay.ts turns them into runs of the flows that start on them. This file is the one outbox for
// all of them (its table keeps the name of its first events, `contact_events`): writing events, and the relay's side of
// reading, resolving and marking them.
import type {
  ContactEventType,
  FlowDefinition,
  JsonObject,
  JsonValue,
  PlatformEventType,
} from '../connectors/flow/types.js';
import { CONTACT_EVENT_TYPES, PLATFORM_EVENT_TYPES } from '../connectors/flow/types.js';
import type { Prisma, PrismaClient } from './client.js';

type Tx = Prisma.TransactionClient;

export interface ContactEventInput {
  type: ContactEventType;
  /** The contact the event is about (for contact.merged: the survivor). */
  contactId: string;
  /** What the run's `trigger` holds beside `event`, `eventId`, `contactId`, `occurredAt` and `by`. */
  data?: JsonObject;
}

/** Any event of the outbox: a contact event, or a platform event whose contact may be absent (run.failed). */
export type EventType = ContactEventType | PlatformEventType;
export const EVENT_TYPES: readonly EventType[] = [...CONTACT_EVENT_TYPES, ...PLATFORM_EVENT_TYPES];

export interface PlatformEventInput {
  type: EventType;
  /** The event's contact (the run's `contact`), or null. */
  contactId: string | null;
  data?: JsonObject;
  /** An event that happens once per thing (`message.failed:<messageId>`): a second write of the key is dropped. */
  dedupeKey?: string;
}

/** What made a change: an identity source (`{ type: 'run', runId, nodeId, flowId }`, ...) or a merge actor. */
export type EventCause = { type: string; [key: string]: JsonValue | undefined };

/** Records events inside the caller's transaction; `by` says who made the change (a run's flow is not started by it). */
export async function recordContactEventsInTx(
  tx: Tx,
  workspaceId: string,
  events: ContactEventInput[],
  by?: EventCause,
): Promise<void> {
  await recordEventsInTx(tx, workspaceId, events, by);
}

/**
 * Records any platform events inside the caller's transaction (or alone, given the client); `by` says who made the
 * change, and a run's flow (`by.flowId`) is not started by it. Events whose `dedupeKey` was recorded before are dropped.
 */
export async function recordEventsInTx(
  tx: Tx | PrismaClient,
  workspaceId: string,
  events: PlatformEventInput[],
  by?: EventCause,
): Promise<void> {
  if (events.length === 0) return;
  const causeFlowId = by?.type === 'run' && typeof by.flowId === 'string' ? by.flowId : null;
  await tx.contactEvent.createMany({
    data: events.map((e) => ({
      workspaceId,
      type: e.type,
      contactId: e.contactId,
      payload: { ...e.data, ...(by && { by: by as JsonObject }) } as Prisma.InputJsonObject,
      causeFlowId,
      ...(e.dedupeKey !== undefined && { dedupeKey: e.dedupeKey }),
    })),
    skipDuplicates: true,
  });
}

export interface PendingContactEvent {
  id: bigint;
  workspaceId: string;
  type: EventType;
  contactId: string | null;
  payload: JsonObject;
  causeFlowId: string | null;
  createdAt: Date;
}

/** One published version of a flow that starts on contact events. */
export interface EventFlowVersion {
  flowId: string;
  version: number;
  definition: FlowDefinition;
  publishedAt: Date;
}

/** How long a relayed event is kept (a week: enough to look into a run's cause, small enough to stay cheap). */
export const RELAYED_EVENT_RETENTION_MS = 7 * 24 * 3600_000;

/**
 * Events kept after they are relayed: the contact timeline's history of changes (prisma/contact-timeline.ts). A
 * contact.updated is the only record of a change's from→to and who made it, a contact.unmerged of who undid a merge;
 * the other types are told again from tables that keep them (contacts, identities, contact_merges), so they go.
 */
export const TIMELINE_KEPT_EVENTS = ['contact.updated', 'contact.unmerged'] as const;

export function createContactEventStore(prisma: PrismaClient) {
  return {
    /**
     * Hands the oldest events nobody relays (up to `limit`, of `workspaces` when given, locked so a second relay skips
     * them) to `relay`, then
     * marks them relayed, in one transaction: a relay that dies midway leaves them to the next, which starts the same
     * run ids (so nothing twice). Resolves to how many there were.
     */
    async relayBatch(
      limit: number,
      relay: (events: PendingContactEvent[]) => Promise<void>,
      workspaces?: string[],
    ): Promise<number> {
      return prisma.$transaction(
        async (tx) => {
          const rows = await tx.$queryRaw<
            {
              id: bigint;
              workspace_id: string;
              type: EventType;
              contact_id: string | null;
              payload: JsonObject;
              cause_flow_id: string | null;
              created_at: Date;
            }[]
          >`
            SELECT id, workspace_id, type, contact_id, payload, cause_flow_id, created_at FROM contact_events
            WHERE dispatched_at IS NULL
              AND (${workspaces ?? null}::text[] IS NULL OR workspace_id = ANY(${workspaces ?? null}::text[]))
            ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
          if (rows.length === 0) return 0;
          await relay(
            rows.map((r) => ({
              id: r.id,
              workspaceId: r.workspace_id,
              type: r.type,
              contactId: r.contact_id,
              payload: r.payload,
              causeFlowId: r.cause_flow_id,
              createdAt: r.created_at,
            })),
          );
          await tx.contactEvent.updateMany({
            where: { id: { in: rows.map((r) => r.id) } },
            data: { dispatchedAt: new Date() },
          });
          return rows.length;
        },
        { maxWait: 10_000, timeout: 120_000 },
      );
    },

    /**
     * Every version of the workspace's flows that have ever been published with an event trigger (contact or platform),
     * oldest first: which one an event starts is the flow's latest version published before it (the relay decides).
     */
    async eventFlowVersions(workspaceId: string): Promise<EventFlowVersion[]> {
      const rows = await prisma.$queryRaw<
        { flow_id: string; version: number; definition: FlowDefinition; created_at: Date }[]
      >`
        SELECT v.flow_id, v.version, v.definition, v.created_at
        FROM flow_versions v JOIN flows f ON f.id = v.flow_id
        WHERE f.workspace_id = ${workspaceId} AND v.flow_id IN (
          SELECT v2.flow_id FROM flow_versions v2 JOIN flows f2 ON f2.id = v2.flow_id
          WHERE f2.workspace_id = ${workspaceId}
            AND v2.definition->'trigger'->>'type' = ANY(${[...EVENT_TYPES]}::text[]))
        ORDER BY v.flow_id, v.version`;
      return rows.map((r) => ({
        flowId: r.flow_id,
        version: r.version,
        definition: r.definition,
        publishedAt: r.created_at,
      }));
    },

    /** Records events outside any other change (a failed run's run.failed); see recordEventsInTx. */
    record: (workspaceId: string, events: PlatformEventInput[], by?: EventCause) =>
      recordEventsInTx(prisma, workspaceId, events, by),

    /**
     * The workspace's error flow (GET /api/workspace-settings `errorFlowId`) as its latest published version now, with
     * its name; null when none is set or the flow named has no published version (deleted, never published).
     */
    async errorFlow(workspaceId: string): Promise<(EventFlowVersion & { name: string }) | null> {
      const [row] = await prisma.$queryRaw<
        { flow_id: string; name: string; version: number; definition: FlowDefinition; created_at: Date }[]
      >`
        SELECT f.id AS flow_id, f.name, v.version, v.definition, v.created_at
        FROM workspaces w JOIN flows f ON f.id = w.error_flow_id AND f.workspace_id = w.id
        JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.latest_version
        WHERE w.id = ${workspaceId}`;
      return row
        ? {
            flowId: row.flow_id,
            name: row.name,
            version: row.version,
            definition: row.definition,
            publishedAt: row.created_at,
          }
        : null;
    },

    /**
     * Removes events relayed before `before`, except those the contact timeline reads (TIMELINE_KEPT_EVENTS: nothing
     * else records them); resolves to how many.
     */
    async prune(before: Date): Promise<number> {
      const { count } = await prisma.contactEvent.deleteMany({
        where: { dispatchedAt: { lt: before }, type: { notIn: [...TIMELINE_KEPT_EVENTS] } },
      });
      return count;
    },
  };
}

export type ContactEventStore = ReturnType<typeof createContactEventStore>;
