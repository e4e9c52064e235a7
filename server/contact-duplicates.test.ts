// Duplicate suggestions over the real store, written by real upserts: a household's shared phone and contacts one
// input links whose names differ become suggestions; merging one (and undoing it) or dismissing it, and each refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContacts } from '../test/contacts.js';
import { startTestApp, type TestApp } from './test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const upsert = (identities: { kind: string; value: string; verified?: boolean }[], name?: string) =>
  testContacts(t.prisma).upsert(t.workspaceId, { identities, ...(name && { name }) });
const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  t.api({ method, url, ...(payload && { payload }) });
const list = async (status = 'open') => (await api('GET', `/api/duplicates?status=${status}`)).json().items as any[];
const older = (id: string) =>
  t.prisma.contact.update({ where: { id }, data: { createdAt: new Date(Date.now() - 60_000) } });

describe('duplicate suggestions', () => {
  it("suggests a household's two people, merges them on request, reopens on undo, and dismisses", async () => {
    const phone = { kind: 'phone', value: '+14155550321', verified: true };
    const ana = (await upsert([phone, { kind: 'email', value: 'ana.p@example.com' }], 'Ana Pérez')).contact;
    await older(ana.id);
    const luis = await upsert([phone, { kind: 'email', value: 'luis.p@example.com' }], 'Luis Pérez');
    expect(luis.sharedWith).toEqual([ana.id]);
    // Seen again: the same one suggestion.
    await upsert([phone, { kind: 'email', value: 'luis.p@example.com' }], 'Luis Pérez');
    const [dup, ...more] = await list();
    expect(more).toEqual([]);
    expect(dup).toMatchObject({
      status: 'open',
      score: 40,
      reasons: [
        { code: 'shared_identity', kind: 'phone', value: '+14155550321' },
        { code: 'names_differ', names: ['Luis Pérez', 'Ana Pérez'] },
      ],
      mergeId: null,
    });
    expect(dup.contacts.map((c: any) => c.id)).toEqual([ana.id, luis.contact.id]);

    // Refusals change nothing.
    const bad = await api('POST', `/api/duplicates/${dup.id}/merge`, { survivorId: 'ct_elsewhere' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('/body/survivorId');
    expect((await api('POST', `/api/duplicates/dup_${'0'.repeat(32)}/merge`, {})).statusCode).toBe(404);
    expect((await api('POST', '/api/duplicates/nope/dismiss')).statusCode).toBe(404);
    expect((await api('GET', '/api/duplicates?status=maybe')).statusCode).toBe(400);
    expect((await api('GET', '/api/duplicates?cursor=ct_1')).json().error.issues[0].path).toBe('/query/cursor');
    expect((await list())[0]).toMatchObject({ id: dup.id, status: 'open' });

    // Merged into the newer on request; the merge's undo reopens the suggestion.
    const merged = await api('POST', `/api/duplicates/${dup.id}/merge`, { survivorId: luis.contact.id });
    expect(merged.statusCode, merged.body).toBe(200);
    const { merge } = merged.json();
    expect(merge).toMatchObject({
      survivorId: luis.contact.id,
      mergedId: ana.id,
      by: { type: 'api', ref: `duplicate ${dup.id}` },
    });
    expect(await list()).toEqual([]);
    expect(await list('merged')).toMatchObject([{ id: dup.id, mergeId: merge.id }]);
    expect((await api('POST', `/api/duplicates/${dup.id}/merge`, {})).json().error.code).toBe('not_open');
    expect((await api('POST', `/api/contact-merges/${merge.id}/undo`)).statusCode).toBe(200);
    expect(await list()).toMatchObject([{ id: dup.id, status: 'open', mergeId: null }]);

    // Dismissed: closed for good, even when the rules see the pair again.
    const dismissed = await api('POST', `/api/duplicates/${dup.id}/dismiss`);
    expect(dismissed.statusCode).toBe(200);
    expect(dismissed.json()).toMatchObject({ id: dup.id, status: 'dismissed' });
    expect((await api('POST', `/api/duplicates/${dup.id}/dismiss`)).statusCode).toBe(409);
    await upsert([phone, { kind: 'email', value: 'luis.p@example.com' }], 'Luis Pérez');
    expect(await list()).toEqual([]);
    expect(await list('dismissed')).toMatchObject([{ id: dup.id }]);
  });

  it('suggests contacts one input links whose full names differ, and a merge by any route closes it', async () => {
    const kai = (await upsert([{ kind: 'email', value: 'kai.r@example.com' }], 'Kai Rossi')).contact;
    await older(kai.id);
    const mia = (await upsert([{ kind: 'email', value: 'mia.r@example.com' }], 'Mia Rossi')).contact;
    const both = await upsert([
      { kind: 'email', value: 'kai.r@example.com' },
      { kind: 'email', value: 'mia.r@example.com' },
    ]);
    expect(both.conflicts).toEqual([mia.id]);
    const dup = (await list()).find((d) => d.contacts[0].id === kai.id)!;
    expect(dup).toMatchObject({
      score: 60,
      reasons: [
        { code: 'linked_identity', kind: 'email', value: 'mia.r@example.com' },
        { code: 'names_differ', names: ['Kai Rossi', 'Mia Rossi'] },
      ],
    });
    const res = await api('POST', `/api/contacts/${kai.id}/merge`, { contactId: mia.id });
    expect(res.statusCode).toBe(200);
    expect((await list('merged')).find((d) => d.id === dup.id)).toMatchObject({ mergeId: res.json().merge.id });
  });
});

describe('weak duplicate suggestions', () => {
  const about = async (id: string) =>
    (await list()).filter((d: any) => d.contacts.some((c: any) => c.id === id)) as any[];

  it('suggests a +tag of the same mailbox on another provider, never merging it', async () => {
    const plain = (await upsert([{ kind: 'email', value: 'tagged.person@acme.example' }], 'Tag Person')).contact;
    const tagged = await upsert([{ kind: 'email', value: 'Tagged.Person+shop@acme.example' }]);
    expect(tagged.created).toBe(true);
    expect(tagged.contact.id).not.toBe(plain.id);
    const [dup, ...more] = await about(tagged.contact.id);
    expect(more).toEqual([]);
    expect(dup).toMatchObject({
      score: 40,
      reasons: [
        { code: 'email_tag', kind: 'email', values: ['tagged.person+shop@acme.example', 'tagged.person@acme.example'] },
      ],
    });
    expect(dup.contacts.map((c: any) => c.id)).toEqual([plain.id, tagged.contact.id]);
  });

  it('suggests a misspelt domain either way round, and not an unrelated one', async () => {
    const typo = (await upsert([{ kind: 'email', value: 'mara.typo@gmial.com' }])).contact;
    const right = (await upsert([{ kind: 'email', value: 'mara.typo@gmail.com' }])).contact;
    const elsewhere = (await upsert([{ kind: 'email', value: 'mara.typo@company.example' }])).contact;
    const [dup, ...more] = await about(right.id);
    expect(more).toEqual([]);
    expect(dup).toMatchObject({
      score: 35,
      reasons: [{ code: 'email_typo', values: ['mara.typo@gmail.com', 'mara.typo@gmial.com'] }],
    });
    expect(dup.contacts.map((c: any) => c.id)).toEqual([typo.id, right.id]);
    expect(await about(elsewhere.id)).toEqual([]);
  });

  it('suggests the same full name in the same city, not in another city nor a one-word name', async () => {
    const city = (name: string, email: string, c: string) =>
      testContacts(t.prisma).upsert(t.workspaceId, {
        name,
        attributes: { city: c },
        identities: [{ kind: 'email', value: email }],
      });
    const first = (await city('Jon Cityman', 'jon.one@example.net', 'Lyon')).contact;
    const other = (await city('Jon Cityman', 'jon.two@example.net', 'Paris')).contact;
    const second = (await city('jon cityman', 'jon.three@example.net', ' lyon ')).contact;
    const oneWord = (await city('Jon', 'jon.four@example.net', 'Lyon')).contact;
    const [dup, ...more] = await about(second.id);
    expect(more).toEqual([]);
    expect(dup).toMatchObject({ score: 25, reasons: [{ code: 'name_and_city', value: 'lyon' }] });
    expect(dup.contacts.map((c: any) => c.id)).toEqual([first.id, second.id]);
    expect(await about(other.id)).toEqual([]);
    expect(await about(oneWord.id)).toEqual([]);
    // Moving to Lyon later suggests that one too.
    await city('Jon Cityman', 'jon.two@example.net', 'Lyon');
    expect((await about(other.id)).length).toBe(2);
  });
});
