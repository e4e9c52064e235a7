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

const action = hubspotConnector.actions.find((a) => a.id === 'updateContact')!;
const run = (input: Record<string, unknown>) => action.run(actionContext({ accounts: accounts() }), input);

describe('hubspot.updateContact', () => {
  it('validates its input', () => {
    const validate = createAjv().compile(action.input);
    expect(validate({ account: 'crm_hs', contactId: '101', properties: { city: 'Faro' } })).toBe(true);
    expect(validate({ account: 'crm_hs', contactId: '101', properties: {} })).toBe(false);
    expect(validate({ account: 'crm_hs', contactId: 'abc', properties: { city: 'Faro' } })).toBe(false);
  });

  it('PATCHes the properties as strings and returns the record', async () => {
    const c = hs.crm.create('contacts', { email: 'up@example.com', city: 'Braga' });
    const out = await run({ account: 'crm_hs', contactId: c.id, properties: { city: 'Faro', zip: 8000, company: '' } });
    expect(hs.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/crm/v3/objects/contacts/${c.id}`,
      body: { properties: { city: 'Faro', zip: '8000', company: '' } },
    });
    expect(out).toMatchObject({ id: c.id, properties: { city: 'Faro', zip: '8000' } });
    expect(createAjv().compile(action.output)(out)).toBe(true);
    expect(hs.violations).toEqual([]);
  });

  it('a missing contact is not_found, an unknown property a validation error', async () => {
    await expect(run({ account: 'crm_hs', contactId: '99999', properties: { city: 'x' } })).rejects.toMatchObject({
      kind: 'not_found',
    });
    const c = hs.crm.create('contacts', { email: 'up2@example.com' });
    await expect(run({ account: 'crm_hs', contactId: c.id, properties: { shoe: '1' } })).rejects.toMatchObject({
      kind: 'validation',
      retryable: false,
    });
  });
});
