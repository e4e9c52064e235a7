// The CrmClient (crm.ts) against the Pipedrive fake over real HTTP: scope, lookups by exact email and phone, writes
// (v2 POST/PATCH bodies), merge (v1), notes (v1 HTML and times), and the catch-up poll's cursor.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CrmCallContext } from '../sdk/index.js';
import { memoryLogger, startPipedriveFake, testAccount, type PipedriveFake } from '../testkit/index.js';
import { pipedriveCrmClient as crm } from './crm.js';
import { pipedriveConnector } from './index.js';

const TOKEN = '0123456789abcdef0123456789abcdef01234567';
let pd: PipedriveFake;
let clock = 0;
beforeAll(async () => {
  pd = await startPipedriveFake({ apiToken: TOKEN, now: () => clock, burst: { limit: 10_000 } });
});
afterAll(() => pd.close());
beforeEach(() => {
  clock = Math.floor(Date.now() / 1000) * 1000 + 1000;
  pd.violations.length = 0;
  pd.requests.length = 0;
  pd.persons.clear();
  pd.notes.clear();
});

let accountSeq = 0;
const ctx = (settings: Record<string, unknown> = {}): CrmCallContext => ({
  account: testAccount({
    id: `crm_pd_${++accountSeq}`,
    credentials: { apiToken: TOKEN },
    settings: { apiBaseUrl: pd.url, ...settings },
  }),
  signal: AbortSignal.timeout(10_000),
  logger: memoryLogger(),
});

describe('scope', () => {
  it('is the company id from settings, without a call', async () => {
    expect(await crm.scope(ctx({ companyId: 99 }))).toBe('99');
    expect(pd.requests).toHaveLength(0);
  });

  it('is the company id of users/me otherwise, asked once per account and token', async () => {
    const c = ctx();
    expect(await crm.scope(c)).toBe(String(pd.companyId));
    expect(await crm.scope(c)).toBe(String(pd.companyId));
    expect(pd.requests.map((r) => r.path)).toEqual(['/v1/users/me']);
  });
});

describe('findPerson', () => {
  it('finds by exact email (any case), emails before phones', async () => {
    const byEmail = await pd.createPerson({ name: 'E', emails: ['ann@example.com'] });
    await pd.createPerson({ name: 'P', phones: ['+14155550100'] });
    await pd.createPerson({ name: 'Look-alike', emails: ['ann@example.com.au'] });
    const found = await crm.findPerson(ctx(), { emails: ['ANN@example.com'], phones: ['+14155550100'] });
    expect(found).toMatchObject({ id: String(byEmail.id), name: 'E', emails: ['ann@example.com'] });
    expect(pd.violations).toEqual([]);
  });

  it('falls back to the phone, and is null when nothing matches', async () => {
    const p = await pd.createPerson({ name: 'P', phones: ['+1 415 555 0100'] });
    expect(await crm.findPerson(ctx(), { emails: ['nobody@example.com'], phones: ['+14155550100'] })).toMatchObject({
      id: String(p.id),
    });
    expect(await crm.findPerson(ctx(), { emails: ['nobody@example.com'], phones: ['+19999999999'] })).toBeNull();
    expect(await crm.findPerson(ctx(), { emails: [], phones: [] })).toBeNull();
  });

  it('tries at most five emails', async () => {
    const emails = Array.from({ length: 8 }, (_, i) => `e${i}@example.com`);
    expect(await crm.findPerson(ctx(), { emails, phones: [] })).toBeNull();
    expect(pd.requests.filter((r) => r.path === '/api/v2/persons/search')).toHaveLength(5);
  });
});

