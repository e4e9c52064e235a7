// The poll trigger store (README.md "Poll triggers"): per flow and source configuration, the cursor, the poll's health
// (last successful poll, last error, failures in a row) and the item keys seen. The order of writes is what makes
// "each item starts one run, exactly once" hold across crashes: a poll reads the cursor and which keys were seen, the
// runs of the new items are started (their ids derived from flow, source and key, so a second start of one is a
// duplicate Temporal refuses), and only then `commit` records the keys and the cursor, in one transaction. A crash
// before the commit polls the same items again: their runs exist, nothing starts twice, nothing is missed.
//
// Why a table of seen keys when the run id already dedupes: Temporal forgets a closed run after the namespace's
// retention (1 day on the dev server, 30 by default on Temporal Cloud, at most 90), and a feed that lists an item for
// longer (the HTTP poll reads whole lists) would start it again. A key is kept until no poll has seen it for
// SEEN_RETENTION_DAYS (90): past any namespace's retention, and an item gone from its source for three months does not
// come back in practice.
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue, PollTrigger } from '../connectors/flow/types.js';
import type { Prisma, PrismaClient } from './client.js';
import { flowsEverTriggeredBy, type WorkspaceFlow } from './flows.js';

export const SEEN_RETENTION_DAYS = 90;
/** A seen key's last_seen_at is refreshed at most this often (a poll that sees it again writes nothing else). */
const REFRESH_AFTER_MS = 86_400_000;

const sorted = (v: JsonValue | undefined): JsonValue | undefined => {
  if (Array.isArray(v)) return v.map((x) => sorted(x) ?? null);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sorted(v[k]) ?? null]),
  );
};

