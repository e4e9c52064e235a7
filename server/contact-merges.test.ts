// The contact merge routes over the real store: merge, the merged view, undo, the list, and every refusal leaving the
// database as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactMergeStore } from '../prisma/contact-merges.js';
import { createWorkspace } from '../test/env.js';
import { testContacts } from '../test/contacts.js';
import { startTestApp, type TestApp } from './test-app.js';

let t: TestApp;
let other: string;
beforeAll(async () => {
  t = await startTestApp();
  other = await createWorkspace(t.prisma);
});
afterAll(async () => t?.close());

const contact = async (email: string, name?: string, workspaceId = t.workspaceId) =>
  (
    await testContacts(t.prisma).upsert(workspaceId, {
      identities: [{ kind: 'email', value: email }],
      ...(name && { name }),
      attributes: { from: email },
    })
  ).contact.id;

/** Every contact row's root and every merge of both workspaces: what a refusal must leave alone. */
const state = async () => ({
  contacts: await t.prisma.contact.findMany({
    where: { workspaceId: { in: [t.workspaceId, other] } },
    select: { id: true, mergedIntoId: true, mergedAt: true, updatedAt: true },
    orderBy: { id: 'asc' },
  }),
  merges: await t.prisma.contactMerge.findMany({
    where: { workspaceId: { in: [t.workspaceId, other] } },
    orderBy: { id: 'asc' },
  }),
});

const merge = (id: string, payload: unknown) =>
  t.api({ method: 'POST', url: `/api/contacts/${id}/merge`, payload: payload as object });

