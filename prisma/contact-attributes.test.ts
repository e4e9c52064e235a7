// The attribute checks alone (pure): exact for people and the API, lenient for machines. The store and the routes
// over PostgreSQL: server/contact-settings.test.ts.
import { describe, expect, it } from 'vitest';
import { attributeFilters, checkAttributeValue, checkLenient, matchesAttributes } from './contact-attributes.js';
import type { AttributeDefinition } from './contact-attributes.js';

const at = '2026-12-04T00:00:00.000Z';
const defs = new Map<string, AttributeDefinition>(
  [
    { key: 'plan', label: 'Plan', type: 'select' as const, options: ['free', 'pro'] },
    { key: 'seats', label: 'Seats', type: 'number' as const },
    { key: 'renews', label: 'Renews', type: 'date' as const },
    { key: 'company', label: 'Company', type: 'text' as const },
  ].map((d): [string, AttributeDefinition] => [d.key, { ...d, createdAt: at, updatedAt: at }]),
);
const d = (key: string) => defs.get(key)!;

describe('checkAttributeValue', () => {
  it('takes only the JSON type the definition says when exact', () => {
    expect(checkAttributeValue(d('seats'), 3, 'exact')).toEqual({ ok: true, value: 3 });
    expect(checkAttributeValue(d('seats'), '3', 'exact')).toMatchObject({ ok: false });
    expect(checkAttributeValue(d('renews'), '2026-02-29', 'exact')).toMatchObject({ ok: false });
    expect(checkAttributeValue(d('renews'), '2028-02-29', 'exact')).toEqual({ ok: true, value: '2028-02-29' });
    expect(checkAttributeValue(d('plan'), 'Pro', 'exact')).toMatchObject({ ok: false });
    expect(checkAttributeValue(d('company'), 7, 'exact')).toMatchObject({ ok: false });
    expect(checkAttributeValue(d('company'), 'x'.repeat(2001), 'exact')).toMatchObject({ ok: false });
  });

  it('reads what CRMs and flows send when lenient, in the stored form', () => {
    expect(checkAttributeValue(d('seats'), ' 42 ', 'lenient')).toEqual({ ok: true, value: 42 });
    expect(checkAttributeValue(d('seats'), '', 'lenient')).toMatchObject({ ok: false });
    expect(checkAttributeValue(d('renews'), '2026-03-01T00:00:00.000Z', 'lenient')).toEqual({
      ok: true,
      value: '2026-03-01',
    });
    expect(checkAttributeValue(d('renews'), Date.UTC(2026, 2, 1), 'lenient')).toEqual({
      ok: true,
      value: '2026-03-01',
    });
    expect(checkAttributeValue(d('renews'), String(Date.UTC(2026, 2, 1)), 'lenient')).toEqual({
      ok: true,
      value: '2026-03-01',
    });
    expect(checkAttributeValue(d('renews'), 'March 1st', 'lenient')).toMatchObject({ ok: false });
    expect(checkAttributeValue(d('plan'), ' PRO', 'lenient')).toEqual({ ok: true, value: 'pro' });
    expect(checkAttributeValue(d('company'), 12, 'lenient')).toEqual({ ok: true, value: '12' });
    expect(checkAttributeValue(d('company'), { a: 1 }, 'lenient')).toMatchObject({ ok: false });
  });

  it('leaves out what does not fit and keeps undefined keys and nulls as they are', () => {
    expect(checkLenient(defs, { plan: 'gold', seats: '2', other: { x: 1 }, company: null })).toEqual({
      attributes: { seats: 2, other: { x: 1 }, company: null },
      rejected: [{ key: 'plan', value: 'gold', problem: 'must be one of "free", "pro"' }],
    });
  });
});

describe('attributeFilters', () => {
  it('matches typed attributes exactly and text or undefined keys by substring', () => {
    const filters = attributeFilters(defs, { plan: 'PRO', seats: '5', company: ' acme ', city: 'lis' });
    expect(filters).toEqual([
      { key: 'plan', op: 'equals', value: 'pro' },
      { key: 'seats', op: 'equals', value: 5 },
      { key: 'company', op: 'contains', text: 'acme' },
      { key: 'city', op: 'contains', text: 'lis' },
    ]);
    expect(matchesAttributes({ plan: 'pro', seats: 5, company: 'ACME Corp', city: 'Lisbon' }, filters)).toBe(true);
    expect(matchesAttributes({ plan: 'pro', seats: 6, company: 'ACME Corp', city: 'Lisbon' }, filters)).toBe(false);
    expect(() => attributeFilters(defs, { seats: 'many' })).toThrow('attributes.seats: must be a number');
    expect(() => attributeFilters(defs, { renews: '01/03/2026' })).toThrow('attributes.renews');
  });
});
