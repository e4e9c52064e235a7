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
