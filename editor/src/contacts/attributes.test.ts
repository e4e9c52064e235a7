import { describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../api/types.js';
import {
  attributeQuery,
  attributeRows,
  definedValue,
  inputKind,
  isIsoDate,
  optionsFromText,
  withDefinitions,
} from './attributes.js';
import { changeRow, contactDraft, contactPatch } from './edit.js';

const at = '2026-12-04T00:00:00.000Z';
const def = (key: string, type: AttributeDefinition['type'], options?: string[]): AttributeDefinition => ({
  key,
  label: key.toUpperCase(),
  type,
  ...(options && { options }),
  createdAt: at,
  updatedAt: at,
});
const defs = [def('plan', 'select', ['free', 'pro']), def('seats', 'number'), def('renews', 'date')];

describe('definedValue', () => {
  it('reads a typed input as its type, or says what is wrong', () => {
    expect(definedValue({ label: 'S', type: 'number' }, ' 12.5 ')).toEqual({ value: 12.5 });
    expect(definedValue({ label: 'S', type: 'number' }, 'twelve')).toEqual({ problem: 'must be a number' });
    expect(definedValue({ label: 'D', type: 'date' }, '2026-02-28')).toEqual({ value: '2026-02-28' });
    expect(definedValue({ label: 'D', type: 'date' }, '2026-02-30')).toMatchObject({ problem: expect.any(String) });
    expect(definedValue({ label: 'P', type: 'select', options: ['free'] }, 'free')).toEqual({ value: 'free' });
    expect(definedValue({ label: 'P', type: 'select', options: ['free'] }, 'Free')).toEqual({
      problem: 'must be one of free',
    });
    expect(definedValue({ label: 'T', type: 'text' }, ' Acme ')).toEqual({ value: 'Acme' });
    expect(isIsoDate('2026-1-01')).toBe(false);
  });
});

describe('withDefinitions', () => {
  it('puts a typed row per definition first (empty when unset) and keeps the other attributes as free rows', () => {
    const contact = { name: 'Ada', attributes: { city: 'Lisbon', seats: 5, nested: { a: 1 } } };
    const draft = withDefinitions(contactDraft(contact), defs);
    expect(draft.rows.map((r) => [r.key, r.value, r.def?.type ?? null])).toEqual([
      ['plan', '', 'select'],
      ['seats', '5', 'number'],
      ['renews', '', 'date'],
      ['city', 'Lisbon', null],
      ['nested', '{"a":1}', null],
    ]);
    expect(new Set(draft.rows.map((r) => r.id)).size).toBe(draft.rows.length);
  });

  it('makes a patch of typed values, removes a cleared one, and refuses one that does not fit', () => {
    const contact = { name: 'Ada', attributes: { seats: 5 } };
    let draft = withDefinitions(contactDraft(contact), defs);
    const id = (key: string) => draft.rows.find((r) => r.key === key)!.id;
    expect(contactPatch(contact, draft)).toEqual({ patch: null, problems: [] });
    draft = changeRow(draft, id('plan'), { value: 'pro' });
    draft = changeRow(draft, id('renews'), { value: '2026-03-01' });
    draft = changeRow(draft, id('seats'), { value: '' });
    expect(contactPatch(contact, draft)).toEqual({
      patch: { attributes: { plan: 'pro', renews: '2026-03-01', seats: null } },
      problems: [],
    });
    draft = changeRow(draft, id('seats'), { value: 'many' });
    expect(contactPatch(contact, draft)).toEqual({ patch: null, problems: ['SEATS: must be a number.'] });
  });
});

describe('filter and settings helpers', () => {
  it('reads options, builds the attribute query and picks the filter input', () => {
    expect(optionsFromText(' free, pro\nteam\n\npro ')).toEqual(['free', 'pro', 'team']);
    expect(attributeQuery('plan', ' pro ')).toEqual({ plan: 'pro' });
    expect(attributeQuery('plan', '  ')).toEqual({});
    expect(attributeQuery('', 'pro')).toEqual({});
    expect(inputKind(defs[0])).toBe('select');
    expect(inputKind(def('company', 'text'))).toBe('text');
    expect(inputKind(undefined)).toBe('text');
  });
});

describe('attributeRows', () => {
  it('lists defined attributes first under their label, then the rest by key', () => {
    const defs = [
      { key: 'plan', label: 'Plan' },
      { key: 'renewal', label: 'Renews on' },
      { key: 'seats', label: 'Seats' },
    ];
    expect(attributeRows({ city: 'Oslo', seats: 3, plan: 'pro' }, defs)).toEqual([
      { key: 'plan', label: 'Plan', value: 'pro' },
      { key: 'seats', label: 'Seats', value: 3 },
      { key: 'city', label: 'city', value: 'Oslo' },
    ]);
    expect(attributeRows({ city: 'Oslo', plan: 'pro' }, null)).toEqual([
      { key: 'city', label: 'city', value: 'Oslo' },
      { key: 'plan', label: 'plan', value: 'pro' },
    ]);
    expect(attributeRows(null, defs)).toEqual([]);
  });
});
