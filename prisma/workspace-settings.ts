// A workspace's contact settings: which merge rules the workspace turns on (connectors/contacts/README.md: matching
// rules). One row per workspace (`contact_settings`); no row reads as the defaults, today's behaviour.
import type { Prisma, PrismaClient } from './client.js';

type Tx = Prisma.TransactionClient;

export interface ContactSettings {
  /** A delivery carrying identities of two contacts whose names fit merges them (true); false: a suggestion. */
  mergeOnSharedDelivery: boolean;
  /** A duplicate suggestion scoring at least this (1–100) is merged by rule when made; null: never. */
  autoMergeScore: number | null;
}

export const DEFAULT_CONTACT_SETTINGS: ContactSettings = { mergeOnSharedDelivery: true, autoMergeScore: null };

/** The settings as a write in `db`'s transaction sees them. */
export async function contactSettingsInTx(db: Tx | PrismaClient, workspaceId: string): Promise<ContactSettings> {
  const row = await db.contactSettings.findUnique({ where: { workspaceId } });
  return row
    ? { mergeOnSharedDelivery: row.mergeOnSharedDelivery, autoMergeScore: row.autoMergeScore }
    : { ...DEFAULT_CONTACT_SETTINGS };
}

export function createContactSettingsStore(prisma: PrismaClient) {
  return {
    get: (workspaceId: string) => contactSettingsInTx(prisma, workspaceId),

    /** Changes what is given (the rest stays); the settings after. Applies to writes from then on. */
    async update(workspaceId: string, patch: Partial<ContactSettings>): Promise<ContactSettings> {
      const data = {
        ...(patch.mergeOnSharedDelivery !== undefined && { mergeOnSharedDelivery: patch.mergeOnSharedDelivery }),
        ...(patch.autoMergeScore !== undefined && { autoMergeScore: patch.autoMergeScore }),
      };
      const row = await prisma.contactSettings.upsert({
        where: { workspaceId },
        create: { workspaceId, ...DEFAULT_CONTACT_SETTINGS, ...data },
        update: { ...data, updatedAt: new Date() },
      });
      return { mergeOnSharedDelivery: row.mergeOnSharedDelivery, autoMergeScore: row.autoMergeScore };
    },
  };
}

// --- Workspace settings beyond contacts: the error flow (README.md "Platform events") --------------------------------
// A column of the workspace row (`workspaces.error_flow_id`), not a table of its own: one value, read by the relay
// with the workspace (contact-events.ts errorFlow).

export interface WorkspaceSettings {
  /** A published flow of the workspace started on every run.failed of the workspace; null: none. */
  errorFlowId: string | null;
}

/** A setting the workspace cannot take: `field` names it. */
export class WorkspaceSettingRefused extends Error {
  override name = 'WorkspaceSettingRefused';
  constructor(
    readonly field: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export function createWorkspaceSettingsStore(prisma: PrismaClient) {
  const get = async (workspaceId: string): Promise<WorkspaceSettings> => {
    const row = await prisma.workspace.findUnique({ where: { id: workspaceId }, select: { errorFlowId: true } });
    return { errorFlowId: row?.errorFlowId ?? null };
  };
  return {
    get,
    /** Changes what is given; the error flow must be a published flow of the workspace (WorkspaceSettingRefused). */
    async update(workspaceId: string, patch: Partial<WorkspaceSettings>): Promise<WorkspaceSettings> {
      if (patch.errorFlowId !== undefined && patch.errorFlowId !== null) {
        const flow = await prisma.flow.findFirst({
          where: { id: patch.errorFlowId, workspaceId },
          select: { latestVersion: true },
        });
        if (!flow || flow.latestVersion === 0)
          throw new WorkspaceSettingRefused(
            'errorFlowId',
            'unknown_flow',
            `no published flow "${patch.errorFlowId}" in this workspace (publish it first)`,
          );
      }
      if (patch.errorFlowId !== undefined)
        await prisma.workspace.update({ where: { id: workspaceId }, data: { errorFlowId: patch.errorFlowId } });
      return get(workspaceId);
    },
  };
}
