// Tags and notes on contacts over the real store: PATCH tags (normalised, refused naming the field, a contact.updated
// event), `?tag=` (alone, with q, paged, a merged contact's tag finding its root), notes (add, list, delete, the
// timeline), merge then unmerge leaving each side its own, and another workspace seeing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeTags, TagRefused } from '../prisma/contacts.js';
import { testContacts } from '../test/contacts.js';
import { startTestApp, type TestApp } from './test-app.js';

let t: TestApp;
let other: TestApp;
beforeAll(async () => {
  [t, other] = await Promise.all([startTestApp(), startTestApp()]);
});
afterAll(async () => {
  await Promise.all([t?.close(), other?.close()]);
});

const contact = async (email: string, name?: string) =>
  (
    await testContacts(t.prisma).upsert(t.workspaceId, {
      identities: [{ kind: 'email', value: email }],
      ...(name && { name }),
    })
  ).contact.id;

const patch = (id: string, payload: unknown) =>
  t.api({ method: 'PATCH', url: `/api/contacts/${id}`, payload: payload as object });
const get = async (id: string) => (await t.api({ method: 'GET', url: `/api/contacts/${id}` })).json();
const ids = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((c) => c.id);
const byTag = (tag: string, extra = '') =>
  t.api({ method: 'GET', url: `/api/contacts?tag=${encodeURIComponent(tag)}${extra}` });
const notesOf = async (id: string) =>
  (await t.api({ method: 'GET', url: `/api/contacts/${id}/notes` })).json().items as { id: string; text: string }[];
const addNote = (id: string, text: unknown) =>
  t.api({ method: 'POST', url: `/api/contacts/${id}/notes`, payload: { text } as object });

describe('normalizeTags', () => {
  it('trims, lower-cases and drops case-insensitive duplicates, keeping the first one’s place', () => {
    expect(normalizeTags(['  VIP ', 'lead', 'vip', 'Lead', 'Ñandú'])).toEqual(['vip', 'lead', 'ñandú']);
    expect(normalizeTags([])).toEqual([]);
  });
  it('refuses blank, over-long and too many tags, naming the index', () => {
    const refusal = (tags: string[]) => {
      try {
        normalizeTags(tags);
      } catch (err) {
        return err instanceof TagRefused ? err.index : err;
      }
      return 'accepted';
    };
    expect(refusal(['ok', '  '])).toBe(1);
    expect(refusal(['x'.repeat(65)])).toBe(0);
    expect(refusal(['x'.repeat(64)])).toBe('accepted');
    expect(refusal(Array.from({ length: 51 }, (_, i) => `t${i}`))).toBe(50);
    expect(refusal(Array.from({ length: 60 }, () => 'same'))).toBe('accepted');
  });
});

