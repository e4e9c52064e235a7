import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { useHubSpotFake } from './test-support.js';

const h = useHubSpotFake((hs) => hs.searchLag(false));
const action = h.action('findOrCreateContact');
const run = (input: Record<string, unknown>, attempt = 1) => action.run(h.ctx(attempt), input);

describe('hubspot.findOrCreateContact', () => {
  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_hs', email: 'a@example.com' })).toBe(true);
    expect(validate({ account: 'crm_hs', phone: '+351910000000', properties: { city: 'Lisbon', vip: true } })).toBe(
      true,
    );
    expect(validate({ account: 'crm_hs' })).toBe(false);
    expect(validate({ account: 'crm_hs', email: 'not-an-email' })).toBe(false);
    expect(validate({ account: 'crm_hs', email: 'a@example.com', properties: { City: 'x' } })).toBe(false);
    expect(validate({ account: 'crm_hs', email: 'a@example.com', properties: { city: { x: 1 } } })).toBe(false);
  });

  it('creates when absent (properties as strings), then finds it by email or phone', async () => {
    const made = await run({
      account: 'crm_hs',
      email: 'New@Example.com',
      phone: '+351910000009',
      properties: { firstname: 'Nia', company: 'Acme', zip: 1000 },
    });
    expect(made).toMatchObject({ created: true, contact: { properties: { email: 'new@example.com', zip: '1000' } } });
    expect(h.hs.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /crm/v3/objects/contacts/search',
      'POST /crm/v3/objects/contacts',
    ]);
    expect(h.hs.requests[1]!.body).toEqual({
      properties: { firstname: 'Nia', company: 'Acme', zip: '1000', email: 'new@example.com', phone: '+351910000009' },
    });
    const byEmail = await run({ account: 'crm_hs', email: 'new@example.com' });
    expect(byEmail).toMatchObject({ created: false, contact: { id: made.contact.id } });
    const byPhone = await run({ account: 'crm_hs', phone: '+351910000009' });
    expect(byPhone).toMatchObject({ created: false, contact: { id: made.contact.id } });
    expect(createAjv().compile(action.output)(byPhone)).toBe(true);
    expect(h.hs.records('contacts')).toHaveLength(1);
    expect(h.hs.violations).toEqual([]);
  });

  it('a retry finds what the first attempt made even while search lags (through the 409)', async () => {
    h.hs.searchLag(true);
    const first = await run({ account: 'crm_hs', email: 'retry@example.com' });
    const retried = await run({ account: 'crm_hs', email: 'retry@example.com' }, 2);
    expect(retried).toMatchObject({ created: false, contact: { id: first.contact.id } });
    expect(h.hs.records('contacts').filter((r) => r.properties.email === 'retry@example.com')).toHaveLength(1);
  });

  it('an account of another workspace or connector is not found', async () => {
    await expect(run({ account: 'crm_other', email: 'x@example.com' })).rejects.toMatchObject({ kind: 'not_found' });
  });
});
