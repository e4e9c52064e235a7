import { describe, expect, it } from 'vitest';
import { SAMPLE_LIMITS, SAMPLE_MAX_BYTES, trimSample } from './sample.js';

describe('trimSample', () => {
  it('keeps small outputs as they are', () => {
    const out = { status: 200, headers: { 'content-type': 'application/json' }, body: { ok: true, id: null } };
    expect(trimSample(out)).toEqual(out);
  });
  it('cuts arrays, long strings, wide objects and deep nesting', () => {
    const wide = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i]));
    const deep = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };
    const got = trimSample({ list: [1, 2, 3, 4, 5], text: 'x'.repeat(500), wide, deep }) as Record<string, any>;
    expect(got.list).toEqual([1, 2, 3]);
    expect(got.text).toBe(`${'x'.repeat(SAMPLE_LIMITS.chars)}…`);
    expect(Object.keys(got.wide)).toHaveLength(SAMPLE_LIMITS.keys);
    expect(got.deep).toEqual({ a: { b: { c: { d: { e: null } } } } });
  });
  it('tightens the limits until it fits the budget, and gives up on what never fits', () => {
    // 50 keys × 3 items × 50 keys of 200-character strings: far over 16 KiB at the first limits.
    const row = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, 'y'.repeat(300)]));
    const big = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, [row, row, row]]));
    const got = trimSample(big) as Record<string, unknown[]>;
    expect(new TextEncoder().encode(JSON.stringify(got)).length).toBeLessThanOrEqual(SAMPLE_MAX_BYTES);
    expect(got.k0).toHaveLength(1);
    const keys = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'z'.repeat(40)]));
    const huge = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [
        `a${i}`,
        Object.fromEntries(
          Array.from({ length: 10 }, (_, j) => [
            `b${j}`,
            Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`c${k}`, keys])),
          ]),
        ),
      ]),
    );
    expect(trimSample(huge)).toBeUndefined();
  });
});