describe('POST /api/contacts/:id/merge and POST /api/contact-merges/:mergeId/undo', () => {
  it('merges, shows one contact, lists the merge, and undoes it', async () => {
    const ann = await contact('ann@example.com', 'Ann');
    const ann2 = await contact('ann.work@example.com');
    const res = await merge(ann, { contactId: ann2 });
    expect(res.statusCode, res.body).toBe(200);
    const { merge: m, contact: merged } = res.json();
    expect(m).toMatchObject({ survivorId: ann, mergedId: ann2, members: [ann2], by: { type: 'api' }, undoneAt: null });
    expect(merged).toMatchObject({
      id: ann,
      name: 'Ann',
      attributes: { from: 'ann@example.com' },
      members: [{ id: ann2, name: null, mergeId: m.id, mergedAt: m.createdAt }],
    });
    expect(merged.identities.map((i: { value: string }) => i.value).sort()).toEqual([
      'ann.work@example.com',
      'ann@example.com',
    ]);

    expect((await t.api({ method: 'GET', url: `/api/contacts/${ann}` })).json()).toEqual(merged);
    const row = (await t.api({ method: 'GET', url: `/api/contacts/${ann2}` })).json();
    expect(row).toMatchObject({ id: ann2, mergedInto: ann });
    expect(row.identities.map((i: { value: string }) => i.value)).toEqual(['ann.work@example.com']);
    const found = await t.api({ method: 'GET', url: '/api/contacts?identity=email:ann.work@example.com' });
    expect(found.json().items.map((c: { id: string }) => c.id)).toEqual([ann]);
    const list = (await t.api({ method: 'GET', url: '/api/contacts?limit=100' })).json();
    expect(list.items.map((c: { id: string }) => c.id)).toContain(ann);
    expect(list.items.map((c: { id: string }) => c.id)).not.toContain(ann2);
    for (const id of [ann, ann2]) {
      const merges = await t.api({ method: 'GET', url: `/api/contacts/${id}/merges` });
      expect(merges.statusCode).toBe(200);
      expect(merges.json().items.map((x: { id: string }) => x.id)).toEqual([m.id]);
    }

    const undo = await t.api({ method: 'POST', url: `/api/contact-merges/${m.id}/undo` });
    expect(undo.statusCode, undo.body).toBe(200);
    const { contacts, merge: undone } = undo.json();
    expect(undone.undoneAt).toEqual(expect.any(String));
    expect(contacts.map((c: { id: string }) => c.id)).toEqual([ann, ann2]);
    expect(contacts[0].members).toBeUndefined();
    expect(contacts[1]).toMatchObject({ attributes: { from: 'ann.work@example.com' } });
    expect(contacts[1].mergedInto).toBeUndefined();
    const back = await t.api({ method: 'GET', url: '/api/contacts?identity=email:ann.work@example.com' });
    expect(back.json().items.map((c: { id: string }) => c.id)).toEqual([ann2]);
    expect((await t.api({ method: 'GET', url: `/api/contacts/${ann}/merges` })).json().items).toEqual([undone]);
  });

  it('refuses bad merges with a clear code, changing nothing', async () => {
    const bo = await contact('bo@example.com', 'Bo');
    const bo2 = await contact('bo2@example.com');
    const foreign = await contact('bo3@example.com', 'Bo elsewhere', other);
    const joined = await merge(bo, { contactId: bo2 });
    expect(joined.statusCode).toBe(200);
    const before = await state();
    const cases: [string, unknown, number, string, string?][] = [
      [bo, { contactId: bo }, 400, 'merge_self', '/body/contactId'],
      [bo, { contactId: foreign }, 404, 'not_found'],
      [foreign, { contactId: bo }, 404, 'not_found'],
      [bo, { contactId: 'ct_00000000000000000000000000000000' }, 404, 'not_found'],
      [bo, { contactId: 'not-an-id' }, 404, 'not_found'],
      [bo, { contactId: bo2 }, 409, 'already_merged'],
      [bo2, { contactId: bo }, 409, 'already_merged'],
      [bo, {}, 400, 'validation_failed', '/body/contactId'],
      [bo, { contactId: '' }, 400, 'validation_failed', '/body/contactId'],
      [bo, { contactId: ['a', 'b'] }, 400, 'validation_failed', '/body/contactId'],
      [bo, { contactId: 'x'.repeat(101) }, 400, 'validation_failed', '/body/contactId'],
    ];
    for (const [id, body, status, code, path] of cases) {
      const res = await merge(id, body);
      const label = `${JSON.stringify(body)} into ${id}`;
      expect(res.statusCode, label).toBe(status);
      expect(res.json().error.code, label).toBe(code);
      if (path) expect(res.json().error.issues?.[0]?.path, label).toBe(path);
    }
    expect(await state()).toEqual(before);
  });

  it('refuses an undo of a merge never made, of another workspace, or already undone, changing nothing', async () => {
    const cy = await contact('cy@example.com');
    const cy2 = await contact('cy2@example.com');
    const { merge: m } = (await merge(cy, { contactId: cy2 })).json();
    const undo = (id: string) => t.api({ method: 'POST', url: `/api/contact-merges/${id}/undo` });
    let before = await state();
    for (const id of ['mrg_00000000000000000000000000000000', 'nope']) {
      const res = await undo(id);
      expect(res.statusCode, id).toBe(404);
      expect(res.json().error.code, id).toBe('not_found');
    }
    expect(await state()).toEqual(before);
    // Another workspace's merge is not found.
    const mine = await contact('cy3@example.com', undefined, other);
    const theirs = await contact('cy4@example.com', undefined, other);
    const foreign = await createContactMergeStore(t.prisma).merge(other, mine, theirs, { type: 'api' });
    before = await state();
    expect((await undo(foreign.merge.id)).json().error.code).toBe('not_found');
    expect(await state()).toEqual(before);

    expect((await undo(m.id)).statusCode).toBe(200);
    before = await state();
    const again = await undo(m.id);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_merged');
    expect(await state()).toEqual(before);
  });

  it('answers 404 for the merges of a contact not in the workspace', async () => {
    const foreign = await contact('dee@example.com', undefined, other);
    for (const id of [foreign, 'ct_nope']) {
      const res = await t.api({ method: 'GET', url: `/api/contacts/${id}/merges` });
      expect(res.statusCode, id).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/contacts/{id}/merge',
        '/api/contact-merges/{mergeId}/undo',
        '/api/contacts/{id}/merges',
      ]),
    );
    expect(Object.keys(doc.paths['/api/contacts/{id}/merge'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '404', '409']),
    );
  });
});
