// Shared helpers for tests that use the real PostgreSQL and Temporal server started by test/global-setup.ts.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createPrisma, type PrismaClient } from '../prisma/client.js';

export const temporalAddress = () => inject('temporalAddress');
export const databaseUrl = () => inject('databaseUrl');

/** A Prisma client on the test database; close it in afterAll. */
export function testPrisma(): PrismaClient {
  return createPrisma(databaseUrl(), { max: 4 });
}

/** A new workspace, so tests never see each other's rows. */
export async function createWorkspace(prisma: PrismaClient, name = 'test'): Promise<string> {
  const id = `ws_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await prisma.workspace.create({ data: { id, name } });
  return id;
}

/** A task queue of one's own, so a test's worker only picks up that test's runs. */
export const uniqueTaskQueue = (prefix = 'test') => `${prefix}-${randomUUID()}`;