/** The key of a poll's state: source, connection and input (key order aside); the interval and firstPoll are not in it. */
export function pollSourceKey(t: Pick<PollTrigger, 'source' | 'connection' | 'input'>): string {
  const text = JSON.stringify(sorted({ source: t.source, connection: t.connection ?? null, input: t.input ?? {} }));
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

export interface PollError {
  message: string;
  code?: string;
  at: string;
}

/** A poll's state as the API shows it (GET /api/flows/:id `poll`). */
export interface PollStateRecord {
  lastPolledAt: string | null;
  lastError: PollError | null;
  failures: number;
  runsStarted: number;
}

export interface PollCommit {
  flowId: string;
  sourceKey: string;
  /** The next cursor; undefined keeps the saved one (a poll that left new items for the next). */
  cursor?: JsonValue;
  /** Keys to record as seen, with the run each started (null: baseline or skipped). */
  seen: Array<{ key: string; runId: string | null }>;
  runsStarted: number;
  /** A problem with some items that did not stop the poll (an item too large to run): kept as the last error. */
  warning?: Omit<PollError, 'at'>;
}

export type PollFlow = WorkspaceFlow;

export function createFlowPollStore(prisma: PrismaClient) {
  return {
    /** The saved cursor; `first` when no poll of this configuration succeeded yet (the baseline is to be taken). */
    async load(flowId: string, sourceKey: string): Promise<{ first: boolean; cursor: JsonValue | null }> {
      const row = await prisma.flowPollState.findUnique({ where: { flowId_sourceKey: { flowId, sourceKey } } });
      return { first: !row?.lastPolledAt, cursor: (row?.cursor ?? null) as JsonValue | null };
    },

    /** Which of `keys` were seen before (refreshing their last sighting, so a key still listed is never pruned). */
    async seen(flowId: string, sourceKey: string, keys: string[]): Promise<Set<string>> {
      if (keys.length === 0) return new Set();
      const rows = await prisma.flowPollSeen.findMany({
        where: { flowId, sourceKey, itemKey: { in: keys } },
        select: { itemKey: true, lastSeenAt: true },
      });
      const stale = rows.filter((r) => Date.now() - r.lastSeenAt.getTime() > REFRESH_AFTER_MS).map((r) => r.itemKey);
      if (stale.length > 0)
        await prisma.flowPollSeen.updateMany({
          where: { flowId, sourceKey, itemKey: { in: stale } },
          data: { lastSeenAt: new Date() },
        });
      return new Set(rows.map((r) => r.itemKey));
    },

    /** After the runs exist: the keys as seen, the cursor, the poll healthy again. One transaction. */
    async commit(c: PollCommit): Promise<void> {
      const now = new Date();
      const id = { flowId_sourceKey: { flowId: c.flowId, sourceKey: c.sourceKey } };
      const lastError = c.warning ? ({ ...c.warning, at: now.toISOString() } as JsonObject) : undefined;
      await prisma.$transaction(async (tx) => {
        await tx.flowPollState.upsert({
          where: id,
          create: {
            flowId: c.flowId,
            sourceKey: c.sourceKey,
            cursor: (c.cursor ?? null) as Prisma.InputJsonValue,
            lastPolledAt: now,
            runsStarted: c.runsStarted,
            ...(lastError && { lastError }),
          },
          update: {
            ...(c.cursor !== undefined && { cursor: c.cursor as Prisma.InputJsonValue }),
            lastPolledAt: now,
            failures: 0,
            lastError: lastError ?? (null as unknown as Prisma.InputJsonValue),
            runsStarted: { increment: c.runsStarted },
          },
        });
        if (c.seen.length > 0)
          await tx.flowPollSeen.createMany({
            data: c.seen.map((s) => ({
              flowId: c.flowId,
              sourceKey: c.sourceKey,
              itemKey: s.key,
              runId: s.runId,
              firstSeenAt: now,
              lastSeenAt: now,
            })),
            skipDuplicates: true,
          });
      });
    },

    /** A poll that failed: counted, its error kept; the cursor and seen keys stay as they were. */
    async fail(flowId: string, sourceKey: string, error: Omit<PollError, 'at'>): Promise<number> {
      const lastError = { ...error, at: new Date().toISOString() } as JsonObject;
      const row = await prisma.flowPollState.upsert({
        where: { flowId_sourceKey: { flowId, sourceKey } },
        create: { flowId, sourceKey, failures: 1, lastError },
        update: { failures: { increment: 1 }, lastError },
      });
      return row.failures;
    },

    /** The poll's state for the API; null before its first poll. */
    async state(flowId: string, sourceKey: string): Promise<PollStateRecord | null> {
      const row = await prisma.flowPollState.findUnique({ where: { flowId_sourceKey: { flowId, sourceKey } } });
      if (!row) return null;
      return {
        lastPolledAt: row.lastPolledAt?.toISOString() ?? null,
        lastError: (row.lastError ?? null) as unknown as PollError | null,
        failures: row.failures,
        runsStarted: row.runsStarted,
      };
    },

    /** The seen keys of a flow's poll, oldest first (tests, support). */
    async seenKeys(flowId: string, sourceKey: string): Promise<Array<{ key: string; runId: string | null }>> {
      const rows = await prisma.flowPollSeen.findMany({
        where: { flowId, sourceKey },
        orderBy: [{ firstSeenAt: 'asc' }, { itemKey: 'asc' }],
      });
      return rows.map((r) => ({ key: r.itemKey, runId: r.runId }));
    },

    /** Forgets keys no poll saw for SEEN_RETENTION_DAYS; how many. */
    async prune(now = new Date()): Promise<number> {
      const before = new Date(now.getTime() - SEEN_RETENTION_DAYS * 86_400_000);
      return (await prisma.flowPollSeen.deleteMany({ where: { lastSeenAt: { lt: before } } })).count;
    },

    /**
     * The published flows a poll Schedule may belong to (worker/poll-schedules.ts reconciles them): every flow whose
     * latest version has a poll trigger, and every flow an earlier version of which had one. Latest versions.
     */
    pollFlows: (): Promise<PollFlow[]> => flowsEverTriggeredBy(prisma, 'poll'),
  };
}

export type FlowPollStore = ReturnType<typeof createFlowPollStore>;
