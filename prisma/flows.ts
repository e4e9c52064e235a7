// The flow store: drafts (saved even when incomplete), their immutable published versions and webhook tokens, and the
// reads the runtime needs: a flow by its webhook token, a version by number (kept in memory: versions never change), and
// the published flows a channel message starts.
import type { FlowDefinition } from '../connectors/flow/types.js';
import { accountLookup, type AccountLookup } from './channel-accounts.js';
import type { Prisma, PrismaClient } from './client.js';
import { newId, newWebhookToken } from './ids.js';
import { afterKey, pageOf, type Page, type PageQuery } from './page.js';

const detailInclude = {
  versions: { select: { version: true, createdAt: true }, orderBy: { version: 'asc' } },
  webhookToken: true,
} as const;

/** A flow with its draft, version numbers and webhook token. */
export type FlowRecord = Prisma.FlowGetPayload<{ include: typeof detailInclude }>;
export type FlowSummary = Pick<FlowRecord, 'id' | 'name' | 'latestVersion' | 'createdAt' | 'updatedAt'>;
export type FlowVersionRecord = Prisma.FlowVersionGetPayload<object>;

/**
 * Publish's validation, run inside its transaction on the draft being frozen; it throws to refuse (nothing is written).
 * `accounts` reads the workspace's channel accounts through the same transaction.
 */
export type PublishCheck = (
  draft: unknown,
  accounts: AccountLookup,
  version: number,
  /** The workspace's published flows (sub-flow checks), read through the same transaction. */
  published: PublishedLookup,
) => void | Promise<void>;

/** A published version of one of the workspace's flows (`version`, or the latest when absent); null when none. */
export type PublishedLookup = (
  flowId: string,
  version?: number,
) => Promise<{ version: number; definition: FlowDefinition } | null>;

/** `PublishedLookup` over `db` (the client or a transaction) for one workspace. */
export const publishedLookup =
  (db: Prisma.TransactionClient, workspaceId: string): PublishedLookup =>
  async (flowId, version) => {
    const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { latestVersion: true } });
    const v = version ?? flow?.latestVersion ?? 0;
    if (!flow || v < 1 || v > flow.latestVersion) return null;
    const row = await db.flowVersion.findUnique({ where: { flowId_version: { flowId, version: v } } });
    return row ? { version: v, definition: row.definition as unknown as FlowDefinition } : null;
  };

/** A published flow whose channel.message trigger takes a message (latest version). */
export interface ChannelFlow {
  flowId: string;
  version: number;
  definition: FlowDefinition;
}

/** A published flow of a workspace (latest version). */
export interface WorkspaceFlow extends ChannelFlow {
  workspaceId: string;
}

/**
 * The published flows whose latest version has a trigger of `type`, and those an earlier version of which had one
 * (a Temporal Schedule of theirs may be left to delete); at their latest version, oldest flow first.
 */
export async function flowsEverTriggeredBy(prisma: PrismaClient, type: 'schedule' | 'poll'): Promise<WorkspaceFlow[]> {
  const rows = await prisma.$queryRaw<
    { id: string; workspace_id: string; version: number; definition: FlowDefinition }[]
  >`
    SELECT f.id, f.workspace_id, f.latest_version AS version, v.definition
    FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.latest_version
    WHERE f.latest_version > 0 AND EXISTS (
      SELECT 1 FROM flow_versions s WHERE s.flow_id = f.id AND s.definition->'trigger'->>'type' = ${type})
    ORDER BY f.created_at, f.id`;
  return rows.map((r) => ({
    flowId: r.id,
    workspaceId: r.workspace_id,
    version: r.version,
    definition: r.definition,
  }));
}

export interface FlowStoreOptions {
  /** How many published versions `version` keeps in memory (least recently used out first). Default 500. */
  versionCacheSize?: number;
}