describe('PATCH /api/contacts/:id tags', () => {
  it('replaces the tags, normalised, and records a contact.updated event with field tags', async () => {
    const id = await contact('tagged@example.com', 'Tess');
    expect((await get(id)).tags).toEqual([]);
    const res = await patch(id, { tags: [' VIP', 'lead', 'vip'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, name: 'Tess', tags: ['vip', 'lead'] });
    expect((await patch(id, { tags: ['lead'] })).json().tags).toEqual(['lead']);
    // The same tags again: nothing changes, no event.
    expect((await patch(id, { tags: ['LEAD'] })).json().tags).toEqual(['lead']);
    const events = await t.prisma.contactEvent.findMany({
      where: { contactId: id, type: 'contact.updated' },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ fields: ['tags'], changes: { tags: { from: [], to: ['vip', 'lead'] } } }),
      expect.objectContaining({ fields: ['tags'], changes: { tags: { from: ['vip', 'lead'], to: ['lead'] } } }),
    ]);
  });

  it('refuses bad tags naming the field, and other workspaces’ contacts with 404', async () => {
    const id = await contact('bad.tags@example.com');
    const cases = [
      [{ tags: 'vip' }, '/body/tags'],
      [{ tags: [''] }, '/body/tags/0'],
      [{ tags: ['ok', '   '] }, '/body/tags/1'],
      [{ tags: ['x'.repeat(65)] }, '/body/tags/0'],
      [{ tags: [3] }, '/body/tags/0'],
      [{ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, '/body/tags'],
    ] as const;
    for (const [payload, path] of cases) {
      const res = await patch(id, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    const foreign = await other.api({ method: 'PATCH', url: `/api/contacts/${id}`, payload: { tags: ['x'] } });
    expect(foreign.statusCode).toBe(404);
    expect((await get(id)).tags).toEqual([]);
  });
});

describe('GET /api/contacts?tag=', () => {
  it('finds the tagged contacts newest first, paged, case-insensitively, with q, in the workspace only', async () => {
    const [a, b, c] = [
      await contact('gold.a@example.com', 'Gold Ann'),
      await contact('gold.b@example.com', 'Gold Bea'),
      await contact('gold.c@example.com', 'Cy'),
    ];
    for (const id of [a, b, c]) expect((await patch(id, { tags: ['gold'] })).statusCode).toBe(200);
    await patch(b, { tags: ['gold', 'silver'] });
    expect(ids(await byTag('GOLD '))).toEqual([c, b, a]);
    const first = await byTag('gold', '&limit=2');
    expect(ids(first)).toEqual([c, b]);
    const second = await byTag('gold', `&limit=2&cursor=${first.json().nextCursor}`);
    expect(ids(second)).toEqual([a]);
    expect(second.json().nextCursor).toBeUndefined();
    expect(ids(await byTag('silver'))).toEqual([b]);
    expect(ids(await byTag('gold', '&q=bea'))).toEqual([b]);
    expect(ids(await byTag('silver', '&q=ann'))).toEqual([]);
    expect(ids(await byTag('silver', `&q=${encodeURIComponent('gold.a@example.com')}`))).toEqual([]);
    expect(ids(await byTag('gold', `&q=${encodeURIComponent('gold.a@example.com')}`))).toEqual([a]);
    expect(ids(await byTag('nobody'))).toEqual([]);
    const foreign = await other.api({ method: 'GET', url: '/api/contacts?tag=gold' });
    expect(foreign.json().items).toEqual([]);
    for (const bad of ['', '   ', 'x'.repeat(65)]) {
      const res = await byTag(bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().error.issues[0].path).toBe('/query/tag');
    }
  });
});

describe('notes', () => {
  it('adds, lists newest first, pages, shows in the timeline and deletes', async () => {
    const id = await contact('noted@example.com', 'Nora');
    const first = await addNote(id, 'Called about the invoice');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      id: expect.stringMatching(/^note_[0-9a-f]{32}$/),
      contactId: id,
      text: 'Called about the invoice',
      by: { type: 'api' },
      createdAt: expect.any(String),
    });
    const second = (await addNote(id, 'Prefers email')).json();
    expect((await notesOf(id)).map((n) => n.text)).toEqual(['Prefers email', 'Called about the invoice']);
    const page = (await t.api({ method: 'GET', url: `/api/contacts/${id}/notes?limit=1` })).json();
    expect(page.items.map((n: { id: string }) => n.id)).toEqual([second.id]);
    const rest = (
      await t.api({ method: 'GET', url: `/api/contacts/${id}/notes?limit=1&cursor=${page.nextCursor}` })
    ).json();
    expect(rest.items.map((n: { id: string }) => n.id)).toEqual([first.json().id]);
    expect(rest.nextCursor).toBeUndefined();

    const timeline = (await t.api({ method: 'GET', url: `/api/contacts/${id}/timeline` })).json().items;
    expect(timeline.filter((e: { type: string }) => e.type === 'note.added')).toEqual([
      expect.objectContaining({ note: { id: second.id, contactId: id, text: 'Prefers email' }, source: 'api' }),
      expect.objectContaining({ note: expect.objectContaining({ text: 'Called about the invoice' }) }),
    ]);

    const del = await t.api({ method: 'DELETE', url: `/api/contacts/${id}/notes/${second.id}` });
    expect(del.statusCode).toBe(204);
    expect((await notesOf(id)).map((n) => n.text)).toEqual(['Called about the invoice']);
    const again = await t.api({ method: 'DELETE', url: `/api/contacts/${id}/notes/${second.id}` });
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toMatchObject({ code: 'not_found', message: 'note not found' });
  });

  it('refuses bad notes naming the field; unknown and other workspaces’ contacts and notes are 404', async () => {
    const id = await contact('note.refusals@example.com');
    for (const [payload, path] of [
      [{}, '/body/text'],
      [{ text: '' }, '/body/text'],
      [{ text: '  \n ' }, '/body/text'],
      [{ text: 'x'.repeat(10_001) }, '/body/text'],
      [{ text: 5 }, '/body/text'],
      [{ text: 'ok', extra: 1 }, '/body'],
    ] as const) {
      const res = await t.api({ method: 'POST', url: `/api/contacts/${id}/notes`, payload });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 50)).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await addNote(id, 'x'.repeat(10_000))).statusCode).toBe(201);
    const note = (await addNote(id, 'mine')).json();
    for (const missing of [`ct_${'0'.repeat(32)}`, 'nope']) {
      expect((await addNote(missing, 'hi')).statusCode).toBe(404);
      expect((await t.api({ method: 'GET', url: `/api/contacts/${missing}/notes` })).statusCode).toBe(404);
    }
    const foreign = [
      await other.api({ method: 'GET', url: `/api/contacts/${id}/notes` }),
      await other.api({ method: 'POST', url: `/api/contacts/${id}/notes`, payload: { text: 'hi' } }),
      await other.api({ method: 'DELETE', url: `/api/contacts/${id}/notes/${note.id}` }),
    ];
    expect(foreign.map((r) => r.statusCode)).toEqual([404, 404, 404]);
    // A note is deleted only through a contact that lists it.
    const elsewhere = await contact('note.elsewhere@example.com');
    const wrong = await t.api({ method: 'DELETE', url: `/api/contacts/${elsewhere}/notes/${note.id}` });
    expect(wrong.statusCode).toBe(404);
    expect((await notesOf(id)).map((n) => n.id)).toContain(note.id);
    const badCursor = await t.api({ method: 'GET', url: `/api/contacts/${id}/notes?cursor=nope` });
    expect(badCursor.statusCode).toBe(400);
  });
});

