import { describe, expect, it } from 'vitest';
import { addRow, changeRow, contactDraft, contactPatch, patchProblems, removeRow } from './edit.js';

const contact = {
  name: 'Grace Hopper',
  attributes: { city: 'New York', visits: 3, vip: false, address: { street: '1 Main St' } },
};

describe('contact edit form', () => {
  it('starts from the stored name and attributes, nested ones kept as JSON and fixed', () => {
    const d = contactDraft(contact);
    expect(d.name).toBe('Grace Hopper');
    expect(d.rows).toEqual([
      { id: 0, key: 'city', value: 'New York' },
      { id: 1, key: 'visits', value: '3' },
      { id: 2, key: 'vip', value: 'false' },
      { id: 3, key: 'address', value: '{"street":"1 Main St"}', fixed: true },
    ]);
    expect(contactDraft({ name: null, attributes: {} })).toEqual({ name: '', rows: [] });
  });

  it('adds, changes and removes rows; a fixed row does not change', () => {
    let d = addRow(contactDraft(contact));
    expect(d.rows.at(-1)).toEqual({ id: 4, key: '', value: '' });
    d = changeRow(d, 4, { key: 'plan' });
    d = changeRow(d, 4, { value: 'pro' });
    d = changeRow(d, 3, { value: 'x' });
    expect(d.rows.slice(3)).toEqual([
      { id: 3, key: 'address', value: '{"street":"1 Main St"}', fixed: true },
      { id: 4, key: 'plan', value: 'pro' },
    ]);
    d = removeRow(d, 0);
    expect(d.rows.map((r) => r.key)).toEqual(['visits', 'vip', 'address', 'plan']);
    expect(addRow({ name: '', rows: [] }).rows).toEqual([{ id: 0, key: '', value: '' }]);
  });

  it('sends nothing when nothing changed', () => {
    expect(contactPatch(contact, contactDraft(contact))).toEqual({ patch: null, problems: [] });
    // A blank row added and left empty is no change.
    expect(contactPatch(contact, addRow(contactDraft(contact)))).toEqual({ patch: null, problems: [] });
  });

  it('sends the changed name, new and changed attributes, and null for removed ones', () => {
    let d = addRow(contactDraft(contact));
    d = { ...changeRow(d, 4, { key: ' plan ', value: ' pro ' }), name: ' Grace B. Hopper ' };
    d = changeRow(d, 1, { value: '4' });
    d = changeRow(d, 2, { value: 'true' });
    d = removeRow(d, 0);
    expect(contactPatch(contact, d)).toEqual({
      patch: { name: 'Grace B. Hopper', attributes: { visits: 4, vip: true, plan: 'pro', city: null } },
      problems: [],
    });
  });

  it('keeps numbers and booleans only while the text still reads as one; new attributes are text', () => {
    let d = addRow(contactDraft(contact));
    d = changeRow(d, 1, { value: 'many' });
    d = changeRow(d, 2, { value: 'yes' });
    d = changeRow(d, 4, { key: 'age', value: '42' });
    expect(contactPatch(contact, d).patch).toEqual({ attributes: { visits: 'many', vip: 'yes', age: '42' } });
    expect(contactPatch(contact, changeRow(contactDraft(contact), 1, { value: ' ' })).patch).toEqual({
      attributes: { visits: '' },
    });
  });

  it('a blank name clears it; a renamed attribute is removed and added', () => {
    let d = { ...contactDraft(contact), name: '  ' };
    d = changeRow(d, 0, { key: 'town' });
    expect(contactPatch(contact, d).patch).toEqual({ name: null, attributes: { town: 'New York', city: null } });
    expect(contactPatch({ name: null, attributes: {} }, { name: '', rows: [] }).patch).toBeNull();
  });

  it('removing a nested attribute sends null for it', () => {
    expect(contactPatch(contact, removeRow(contactDraft(contact), 3)).patch).toEqual({ attributes: { address: null } });
  });

  it('refuses a value without a name and a name given twice, sending nothing', () => {
    let d = addRow(addRow(contactDraft(contact)));
    d = changeRow(d, 4, { value: 'orphan' });
    d = changeRow(d, 5, { key: 'city', value: 'Lisbon' });
    expect(contactPatch(contact, d)).toEqual({
      patch: null,
      problems: ['Attribute 5 has a value but no name.', '“city” is in the form twice.'],
    });
  });
});

describe('patchProblems', () => {
  it("puts the API's issues in words, one per field, without the union's noise", () => {
    expect(
      patchProblems([
        { path: '/body/attributes', code: 'additionalProperties', message: 'must NOT have additional properties' },
        { path: '/body/name', code: 'maxLength', message: 'must NOT have more than 200 characters' },
        { path: '/body/name', code: 'type', message: 'must be null' },
        { path: '/body/name', code: 'anyOf', message: 'must match a schema in anyOf' },
        { path: '/body/attributes/note', code: 'maxLength', message: 'must NOT have more than 2000 characters' },
        { path: '/body/attributes/note', code: 'type', message: 'must be number' },
        { path: '/body/attributes/deep', code: 'type', message: 'must be string' },
        { path: '/body/attributes/deep', code: 'anyOf', message: 'must match a schema in anyOf' },
        { path: '/body/attributes', code: 'maxProperties', message: 'must NOT have more than 100 properties' },
        { path: '/body', code: 'minProperties', message: 'must NOT have fewer than 1 properties' },
      ]),
    ).toEqual([
      'An attribute name is letters, digits and _ only (no spaces), not starting with a digit, up to 64 characters.',
      'At most 100 attributes.',
      'Name: must not have more than 200 characters.',
      '“note”: must not have more than 2000 characters.',
      '“deep”: must be text, a number, true or false.',
      'Must not have fewer than 1 properties.',
    ]);
    expect(patchProblems([])).toEqual([]);
  });
});
