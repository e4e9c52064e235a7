// API keys: only their SHA-256 is stored (keys are 32 random bytes, so a fast hash is enough), the launcher prints a
// generated key once.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../prisma/client.js';
import { newId } from '../prisma/ids.js';

export const DEFAULT_WORKSPACE_ID = 'ws_default';

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function ensureDefaultWorkspace(prisma: PrismaClient): Promise<string> {
  await prisma.workspace.upsert({
    where: { id: DEFAULT_WORKSPACE_ID },
    create: { id: DEFAULT_WORKSPACE_ID, name: 'Default' },
    update: {},
  });
  return DEFAULT_WORKSPACE_ID;
}

export interface EnsureApiKeyResult {
  /** The plain key, only when it was generated now (show it once). */
  key?: string;
  created: boolean;
}

/**
 * With `key` (CONFLUO_API_KEY): makes sure it exists as an admin key of the workspace. Without: generates one when the
 * workspace has none yet, so a fresh install is usable but never open.
 */
export async function ensureApiKey(
  prisma: PrismaClient,
  opts: { key?: string; workspaceId: string },
): Promise<EnsureApiKeyResult> {
  if (opts.key !== undefined) {
    if (opts.key.length < 16) throw new Error('API key too short: use at least 16 characters');
    const hash = hashApiKey(opts.key);
    const existing = await prisma.apiKey.findUnique({ where: { hash } });
    if (existing) {
      if (existing.workspaceId !== opts.workspaceId) throw new Error('API key already belongs to another workspace');
      return { created: false };
    }
    await prisma.apiKey.create({
      data: {
        id: newId('key'),
        workspaceId: opts.workspaceId,
        name: 'configured',
        prefix: opts.key.slice(0, 8),
        hash,
        role: 'admin',
      },
    });
    return { created: true };
  }
  if ((await prisma.apiKey.count({ where: { workspaceId: opts.workspaceId } })) > 0) return { created: false };
  const key = `cfl_${randomBytes(32).toString('base64url')}`;
  await prisma.apiKey.create({
    data: {
      id: newId('key'),
      workspaceId: opts.workspaceId,
      name: 'generated',
      prefix: key.slice(0, 8),
      hash: hashApiKey(key),
      role: 'admin',
    },
  });
  return { key, created: true };
}
