// The crm capability (crm.ts) against the HubSpot fake: people read, found, created, updated and merged the way the
// sync needs them; notes associated to the contact; the catch-up listing in lastmodifieddate order with its cursor.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmCallContext } from '../sdk/index.js';
import { memoryLogger, startHubSpotFake, testAccount, type HubSpotFake } from '../testkit/index.js';
import { hubspotCrmClient as crm, toPerson, toProperties } from './crm.js';

const TOKEN = 'pat-na1-crm-test-token';
let hs: HubSpotFake;
let at = 0;
beforeEach(async () => {
  hs = await startHubSpotFake({ accessToken: TOKEN, rateLimit: false, searchPerSecond: false });
});
afterEach(() => hs.close());

const ctx = (settings: Record<string, unknown> = {}): CrmCallContext => ({
  account: testAccount({
    id: `crm_${++at}`,
    credentials: { accessToken: TOKEN },
    settings: { apiBaseUrl: hs.url, ...settings } as never,
  }),
  signal: AbortSignal.timeout(10_000),
  logger: memoryLogger(),
});

describe('HubSpot crm client', () => {
  it('scope: the portal id from settings, else from account details (read once per account)', async () => {
    expect(await crm.scope(ctx({ portalId: '777' }))).toBe('777');
    expect(hs.requests).toHaveLength(0);
    const c = ctx();
    expect(await crm.scope(c)).toBe('62515');
    expect(await crm.scope(c)).toBe('62515');
    expect(hs.requests.filter((r) => r.path === '/account-info/v3/details')).toHaveLength(1);
  });

  it('creates, reads and finds a person by email or phone, exactly', async () => {
    const c = ctx();
    const made = await crm.createPerson(c, {
      name: 'Ana Maria Costa',
      emails: ['Ana@Example.com', 'second@example.com'],
      phones: ['+351910000001', '+351910000002'],
      fields: { city: 'Lisbon', company: 'Acme', jobtitle: 3 },
    });
    expect(hs.requests.at(-1)!.body).toEqual({
      properties: {
        city: 'Lisbon',
        company: 'Acme',
        jobtitle: '3',
        firstname: 'Ana',
        lastname: 'Maria Costa',
        email: 'ana@example.com',
        phone: '+351910000001',
        mobilephone: '+351910000002',
      },
    });
    expect(made).toMatchObject({ name: 'Ana Maria Costa', emails: ['ana@example.com'] });
    const got = await crm.getPerson(c, made.id);
    expect(got).toEqual({
      id: made.id,
      name: 'Ana Maria Costa',
      emails: ['ana@example.com'],
      phones: ['+351910000001', '+351910000002'],
      fields: expect.objectContaining({ city: 'Lisbon', company: 'Acme', jobtitle: '3', country: null }),
      updatedAt: hs.get('contacts', made.id)!.properties.lastmodifieddate,
    });
    expect(await crm.findPerson(c, { emails: ['nobody@example.com', 'ANA@example.com'], phones: [] })).toMatchObject({
      id: made.id,
    });
    expect(await crm.findPerson(c, { emails: [], phones: ['+351910000002'] })).toMatchObject({ id: made.id });
    expect(await crm.findPerson(c, { emails: ['ana@example'], phones: ['910000001'] })).toBeNull();
    expect(await crm.getPerson(c, '424242')).toBeNull();
    expect(hs.violations).toEqual([]);
  });

  it('reads the account fieldMap properties too', async () => {
    const c = ctx({ fieldMap: { tier: 'hs_tier' } });
    hs.crm.create('contacts', { email: 'x@example.com' });
    await crm.findPerson(c, { emails: ['x@example.com'], phones: [] });
    expect((hs.requests.at(-1)!.body as { properties: string[] }).properties).toContain('hs_tier');
  });

  it('a create whose email HubSpot already holds updates that contact (a retried create makes no duplicate)', async () => {
    const c = ctx();
    const first = await crm.createPerson(c, { emails: ['dup@example.com'], name: 'First' });
    const again = await crm.createPerson(c, { emails: ['dup@example.com'], name: 'Second Try' });
    expect(again.id).toBe(first.id);
    expect(hs.records('contacts')).toHaveLength(1);
    expect(hs.get('contacts', first.id)!.properties).toMatchObject({ firstname: 'Second', lastname: 'Try' });
  });

  it('updates only what is given; a given phone list clears what it leaves out', async () => {
    const c = ctx();
    const p = await crm.createPerson(c, { emails: ['u@example.com'], phones: ['+1', '+2'], fields: { city: 'A' } });
    const updated = await crm.updatePerson(c, p.id, { phones: ['+3'] });
    expect(hs.requests.at(-1)!.body).toEqual({ properties: { phone: '+3', mobilephone: '' } });
    expect(updated.phones).toEqual(['+3']);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(p.updatedAt));
    expect(hs.get('contacts', p.id)!.properties).toMatchObject({ email: 'u@example.com', city: 'A', phone: '+3' });
    expect(hs.get('contacts', p.id)!.properties.mobilephone).toBeUndefined();
  });

  it('merges in HubSpot: the survivor lists the merged id and holds both emails', async () => {
    const c = ctx();
    const a = await crm.createPerson(c, { emails: ['m1@example.com'] });
    const b = await crm.createPerson(c, { emails: ['m2@example.com'], fields: { city: 'Porto' } });
    const merged = await crm.mergePersons!(c, a.id, b.id);
    expect(merged).toMatchObject({ id: a.id, emails: ['m1@example.com', 'm2@example.com'], mergedIds: [b.id] });
    expect(merged.fields).toMatchObject({ city: 'Porto' });
  });

  it('adds a note with hs_timestamp and the note→contact association 202', async () => {
    const c = ctx();
    const p = await crm.createPerson(c, { emails: ['n@example.com'] });
    const note = await crm.addNote(c, p.id, { text: 'WhatsApp: hello', at: '2026-12-01T10:00:00.000Z' });
    expect(hs.requests.at(-1)!.body).toEqual({
      properties: { hs_timestamp: '2026-12-01T10:00:00.000Z', hs_note_body: 'WhatsApp: hello' },
      associations: [{ to: { id: p.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }],
    });
    expect(hs.get('notes', note.id)!.associations).toEqual({ contacts: [p.id] });
    await crm.addNote(c, p.id, { text: 'x'.repeat(70_000), at: '2026-12-01T10:00:00.000Z' });
    expect(hs.records('notes').at(-1)!.properties.hs_note_body).toHaveLength(65_536);
  });

  it('changedSince: a cursor from now, then the changes oldest first, page by page, none skipped', async () => {
    const c = ctx();
    const start = await crm.changedSince(c, null, 10);
    expect(start).toEqual({ people: [], cursor: expect.stringMatching(/^\d+$/), more: false });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(hs.crm.create('contacts', { email: `c${i}@example.com` }).id);
    hs.crm.update('contacts', ids[0]!, { city: 'Later' });
    const seen: string[] = [];
    let cursor = start.cursor;
    for (let round = 0; round < 10; round++) {
      const page = await crm.changedSince(c, cursor, 2);
      seen.push(...page.people.map((p) => p.id));
      const times = page.people.map((p) => Date.parse(p.updatedAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      cursor = page.cursor;
      if (!page.more) break;
    }
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen.at(-1)).toBe(ids[0]); // its update is the newest change
    const search = hs.requests.filter((r) => r.path.endsWith('/search')).at(-1)!.body as Record<string, unknown>;
    expect(search).toMatchObject({
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE' }] }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      limit: 2,
    });
    expect(hs.violations).toEqual([]);
  });

  it('changedSince pages with after through one millisecond holding more than a page', async () => {
    const fixed = await startHubSpotFake({
      accessToken: TOKEN,
      rateLimit: false,
      searchPerSecond: false,
      now: () => 1_800_000_000_000,
    });
    try {
      const c: CrmCallContext = {
        ...ctx(),
        account: testAccount({
          id: 'crm_fixed',
          credentials: { accessToken: TOKEN },
          settings: { apiBaseUrl: fixed.url },
        }),
      };
      for (let i = 0; i < 5; i++) fixed.crm.create('contacts', { email: `same${i}@example.com` });
      const seen: string[] = [];
      let cursor = String(1_800_000_000_000 - 1);
      for (let round = 0; round < 10; round++) {
        const page = await crm.changedSince(c, cursor, 2);
        seen.push(...page.people.map((p) => p.id));
        cursor = page.cursor;
        if (!page.more) break;
      }
      expect(new Set(seen)).toEqual(new Set(fixed.records('contacts').map((r) => r.id)));
      expect(cursor).toBe('1800000000000');
    } finally {
      await fixed.close();
    }
  });

  it('maps properties both ways', () => {
    expect(toProperties({ name: 'Cher', emails: [], fields: { email: 'ignored', website: null } })).toEqual({
      website: '',
      firstname: 'Cher',
      lastname: '',
      email: '',
    });
    expect(() => toProperties({ fields: { city: { nested: true } } })).toThrow(/takes a string/);
    expect(
      toPerson({
        id: '1',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-02T00:00:00.000Z',
        archived: false,
        properties: {
          email: 'a@example.com',
          hs_additional_emails: 'b@example.com;a@example.com',
          firstname: null,
          lastname: 'Solo',
          phone: '',
          mobilephone: '+1',
          lastmodifieddate: '1767312000000',
          hs_merged_object_ids: '7;8',
          city: null,
        },
      }),
    ).toEqual({
      id: '1',
      name: 'Solo',
      emails: ['a@example.com', 'b@example.com'],
      phones: ['+1'],
      fields: { city: null },
      updatedAt: '2026-01-02T00:00:00.000Z',
      mergedIds: ['7', '8'],
    });
  });
});
