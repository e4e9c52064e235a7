// The Pipedrive fake's own checks, over raw HTTP: the token header, the request schemas (unknown fields, `title` on
// deals, `content` plus an id on notes, PATCH not PUT), the envelopes and time formats of v1 and v2, cursor paging,
// the burst limit with its headers, failures on demand, and webhooks v2 with Basic auth.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startInboundCapture, startPipedriveFake, type InboundCapture, type PipedriveFake } from './index.js';

const TOKEN = 'a'.repeat(40);
let pd: PipedriveFake;
const START = Date.parse('2026-03-01T10:00:00Z');
let clock = START;
beforeAll(async () => {
  pd = await startPipedriveFake({ apiToken: TOKEN, now: () => clock, burst: { limit: 1000 } });
});
afterAll(() => pd.close());
beforeEach(() => {
  clock = START;
  pd.violations.length = 0;
  pd.requests.length = 0;
  pd.persons.clear();
  pd.deals.clear();
  pd.notes.clear();
  pd.burst = { limit: 1000, windowMs: 2000 };
  pd.subscribe(null);
  pd.outage(false);
});

const req = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${pd.url}${path}`, {
    method,
    headers: {
      'x-api-token': TOKEN,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json: json as Record<string, any>, text, headers: res.headers };
};

describe('the Pipedrive fake: auth and routes', () => {
  it('needs the x-api-token header, and records a token in the query string', async () => {
    const none = await req('GET', '/v1/users/me', undefined, { 'x-api-token': '' });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ success: false, error: expect.any(String) });
    expect((await req('GET', '/v1/users/me', undefined, { 'x-api-token': 'b'.repeat(40) })).status).toBe(401);
    pd.violations.length = 0;
    const query = await req('GET', `/v1/users/me?api_token=${TOKEN}`);
    expect(query.status).toBe(200);
    expect(pd.violations).toEqual([expect.objectContaining({ message: expect.stringMatching(/query string/) })]);
  });

  it('answers users/me with the company', async () => {
    const me = await req('GET', '/v1/users/me');
    expect(me.json).toMatchObject({ success: true, data: { company_id: pd.companyId, company_domain: 'fakecompany' } });
    expect(me.json.data.modified).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('refuses an unknown path with the error envelope and records it', async () => {
    const r = await req('GET', '/api/v2/unicorns');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      success: false,
      error: expect.any(String),
      error_info: expect.any(String),
      data: null,
      additional_data: null,
    });
    expect(pd.violations).toHaveLength(1);
  });
});

describe('the Pipedrive fake: persons (v2)', () => {
  it('creates a person with ISO times and primary-first values, and reads it back', async () => {
    const r = await req('POST', '/api/v2/persons', {
      name: 'Ada Lovelace',
      emails: [{ value: 'ada@example.com', primary: true, label: 'work' }],
      phones: [{ value: '+441234567890' }],
    });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject({
      id: expect.any(Number),
      name: 'Ada Lovelace',
      first_name: 'Ada',
      last_name: 'Lovelace',
      add_time: '2026-03-01T10:00:00Z',
      update_time: '2026-03-01T10:00:00Z',
      emails: [{ value: 'ada@example.com', primary: true, label: 'work' }],
      phones: [{ value: '+441234567890', primary: true, label: 'work' }],
      is_deleted: false,
    });
    const got = await req('GET', `/api/v2/persons/${r.json.data.id}`);
    expect(got.json).toEqual({ success: true, data: r.json.data, additional_data: null });
    expect(pd.violations).toEqual([]);
  });

  it('refuses unknown fields, a missing name and a PUT, recording each', async () => {
    expect((await req('POST', '/api/v2/persons', { name: 'X', email: 'x@example.com' })).status).toBe(400);
    expect((await req('POST', '/api/v2/persons', { emails: [{ value: 'x@example.com' }] })).status).toBe(400);
    const p = await pd.createPerson({ name: 'Y' });
    expect((await req('PUT', `/api/v2/persons/${p.id}`, { name: 'Z' })).status).toBe(405);
    expect((await req('PATCH', `/api/v2/persons/${p.id}`, {})).status).toBe(400);
    const text = await fetch(`${pd.url}/api/v2/persons`, {
      method: 'POST',
      headers: { 'x-api-token': TOKEN, 'content-type': 'text/plain' },
      body: 'name=Z',
    });
    expect(text.status).toBe(415);
    expect(pd.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/additionalProperties|must NOT have additional properties.*email/),
      expect.stringMatching(/name/),
      'v2 updates are PATCH, not PUT',
      expect.stringMatching(/fewer than 1 properties/),
      expect.stringMatching(/content-type text\/plain/),
    ]);
  });

  it('PATCHes only the given fields and bumps update_time; 404 for an unknown person (not a violation)', async () => {
    const p = await pd.createPerson({ name: 'Grace Hopper', emails: ['grace@example.com'] });
    clock += 5_000;
    const r = await req('PATCH', `/api/v2/persons/${p.id}`, { job_title: 'Admiral' });
    expect(r.json.data).toMatchObject({
      name: 'Grace Hopper',
      job_title: 'Admiral',
      update_time: '2026-03-01T10:00:05Z',
    });
    expect((await req('GET', '/api/v2/persons/999999')).status).toBe(404);
    expect(pd.violations).toEqual([]);
  });

  it('searches by exact email or phone, case-insensitively, as items with string lists', async () => {
    const a = await pd.createPerson({ name: 'A', emails: ['Ann@Example.com'], phones: ['+1 (415) 555-0100'] });
    await pd.createPerson({ name: 'B', emails: ['ann@example.com.au'] });
    const byEmail = await req('GET', '/api/v2/persons/search?term=ann%40example.com&fields=email&exact_match=true');
    expect(byEmail.json).toEqual({
      success: true,
      data: {
        items: [
          { result_score: 1, item: expect.objectContaining({ id: a.id, type: 'person', emails: ['Ann@Example.com'] }) },
        ],
      },
      additional_data: { next_cursor: null },
    });
    const byPhone = await req('GET', '/api/v2/persons/search?term=%2B14155550100&fields=phone&exact_match=true');
    expect(byPhone.json.data.items.map((i: any) => i.item.id)).toEqual([a.id]);
    expect((await req('GET', '/api/v2/persons/search?term=ann&fields=emails')).status).toBe(400);
    expect((await req('GET', '/api/v2/persons/search?term=ann&fields=email&colour=red')).status).toBe(400);
    expect(pd.violations).toHaveLength(2);
  });

  it('lists persons updated since a time, by update_time, in cursor pages', async () => {
    for (const n of [1, 2, 3]) {
      clock += 1000;
      await pd.createPerson({ name: `P${n}` });
    }
    const since = '2026-03-01T10:00:02Z';
    const first = await req(
      'GET',
      `/api/v2/persons?updated_since=${since}&sort_by=update_time&sort_direction=asc&limit=1`,
    );
    expect(first.json.data.map((p: any) => p.name)).toEqual(['P2']);
    const next = first.json.additional_data.next_cursor as string;
    expect(next).toEqual(expect.any(String));
    const second = await req(
      'GET',
      `/api/v2/persons?updated_since=${since}&sort_by=update_time&limit=1&cursor=${next}`,
    );
    expect(second.json.data.map((p: any) => p.name)).toEqual(['P3']);
    expect(second.json.additional_data).toEqual({ next_cursor: null });
    expect((await req('GET', '/api/v2/persons?updated_since=yesterday')).status).toBe(400);
    expect((await req('GET', '/api/v2/persons?limit=501')).status).toBe(400);
  });

  it('merges with v1 PUT /persons/{id}/merge: the URL person goes, merge_with_id keeps its data and gains the rest', async () => {
    const keep = await pd.createPerson({ name: 'Keep', emails: ['k@example.com'] });
    const gone = await pd.createPerson({ name: 'Gone', emails: ['g@example.com'], phones: ['+15550001'] });
    const r = await req('PUT', `/v1/persons/${gone.id}/merge`, { merge_with_id: keep.id });
    expect(r.json).toMatchObject({ success: true, data: { id: keep.id, merge_what_id: gone.id } });
    expect(r.json.data.update_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect((await req('GET', `/api/v2/persons/${gone.id}`)).status).toBe(404);
    const kept = await req('GET', `/api/v2/persons/${keep.id}`);
    expect(kept.json.data.name).toBe('Keep');
    expect(kept.json.data.emails.map((e: any) => e.value)).toEqual(['k@example.com', 'g@example.com']);
    expect((await req('PUT', `/v1/persons/${keep.id}/merge`, { with: gone.id })).status).toBe(400);
  });
});

describe('the Pipedrive fake: notes (v1) and deals (v2)', () => {
  it('adds a note with content and a person, in v1 times; refuses one without an id or content', async () => {
    const p = await pd.createPerson({ name: 'N' });
    const r = await req('POST', '/v1/notes', { content: '<b>hi</b>', person_id: p.id });
    expect(r.status).toBe(201);
    expect(r.json.data).toMatchObject({
      content: '<b>hi</b>',
      person_id: p.id,
      deal_id: null,
      add_time: '2026-03-01 10:00:00',
    });
    expect((await req('POST', '/v1/notes', { content: 'no id' })).status).toBe(400);
    expect((await req('POST', '/v1/notes', { person_id: p.id })).status).toBe(400);
    expect(
      (await req('POST', '/v1/notes', { content: 'x', person_id: p.id, add_time: '2026-03-01T10:00:00Z' })).status,
    ).toBe(400);
    expect(pd.violations).toHaveLength(3);
  });

  it('creates a deal (title required), moves it with PATCH stage_id into that stage’s pipeline, and finds it by title', async () => {
    expect((await req('POST', '/api/v2/deals', { value: 5 })).status).toBe(400);
    const p = await pd.createPerson({ name: 'D' });
    const r = await req('POST', '/api/v2/deals', { title: 'Big one', value: 1500, currency: 'EUR', person_id: p.id });
    expect(r.json.data).toMatchObject({
      title: 'Big one',
      pipeline_id: 1,
      stage_id: 1,
      value: 1500,
      currency: 'EUR',
      status: 'open',
    });
    clock += 1000;
    const moved = await req('PATCH', `/api/v2/deals/${r.json.data.id}`, { stage_id: 4 });
    expect(moved.json.data).toMatchObject({ stage_id: 4, pipeline_id: 2, stage_change_time: '2026-03-01T10:00:01Z' });
    expect((await req('PUT', `/api/v2/deals/${r.json.data.id}`, { stage_id: 2 })).status).toBe(405);
    const found = await req(
      'GET',
      `/api/v2/deals/search?term=big%20one&fields=title&exact_match=true&person_id=${p.id}`,
    );
    expect(found.json.data.items.map((i: any) => i.item.id)).toEqual([r.json.data.id]);
    expect((await req('POST', '/api/v2/deals', { title: 'x', stage_id: 4, pipeline_id: 1 })).status).toBe(400);
  });
});

describe('the Pipedrive fake: limits and failures', () => {
  it('answers 429 past the burst limit, with the x-ratelimit-* headers on every answer', async () => {
    pd.burst = { limit: 2, windowMs: 2000 };
    clock += 10_000; // a fresh window
    const a = await req('GET', '/v1/users/me');
    const b = await req('GET', '/v1/users/me');
    const c = await req('GET', '/v1/users/me');
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect(a.headers.get('x-ratelimit-limit')).toBe('2');
    expect(a.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(c.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(c.headers.get('x-ratelimit-reset')).toBe('2');
    expect(c.json).toMatchObject({ success: false, error: 'Request over limit' });
    clock += 2000;
    expect((await req('GET', '/v1/users/me')).status).toBe(200);
  });

  it('fails on demand: a reply, malformed JSON, success:false on 200, an outage', async () => {
    pd.failNext({ status: 502, body: 'Bad gateway' });
    expect((await req('GET', '/v1/users/me')).status).toBe(502);
    pd.failNext('malformed');
    const m = await req('GET', '/v1/users/me');
    expect([m.status, m.json]).toEqual([200, undefined]);
    pd.failNext('success-false');
    expect((await req('GET', '/v1/users/me')).json).toMatchObject({ success: false });
    pd.outage(true);
    expect((await req('GET', '/v1/users/me')).status).toBe(503);
    expect((await req('GET', '/v1/users/me')).status).toBe(503);
    pd.outage(false);
    expect((await req('GET', '/v1/users/me')).status).toBe(200);
  });
});

describe('the Pipedrive fake: webhooks v2', () => {
  let capture: InboundCapture;
  beforeAll(async () => {
    capture = await startInboundCapture();
  });
  afterAll(() => capture.close());
  afterEach(() => void (capture.requests.length = 0));

  it('sends create, change and delete of a person, with Basic auth, for CRM-side and API changes', async () => {
    pd.subscribe({ url: `${capture.url}/hooks/crm/acc_1`, user: 'confluo', password: 'p'.repeat(20) });
    const p = await pd.createPerson({ name: 'Web Hook', emails: ['w@example.com'] });
    await pd.changePerson(p.id, { job_title: 'CTO' });
    await req('PATCH', `/api/v2/persons/${p.id}`, { name: 'Web Hooked' });
    await pd.flush();
    await pd.deletePerson(p.id);
    expect(pd.deliveries.map((d) => [d.payload.meta.action, d.payload.meta.change_source])).toEqual([
      ['create', 'app'],
      ['change', 'app'],
      ['change', 'api'],
      ['delete', 'app'],
    ]);
    const [created, changed] = pd.deliveries.slice(-4);
    expect(created!.payload.meta).toMatchObject({
      entity: 'person',
      entity_id: String(p.id),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      correlation_id: expect.any(String),
      company_id: String(pd.companyId),
      version: '2.0',
      attempt: 1,
      timestamp: expect.stringMatching(/Z$/),
    });
    expect(changed!.payload.previous).toEqual({ job_title: null });
    const first = capture.requests[0]!;
    expect(first.headers.authorization).toBe(`Basic ${Buffer.from(`confluo:${'p'.repeat(20)}`).toString('base64')}`);
    expect(JSON.parse(first.rawBody.toString())).toEqual(created!.payload);
  });

  it('sends a merge as a delete with merged_to_id and a change of the survivor; a redelivery keeps meta.id', async () => {
    pd.subscribe({ url: `${capture.url}/hooks/crm/acc_1`, user: 'u', password: 'p'.repeat(20) });
    const keep = await pd.createPerson({ name: 'K' });
    const gone = await pd.createPerson({ name: 'G' });
    pd.deliveries.length = 0;
    await pd.mergePersons(keep.id, gone.id);
    expect(
      pd.deliveries.map((d) => [d.payload.meta.action, d.payload.meta.entity_id, d.payload.meta.merged_to_id]),
    ).toEqual([
      ['delete', String(gone.id), String(keep.id)],
      ['change', String(keep.id), undefined],
    ]);
    const again = await pd.redeliver(pd.deliveries[0]!);
    expect(again.payload.meta).toMatchObject({ id: pd.deliveries[0]!.payload.meta.id, attempt: 2 });
  });
});
