import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createWorkspace, databaseUrl, testPrisma } from '../test/env.js';
import { kindValues as kv, testContacts as service } from '../test/contacts.js';
import { createContactMergeStore } from './contact-merges.js';
import { createCrmSyncStore } from './crm-sync.js';
import { compatibleNames, differentPeople, findContactByIdentity, getContact, updateContact } from './contacts.js';
import { newId } from './ids.js';
import type { PrismaClient } from './client.js';

let prisma: PrismaClient;
let ws: string;
const email = (local: string) => ({ kind: 'email', value: `${local}@example.com` });

beforeAll(async () => {
  prisma = testPrisma();
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

const count = async (workspaceId = ws) => ({
  contacts: await prisma.contact.count({ where: { workspaceId } }),
  identities: await prisma.identity.count({ where: { workspaceId } }),
});

describe('createContactsService', () => {
  it('creates a contact with its identities, name, attributes and provenance', async () => {
    const svc = service(prisma);
    const { contact, created } = await svc.upsert(ws, {
      identities: [email('ada'), { kind: 'phone', value: '+14155550123' }],
      name: 'Ada',
      attributes: { plan: 'pro' },
      source: { type: 'run', runId: 'r1', nodeId: 'save' },
    });
    expect(created).toBe(true);
    expect(contact.id).toMatch(/^ct_[0-9a-f]{32}$/);
    expect(contact).toMatchObject({ name: 'Ada', attributes: { plan: 'pro' } });
    expect(contact.identities).toHaveLength(2);
    expect(kv(contact)).toEqual(expect.arrayContaining([email('ada'), { kind: 'phone', value: '+14155550123' }]));
    expect(new Date(contact.createdAt).toISOString()).toBe(contact.createdAt);
    const rows = await prisma.identity.findMany({ where: { contactId: contact.id } });
    expect(rows.every((r) => r.id.startsWith('idn_') && r.valid && !r.verified)).toBe(true);
    expect(rows.map((r) => r.source)).toEqual([
      { type: 'run', runId: 'r1', nodeId: 'save' },
      { type: 'run', runId: 'r1', nodeId: 'save' },
    ]);
    expect(await getContact(prisma, ws, contact.id)).toEqual(contact);
    expect(await findContactByIdentity(prisma, ws, 'phone', '+14155550123')).toEqual(contact);
  });

  it('updates the name, shallow-merges attributes and attaches new identities', async () => {
    const svc = service(prisma);
    const first = await svc.upsert(ws, {
      identities: [email('bob')],
      name: 'Bob',
      attributes: { a: 1, nested: { x: 1 } },
    });
    const second = await svc.upsert(ws, {
      identities: [email('bob'), { kind: 'telegram', value: '42' }],
      attributes: { b: 2, nested: { y: 2 } },
    });
    expect(second.created).toBe(false);
    expect(second.contact.id).toBe(first.contact.id);
    expect(second.contact.name).toBe('Bob'); // not given → kept
    expect(second.contact.attributes).toEqual({ a: 1, b: 2, nested: { y: 2 } });
    expect(kv(second.contact)).toEqual([email('bob'), { kind: 'telegram', value: '42' }]);
    const third = await svc.upsert(ws, {
      identities: [{ kind: 'telegram', value: '42' }],
      name: 'Robert',
      attributes: { a: 3 },
    });
    expect(third.contact).toMatchObject({
      id: first.contact.id,
      name: 'Robert',
      attributes: { a: 3, b: 2, nested: { y: 2 } },
    });
  });

  it('is idempotent: the same input twice gives the same contact and no duplicates', async () => {
    const own = await createWorkspace(prisma);
    const svc = service(prisma);
    const input = {
      identities: [email('cy'), { kind: 'phone', value: '+447911123456' }],
      name: 'Cy',
      attributes: { k: 'v' },
    };
    const a = await svc.upsert(own, input);
    const b = await svc.upsert(own, input);
    expect(b.contact.id).toBe(a.contact.id);
    expect([a.created, b.created]).toEqual([true, false]);
    expect(b.contact).toEqual(a.contact); // nothing changed, so nothing was written (not even updatedAt)
    expect(await count(own)).toEqual({ contacts: 1, identities: 2 });
  });

  it('ends with one contact when five upserts of one new email race', async () => {
    const own = await createWorkspace(prisma);
    const svc = service(prisma);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => svc.upsert(own, { identities: [email('race')], attributes: { [`k${i}`]: i } })),
    );
    expect(new Set(results.map((r) => r.contact.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await count(own)).toEqual({ contacts: 1, identities: 1 });
    // Every racer's attributes survived (merges serialize on the row lock).
    const stored = await findContactByIdentity(prisma, own, 'email', 'race@example.com');
    expect(stored!.attributes).toEqual({ k1: 1, k2: 2, k3: 3, k4: 4, k5: 5 });
  });

  it('merges the contacts one input links whose names fit, into the oldest; different full names stay conflicts', async () => {
    const own = await createWorkspace(prisma);
    const svc = service(prisma);
    const older = await svc.upsert(own, { identities: [email('dee')], name: 'Dee' });
    // Make "oldest" unambiguous (timestamps have millisecond precision).
    await prisma.contact.update({
      where: { id: older.contact.id },
      data: { createdAt: new Date(Date.now() - 60_000) },
    });
    const newer = await svc.upsert(own, { identities: [{ kind: 'phone', value: '+14155550199' }], name: 'D.' });
    const res = await svc.upsert(own, {
      identities: [{ kind: 'phone', value: '+14155550199' }, email('dee'), { kind: 'whatsapp', value: '14155550199' }],
      attributes: { vip: true },
    });
    expect(res).toMatchObject({ created: false, merged: [newer.contact.id] });
    expect(res.conflicts).toBeUndefined();
    expect(res.contact.id).toBe(older.contact.id);
    expect(kv(res.contact).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      email('dee'),
      { kind: 'phone', value: '+14155550199' },
      { kind: 'whatsapp', value: '14155550199' },
    ]);
    expect(res.contact.attributes).toEqual({ vip: true });
    expect(await count(own)).toEqual({ contacts: 2, identities: 3 });

    // Two people with full names that differ, linked by an input that names nobody: the oldest, the other a conflict.
    const ana = await svc.upsert(own, { identities: [email('ana')], name: 'Ana Ruiz' });
    await prisma.contact.update({ where: { id: ana.contact.id }, data: { createdAt: new Date(Date.now() - 30_000) } });
    const leo = await svc.upsert(own, { identities: [email('leo')], name: 'Leo Ruiz' });
    const both = await svc.upsert(own, { identities: [email('ana'), email('leo')] });
    expect(both).toMatchObject({ contact: { id: ana.contact.id }, conflicts: [leo.contact.id] });
    expect(both.merged).toBeUndefined();
    expect(kv(both.contact)).toEqual([email('ana')]);
    expect(await getContact(prisma, own, leo.contact.id)).toMatchObject({ identities: [{ value: 'leo@example.com' }] });
  });

  it('merges the contacts a delivery vouches for (verified identities of two, compatible names), recorded and undoable', async () => {
    const own = await createWorkspace(prisma);
    const svc = service(prisma);
    const tg = { kind: 'telegram', value: '777', verified: true };
    const phone = { kind: 'phone', value: '+14155550177', verified: true };
    // María on Telegram; an SMS from her phone (no name); then she shares her own contact on Telegram.
    const onTelegram = await svc.upsert(own, { identities: [tg], name: 'María García' });
    await prisma.contact.update({
      where: { id: onTelegram.contact.id },
      data: { createdAt: new Date(Date.now() - 60_000) },
    });
    const bySms = await svc.upsert(own, { identities: [phone] });
    const shared = await svc.upsert(own, { identities: [tg, phone], name: 'Maria' });
    expect(shared.contact.id).toBe(onTelegram.contact.id);
    expect(shared).toMatchObject({ created: false, merged: [bySms.contact.id] });
    expect(shared.conflicts).toBeUndefined();
    expect(kv(shared.contact).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      { kind: 'phone', value: '+14155550177' },
      { kind: 'telegram', value: '777' },
    ]);
    expect(await getContact(prisma, own, bySms.contact.id)).toMatchObject({ mergedInto: onTelegram.contact.id });
    const merges = await createContactMergeStore(prisma).list(own, onTelegram.contact.id);
    expect(merges).toMatchObject([
      {
        survivorId: onTelegram.contact.id,
        mergedId: bySms.contact.id,
        by: { type: 'rule', ref: 'shared-delivery api' },
      },
    ]);
    // A merge by the rule is undone like any other.
    await createContactMergeStore(prisma).undo(own, merges![0]!.id);
    expect((await getContact(prisma, own, bySms.contact.id))!.mergedInto).toBeUndefined();
  });

  it('keeps an identifier two differently named people use on both (a household), and files by name', async () => {
    const own = await createWorkspace(prisma);
    const svc = service(prisma);
    const family = { kind: 'phone', value: '+14155550155', verified: true };
    const ana = await svc.upsert(own, { identities: [family, email('ana.g')], name: 'Ana García' });
    await prisma.contact.update({ where: { id: ana.contact.id }, data: { createdAt: new Date(Date.now() - 60_000) } });
    // Luis orders with his own email and the family phone: a new person holding a copy, not Ana's record.
    const luis = await svc.upsert(own, { identities: [email('luis.g'), family], name: 'Luis Garcia' });
    expect(luis).toMatchObject({ created: true, sharedWith: [ana.contact.id] });
    expect(luis.conflicts).toBeUndefined();
    expect(luis.contact.identities.map((i) => [i.value, i.shared ?? false])).toEqual([
      ['luis.g@example.com', false],
      ['+14155550155', true],
    ]);
    const anaNow = await getContact(prisma, own, ana.contact.id);
    expect(anaNow!.identities.map((i) => [i.value, i.shared ?? false])).toEqual([
      ['ana.g@example.com', false],
      ['+14155550155', true],
    ]);
    // Later deliveries from the shared phone: a name picks its person; none (an SMS) could be either of them, so it
    // goes to the phone's own nameless contact, made with a shared copy the first time and the same one after. A
    // lookup still answers the oldest holder.
    const fromLuis = await svc.upsert(own, {
      identities: [family, { kind: 'whatsapp', value: '14155550155', verified: true }],
      name: 'Luis García',
    });
    expect(fromLuis).toMatchObject({ contact: { id: luis.contact.id }, created: false });
    const sms = await svc.upsert(own, { identities: [family, { kind: 'webchat', value: 'v1' }] });
    expect(sms).toMatchObject({ created: true, contact: { name: null } });
    expect(sms.contact.id).not.toBe(ana.contact.id);
    expect(sms.contact.id).not.toBe(luis.contact.id);
    expect(sms.contact.identities.find((i) => i.value === '+14155550155')?.shared).toBe(true);
    expect(sms.conflicts).toBeUndefined();
    const nextSms = await svc.upsert(own, { identities: [family] });
    expect(nextSms).toMatchObject({ contact: { id: sms.contact.id }, created: false });
    expect((await findContactByIdentity(prisma, own, 'phone', '+14155550155'))!.id).toBe(ana.contact.id);
    // A phone only one person holds still files a nameless delivery with them.
    const solo = { kind: 'phone', value: '+14155550166', verified: true };
    const zoe = await svc.upsert(own, { identities: [solo], name: 'Zoe Park' });
    expect((await svc.upsert(own, { identities: [solo] })).contact.id).toBe(zoe.contact.id);
    // An account is one person's: a new full name on a Telegram id renames, and a nickname never splits.
    const tg = { kind: 'telegram', value: '9', verified: true };
    const bob = await svc.upsert(own, { identities: [tg], name: 'Bob Stone' });
    expect(await svc.upsert(own, { identities: [tg], name: 'Robert Stone' })).toMatchObject({
      contact: { id: bob.contact.id, name: 'Robert Stone' },
    });
    // A third person of the household gets a copy too; nothing was merged along the way.
    const eva = await svc.upsert(own, { identities: [family], name: 'Eva García' });
    expect(eva.sharedWith?.sort()).toEqual([ana.contact.id, luis.contact.id, sms.contact.id].sort());
    expect(await prisma.contactMerge.count({ where: { workspaceId: own } })).toBe(0);
    expect(await prisma.identity.count({ where: { workspaceId: own, key: '+14155550155' } })).toBe(4);
    expect((await svc.upsert(own, { identities: [email('ana.g')], name: 'Ani' })).contact.id).toBe(ana.contact.id);
  });

  it('tells people apart by full names only', () => {
    expect(differentPeople('Ana García', 'Luis Garcia')).toBe(true);
    expect(differentPeople('Ana García', 'ana garcia')).toBe(false);
    expect(differentPeople('Bob', 'Robert')).toBe(false);
    expect(differentPeople(null, 'Luis García')).toBe(false);
  });

  it('folds case and accents when comparing names, and treats an unknown name as compatible', () => {
    expect(compatibleNames('María García', 'maria')).toBe(true);
    expect(compatibleNames('MARIA GARCIA', 'María  García-')).toBe(true);
    expect(compatibleNames(null, 'Luis')).toBe(true);
    expect(compatibleNames('Ana García', 'Luis García')).toBe(false);
  });

  it('writes nothing when a step of the transaction fails', async () => {
    const own = await createWorkspace(prisma);
    const svc = service(prisma);
    const { contact } = await svc.upsert(own, { identities: [email('eve')], attributes: { a: 1 } });
    // The new identity is inserted first; then the attribute update fails in PostgreSQL (jsonb rejects \u0000).
    await expect(
      svc.upsert(own, {
        identities: [email('eve'), { kind: 'phone', value: '+14155550100' }],
        name: 'Eve',
        attributes: { bad: '\u0000' },
      }),
    ).rejects.toThrow();
    expect(await findContactByIdentity(prisma, own, 'phone', '+14155550100')).toBeNull();
    expect(await getContact(prisma, own, contact.id)).toEqual(contact);
    expect(await count(own)).toEqual({ contacts: 1, identities: 1 });
  });

  it('keeps workspaces apart and returns null for unknown ids', async () => {
    const other = await createWorkspace(prisma);
    const svc = service(prisma);
    const mine = await svc.upsert(ws, { identities: [email('same')] });
    const theirs = await svc.upsert(other, { identities: [email('same')] });
    expect(theirs.created).toBe(true);
    expect(theirs.contact.id).not.toBe(mine.contact.id);
    expect(await getContact(prisma, other, mine.contact.id)).toBeNull();
    expect(await findContactByIdentity(prisma, other, 'email', 'nobody@example.com')).toBeNull();
    await expect(svc.upsert(ws, { identities: [] })).rejects.toThrow(/at least one valid identity/);
  });

  it("edits a contact while a CRM sync saves that contact's record, without a deadlock", async () => {
    const own = await createWorkspace(prisma);
    const { contact } = await service(prisma).upsert(own, { identities: [email('dl')], name: 'Dee' });
    const account = newId('cha');
    await prisma.channelAccount.create({
      data: { id: account, workspaceId: own, connector: 'hubspot', name: 'H', credentials: Buffer.from('x') },
    });
    await createCrmSyncStore(prisma).ensure(account, own);
    // The sync's side, as saveRecord does it: the contact's link row first, then a row referencing the contact (its
    // record id as an identity), which needs a key-share lock on the contact.
    const sync = new pg.Client({ connectionString: databaseUrl() });
    await sync.connect();
    try {
      await sync.query('BEGIN');
      await sync.query('UPDATE crm_links SET attempts = attempts WHERE account_id = $1 AND contact_id = $2', [
        account,
        contact.id,
      ]);
      // The edit locks the contact, then marks its link pending: it waits for the sync's link row.
      const edit = updateContact(prisma, own, contact.id, { name: 'Dee Lane' });
      await new Promise((r) => setTimeout(r, 300));
      // The contact's lock must not stop it (the edit never changes the contact's key): were it to wait, it would be
      // a deadlock, which PostgreSQL breaks after a second; it is told to give up sooner.
      await sync.query("SET lock_timeout = '500ms'");
      await sync.query(
        `INSERT INTO identities (id, workspace_id, contact_id, kind, value, key, valid, verified, shared, source)
         VALUES ($1, $2, $3, 'hubspot', 'hubspot:1:9', 'hubspot:1:9', true, true, false, '{"type":"api"}')`,
        [newId('idn'), own, contact.id],
      );
      await sync.query('COMMIT');
      expect((await edit)?.name).toBe('Dee Lane');
    } finally {
      await sync.end();
    }
    expect((await getContact(prisma, own, contact.id))!.identities.map((i) => i.kind).sort()).toEqual([
      'email',
      'hubspot',
    ]);
  });
});
