// HubSpot webhooks: v3 signatures checked over the public URL (forged, stale, re-signed with another secret: refused),
// and every event type parsed into CrmChanges with dedupe keys; deliveries from the fake end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundPayloadError, signHubSpotV3, type InboundRequest } from '../sdk/index.js';
import {
  inboundContext,
  startHubSpotFake,
  startInboundCapture,
  testAccount,
  type HubSpotFake,
  type InboundCapture,
} from '../testkit/index.js';
import { hubspotInbound } from './inbound.js';

const SECRET = 'hubspot-client-secret';
const account = (
  settings: Record<string, string> = {},
  credentials: Record<string, string> = { clientSecret: SECRET },
) => testAccount({ id: 'crm_hs', credentials: { accessToken: 'pat-na1-x-token', ...credentials }, settings });

const URL_ = 'https://confluo.example/hooks/crm/crm_hs';
const NOW = 1_800_000_000_000;

function signed(
  body: unknown,
  opts: { url?: string; ts?: number; secret?: string; method?: string } = {},
): InboundRequest {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const ts = String(opts.ts ?? NOW);
  const url = opts.url ?? URL_;
  return {
    method: opts.method ?? 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': ts,
      'x-hubspot-signature-v3': signHubSpotV3(opts.secret ?? SECRET, 'POST', url, raw, ts),
    },
    query: {},
    rawBody: Buffer.from(raw),
  };
}

const ev = (fields: Record<string, unknown>) => ({
  eventId: 100,
  subscriptionId: 1002,
  portalId: 62515,
  appId: 54321,
  occurredAt: NOW - 1000,
  attemptNumber: 0,
  changeSource: 'CRM_UI',
  ...fields,
});

