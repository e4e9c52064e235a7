import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAjv } from '../../sdk/index.js';
import { actionContext, directAccounts, startHubSpotFake, testAccount, type HubSpotFake } from '../../testkit/index.js';
import { hubspotConnector } from '../index.js';

const TOKEN = 'pat-na1-action-test-token';
let hs: HubSpotFake;
beforeAll(async () => {
  hs = await startHubSpotFake({ accessToken: TOKEN, rateLimit: false, searchPerSecond: false });
});
afterAll(() => hs.close());
beforeEach(() => {
  hs.violations.length = 0;
  hs.requests.length = 0;
});

const accounts = () =>
  directAccounts([
    testAccount({ id: 'crm_hs', credentials: { accessToken: TOKEN }, settings: { apiBaseUrl: hs.url } }),
  ]);

const action = hubspotConnector.actions.find((a) => a.id === 'moveDeal')!;
const run = (input: Record<string, unknown>) => action.run(actionContext({ accounts: accounts() }), input);

describe('hubspot.moveDeal', () => {
  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_hs', dealId: '5', stage: 'closedwon' })).toBe(true);
    expect(validate({ account: 'crm_hs', dealId: '5' })).toBe(false);
  });

  it('PATCHes dealstage (twice is the same) and returns the deal', async () => {
    const d = hs.crm.create('deals', { dealname: 'Move me', pipeline: 'default', dealstage: 'qualifiedtobuy' });
    const out = await run({ account: 'crm_hs', dealId: d.id, stage: 'closedwon' });
    expect(hs.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/crm/v3/objects/deals/${d.id}`,
      body: { properties: { dealstage: 'closedwon' } },
    });
    expect(out).toMatchObject({ id: d.id, properties: { dealstage: 'closedwon' } });
    await run({ account: 'crm_hs', dealId: d.id, stage: 'closedwon' });
    expect(hs.get('deals', d.id)!.properties.dealstage).toBe('closedwon');
    expect(hs.violations).toEqual([]);
  });

  it('a missing deal is not_found', async () => {
    await expect(run({ account: 'crm_hs', dealId: '99999', stage: 'closedwon' })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});