export function createFlowStore(prisma: PrismaClient, opts: FlowStoreOptions = {}) {
  const capacity = opts.versionCacheSize ?? 500;
  const versions = new Map<string, FlowVersionRecord>();

  return {
    createDraft: (workspaceId: string, draft: { name: string; definition: unknown }): Promise<FlowRecord> =>
      prisma.flow.create({
        data: {
          id: newId('flow'),
          workspaceId,
          name: draft.name,
          draft: draft.definition as Prisma.InputJsonValue,
        },
        include: detailInclude,
      }),

    /** A page of the workspace's flows, newest first. */
    async list(workspaceId: string, query: PageQuery): Promise<Page<FlowSummary>> {
      const rows = await prisma.flow.findMany({
        where: { workspaceId, ...afterKey(query.cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
        select: { id: true, name: true, latestVersion: true, createdAt: true, updatedAt: true },
      });
      return pageOf(rows, query.limit, (f) => ({ at: f.createdAt, id: f.id }));
    },

    /** Null when the workspace has no such flow (another workspace's flow included). */
    get: (workspaceId: string, id: string): Promise<FlowRecord | null> =>
      prisma.flow.findFirst({ where: { id, workspaceId }, include: detailInclude }),

    /** Changes name and/or draft; null when the workspace has no such flow. */
    async update(
      workspaceId: string,
      id: string,
      change: { name?: string | undefined; definition?: unknown },
    ): Promise<FlowRecord | null> {
      const owned = await prisma.flow.findFirst({ where: { id, workspaceId }, select: { id: true } });
      if (!owned) return null;
      return prisma.flow.update({
        where: { id },
        data: {
          ...(change.name !== undefined && { name: change.name }),
          ...(change.definition !== undefined && { draft: change.definition as Prisma.InputJsonValue }),
        },
        include: detailInclude,
      });
    },

    /** Deletes the flow, its versions and webhook token (runs already started go on); false when there is none. */
    async remove(workspaceId: string, id: string): Promise<boolean> {
      const { count } = await prisma.flow.deleteMany({ where: { id, workspaceId } });
      return count > 0;
    },

    /**
     * Freezes the draft as the next version, once `check` accepts it, and gives the flow its webhook token on the first
     * publish. Null when the workspace has no such flow.
     */
    async publish(
      workspaceId: string,
      id: string,
      check: PublishCheck,
    ): Promise<{ version: number; token: string } | null> {
      return prisma.$transaction(async (tx) => {
        const owned = await tx.flow.findFirst({ where: { id, workspaceId }, select: { id: true } });
        if (!owned) return null;
        // The increment locks the flow row first, so concurrent publishes (and edits) serialize, and the draft that is
        // validated is exactly the one frozen.
        const flow = await tx.flow.update({ where: { id }, data: { latestVersion: { increment: 1 } } });
        await check(
          flow.draft,
          accountLookup(tx, flow.workspaceId),
          flow.latestVersion,
          publishedLookup(tx, flow.workspaceId),
        );
        await tx.flowVersion.create({
          data: { flowId: flow.id, version: flow.latestVersion, definition: flow.draft as Prisma.InputJsonValue },
        });
        const hook = await tx.webhookToken.upsert({
          where: { flowId: flow.id },
          create: { flowId: flow.id, token: newWebhookToken() },
          update: {},
        });
        return { version: flow.latestVersion, token: hook.token };
      });
    },

    /**
     * A published version. Versions never change, so they are kept in memory: the webhook path makes one database
     * round trip per event instead of two, and does not re-parse large definitions. Bounded, least recently used out.
     */
    async version(flowId: string, version: number): Promise<FlowVersionRecord | undefined> {
      const key = `${flowId}@${version}`;
      const hit = versions.get(key);
      if (hit) {
        versions.delete(key);
        versions.set(key, hit);
        return hit;
      }
      const row = await prisma.flowVersion.findUnique({ where: { flowId_version: { flowId, version } } });
      if (!row) return undefined;
      versions.set(key, row);
      if (versions.size > capacity) versions.delete(versions.keys().next().value!);
      return row;
    },

    /**
     * A published version of a workspace's flow, for sub-flows: `version`, or the latest when absent. Null when the
     * workspace has no such flow (another workspace's included), it was never published, or it has no such version.
     */
    published: (workspaceId: string, flowId: string, version?: number) =>
      publishedLookup(prisma, workspaceId)(flowId, version),

    /** The flow a webhook token triggers, with its latest version number (0: never published); null for none. */
    async byWebhookToken(token: string): Promise<{ id: string; workspaceId: string; latestVersion: number } | null> {
      const hook = await prisma.webhookToken.findUnique({
        where: { token },
        select: { flow: { select: { id: true, workspaceId: true, latestVersion: true } } },
      });
      return hook?.flow ?? null;
    },

    /**
     * The published flows a Temporal Schedule may belong to (worker/schedules.ts reconciles them): every flow whose
     * latest version has a schedule trigger, and every flow an earlier version of which had one. Latest versions.
     */
    scheduleFlows: (): Promise<WorkspaceFlow[]> => flowsEverTriggeredBy(prisma, 'schedule'),

    /** The published flows (latest version) whose channel.message trigger names this channel and account, or none. */
    async channelFlows(workspaceId: string, channel: string, accountId: string): Promise<ChannelFlow[]> {
      const rows = await prisma.$queryRaw<{ id: string; version: number; definition: FlowDefinition }[]>`
        SELECT f.id, f.latest_version AS version, v.definition
        FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.latest_version
        WHERE f.workspace_id = ${workspaceId} AND f.latest_version > 0 AND v.definition->'trigger'->>'type' = 'channel.message'
        ORDER BY f.created_at, f.id`;
      return rows
        .filter(({ definition }) => {
          const t = definition.trigger;
          if (t.type !== 'channel.message') return false;
          return (!t.channels || t.channels.includes(channel)) && (!t.accounts || t.accounts.includes(accountId));
        })
        .map((r) => ({ flowId: r.id, version: r.version, definition: r.definition }));
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;
