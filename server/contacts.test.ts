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
