// The one way Confluo builds a Prisma Client: the generated client over the `pg` driver adapter.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient } from './generated/client.js';
export { Prisma } from './generated/client.js';

export interface PrismaOptions {
  /** Pool size; 1 for the embedded PGlite server, which takes one connection at a time. */
  max?: number;
}

export function createPrisma(connectionString: string, opts: PrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max: opts.max ?? 10 });
  return new PrismaClient({ adapter });
}
