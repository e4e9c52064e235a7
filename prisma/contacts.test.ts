import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, testPrisma } from '../test/env.js';
import { kindValues as kv, testContacts as service } from '../test/contacts.js';
import { createContactMergeStore } from './contact-merges.js';
import { compatibleNames, findContactByIdentity, getContact } from './contacts.js';
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

  it('uses the oldest contact when identities belong to several, attaches only unowned ones, reports conflicts', async () => {
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
    expect(res).toMatchObject({ created: false, conflicts: [newer.contact.id] });
    expect(res.contact.id).toBe(older.contact.id);
    expect(kv(res.contact)).toEqual([email('dee'), { kind: 'whatsapp', value: '14155550199' }]);
    expect(res.contact.attributes).toEqual({ vip: true });
    const untouched = await getContact(prisma, own, newer.contact.id);
    expect(untouched).toMatchObject({
      name: 'D.',
      attributes: {},
      identities: [{ kind: 'phone', value: '+14155550199' }],
    });
    expect(await count(own)).toEqual({ contacts: 2, identities: 3 });
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

  it('never merges on a typed identity or across names that differ (a household): those stay conflicts', async () => {
    const own = await createWorkspace(prisma);
    const svc = service(prisma);
    const ana = await svc.upsert(own, {
      identities: [{ kind: 'whatsapp', value: '555', verified: true }],
      name: 'Ana García',
    });
    await prisma.contact.update({ where: { id: ana.contact.id }, data: { createdAt: new Date(Date.now() - 60_000) } });
    const family = { kind: 'phone', value: '+14155550155', verified: true };
    const luis = await svc.upsert(own, { identities: [family], name: 'Luis García' });
    const both = await svc.upsert(own, {
      identities: [{ kind: 'whatsapp', value: '555', verified: true }, family],
      name: 'Ana García',
    });
    expect(both).toMatchObject({ contact: { id: ana.contact.id }, conflicts: [luis.contact.id] });
    expect(both.merged).toBeUndefined();
    // An email typed into a web chat (unverified) never vouches for anyone.
    const typed = await svc.upsert(own, {
      identities: [
        { kind: 'webchat', value: 'v1', verified: true },
        { kind: 'phone', value: '+14155550155' },
      ],
    });
    const again = await svc.upsert(own, {
      identities: [
        { kind: 'webchat', value: 'v1', verified: true },
        { kind: 'whatsapp', value: '555' },
      ],
    });
    expect(typed.merged).toBeUndefined();
    expect(again).toMatchObject({ contact: { id: ana.contact.id }, conflicts: [luis.contact.id] });
    expect(again.merged).toBeUndefined();
    expect(await prisma.contactMerge.count({ where: { workspaceId: own } })).toBe(0);
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
});
