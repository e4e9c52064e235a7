// Send pacing per channel account, shared by every worker through PostgreSQL (GCRA): each send reserves the next slot
// `intervalMs / limit` after the previous one and waits for it, so no window of `intervalMs` holds more than `limit`
// sends, however many workers send at once. Times come from the database clock, so worker clocks may disagree.
import type { RateLimit } from '../connectors/sdk/channel.js';
import type { PrismaClient } from './client.js';

export type Reservation = { ok: true; waitMs: number } | { ok: false; retryAfterMs: number };

const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export function createRateLimiter(prisma: PrismaClient) {
  return {
    /**
     * Reserves the next send slot on the account if it starts within `maxWaitMs`; says how long to wait for it.
     * Without a reservation (the queue is longer than that) it says when to ask again, and reserves nothing.
     */
    async reserve(accountId: string, rate: RateLimit, maxWaitMs: number): Promise<Reservation> {
      const step = Math.max(1, Math.ceil(rate.intervalMs / rate.limit));
      const rows = await prisma.$queryRawUnsafe<{ slot: bigint; now: bigint }[]>(
        `INSERT INTO rate_buckets (account_id, tat) VALUES ($1, ${NOW_MS} + $2)
         ON CONFLICT (account_id) DO UPDATE SET tat = GREATEST(rate_buckets.tat, ${NOW_MS}) + $2
           WHERE GREATEST(rate_buckets.tat, ${NOW_MS}) - ${NOW_MS} <= $3
         RETURNING tat - $2 AS slot, ${NOW_MS} AS now`,
        accountId,
        step,
        maxWaitMs,
      );
      const row = rows[0];
      if (row) return { ok: true, waitMs: Math.max(0, Number(row.slot - row.now)) };
      const [bucket] = await prisma.$queryRawUnsafe<{ wait: bigint }[]>(`SELECT tat - ${NOW_MS} AS wait FROM rate_buckets WHERE account_id = $1`, accountId);
      return { ok: false, retryAfterMs: Math.max(step, Number(bucket?.wait ?? 0) - maxWaitMs / 2) };
    },

    /** The provider said to wait (429 + Retry-After): no send on the account goes before then. */
    async pushBack(accountId: string, afterMs: number): Promise<void> {
      await prisma.$executeRawUnsafe(
        `INSERT INTO rate_buckets (account_id, tat) VALUES ($1, ${NOW_MS} + $2)
         ON CONFLICT (account_id) DO UPDATE SET tat = GREATEST(rate_buckets.tat, ${NOW_MS} + $2)`,
        accountId,
        Math.max(0, Math.round(afterMs)),
      );
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