describe('person reads and writes', () => {
  it('creates with the v2 body: primary first, standard fields top-level, others as custom fields', async () => {
    const created = await crm.createPerson(ctx(), {
      name: 'Ada Lovelace',
      emails: ['ada@example.com', 'ada@work.example'],
      phones: ['+441234567890'],
      fields: { job_title: 'Countess', abcdef0123456789abcdef0123456789abcdef01: 'VIP' },
    });
    expect(pd.requests.at(-1)!.body).toEqual({
      name: 'Ada Lovelace',
      emails: [
        { value: 'ada@example.com', primary: true, label: 'work' },
        { value: 'ada@work.example', primary: false, label: 'work' },
      ],
      phones: [{ value: '+441234567890', primary: true, label: 'work' }],
      job_title: 'Countess',
      custom_fields: { abcdef0123456789abcdef0123456789abcdef01: 'VIP' },
    });
    expect(created).toMatchObject({
      name: 'Ada Lovelace',
      emails: ['ada@example.com', 'ada@work.example'],
      phones: ['+441234567890'],
      fields: { job_title: 'Countess', abcdef0123456789abcdef0123456789abcdef01: 'VIP' },
      updatedAt: new Date(clock).toISOString(),
    });
    expect(pd.violations).toEqual([]);
  });

  it('names a person without a name after the email', async () => {
    const created = await crm.createPerson(ctx(), { emails: ['anon@example.com'] });
    expect(created.name).toBe('anon@example.com');
  });

  it('reads the primary value first whatever its position, and null for a missing or deleted person', async () => {
    const p = await pd.createPerson({ name: 'Two', emails: ['second@example.com', 'first@example.com'] });
    p.emails = [
      { value: 'second@example.com', primary: false, label: 'home' },
      { value: 'first@example.com', primary: true, label: 'work' },
    ];
    expect((await crm.getPerson(ctx(), String(p.id)))?.emails).toEqual(['first@example.com', 'second@example.com']);
    await pd.deletePerson(p.id);
    expect(await crm.getPerson(ctx(), String(p.id))).toBeNull();
    expect(await crm.getPerson(ctx(), '424242')).toBeNull();
    await expect(crm.getPerson(ctx(), '../users/me')).rejects.toMatchObject({ kind: 'validation', code: 'INVALID_ID' });
  });

  it('updates with PATCH and only the given fields; an empty write only reads', async () => {
    const p = await pd.createPerson({ name: 'Old', emails: ['o@example.com'] });
    clock += 3000;
    const updated = await crm.updatePerson(ctx(), String(p.id), { name: 'New' });
    expect(pd.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/api/v2/persons/${p.id}`,
      body: { name: 'New' },
    });
    expect(updated).toMatchObject({ name: 'New', emails: ['o@example.com'], updatedAt: new Date(clock).toISOString() });
    const count = pd.requests.length;
    expect(await crm.updatePerson(ctx(), String(p.id), {})).toMatchObject({ name: 'New' });
    expect(pd.requests.slice(count).map((r) => r.method)).toEqual(['GET']);
    await expect(crm.updatePerson(ctx(), '424242', {})).rejects.toMatchObject({ kind: 'not_found' });
    await expect(crm.updatePerson(ctx(), '424242', { name: 'x' })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('merges with v1 PUT /persons/{merged}/merge, merge_with_id the primary, and returns the primary', async () => {
    const keep = await pd.createPerson({ name: 'Keep', emails: ['k@example.com'] });
    const gone = await pd.createPerson({ name: 'Gone', emails: ['g@example.com'] });
    const merged = await crm.mergePersons!(ctx(), String(keep.id), String(gone.id));
    expect(pd.requests.find((r) => r.method === 'PUT')).toMatchObject({
      path: `/v1/persons/${gone.id}/merge`,
      body: { merge_with_id: keep.id },
    });
    expect(merged).toMatchObject({ id: String(keep.id), name: 'Keep', emails: ['k@example.com', 'g@example.com'] });
    expect(await crm.getPerson(ctx(), String(gone.id))).toBeNull();
    await expect(crm.mergePersons!(ctx(), '5', '5')).rejects.toMatchObject({ kind: 'validation' });
    expect(pipedriveConnector.manifest.crm).toMatchObject({ merge: true, inbound: true });
  });

  it('adds a note as escaped HTML with the v1 add_time', async () => {
    const p = await pd.createPerson({ name: 'N' });
    const note = await crm.addNote(ctx(), String(p.id), {
      text: 'Hi <script>alert(1)</script>\nBye & thanks',
      at: '2026-05-04T03:02:01.999Z',
    });
    expect(pd.requests.at(-1)!.body).toEqual({
      content: 'Hi &lt;script&gt;alert(1)&lt;/script&gt;<br>Bye &amp; thanks',
      person_id: p.id,
      add_time: '2026-05-04 03:02:01',
    });
    expect(pd.notes.get(Number(note.id))).toMatchObject({ person_id: p.id, add_time: '2026-05-04 03:02:01' });
    expect(pd.violations).toEqual([]);
  });
});

describe('changedSince', () => {
  const drain = async (c: CrmCallContext, cursor: string, limit: number) => {
    const ids: string[] = [];
    let pages = 0;
    for (;;) {
      const page = await crm.changedSince(c, cursor, limit);
      ids.push(...page.people.map((p) => p.id));
      cursor = page.cursor;
      if (!page.more || ++pages > 20) return { ids, cursor };
    }
  };

  it('starts from now with only a cursor, then pages the changes oldest first without repeats', async () => {
    const c = ctx();
    const start = await crm.changedSince(c, null, 10);
    expect(start).toMatchObject({ people: [], more: false, cursor: expect.any(String) });
    expect(pd.requests).toHaveLength(0);
    const a = await pd.createPerson({ name: 'A' });
    const b = await pd.createPerson({ name: 'B' }); // the same second as A
    clock += 1000;
    const d = await pd.createPerson({ name: 'D' });
    const first = await drain(c, start.cursor, 2);
    expect(first.ids).toEqual([a.id, b.id, d.id].map(String));
    expect(pd.requests.at(-1)!.query.get('sort_by')).toBe('update_time');
    // Nothing new: nothing again, though Pipedrive answers update_time >= since.
    expect((await drain(c, first.cursor, 2)).ids).toEqual([]);
    // A later change of an already delivered person, and a new one in the same second as the last delivered.
    const e = await pd.createPerson({ name: 'E' });
    clock += 2000;
    await pd.changePerson(a.id, { job_title: 'Boss' });
    const second = await drain(c, first.cursor, 2);
    expect(second.ids).toEqual([e.id, a.id].map(String));
    expect((await drain(c, second.cursor, 50)).ids).toEqual([]);
    expect(pd.violations).toEqual([]);
  });

  it('refuses a cursor it did not make', async () => {
    await expect(crm.changedSince(ctx(), 'not-a-cursor', 10)).rejects.toMatchObject({
      kind: 'validation',
      code: 'CURSOR_INVALID',
    });
  });
});
