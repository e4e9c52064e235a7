// Send pacing on the real PostgreSQL: slots are spaced by interval/limit across concurrent callers, a queue longer than
// the caller may wait reserves nothing, and a provider's Retry-After pushes every later slot back.
import { afterAll, describe, expect, it } from 'vitest';
import { testPrisma } from '../test/env.js';
import { createRateLimiter, SLACK_MS, slotStep } from './rate-limits.js';

const prisma = testPrisma();
const limiter = createRateLimiter(prisma);
afterAll(() => prisma.$disconnect());
const account = () => `cha_rl_${Math.random().toString(36).slice(2)}`;

describe('rate limiter', () => {
  it('spaces concurrent reservations interval/limit apart', async () => {
    const id = account();
    // One per 10 s, so the few milliseconds between the calls themselves cannot blur the spacing.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => limiter.reserve(id, { limit: 1, intervalMs: 10_000 }, 600_000)),
    );
    const waits = results.map((r) => (r.ok ? r.waitMs : NaN)).sort((a, b) => a - b);
    expect(waits.every(Number.isFinite)).toBe(true);
    expect(waits[0]).toBeLessThan(1000);
    for (let i = 1; i < waits.length; i++) expect(waits[i]! - waits[i - 1]!).toBeGreaterThan(9000);
  });

  it('reserves nothing when the queue is longer than the caller may wait, and says when to ask again', async () => {
    const id = account();
    for (let i = 0; i < 5; i++)
      expect((await limiter.reserve(id, { limit: 1, intervalMs: 1000 }, 10_000)).ok).toBe(true);
    const refused = await limiter.reserve(id, { limit: 1, intervalMs: 1000 }, 2000);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(1000);
    // The refusal took no slot: the next patient caller still gets the 6th.
    const next = await limiter.reserve(id, { limit: 1, intervalMs: 1000 }, 10_000);
    const step = slotStep({ limit: 1, intervalMs: 1000 });
    expect(next.ok && next.waitMs).toBeGreaterThan(4 * step);
    expect(next.ok && next.waitMs).toBeLessThanOrEqual(5 * step);
  });

  it('pushes the account back after a Retry-After, and blocks sends that already hold a slot', async () => {
    const id = account();
    const held = await limiter.reserve(id, { limit: 100, intervalMs: 1000 }, 10_000);
    expect(held.ok && held.waitMs).toBe(0);
    expect(await limiter.blockedFor(id)).toBe(0);
    await limiter.pushBack(id, 3000);
    expect(await limiter.blockedFor(id)).toBeGreaterThan(2500);
    const r = await limiter.reserve(id, { limit: 100, intervalMs: 1000 }, 10_000);
    expect(r.ok && r.waitMs).toBeGreaterThan(2500);
  });

  it('spaces slots with slack for late timers and the way to the provider', () => {
    expect(slotStep({ limit: 30, intervalMs: 1000 })).toBe(Math.ceil((1000 + SLACK_MS) / 30));
    expect(slotStep({ limit: 1, intervalMs: 1000 })).toBe(1000 + SLACK_MS);
  });
});
