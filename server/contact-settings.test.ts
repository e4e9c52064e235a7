// The workspace's contact settings over the real app and PostgreSQL: attribute definitions (CRUD, bad input, roles),
// typed writes (refused for people and the API, left out and reported for machines), the attribute search, and the two
// merge settings changing what an upsert does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContacts } from '../test/contacts.js';
import { createWorkspace } from '../test/env.js';
import { keyWithRole, startTestApp, type TestApp } from './test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const upsert = (
  identities: { kind: string; value: string; verified?: boolean }[],
  more: { name?: string; attributes?: Record<string, unknown> } = {},
  workspaceId = t.workspaceId,
) => testContacts(t.prisma).upsert(workspaceId, { identities, ...(more as object) });
const older = (id: string, ms = 60_000) =>
  t.prisma.contact.update({ where: { id }, data: { createdAt: new Date(Date.now() - ms) } });
const issue = (res: { json(): any }) => res.json().error.issues[0];

/** An app and key of a workspace of its own (the merge settings are per workspace). */
async function ownWorkspace(role = 'owner') {
  const workspaceId = await createWorkspace(t.prisma);
  const key = await keyWithRole(t, role, workspaceId);
  const call = (method: Method, url: string, payload?: object) =>
    t.app.inject({ method, url, ...(payload && { payload }), headers: { authorization: `Bearer ${key}` } });
  return { workspaceId, call };
}

describe('attribute definitions', () => {
  it('creates, lists, changes and deletes definitions; refuses bad input naming the field', async () => {
    const { call } = await ownWorkspace();
    const plan = await call('POST', '/api/contact-attributes', {
      key: 'plan',
      label: 'Plan',
      type: 'select',
      options: ['free', 'pro'],
    });
    expect(plan.statusCode, plan.body).toBe(201);
    expect(plan.json()).toMatchObject({ key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] });
    expect(
      (await call('POST', '/api/contact-attributes', { key: 'seats', label: 'Seats', type: 'number' })).json(),
    ).toMatchObject({ key: 'seats', type: 'number' });
    expect(
      (await call('POST', '/api/contact-attributes', { key: 'seats', label: 'Again', type: 'text' })).json(),
    ).toMatchObject({ error: { code: 'attribute_exists', issues: [{ path: '/body/key' }] } });

    for (const [body, path] of [
      [{ key: 'a.b', label: 'Dotted', type: 'text' }, '/body/key'],
      [{ key: 'has space', label: 'Spaced', type: 'text' }, '/body/key'],
      [{ key: 'tier', label: 'Tier', type: 'select' }, '/body/options'],
      [{ key: 'tier', label: 'Tier', type: 'select', options: ['a', ' a '] }, '/body/options/1'],
      [{ key: 'note', label: 'Note', type: 'text', options: ['x'] }, '/body/options'],
      [{ key: 'when', label: 'When', type: 'datetime' }, '/body/type'],
      [{ key: 'blank', label: '   ', type: 'text' }, '/body/label'],
    ] as const) {
      const res = await call('POST', '/api/contact-attributes', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(issue(res).path, JSON.stringify(body)).toBe(path);
    }

    const changed = await call('PATCH', '/api/contact-attributes/plan', {
      label: 'Pricing plan',
      options: ['pro', 'team'],
    });
    expect(changed.json()).toMatchObject({ label: 'Pricing plan', options: ['pro', 'team'], type: 'select' });
    expect(issue(await call('PATCH', '/api/contact-attributes/seats', { options: ['1'] })).path).toBe('/body/options');
    expect((await call('PATCH', '/api/contact-attributes/seats', { type: 'text' })).statusCode).toBe(400);
    expect((await call('PATCH', '/api/contact-attributes/nope', { label: 'x' })).statusCode).toBe(404);
    expect((await call('GET', '/api/contact-attributes')).json().items.map((d: any) => d.key)).toEqual([
      'plan',
      'seats',
    ]);
    expect((await call('DELETE', '/api/contact-attributes/seats')).statusCode).toBe(204);
    expect((await call('DELETE', '/api/contact-attributes/seats')).statusCode).toBe(404);
    expect((await call('GET', '/api/contact-attributes')).json().items.map((d: any) => d.key)).toEqual(['plan']);
  });

  it('bounds the definitions per workspace and needs an admin key to write them', async () => {
    const { workspaceId, call } = await ownWorkspace();
    await t.prisma.contactAttribute.createMany({
      data: Array.from({ length: 100 }, (_, i) => ({ workspaceId, key: `k${i}`, label: `K ${i}`, type: 'text' })),
    });
    const over = await call('POST', '/api/contact-attributes', { key: 'one_more', label: 'One more', type: 'text' });
    expect(over.statusCode).toBe(400);
    expect(issue(over)).toMatchObject({ path: '/body/key', code: 'too_many' });

    const agent = await ownWorkspace('agent');
    expect((await agent.call('GET', '/api/contact-attributes')).statusCode).toBe(200);
    const refused = await agent.call('POST', '/api/contact-attributes', { key: 'x', label: 'X', type: 'text' });
    expect(refused.statusCode).toBe(403);
    expect((await agent.call('PATCH', '/api/contact-settings', { autoMergeScore: 50 })).statusCode).toBe(403);
    expect(await t.prisma.contactAttribute.count({ where: { workspaceId: agent.workspaceId } })).toBe(0);
  });
});

