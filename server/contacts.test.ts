// Contacts API over the real contact store: identity lookup (normalized like the store), listing, detail, scoping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindValues, testContacts } from '../test/contacts.js';
import { startTestApp, type TestApp } from './test-app.js';

let t: TestApp;
let ada: string;
let bob: string;
beforeAll(async () => {
  t = await startTestApp();
  const contacts = testContacts(t.prisma);
  ada = (
    await contacts.upsert(t.workspaceId, {
      identities: [
        { kind: 'email', value: 'ada@example.com' },
        { kind: 'phone', value: '+441234567890' },
      ],
      name: 'Ada',
    })
  ).contact.id;
  bob = (
    await contacts.upsert(t.workspaceId, { identities: [{ kind: 'email', value: 'bob@example.com' }], name: 'Bob' })
  ).contact.id;
});
afterAll(async () => t?.close());

describe('GET /api/contacts', () => {
  it('finds the contact owning an identity, email case-insensitively', async () => {
    const res = await t.api({
      method: 'GET',
      url: `/api/contacts?identity=${encodeURIComponent('email:ADA@Example.com')}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({
        id: ada,
        name: 'Ada',
        identities: expect.arrayContaining([
          expect.objectContaining({ kind: 'email', value: 'ada@example.com', valid: true, verified: false }),
          expect.objectContaining({ kind: 'phone', value: '+441234567890', source: { type: 'api' } }),
        ]),
      }),
    ]);
    const phone = await t.api({
      method: 'GET',
      url: `/api/contacts?identity=${encodeURIComponent('phone:+441234567890')}`,
    });
    expect(phone.json().items.map((c: { id: string }) => c.id)).toEqual([ada]);
    const none = await t.api({ method: 'GET', url: '/api/contacts?identity=email:nobody@example.com' });
    expect(none.json().items).toEqual([]);
  });

  it('normalizes a phone filter like contacts.upsert does, even with the + left unencoded', async () => {
    for (const url of [
      `/api/contacts?identity=${encodeURIComponent('phone:+44 1234 567890')}`,
      '/api/contacts?identity=phone:+441234567890',
    ]) {
      const res = await t.api({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(
        res.json().items.map((c: { id: string }) => c.id),
        url,
      ).toEqual([ada]);
    }
  });

  it('refuses a malformed identity filter with 400 naming it', async () => {
    for (const identity of ['ada@example.com', ':x', 'email:', 'email:not-an-address', 'phone:12']) {
      const res = await t.api({ method: 'GET', url: `/api/contacts?identity=${encodeURIComponent(identity)}` });
      expect(res.statusCode, identity).toBe(400);
      expect(res.json().error.issues[0].path).toBe('/query/identity');
    }
  });

  it('lists contacts newest first, paged', async () => {
    const first = (await t.api({ method: 'GET', url: '/api/contacts?limit=1' })).json();
    expect(first.items.map((c: { id: string }) => c.id)).toEqual([bob]);
    const second = (await t.api({ method: 'GET', url: `/api/contacts?limit=1&cursor=${first.nextCursor}` })).json();
    expect(second.items.map((c: { id: string }) => c.id)).toEqual([ada]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('shows nothing of other workspaces', async () => {
    const other = await startTestApp();
    try {
      expect((await other.api({ method: 'GET', url: '/api/contacts' })).json().items).toEqual([]);
      expect(
        (await other.api({ method: 'GET', url: '/api/contacts?identity=email:ada@example.com' })).json().items,
      ).toEqual([]);
      expect((await other.api({ method: 'GET', url: `/api/contacts/${ada}` })).statusCode).toBe(404);
    } finally {
      await other.close();
    }
  });
});

describe('GET /api/contacts by match key', () => {
  it('finds a Gmail mailbox however it is written, and a phone in any international format', async () => {
    const { contact } = await testContacts(t.prisma).upsert(t.workspaceId, {
      identities: [
        { kind: 'email', value: 'john@gmail.com' },
        { kind: 'phone', value: '+52 1 55 1234 5678' },
      ],
    });
    expect(kindValues(contact)).toEqual([
      { kind: 'email', value: 'john@gmail.com' },
      { kind: 'phone', value: '+525512345678' },
    ]);
    for (const identity of [
      'email:j.o.h.n+shop@googlemail.com',
      'email: John@Gmail.com ',
      'phone:+52 55 1234 5678',
      'phone:+5215512345678',
      'phone:+52 (55) 1234-5678',
    ]) {
      const res = await t.api({ method: 'GET', url: `/api/contacts?identity=${encodeURIComponent(identity)}` });
      expect(res.statusCode, identity).toBe(200);
      expect(
        res.json().items.map((c: { id: string }) => c.id),
        identity,
      ).toEqual([contact.id]);
    }
    // A +tag on another provider is another address (at most a duplicate suggestion, later).
    await testContacts(t.prisma).upsert(t.workspaceId, { identities: [{ kind: 'email', value: 'ann@example.org' }] });
    const tagged = await t.api({
      method: 'GET',
      url: `/api/contacts?identity=${encodeURIComponent('email:ann+x@example.org')}`,
    });
    expect(tagged.json().items).toEqual([]);
  });
});

describe('GET /api/contacts/:id', () => {
  it('returns the contact with its identities', async () => {
    const res = await t.api({ method: 'GET', url: `/api/contacts/${ada}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: ada, name: 'Ada', attributes: {}, createdAt: expect.any(String) });
    expect(res.json().identities).toHaveLength(2);
  });

  it('answers 404 for unknown contacts', async () => {
    const res = await t.api({ method: 'GET', url: '/api/contacts/contact_nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

describe('GET /api/contacts/:id/timeline', () => {
  it('tells when the contact was created and which run step attached each identity, newest first', async () => {
    const contacts = testContacts(t.prisma);
    const { contact } = await contacts.upsert(t.workspaceId, {
      identities: [{ kind: 'email', value: 'tim@example.com' }],
      source: { type: 'run', runId: 'run_a', nodeId: 'save' },
    });
    await new Promise((r) => setTimeout(r, 10));
    await contacts.upsert(t.workspaceId, {
      identities: [
        { kind: 'email', value: 'tim@example.com' },
        { kind: 'phone', value: '+14155550100' },
      ],
      source: { type: 'run', runId: 'run_b', nodeId: 'enrich' },
    });
    const res = await t.api({ method: 'GET', url: `/api/contacts/${contact.id}/timeline` });
    expect(res.statusCode).toBe(200);
    expect(
      res
        .json()
        .items.map((e: Record<string, unknown>) => [
          e.type,
          (e.identity as { kind?: string } | undefined)?.kind,
          e.runId,
          e.nodeId,
        ]),
    ).toEqual([
      ['identity.added', 'phone', 'run_b', 'enrich'],
      ['identity.added', 'email', 'run_a', 'save'],
      ['contact.created', undefined, 'run_a', 'save'],
    ]);
    expect((await t.api({ method: 'GET', url: '/api/contacts/contact_nope/timeline' })).statusCode).toBe(404);
  });
});

describe('GET /api/contacts?q=', () => {
  let es: TestApp;
  let maria: string;
  let pct: string;
  beforeAll(async () => {
    es = await startTestApp({ defaultCountry: 'ES' });
    const contacts = testContacts(es.prisma);
    maria = (
      await contacts.upsert(es.workspaceId, {
        identities: [
          { kind: 'phone', value: '+34612345678' },
          { kind: 'email', value: 'maria.garcia@gmail.com' },
        ],
        name: 'María García',
      })
    ).contact.id;
    pct = (
      await contacts.upsert(es.workspaceId, {
        identities: [{ kind: 'webchat', value: 'visitor_50%_off' }],
        name: 'Promo_Bot',
      })
    ).contact.id;
  });
  afterAll(async () => es?.close());

  const ids = async (q: string, app = es) => {
    const res = await app.api({ method: 'GET', url: `/api/contacts?q=${encodeURIComponent(q)}` });
    expect(res.statusCode, q).toBe(200);
    return res.json().items.map((c: { id: string }) => c.id);
  };

  it('finds a phone written any way, national ones in the default country, and an email by its mailbox', async () => {
    for (const q of [
      '+34 612 34 56 78',
      '0034612345678',
      '612 345 678',
      '(+34) 612-345-678',
      'MariaGarcia+x@googlemail.com',
    ])
      expect(await ids(q), q).toEqual([maria]);
    // The + left unencoded reads as a space.
    const raw = await es.api({ method: 'GET', url: '/api/contacts?q=+34612345678' });
    expect(raw.json().items.map((c: { id: string }) => c.id)).toEqual([maria]);
    // Without a default country a national number is no phone: a text search, which finds no such value.
    expect(await ids('612 345 678', t)).toEqual([]);
    expect(await ids('+34 699 99 99 99')).toEqual([]);
  });

  it('matches names and identity values case-insensitively, wildcards taken literally', async () => {
    expect(await ids('garcía')).toEqual([maria]);
    expect(await ids('MARIA.GAR')).toEqual([maria]);
    expect(await ids('3456')).toEqual([maria]);
    expect(await ids('50%_')).toEqual([pct]);
    expect(await ids('o_b')).toEqual([pct]);
    expect(await ids('%')).toEqual([pct]);
    expect(await ids('_')).toEqual([pct]);
    expect(await ids('a%a')).toEqual([]);
    expect(await ids('\\')).toEqual([]);
    // Blank: the plain list.
    expect(await ids('  ')).toEqual([pct, maria]);
  });

  it('pages a text search newest first with the list cursor, within the workspace', async () => {
    const first = (await es.api({ method: 'GET', url: '/api/contacts?q=o&limit=1' })).json();
    expect(first.items.map((c: { id: string }) => c.id)).toEqual([pct]);
    const second = (
      await es.api({ method: 'GET', url: `/api/contacts?q=o&limit=1&cursor=${first.nextCursor}` })
    ).json();
    expect(second.items.map((c: { id: string }) => c.id)).toEqual([maria]);
    expect(second.nextCursor).toBeUndefined();
    expect(await ids('garcía', t)).toEqual([]);
    expect(await ids('+34612345678', t)).toEqual([]);
  });

  it('refuses a search text over 200 characters, naming /query/q', async () => {
    const res = await es.api({ method: 'GET', url: `/api/contacts?q=${'a'.repeat(201)}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].path).toBe('/query/q');
    expect(await ids('a'.repeat(200))).toEqual([]);
  });
});

describe('GET /api/contacts?q= over merged contacts', () => {
  it('finds the surviving contact by a merged one’s name or identity, and never lists the merged one itself', async () => {
    const contacts = testContacts(t.prisma);
    const keep = (
      await contacts.upsert(t.workspaceId, { identities: [{ kind: 'email', value: 'zoe@shop.example' }], name: 'Zoe' })
    ).contact.id;
    const gone = (
      await contacts.upsert(t.workspaceId, {
        identities: [{ kind: 'telegram', value: 'tg-zoe-771' }],
        name: 'Zoë Telegram',
      })
    ).contact.id;
    const merge = await t.api({ method: 'POST', url: `/api/contacts/${keep}/merge`, payload: { contactId: gone } });
    expect(merge.statusCode, merge.body).toBe(200);
    for (const q of ['tg-zoe', 'zoë tele', 'zoe@shop']) {
      const res = await t.api({ method: 'GET', url: `/api/contacts?q=${encodeURIComponent(q)}` });
      expect(
        res.json().items.map((c: { id: string }) => c.id),
        q,
      ).toEqual([keep]);
    }
  });
});

describe('GET /api/contacts of a shared identity', () => {
  it("answers every holder of a household's shared phone, oldest first, the copies flagged shared", async () => {
    const contacts = testContacts(t.prisma);
    const home = { kind: 'phone', value: '+441234567111', verified: true };
    const ana = await contacts.upsert(t.workspaceId, { identities: [home], name: 'Ana Lima' });
    const leo = await contacts.upsert(t.workspaceId, {
      identities: [home, { kind: 'email', value: 'leo.lima@example.com' }],
      name: 'Leo Lima',
    });
    expect(leo).toMatchObject({ created: true, sharedWith: [ana.contact.id] });
    for (const url of ['/api/contacts?identity=phone:%2B441234567111', '/api/contacts?q=%2B44%201234%20567111']) {
      const items = (await t.api({ method: 'GET', url })).json().items as {
        id: string;
        identities: { value: string; shared?: boolean }[];
      }[];
      expect(
        items.map((c) => [c.id, c.identities.find((i) => i.value === '+441234567111')?.shared]),
        url,
      ).toEqual([
        [ana.contact.id, true],
        [leo.contact.id, true],
      ]);
    }
  });
});

describe('identities by hand', () => {
  const add = (id: string, payload: object) =>
    t.api({ method: 'POST', url: `/api/contacts/${id}/identities`, payload });
  const detach = (id: string, identityId: string) =>
    t.api({ method: 'DELETE', url: `/api/contacts/${id}/identities/${identityId}` });
  type Shown = { id: string; identities: { id: string; kind: string; value: string; shared?: true }[] };

  it('adds one through the rules, unverified, once; refuses bad input naming the field', async () => {
    const { contact } = await testContacts(t.prisma).upsert(t.workspaceId, {
      identities: [{ kind: 'email', value: 'hand@example.com' }],
      name: 'Hand Added',
    });
    const res = await add(contact.id, { kind: 'phone', value: '+44 20 7946 0958' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().identities).toEqual([
      expect.objectContaining({ kind: 'email', value: 'hand@example.com' }),
      expect.objectContaining({ kind: 'phone', value: '+442079460958', verified: false, source: { type: 'api' } }),
    ]);
    // The same number written another way: already there, nothing added.
    const again = await add(contact.id, { kind: 'phone', value: '+44 20 79460958', shared: true });
    expect(again.statusCode).toBe(200);
    expect((again.json() as Shown).identities.filter((i) => i.kind === 'phone')).toHaveLength(1);
    for (const [payload, path] of [
      [{ kind: 'phone', value: '12' }, '/body/value'],
      [{ kind: 'email', value: 'not-an-address' }, '/body/value'],
      [{ kind: 'Email', value: 'a@example.com' }, '/body/kind'],
    ] as const) {
      const bad = await add(contact.id, payload);
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json().error.issues[0].path, JSON.stringify(payload)).toBe(path);
    }
    expect((await add(`ct_${'0'.repeat(32)}`, { kind: 'email', value: 'x@example.com' })).statusCode).toBe(404);
    expect((await add('nope', { kind: 'email', value: 'x@example.com' })).statusCode).toBe(404);
  });

  it('refuses an identity another contact holds unless shared; detaching leaves the other holder its own', async () => {
    const contacts = testContacts(t.prisma);
    const mum = (await contacts.upsert(t.workspaceId, { identities: [{ kind: 'email', value: 'fam@example.com' }] }))
      .contact;
    const kid = (await contacts.upsert(t.workspaceId, { identities: [{ kind: 'telegram', value: 'kid1' }] })).contact;
    const claimed = await add(kid.id, { kind: 'email', value: 'FAM@example.com' });
    expect(claimed.statusCode).toBe(409);
    expect(claimed.json().error).toMatchObject({
      code: 'identity_claimed',
      issues: [{ path: '/body/value', code: 'identity_claimed' }],
    });
    expect(claimed.json().error.message).toContain(mum.id);
    expect((await t.api({ method: 'GET', url: `/api/contacts/${kid.id}` })).json().identities).toHaveLength(1);

    const shared = await add(kid.id, { kind: 'email', value: 'fam@example.com', shared: true });
    expect(shared.statusCode).toBe(201);
    const copy = (shared.json() as Shown).identities.find((i) => i.kind === 'email')!;
    expect(copy.shared).toBe(true);
    const lookup = async () =>
      (
        (await t.api({ method: 'GET', url: '/api/contacts?identity=email:fam@example.com' })).json().items as Shown[]
      ).map((c) => [c.id, c.identities.find((i) => i.kind === 'email')?.shared ?? false]);
    expect(await lookup()).toEqual([
      [mum.id, true],
      [kid.id, true],
    ]);

    const detached = await detach(kid.id, copy.id);
    expect(detached.statusCode, detached.body).toBe(200);
    expect((detached.json() as Shown).identities.map((i) => i.kind)).toEqual(['telegram']);
    expect(await lookup()).toEqual([[mum.id, false]]);
    const timeline = (await t.api({ method: 'GET', url: `/api/contacts/${kid.id}/timeline` })).json().items as {
      type: string;
      identity?: { value: string };
      source?: string;
    }[];
    expect(timeline[0]).toMatchObject({
      type: 'identity.detached',
      identity: { value: 'fam@example.com' },
      source: 'api',
    });
    // Gone is gone; another contact's identity is not this contact's to detach.
    expect((await detach(kid.id, copy.id)).json().error).toMatchObject({
      code: 'not_found',
      message: 'identity not found',
    });
    const mumEmail = (await t.api({ method: 'GET', url: `/api/contacts/${mum.id}` })).json().identities[0].id;
    expect((await detach(kid.id, mumEmail)).statusCode).toBe(404);
    expect((await detach(kid.id, 'idn_x')).statusCode).toBe(404);
    // Now it is only mum's, and a delivery from it finds mum.
    expect(
      (await contacts.upsert(t.workspaceId, { identities: [{ kind: 'email', value: 'fam@example.com' }] })).contact.id,
    ).toBe(mum.id);
  });
});

describe('PATCH /api/contacts/:id', () => {
  it('changes the name and merges attributes in, a null removing one', async () => {
    const { contact } = await testContacts(t.prisma).upsert(t.workspaceId, {
      identities: [{ kind: 'email', value: 'patch.me@example.com' }],
      name: 'Pat',
      attributes: { city: 'Leeds', plan: 'free' },
    });
    const res = await t.api({
      method: 'PATCH',
      url: `/api/contacts/${contact.id}`,
      payload: { name: 'Patricia', attributes: { plan: 'pro', city: null, visits: 3 } },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: contact.id, name: 'Patricia', attributes: { plan: 'pro', visits: 3 } });
    expect(res.json().attributes).not.toHaveProperty('city');
    const cleared = await t.api({ method: 'PATCH', url: `/api/contacts/${contact.id}`, payload: { name: null } });
    expect(cleared.json().name).toBeNull();
  });

  it('refuses bad bodies naming the field, and unknown or foreign contacts with 404', async () => {
    const bad = [
      [{}, '/body'],
      [{ name: '' }, '/body/name'],
      [{ attributes: { 'not a key': 1 } }, '/body/attributes'],
      [{ attributes: { deep: { x: 1 } } }, '/body/attributes/deep'],
      [{ colour: 'red' }, '/body'],
    ] as const;
    for (const [payload, path] of bad) {
      const res = await t.api({ method: 'PATCH', url: `/api/contacts/${ada}`, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    const missing = await t.api({
      method: 'PATCH',
      url: `/api/contacts/ct_${'0'.repeat(32)}`,
      payload: { name: 'x' },
    });
    expect(missing.statusCode).toBe(404);
    const other = await startTestApp();
    try {
      const foreign = await other.api({ method: 'PATCH', url: `/api/contacts/${ada}`, payload: { name: 'Eve' } });
      expect(foreign.statusCode).toBe(404);
    } finally {
      await other.close();
    }
    const unchanged = (await t.api({ method: 'GET', url: `/api/contacts/${ada}` })).json();
    expect(unchanged.name).toBe('Ada');
  });

  it('GET /api/contacts/:id/crm: no CRM connected, no links; unknown contact 404', async () => {
    const res = await t.api({ method: 'GET', url: `/api/contacts/${bob}/crm` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [] });
    expect((await t.api({ method: 'GET', url: `/api/contacts/ct_${'0'.repeat(32)}/crm` })).statusCode).toBe(404);
  });
});
