import { describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { useHubSpotFake } from './test-support.js';

const h = useHubSpotFake();
const action = h.action('moveDeal');
const run = (input: Record<string, unknown>, attempt = 1) => action.run(h.ctx(attempt), input);

describe('hubspot.moveDeal', () => {
  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_hs', dealId: '5', stage: 'closedwon' })).toBe(true);
    expect(validate({ account: 'crm_hs', dealId: '5' })).toBe(false);
  });

  it('PATCHes dealstage (twice is the same) and returns the deal', async () => {
    const d = h.hs.crm.create('deals', { dealname: 'Move me', pipeline: 'default', dealstage: 'qualifiedtobuy' });
    const out = await run({ account: 'crm_hs', dealId: d.id, stage: 'closedwon' });
    expect(h.hs.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/crm/v3/objects/deals/${d.id}`,
      body: { properties: { dealstage: 'closedwon' } },
    });
    expect(out).toMatchObject({ id: d.id, properties: { dealstage: 'closedwon' } });
    await run({ account: 'crm_hs', dealId: d.id, stage: 'closedwon' });
    expect(h.hs.get('deals', d.id)!.properties.dealstage).toBe('closedwon');
    expect(h.hs.violations).toEqual([]);
  });

  it('a missing deal is not_found', async () => {
    await expect(run({ account: 'crm_hs', dealId: '99999', stage: 'closedwon' })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});
