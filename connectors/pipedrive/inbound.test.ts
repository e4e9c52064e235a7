// Webhooks v2: Basic-auth verification (missing, malformed, wrong user, wrong password, no credentials set: all
// refused; the comparison is of digests, so strings of any length compare without throwing or exiting early) and the
// parse of each action into CrmChanges, on deliveries the Pipedrive fake sends over real HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InboundPayloadError, type InboundRequest } from '../sdk/index.js';
import {
  inboundContext,
  startInboundCapture,
  startPipedriveFake,
  testAccount,
  type InboundCapture,
  type PipedriveFake,
} from '../testkit/index.js';
import { basicCredentials, digestEqual, parsePipedrive, verifyPipedrive } from './inbound.js';
import { pipedriveConnector } from './index.js';

const TOKEN = '0123456789abcdef0123456789abcdef01234567';
const USER = 'confluo';
const PASSWORD = 'correct-horse-battery-staple';
let pd: PipedriveFake;
let capture: InboundCapture;
beforeAll(async () => {
  pd = await startPipedriveFake({ apiToken: TOKEN, companyId: 5150 });
  capture = await startInboundCapture();
});
afterAll(async () => {
  await pd.close();
  await capture.close();
});
beforeEach(() => {
  capture.requests.length = 0;
  pd.deliveries.length = 0;
  pd.subscribe({ url: `${capture.url}/hooks/crm/crm_pd`, user: USER, password: PASSWORD });
});

const account = (
  credentials: Record<string, unknown> = { webhookUser: USER, webhookPassword: PASSWORD },
  settings = {},
) => testAccount({ id: 'crm_pd', credentials: { apiToken: TOKEN, ...credentials }, settings });
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const request = (authorization: string | undefined, body: unknown = { meta: {} }): InboundRequest => ({
  method: 'POST',
  url: 'http://confluo.test/hooks/crm/crm_pd',
  headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
  query: {},
  rawBody: Buffer.from(JSON.stringify(body)),
});

describe('verify', () => {
  it('is the connector’s crm inbound', () => {
    expect(pipedriveConnector.crm?.inbound?.verify).toBe(verifyPipedrive);
  });

  it('accepts the webhook’s Basic user and password, as the fake sends them', async () => {
    await pd.createPerson({ name: 'V' });
    const delivered = await capture.next();
    expect(verifyPipedrive(delivered, inboundContext(account()))).toEqual({ ok: true });
  });

  it('refuses a missing, malformed or non-Basic Authorization header', () => {
    const ctx = inboundContext(account());
    for (const header of [
      undefined,
      '',
      'Bearer abc',
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
    ])
      expect(verifyPipedrive(request(header), ctx), String(header)).toEqual({
        ok: false,
        reason: 'Authorization: Basic is missing or malformed',
      });
  });

  it('refuses a wrong user, a wrong password, and either one only partly right', () => {
    const ctx = inboundContext(account());
    for (const [user, password] of [
      ['intruder', PASSWORD],
      [USER, 'wrong'],
      [USER, `${PASSWORD}x`],
      [USER, PASSWORD.slice(0, -1)],
      [`${USER}x`, PASSWORD],
      [PASSWORD, USER],
      ['', ''],
    ])
      expect(verifyPipedrive(request(basic(user!, password!)), ctx), `${user}:${password}`).toEqual({
        ok: false,
        reason: 'the webhook user or password does not match',
      });
  });

  it('refuses every delivery when the account has no webhook credentials', () => {
    const ctx = inboundContext(account({}));
    expect(verifyPipedrive(request(basic(USER, PASSWORD)), ctx)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no webhook user/),
    });
    expect(
      verifyPipedrive(request(basic('', '')), inboundContext(account({ webhookUser: '', webhookPassword: '' }))),
    ).toMatchObject({ ok: false });
  });

  it('compares in constant time: digests of equal length, whatever the inputs’ lengths', () => {
    // timingSafeEqual throws on buffers of different lengths; digestEqual never does, and never exits on length.
    expect(digestEqual('a', 'a'.repeat(10_000))).toBe(false);
    expect(digestEqual('', 'x')).toBe(false);
    expect(digestEqual('same', 'same')).toBe(true);
    expect(basicCredentials(basic('u', 'p:with:colons'))).toEqual({ user: 'u', password: 'p:with:colons' });
  });
});

