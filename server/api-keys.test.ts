// API key bootstrap: generated once and stored hashed, or the configured key ensured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../prisma/client.js';
import { createWorkspace, testPrisma } from '../test/env.js';
import { DEFAULT_WORKSPACE_ID, ensureApiKey, ensureDefaultWorkspace, hashApiKey } from './api-keys.js';

let prisma: PrismaClient;
beforeAll(() => {
  prisma = testPrisma();
});
afterAll(async () => prisma?.$disconnect());

describe('ensureApiKey', () => {
  it('generates a key once for a workspace without one, storing only its hash', async () => {
    const ws = await createWorkspace(prisma);
    const first = await ensureApiKey(prisma, { workspaceId: ws });
    expect(first.created).toBe(true);
    expect(first.key).toMatch(/^cfl_[A-Za-z0-9_-]{43}$/);
    const rows = await prisma.apiKey.findMany({ where: { workspaceId: ws } });
    expect(rows).toEqual([
      expect.objectContaining({ hash: hashApiKey(first.key!), prefix: first.key!.slice(0, 8), role: 'admin' }),
    ]);
    expect(JSON.stringify(rows)).not.toContain(first.key!);
    expect(await ensureApiKey(prisma, { workspaceId: ws })).toEqual({ created: false });
  });

  it('ensures a configured key exactly once', async () => {
    const ws = await createWorkspace(prisma);
    const key = `configured-${ws}`;
    expect(await ensureApiKey(prisma, { key, workspaceId: ws })).toEqual({ created: true });
    expect(await ensureApiKey(prisma, { key, workspaceId: ws })).toEqual({ created: false });
    expect(await prisma.apiKey.count({ where: { workspaceId: ws, hash: hashApiKey(key) } })).toBe(1);
    await expect(ensureApiKey(prisma, { key: 'short', workspaceId: ws })).rejects.toThrow(/too short/);
  });

  it('creates the default workspace idempotently', async () => {
    expect(await ensureDefaultWorkspace(prisma)).toBe(DEFAULT_WORKSPACE_ID);
    expect(await ensureDefaultWorkspace(prisma)).toBe(DEFAULT_WORKSPACE_ID);
    expect(await prisma.workspace.count({ where: { id: DEFAULT_WORKSPACE_ID } })).toBe(1);
  });
});