describe('typed attribute writes', () => {
  it('refuses a person’s or the API’s value that does not fit, naming attributes.<key>; undefined keys stay free', async () => {
    const { workspaceId, call } = await ownWorkspace();
    for (const def of [
      { key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] },
      { key: 'seats', label: 'Seats', type: 'number' },
      { key: 'renews', label: 'Renews', type: 'date' },
      { key: 'company', label: 'Company', type: 'text' },
    ])
      expect((await call('POST', '/api/contact-attributes', def)).statusCode).toBe(201);
    const { contact } = await upsert([{ kind: 'email', value: 'typed@example.com' }], {}, workspaceId);
    for (const [attributes, key] of [
      [{ plan: 'gold' }, 'plan'],
      [{ plan: 'PRO' }, 'plan'],
      [{ seats: '5' }, 'seats'],
      [{ renews: '2026-02-30' }, 'renews'],
      [{ renews: '2026-03-01T00:00:00Z' }, 'renews'],
      [{ company: 42 }, 'company'],
      [{ seats: 3, plan: 'nope' }, 'plan'],
    ] as const) {
      const res = await call('PATCH', `/api/contacts/${contact.id}`, { attributes });
      expect(res.statusCode, JSON.stringify(attributes)).toBe(400);
      expect(res.json().error.message).toContain(`attributes.${key}`);
      expect(issue(res).path).toBe(`/body/attributes/${key}`);
    }
    // Nothing of a refused write was kept.
    expect((await call('GET', `/api/contacts/${contact.id}`)).json().attributes).toEqual({});

    const ok = await call('PATCH', `/api/contacts/${contact.id}`, {
      attributes: { plan: 'pro', seats: 12, renews: '2026-03-01', company: 'Acme', free_form: 7 },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().attributes).toEqual({
      plan: 'pro',
      seats: 12,
      renews: '2026-03-01',
      company: 'Acme',
      free_form: 7,
    });
    // A null removes a defined one too; deleting a definition keeps every value, free from then on.
    expect(
      (await call('PATCH', `/api/contacts/${contact.id}`, { attributes: { seats: null } })).json().attributes,
    ).not.toHaveProperty('seats');
    expect((await call('DELETE', '/api/contact-attributes/plan')).statusCode).toBe(204);
    const after = await call('PATCH', `/api/contacts/${contact.id}`, { attributes: { company: 'Acme Inc' } });
    expect(after.json().attributes).toMatchObject({ plan: 'pro', company: 'Acme Inc' });
    expect((await call('PATCH', `/api/contacts/${contact.id}`, { attributes: { plan: 'gold' } })).statusCode).toBe(200);
  });

  it('writes what a machine sends leniently and leaves out (reporting) what still does not fit', async () => {
    const { workspaceId, call } = await ownWorkspace();
    await call('POST', '/api/contact-attributes', {
      key: 'plan',
      label: 'Plan',
      type: 'select',
      options: ['free', 'pro'],
    });
    await call('POST', '/api/contact-attributes', { key: 'seats', label: 'Seats', type: 'number' });
    await call('POST', '/api/contact-attributes', { key: 'renews', label: 'Renews', type: 'date' });
    const first = await upsert(
      [{ kind: 'email', value: 'machine@example.com' }],
      { attributes: { plan: 'PRO', seats: '12', renews: '2026-03-01T00:00:00.000Z', source: 'shop' } },
      workspaceId,
    );
    expect(first.contact.attributes).toEqual({ plan: 'pro', seats: 12, renews: '2026-03-01', source: 'shop' });
    expect(first.rejectedAttributes).toBeUndefined();
    const second = await upsert(
      [{ kind: 'email', value: 'machine@example.com' }],
      { name: 'Mach Ine', attributes: { plan: 'gold', seats: 'many', source: 'crm' } },
      workspaceId,
    );
    expect(second.contact).toMatchObject({ name: 'Mach Ine', attributes: { plan: 'pro', seats: 12, source: 'crm' } });
    expect(second.rejectedAttributes).toEqual([
      { key: 'plan', value: 'gold', problem: 'must be one of "free", "pro"' },
      { key: 'seats', value: 'many', problem: 'must be a number' },
    ]);
    // A new contact is created all the same, without the values that do not fit.
    const created = await upsert(
      [{ kind: 'email', value: 'new.machine@example.com' }],
      { attributes: { seats: [1] } },
      workspaceId,
    );
    expect(created).toMatchObject({
      created: true,
      contact: { attributes: {} },
      rejectedAttributes: [{ key: 'seats' }],
    });
  });
});

