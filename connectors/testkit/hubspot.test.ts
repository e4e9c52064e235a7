// The HubSpot fake's own checks: auth, the request schemas (unknown operators, more than 6 filter groups, limit over
// 200, non-string property values → 400 in HubSpot's error shape and recorded), the documented answers (201, string
// ids and values, paging.next.after, 409 with the existing id), rate limits with their headers, failure switches, and
// signed webhook batches when records change.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyHubSpotV3 } from '../sdk/index.js';
import { startHubSpotFake, startInboundCapture, type HubSpotFake, type InboundCapture } from './index.js';

const TOKEN = 'pat-na1-fake-token-0001';
const SECRET = 'fake-client-secret';
let hs: HubSpotFake;
let hook: InboundCapture;
beforeEach(async () => {
  [hs, hook] = await Promise.all([
    startHubSpotFake({ accessToken: TOKEN, clientSecret: SECRET, rateLimit: false, searchPerSecond: false }),
    startInboundCapture(),
  ]);
});
afterEach(() => Promise.all([hs.close(), hook.close()]));

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${hs.url}${path}`, {
    method,
    headers: {
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

const errorShape = {
  status: 'error',
  message: expect.any(String),
  correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  category: expect.any(String),
};

describe('HubSpot fake: contacts', () => {
  it('creates with 201, string ids and values, and reads back by id', async () => {
    const made = await call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'Jane@Example.com', firstname: 'Jane' },
    });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      properties: { email: 'jane@example.com', firstname: 'Jane', hs_object_id: made.json.id },
      archived: false,
    });
    for (const v of Object.values(made.json.properties)) expect(typeof v).toBe('string');
    const got = await call('GET', `/crm/v3/objects/contacts/${made.json.id}?properties=email,phone,city`);
    expect(got.status).toBe(200);
    expect(got.json.properties).toMatchObject({ email: 'jane@example.com', phone: null, city: null });
    expect(Date.parse(got.json.properties.lastmodifieddate)).toBeGreaterThan(0);
    expect(hs.violations).toEqual([]);
  });

  it('answers a taken email with 409 CONFLICT naming the existing id', async () => {
    const first = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'a@example.com' } });
    const again = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'A@example.com' } });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({
      ...errorShape,
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${first.json.id}`,
    });
  });

  it('refuses non-string values, unknown and read-only properties with 400 and records them', async () => {
    const bad = await call('POST', '/crm/v3/objects/contacts', { properties: { firstname: 3 } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ ...errorShape, category: 'VALIDATION_ERROR' });
    const unknown = await call('POST', '/crm/v3/objects/contacts', { properties: { shoe_size: '9' } });
    expect(unknown.json.errors).toEqual([expect.objectContaining({ code: 'PROPERTY_DOESNT_EXIST', in: 'shoe_size' })]);
    const ro = await call('POST', '/crm/v3/objects/contacts', {
      properties: { hs_additional_emails: 'x@example.com' },
    });
    expect(ro.json.errors).toEqual([expect.objectContaining({ code: 'READ_ONLY_VALUE' })]);
    expect(hs.violations).toHaveLength(3);
    expect(hs.records('contacts')).toEqual([]);
  });

  it('requires Bearer auth', async () => {
    expect((await call('GET', '/crm/v3/objects/contacts/1', undefined, null)).status).toBe(401);
    const wrong = await call('GET', '/crm/v3/objects/contacts/1', undefined, 'pat-other');
    expect(wrong).toMatchObject({ status: 401, json: { ...errorShape, category: 'INVALID_AUTHENTICATION' } });
  });

  it('updates with PATCH, deletes with 204, and 404s what is gone', async () => {
    const { json: c } = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'b@example.com' } });
    const patched = await call('PATCH', `/crm/v3/objects/contacts/${c.id}`, { properties: { city: 'Lisbon' } });
    expect(patched).toMatchObject({ status: 200, json: { id: c.id, properties: { city: 'Lisbon' } } });
    expect((await call('DELETE', `/crm/v3/objects/contacts/${c.id}`)).status).toBe(204);
    const gone = await call('GET', `/crm/v3/objects/contacts/${c.id}`);
    expect(gone).toMatchObject({ status: 404, json: { ...errorShape, category: 'OBJECT_NOT_FOUND' } });
  });

  it('merges: the primary keeps its id, gains the other email and hs_merged_object_ids; the old id reads as it', async () => {
    const { json: a } = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'p@example.com' } });
    const { json: b } = await call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'q@example.com', city: 'Porto' },
    });
    const merged = await call('POST', '/crm/v3/objects/contacts/merge', {
      primaryObjectId: a.id,
      objectIdToMerge: b.id,
    });
    expect(merged.status).toBe(200);
    expect(merged.json.properties).toMatchObject({
      email: 'p@example.com',
      city: 'Porto',
      hs_additional_emails: 'q@example.com',
      hs_merged_object_ids: b.id,
    });
    expect((await call('GET', `/crm/v3/objects/contacts/${b.id}`)).json.id).toBe(a.id);
    expect(
      (await call('POST', '/crm/v3/objects/contacts/merge', { primaryObjectId: a.id, objectIdToMerge: 7 })).status,
    ).toBe(400);
  });
});

