// Send pacing per channel account, shared by every worker through PostgreSQL (GCRA on the database clock): each send
// reserves the next slot after the previous one and waits for it. Slots are spaced (interval + slack) / limit apart,
// and a send more than LATE_MS past its slot reserves again, so however late timers fire on a loaded worker and
// however the network delays a request (up to the rest of the slack), no window of `interval` at the provider holds
// more than `limit` sends. A provider's Retry-After blocks the account, sends already holding a slot included.
import type { RateLimit } from '../connectors/sdk/channel.js';
import type { PrismaClient } from './client.js';

/** How late after its slot a send may still go. */
export const LATE_MS = 50;
/**
 * Slack per interval: the lateness allowed plus the request's way to the provider, which on a busy worker (event-loop
 * lag, connection queueing) was measured at up to about 200 ms (bench/channels.ts). It costs throughput: 30 per second
 * declared paces at about 24.
 */
export const SLACK_MS = LATE_MS + 200;

export type Reservation = { ok: true; waitMs: number } | { ok: false; retryAfterMs: number };

const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The spacing of slots for a limit. */
export const slotStep = (rate: RateLimit) => Math.max(1, Math.ceil((rate.intervalMs + SLACK_MS) / rate.limit));

export function createRateLimiter(prisma: PrismaClient) {
  return {
    /**
     * Reserves the next send slot on the account if it starts within `maxWaitMs`; says how long to wait for it.
     * Without a reservation (the queue is longer than that) it says when to ask again, and reserves nothing.
     */
    async reserve(accountId: string, rate: RateLimit, maxWaitMs: number): Promise<Reservation> {
      const step = slotStep(rate);
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
      const [bucket] = await prisma.$queryRawUnsafe<{ wait: bigint }[]>(
        `SELECT tat - ${NOW_MS} AS wait FROM rate_buckets WHERE account_id = $1`,
        accountId,
      );
      return { ok: false, retryAfterMs: Math.max(step, Number(bucket?.wait ?? 0) - maxWaitMs / 2) };
    },

    /** How long the account is still blocked by a provider's Retry-After (0: not blocked). */
    async blockedFor(accountId: string): Promise<number> {
      const [row] = await prisma.$queryRawUnsafe<{ wait: bigint }[]>(
        `SELECT blocked_until - ${NOW_MS} AS wait FROM rate_buckets WHERE account_id = $1`,
        accountId,
      );
      return Math.max(0, Number(row?.wait ?? 0));
    },

    /** The provider said to wait (429 + Retry-After): no send on the account goes before then. */
    async pushBack(accountId: string, afterMs: number): Promise<void> {
      await prisma.$executeRawUnsafe(
        `INSERT INTO rate_buckets (account_id, tat, blocked_until) VALUES ($1, ${NOW_MS} + $2, ${NOW_MS} + $2)
         ON CONFLICT (account_id) DO UPDATE SET tat = GREATEST(rate_buckets.tat, ${NOW_MS} + $2),
           blocked_until = GREATEST(rate_buckets.blocked_until, ${NOW_MS} + $2)`,
        accountId,
        Math.max(0, Math.round(afterMs)),
      );
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