describe('attribute search', () => {
  it('finds contacts by attribute, exactly for typed ones and by substring for text, with q and tag', async () => {
    const { workspaceId, call } = await ownWorkspace();
    await call('POST', '/api/contact-attributes', {
      key: 'plan',
      label: 'Plan',
      type: 'select',
      options: ['free', 'pro'],
    });
    await call('POST', '/api/contact-attributes', { key: 'seats', label: 'Seats', type: 'number' });
    await call('POST', '/api/contact-attributes', { key: 'renews', label: 'Renews', type: 'date' });
    await call('POST', '/api/contact-attributes', { key: 'company', label: 'Company', type: 'text' });
    const make = async (local: string, name: string, attributes: Record<string, unknown>, tags: string[] = []) => {
      const { contact } = await upsert(
        [{ kind: 'email', value: `${local}@example.com` }],
        { name, attributes },
        workspaceId,
      );
      if (tags.length > 0) await call('PATCH', `/api/contacts/${contact.id}`, { tags });
      return contact.id;
    };
    const ada = await make(
      'ada',
      'Ada Lovelace',
      { plan: 'pro', seats: 5, renews: '2026-01-31', company: 'Analytical Engines' },
      ['vip'],
    );
    const bob = await make('bob', 'Bob Byte', { plan: 'pro', seats: 50, company: 'ACME corp' });
    const cy = await make('cy', 'Cy Free', { plan: 'free', seats: 5, company: 'acme', city: 'Lisbon' }, ['vip']);
    const ids = async (query: string) => {
      const res = await call('GET', `/api/contacts?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res
        .json()
        .items.map((c: any) => c.id)
        .sort();
    };
    expect(await ids('attr.plan=pro')).toEqual([ada, bob].sort());
    expect(await ids('attr.plan=PRO')).toEqual([ada, bob].sort());
    expect(await ids('attr.seats=5')).toEqual([ada, cy].sort());
    expect(await ids('attr.seats=5&attr.plan=free')).toEqual([cy]);
    expect(await ids('attr.renews=2026-01-31')).toEqual([ada]);
    expect(await ids('attr.company=acme')).toEqual([bob, cy].sort());
    expect(await ids('attr.company=ac')).toEqual([bob, cy].sort());
    expect(await ids('attr.city=lisb')).toEqual([cy]);
    expect(await ids('attr.plan=pro&tag=vip')).toEqual([ada]);
    expect(await ids('attr.seats=5&q=lovelace')).toEqual([ada]);
    expect(await ids('attr.plan=free&q=cy@example.com')).toEqual([cy]);
    expect(await ids('attr.plan=pro&q=cy@example.com')).toEqual([]);
    expect(await ids('attr.company=%25')).toEqual([]);

    for (const [query, param] of [
      ['attr.seats=many', 'attr.seats'],
      ['attr.renews=31/01/2026', 'attr.renews'],
      ['attr.plan=gold', 'attr.plan'],
    ]) {
      const res = await call('GET', `/api/contacts?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(issue(res).path).toBe(`/query/${param}`);
    }
  });

  it("finds a contact by a merged member's value unless its own says otherwise", async () => {
    const { workspaceId, call } = await ownWorkspace();
    await call('POST', '/api/contact-attributes', {
      key: 'plan',
      label: 'Plan',
      type: 'select',
      options: ['free', 'pro'],
    });
    const root = (await upsert([{ kind: 'email', value: 'root@example.com' }], { name: 'Rhea Root' }, workspaceId))
      .contact;
    await older(root.id);
    const member = (
      await upsert([{ kind: 'email', value: 'member@example.com' }], { attributes: { plan: 'pro' } }, workspaceId)
    ).contact;
    expect((await call('POST', `/api/contacts/${root.id}/merge`, { contactId: member.id })).statusCode).toBe(200);
    const ids = async (q: string) => (await call('GET', `/api/contacts?${q}`)).json().items.map((c: any) => c.id);
    expect(await ids('attr.plan=pro')).toEqual([root.id]);
    await call('PATCH', `/api/contacts/${root.id}`, { attributes: { plan: 'free' } });
    expect(await ids('attr.plan=pro')).toEqual([]);
    expect(await ids('attr.plan=free')).toEqual([root.id]);
  });
});

describe('merge settings', () => {
  it('defaults to today’s rules and refuses bad values', async () => {
    const { call } = await ownWorkspace();
    expect((await call('GET', '/api/contact-settings')).json()).toEqual({
      mergeOnSharedDelivery: true,
      autoMergeScore: null,
    });
    for (const body of [{}, { autoMergeScore: 0 }, { autoMergeScore: 101 }, { mergeOnSharedDelivery: 'no' }, { x: 1 }])
      expect((await call('PATCH', '/api/contact-settings', body)).statusCode, JSON.stringify(body)).toBe(400);
    expect((await call('PATCH', '/api/contact-settings', { autoMergeScore: 70 })).json()).toEqual({
      mergeOnSharedDelivery: true,
      autoMergeScore: 70,
    });
    expect((await call('PATCH', '/api/contact-settings', { autoMergeScore: null })).json().autoMergeScore).toBeNull();
  });

  it('mergeOnSharedDelivery off: a delivery linking two contacts makes a strong suggestion and a conflict, no merge', async () => {
    const { workspaceId, call } = await ownWorkspace();
    const tg = { kind: 'telegram', value: '9001', verified: true };
    const phone = { kind: 'phone', value: '+14155550901', verified: true };
    const scenario = async () => {
      const onTelegram = (await upsert([tg], { name: 'María García' }, workspaceId)).contact;
      await older(onTelegram.id);
      const bySms = (await upsert([phone], {}, workspaceId)).contact;
      return { onTelegram, bySms, both: await upsert([tg, phone], { name: 'Maria' }, workspaceId) };
    };
    expect((await call('PATCH', '/api/contact-settings', { mergeOnSharedDelivery: false })).statusCode).toBe(200);
    const off = await scenario();
    expect(off.both.merged).toBeUndefined();
    expect(off.both).toMatchObject({ contact: { id: off.onTelegram.id }, conflicts: [off.bySms.id] });
    expect(await t.prisma.contact.count({ where: { workspaceId, mergedIntoId: { not: null } } })).toBe(0);
    const [dup] = (await call('GET', '/api/duplicates')).json().items;
    expect(dup).toMatchObject({ status: 'open', reasons: [{ code: 'linked_identity' }] });
    expect(dup.score).toBeGreaterThanOrEqual(60);

    // On again (the default): the same kind of delivery merges them by the rule.
    await call('PATCH', '/api/contact-settings', { mergeOnSharedDelivery: true });
    const again = await upsert([tg, phone], { name: 'Maria' }, workspaceId);
    expect(again).toMatchObject({ contact: { id: off.onTelegram.id }, merged: [off.bySms.id] });
  });

  it('autoMergeScore: a suggestion at or above it is merged by rule at once, undoable, and not redone after an undo', async () => {
    const { workspaceId, call } = await ownWorkspace();
    const phone = { kind: 'phone', value: '+14155550902', verified: true };
    const ana = (
      await upsert([phone, { kind: 'email', value: 'ana.q@example.com' }], { name: 'Ana Quinn' }, workspaceId)
    ).contact;
    await older(ana.id);
    // A household's shared phone scores 40: below the setting, a suggestion only.
    await call('PATCH', '/api/contact-settings', { autoMergeScore: 41 });
    const luis = await upsert(
      [phone, { kind: 'email', value: 'luis.q@example.com' }],
      { name: 'Luis Quinn' },
      workspaceId,
    );
    expect(luis).toMatchObject({ created: true, sharedWith: [ana.id] });
    expect(luis.merged).toBeUndefined();
    const [dup] = (await call('GET', '/api/duplicates')).json().items;
    expect(dup.score).toBe(40);

    // At the setting: a new suggestion is merged by the rule at once, into the older contact.
    await call('PATCH', '/api/contact-settings', { autoMergeScore: 40 });
    const phone2 = { kind: 'phone', value: '+14155550903', verified: true };
    const bea = (
      await upsert([phone2, { kind: 'email', value: 'bea.q@example.com' }], { name: 'Bea Quinn' }, workspaceId)
    ).contact;
    await older(bea.id);
    const carl = await upsert(
      [phone2, { kind: 'email', value: 'carl.q@example.com' }],
      { name: 'Carl Quinn' },
      workspaceId,
    );
    expect(carl.created).toBe(true);
    expect(carl.contact.id).toBe(bea.id);
    expect(carl.merged).toHaveLength(1);
    expect(carl.sharedWith).toBeUndefined();
    const carlId = carl.merged![0]!;
    expect(carl.contact.members?.map((m) => m.id)).toEqual([carlId]);
    const [merged] = (await call('GET', '/api/duplicates?status=merged')).json().items;
    expect(merged.contacts.map((c: any) => c.id)).toEqual([bea.id, carlId]);
    const merges = (await call('GET', `/api/contacts/${bea.id}/merges`)).json().items;
    expect(merges).toMatchObject([
      { survivorId: bea.id, mergedId: carlId, by: { type: 'rule', ref: `auto-merge ${merged.id}` } },
    ]);
    // The household below the setting was left alone.
    expect((await call('GET', '/api/duplicates')).json().items.map((d: any) => d.id)).toEqual([dup.id]);

    // Undone like any merge: the suggestion reopens, and the rule leaves the pair a person separated alone when it
    // sees it again.
    expect((await call('POST', `/api/contact-merges/${merges[0].id}/undo`)).statusCode).toBe(200);
    const again = await upsert(
      [
        { kind: 'email', value: 'carl.q@example.com' },
        { kind: 'email', value: 'bea.q@example.com' },
      ],
      { name: 'Carl Quinn' },
      workspaceId,
    );
    expect(again).toMatchObject({ contact: { id: carlId }, sharedWith: [bea.id] });
    expect(again.merged).toBeUndefined();
    expect(
      (await call('GET', '/api/duplicates'))
        .json()
        .items.map((d: any) => d.id)
        .sort(),
    ).toEqual([dup.id, merged.id].sort());
  });
});