describe('HubSpot fake: search', () => {
  beforeEach(async () => {
    for (let i = 1; i <= 5; i++)
      await call('POST', '/crm/v3/objects/contacts', {
        properties: { email: `s${i}@example.com`, phone: `+3519100000${i}` },
      });
  });

  it('filters with OR between groups, sorts, and pages with paging.next.after', async () => {
    const body = {
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'EQ', value: 'S1@example.com' }] },
        { filters: [{ propertyName: 'phone', operator: 'IN', values: ['+35191000003', '+35191000004'] }] },
      ],
      sorts: [{ propertyName: 'email', direction: 'DESCENDING' }],
      properties: ['email'],
      limit: 2,
    };
    const first = await call('POST', '/crm/v3/objects/contacts/search', body);
    expect(first.status).toBe(200);
    expect(first.json.total).toBe(3);
    expect(first.json.results.map((r: any) => r.properties.email)).toEqual(['s4@example.com', 's3@example.com']);
    expect(first.json.paging.next.after).toBe('2');
    const second = await call('POST', '/crm/v3/objects/contacts/search', { ...body, after: '2' });
    expect(second.json.results.map((r: any) => r.properties.email)).toEqual(['s1@example.com']);
    expect(second.json.paging).toBeUndefined();
    expect(hs.violations).toEqual([]);
  });

  it('compares lastmodifieddate as time, in milliseconds or ISO', async () => {
    const all = hs.records('contacts').map((r) => Date.parse(r.properties.lastmodifieddate!));
    const third = all.sort((a, b) => a - b)[2]!;
    const { json } = await call('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT', value: String(third) }] }],
    });
    expect(json.total).toBe(2);
    const iso = await call('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [
        { filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: new Date(third).toISOString() }] },
      ],
    });
    expect(iso.json.total).toBe(3);
  });

  it('refuses unknown operators, more than 6 groups, limit over 200 and a value-less EQ', async () => {
    const eq = { filters: [{ propertyName: 'email', operator: 'EQ', value: 'x' }] };
    for (const body of [
      { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'LIKE', value: 'x' }] }] },
      { filterGroups: Array.from({ length: 7 }, () => eq) },
      { filterGroups: [eq], limit: 201 },
      { filterGroups: [eq], after: 2 },
      { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ' }] }] },
    ]) {
      const res = await call('POST', '/crm/v3/objects/contacts/search', body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ ...errorShape, category: 'VALIDATION_ERROR' });
    }
    expect(hs.violations).toHaveLength(4); // the value-less EQ is valid JSON for the schema, refused by HubSpot's rules
  });

  it('lags behind writes while told to, until reindexed', async () => {
    hs.searchLag(true);
    await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'late@example.com' } });
    const q = { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'late@example.com' }] }] };
    expect((await call('POST', '/crm/v3/objects/contacts/search', q)).json.total).toBe(0);
    hs.reindex();
    expect((await call('POST', '/crm/v3/objects/contacts/search', q)).json.total).toBe(1);
  });
});

describe('HubSpot fake: deals and notes', () => {
  it('routes deals as /deals and /0-3, checks stages, associations and the notes hs_timestamp', async () => {
    const { json: c } = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'd@example.com' } });
    const deal = await call('POST', '/crm/v3/objects/0-3', {
      properties: { dealname: 'Big', pipeline: 'default', dealstage: 'qualifiedtobuy', amount: '100' },
      associations: [{ to: { id: c.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }],
    });
    expect(deal.status).toBe(201);
    expect(hs.get('deals', deal.json.id)!.associations).toEqual({ contacts: [c.id] });
    const moved = await call('PATCH', `/crm/v3/objects/deals/${deal.json.id}`, {
      properties: { dealstage: 'closedwon' },
    });
    expect(moved.json.properties.dealstage).toBe('closedwon');
    expect(
      (await call('PATCH', `/crm/v3/objects/deals/${deal.json.id}`, { properties: { dealstage: 'nope' } })).status,
    ).toBe(400);
    const wrongType = await call('POST', '/crm/v3/objects/notes', {
      properties: { hs_timestamp: '2026-01-01T00:00:00Z', hs_note_body: 'x' },
      associations: [{ to: { id: c.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }],
    });
    expect(wrongType.status).toBe(400);
    expect((await call('POST', '/crm/v3/objects/notes', { properties: { hs_note_body: 'x' } })).status).toBe(400);
    const note = await call('POST', '/crm/v3/objects/notes', {
      properties: { hs_timestamp: '2026-01-01T00:00:00Z', hs_note_body: 'Called' },
      associations: [{ to: { id: c.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }],
    });
    expect(note.status).toBe(201);
    expect(hs.get('contacts', c.id)!.associations.notes).toEqual([note.json.id]);
  });
});

