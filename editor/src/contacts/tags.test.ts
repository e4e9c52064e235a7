import { describe, expect, it } from 'vitest';
import { tagFromSearch, tagHref, withoutTag, withTag } from './tags.js';

describe('contact tags', () => {
  it('adds a typed tag as the server stores it, once', () => {
    expect(withTag(['vip'], '  Lead ')).toEqual({ tags: ['vip', 'lead'] });
    expect(withTag(['vip'], 'VIP')).toEqual({ tags: ['vip'] });
    expect(withTag([], '   ')).toEqual({ problem: 'Type a tag first.' });
    expect(withTag([], 'x'.repeat(65))).toEqual({ problem: 'A tag is at most 64 characters.' });
    const full = Array.from({ length: 50 }, (_, i) => `t${i}`);
    expect(withTag(full, 'one more')).toEqual({ problem: 'A contact has at most 50 tags.' });
    expect(withTag(full, 't3')).toEqual({ tags: full });
  });

  it('takes one off', () => {
    expect(withoutTag(['vip', 'lead'], 'vip')).toEqual(['lead']);
  });

  it('reads and writes the Contacts screen’s tag filter', () => {
    expect(tagHref('VIP Gold')).toBe('/contacts?tag=vip%20gold');
    expect(tagHref(' ')).toBe('/contacts');
    expect(tagFromSearch('?tag=vip%20gold')).toBe('vip gold');
    expect(tagFromSearch('?tag=VIP')).toBe('vip');
    expect(tagFromSearch('')).toBe('');
  });
});
