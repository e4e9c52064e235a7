// client.ts against the HubSpot fake over real HTTP: HubSpot's answers mapped to ConnectorErrors (auth, not_found,
// 409 with the existing id, 429 with retryAfterMs from Retry-After or the rate-limit headers, 5xx and malformed JSON
// retryable), never quoting a raw body; the base URL guard.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../sdk/index.js';
import { startHubSpotFake, testAccount, type HubSpotFake } from '../testkit/index.js';
import { callHubspot, createObject, getObject, hubspotRetryAfterMs, portalId, searchObjects } from './client.js';

const TOKEN = 'pat-na1-client-test-token';
let hs: HubSpotFake;
beforeAll(async () => {
  hs = await startHubSpotFake({ accessToken: TOKEN, rateLimit: false, searchPerSecond: false });
});
afterAll(() => hs.close());
beforeEach(() => {
  hs.violations.length = 0;
});

const ctx = (over: { token?: string; apiBaseUrl?: string } = {}) => ({
  account: testAccount({
    id: 'crm_hs',
    credentials: { accessToken: over.token ?? TOKEN },
    settings: { apiBaseUrl: over.apiBaseUrl ?? hs.url },
  }),
  signal: AbortSignal.timeout(10_000),
});

const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};

describe('HubSpot client', () => {
  it('sends Bearer JSON and reads the portal id', async () => {
    expect(await portalId(ctx())).toBe('62515');
    const req = hs.requests.at(-1)!;
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.path).toBe('/account-info/v3/details');
  });

  it('maps a wrong token to a non-retryable auth error', async () => {
    const err = await failure(portalId(ctx({ token: 'pat-na1-wrong-token' })));
    expect(err).toMatchObject({ kind: 'auth', retryable: false, code: 'HUBSPOT_UNAUTHORIZED' });
    expect(err.message).toContain('INVALID_AUTHENTICATION');
  });

  it('reads a missing record as null, and a 409 names the existing id', async () => {
    expect(await getObject(ctx(), 'contacts', '999999', ['email'])).toBeNull();
    const first = await createObject(ctx(), 'contacts', { email: 'taken@example.com' });
    const err = await failure(createObject(ctx(), 'contacts', { email: 'taken@example.com' }));
    expect(err).toMatchObject({
      kind: 'validation',
      retryable: false,
      code: 'HUBSPOT_CONFLICT',
      details: { status: 409, category: 'CONFLICT', existingId: first.id },
    });
  });

  it('a 400 is a validation error quoting HubSpot’s message, sanitised', async () => {
    const err = await failure(createObject(ctx(), 'contacts', { shoe_size: '44' }));
    expect(err).toMatchObject({ kind: 'validation', code: 'HUBSPOT_BAD_REQUEST' });
    expect(err.message).toContain('Property "shoe_size" does not exist');
    expect(hs.violations).toHaveLength(1);
  });

  it('5xx, an outage and malformed JSON are retryable upstream errors that quote no body', async () => {
    hs.failNext({ status: 500, body: 'stack trace <secret>' });
    const e500 = await failure(portalId(ctx()));
    expect(e500).toMatchObject({ kind: 'upstream', retryable: true, code: 'HUBSPOT_HTTP_500' });
    expect(e500.message).not.toContain('secret');
    hs.outage(true);
    try {
      const e503 = await failure(portalId(ctx()));
      expect(e503).toMatchObject({ kind: 'upstream', retryable: true, code: 'HUBSPOT_HTTP_503' });
      expect(e503.message).toBe('HubSpot account details failed: HTTP 503');
    } finally {
      hs.outage(false);
    }
    hs.failNext('malformed');
    const bad = await failure(getObject(ctx(), 'contacts', '1', []));
    expect(bad).toMatchObject({ kind: 'upstream', retryable: true, code: 'BAD_RESPONSE' });
    expect(bad.message).not.toContain('trunc');
  });

  it('a 429 is rate_limited with Retry-After, else the X-HubSpot-RateLimit-* headers', async () => {
    const limited = await startHubSpotFake({ accessToken: TOKEN, rateLimit: { max: 1, intervalMs: 60_000 } });
    const headersOnly = await startHubSpotFake({
      accessToken: TOKEN,
      rateLimit: { max: 1, intervalMs: 8_000 },
      retryAfterHeader: false,
    });
    try {
      await portalId(ctx({ apiBaseUrl: limited.url }));
      const err = await failure(portalId(ctx({ apiBaseUrl: limited.url })));
      expect(err).toMatchObject({ kind: 'rate_limited', retryable: true, code: 'HUBSPOT_RATE_LIMITED' });
      expect(err.retryAfterMs).toBeGreaterThan(50_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(err.details).toMatchObject({ policyName: 'TEN_SECONDLY_ROLLING' });
      await portalId(ctx({ apiBaseUrl: headersOnly.url }));
      const e2 = await failure(portalId(ctx({ apiBaseUrl: headersOnly.url })));
      expect(e2).toMatchObject({ kind: 'rate_limited', retryAfterMs: 8_000 });
    } finally {
      await Promise.all([limited.close(), headersOnly.close()]);
    }
  });

  it('search 429s (no rate-limit headers) wait a second', async () => {
    const limited = await startHubSpotFake({ accessToken: TOKEN, searchPerSecond: 1, retryAfterHeader: false });
    try {
      const c = ctx({ apiBaseUrl: limited.url });
      await searchObjects(c, 'contacts', { filterGroups: [] });
      const err = await failure(searchObjects(c, 'contacts', { filterGroups: [] }));
      expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1_000, details: { policyName: 'SECONDLY' } });
    } finally {
      await limited.close();
    }
  });

  it('computes the wait from what HubSpot said', () => {
    const now = Date.UTC(2026, 0, 1, 23, 0, 0);
    expect(hubspotRetryAfterMs('3', {}, undefined, now)).toBe(3_000);
    expect(hubspotRetryAfterMs(null, { 'x-hubspot-ratelimit-interval-milliseconds': '10000' }, undefined, now)).toBe(
      10_000,
    );
    expect(hubspotRetryAfterMs(null, { 'x-hubspot-ratelimit-secondly-remaining': '0' }, undefined, now)).toBe(1_000);
    expect(hubspotRetryAfterMs(null, {}, 'DAILY', now)).toBe(3_600_000);
    expect(hubspotRetryAfterMs(null, { 'x-hubspot-ratelimit-daily-remaining': '0' }, undefined, now)).toBe(3_600_000);
    expect(hubspotRetryAfterMs(null, { 'x-hubspot-ratelimit-interval-milliseconds': 'soon' }, undefined, now)).toBe(
      1_000,
    );
  });

  it('refuses a base URL outside api.hubapi.com and the allowlist, before any call', async () => {
    const before = hs.requests.length;
    const err = await failure(
      callHubspot(ctx({ apiBaseUrl: 'https://hubapi.evil.example' }), { label: 'x', method: 'GET', path: '/x' }),
    );
    expect(err).toMatchObject({ kind: 'config', code: 'BASE_URL_NOT_ALLOWED' });
    expect(hs.requests.length).toBe(before);
  });
});
