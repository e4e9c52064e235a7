// Merging and unmerging contacts over the real PostgreSQL: an undo restores exactly what each side had (identities,
// messages, including those that arrived after the merge, consents, attributes), clusters merge and come apart,
// concurrent merges of one pair end in one merge, and refusals change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { senderIdentities } from '../connectors/contacts/identity.js';
import type { MessageReceived } from '../connectors/sdk/channel.js';
import { createWorkspace, testPrisma } from '../test/env.js';
import { kindValues, testContacts } from '../test/contacts.js';
import { createContactMergeStore, MergeRefused } from './contact-merges.js';
import { createContactsService, findContactByIdentity, getContact, listContacts } from './contacts.js';
import { createContactTimelineStore } from './contact-timeline.js';
import { createConversationStore } from './conversations.js';

const prisma = testPrisma();
const contacts = testContacts(prisma);
const merges = createContactMergeStore(prisma);
const conversations = createConversationStore(prisma, createContactsService(prisma));
const api = { type: 'api' } as const;
let ws: string;
beforeAll(async () => {
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

let n = 0;
const inbound = (phone: string, text: string, workspaceId = ws) => {
  const event: MessageReceived = {
    type: 'message.received',
    dedupeKey: `m${++n}`,
    providerMessageId: `SM-${n}-${text}`,
    timestamp: new Date(Date.UTC(2026, 10, 1, 10, n)).toISOString(),
    sender: { identity: { kind: 'phone', value: phone } },
    text,
  };
  return conversations.recordInbound({
    workspaceId,
    accountId: 'cha_sms',
    channel: 'sms',
    event,
    identities: senderIdentities(event.sender),
  });
};

/** Everything a row owns and where its messages are filed, to compare before and after. */
async function snapshot(id: string) {
  const row = await prisma.contact.findUniqueOrThrow({ where: { id } });
  const conversation = await prisma.conversation.findUnique({ where: { contactId: id } });
  return {
    mergedIntoId: row.mergedIntoId,
    name: row.name,
    attributes: row.attributes,
    identities: (await prisma.identity.findMany({ where: { contactId: id }, orderBy: { id: 'asc' } })).map(
      ({ id: identityId, kind, value, key, valid, verified }) => ({ identityId, kind, value, key, valid, verified }),
    ),
    consents: await prisma.consent.findMany({ where: { contactId: id }, orderBy: { channel: 'asc' } }),
    messages: (
      await prisma.message.findMany({ where: { contactId: id }, orderBy: { id: 'asc' }, select: { id: true } })
    ).map((m) => m.id),
    conversation: conversation && {
      lastMessageAt: conversation.lastMessageAt,
      messages: (
        await prisma.message.findMany({
          where: { conversationId: conversation.id },
          orderBy: { id: 'asc' },
          select: { id: true },
        })
      ).map((m) => m.id),
    },
  };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'merged',
    (err: unknown) => (err instanceof MergeRefused ? err.reason : err),
  );

let pairs = 0;
async function pair(tag: string) {
  const a = await contacts.upsert(ws, {
    identities: [{ kind: 'email', value: `${tag}-a@example.com` }],
    name: `${tag} A`,
    attributes: { plan: 'pro', city: 'Paris' },
  });
  const phone = `+14155550${String(100 + ++pairs)}`;
  const b = await contacts.upsert(ws, {
    identities: [{ kind: 'email', value: `${tag}-b@example.com` }],
    attributes: { plan: 'free', vip: true },
  });
  await contacts.upsert(ws, {
    identities: [
      { kind: 'email', value: `${tag}-b@example.com` },
      { kind: 'phone', value: phone },
    ],
  });
  return { a: a.contact.id, b: b.contact.id, phone };
}

describe('contact merges', () => {
  it('merges B into A as one view, and an undo restores exactly what each side had', async () => {
    const { a, b, phone } = await pair('undo');
    const first = await inbound(phone, 'before the merge, STOP');
    await prisma.consent.create({ data: { workspaceId: ws, contactId: b, channel: 'sms', status: 'opted_out' } });
    const beforeA = await snapshot(a);
    const beforeB = await snapshot(b);
    expect(first.contact.id).toBe(b);

    const { merge, contact } = await merges.merge(ws, a, b, { type: 'person', ref: 'key_1' });
    expect(merge).toMatchObject({ survivorId: a, mergedId: b, members: [b], by: { type: 'person', ref: 'key_1' } });
    expect(merge.id).toMatch(/^mrg_[0-9a-f]{32}$/);
    expect(contact.id).toBe(a);
    expect(contact.name).toBe('undo A');
    // The root's attributes win over the members'; the member's own keys are there too.
    expect(contact.attributes).toEqual({ plan: 'pro', city: 'Paris', vip: true });
    expect(kindValues(contact)).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: 'undo-a@example.com' },
        { kind: 'email', value: 'undo-b@example.com' },
        { kind: 'phone', value: phone },
      ]),
    );
    expect(contact.identities).toHaveLength(3);
    expect(contact.members).toEqual([{ id: b, name: null, mergeId: merge.id, mergedAt: merge.createdAt }]);
    expect(await getContact(prisma, ws, a)).toEqual(contact);
    expect(await getContact(prisma, ws, b)).toMatchObject({ id: b, mergedInto: a });
    expect(await findContactByIdentity(prisma, ws, 'phone', phone)).toEqual(contact);
    const listed = await listContacts(prisma, ws, { limit: 100 });
    expect(listed.items.map((c) => c.id)).toContain(a);
    expect(listed.items.map((c) => c.id)).not.toContain(b);
    // B's messages are in A's conversation, still B's.
    const convA = await prisma.conversation.findUniqueOrThrow({ where: { contactId: a } });
    expect(await prisma.message.findUniqueOrThrow({ where: { id: first.message.id } })).toMatchObject({
      contactId: b,
      conversationId: convA.id,
    });
    expect(convA.lastMessageAt?.toISOString()).toBe(first.message.sentAt);
    // A's timeline holds B's identities and messages; B's own stays its own.
    const contactTimeline = async (id: string) =>
      (await createContactTimelineStore(prisma).page(ws, id, { limit: 200 }))!.items;
    const timeline = await contactTimeline(a);
    expect(timeline.filter((e) => e.type === 'message.received').map((e) => e.message!.id)).toEqual([first.message.id]);
    expect(timeline.filter((e) => e.type === 'identity.added')).toHaveLength(3);
    // An opt-out of B's holds for the merged contact.
    expect((await conversations.consent(a, 'sms'))?.status).toBe('opted_out');

    // Either side's identity finds the root, with no conflict; new identities and attributes go on the root.
    const both = await contacts.upsert(ws, {
      identities: [
        { kind: 'email', value: 'undo-a@example.com' },
        { kind: 'email', value: 'undo-b@example.com' },
      ],
    });
    expect(both).toMatchObject({ created: false, contact: { id: a } });
    expect(both.conflicts).toBeUndefined();
    // A message through B's phone after the merge: the run's contact is A, the message is B's, filed with A.
    const after = await inbound(phone, 'after the merge');
    expect(after.contact.id).toBe(a);
    expect(after.message).toMatchObject({ contactId: b, conversationId: convA.id });

    const { contacts: back } = await merges.undo(ws, merge.id);
    expect(back.map((c) => c.id)).toEqual([a, b]);
    expect(back[0]!.members).toBeUndefined();
    const afterA = await snapshot(a);
    const afterB = await snapshot(b);
    // A keeps the conversation the merge gave it, empty (the inbox lists only conversations with messages).
    expect(afterA).toEqual({ ...beforeA, conversation: { lastMessageAt: null, messages: [] } });
    expect(beforeA.conversation).toBeNull();
    expect(afterB).toEqual({
      ...beforeB,
      messages: [...beforeB.messages, after.message.id].sort(),
      conversation: {
        lastMessageAt: new Date(after.message.sentAt),
        messages: [...beforeB.conversation!.messages, after.message.id].sort(),
      },
    });
    expect((await conversations.consent(a, 'sms'))?.status).toBeUndefined();
    expect((await contactTimeline(a)).some((e) => e.type === 'message.received')).toBe(false);
    expect(await findContactByIdentity(prisma, ws, 'phone', phone)).toMatchObject({ id: b });
    expect((await merges.list(ws, a))!.map((m) => [m.id, m.undoneAt !== null])).toEqual([[merge.id, true]]);
  });

  it('merges a cluster into another and undoes each merge', async () => {
    const { a, b } = await pair('cluster-1');
    const { a: c, b: d } = await pair('cluster-2');
    const ab = await merges.merge(ws, a, b, api);
    const cd = await merges.merge(ws, c, d, api);
    // Naming a member stands for its cluster: C's cluster (C, D) goes under A.
    const big = await merges.merge(ws, b, d, api);
    expect(big.merge).toMatchObject({ survivorId: a, mergedId: c, members: [c, d] });
    expect(big.contact.members!.map((m) => [m.id, m.mergeId])).toEqual([
      [b, ab.merge.id],
      [c, big.merge.id],
      [d, big.merge.id],
    ]);
    expect(await getContact(prisma, ws, d)).toMatchObject({ mergedInto: a });
    expect(await refusal(merges.merge(ws, d, a, api))).toBe('already_merged');
    // Undoing C←D while the cluster is under A frees D alone.
    const freed = await merges.undo(ws, cd.merge.id);
    expect(freed.contacts.map((x) => x.id)).toEqual([a, d]);
    expect(freed.contacts[0]!.members!.map((m) => m.id)).toEqual([b, c]);
    // The big merge now takes back only what is still there (C).
    const split = await merges.undo(ws, big.merge.id);
    expect(split.contacts.map((x) => x.id)).toEqual([a, c]);
    expect(split.contacts[0]!.members!.map((m) => m.id)).toEqual([b]);
    expect(split.contacts[1]!.members).toBeUndefined();
    const rows = await prisma.contact.findMany({ where: { id: { in: [a, b, c, d] } } });
    expect(Object.fromEntries(rows.map((r) => [r.id, r.mergedIntoId]))).toEqual({
      [a]: null,
      [b]: a,
      [c]: null,
      [d]: null,
    });
  });

  it('ends concurrent merges of one pair, either way round, in one merge', async () => {
    const { a, b } = await pair('race');
    const results = await Promise.all([
      refusal(merges.merge(ws, a, b, api)),
      refusal(merges.merge(ws, a, b, api)),
      refusal(merges.merge(ws, b, a, api)),
    ]);
    expect(results.filter((r) => r === 'merged')).toHaveLength(1);
    expect(results.filter((r) => r === 'already_merged')).toHaveLength(2);
    expect(await prisma.contactMerge.count({ where: { workspaceId: ws, members: { hasSome: [a, b] } } })).toBe(1);
    const rows = await prisma.contact.findMany({ where: { id: { in: [a, b] } } });
    expect(rows.filter((r) => r.mergedIntoId === null)).toHaveLength(1);
  });

  it('refuses itself, another workspace, unknown ids and a second undo, changing nothing', async () => {
    const { a, b } = await pair('refuse');
    const other = await createWorkspace(prisma);
    const foreign = (await contacts.upsert(other, { identities: [{ kind: 'email', value: 'refuse-a@example.com' }] }))
      .contact.id;
    const before = [await snapshot(a), await snapshot(b), await snapshot(foreign)];
    expect(await refusal(merges.merge(ws, a, a, api))).toBe('merge_self');
    expect(await refusal(merges.merge(ws, a, foreign, api))).toBe('not_found');
    expect(await refusal(merges.merge(other, foreign, a, api))).toBe('not_found');
    expect(await refusal(merges.merge(ws, a, 'ct_0000', api))).toBe('not_found');
    expect(await refusal(merges.undo(ws, 'mrg_none'))).toBe('not_found');
    expect([await snapshot(a), await snapshot(b), await snapshot(foreign)]).toEqual(before);
    expect(await prisma.contactMerge.count({ where: { workspaceId: { in: [ws, other] }, members: { has: b } } })).toBe(
      0,
    );

    const { merge } = await merges.merge(ws, a, b, api);
    expect(await refusal(merges.undo(other, merge.id))).toBe('not_found');
    await merges.undo(ws, merge.id);
    const undone = [await snapshot(a), await snapshot(b)];
    expect(await refusal(merges.undo(ws, merge.id))).toBe('not_merged');
    expect([await snapshot(a), await snapshot(b)]).toEqual(undone);
    expect(await merges.list(ws, 'ct_none')).toBeNull();
    expect(await merges.list(other, a)).toBeNull();
  });
});
