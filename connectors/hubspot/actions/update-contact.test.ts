import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { useHubSpotFake } from './test-support.js';

const h = useHubSpotFake();
const action = h.action('updateContact');
const run = (input: Record<string, unknown>, attempt = 1) => action.run(h.ctx(attempt), input);

describe('hubspot.updateContact', () => {
  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_hs', contactId: '101', properties: { city: 'Faro' } })).toBe(true);
    expect(validate({ account: 'crm_hs', contactId: '101', properties: {} })).toBe(false);
    expect(validate({ account: 'crm_hs', contactId: 'abc', properties: { city: 'Faro' } })).toBe(false);
  });

  it('PATCHes the properties as strings and returns the record', async () => {
    const c = h.hs.crm.create('contacts', { email: 'up@example.com', city: 'Braga' });
    const out = await run({ account: 'crm_hs', contactId: c.id, properties: { city: 'Faro', zip: 8000, company: '' } });
    expect(h.hs.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/crm/v3/objects/contacts/${c.id}`,
      body: { properties: { city: 'Faro', zip: '8000', company: '' } },
    });
    expect(out).toMatchObject({ id: c.id, properties: { city: 'Faro', zip: '8000' } });
    expect(createAjv().compile(action.output)(out)).toBe(true);
    expect(h.hs.violations).toEqual([]);
  });

  it('a missing contact is not_found, an unknown property a validation error', async () => {
    await expect(run({ account: 'crm_hs', contactId: '99999', properties: { city: 'x' } })).rejects.toMatchObject({
      kind: 'not_found',
    });
    const c = h.hs.crm.create('contacts', { email: 'up2@example.com' });
    await expect(run({ account: 'crm_hs', contactId: c.id, properties: { shoe: '1' } })).rejects.toMatchObject({
      kind: 'validation',
      retryable: false,
    });
  });
});
