// The step tests' per-flow budget (the route itself, on Temporal: server/step-test.worker.test.ts).
import { describe, expect, it } from 'vitest';
import { windowLimiter } from './step-tests.js';

describe('windowLimiter', () => {
  it('lets `limit` through per window and key, then says how many seconds until the oldest leaves', () => {
    const limited = windowLimiter(2, 60_000);
    expect(limited('a', 0)).toBe(0);
    expect(limited('a', 10_000)).toBe(0);
    expect(limited('a', 20_000)).toBe(40);
    expect(limited('b', 20_000)).toBe(0);
    // A refused call is not counted: at 60 s the first one has left the window.
    expect(limited('a', 60_000)).toBe(0);
    expect(limited('a', 60_500)).toBe(10);
  });
});