describe('parse', () => {
  const parse = (body: unknown, settings = {}) =>
    parsePipedrive(request(basic(USER, PASSWORD), body), inboundContext(account(undefined, settings)));

  it('turns a create, a change (with the changed properties) and a delete into changes keyed by meta.id', async () => {
    const p = await pd.createPerson({ name: 'Parse Me', emails: ['p@example.com'] });
    await pd.changePerson(p.id, { job_title: 'CEO', name: 'Parsed' });
    await pd.deletePerson(p.id);
    const changes = capture.requests.map((r) => parsePipedrive(r, inboundContext(account())));
    const [created, changed, deleted] = pd.deliveries;
    expect(changes).toEqual([
      [
        {
          dedupeKey: `pipedrive:${created!.payload.meta.id}`,
          type: 'person.created',
          recordId: String(p.id),
          occurredAt: created!.payload.meta.timestamp,
        },
      ],
      [
        {
          dedupeKey: `pipedrive:${changed!.payload.meta.id}`,
          type: 'person.updated',
          recordId: String(p.id),
          occurredAt: changed!.payload.meta.timestamp,
          properties: ['name', 'first_name', 'last_name', 'job_title'],
        },
      ],
      [
        {
          dedupeKey: `pipedrive:${deleted!.payload.meta.id}`,
          type: 'person.deleted',
          recordId: String(p.id),
          occurredAt: deleted!.payload.meta.timestamp,
        },
      ],
    ]);
  });

  it('turns a merge’s delete (merged_to_id) into person.merged on the survivor; its change stays an update', async () => {
    const keep = await pd.createPerson({ name: 'Keep' });
    const gone = await pd.createPerson({ name: 'Gone' });
    capture.requests.length = 0;
    await pd.mergePersons(keep.id, gone.id);
    const changes = capture.requests.map((r) => parsePipedrive(r, inboundContext(account())));
    expect(changes.flat().map((c) => [c.type, c.recordId, c.mergedIds])).toEqual([
      ['person.merged', String(keep.id), [String(gone.id)]],
      ['person.updated', String(keep.id), undefined],
    ]);
  });

  it("marks changes the token's own user made through the API as own writes, and nobody else's", () => {
    const meta = (extra: object) => ({
      meta: {
        version: '2.0',
        action: 'change',
        entity: 'person',
        entity_id: '7',
        id: 'e1',
        timestamp: '2026-01-01T00:00:00Z',
        ...extra,
      },
      data: {},
      previous: { name: 'x' },
    });
    expect(parse(meta({ change_source: 'api', user_id: '42' }), { userId: 42 })[0]).toMatchObject({ ownWrite: true });
    expect(parse(meta({ change_source: 'app', user_id: '42' }), { userId: 42 })[0]).not.toHaveProperty('ownWrite');
    expect(parse(meta({ change_source: 'api', user_id: '43' }), { userId: 42 })[0]).not.toHaveProperty('ownWrite');
    expect(parse(meta({ change_source: 'api', user_id: '42' }))[0]).not.toHaveProperty('ownWrite');
  });

  it('gives a retry the same dedupe key', async () => {
    await pd.createPerson({ name: 'Retry' });
    const again = await pd.redeliver(pd.deliveries[0]!);
    expect(again.payload.meta.attempt).toBe(2);
    const [first, second] = capture.requests.map((r) => parsePipedrive(r, inboundContext(account())));
    expect(second![0]!.dedupeKey).toBe(first![0]!.dedupeKey);
  });

  it('takes numeric ids and unix-second timestamps too', () => {
    expect(
      parse({
        meta: { action: 'create', entity: 'person', entity_id: 12, id: 777, timestamp: 1727447128, version: '2.0' },
        data: {},
      }),
    ).toEqual([
      { dedupeKey: 'pipedrive:777', type: 'person.created', recordId: '12', occurredAt: '2024-09-27T14:25:28.000Z' },
    ]);
  });

  it('ignores other entities and other companies’ webhooks', () => {
    const deal = {
      meta: { action: 'change', entity: 'deal', entity_id: '3', id: 'x', version: '2.0' },
      data: {},
      previous: {},
    };
    expect(parse(deal)).toEqual([]);
    const other = {
      meta: { action: 'create', entity: 'person', entity_id: '3', id: 'y', company_id: '1', version: '2.0' },
    };
    expect(parse(other, { companyId: 5150 })).toEqual([]);
    expect(parse({ ...other, meta: { ...other.meta, company_id: '5150' } }, { companyId: 5150 })).toHaveLength(1);
  });

  it('refuses bodies Pipedrive never sends: not JSON, no meta, v1, unknown action, a bad entity_id', () => {
    const raw = (text: string) =>
      parsePipedrive({ ...request(basic(USER, PASSWORD)), rawBody: Buffer.from(text) }, inboundContext(account()));
    expect(() => raw('not json')).toThrow(InboundPayloadError);
    for (const body of [
      [],
      { data: {} },
      { meta: { action: 'updated', object: 'person', version: '1.0' }, current: {} },
      { meta: { action: 'merged', entity: 'person', entity_id: '1', id: 'a' } },
      { meta: { action: 'create', entity: 'person', entity_id: '../1', id: 'a' } },
      { meta: { action: 'create', entity_id: '1', id: 'a' } },
    ])
      expect(() => parse(body), JSON.stringify(body)).toThrow(InboundPayloadError);
  });
});
