import { describe, expect, it } from 'vitest';
import type { Contact } from '../api/types.js';
import { crmPlanText, mergeByText, mergeCandidates, mergeNames, sideText } from './merge.js';

const contact = (id: string, over: Partial<Contact> = {}): Contact => ({
  id,
  name: null,
  attributes: {},
  tags: [],
  identities: [],
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...over,
});
const ref = (recordId: string) => ({
  accountId: 'cha_1',
  connector: 'hubspot',
  accountName: 'HubSpot',
  contactId: 'ct_1',
  recordId,
});
const plan = { accountId: 'cha_1', connector: 'hubspot', accountName: 'HubSpot' };

describe('merge dialog words', () => {
  it('names the side a value comes from', () => {
    const names = { survivor: 'Ann', merged: 'Annie' };
    expect(sideText('survivor', names)).toBe('from Ann');
    expect(sideText('merged', names)).toBe('from Annie');
    expect(sideText('both', names)).toBe('both');
    expect(sideText(null, names)).toBe('');
  });

  it('says what the CRM sync does after the merge', () => {
    expect(crmPlanText({ ...plan, action: 'merge', keep: [ref('1')], mergeAway: [ref('2'), ref('3')] })).toBe(
      'HubSpot merges record 2, 3 into 1 (an undo here does not unmerge it there)',
    );
    expect(crmPlanText({ ...plan, action: 'update_each', keep: [ref('1'), ref('2')], mergeAway: [] })).toBe(
      'HubSpot cannot merge records: 1, 2 are each updated',
    );
    expect(crmPlanText({ ...plan, action: 'update', keep: [ref('1')], mergeAway: [] })).toBe(
      'HubSpot updates record 1',
    );
    expect(crmPlanText({ ...plan, action: 'sync', keep: [], mergeAway: [] })).toMatch(/finds or creates/);
  });

  it('says who merged', () => {
    expect(mergeByText({ type: 'api' })).toBe('through the API');
    expect(mergeByText({ type: 'person', ref: 'ada' })).toBe('by ada');
    expect(mergeByText({ type: 'rule', ref: 'crm-merge cha_1' })).toBe('by a rule (crm-merge cha_1)');
    expect(mergeByText({ type: 'run', ref: 'run_1' })).toBe('by a flow run (run_1)');
  });

  it('offers any contact but this one and what is in it', () => {
    const self = contact('ct_a', { members: [{ id: 'ct_m', name: 'M', mergeId: 'mrg_1', mergedAt: null }] });
    const found = [contact('ct_a'), contact('ct_m', { mergedInto: 'ct_a' }), contact('ct_b'), contact('ct_c')];
    expect(mergeCandidates(found, self).map((c) => c.id)).toEqual(['ct_b', 'ct_c']);
  });

  it("shows a merge's contacts by name where the page knows them", () => {
    const name = mergeNames([
      contact('ct_a', { name: 'Ann' }),
      { id: 'ct_m', name: null },
      { id: 'ct_a', name: 'Old name' },
    ]);
    expect([name('ct_a'), name('ct_m'), name('ct_x')]).toEqual(['Ann', 'Unnamed', 'ct_x']);
  });
});
