import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { useHubSpotFake } from './test-support.js';

const h = useHubSpotFake();
const action = h.action('createDeal');
const run = (input: Record<string, unknown>, attempt = 1) => action.run(h.ctx(attempt), input);

describe('hubspot.createDeal', () => {
  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_hs', name: 'Deal', stage: 'qualifiedtobuy' })).toBe(true);
    expect(validate({ account: 'crm_hs', name: 'Deal', stage: 'qualifiedtobuy', amount: 12.5, contactId: '1' })).toBe(
      true,
    );
    expect(validate({ account: 'crm_hs', name: 'Deal' })).toBe(false);
    expect(validate({ account: 'crm_hs', name: 'Deal', stage: 'bad stage' })).toBe(false);
    expect(validate({ account: 'crm_hs', name: 'Deal', stage: 's', amount: '12' })).toBe(false);
  });

  it('creates the deal associated to the contact (type 3) with amount as a string', async () => {
    const c = h.hs.crm.create('contacts', { email: 'deal@example.com' });
    const out = await run({
      account: 'crm_hs',
      name: 'Website',
      stage: 'qualifiedtobuy',
      amount: 1200,
      contactId: c.id,
    });
    expect(h.hs.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/crm/v3/objects/deals',
      body: {
        properties: { dealname: 'Website', dealstage: 'qualifiedtobuy', pipeline: 'default', amount: '1200' },
        associations: [{ to: { id: c.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }],
      },
    });
    expect(out).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      properties: { dealname: 'Website', amount: '1200' },
    });
    expect(createAjv().compile(action.output)(out)).toBe(true);
    expect(h.hs.get('deals', out.id)!.associations).toEqual({ contacts: [c.id] });
    expect(h.hs.violations).toEqual([]);
  });

  it('a retry reuses the deal the first attempt made', async () => {
    const c = h.hs.crm.create('contacts', { email: 'deal2@example.com' });
    const input = { account: 'crm_hs', name: 'Retry deal', stage: 'contractsent', contactId: c.id };
    const first = await run(input);
    const again = await run(input, 2);
    expect(again.id).toBe(first.id);
    expect(h.hs.records('deals').filter((d) => d.properties.dealname === 'Retry deal')).toHaveLength(1);
  });

  it('an unknown stage is HubSpot’s 400, a validation error', async () => {
    await expect(run({ account: 'crm_hs', name: 'X', stage: 'nostage' })).rejects.toMatchObject({
      kind: 'validation',
      code: 'HUBSPOT_BAD_REQUEST',
    });
  });
});
