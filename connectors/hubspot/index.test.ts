import { describe, expect, it } from 'vitest';
import { createAjv, definitionProblems } from '../sdk/index.js';
import { hubspotConnector } from './index.js';
import { readHubspotSettings } from './settings.js';
import { testAccount } from '../testkit/index.js';

describe('hubspot connector', () => {
  it('is a valid definition with a crm block: webhooks, merge, rate limit, field map', () => {
    expect(definitionProblems(hubspotConnector)).toEqual([]);
    expect(hubspotConnector.manifest.actions.map((a) => a.id)).toEqual([
      'hubspot.findOrCreateContact',
      'hubspot.updateContact',
      'hubspot.addNote',
      'hubspot.createDeal',
      'hubspot.moveDeal',
    ]);
    expect(hubspotConnector.manifest.channel).toBeUndefined();
    expect(hubspotConnector.manifest.crm).toMatchObject({
      inbound: true,
      merge: true,
      rateLimit: { limit: 100, intervalMs: 10_000 },
      defaultFieldMap: expect.objectContaining({ company: 'company', city: 'city' }),
    });
  });

  it('keeps the token and secret write-only and checks them', () => {
    const auth = hubspotConnector.manifest.auth as { properties: Record<string, { writeOnly?: boolean }> };
    expect(auth.properties.accessToken!.writeOnly).toBe(true);
    expect(auth.properties.clientSecret!.writeOnly).toBe(true);
    const validate = createAjv().compile(hubspotConnector.manifest.auth!);
    expect(validate({ accessToken: 'pat-na1-11111111-2222-3333-4444-555555555555', clientSecret: 's' })).toBe(true);
    expect(validate({ accessToken: 'pat with spaces' })).toBe(false);
    expect(validate({})).toBe(false);
  });

  it('reads settings with the default base URL and refuses another host', () => {
    const account = (settings: Record<string, unknown>) =>
      testAccount({ credentials: { accessToken: 'pat-na1-x-token' }, settings: settings as never });
    expect(readHubspotSettings(account({}))).toEqual({ apiBaseUrl: 'https://api.hubapi.com' });
    expect(readHubspotSettings(account({ portalId: '123', apiBaseUrl: 'https://api.hubapi.com/' }))).toEqual({
      apiBaseUrl: 'https://api.hubapi.com',
      portalId: '123',
    });
    expect(() => readHubspotSettings(account({ apiBaseUrl: 'https://example.com' }))).toThrow(
      expect.objectContaining({ code: 'BASE_URL_NOT_ALLOWED' }),
    );
    expect(() => readHubspotSettings(account({ portalId: 'abc' }))).toThrow(
      expect.objectContaining({ code: 'SETTINGS_INVALID' }),
    );
  });
});