describe('tags and notes across a merge and its undo', () => {
  it('shows both sides’ under the survivor, edits the view, and gives each side its own back', async () => {
    const ann = await contact('merge.ann@example.com', 'Ann');
    const ann2 = await contact('merge.ann2@example.com');
    await patch(ann, { tags: ['customer', 'premium'] });
    await patch(ann2, { tags: ['prospect', 'premium', 'newsletter'] });
    const annNote = (await addNote(ann, 'Ann’s note')).json();
    const ann2Note = (await addNote(ann2, 'Ann2’s note')).json();

    const merged = await t.api({ method: 'POST', url: `/api/contacts/${ann}/merge`, payload: { contactId: ann2 } });
    expect(merged.statusCode, merged.body).toBe(200);
    const mergeId = merged.json().merge.id;
    expect(merged.json().contact.tags).toEqual(['customer', 'premium', 'prospect', 'newsletter']);
    expect(ids(await byTag('prospect'))).toEqual([ann]);
    expect((await notesOf(ann)).map((n) => n.id)).toEqual([ann2Note.id, annNote.id]);
    expect((await notesOf(ann2)).map((n) => n.id)).toEqual([ann2Note.id]);
    // A note written on the merged row stays on it; one written on the survivor stays there.
    const onMember = (await addNote(ann2, 'written while merged')).json();
    expect(onMember.contactId).toBe(ann2);
    const onRoot = (await addNote(ann, 'written on the survivor')).json();
    expect((await notesOf(ann)).map((n) => n.id)).toEqual([onRoot.id, onMember.id, ann2Note.id, annNote.id]);
    // Editing the view: a new tag goes on the survivor, a dropped one comes off the row holding it.
    const edited = await patch(ann, { tags: ['customer', 'premium', 'prospect', 'fresh'] });
    expect(edited.json().tags).toEqual(['customer', 'premium', 'fresh', 'prospect']);
    expect(ids(await byTag('newsletter'))).toEqual([]);

    const undo = await t.api({ method: 'POST', url: `/api/contact-merges/${mergeId}/undo` });
    expect(undo.statusCode, undo.body).toBe(200);
    expect((await get(ann)).tags).toEqual(['customer', 'premium', 'fresh']);
    expect((await get(ann2)).tags).toEqual(['prospect', 'premium']);
    expect(ids(await byTag('prospect'))).toEqual([ann2]);
    expect(ids(await byTag('premium'))).toEqual([ann2, ann]);
    expect((await notesOf(ann)).map((n) => n.id)).toEqual([onRoot.id, annNote.id]);
    expect((await notesOf(ann2)).map((n) => n.id)).toEqual([onMember.id, ann2Note.id]);
    const timeline = (await t.api({ method: 'GET', url: `/api/contacts/${ann2}/timeline` })).json().items;
    expect(timeline.filter((e: { type: string }) => e.type === 'note.added').length).toBe(2);
  });
});

describe('OpenAPI', () => {
  it('documents the notes routes and the tag filter', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths['/api/contacts/{id}/notes'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/api/contacts/{id}/notes'].post.responses)).toEqual(
      expect.arrayContaining(['201', '400', '404']),
    );
    expect(Object.keys(doc.paths['/api/contacts/{id}/notes/{noteId}'].delete.responses)).toEqual(
      expect.arrayContaining(['204', '404']),
    );
    expect(doc.paths['/api/contacts'].get.parameters.map((p: { name: string }) => p.name)).toContain('tag');
  });
});
