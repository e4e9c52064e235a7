import { describe, expect, it } from 'vitest';
import type { Identity } from '../api/types.js';
import {
  attributeText,
  contactName,
  crmStatusText,
  crmSyncing,
  groupIdentities,
  identityFlag,
  provenanceText,
  reasonText,
  syncedText,
} from './view.js';

const idn = (kind: string, value: string, over: Partial<Identity> = {}): Identity => ({
  id: `idn_${kind}_${value}`,
  kind,
  value,
  valid: true,
  verified: false,
  source: { type: 'api' },
  addedAt: '2026-12-01T10:00:00.000Z',
  ...over,
});

describe('contact view helpers', () => {
  it('names a contact, or calls it Unnamed', () => {
    expect(contactName({ name: ' Ada ' })).toBe('Ada');
    expect(contactName({ name: null })).toBe('Unnamed');
    expect(contactName({ name: '  ' })).toBe('Unnamed');
  });

  it('groups identities by kind in order of first appearance, keeping their order', () => {
    const groups = groupIdentities([
      idn('phone', '+34612345678'),
      idn('email', 'a@x.org'),
      idn('phone', '+34699999999'),
      idn('acme', 'x1'),
      idn('hubspot', '6161:1001'),
    ]);
    expect(groups.map((g) => [g.label, g.items.map((i) => i.value)])).toEqual([
      ['Phone', ['+34612345678', '+34699999999']],
      ['Email', ['a@x.org']],
      ['acme', ['x1']],
      ['HubSpot', ['6161:1001']],
    ]);
    expect(groupIdentities([])).toEqual([]);
  });

  it('flags invalid before verified', () => {
    expect(identityFlag({ valid: false, verified: true })).toBe('invalid');
    expect(identityFlag({ valid: true, verified: true })).toBe('verified');
    expect(identityFlag({ valid: true, verified: false })).toBe('unverified');
  });

  it('says where an identity came from, naming known accounts', () => {
    const names = (id: string) => (id === 'ca_1' ? 'Shop SMS' : undefined);
    expect(provenanceText({ type: 'message', accountId: 'ca_1', providerMessageId: 'SM1' }, names)).toBe(
      'message SM1 on Shop SMS',
    );
    expect(provenanceText({ type: 'message', accountId: 'ca_2', providerMessageId: 'm' }, names)).toBe(
      'message m on ca_2',
    );
    expect(provenanceText({ type: 'run', runId: 'run_9', nodeId: 'save' })).toBe('run run_9, step save');
    expect(provenanceText({ type: 'crm', accountId: 'ca_1', recordId: 'hubspot:1:2' }, names)).toBe(
      'CRM Shop SMS, record hubspot:1:2',
    );
    expect(provenanceText({ type: 'api' })).toBe('API');
    expect(provenanceText({ type: 'api', ref: 'import' })).toBe('API (import)');
    expect(provenanceText({ type: 'person' })).toBe('added by a person');
    expect(provenanceText({ type: 'person', ref: 'ana' })).toBe('added by ana');
  });
});

describe('reasonText', () => {
  it('says each reason of a duplicate suggestion in words', () => {
    expect(reasonText({ code: 'shared_identity', kind: 'phone', value: '+34612345678' })).toBe(
      'Both use Phone +34612345678',
    );
    expect(reasonText({ code: 'linked_identity', kind: 'email', value: 'a@x.org' })).toBe(
      'One message came with Email a@x.org of both',
    );
    expect(reasonText({ code: 'names_differ', names: ['Ana Ruiz', 'Leo Ruiz'] })).toBe(
      'Names differ: Ana Ruiz / Leo Ruiz',
    );
  });
});

describe('CRM sync in words', () => {
  const error = (retrying: boolean) => ({
    code: 'refused',
    message: 'Property "tier" does not exist',
    at: '2026-12-01T10:00:00.000Z',
    retrying,
  });

  it('says each status, with the error of a retry or a failure', () => {
    expect(crmStatusText({ status: 'synced', error: null })).toBe('In sync');
    expect(crmStatusText({ status: 'pending', error: null })).toBe('Syncing…');
    expect(crmStatusText({ status: 'retrying', error: error(true) })).toBe('Retrying: Property "tier" does not exist');
    expect(crmStatusText({ status: 'failed', error: error(false) })).toBe('Failed: Property "tier" does not exist');
    expect(crmStatusText({ status: 'failed', error: null })).toBe('Failed: the CRM refused the change');
    expect(crmStatusText({ status: 'not_synced', error: null })).toBe('Not synced (no email or phone)');
  });

  it('polls while a sync is pending or retrying', () => {
    expect(crmSyncing([])).toBe(false);
    expect(crmSyncing([{ status: 'synced' }, { status: 'failed' }, { status: 'not_synced' }])).toBe(false);
    expect(crmSyncing([{ status: 'synced' }, { status: 'pending' }])).toBe(true);
    expect(crmSyncing([{ status: 'retrying' }])).toBe(true);
  });

  it('says when the CRM last took a change', () => {
    const now = Date.parse('2026-12-01T12:00:00.000Z');
    const ago = (ms: number) => new Date(now - ms).toISOString();
    expect(syncedText(null, now)).toBe('never synced');
    expect(syncedText(ago(10_000), now)).toBe('last synced just now');
    expect(syncedText(ago(-5_000), now)).toBe('last synced just now');
    expect(syncedText(ago(5 * 60_000), now)).toBe('last synced 5 min ago');
    expect(syncedText(ago(3 * 3_600_000 + 60_000), now)).toBe('last synced 3 h ago');
    expect(syncedText(ago(3 * 86_400_000), now)).toMatch(/^last synced 28 Nov, \d\d:\d\d$/);
  });

  it('shows attribute values: text as it is, the rest as JSON', () => {
    expect(attributeText('Lisbon')).toBe('Lisbon');
    expect(attributeText(3)).toBe('3');
    expect(attributeText(true)).toBe('true');
    expect(attributeText({ a: 1 })).toBe('{"a":1}');
  });
});
