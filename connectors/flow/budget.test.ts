import { describe, expect, it } from 'vitest';
import { jsonBytes } from './budget.js';

describe('jsonBytes', () => {
  it('counts the UTF-8 bytes of the JSON', () => {
    expect(jsonBytes({ a: 'x' })).toBe(Buffer.byteLength(JSON.stringify({ a: 'x' })));
    for (const s of ['é', '€', '😀', 'a\u0000b', '\ud800'])
      expect(jsonBytes({ s }), s).toBe(Buffer.byteLength(JSON.stringify({ s })));
    expect(jsonBytes(undefined)).toBe(0);
  });

  it('stops counting past the limit', () => {
    const big = { s: 'x'.repeat(10_000) };
    expect(jsonBytes(big, 100)).toBe(101);
    expect(jsonBytes({ s: '€'.repeat(50) }, 100)).toBe(101);
    expect(jsonBytes(big, 20_000)).toBe(10_008);
  });

  it('treats a value JSON cannot write as over any limit', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonBytes(cyclic, 10)).toBe(11);
  });
});