describe('HubSpot fake: rate limits and failures', () => {
  it('answers past the window with 429, Retry-After and the X-HubSpot-RateLimit-* headers', async () => {
    const limited = await startHubSpotFake({ accessToken: TOKEN, rateLimit: { max: 2, intervalMs: 60_000 } });
    try {
      const get = () =>
        fetch(`${limited.url}/account-info/v3/details`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const a = await get();
      expect(a.headers.get('x-hubspot-ratelimit-max')).toBe('2');
      expect(a.headers.get('x-hubspot-ratelimit-remaining')).toBe('1');
      expect(a.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('60000');
      expect(await a.json()).toMatchObject({ portalId: 62515 });
      await get();
      const c = await get();
      expect(c.status).toBe(429);
      expect(Number(c.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(c.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
      expect(await c.json()).toMatchObject({
        status: 'error',
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
      });
      expect(limited.rateLimited).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('limits search per second, without the rolling-window headers', async () => {
    const limited = await startHubSpotFake({ accessToken: TOKEN, searchPerSecond: 1, retryAfterHeader: false });
    try {
      const search = () =>
        fetch(`${limited.url}/crm/v3/objects/contacts/search`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: '{}',
        });
      expect((await search()).status).toBe(200);
      const second = await search();
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBeNull();
      expect(second.headers.get('x-hubspot-ratelimit-max')).toBeNull();
      expect(await second.json()).toMatchObject({ policyName: 'SECONDLY' });
    } finally {
      await limited.close();
    }
  });

  it('fails on demand: a 5xx, malformed JSON, an outage until switched off', async () => {
    hs.failNext({ status: 502, body: { status: 'error', message: 'Bad gateway', category: 'INTERNAL_ERROR' } });
    expect((await call('GET', '/account-info/v3/details')).status).toBe(502);
    hs.failNext('malformed');
    const bad = await call('GET', '/account-info/v3/details');
    expect(bad.status).toBe(200);
    expect(bad.json).toBeUndefined();
    hs.outage(true);
    expect((await call('GET', '/account-info/v3/details')).status).toBe(503);
    expect((await call('GET', '/account-info/v3/details')).status).toBe(503);
    hs.outage(false);
    expect((await call('GET', '/account-info/v3/details')).status).toBe(200);
  });
});

describe('HubSpot fake: webhooks', () => {
  it('sends changes made in the CRM and through the API as signed v3 batches', async () => {
    const url = `${hook.url}/hooks/crm/acc_1`;
    hs.setWebhookUrl(url);
    const c = hs.crm.create('contacts', { email: 'w@example.com' });
    hs.crm.update('contacts', c.id, { city: 'Braga', firstname: 'Wes' });
    await call('PATCH', `/crm/v3/objects/contacts/${c.id}`, { properties: { city: 'Faro' } });
    const other = hs.crm.create('contacts', { email: 'w2@example.com' });
    hs.crm.merge('contacts', c.id, other.id);
    hs.crm.remove('contacts', c.id);
    await hs.flush();
    const events = hs.deliveries.flatMap((d) => d.events);
    expect(events.map((e) => [e.subscriptionType, e.propertyName, e.changeSource])).toEqual([
      ['contact.creation', undefined, 'CRM_UI'],
      ['contact.propertyChange', 'city', 'CRM_UI'],
      ['contact.propertyChange', 'firstname', 'CRM_UI'],
      ['contact.propertyChange', 'city', 'INTEGRATION'],
      ['contact.creation', undefined, 'CRM_UI'],
      ['contact.merge', undefined, 'CRM_UI'],
      ['contact.deletion', undefined, 'CRM_UI'],
    ]);
    expect(events[5]).toMatchObject({
      primaryObjectId: Number(c.id),
      mergedObjectIds: [Number(other.id)],
      portalId: 62515,
    });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(hook.requests.length).toBe(hs.deliveries.length);
    for (const r of hook.requests) {
      expect(r.url).toBe(url);
      const ok = verifyHubSpotV3(
        SECRET,
        { method: r.method, uri: r.url, rawBody: r.rawBody },
        r.headers['x-hubspot-request-timestamp'],
        r.headers['x-hubspot-signature-v3'],
      );
      expect(ok).toEqual({ ok: true });
    }
  });

  it('delivers given events (aged or mis-signed) and retries with attemptNumber + 1', async () => {
    const url = `${hook.url}/hooks/crm/acc_1`;
    const e = hs.event('contact.creation', { objectId: 5 });
    const old = await hs.deliver(url, [e], { ageMs: 600_000 });
    const check = (d: typeof old) =>
      verifyHubSpotV3(
        SECRET,
        { method: 'POST', uri: url, rawBody: d.rawBody },
        d.headers['x-hubspot-request-timestamp'],
        d.headers['x-hubspot-signature-v3'],
      );
    expect(check(old)).toEqual({ ok: false, reason: 'stale' });
    expect(check(await hs.deliver(url, [e], { secret: 'other' }))).toEqual({ ok: false, reason: 'bad_signature' });
    const again = await hs.retry(old);
    expect(check(again)).toEqual({ ok: true });
    expect(again.events).toEqual([{ ...e, attemptNumber: 1 }]);
  });
});
