// The pure parts of the server↔worker contract: which search attributes a run starts with.
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../connectors/flow/types.js';
import { runContactId, runSearchAttributes, SA_CONTACT, SEARCH_ATTRIBUTES } from './contract.js';

describe('runContactId', () => {
  it("is the id of the run's contact, when it has one", () => {
    expect(runContactId({ id: 'ct_1', name: 'Ada' })).toBe('ct_1');
    const nones: (JsonValue | undefined)[] = [
      undefined,
      null,
      'ct_1',
      ['ct_1'],
      {},
      { id: '' },
      { id: 7 },
      { contactId: 'ct_1' },
    ];
    for (const none of nones) expect(runContactId(none), JSON.stringify(none)).toBeUndefined();
  });
});

describe('runSearchAttributes', () => {
  const run = { workspaceId: 'ws_1', flowId: 'flw_1', version: 3 };
  const byName = (pairs: ReturnType<typeof runSearchAttributes>) =>
    Object.fromEntries(pairs.map((p) => [p.key.name, p.value]));

  it('carries the contact id when the run has a contact, and is registered with the others', () => {
    expect(byName(runSearchAttributes({ ...run, contact: { id: 'ct_9', tags: [] } }))).toEqual({
      ConfluoWorkspaceId: 'ws_1',
      ConfluoFlowId: 'flw_1',
      ConfluoFlowVersion: 3,
      ConfluoPhase: 'running',
      ConfluoContactId: 'ct_9',
    });
    expect(SEARCH_ATTRIBUTES).toContain(SA_CONTACT);
    expect(SA_CONTACT).toMatchObject({ name: 'ConfluoContactId', type: 'KEYWORD' });
  });

  it('has no contact attribute for a run without a contact (webhook runs)', () => {
    expect(Object.keys(byName(runSearchAttributes(run)))).not.toContain('ConfluoContactId');
    expect(Object.keys(byName(runSearchAttributes({ ...run, contact: null })))).not.toContain('ConfluoContactId');
  });
});
