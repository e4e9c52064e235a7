// GET /api/contacts/:id/merge-preview over the real store: both sides and the result field by field (name,
// identities, attributes, tags, notes, messages, CRM records), the result equal to what the merge then makes, the
// direction, the merge's refusals, and no table of the workspace changed by any of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactMergeStore } from '../prisma/contact-merges.js';
import { createCrmSyncStore } from '../prisma/crm-sync.js';
import { newId } from '../prisma/ids.js';
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

const upsert = async (
  identities: { kind: string; value: string }[],
  opts: { name?: string; attributes?: Record<string, string>; tags?: string[] } = {},
  workspaceId = t.workspaceId,
) => {
  const { contact } = await testContacts(t.prisma).upsert(workspaceId, { identities, ...opts });
  if (opts.tags)
    expect(
      (await t.api({ method: 'PATCH', url: `/api/contacts/${contact.id}`, payload: { tags: opts.tags } })).statusCode,
    ).toBe(200);
  return contact.id;
};

/** Every row of every table with a workspace_id in both workspaces: what a preview must leave alone. */
async function tables() {
  const names = await t.prisma.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.columns
    WHERE column_name = 'workspace_id' AND table_schema = current_schema() ORDER BY table_name`;
  const out: Record<string, unknown> = {};
  for (const { table_name } of names)
    out[table_name] = await t.prisma.$queryRawUnsafe(
      `SELECT * FROM "${table_name}" WHERE workspace_id = ANY($1::text[]) ORDER BY 1`,
      [t.workspaceId, other],
    );
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

const preview = (id: string, contactId: string) =>
  t.api({ method: 'GET', url: `/api/contacts/${id}/merge-preview?contactId=${encodeURIComponent(contactId)}` });

async function account(connector: string, name: string) {
  const id = newId('cha');
  await t.prisma.channelAccount.create({
    data: { id, workspaceId: t.workspaceId, connector, name, credentials: Buffer.from('x') },
  });
  await createCrmSyncStore(t.prisma).ensure(id, t.workspaceId);
  return id;
}

const link = (accountId: string, contactId: string, recordId: string) =>
  createCrmSyncStore(t.prisma).saveRecord(t.workspaceId, {
    accountId,
    contactId,
    recordId,
    identity: { kind: 'hubspot', value: `p1:${recordId}` },
    seen: {},
    seenUpdatedAt: new Date().toISOString(),
  });

async function messages(contactId: string, n: number) {
  const conversationId = newId('cnv');
  await t.prisma.conversation.create({ data: { id: conversationId, workspaceId: t.workspaceId, contactId } });
  for (let i = 0; i < n; i++)
    await t.prisma.message.create({
      data: {
        id: newId('msg'),
        workspaceId: t.workspaceId,
        conversationId,
        contactId,
        direction: 'in',
        channel: 'telegram',
        accountId: 'cha_gone',
        status: 'received',
        address: { kind: 'telegram', value: '42' },
        text: `hi ${i}`,
        sentAt: new Date(),
      },
    });
}

const note = async (id: string, text: string) =>
  expect((await t.api({ method: 'POST', url: `/api/contacts/${id}/notes`, payload: { text } })).statusCode).toBe(201);

type Row = { identity: { value: string }; from: string; conflict: boolean };

describe('GET /api/contacts/:id/merge-preview', () => {
  it('shows both sides and the result the merge then makes, writing nothing', async () => {
    const hubspot = await account('hubspot', 'HubSpot');
    const pipedrive = await account('pipedrive', 'Pipedrive');
    const ann = await upsert(
      [
        { kind: 'email', value: 'ann@example.com' },
        { kind: 'phone', value: '+14155550100' },
      ],
      { name: 'Ann Lee', attributes: { city: 'Paris', plan: 'pro' }, tags: ['vip'] },
    );
    const annie = await upsert([{ kind: 'telegram', value: '4242' }], {
      name: 'Annie',
      attributes: { city: 'Lyon', lang: 'fr' },
      tags: ['vip', 'lead'],
    });
    const shared = await t.api({
      method: 'POST',
      url: `/api/contacts/${annie}/identities`,
      payload: { kind: 'phone', value: '+1 415 555 0100', shared: true },
    });
    expect(shared.statusCode, shared.body).toBe(201);
    await note(ann, 'first');
    await note(ann, 'second');
    await note(annie, 'third');
    await messages(ann, 1);
    await messages(annie, 2);
    await link(hubspot, ann, '101');
    await link(hubspot, annie, '202');
    const before = await tables();

    const res = await preview(ann, annie);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ survivorId: ann, mergedId: annie });
    expect(p.survivor).toMatchObject({ rows: [ann], notes: 2, messages: 1, conversations: 1 });
    expect(p.merged).toMatchObject({ rows: [annie], notes: 1, messages: 2, conversations: 1 });
    expect(p.survivor.contact).toEqual((await t.api({ method: 'GET', url: `/api/contacts/${ann}` })).json());
    expect(p.merged.contact).toEqual((await t.api({ method: 'GET', url: `/api/contacts/${annie}` })).json());
    expect(p.survivor.crm).toEqual([
      { accountId: hubspot, connector: 'hubspot', accountName: 'HubSpot', contactId: ann, recordId: '101' },
    ]);

    const r = p.result;
    expect(r.name).toEqual({ value: 'Ann Lee', from: 'survivor', setAside: [{ from: 'merged', value: 'Annie' }] });
    expect(r.attributes).toEqual(
      expect.arrayContaining([
        { key: 'city', value: 'Paris', from: 'survivor', setAside: [{ from: 'merged', value: 'Lyon' }] },
        { key: 'plan', value: 'pro', from: 'survivor', setAside: [] },
        { key: 'lang', value: 'fr', from: 'merged', setAside: [] },
      ]),
    );
    expect(r.attributes).toHaveLength(3);
    expect(r.tags).toEqual([
      { tag: 'vip', from: 'both' },
      { tag: 'lead', from: 'merged' },
    ]);
    const ids = Object.fromEntries(
      (r.identities as Row[]).map((i) => [i.identity.value, { from: i.from, conflict: i.conflict }]),
    );
    expect(ids).toEqual({
      'ann@example.com': { from: 'survivor', conflict: false },
      '+14155550100': { from: 'both', conflict: false },
      '4242': { from: 'merged', conflict: false },
      'p1:101': { from: 'survivor', conflict: true },
      'p1:202': { from: 'merged', conflict: true },
    });
    expect(r).toMatchObject({ notes: 3, messages: 3, conversations: 1 });
    const ref = (contactId: string, recordId: string) => ({
      accountId: hubspot,
      connector: 'hubspot',
      accountName: 'HubSpot',
      contactId,
      recordId,
    });
    const accounts = [
      { accountId: hubspot, connector: 'hubspot', accountName: 'HubSpot' },
      { accountId: pipedrive, connector: 'pipedrive', accountName: 'Pipedrive' },
    ];
    expect(r.crm).toEqual(
      [
        { ...accounts[0], action: 'merge', keep: [ref(ann, '101')], mergeAway: [ref(annie, '202')] },
        { ...accounts[1], action: 'sync', keep: [], mergeAway: [] },
      ].sort((a, b) => (a.accountId! < b.accountId! ? -1 : 1)),
    );
    expect(r.contact.members).toEqual([{ id: annie, name: 'Annie', mergeId: null, mergedAt: null }]);

    // The other way round: Annie survives.
    const back = (await preview(annie, ann)).json();
    expect(back).toMatchObject({ survivorId: annie, mergedId: ann });
    expect(back.result.name).toEqual({
      value: 'Annie',
      from: 'survivor',
      setAside: [{ from: 'merged', value: 'Ann Lee' }],
    });
    expect(back.result.attributes).toContainEqual({
      key: 'city',
      value: 'Lyon',
      from: 'survivor',
      setAside: [{ from: 'merged', value: 'Paris' }],
    });

    expect(await tables()).toEqual(before);

    // The merge makes what the preview showed.
    const merged = await t.api({ method: 'POST', url: `/api/contacts/${ann}/merge`, payload: { contactId: annie } });
    expect(merged.statusCode, merged.body).toBe(200);
    const { contact, merge } = merged.json();
    expect(contact).toEqual({
      ...r.contact,
      members: [{ id: annie, name: 'Annie', mergeId: merge.id, mergedAt: merge.createdAt }],
    });
    const undo = await t.api({ method: 'POST', url: `/api/contact-merges/${merge.id}/undo` });
    expect(undo.statusCode, undo.body).toBe(200);
  });

  it('follows a merged row to its contact, and the merge rules of a merged root becoming a member', async () => {
    const old = await upsert([{ kind: 'email', value: 'cy.old@example.com' }], { attributes: { tier: 'gold' } });
    const cy = await upsert([{ kind: 'email', value: 'cy@example.com' }], {
      name: 'Cy',
      attributes: { tier: 'silver' },
    });
    const cy2 = await upsert([{ kind: 'email', value: 'cy2@example.com' }], { attributes: { lang: 'de' } });
    // Cy's side: the older row `old` is a member under Cy, whose own tier wins.
    expect(
      (await t.api({ method: 'POST', url: `/api/contacts/${cy}/merge`, payload: { contactId: old } })).statusCode,
    ).toBe(200);
    const before = await tables();
    // `old` stands for Cy; and Cy merged into cy2 is a member there: cy2 has no tier, so the members' (oldest first,
    // Cy last) decide: Cy's silver.
    const res = await preview(cy2, old);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ survivorId: cy2, mergedId: cy });
    expect(p.merged.rows).toEqual([cy, old]);
    expect(p.result.contact.members.map((m: { id: string }) => m.id)).toEqual([old, cy]);
    expect(p.result.attributes).toContainEqual({ key: 'tier', value: 'silver', from: 'merged', setAside: [] });
    expect(p.result.name).toEqual({ value: 'Cy', from: 'merged', setAside: [] });
    const viaRoot = (await preview(cy, old)).json();
    expect(viaRoot.error.code).toBe('already_merged');
    expect(await tables()).toEqual(before);
  });

  it('shows update_each where the CRM cannot merge records', async () => {
    const hub = await account('hubspot', 'Hub two');
    const dee = await upsert([{ kind: 'email', value: 'dee@example.com' }]);
    const dee2 = await upsert([{ kind: 'email', value: 'dee2@example.com' }]);
    await link(hub, dee, '301');
    await link(hub, dee2, '302');
    const store = createContactMergeStore(t.prisma);
    const cannot = await store.preview(t.workspaceId, dee, dee2, () => false);
    expect(cannot.result.crm.find((c) => c.accountId === hub)).toMatchObject({
      action: 'update_each',
      keep: [
        { contactId: dee, recordId: '301' },
        { contactId: dee2, recordId: '302' },
      ],
      mergeAway: [],
    });
    const can = await store.preview(t.workspaceId, dee, dee2, () => true);
    expect(can.result.crm.find((c) => c.accountId === hub)).toMatchObject({
      action: 'merge',
      keep: [{ recordId: '301' }],
      mergeAway: [{ recordId: '302' }],
    });
  });

  it('refuses what the merge refuses, with the same codes, changing nothing', async () => {
    const bo = await upsert([{ kind: 'email', value: 'bo@example.com' }], { name: 'Bo' });
    const bo2 = await upsert([{ kind: 'email', value: 'bo2@example.com' }]);
    const foreign = await upsert([{ kind: 'email', value: 'bo3@example.com' }], { name: 'Bo elsewhere' }, other);
    expect(
      (await t.api({ method: 'POST', url: `/api/contacts/${bo}/merge`, payload: { contactId: bo2 } })).statusCode,
    ).toBe(200);
    const before = await tables();
    const cases: [string, string | null, number, string, string?][] = [
      [bo, bo, 400, 'merge_self', '/query/contactId'],
      [bo, foreign, 404, 'not_found'],
      [foreign, bo, 404, 'not_found'],
      [bo, 'ct_00000000000000000000000000000000', 404, 'not_found'],
      [bo, 'not-an-id', 404, 'not_found'],
      [bo, bo2, 409, 'already_merged'],
      [bo2, bo, 409, 'already_merged'],
      [bo, null, 400, 'validation_failed', '/query/contactId'],
      [bo, '', 400, 'validation_failed', '/query/contactId'],
      [bo, 'x'.repeat(101), 400, 'validation_failed', '/query/contactId'],
    ];
    for (const [id, contactId, status, code, path] of cases) {
      const res =
        contactId === null
          ? await t.api({ method: 'GET', url: `/api/contacts/${id}/merge-preview` })
          : await preview(id, contactId);
      const label = `${contactId} into ${id}`;
      expect(res.statusCode, label).toBe(status);
      expect(res.json().error.code, label).toBe(code);
      if (path) expect(res.json().error.issues?.[0]?.path, label).toBe(path);
    }
    // The merge answers the same pair with the same codes.
    for (const [id, contactId, status, code] of cases.slice(0, 7))
      expect(
        (await t.api({ method: 'POST', url: `/api/contacts/${id}/merge`, payload: { contactId } })).json().error.code,
        `merge ${status}`,
      ).toBe(code);
    expect(await tables()).toEqual(before);
  });
});