describe('HubSpot inbound: verify', () => {
  const ctx = inboundContext(account(), NOW);

  it('accepts a request signed over the URL HubSpot called, with its escapes', () => {
    expect(hubspotInbound.verify(signed([]), ctx)).toEqual({ ok: true });
    const encoded = `${URL_}?portal=62515&next=%2Fhome%3Fa%3Db`;
    expect(hubspotInbound.verify(signed([], { url: encoded }), ctx)).toEqual({ ok: true });
  });

  it('refuses forged, tampered, stale and unsigned requests', () => {
    expect(hubspotInbound.verify(signed([], { secret: 'guess' }), ctx)).toEqual({
      ok: false,
      reason: 'X-HubSpot-Signature-v3 does not match',
    });
    const tampered = {
      ...signed([ev({ subscriptionType: 'contact.deletion', objectId: 1 })]),
      rawBody: Buffer.from('[]'),
    };
    expect(hubspotInbound.verify(tampered, ctx).ok).toBe(false);
    const elsewhere = { ...signed([]), url: 'https://confluo.example/hooks/crm/other' };
    expect(hubspotInbound.verify(elsewhere, ctx).ok).toBe(false);
    expect(hubspotInbound.verify(signed([], { ts: NOW - 300_001 }), ctx)).toEqual({
      ok: false,
      reason: 'X-HubSpot-Request-Timestamp is more than 5 minutes old (replay?)',
    });
    const bare = { ...signed([]), headers: { 'content-type': 'application/json' } };
    expect(hubspotInbound.verify(bare, ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
    expect(hubspotInbound.verify({ ...signed([]), method: 'GET' }, ctx).ok).toBe(false);
  });

  it('refuses everything when the account has no client secret', () => {
    const noSecret = inboundContext(account({}, {}), NOW);
    expect(hubspotInbound.verify(signed([], { secret: '' }), noSecret)).toEqual({
      ok: false,
      reason: 'the account has no client secret',
    });
  });
});

describe('HubSpot inbound: parse', () => {
  const ctx = inboundContext(account(), NOW);
  const parse = (events: unknown, c = ctx) => hubspotInbound.parse(signed(events), c);

  it('turns every contact event type into a change, deduplicated on subscription and eventId', () => {
    const occurredAt = new Date(NOW - 1000).toISOString();
    expect(
      parse([
        ev({
          eventId: 1,
          subscriptionId: 11,
          subscriptionType: 'contact.creation',
          objectId: 501,
          changeFlag: 'CREATED',
        }),
        ev({
          eventId: 2,
          subscriptionType: 'contact.propertyChange',
          objectId: 501,
          propertyName: 'city',
          propertyValue: 'X',
        }),
        ev({
          eventId: 3,
          subscriptionId: 13,
          subscriptionType: 'contact.deletion',
          objectId: 502,
          changeFlag: 'DELETED',
        }),
        ev({ eventId: 4, subscriptionId: 14, subscriptionType: 'contact.privacyDeletion', objectId: 503 }),
        ev({ eventId: 5, subscriptionId: 15, subscriptionType: 'contact.restore', objectId: 504 }),
        ev({ eventId: 6, subscriptionId: 16, subscriptionType: 'contact.associationChange', objectId: 505 }),
        ev({
          eventId: 7,
          subscriptionId: 17,
          subscriptionType: 'contact.merge',
          objectId: 506,
          primaryObjectId: 506,
          mergedObjectIds: [507, 508],
          newObjectId: 506,
          numberOfPropertiesMoved: 3,
        }),
        ev({
          eventId: 8,
          subscriptionId: 18,
          subscriptionType: 'object.propertyChange',
          objectTypeId: '0-1',
          objectId: 509,
          propertyName: 'email',
        }),
      ]),
    ).toEqual([
      { dedupeKey: '11:1', type: 'person.created', recordId: '501', occurredAt },
      { dedupeKey: '1002:2', type: 'person.updated', recordId: '501', properties: ['city'], occurredAt },
      { dedupeKey: '13:3', type: 'person.deleted', recordId: '502', occurredAt },
      { dedupeKey: '14:4', type: 'person.deleted', recordId: '503', occurredAt },
      { dedupeKey: '15:5', type: 'person.updated', recordId: '504', occurredAt },
      { dedupeKey: '16:6', type: 'person.updated', recordId: '505', occurredAt },
      { dedupeKey: '17:7', type: 'person.merged', recordId: '506', mergedIds: ['507', '508'], occurredAt },
      { dedupeKey: '18:8', type: 'person.updated', recordId: '509', properties: ['email'], occurredAt },
    ]);
  });

  it("marks changes this app made through the API as its own writes, and nobody else's", () => {
    const [own, otherApp, person] = parse([
      ev({ subscriptionType: 'contact.propertyChange', objectId: 1, changeSource: 'INTEGRATION', sourceId: '54321' }),
      ev({ subscriptionType: 'contact.propertyChange', objectId: 2, changeSource: 'INTEGRATION', sourceId: '999' }),
      ev({ subscriptionType: 'contact.propertyChange', objectId: 3, sourceId: 'userId:45678' }),
    ]);
    expect(own).toMatchObject({ recordId: '1', ownWrite: true });
    expect(otherApp).not.toHaveProperty('ownWrite');
    expect(person).not.toHaveProperty('ownWrite');
  });

  it('a merge into a new record lists the primary as merged too', () => {
    const [c] = parse([
      ev({ subscriptionType: 'contact.merge', objectId: 1, primaryObjectId: 1, mergedObjectIds: [2], newObjectId: 3 }),
    ]);
    expect(c).toMatchObject({ type: 'person.merged', recordId: '3', mergedIds: ['2', '1'] });
  });

  it('skips other objects, other portals and unknown contact events', () => {
    expect(
      parse([
        ev({ subscriptionType: 'deal.creation', objectId: 1 }),
        ev({ subscriptionType: 'object.creation', objectTypeId: '0-3', objectId: 1 }),
        ev({ subscriptionType: 'contact.somethingNew', objectId: 1 }),
      ]),
    ).toEqual([]);
    const pinned = inboundContext(account({ portalId: '999' }), NOW);
    expect(parse([ev({ subscriptionType: 'contact.creation', objectId: 1 })], pinned)).toEqual([]);
    expect(parse([ev({ subscriptionType: 'contact.creation', objectId: 1, portalId: 999 })], pinned)).toHaveLength(1);
  });

  it('refuses bodies HubSpot never sends', () => {
    for (const body of [
      'not json',
      { eventId: 1 },
      [1],
      [ev({ subscriptionType: 'contact.creation' })],
      [ev({ subscriptionType: 'contact.merge', objectId: 1, primaryObjectId: 1 })],
      [{ subscriptionType: 'contact.creation', objectId: 1, occurredAt: 1 }],
      Array.from({ length: 1001 }, () => ev({ subscriptionType: 'contact.creation', objectId: 1 })),
    ])
      expect(() => parse(body)).toThrow(InboundPayloadError);
  });
});

describe('HubSpot inbound: from the fake', () => {
  let hs: HubSpotFake;
  let hook: InboundCapture;
  beforeAll(async () => {
    [hs, hook] = await Promise.all([
      startHubSpotFake({ accessToken: 'pat-na1-x-token', clientSecret: SECRET, rateLimit: false }),
      startInboundCapture(),
    ]);
  });
  afterAll(() => Promise.all([hs.close(), hook.close()]));

  it('verifies and parses what the fake sends when a contact changes in the CRM; a retry has the same keys', async () => {
    hs.setWebhookUrl(`${hook.url}/hooks/crm/crm_hs`);
    const c = hs.crm.create('contacts', { email: 'live@example.com' });
    hs.crm.update('contacts', c.id, { firstname: 'Liv' });
    await hs.flush();
    const ctx = inboundContext(account());
    const changes = hook.requests.flatMap((r) => {
      expect(hubspotInbound.verify(r, ctx)).toEqual({ ok: true });
      return hubspotInbound.parse(r, ctx);
    });
    expect(changes.map((x) => [x.type, x.recordId, x.properties])).toEqual([
      ['person.created', c.id, undefined],
      ['person.updated', c.id, ['firstname']],
    ]);
    await hs.retry(hs.deliveries[0]!);
    const again = hook.requests.at(-1)!;
    expect(hubspotInbound.verify(again, ctx)).toEqual({ ok: true });
    expect(hubspotInbound.parse(again, ctx)[0]!.dedupeKey).toBe(changes[0]!.dedupeKey);
    const stale = await hs.deliver(`${hook.url}/hooks/crm/crm_hs`, hs.deliveries[0]!.events, { ageMs: 301_000 });
    expect(stale).toBeDefined();
    expect(hubspotInbound.verify(hook.requests.at(-1)!, ctx).ok).toBe(false);
  });
});
