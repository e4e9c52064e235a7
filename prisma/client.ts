// The one way Confluo builds a Prisma Client: the generated client over the `pg` driver adapter.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

import { Prisma } from './generated/client.js';

export type { PrismaClient } from './generated/client.js';
export { Prisma };

export interface PrismaOptions {
  /** Pool size; 1 for the embedded PGlite server, which takes one connection at a time. */
  max?: number;
}

export function createPrisma(connectionString: string, opts: PrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max: opts.max ?? 10 });
  return new PrismaClient({ adapter });
}

/**
 * A transaction that lost to a concurrent one and may simply run again: a deadlock or serialization failure
 * (PostgreSQL 40P01 / 40001, which Prisma reports as P2034 from its own queries and as P2010 with the driver's code
 * from raw ones) or, where the caller says so, a unique violation (P2002: a concurrent insert of the same key won).
 */
export function isTransientTxError(err: unknown, opts: { uniqueViolation?: boolean } = {}): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2034' || (opts.uniqueViolation && err.code === 'P2002')) return true;
  const cause = (err.meta?.driverAdapterError as { cause?: { originalCode?: string; kind?: string } } | undefined)
    ?.cause;
  return (
    cause?.kind === 'TransactionWriteConflict' || cause?.originalCode === '40P01' || cause?.originalCode === '40001'
  );
}

/** Runs a transaction again (up to `attempts` in all) while it fails with a transient error (isTransientTxError). */
export async function retryTransient<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !isTransientTxError(err)) throw err;
    }
  }
}
