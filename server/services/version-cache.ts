// Published flow versions never change, so the webhook path can keep them in memory: one database round trip per
// event instead of two, and no re-parsing of large definitions. Bounded, least recently used out first.
import type { PrismaClient } from '../../prisma/client.js';

export interface CachedVersion {
  version: number;
  definition: unknown;
}

export function createVersionCache(prisma: PrismaClient, capacity = 500) {
  const entries = new Map<string, CachedVersion>();
  return {
    async get(flowId: string, version: number): Promise<CachedVersion | undefined> {
      const key = `${flowId}@${version}`;
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const row = await prisma.flowVersion.findUnique({
        where: { flowId_version: { flowId, version } },
        select: { version: true, definition: true },
      });
      if (!row) return undefined;
      entries.set(key, row);
      if (entries.size > capacity) entries.delete(entries.keys().next().value!);
      return row;
    },
  };
}
