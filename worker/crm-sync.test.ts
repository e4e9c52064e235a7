// The pure parts of CRM sync: what a contact is in a CRM's terms, and which fields a write carries.
import { describe, expect, it } from 'vitest';
import type { ContactRecord } from '../connectors/sdk/types.js';
import { changedFields, desiredOf, fieldMapOf, withWrite } from './crm-sync.js';
import { hubspotConnector } from '../connectors/hubspot/index.js';

const identity = (kind: string, value: string, extra: object = {}) => ({
  id: `idn_${kind}${value}`,
  kind,
  value,
  valid: true,
  verified: false,
  source: { type: 'api' as const },
  addedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

const contact = (over: Partial<ContactRecord> = {}): ContactRecord => ({
  id: 'ct_1',
  name: 'Ana García',
  attributes: {},
  tags: [],
  identities: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('desiredOf', () => {
  it('takes valid emails and phones, verified first then oldest, without a household’s shared email', () => {
    const c = contact({
      identities: [
        identity('email', 'typed@example.com', { addedAt: '2026-01-01T00:00:00.000Z' }),
        identity('email', 'delivered@example.com', { verified: true, addedAt: '2026-02-01T00:00:00.000Z' }),
        identity('email', 'family@example.com', { shared: true }),
        identity('email', 'not an email', { valid: false }),
        identity('phone', '+34612345678', { shared: true }),
        identity('telegram', '12345'),
      ],
    });
    expect(desiredOf(c, {})).toEqual({
      name: 'Ana García',
      emails: ['delivered@example.com', 'typed@example.com'],
      phones: ['+34612345678'],
      fields: {},
    });
  });

  it('maps attributes to the CRM’s fields, leaving out nested values and absent ones', () => {
    const c = contact({ attributes: { city: 'Sevilla', visits: 3, vip: true, address: { street: 'x' }, zip: null } });
    const map = { city: 'city', visits: 'num_visits', vip: 'is_vip', address: 'address', zip: 'zip', plan: 'plan' };
    expect(desiredOf(c, map).fields).toEqual({ city: 'Sevilla', num_visits: 3, is_vip: true });
  });
});

describe('changedFields and withWrite', () => {
  it('carries only what differs from the last write, lists compared in order', () => {
    const sent = { name: 'Ana', emails: ['a@example.com'], phones: ['+1'], fields: { city: 'Rome' } };
    expect(changedFields(sent, sent)).toEqual({});
    expect(
      changedFields(
        { ...sent, name: 'Ana G', emails: ['b@example.com', 'a@example.com'], fields: { city: 'Rome', zip: '1' } },
        sent,
      ),
    ).toEqual({ name: 'Ana G', emails: ['b@example.com', 'a@example.com'], fields: { zip: '1' } });
    // Never written before: everything given.
    expect(changedFields(sent, {})).toEqual(sent);
    expect(changedFields({ name: null }, { name: 'Ana' })).toEqual({ name: null });
    expect(changedFields({ name: null }, {})).toEqual({});
  });

  it('lays a write over a snapshot, fields merged', () => {
    expect(
      withWrite({ name: 'Ana', fields: { city: 'Rome', zip: '1' } }, { fields: { city: 'Oslo' }, phones: ['+2'] }),
    ).toEqual({
      name: 'Ana',
      phones: ['+2'],
      fields: { city: 'Oslo', zip: '1' },
    });
  });
});

describe('fieldMapOf', () => {
  it('is the connector’s defaults under the account’s own map, non-string entries ignored', () => {
    const map = fieldMapOf(hubspotConnector.crm!, { fieldMap: { tier: 'loyalty_tier', city: 'hs_city', bad: 3 } });
    expect(map).toMatchObject({ tier: 'loyalty_tier', city: 'hs_city', jobTitle: 'jobtitle' });
    expect(map).not.toHaveProperty('bad');
    expect(fieldMapOf(hubspotConnector.crm!, { fieldMap: ['x'] })).toEqual(hubspotConnector.crm!.defaultFieldMap);
  });
});
